"""The classic encoder-decoder captioner: a vision encoder (ViT, Swin...) feeding a text decoder
(GPT-2, BERT...), through transformers' VisionEncoderDecoderModel. Any such model works.

It implements the plugin API's ``attention``: the decoder's cross-attention over the encoder's image
patches while it reads a given text; and, through ``_teacher_forcing``, ``word_attention``: the same
for one word of the text.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from desktop_app.plugin_api import (
    CaptionerKind,
    TeacherForcing,
    TransformersCaptioner,
    eager_attention,
    hookimpl,
    load_model,
    load_pretrained,
)

if TYPE_CHECKING:
    import numpy as np


class EncoderDecoderCaptioner(TransformersCaptioner):
    id = "encoder-decoder"
    name = "Encoder-decoder captions"
    description = "Short captions from any VisionEncoderDecoder model (e.g. ViT + GPT-2)."
    kind = CaptionerKind.CAPTION
    default_model = "nlpconnect/vit-gpt2-image-captioning"
    max_image_side = 448  # ViT encoders see 224 px
    supports_attention = True

    def _load(self, source: str, revision: str | None, device: str, dtype: Any) -> None:
        from transformers import AutoImageProcessor, AutoTokenizer, VisionEncoderDecoderModel

        self.image_processor = load_pretrained(AutoImageProcessor, source, revision)
        self.tokenizer = load_pretrained(AutoTokenizer, source, revision)
        self.network = load_model(VisionEncoderDecoderModel, source, revision, device, dtype)

    def _unload_parts(self) -> None:
        self.image_processor = None

    def _preprocessor(self) -> Any:
        return getattr(self, "image_processor", None)

    def _image_inputs(self, processor: Any, image: Any,
                      settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        return {"pixel_values": self._pixel_values(processor, [image])}, None

    def _inputs(self, images: list[Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        return self._batch_inputs(images, settings)

    def _pixel_values(self, processor: Any, images: list[Any]) -> Any:
        return processor(images=images, return_tensors="pt").pixel_values

    def _teacher_forcing(self, settings: dict[str, Any]) -> TeacherForcing:
        config = self.network.config
        # Where generation starts: the model's settings, else (a BERT decoder) [CLS], else its BOS.
        extras = self._generation_extras(settings)
        starts = (extras.get("decoder_start_token_id"), getattr(config, "decoder_start_token_id", None),
                  self.network.generation_config.decoder_start_token_id,
                  getattr(self.tokenizer, "cls_token_id", None), config.decoder.bos_token_id)
        start = next(value for value in starts if value is not None)
        pads = (getattr(config, "pad_token_id", None), self.tokenizer.pad_token_id, start)
        pad = next(value for value in pads if value is not None)

        def forward(inputs: dict[str, Any], ids: Any, mask: Any, attentions: bool) -> tuple[Any, Any]:
            with eager_attention(self.network, attentions):
                output = self.network(pixel_values=inputs["pixel_values"], decoder_input_ids=ids,
                                      decoder_attention_mask=mask, output_attentions=attentions)
            return output.logits, output.cross_attentions if attentions else None

        return TeacherForcing(self.tokenizer, [start], pad, forward, self.image_processor,
                              patch=int(getattr(config.encoder, "patch_size", 16) or 16))

    def attention(self, image: Any, text: str, options: dict[str, Any]) -> np.ndarray | None:
        """The decoder's cross-attention over the image's patches while it reads ``text`` (teacher
        forced), averaged over layers, heads and the text's tokens: a (rows, columns) grid summing to
        1. None for an empty text, or an encoder whose output is not a square grid of patches (with
        or without a leading CLS token)."""
        import torch

        if not self.loaded:
            raise RuntimeError(f"captioner {self.id} is not loaded")
        ids = self.tokenizer(text, return_tensors="pt", add_special_tokens=False).input_ids
        if ids.shape[1] == 0:
            return None
        config = self.network.config
        start = config.decoder_start_token_id
        if start is None:
            start = config.decoder.bos_token_id
        decoder_ids = torch.cat([torch.tensor([[start]]), ids], dim=1).to(self.device)
        inputs, _prompt = self._inputs([image], {**self.option_defaults(), **options})
        implementation = config._attn_implementation
        self.network.set_attn_implementation("eager")  # SDPA computes no attention weights to return
        try:
            with torch.inference_mode():
                output = self.network(**inputs, decoder_input_ids=decoder_ids, output_attentions=True)
        finally:
            self.network.set_attn_implementation(implementation)
        # Per layer (batch, heads, positions, encoder tokens); position i predicts the text's token i.
        weights = torch.stack(output.cross_attentions)[:, 0, :, :ids.shape[1], :].float().mean(dim=(0, 1, 2))
        return _patch_grid(weights.cpu().numpy())


def _patch_grid(weights: np.ndarray) -> np.ndarray | None:
    """Attention over the encoder's tokens as a square grid of patches, renormalised to sum to 1."""
    for skip in (0, 1):  # ViT-style encoders put a CLS token before the patches
        count = weights.size - skip
        side = math.isqrt(count)
        if count > 0 and side * side == count:
            grid = weights[skip:].reshape(side, side)
            total = float(grid.sum())
            return grid / total if total > 0 else None
    return None


@hookimpl
def register_captioners(register):  # type: ignore[no-untyped-def]
    register(EncoderDecoderCaptioner())
