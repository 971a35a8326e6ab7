"""Photo listings and one photo in full, as the command line (`photos`, `show`) and the HTTP API ask for
them: the same filters, read the same way (a library by folder or id, a folder on disk or inside the
library, keyword terms by label or synonym), the same sort, and pages with their total."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.keywords import accepted_labels, resolve_term
from desktop_app.catalogue.models import (
    CaptionRevision,
    KeywordState,
    Photo,
    PhotoKeywordRevision,
    PhotoStatus,
)
from desktop_app.catalogue.photos import (
    PhotoListing,
    PhotoQuery,
    ReviewFilter,
    SortKey,
    _selection,  # the one SELECT of a listing's photos: a total counts the very same rows
    absolute_path,
    find_library,
    find_photo,
    list_photos,
    photo_json,
    photo_with_history,
    resolve_folder,
)

if TYPE_CHECKING:
    from desktop_app.library.thumbnails import ThumbnailCache

FLAGGED = ReviewFilter.FLAGGED.value


class FilterError(ValueError):
    """Filters that cannot go together; one line says why."""


@dataclass(frozen=True)
class PhotoFilters:
    """A listing's filters and sort as a person gives them (`photos` options, API query parameters):
    names and labels, read by :func:`photo_query`."""

    library: str | None = None  # its folder or its id
    folder: str | None = None  # a path on disk, or a folder inside the library
    status: str | None = None  # PhotoStatus
    state: str | None = None  # a review state of the current caption, or "none"
    review: str | None = None  # ReviewFilter
    flagged: bool = False  # the same as review "flagged"
    captioner: str | None = None
    text: str | None = None  # words the captions hold
    terms: tuple[str, ...] = ()  # keyword labels or synonyms, all required
    vocab: str | None = None  # the vocabulary of ``terms``
    keyword_state: str | None = None  # KeywordState
    sort: str = SortKey.NAME.value
    descending: bool = False


def photo_query(session: Session, filters: PhotoFilters, *, limit: int | None = None,
                offset: int = 0) -> PhotoQuery:
    """The catalogue query ``filters`` describe (LibraryNotFoundError, KeywordError, FilterError and
    ValueError for a value that is none of the choices)."""
    review = filters.review
    if filters.flagged and review not in (None, FLAGGED):
        raise FilterError(f"flagged and review {review} cannot be combined: choose one")
    review = FLAGGED if filters.flagged else review
    chosen = find_library(session, filters.library) if filters.library else None
    inside = None
    if filters.folder:
        chosen, inside = resolve_folder(session, filters.folder, chosen)
    return PhotoQuery(
        library_id=chosen.id if chosen else None, folder=inside,
        status=PhotoStatus(filters.status) if filters.status else None,
        state=filters.state, review=ReviewFilter(review) if review else None, captioner=filters.captioner,
        text=filters.text,
        keyword_terms=tuple(resolve_term(session, term, filters.vocab).id for term in filters.terms),
        keyword_state=KeywordState(filters.keyword_state) if filters.keyword_state else None,
        sort=SortKey(filters.sort), descending=filters.descending, limit=limit, offset=offset)


def listing(session: Session, filters: PhotoFilters, limit: int | None = None) -> Iterator[PhotoListing]:
    """The photos ``filters`` select, streamed (``photos``)."""
    return list_photos(session, photo_query(session, filters, limit=limit))


def count_photos(session: Session, query: PhotoQuery) -> int:
    """How many photos ``query`` selects, its limit and offset aside."""
    select_ = _selection(session, replace(query, limit=None, offset=0),
                         lambda _current: [func.count(Photo.id)], indexed=True)
    return (session.scalar(select_.order_by(None)) or 0) if select_ is not None else 0


def _stamp(session: Session) -> tuple[int | None, ...]:
    """What changes whenever a listing's total may have: photos added, removed, gone missing or
    unreadable, and any caption or keyword revision (each an index lookup: well under a millisecond)."""
    return tuple(session.scalar(statement) for statement in (
        select(func.count()).select_from(Photo), select(func.max(Photo.id)),
        select(func.count()).where(Photo.status == PhotoStatus.MISSING),
        select(func.count()).where(Photo.status == PhotoStatus.ERROR),
        select(func.max(CaptionRevision.id)), select(func.max(PhotoKeywordRevision.id))))


class Totals:
    """The totals of recent listings, each kept while the catalogue's photos, captions and keywords do
    not change: a client paging through 100,000 photos pays for the count once, not per page. Safe to
    share between threads."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._known: OrderedDict[PhotoQuery, tuple[tuple[int | None, ...], int]] = OrderedDict()

    def total(self, session: Session, query: PhotoQuery) -> int:
        key = replace(query, limit=None, offset=0, sort=SortKey.NAME, descending=False)
        stamp = _stamp(session)
        with self._lock:
            known = self._known.get(key)
            if known is not None and known[0] == stamp:
                self._known.move_to_end(key)
                return known[1]
        total = count_photos(session, key)
        with self._lock:
            self._known[key] = (stamp, total)
            while len(self._known) > self._size:
                self._known.popitem(last=False)
        return total


@dataclass(frozen=True)
class PhotoPage:
    """One page of a listing: its photos (``photos --json``'s objects, with their accepted keywords),
    where it starts, and how many photos the whole listing has."""

    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int

    def to_json(self) -> dict[str, Any]:
        return {"total": self.total, "limit": self.limit, "offset": self.offset, "items": self.items}


def photo_page(catalogue: Catalogue, filters: PhotoFilters, *, limit: int, offset: int = 0,
               totals: Totals | None = None) -> PhotoPage:
    """Photos ``offset`` to ``offset + limit`` of the listing, in its order (the name order ends with the
    exact path, so pages never overlap nor skip a photo), read in one transaction with the total
    (``totals``: kept from an earlier page while nothing changed)."""
    with catalogue.read() as session:
        query = photo_query(session, filters, limit=limit, offset=offset)
        # The page's ids first (an index walk past ``offset``), then only those rows in full: deep pages
        # skip ids, not joined rows.
        chosen = _selection(session, query, lambda _current: [Photo.id], indexed=True)
        ids = tuple(session.scalars(chosen)) if chosen is not None else ()
        rows = list(list_photos(session, PhotoQuery(photo_ids=ids, sort=SortKey.RELEVANCE)))
        labels = accepted_labels(session, list(ids))
        total = totals.total(session, query) if totals is not None else count_photos(session, query)
    return PhotoPage([{**row.to_json(), "keywords": labels.get(row.id, [])} for row in rows], total, limit,
                     offset)


def photo_record(catalogue: Catalogue, ref: str) -> dict[str, Any]:
    """Everything about the photo ``ref`` names (a path or an id): `show --json`."""
    with catalogue.read() as session:
        found = find_photo(session, ref)
        return photo_json(photo_with_history(session, found.id))


@dataclass(frozen=True)
class PhotoFile:
    """Where a photo's file is and what the thumbnail cache knows it by."""

    photo_id: int
    path: str
    content_hash: str | None
    format: str | None


def photo_file(catalogue: Catalogue, photo_id: int) -> PhotoFile:
    with catalogue.read() as session:
        photo = find_photo(session, str(photo_id))
        return PhotoFile(photo.id, absolute_path(photo.library.root, photo.rel_path), photo.content_hash,
                         photo.format)


def thumbnail_for(catalogue: Catalogue, photo_id: int, cache: ThumbnailCache | None = None) -> Path | None:
    """The JPEG thumbnail of the photo (made into the thumbnail cache when it is not there yet); None
    when the photo's file is gone or cannot be decoded (PhotoNotFoundError when there is no photo)."""
    from desktop_app.library.images import UnsupportedImageError, open_image
    from desktop_app.library.thumbnails import ThumbnailCache
    from desktop_app.settings import load_settings

    cache = cache or ThumbnailCache(size=load_settings().library.thumbnail_size)
    found = photo_file(catalogue, photo_id)
    if found.content_hash and cache.has(found.content_hash):
        return cache.path_for(found.content_hash)
    if not found.content_hash or not Path(found.path).is_file():
        return None
    try:
        with open(found.path, "rb") as stream:
            return cache.make(found.content_hash, open_image(stream))
    except (OSError, UnsupportedImageError, ValueError):
        return None


def existing_photo_ids(catalogue: Catalogue, photo_ids: Sequence[int]) -> set[int]:
    """Which of ``photo_ids`` are photos of the catalogue."""
    found: set[int] = set()
    ids = list(dict.fromkeys(photo_ids))
    with catalogue.read() as session:
        for start in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            found.update(session.scalars(select(Photo.id).where(Photo.id.in_(ids[start:start + 900]))))
    return found
