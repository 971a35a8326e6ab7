"""Draft chest X-ray findings from PNG, JPEG or DICOM images, for research use.

The default model, ``IAMJB/chexpert-mimic-cxr-findings-baseline`` (a Swin/ViT encoder with a small
BERT decoder, trained on CheXpert Plus and MIMIC-CXR reports), is a VisionEncoderDecoder model, so
the encoder-decoder captioner does the work; this one adds what a report needs:

- DICOM as well as photos. The engine decodes DICOM with its modality and VOI LUT (windowing) and
  inverts MONOCHROME1, so the model sees the image as a viewer shows it.
- Greyscale input. X-rays are single-channel, and the model's ViT image processor normalises three
  channels (ImageNet mean and std) and fails on one; images are given to it as RGB, the grey value
  in all three channels, as the model was trained.
- Generation as the model's authors run it: decoding starts from ``[CLS]`` and stops at ``[SEP]``
  when the model's own generation settings name no start or end token (a BERT tokenizer has no
  end-of-text token), and reports up to 128 tokens long.
- Readable text. The tokenizer lowercases and splits punctuation, so decoded reports read
  "heart size normal ( 1 / 1 ) - there ' s no effusion"; MIMIC-CXR's de-identification mark
  ``___`` comes back as "_ _ _". Both are tidied and sentences capitalised.
- Every report carries ``NOTICE``: stored with the caption and shown wherever it is shown.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any, ClassVar

from desktop_app.plugin_api import CaptionerKind, CaptionResult, InputKind, OptionSpec, hookimpl
from plugins.encoder_decoder import EncoderDecoderCaptioner

NOTICE = (
    "AI-generated draft report for research use only; not for diagnosis; "
    "must be reviewed by a qualified clinician."
)

_CLOSING = re.compile(r"\s+([.,;:!?)\]%])")
_OPENING = re.compile(r"([(\[])\s+")
_APOSTROPHE = re.compile(r"(?<=\w) ' (?=\w)")
_JOINER = re.compile(r"(?<=\w) ([/-]) (?=\w)")
_DECIMAL = re.compile(r"(?<=\d)\. (?=\d)")
_PLACEHOLDER = re.compile(r"(?<=_) (?=_)")
_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-z])")


def tidy_report(text: str) -> str:
    """Report text as a person would write it, from a lowercasing, punctuation-splitting tokenizer."""
    text = " ".join(text.split())
    text = _PLACEHOLDER.sub("", text)
    text = _CLOSING.sub(r"\1", text)
    text = _OPENING.sub(r"\1", text)
    text = _APOSTROPHE.sub("'", text)
    text = _JOINER.sub(r"\1", text)
    text = _DECIMAL.sub(".", text)
    return _SENTENCE_START.sub(lambda match: match.group(1) + match.group(2).upper(), text)


class MedicalReportCaptioner(EncoderDecoderCaptioner):
    id = "medical-report"
    name = "Medical report (research draft)"
    description = (
        "Draft chest X-ray findings from PNG, JPEG or DICOM images, each marked as an AI-generated "
        "draft for research use, not for diagnosis."
    )
    kind = CaptionerKind.MEDICAL_REPORT
    default_model = "IAMJB/chexpert-mimic-cxr-findings-baseline"
    inputs = frozenset({InputKind.PHOTO, InputKind.DICOM})
    options: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec("max_new_tokens", int, 128, "Longest report, in tokens."),
        OptionSpec("num_beams", int, 1, "Beam search width (1: greedy, fastest)."),
    )

    def __init__(self, model: str | None = None, revision: str | None = None) -> None:
        super().__init__(model, revision)
        self._token_ids: dict[str, int] = {}

    def _load(self, source: str, revision: str | None, device: str, dtype: Any) -> None:
        super()._load(source, revision, device, dtype)
        self._token_ids = generation_token_ids(self.network.generation_config, self.tokenizer)

    def _unload_parts(self) -> None:
        super()._unload_parts()
        self._token_ids = {}

    def _pixel_values(self, processor: Any, images: list[Any]) -> Any:
        # The engine hands over RGB; other callers may pass greyscale ("L", "I;16") X-rays.
        rgb = [image if image.mode == "RGB" else image.convert("RGB") for image in images]
        return super()._pixel_values(processor, rgb)

    def _generation_extras(self, settings: dict[str, Any]) -> dict[str, Any]:
        return dict(self._token_ids)

    def _clean(self, text: str) -> str:
        return tidy_report(text)

    def caption(self, images: Sequence[Any], options: dict[str, Any]) -> list[CaptionResult]:
        return [dataclasses.replace(result, notice=NOTICE) for result in super().caption(images, options)]


def generation_token_ids(generation_config: Any, tokenizer: Any) -> dict[str, int]:
    """Start, end and padding tokens for generate: the model's own, else its BERT tokenizer's.

    A BERT decoder is trained on "[CLS] report [SEP]": it starts from [CLS] and ends with [SEP].
    """
    def first(*values: int | None) -> int | None:
        return next((value for value in values if value is not None), None)

    chosen = {
        "decoder_start_token_id": first(generation_config.decoder_start_token_id, tokenizer.cls_token_id),
        "eos_token_id": first(generation_config.eos_token_id, tokenizer.eos_token_id, tokenizer.sep_token_id),
        "pad_token_id": first(generation_config.pad_token_id, tokenizer.pad_token_id),
    }
    return {name: value for name, value in chosen.items() if value is not None}


@hookimpl
def register_captioners(register):  # type: ignore[no-untyped-def]
    register(MedicalReportCaptioner())
