"""The classic encoder-decoder captioner: a vision encoder (ViT, Swin...) feeding a text decoder
(GPT-2, BERT...), through transformers' VisionEncoderDecoderModel. Any such model works."""

from __future__ import annotations

from typing import Any

from desktop_app.plugin_api import CaptionerKind, TransformersCaptioner, hookimpl, load_model, load_pretrained


class EncoderDecoderCaptioner(TransformersCaptioner):
    id = "encoder-decoder"
    name = "Encoder-decoder captions"
    description = "Short captions from any VisionEncoderDecoder model (e.g. ViT + GPT-2)."
    kind = CaptionerKind.CAPTION
    default_model = "nlpconnect/vit-gpt2-image-captioning"
    max_image_side = 448  # ViT encoders see 224 px

    def _load(self, source: str, revision: str | None, device: str, dtype: Any) -> None:
        from transformers import AutoImageProcessor, AutoTokenizer, VisionEncoderDecoderModel

        self.image_processor = load_pretrained(AutoImageProcessor, source, revision)
        self.tokenizer = load_pretrained(AutoTokenizer, source, revision)
        self.network = load_model(VisionEncoderDecoderModel, source, revision, device, dtype)

    def _unload_parts(self) -> None:
        self.image_processor = None

    def _inputs(self, images: list[Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        pixels = self.image_processor(images=images, return_tensors="pt").pixel_values
        return {"pixel_values": pixels.to(self.device, self.dtype)}, None


@hookimpl
def register_captioners(register):  # type: ignore[no-untyped-def]
    register(EncoderDecoderCaptioner())
