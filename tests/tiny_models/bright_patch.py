"""A tiny ViT + GPT-2 captioning model built so that one region drives what it writes: its decoder's
cross-attention goes to the brightest patches of the photo, whatever the word.

- The ViT's layers pass their input through unchanged (their output projections are zero), position
  embeddings are zero, and the patch embedding writes each patch's mean brightness b (-1 black .. 1
  white after the processor's normalisation) along a direction v, plus a constant along u (v and u
  orthogonal, zero-mean): after the final LayerNorm a patch's component along v grows with b.
- Every GPT-2 cross-attention layer's keys are that component and its queries a constant: attention
  logits proportional to patch brightness, so every head of every layer looks at the bright patches.
"""

from __future__ import annotations

from pathlib import Path

from tests.tiny_models.vision_encoder_decoder import vit_gpt2

QUERY_STRENGTH = 5.0
CONSTANT = 0.1  # u's weight: keeps LayerNorm from erasing b's sign and size


def bright_patch_vit_gpt2(folder: Path, image_size: int = 32, patch_size: int = 8,
                          query_strength: float = QUERY_STRENGTH) -> Path:
    """The model in ``folder``; a bigger ``image_size`` / ``patch_size`` ratio gives a finer patch grid
    and a smaller ``query_strength`` spreads the attention over more of the bright parts (the README's
    heatmap screenshot)."""
    import torch
    from transformers import VisionEncoderDecoderModel

    plain = vit_gpt2(folder.with_name(folder.name + "-plain"), image_size=image_size, patch_size=patch_size)
    model = VisionEncoderDecoderModel.from_pretrained(plain)
    hidden = model.config.encoder.hidden_size
    v = torch.tensor([(-1.0) ** i for i in range(hidden)])  # + - + - ...
    u = torch.tensor([1.0 if i % 4 < 2 else -1.0 for i in range(hidden)])  # + + - - ...
    with torch.no_grad():
        embeddings = model.encoder.embeddings
        projection = embeddings.patch_embeddings.projection  # Conv2d(3, hidden, patch, stride=patch)
        pixels = projection.weight[0].numel()
        projection.weight.copy_(v[:, None, None, None].expand_as(projection.weight) / pixels)
        projection.bias.copy_(CONSTANT * u)
        embeddings.position_embeddings.zero_()
        embeddings.cls_token.copy_((-v + CONSTANT * u)[None, None])  # as dark as the darkest patch
        for layer in model.encoder.layers:
            for output in (layer.attention.o_proj, layer.mlp.fc2):
                output.weight.zero_()
                output.bias.zero_()
        for block in model.decoder.transformer.h:
            cross = block.crossattention
            cross.q_attn.weight.zero_()
            cross.q_attn.bias.fill_(query_strength)
            # Conv1D: y = x @ W + b; the first `hidden` outputs are the keys: (x . v) / hidden in each.
            cross.c_attn.weight[:, :hidden] = torch.outer(v, torch.ones(hidden)) / hidden
            cross.c_attn.bias[:hidden] = 0
    model.save_pretrained(folder)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                 "preprocessor_config.json"):
        source = plain / name
        if source.exists():
            (folder / name).write_bytes(source.read_bytes())
    return folder
