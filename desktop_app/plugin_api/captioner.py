"""The captioner contract: what a plugin's captioner object offers and what one call returns.

A captioner is cheap to construct (no weights, no torch import). ``load(device, dtype)`` does the
heavy work and ``unload()`` frees it; ``caption(images, options)`` captions a batch. The engine owns
batching, devices, caching and errors; a captioner only turns decoded, upright RGB images into text.
Version 1 of the plugin API also reserves two optional extension points, with defaults that change
nothing: ``prepare`` (CPU preprocessing on the engine's decode threads) and ``attention``. Version 1.1
adds ``caption_kind``: which of a photo's captions the text is (default: its description). Version 1.3
adds ``word_attention``: where the model looked for one word of a text (default: it cannot say).
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image

    from desktop_app.plugin_api.explain import AttentionMap


class CaptionerKind(enum.StrEnum):
    CAPTION = "caption"
    PRODUCT_DESCRIPTION = "product-description"
    MEDICAL_REPORT = "medical-report"


# What a captioner's text can be (Captioner.caption_kind): the catalogue's caption kinds. A photo has one
# current caption of each, with its own history and review.
CAPTION_KINDS = ("description", "alt-text", "extended-description")


class InputKind(enum.StrEnum):
    """What a captioner accepts: ordinary photos, and/or DICOM medical images."""

    PHOTO = "photo"
    DICOM = "dicom"


@dataclass(frozen=True)
class OptionSpec:
    """One option a captioner understands, for `--help`-style listings and the settings dialog."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple[Any, ...] = ()


@dataclass(frozen=True)
class TokenScore:
    """One generated token and the probability the model gave it: low values mark unsure words."""

    token: str
    probability: float


@dataclass(frozen=True)
class CaptionResult:
    """One image's caption. ``seconds`` is the compute time spent on this image: its share of its
    batch's model work (putting the inputs together and moving them to the device, generating,
    decoding the text) plus its own preprocessing (the time ``prepare`` spent on it on a decode
    thread, or its share of the processing ``caption`` did for images handed over unprepared); the
    built-in captioners count both. Waiting (for the disk, for a decode thread) is not counted."""

    text: str
    confidence: float | None  # e.g. the mean token probability, 0..1
    model_id: str
    model_revision: str | None
    prompt: str | None
    seconds: float  # see above: model work shared over the batch, plus the image's own preparation
    token_scores: tuple[TokenScore, ...] = field(default_factory=tuple)
    notice: str | None = None  # stored with the caption and shown with it everywhere


class CaptionInterrupted(Exception):
    """Raised by ``caption`` when ``interrupt`` asked it to stop: the batch has no results."""


class Captioner(ABC):
    """Base class of every captioner. Subclasses set the class attributes and the three methods.

    The construction contract: a plugin registers one instance, and the engine builds each captioner
    it loads afresh as ``type(instance)(model=...)`` (one per model and device), so the class must be
    constructible with the ``model`` keyword alone, cheaply (no weights, no torch import), and the
    result must caption with that model. An instance pickles by class and model (``__reduce__``), so
    that another process can rebuild it the same way; a pickled copy is not loaded. Registration
    checks both and refuses a plugin that fails either (``photo-annotator plugins`` says why).
    """

    id: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str]
    kind: ClassVar[CaptionerKind]
    default_model: ClassVar[str]
    default_revision: ClassVar[str | None] = None
    inputs: ClassVar[frozenset[InputKind]] = frozenset({InputKind.PHOTO})
    options: ClassVar[tuple[OptionSpec, ...]] = ()
    # The engine shrinks images to at most this many pixels a side before captioning (JPEGs then
    # decode at a reduced scale); about twice the model's input size. None: full size.
    max_image_side: ClassVar[int | None] = None
    # True when ``attention`` returns maps (the default returns None).
    supports_attention: ClassVar[bool] = False
    # Which of a photo's captions the text is stored as (plugin API 1.1), one of CAPTION_KINDS:
    # "description" (the default), "alt-text" (IPTC Alt Text (Accessibility), at most 250 characters) or
    # "extended-description". A model's draft never replaces a caption of that kind a person wrote or
    # approved; it is kept beside it.
    caption_kind: ClassVar[str] = "description"

    def __init__(self, model: str | None = None, revision: str | None = None) -> None:
        """``model``: a hub id or a local folder (default: ``default_model``)."""
        self.model = model or self.default_model
        self.revision = revision if model else (revision or self.default_revision)
        # Set by the engine while a batch runs: a long ``caption`` call should poll it (transformers
        # captioners do at every generated token) and raise CaptionInterrupted once it returns True,
        # so a cancel or pause takes effect within about a second. Optional: a captioner that never
        # polls is stopped between batches.
        self.interrupt: Callable[[], bool] | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # By class and model, through the construction contract: never the weights or a running state.
        return _rebuilt, (type(self), self.model, self.revision)

    @abstractmethod
    def load(self, device: str, dtype: str | None) -> None:
        """Load the weights onto ``device`` ("cuda", "mps", "cpu"...) in ``dtype`` ("bfloat16"...)."""

    @abstractmethod
    def unload(self) -> None:
        """Free the weights; ``load`` may be called again later."""

    @abstractmethod
    def caption(self, images: Sequence[Any], options: dict[str, Any]) -> list[CaptionResult]:
        """Caption a batch of upright RGB images (or what ``prepare`` made of them); one result per
        image, in order. Callers other than the engine (evaluation, scripts) pass images: a captioner
        whose ``prepare`` does work accepts both (the built-in ones prepare such images here)."""

    # -- optional extension points (plugin API version 1) ----------------------------------------------

    def prepare(self, images: list[Image.Image], options: dict[str, Any]) -> Sequence[Any]:
        """CPU preprocessing of a batch, which the engine runs on its decode threads (while the model
        works on the previous batch) before handing the result to ``caption``: one entry per image,
        in order, each usable alone (the engine may split a batch). It must not touch the model or
        the device; it may run while ``caption`` runs on another batch. Default: the images as they
        are. When it raises, the engine retries image by image and fails only the image that fails.
        The built-in captioners run their Hugging Face processor here (resize, normalise, tiling)."""
        return images

    def attention(self, image: Image.Image, text: str, options: dict[str, Any]) -> np.ndarray | None:
        """Where the model looked on ``image`` for ``text`` (for explanations): a 2-D float array over
        the image's patch grid (rows, columns), finite, non-negative, summing to about 1; None when
        the captioner cannot say. Called on a loaded captioner, never while its ``caption`` runs.
        Default: None (``supports_attention`` False)."""
        return None

    def word_attention(self, images: Sequence[Image.Image], texts: Sequence[str],
                       spans: Sequence[tuple[int, int]],
                       options: dict[str, Any]) -> list[AttentionMap | None]:
        """Where the model looked on each image when it wrote one word of its text (plugin API 1.3):
        ``spans[i]`` is the word's (start, end) characters in ``texts[i]``; the answer is an
        ``AttentionMap`` for the model's tokens overlapping it, read from one teacher-forced pass over
        the whole text, or None where the captioner cannot say. Each image's map is the same alone as
        in a batch. ``options`` are the captioning options the text was written with, plus "method":
        "auto" (default), "cross-attention" or "gradient". Called on a loaded captioner, never while
        its ``caption`` runs. Default: None for every image (the built-in transformers captioners
        answer for VisionEncoderDecoder, BLIP and Florence-2 models)."""
        return [None] * len(images)

    def option_defaults(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.options}

    def check_option(self, spec: OptionSpec, value: Any) -> str | None:
        """Why ``value`` is not accepted for option ``spec`` (None: it is), checked before a job is
        queued. By default a value must be one of the spec's choices, when it has any; a captioner
        whose accepted values depend on its model (``self.model``) says so here."""
        if spec.choices and value not in spec.choices:
            return f"{spec.name} must be one of {', '.join(map(str, spec.choices))}, not {value!r}"
        return None

    def describe(self) -> dict[str, Any]:
        """The captioner as `photo-annotator plugins --json` shows it."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "kind": self.kind.value,
            "caption_kind": self.caption_kind,
            "default_model": self.default_model,
            "default_revision": self.default_revision,
            "inputs": sorted(kind.value for kind in self.inputs),
            "options": [
                {"name": s.name, "type": s.type.__name__, "default": s.default, "help": s.help,
                 "choices": list(s.choices)}
                for s in self.options
            ],
        }


def _rebuilt(cls: type[Captioner], model: str, revision: str | None) -> Captioner:
    """A pickled captioner, rebuilt by the construction contract."""
    captioner = cls(model=model)
    captioner.revision = revision
    return captioner
