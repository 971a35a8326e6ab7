"""A transformers captioner written against the public plugin API alone, as a third party would, on a
tiny real model: the helpers (load_config, supported_model_type, load_pretrained, load_model,
config_file), TransformersCaptioner's scoring, stopping and options."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest

from desktop_app.plugin_api import (
    CaptionerKind,
    CaptionInterrupted,
    InputKind,
    ModelLoadError,
    OptionSpec,
    TokenScore,
    TransformersCaptioner,
    config_file,
    load_config,
    load_model,
    load_pretrained,
    supported_model_type,
)
from tests import photo_files


class ThirdPartyCaptioner(TransformersCaptioner):
    id = "third-party"
    name = "Third-party captions"
    description = "A captioner from outside the app."
    kind = CaptionerKind.CAPTION
    default_model = "someone/vit-gpt2"
    inputs: ClassVar[frozenset[InputKind]] = frozenset({InputKind.PHOTO})
    options: ClassVar[tuple[OptionSpec, ...]] = (
        *TransformersCaptioner.options,
        OptionSpec("style", str, "plain", "How to write.", choices=("plain", "shouting")),
    )

    def _load(self, source: str, revision: str | None, device: str, dtype: Any) -> None:
        from transformers import AutoImageProcessor, AutoTokenizer, VisionEncoderDecoderModel

        supported_model_type(load_config(source, revision), source,
                             {"vision-encoder-decoder": "ViT + GPT-2"}, "the third-party captioner")
        self.image_processor = load_pretrained(AutoImageProcessor, source, revision)
        self.tokenizer = load_pretrained(AutoTokenizer, source, revision)
        self.network = load_model(VisionEncoderDecoderModel, source, revision, device, dtype)

    def _inputs(self, images: list[Any], settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        pixels = self.image_processor(images=images, return_tensors="pt").pixel_values
        return {"pixel_values": pixels.to(self.device, self.dtype)}, None

    def _clean(self, text: str) -> str:
        return text.upper() if self.style == "shouting" else text

    def caption(self, images, options):
        self.style = {**self.option_defaults(), **options}["style"]
        return super().caption(images, options)


def test_a_third_party_transformers_captioner_captions_with_scores(vit_gpt2_folder: Path) -> None:
    assert config_file(str(vit_gpt2_folder))["model_type"] == "vision-encoder-decoder"
    captioner = ThirdPartyCaptioner(model=str(vit_gpt2_folder))
    captioner.load("cpu", "float32")
    plain, = captioner.caption([photo_files.picture(64, 48)], {"max_new_tokens": 8})
    loud, = captioner.caption([photo_files.picture(64, 48)], {"max_new_tokens": 8, "style": "shouting"})
    assert plain.text and loud.text == plain.text.upper() and plain.model_id == str(vit_gpt2_folder)
    assert plain.token_scores and all(isinstance(t, TokenScore) and 0 < t.probability <= 1
                                      for t in plain.token_scores)
    captioner.unload()


def test_options_are_checked_against_their_choices() -> None:
    captioner = ThirdPartyCaptioner()
    style = captioner.options[-1]
    assert captioner.check_option(style, "plain") is None
    assert captioner.check_option(style, "whisper") == "style must be one of plain, shouting, not 'whisper'"
    assert captioner.option_defaults()["style"] == "plain"


def test_a_stop_request_interrupts_generation(vit_gpt2_folder: Path) -> None:
    captioner = ThirdPartyCaptioner(model=str(vit_gpt2_folder))
    captioner.load("cpu", "float32")
    captioner.interrupt = lambda: True
    with pytest.raises(CaptionInterrupted):
        captioner.caption([photo_files.picture(64, 48)], {"max_new_tokens": 8})


def test_a_model_of_another_type_is_refused_in_one_line(tmp_path: Path) -> None:
    other = tmp_path / "not-a-ved"
    other.mkdir()
    (other / "config.json").write_text('{"model_type": "llama"}')
    with pytest.raises(ModelLoadError) as failure:
        ThirdPartyCaptioner(model=str(other)).load("cpu", None)
    assert str(failure.value) == (f"the third-party captioner cannot use {other}: its model type is 'llama'; "
                                  "supported model types: vision-encoder-decoder (ViT + GPT-2)")
