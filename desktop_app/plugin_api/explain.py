"""Where the model looked when it wrote a word (plugin API 1.3): ``AttentionMap`` and the shared
teacher-forced computation behind ``TransformersCaptioner.word_attention``.

One forward pass over the stored text (teacher forcing: the model reads the text we have instead of
writing a new one), then for the tokens that overlap the word:

- "cross-attention": the decoder's attention over the image's patches at the positions that predict
  those tokens, averaged over layers, heads and the word's tokens. SDPA computes no attention
  weights, so the pass runs with eager attention (switched for the pass, then back).
- "gradient": |d log p(word) / d pixels| summed over the colour channels, pooled to a patch grid; for
  models whose attention is no grid of patches (or on request).

Each image of a batch gets the same map as alone: texts are padded on the right (a causal decoder's
earlier positions never see the padding) and the gradient of a sum of per-image terms is per image.
torch is imported inside the functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

CROSS_ATTENTION = "cross-attention"
GRADIENT = "gradient"
METHODS = ("auto", CROSS_ATTENTION, GRADIENT)
FULL_REGION = (0.0, 0.0, 1.0, 1.0)


@dataclass(frozen=True)
class AttentionMap:
    """Where the model looked for one word: ``grid`` (rows, columns) over the part of the photo the
    model saw, ``region`` (left, top, right, bottom as fractions of the photo; the whole photo when its
    processor stretches it to the model's input, the middle when it crops); finite, non-negative,
    summing to 1. ``tokens``: the model's tokens the word is made of; ``method``: "cross-attention"
    or "gradient"."""

    grid: np.ndarray
    tokens: tuple[str, ...]
    method: str
    region: tuple[float, float, float, float] = FULL_REGION


@dataclass(frozen=True)
class ForcedText:
    """A text as the decoder reads it under teacher forcing."""

    ids: list[int]  # the whole decoder input: start token(s), prompt, the text's tokens
    first: int  # where the text's tokens begin in ``ids``
    tokens: list[str]
    offsets: list[tuple[int, int]]  # each text token's characters in the text


def text_tokens(tokenizer: Any, text: str) -> tuple[list[int], list[str], list[tuple[int, int]]]:
    """The text's token ids (no special tokens), their strings and character offsets in ``text``."""
    if getattr(tokenizer, "is_fast", False):
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
        ids = list(encoded["input_ids"])
        offsets = [(int(start), int(end)) for start, end in encoded["offset_mapping"]]
    else:  # a slow tokenizer has no offsets: find each piece in order, as the editor marks words
        ids = list(tokenizer(text, add_special_tokens=False)["input_ids"])
        offsets = _found_offsets(text, tokenizer.convert_ids_to_tokens(ids))
    return ids, [tokenizer.decode([token]).strip() for token in ids], offsets


def _found_offsets(text: str, pieces: Sequence[str]) -> list[tuple[int, int]]:
    lowered, position, offsets = text.lower(), 0, []
    for piece in pieces:
        clean = piece.replace("Ġ", "").replace("▁", "").removeprefix("##").lower()
        found = lowered.find(clean, position) if clean else -1
        if found < 0:
            offsets.append((position, position))
            continue
        offsets.append((found, found + len(clean)))
        position = found + len(clean)
    return offsets


def forced_text(tokenizer: Any, prefix: Sequence[int], text: str) -> ForcedText:
    ids, tokens, offsets = text_tokens(tokenizer, text)
    return ForcedText([*prefix, *ids], len(prefix), tokens, offsets)


def word_positions(forced: ForcedText, span: tuple[int, int]) -> list[int]:
    """Indices (into the text's tokens) of the tokens overlapping ``span``'s characters."""
    start, end = span
    return [index for index, (first, last) in enumerate(forced.offsets)
            if first < end and last > start and last > first]


def padded(texts: Sequence[ForcedText], pad_id: int) -> tuple[Any, Any]:
    """Decoder inputs and their mask, padded on the right."""
    import torch

    length = max(len(text.ids) for text in texts)
    ids = torch.full((len(texts), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(texts), length), dtype=torch.long)
    for row, text in enumerate(texts):
        ids[row, :len(text.ids)] = torch.tensor(text.ids)
        mask[row, :len(text.ids)] = 1
    return ids, mask


def patch_grid(weights: np.ndarray, skip: Sequence[int] = (0, 1)) -> np.ndarray | None:
    """Weights over an encoder's tokens as a square grid of patches (after ``skip`` leading tokens,
    a CLS or a pooled one), renormalised to sum to 1; None when no square grid fits or all are 0."""
    for leading in skip:
        count = weights.size - leading
        side = math.isqrt(max(count, 0))
        if count > 0 and side * side == count:
            grid = weights[leading:].reshape(side, side).astype("float64")
            total = float(grid.sum())
            return grid / total if total > 0 and math.isfinite(total) else None
    return None


def eager_attention(network: Any, enabled: bool = True) -> Any:
    """A context in which ``network`` computes attention weights (eager attention: SDPA returns none), its
    implementation restored after; with ``enabled`` False, a context that changes nothing."""
    from contextlib import contextmanager

    @contextmanager
    def switched() -> Any:
        implementation = network.config._attn_implementation
        if implementation == "eager" or not enabled:
            yield
            return
        network.set_attn_implementation("eager")
        try:
            yield
        finally:
            network.set_attn_implementation(implementation)

    return switched()


# A pass: (pixel inputs, decoder ids, decoder mask, want attentions) -> (logits, cross-attentions or None).
Pass = Callable[[dict[str, Any], Any, Any, bool], tuple[Any, Any]]


def attention_weights(texts: Sequence[ForcedText], inputs: dict[str, Any], forward: Pass, pad_id: int,
                      image_keys: Any = None) -> list[np.ndarray | None]:
    """Each text's cross-attention over the image's keys at every decoder position: (positions, keys)
    arrays, averaged over layers and heads (None where the model returns no cross-attention).
    ``image_keys``: a (batch, keys) boolean tensor marking the encoder positions that are image patches
    (None: all are)."""
    import torch

    ids, mask = padded(texts, pad_id)
    device = inputs["pixel_values"].device
    with torch.inference_mode():
        _logits, attentions = forward(inputs, ids.to(device), mask.to(device), True)
    if not attentions or any(layer is None for layer in attentions):
        return [None] * len(texts)
    # Per layer (batch, heads, positions, keys): averaged over layers and heads.
    weights = torch.stack(list(attentions)).float().mean(dim=(0, 2))
    found: list[np.ndarray | None] = []
    for row, text in enumerate(texts):
        over_keys = weights[row, :len(text.ids)]
        if image_keys is not None:
            over_keys = over_keys[:, image_keys[row].to(over_keys.device)]
        found.append(over_keys.cpu().numpy())
    return found


def attention_grid(weights: np.ndarray, text: ForcedText, positions: Sequence[int],
                   skip: Sequence[int] = (0, 1)) -> np.ndarray | None:
    """The grid for the text's tokens at ``positions`` from ``attention_weights``' array: position p
    of the decoder input predicts token p + 1, so a token is written where the one before it is read."""
    if not positions:
        return None
    return patch_grid(weights[[text.first + index - 1 for index in positions]].mean(axis=0), skip)


def gradient_grids(texts: Sequence[ForcedText], chosen: Sequence[Sequence[int]], inputs: dict[str, Any],
                   forward: Pass, pad_id: int, patch: int) -> list[np.ndarray | None]:
    """|d log p(word) / d pixels|, summed over colour channels and pooled to ``patch``-pixel cells, per
    text (the sum of the texts' terms: each image's gradient is its own text's)."""
    import torch

    ids, mask = padded(texts, pad_id)
    pixels = inputs["pixel_values"].detach().clone().requires_grad_(True)
    ids, mask = ids.to(pixels.device), mask.to(pixels.device)
    with torch.enable_grad():
        logits, _ = forward({**inputs, "pixel_values": pixels}, ids, mask, False)
        log_probs = torch.log_softmax(logits.float(), dim=-1)
        terms = [log_probs[row, text.first + index - 1, ids[row, text.first + index]]
                 for row, (text, positions) in enumerate(zip(texts, chosen, strict=True))
                 for index in positions]
        (gradient,) = torch.autograd.grad(torch.stack(terms).sum(), pixels)
    saliency = gradient.float().abs().sum(dim=1, keepdim=True)  # (batch, 1, height, width)
    rows, cols = max(1, saliency.shape[2] // patch), max(1, saliency.shape[3] // patch)
    pooled = torch.nn.functional.adaptive_avg_pool2d(saliency, (rows, cols))[:, 0].cpu().numpy()
    grids: list[np.ndarray | None] = []
    for row, positions in enumerate(chosen):
        grid = pooled[row].astype("float64")
        total = float(grid.sum())
        grids.append(grid / total if positions and total > 0 and math.isfinite(total) else None)
    return grids


def input_region(image_processor: Any, width: int, height: int) -> tuple[float, float, float, float]:
    """The part of a ``width`` x ``height`` photo that ``image_processor`` hands the model: the whole
    photo when it resizes to a fixed size (stretching), the middle square-ish part when it resizes the
    shortest edge and then crops the centre (CLIP-style)."""
    size = getattr(image_processor, "size", None) or {}
    crop = getattr(image_processor, "crop_size", None) or {}
    shortest = size.get("shortest_edge") if isinstance(size, dict) else getattr(size, "shortest_edge", None)
    if not getattr(image_processor, "do_center_crop", False) or not shortest or not crop:
        return FULL_REGION
    crop_h = crop.get("height") if isinstance(crop, dict) else getattr(crop, "height", None)
    crop_w = crop.get("width") if isinstance(crop, dict) else getattr(crop, "width", None)
    if not crop_h or not crop_w or width <= 0 or height <= 0:
        return FULL_REGION
    scale = shortest / min(width, height)
    seen_w, seen_h = min(1.0, crop_w / (width * scale)), min(1.0, crop_h / (height * scale))
    return ((1 - seen_w) / 2, (1 - seen_h) / 2, (1 + seen_w) / 2, (1 + seen_h) / 2)


_WORD = re.compile(r"\w+(?:['’-]\w+)*")


def word_spans(text: str) -> list[tuple[int, int]]:
    """The words of ``text`` (letters and digits, with inner apostrophes or hyphens) as spans."""
    return [match.span() for match in _WORD.finditer(text)]


@dataclass(frozen=True)
class TeacherForcing:
    """How a captioner's model reads a given text: what ``TransformersCaptioner._teacher_forcing``
    returns for ``explain_words``."""

    tokenizer: Any
    prefix: list[int]  # decoder ids before the text: the start token(s), a prompt the text continues
    pad_id: int
    forward: Pass  # (inputs from ``_inputs``, decoder ids, decoder mask, want attentions)
    image_processor: Any = None  # for the part of the photo the model sees (``input_region``)
    image_keys: Callable[[dict[str, Any]], Any] | None = None  # which encoder positions are patches
    patch: int = 16  # pixels per gradient cell, the vision encoder's patch size


def explain_words(captioner: Any, images: Sequence[Any], texts: Sequence[str],
                  spans: Sequence[tuple[int, int]], options: dict[str, Any]) -> list[AttentionMap | None]:
    """``Captioner.word_attention`` for a loaded TransformersCaptioner: its ``_teacher_forcing`` says how
    its model reads a text; None for every image when it cannot.

    The attention of a pass is kept (per captioner, image content, text and options: ``PASSES_KEPT``),
    so the other words of a text just read cost no second pass."""
    if not captioner.loaded:
        raise RuntimeError(f"captioner {captioner.id} is not loaded")
    if not (len(images) == len(texts) == len(spans)):
        raise ValueError("word_attention needs one text and one span per image")
    settings = {**captioner.option_defaults(), **options}
    method = str(settings.pop("method", None) or "auto")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    forcing = captioner._teacher_forcing(settings)
    if forcing is None or not images:
        return [None] * len(images)
    forced = [forced_text(forcing.tokenizer, forcing.prefix, text) for text in texts]
    chosen = [word_positions(text, span) for text, span in zip(forced, spans, strict=True)]
    grids: list[np.ndarray | None] = [None] * len(images)
    used = CROSS_ATTENTION
    if method in ("auto", CROSS_ATTENTION):
        weights = _cached_attention(captioner, forcing, images, forced, settings)
        grids = [attention_grid(found, text, positions) if found is not None else None
                 for found, text, positions in zip(weights, forced, chosen, strict=True)]
    wanted = [index for index, positions in enumerate(chosen) if positions]
    if wanted and (method == GRADIENT or (method == "auto" and all(grids[i] is None for i in wanted))):
        inputs, _prompt = captioner._inputs([images[i] for i in wanted], settings)
        found_grids = gradient_grids([forced[i] for i in wanted], [chosen[i] for i in wanted], inputs,
                                     forcing.forward, forcing.pad_id, forcing.patch)
        grids, used = [None] * len(images), GRADIENT
        for index, grid in zip(wanted, found_grids, strict=True):
            grids[index] = grid
    # The region each image's map covers, from its own shape (a crop takes the middle of a long photo).
    return [AttentionMap(grid, tuple(text.tokens[i] for i in positions), used,
                         input_region(forcing.image_processor, *getattr(image, "size", (0, 0))))
            if grid is not None and positions else None
            for grid, text, positions, image in zip(grids, forced, chosen, images, strict=True)]


PASSES_KEPT = 16


def _cached_attention(captioner: Any, forcing: TeacherForcing, images: Sequence[Any],
                      forced: list[ForcedText], settings: dict[str, Any]) -> list[np.ndarray | None]:
    """``attention_weights`` for each image and text, from the captioner's kept passes where it can."""
    import hashlib
    from collections import OrderedDict

    kept: OrderedDict[tuple[Any, ...], np.ndarray | None] = captioner.__dict__.setdefault(
        "_attention_passes", OrderedDict())
    options = repr(sorted(settings.items()))
    keys = []
    for image, text in zip(images, forced, strict=True):
        content = hashlib.blake2b(image.tobytes(), digest_size=16).hexdigest() if hasattr(image, "tobytes") \
            else id(image)
        keys.append((getattr(image, "size", None), content, tuple(text.ids), options))
    missing = [index for index, key in enumerate(keys) if key not in kept]
    if missing:
        inputs, _prompt = captioner._inputs([images[i] for i in missing], settings)
        image_keys = forcing.image_keys(inputs) if forcing.image_keys is not None else None
        found = attention_weights([forced[i] for i in missing], inputs, forcing.forward, forcing.pad_id,
                                  image_keys)
        for index, weights in zip(missing, found, strict=True):
            kept[keys[index]] = weights
    answers = []
    for key in keys:
        kept.move_to_end(key)
        answers.append(kept[key])
    while len(kept) > PASSES_KEPT:
        kept.popitem(last=False)
    return answers
