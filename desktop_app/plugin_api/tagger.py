"""The tagger contract: suggests keywords from the library's own vocabularies for photos, from their
caption text, their pixels, or both, each suggestion with a score and the words that triggered it.

Like a captioner, a tagger is cheap to construct and does its heavy work in ``load()``. The app hands
it the vocabulary once per run (``set_vocabulary``) with a cache of label vectors kept in the catalogue
per model, so each label is embedded once per model, ever; then batches of photos (``suggest``).
Suggestions are never applied by the tagger: the app stores them as suggested keywords and leaves every
keyword a person decided (accepted, rejected) as it is.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image


class TaggerInput(enum.StrEnum):
    CAPTION = "caption"  # the photo's current description (and its stored text vector, when there is one)
    PIXELS = "pixels"  # the photo itself, decoded


@dataclass(frozen=True)
class VocabularyTerm:
    """A term a tagger may suggest: its id, its labels (the preferred one first, then its synonyms) and
    the preferred labels above it in its hierarchy, top first (context; may be empty)."""

    term_id: int
    labels: tuple[str, ...]
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagItem:
    """One photo to tag. ``caption``: its current description, if any. ``caption_vector``: that text's
    vector stored by `embed` with the tagger's ``caption_vector_model`` (None when not stored: the
    tagger embeds the text itself). ``image``: the decoded photo, for taggers that take pixels."""

    photo_id: int
    caption: str | None = None
    caption_vector: np.ndarray | None = None
    image: Image.Image | None = None


@dataclass(frozen=True)
class Suggestion:
    """A term suggested for a photo: ``score`` in 0..1, comparable with the tagger's threshold, and the
    ``evidence``: the words or labels that triggered it ("dog", "a dog running")."""

    term_id: int
    score: float
    evidence: tuple[str, ...] = ()


class LabelVectors(Protocol):
    """The catalogue's cache of label vectors. ``vectors(key, labels, embed)`` returns an (n, d) float32
    array, one L2-normalised row per label, calling ``embed`` only for labels not cached under ``key``
    (a model id, plus whatever else changes the vectors, such as a prompt template)."""

    def vectors(self, key: str, labels: Sequence[str],
                embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray: ...


class Tagger(ABC):
    """Base class of every tagger. The construction contract is the captioner's: the app builds the
    tagger it loads as ``type(instance)(model=...)``, and an instance pickles by class and model."""

    id: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str]
    default_model: ClassVar[str | None] = None
    inputs: ClassVar[frozenset[TaggerInput]] = frozenset({TaggerInput.CAPTION})
    # The score a suggestion needs, calibrated by the plugin on labelled data; users may override it.
    default_threshold: ClassVar[float] = 0.5
    default_top_n: ClassVar[int] = 10

    def __init__(self, model: str | None = None) -> None:
        self.model = model or self.default_model

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.model)

    @property
    def caption_vector_model(self) -> str | None:
        """The embedder model whose stored caption vectors this tagger can use (None: it uses none)."""
        return None

    @abstractmethod
    def load(self, device: str) -> None:
        """Load the weights onto ``device``."""

    @abstractmethod
    def unload(self) -> None:
        """Free the weights."""

    @abstractmethod
    def set_vocabulary(self, terms: Sequence[VocabularyTerm], cache: LabelVectors) -> None:
        """The terms to suggest from in this run (after ``load``); embed their labels through ``cache``."""

    @abstractmethod
    def suggest(self, items: Sequence[TagItem], *, top_n: int, threshold: float) -> list[list[Suggestion]]:
        """For each item, at most ``top_n`` suggestions scoring at least ``threshold``, best first."""

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "description": self.description,
            "default_model": self.default_model, "inputs": sorted(i.value for i in self.inputs),
            "default_threshold": self.default_threshold, "default_top_n": self.default_top_n,
        }


def _rebuilt(cls: type[Tagger], model: str | None) -> Tagger:
    return cls(model=model)
