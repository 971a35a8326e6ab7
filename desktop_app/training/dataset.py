"""Training data from the catalogue: the approved (photo, caption) pairs, their train/validation split,
and a torch Dataset of decoded photos with their captions.

The split is by a hash of each photo's id (and the seed), not by shuffling the list: a photo stays on
its side when photos are added or removed, so a validation loss stays comparable between runs and
the evaluation (training.evaluate) scores exactly the photos the trainer held out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import PhotoStatus, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, list_photos

MIN_PAIRS = 2  # one to train on, one to validate with


class TrainingDataError(Exception):
    """Not enough (or unusable) training data; the message says what to do."""


@dataclass(frozen=True)
class Pair:
    photo_id: int
    path: str  # absolute path of the photo file
    caption: str  # the photo's current, approved caption


def approved_pairs(catalogue: Catalogue, library_ids: Sequence[int] | None = None) -> list[Pair]:
    """The current approved caption of every readable photo (of these libraries), by photo id."""
    queries = [PhotoQuery(library_id=library_id, status=PhotoStatus.OK, state=ReviewState.APPROVED)
               for library_id in (library_ids if library_ids else [None])]
    pairs: dict[int, Pair] = {}
    with catalogue.read() as session:
        for query in queries:
            for photo in list_photos(session, query):
                if photo.caption and photo.caption.strip():
                    pairs[photo.id] = Pair(photo.id, photo.path, photo.caption.strip())
    return [pairs[photo_id] for photo_id in sorted(pairs)]


def split_key(photo_id: int, seed: int = 0) -> float:
    """A photo's place in [0, 1), fixed by its id and the seed."""
    digest = hashlib.sha256(f"{seed}:{photo_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split(pairs: Sequence[Pair], validation_share: float = 0.1,
          seed: int = 0) -> tuple[list[Pair], list[Pair]]:
    """(train, validation): a photo is in validation when its split_key is under ``validation_share``.

    With two pairs or more, each side gets at least one (the photo nearest the boundary moves), so a
    small set still has a validation loss.
    """
    if not 0 <= validation_share < 1:
        raise ValueError(f"validation share must be in [0, 1), not {validation_share}")
    keyed = sorted(pairs, key=lambda pair: (split_key(pair.photo_id, seed), pair.photo_id))
    cut = sum(1 for pair in keyed if split_key(pair.photo_id, seed) < validation_share)
    if len(keyed) >= MIN_PAIRS:
        cut = min(max(cut, 1), len(keyed) - 1)
    validation_ids = {pair.photo_id for pair in keyed[:cut]}
    ordered = sorted(pairs, key=lambda pair: pair.photo_id)
    return ([pair for pair in ordered if pair.photo_id not in validation_ids],
            [pair for pair in ordered if pair.photo_id in validation_ids])


def check_enough(pairs: Sequence[Pair], where: str = "the catalogue") -> None:
    if len(pairs) < MIN_PAIRS:
        raise TrainingDataError(
            f"{len(pairs)} approved caption{'s' if len(pairs) != 1 else ''} in {where}; fine-tuning needs "
            f"at least {MIN_PAIRS} (approve captions in the app, or `photo-annotator approve`)"
        )


class PhotoCaptionDataset:
    """Decoded upright RGB photos (EXIF orientation applied, at most ``max_side`` pixels a side) with
    their captions; ``collate`` (from the trainer's model family) turns a batch into model inputs.

    A torch ``Dataset`` by protocol (``__len__``/``__getitem__``): torch is not imported here.
    """

    def __init__(self, pairs: Sequence[Pair], max_side: int | None = None) -> None:
        self.pairs = list(pairs)
        self.max_side = max_side

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[Any, str]:
        pair = self.pairs[index]
        return load_photo(pair.path, self.max_side), pair.caption


def load_photo(path: str, max_side: int | None = None) -> Any:
    """The photo at ``path`` as the captioners see it; a one-line TrainingDataError if unreadable."""
    from desktop_app.library.images import UnsupportedImageError, decode, open_image

    try:
        with open(path, "rb") as stream:
            return decode(open_image(stream), max_side)
    except (OSError, UnsupportedImageError) as exc:
        raise TrainingDataError(f"cannot read {path}: {exc}; rescan the library or unapprove the photo") \
            from exc
