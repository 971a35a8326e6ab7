"""A catalogue built for the review-queue tests: AI drafts with known confidences and caption vectors
(unit vectors along chosen axes, so "like" and "unlike" the approved captions are known exactly)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.models import Library, Photo, PhotoStatus
from desktop_app.search.vector_store import CAPTIONS, store_vectors, text_hash
from desktop_app.services.review import APPROVE, Change, review

MODEL = "test/text-embedder"
DIMENSION = 8


@dataclass(frozen=True)
class Sample:
    name: str
    confidence: float | None
    axis: int | None  # the caption's vector: the unit vector of this axis (None: no vector)
    approved: bool = False


def axis_vector(axis: int, lean: float = 0.0) -> np.ndarray:
    """A unit vector along ``axis``, leaning towards the next axis by ``lean`` (0: exactly on it)."""
    vector = np.zeros(DIMENSION, np.float32)
    vector[axis] = 1.0
    vector[(axis + 1) % DIMENSION] = lean
    return vector / np.linalg.norm(vector)


def build(catalogue: Catalogue, samples: list[Sample], root: str = "/photos",
          captioner_id: str = "encoder-decoder") -> dict[str, int]:
    """Photos NAME.jpg with an AI draft each (text "a photo of NAME"), its vector, and the approved ones
    approved; photo ids by name."""
    with catalogue.write() as session:
        library = Library(root=root, name="queue")
        session.add(library)
        session.flush()
        ids: dict[str, int] = {}
        captions: list[tuple[int, str, int]] = []
        for sample in samples:
            photo = Photo(library_id=library.id, rel_path=f"{sample.name}.jpg", status=PhotoStatus.OK)
            session.add(photo)
            session.flush()
            text = f"a photo of {sample.name}"
            caption = store_ai_caption(session, AICaption(photo=photo, text=text, model_id="tiny",
                                                          confidence=sample.confidence),
                                       captioner_id=captioner_id)
            session.flush()
            ids[sample.name] = photo.id
            if sample.axis is not None:
                captions.append((caption.id, text, sample.axis))
    if captions:
        store_vectors(catalogue, CAPTIONS, MODEL,
                      [(caption_id, text_hash(text)) for caption_id, text, _ in captions],
                      np.stack([axis_vector(axis) for _id, _text, axis in captions]))
    for sample in samples:
        if sample.approved:
            review(catalogue, str(ids[sample.name]), Change(APPROVE), author="setup")
    return ids
