"""The embedder contract: turns caption text (and, for image-text models, photos) into vectors.

Vectors are L2-normalised so that one matrix product ranks by cosine similarity. Like a captioner,
an embedder is cheap to construct and does its heavy work in ``load()``.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    import numpy as np
    from PIL import Image


class Modality(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"


class Embedder(ABC):
    id: ClassVar[str]
    name: ClassVar[str]
    description: ClassVar[str]
    default_model: ClassVar[str]
    dimension: ClassVar[int]
    modalities: ClassVar[frozenset[Modality]] = frozenset({Modality.TEXT})

    def __init__(self, model: str | None = None) -> None:
        self.model = model or self.default_model

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
