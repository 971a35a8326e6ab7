"""A catalogue built for the review-queue tests: AI drafts with known confidences and caption vectors
(unit vectors along chosen axes, so "like" and "unlike" the approved captions are known exactly)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import add_caption, set_review_state
from desktop_app.catalogue.models import CaptionOrigin, Library, Photo, PhotoStatus, ReviewState
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.search.vector_store import CAPTIONS, store_vectors, text_hash
from desktop_app.services.review import APPROVE, Change, review
from tests import photo_files

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
    """Photos NAME.jpg (catalogue rows only) with an AI draft each (text "a photo of NAME"), its vector, and
    the approved ones approved; photo ids by name."""
    with catalogue.write() as session:
        library = Library(root=root, name="queue")
        session.add(library)
        session.flush()
        photos = [Photo(library_id=library.id, rel_path=f"{sample.name}.jpg", status=PhotoStatus.OK)
                  for sample in samples]
        session.add_all(photos)
        session.flush()
        ids = {sample.name: photo.id for sample, photo in zip(samples, photos, strict=True)}
    caption(catalogue, ids, samples, captioner_id)
    return ids


def build_files(catalogue: Catalogue, scanner: Scanner, folder: Path, samples: list[Sample],
                captioner_id: str = "encoder-decoder") -> dict[str, int]:
    """As ``build``, with real JPEG files in ``folder``, scanned (the app shows them)."""
    for number, sample in enumerate(samples):
        photo_files.jpeg(folder / f"{sample.name}.jpg", seed=number)
    scanner.scan(folder)
    with catalogue.read() as session:
        ids = {sample.name: find_photo(session, str(folder / f"{sample.name}.jpg")).id for sample in samples}
    caption(catalogue, ids, samples, captioner_id)
    return ids


def caption(catalogue: Catalogue, ids: dict[str, int], samples: list[Sample], captioner_id: str) -> None:
    """Each sample's photo gets its AI draft, vector and approval (see ``build``)."""
    captions: list[tuple[int, str, int]] = []
    with catalogue.write() as session:
        for sample in samples:
            text = f"a photo of {sample.name}"
            photo = session.get(Photo, ids[sample.name])
            stored = store_ai_caption(session, AICaption(photo=photo, text=text, model_id="tiny",
                                                         confidence=sample.confidence),
                                      captioner_id=captioner_id)
            session.flush()
            if sample.axis is not None:
                captions.append((stored.id, text, sample.axis))
    if captions:
        store_vectors(catalogue, CAPTIONS, MODEL,
                      [(caption_id, text_hash(text)) for caption_id, text, _ in captions],
                      np.stack([axis_vector(axis) for _id, _text, axis in captions]))
    for sample in samples:
        if sample.approved:
            review(catalogue, str(ids[sample.name]), Change(APPROVE), author="setup")


CAR_COLOURS = {"red": (220, 30, 30), "blue": (30, 40, 220), "white": (245, 245, 245), "black": (10, 10, 10)}


def approved_cars(root: Path, scanner: Scanner, catalogue: Catalogue) -> None:
    """Eight photos in ``root``, two of each colour, captioned "a COLOUR car" by a person and approved:
    what fine-tuning learns from in the follow-up tests."""
    from PIL import Image

    colours = list(CAR_COLOURS)
    names = {f"{colours[number % 4]}{number}.jpg": colours[number % 4] for number in range(8)}
    for name, colour in names.items():
        photo_files.save(Image.new("RGB", (48, 40), CAR_COLOURS[colour]), root / name, quality=95)
    scanner.scan(root)
    with catalogue.write() as session:
        for name, colour in names.items():
            photo = find_photo(session, str(root / name))
            add_caption(session, photo, f"a {colour} car", origin=CaptionOrigin.HUMAN, author="ana")
            set_review_state(session, photo, ReviewState.APPROVED, author="bo")
