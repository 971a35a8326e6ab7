"""The embedder contract: turns caption text (and, for image-text models, photos) into vectors.

Vectors are L2-normalised so that one matrix product ranks by cosine similarity. Like a captioner,
an embedder is cheap to construct and does its heavy work in ``load()``.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

from desktop_app.errors import isolated, one_line

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image


class Modality(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"


class Embedder(ABC):
    """Base class of every embedder. The construction contract is the captioner's: the app builds the
    embedder it loads as ``type(instance)(model=...)``, and an instance pickles by class and model."""

    id: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str]
    default_model: ClassVar[str]
    dimension: ClassVar[int]
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.TEXT})

    def __init__(self, model: str | None = None) -> None:
        self.model = model or self.default_model

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.model)

    @abstractmethod
    def load(self, device: str) -> None:
        """Load the weights onto ``device``."""

    @abstractmethod
    def unload(self) -> None:
        """Free the weights."""

    @abstractmethod
    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """An (n, dimension) float32 array of L2-normalised vectors, one row per text."""

    def embed_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        """For image-text embedders: vectors of photos in the same space as ``embed_texts``."""
        raise NotImplementedError(f"embedder {self.id} embeds text only")

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "default_model": self.default_model,
            "dimension": self.dimension,
            "modalities": sorted(m.value for m in self.modalities),
        }


class EmbedderError(Exception):
    """An embedder plugin failed while loading or embedding; ``str()`` is one line saying why."""


# The plugin's own messages that already tell the user what to do (a model not downloaded, a folder
# that is not a model): shown as they are, without the exception's type.
def _advice_types() -> tuple[type[BaseException], ...]:
    from desktop_app.plugin_api.hf import ModelLoadError, ModelNotAvailableError

    return ModelNotAvailableError, ModelLoadError


@contextmanager
def plugin_failures(embedder: Embedder, doing: str) -> Iterator[None]:
    """Any failure of an embedder's own code, ``SystemExit`` and other BaseExceptions included, as one
    EmbedderError: a plugin cannot end or crash a search. Ctrl+C still stops."""
    try:
        yield
    except EmbedderError:
        raise
    except BaseException as caught:
        exc = isolated(caught)  # Ctrl+C goes on up
        advice = isinstance(exc, _advice_types())
        reason = str(exc) if advice else f"{type(caught).__name__}: {one_line(caught)}"
        raise EmbedderError(f"embedder {embedder.id} failed while {doing}: {reason}") from caught


def load_embedder(prototype: Embedder, model: str | None, device: str) -> Embedder:
    """A new, loaded embedder of ``prototype``'s class (``model`` instead of its default); any failure,
    torch's import included, is an EmbedderError. ``device``: as the user gave it (auto, cpu, cuda...)."""
    from desktop_app.plugin_api.hf import resolve_device

    with plugin_failures(prototype, f"loading {model or prototype.default_model}"):
        embedder = type(prototype)(model=model)
        embedder.load(resolve_device(device))
    return embedder


def _rebuilt(cls: type[Embedder], model: str) -> Embedder:
    """A pickled embedder, rebuilt by the construction contract."""
    return cls(model=model)
