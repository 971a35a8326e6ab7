"""A transformers captioner's images as ``prepare`` makes them, one by one, and put together again into
one batch for the model, as its processor would have made the batch. torch is imported inside functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PreparedImage:
    """One image as a ``TransformersCaptioner``'s ``prepare`` made it: its processor's inputs for it
    alone (CPU tensors with a batch dimension of 1), the prompt they hold, and the seconds it took."""

    inputs: dict[str, Any]
    prompt: str | None
    seconds: float


def token_padding(tokenizer: Any) -> tuple[dict[str, int], bool]:
    """Per token-sequence input, the value a shorter sequence is padded with, and whether on the left."""
    names = tuple(getattr(tokenizer, "model_input_names", None) or ("input_ids", "attention_mask"))
    pad = getattr(tokenizer, "pad_token_id", None)
    values = {name: 0 for name in names}
    values["input_ids"] = 0 if pad is None else int(pad)
    return values, getattr(tokenizer, "padding_side", "right") == "left"


def collate(entries: list[dict[str, Any]], padding: tuple[dict[str, int], bool]) -> dict[str, Any]:
    """One batch from per-image inputs (tensors with a batch dimension of 1), as a processor makes one
    for the whole batch: tensors of one shape concatenated; token sequences (``padding``'s names) of
    different lengths padded with its values, on the left when it says so; other tensors of
    different shapes (Idefics3's tiles: their count and the global view's size) padded with zeros
    at the end of each dimension."""
    import torch
    import torch.nn.functional as functional

    values, left = padding
    batch: dict[str, Any] = {}
    for name in entries[0]:
        tensors = [entry[name] for entry in entries]
        shape = [max(sizes) for sizes in zip(*(tensor.shape for tensor in tensors), strict=True)]
        padded = []
        for tensor in tensors:
            missing = [target - size for target, size in zip(shape, tensor.shape, strict=True)]
            if not any(missing):
                padded.append(tensor)
                continue
            if name in values:  # (1, length): pad the sequence's one side
                sides = (missing[-1], 0) if left else (0, missing[-1])
                padded.append(functional.pad(tensor, sides, value=values[name]))
            else:  # F.pad lists the last dimension first
                sides = tuple(side for count in reversed(missing) for side in (0, count))
                padded.append(functional.pad(tensor, sides, value=0))
        batch[name] = torch.cat(padded)
    return batch
