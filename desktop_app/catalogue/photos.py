"""Finding and listing photos with their current captions: the queries the CLI and the GUI share."""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, case, func, select, true
from sqlalchemy.orm import Session, aliased, selectinload

from desktop_app.catalogue import roots as mapped  # this machine's folders of the libraries
from desktop_app.catalogue import text_index
from desktop_app.catalogue.flags import flags_confirmed, needs_second_look
from desktop_app.catalogue.fts import SEARCHED_KINDS
from desktop_app.catalogue.keywords import keyword_photo_ids, named_term_ids
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    CaptionOrigin,
    KeywordState,
    Library,
    Photo,
    PhotoKeyword,
    PhotoStatus,
    ReviewState,
    label_key,
)
from desktop_app.query_language import And, parse
from desktop_app.query_language import Term as Word

NO_CAPTION = "none"  # the "state" filter value for photos without any caption


class PhotoNotFoundError(KeyError):
    """No photo matches what the user gave; ``str()`` is the one-line message."""

    def __str__(self) -> str:
        return str(self.args[0])


class LibraryNotFoundError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def display_path(path: str) -> str:
    """A path fit for a terminal or a label: undecodable bytes shown as U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def absolute_path(root: str, rel_path: str) -> str:
    """A photo's path on this machine from its library's canonical root (mapped: catalogue/roots.py)."""
    return mapped.join(root, rel_path)


@dataclass(frozen=True)
class PhotoListing:
    """A photo row with its library root and its current caption, for lists and JSON output."""

    id: int
    library_id: int
    root: str
    rel_path: str
    status: PhotoStatus
    error: str | None
    format: str | None
    width: int | None
    height: int | None
    date_taken: datetime | None
    content_hash: str | None
    caption_id: int | None
    caption: str | None
    caption_origin: CaptionOrigin | None
    caption_state: ReviewState | None
    captioner_id: str | None
    confidence: float | None
    notice: str | None
    caption_updated_at: datetime | None
    alt_text: str | None = None  # the current alt text (any review state)

    @property
    def path(self) -> str:
        return absolute_path(self.root, self.rel_path)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (``photos --json``): add keys, never rename or remove them."""
        return {
            "id": self.id,
            "path": self.path,
            "library": self.root,
            "status": self.status.value,
            "error": self.error,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "date_taken": self.date_taken.isoformat() if self.date_taken else None,
            "caption": self.caption,
            "caption_origin": self.caption_origin.value if self.caption_origin else None,
            "caption_state": self.caption_state.value if self.caption_state else None,
            "captioner": self.captioner_id,
            "confidence": self.confidence,
            "caption_notice": self.notice,
            "alt_text": self.alt_text,
        }


class ReviewFilter(enum.StrEnum):
    """Which photos to show, by their current caption or their file."""

    NEEDS_REVIEW = "needs-review"  # a current caption nobody has approved or rejected yet
    AI_DRAFT = "ai-draft"  # the current caption is a model's, unreviewed
    APPROVED = "approved"
    REJECTED = "rejected"
    EDITED = "edited"  # a person wrote or changed the current caption
    NO_CAPTION = "none"
    ERRORS = "errors"  # the file cannot be read
    MISSING = "missing"  # the file is gone from disk
    FLAGGED = "flagged"  # the current caption is a draft with flags for a second look (catalogue/flags.py)


class SortKey(enum.StrEnum):
    NAME = "name"  # library, then path (natural order: "img2" before "IMG10")
    DATE_TAKEN = "date-taken"
    CONFIDENCE = "confidence"  # the current caption's
    CHANGED = "changed"  # when the current caption last changed
    RELEVANCE = "relevance"  # best keyword match first; name order without a search


@dataclass(frozen=True)
class PhotoQuery:
    """What a photo list shows: the CLI's `photos` options and the GUI's sidebar, filters and search."""

    library_id: int | None = None
    folder: str | None = None  # a folder inside the library ("a/b", "/"-separated): it and below
    status: PhotoStatus | None = None
    state: ReviewState | str | None = None  # the current caption's review state, or NO_CAPTION
    review: ReviewFilter | None = None
    captioner: str | None = None  # the current caption's captioner id
    text: str | None = None  # keyword search over the photo's caption texts
    # Only these photos (a semantic or hybrid search's results); with SortKey.RELEVANCE, in this order.
    photo_ids: tuple[int, ...] | None = None
    # Photos with each of these terms (ids; AND), or a term below it in its hierarchy, as a keyword in
    # ``keyword_state`` (accepted unless given): `photos --keyword`, the app's Keywords panel.
    keyword_terms: tuple[int, ...] = ()
    # Without keyword_terms: photos with any keyword in this state (suggested: to review).
    keyword_state: KeywordState | None = None
    sort: SortKey = SortKey.NAME
    descending: bool = False
    limit: int | None = None
    offset: int = 0  # rows skipped first (a page of the HTTP API)


def _listing_columns(current: Any) -> list[Any]:
    return [Photo.id, Photo.library_id, Library.root, Photo.rel_path, Photo.status, Photo.error,
            Photo.format, Photo.width, Photo.height, Photo.date_taken, Photo.content_hash,
            current.id, current.text, current.origin, current.state, current.captioner_id,
            current.confidence, current.notice, current.updated_at]


def _current_of_kind(select_: Select[Any], kind: CaptionKind) -> tuple[Select[Any], Any]:
    """``select_`` outer-joined with each photo's current caption of ``kind`` (an alias, returned too)."""
    caption = aliased(Caption)
    return select_.outerjoin(caption, and_(caption.photo_id == Photo.id, caption.is_current == true(),
                                           caption.kind == kind)), caption


def _grid_columns(current: Any) -> list[Any]:
    # What a grid cell shows, and no more: at 100k rows every column costs (the root comes apart).
    return [Photo.id, Photo.library_id, Photo.rel_path, Photo.content_hash, Photo.status, Photo.error,
            current.state, current.text, current.origin, current.captioner_id, current.confidence,
            needs_second_look(current)]  # the Flagged badge


def list_photos(session: Session, query: PhotoQuery | None = None) -> Iterator[PhotoListing]:
    """The photos ``query`` selects, with their current caption (the description) and current alt text;
    streamed for big catalogues."""
    select_ = _selection(session, query or PhotoQuery(), _listing_columns)
    if select_ is not None:
        select_, alt = _current_of_kind(select_, CaptionKind.ALT_TEXT)
        select_ = select_.add_columns(alt.text)
        for values in session.execute(select_.execution_options(yield_per=1000)):
            yield PhotoListing(*values)


def grid_rows(session: Session, query: PhotoQuery) -> Iterator[tuple[Any, ...]]:
    """The same photos as list_photos, as lean tuples for a grid: (id, library id, rel_path,
    content_hash, status, error, caption state, caption text, origin, captioner, confidence, flagged: a
    draft with flags for a second look, or NULL/false)."""
    select_ = _selection(session, query, _grid_columns)
    if select_ is not None:
        # Core execution: plain rows, without the ORM's per-row bookkeeping.
        yield from session.connection().execute(select_.execution_options(yield_per=2000))


def review_candidates(session: Session, library_id: int | None = None, *,
                      confidence: tuple[float | None, float | None] | None = None,
                      unscored: bool | None = None) -> Iterator[tuple[Any, ...]]:
    """The photos needing review (ReviewFilter.NEEDS_REVIEW), lowest confidence first (none last), then in
    name order, as lean tuples for the review queue (services/review_queue.py): (photo id, caption id,
    confidence, captioner, library id, rel_path, caption revision). ``confidence``: only captions with
    low <= confidence < high (a bound None: open); ``unscored``: only captions without a confidence."""
    shown: list[Any] = []

    def columns(current: Any) -> list[Any]:
        shown.append(current)
        return [Photo.id, current.id, current.confidence, current.captioner_id, Photo.library_id,
                Photo.rel_path, current.revision]

    query = PhotoQuery(library_id=library_id, review=ReviewFilter.NEEDS_REVIEW, sort=SortKey.CONFIDENCE)
    select_ = _selection(session, query, columns)
    assert select_ is not None  # no search: always a selection
    current = shown[0]
    low, high = confidence or (None, None)
    if low is not None:
        select_ = select_.where(current.confidence >= low)
    if high is not None:
        select_ = select_.where(current.confidence < high)
    if unscored:
        select_ = select_.where(current.confidence.is_(None))
    yield from session.connection().execute(select_.execution_options(yield_per=5000))


def library_roots(session: Session) -> dict[int, str]:
    return {library_id: root for library_id, root in session.execute(select(Library.id, Library.root))}


def path_under(root: str) -> Callable[[str], str]:
    """absolute_path(root, ·) for many photos of one library, without re-joining the root each time."""
    prefix = os.path.join(mapped.local_root(root), "")
    if os.sep == "/":
        return lambda rel_path: prefix + rel_path
    return lambda rel_path: prefix + rel_path.replace("/", os.sep)


def _selection(session: Session, query: PhotoQuery, columns: Callable[[Any], list[Any]],
               indexed: bool = False) -> Select[Any] | None:
    """The SELECT of ``columns`` for the photos ``query`` picks, in its order; None when it can match
    nothing (a search without a single word). ``indexed``: join the current caption on ``is_current = 1``,
    the partial index's condition (a page past an offset; IS 1 builds an index per query on SQLite)."""
    current = aliased(Caption)
    is_current = current.is_current == true() if indexed else current.is_current.is_(True)
    select_ = (
        select(*columns(current))
        .join(Library, Library.id == Photo.library_id)
        .outerjoin(current, and_(current.photo_id == Photo.id, is_current,
                                 current.kind == CaptionKind.DESCRIPTION))
    )
    rank = None
    if query.library_id is not None:
        select_ = select_.where(Photo.library_id == query.library_id)
    if query.folder:
        prefix = query.folder.strip("/") + "/"
        # rel_path >= prefix AND < prefix with its last character raised: an index range, and no
        # LIKE wildcards to escape in folder names.
        select_ = select_.where(Photo.rel_path >= prefix, Photo.rel_path < prefix[:-1] + "0")
    if query.status is not None:
        select_ = select_.where(Photo.status == query.status)
    if query.state == NO_CAPTION:
        select_ = select_.where(current.id.is_(None))
    elif query.state is not None:
        select_ = select_.where(current.state == ReviewState(query.state))
    if query.review is not None:
        select_ = select_.where(_review_condition(query.review, current))
    if query.captioner:
        select_ = select_.where(current.captioner_id == query.captioner)
    states = (query.keyword_state or KeywordState.ACCEPTED,)
    for term_id in dict.fromkeys(query.keyword_terms):
        select_ = select_.where(Photo.id.in_(keyword_photo_ids(term_id, states)))
    if query.keyword_state is not None and not query.keyword_terms:
        select_ = select_.where(Photo.id.in_(keyword_photo_ids(None, states)))
    if query.photo_ids is not None:
        if not query.photo_ids:
            return None
        select_ = select_.where(Photo.id.in_(query.photo_ids))
        rank = case({photo_id: number for number, photo_id in enumerate(query.photo_ids)}, value=Photo.id)
    if query.text is not None:
        # The last word a prefix while it is typed; FTS5's or PostgreSQL's expression (text_index).
        expression = text_index.translate(session, query.text, typing=True)
        if expression is None:
            return None
        matches = _keyword_matches(session, expression, named_term_ids(_as_label(query.text)))
        select_ = select_.join(matches, matches.c.photo_id == Photo.id)
        rank = matches.c.rank
    select_ = select_.order_by(*_order(query, current, rank))
    if query.limit is not None:
        select_ = select_.limit(query.limit)
    return select_.offset(query.offset) if query.offset else select_


def _review_condition(review: ReviewFilter, current: Any) -> Any:
    if review is ReviewFilter.NEEDS_REVIEW:
        return and_(current.state == ReviewState.DRAFT, Photo.status != PhotoStatus.MISSING)
    if review is ReviewFilter.AI_DRAFT:
        return and_(current.state == ReviewState.DRAFT, current.origin == CaptionOrigin.AI)
    if review is ReviewFilter.APPROVED:
        return current.state == ReviewState.APPROVED
    if review is ReviewFilter.REJECTED:
        return current.state == ReviewState.REJECTED
    if review is ReviewFilter.EDITED:
        return current.origin == CaptionOrigin.HUMAN
    if review is ReviewFilter.NO_CAPTION:
        return current.id.is_(None)
    if review is ReviewFilter.ERRORS:
        return Photo.status == PhotoStatus.ERROR
    if review is ReviewFilter.FLAGGED:
        return needs_second_look(current)
    return Photo.status == PhotoStatus.MISSING


def _keyword_matches(session: Session, expression: str, terms: Select[Any] | None = None) -> Any:
    """Photo ids whose current captions of the searched kinds (the description, the alt text) match,
    with their best bm25 rank; and the photos with an accepted keyword among ``terms`` (or a narrower
    one), ranked as the best caption match (search/keyword_terms.py reads any query so; the grid, a
    query that is one label)."""
    hits = text_index.ranked_captions(session, expression).subquery()
    found = (
        select(Caption.photo_id.label("photo_id"), hits.c.rank.label("rank"))
        .join(hits, hits.c.caption_id == Caption.id)
        .where(Caption.is_current.is_(True), Caption.kind.in_(SEARCHED_KINDS))
    )
    if terms is not None:
        ranked = text_index.ranked_captions(session, expression).subquery()
        best = select(func.min(ranked.c.rank)).scalar_subquery()
        found = found.union_all(keyword_photo_ids(terms).add_columns(func.coalesce(best, -1.0)))
    rows = found.subquery()
    return select(rows.c.photo_id, func.min(rows.c.rank).label("rank")).group_by(rows.c.photo_id).subquery()


def _as_label(text: str) -> str:
    """The query as a keyword label: one word or "phrase", or plain words; "" for anything else."""
    node = parse(text)
    if isinstance(node, Word) and not node.prefix:
        return node.text
    if isinstance(node, And) and all(isinstance(part, Word) and not (part.phrase or part.prefix)
                                     for part in node.children):
        return " ".join(part.text for part in node.children)  # type: ignore[union-attr]
    return ""


def _order(query: PhotoQuery, current: Any, rank: Any) -> list[Any]:
    """ORDER BY terms: the chosen key (photos without a value last, either way), then name order
    (natural, case-insensitive: the stored Photo.name_key; the exact path breaks ties so the order is
    always the same)."""
    name = [Library.root, Photo.name_key, Photo.rel_path]
    key = {
        SortKey.DATE_TAKEN: Photo.date_taken,
        SortKey.CONFIDENCE: current.confidence,
        SortKey.CHANGED: current.updated_at,
        SortKey.RELEVANCE: rank,
    }.get(query.sort)
    if key is None:
        return [column.desc() for column in name] if query.descending else name
    if query.sort is SortKey.RELEVANCE:
        return [key, *name]  # bm25: lower is better
    return [key.is_(None), key.desc() if query.descending else key, *name]


def list_folders(session: Session, library_id: int) -> list[tuple[str, int]]:
    """The library's folders that hold photos, directly or below, with their photo counts."""
    counts: dict[str, int] = {}
    for (rel_path,) in session.execute(
        select(Photo.rel_path).where(Photo.library_id == library_id).execution_options(yield_per=5000)
    ):
        folder, _, _name = rel_path.rpartition("/")
        while folder:
            counts[folder] = counts.get(folder, 0) + 1
            folder = folder.rpartition("/")[0]
    return sorted(counts.items(), key=lambda entry: [part.lower() for part in entry[0].split("/")])


@dataclass(frozen=True)
class LibrarySummary:
    """A library with its photo counts: the app's sidebar and `library list`."""

    id: int
    name: str
    root: str
    photos: int
    errors: int
    missing: int
    last_scan_at: datetime | None
    watch: dict[str, Any] | None = None  # its watch settings (services/libraries.WatchSettings), if watched

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "root": self.root, "photos": self.photos,
                "errors": self.errors, "missing": self.missing,
                "last_scan_at": self.last_scan_at.isoformat() if self.last_scan_at else None}


def library_summaries(session: Session) -> list[LibrarySummary]:
    """Every library with its counts, by name."""
    def count_of(status: PhotoStatus) -> Any:
        return func.coalesce(func.sum(case((Photo.status == status, 1), else_=0)), 0)

    query = (
        select(Library.id, Library.name, Library.root, func.count(Photo.id),
               count_of(PhotoStatus.ERROR), count_of(PhotoStatus.MISSING), Library.last_scan_at,
               Library.watch)
        .outerjoin(Photo, Photo.library_id == Library.id)
        .group_by(Library.id)
        .order_by(func.lower(Library.name), Library.id)
    )
    return [LibrarySummary(*values) for values in session.execute(query)]




def find_library(session: Session, ref: str) -> Library:
    """A library by id or by (any path inside) its root folder."""
    if ref.isdigit():
        library = session.get(Library, int(ref))
        if library:
            return library
    target = str(Path(ref).expanduser().resolve())
    libraries = session.scalars(select(Library)).all()
    for library in libraries:
        if mapped.within(target, mapped.local_root(library.root)) or target == library.root:
            return library
    if ref.isdigit() and not os.path.exists(ref):
        raise LibraryNotFoundError(f"no library with id {ref} (`photo-annotator library list` lists them)")
    raise LibraryNotFoundError(f"no library at {display_path(ref)}; scan it first")


def resolve_folder(session: Session, folder: str,
                   library: Library | None = None) -> tuple[Library, str | None]:
    """Where a folder option points, as (its library, the folder inside it, "/"-separated; None for the
    library's root folder): the one way every command and the app read a folder.

    ``folder`` is a path on disk (absolute, or relative to the current directory), or a path inside
    ``library`` when given, else inside the one library that holds photos under it. LibraryNotFoundError
    (one line) when it is none of these."""
    on_disk = Path(folder).expanduser()
    inside = folder.replace(os.sep, "/").strip("/").removeprefix("./")
    if not on_disk.is_absolute():
        if library is not None and _has_folder(session, library, inside):
            return library, inside or None
        if not on_disk.exists():
            holders = [each for each in session.scalars(select(Library).order_by(Library.id))
                       if _has_folder(session, each, inside)] if library is None else []
            if len(holders) == 1:
                return holders[0], inside or None
            if holders:
                roots = ", ".join(display_path(each.root) for each in holders)
                raise LibraryNotFoundError(f"folder {display_path(folder)} is in several libraries "
                                           f"({roots}); name the library, or give the folder's full path")
            where = f"library {display_path(library.root)}" if library is not None else "any library"
            raise LibraryNotFoundError(f"no folder {display_path(folder)} in {where}")
    target = str(on_disk.resolve())
    holder = library or find_library(session, target)
    here = mapped.local_root(holder.root)
    root = here.rstrip(os.sep) + os.sep
    if target != here and not target.startswith(root):
        raise LibraryNotFoundError(f"{display_path(folder)} is not in library {display_path(holder.root)}")
    relative = target[len(root):].replace(os.sep, "/") if target != here else ""
    return holder, relative or None


def _has_folder(session: Session, library: Library, inside: str) -> bool:
    """Whether ``inside`` ("a/b", "" for the root) is a folder of the library: on disk or in the catalogue
    (the photos of a folder gone from disk are still listed, as missing)."""
    if not inside or ".." in inside.split("/"):
        return not inside
    if os.path.isdir(absolute_path(library.root, inside)):
        return True
    prefix = inside + "/"
    return session.scalar(select(Photo.id).where(Photo.library_id == library.id, Photo.rel_path >= prefix,
                                                 Photo.rel_path < prefix[:-1] + "0").limit(1)) is not None


def readable_photo_ids_under(session: Session, folder: str) -> list[int]:
    """Ids of the photos with status ok in ``folder`` (a library root or a folder inside one)."""
    library, inside = resolve_folder(session, folder)
    prefix = f"{inside}/" if inside else ""
    rows = session.execute(
        select(Photo.id, Photo.rel_path)
        .where(Photo.library_id == library.id, Photo.status == PhotoStatus.OK)
        .order_by(Photo.rel_path)
    )
    return [photo_id for photo_id, rel_path in rows if rel_path.startswith(prefix)]


def find_photo(session: Session, ref: str) -> Photo:
    """A photo by id or by its path (absolute, or relative to the current folder)."""
    if ref.isdigit() and not os.path.exists(ref):
        photo = session.get(Photo, int(ref))
        if photo is None:
            raise PhotoNotFoundError(f"no photo with id {ref}")
        return photo
    target = _real(ref)
    for library in session.scalars(select(Library)).all():
        root = mapped.local_root(library.root).rstrip(os.sep) + os.sep
        if target.startswith(root):
            rel_path = target[len(root):].replace(os.sep, "/")
            photo = session.scalar(
                select(Photo).where(Photo.library_id == library.id, Photo.rel_path == rel_path)
            )
            if photo is not None:
                return photo
    raise PhotoNotFoundError(f"{display_path(ref)} is not in the catalogue; scan its folder first")


def photo_with_history(session: Session, photo_id: int) -> Photo:
    """A photo with its library, captions and their revisions loaded (for `show` and the GUI)."""
    photo = session.scalar(
        select(Photo)
        .where(Photo.id == photo_id)
        .options(
            selectinload(Photo.library),
            selectinload(Photo.captions).selectinload(Caption.revisions),
            selectinload(Photo.keywords).selectinload(PhotoKeyword.term),
        )
    )
    if photo is None:
        raise PhotoNotFoundError(f"no photo with id {photo_id}")
    return photo


def photo_json(photo: Photo) -> dict[str, Any]:
    """Everything about a photo (``show --json``): metadata, all captions, each with its history."""
    return {
        "id": photo.id,
        "path": absolute_path(photo.library.root, photo.rel_path),
        "library": photo.library.root,
        "status": photo.status.value,
        "error": photo.error,
        "size": photo.size,
        "content_hash": photo.content_hash,
        "format": photo.format,
        "width": photo.width,
        "height": photo.height,
        "orientation": photo.orientation,
        "date_taken": photo.date_taken.isoformat() if photo.date_taken else None,
        "camera_make": photo.camera_make,
        "camera_model": photo.camera_model,
        "gps": (
            {"latitude": photo.gps_latitude, "longitude": photo.gps_longitude,
             "altitude": photo.gps_altitude}
            if photo.gps_latitude is not None else None
        ),
        "captions": [_caption_json(caption) for caption in photo.captions],
        # The accepted keywords (what write-back and exports carry); `tags show` has them all.
        "keywords": sorted((k.term.label for k in photo.keywords if k.state is KeywordState.ACCEPTED),
                           key=label_key),
        "file_fields": photo.file_fields or {},  # title, headline, creator, rights, persons, location
    }


def _caption_json(caption: Caption) -> dict[str, Any]:
    return {
        "id": caption.id,
        "kind": caption.kind.value,
        "current": caption.is_current,
        "revision": caption.revision,  # the newest revision's number: what a review action is based on
        "text": caption.text,
        "origin": caption.origin.value,
        "state": caption.state.value,
        "captioner": caption.captioner_id,
        "model": caption.model_id,
        "model_revision": caption.model_revision,
        "prompt": caption.prompt,
        "confidence": caption.confidence,
        "notice": caption.notice,
        "token_scores": caption.token_scores,
        # What to check before approving: [{rule, category, start, end, text, reason}] (catalogue/flags.py).
        "flags": caption.flags or [],
        "flags_confirmed": flags_confirmed(caption) if caption.flags else False,  # asked once per text
        "author": caption.author,
        "created_at": caption.created_at.isoformat(),
        "updated_at": caption.updated_at.isoformat(),
        "history": [
            {
                "revision": revision.number,
                "action": revision.action.value,
                "text": revision.text,
                "state": revision.state.value,
                "origin": revision.origin.value,
                "author": revision.author,
                "db_role": revision.db_role,  # the database role that wrote it (PostgreSQL)
                "note": revision.note,
                "flags": revision.flags or [],
                "at": revision.created_at.isoformat(),
            }
            for revision in caption.revisions
        ],
    }


def _real(ref: str) -> str:
    """Absolute path with the folder's symlinks resolved (library roots are stored resolved)."""
    path = Path(ref).expanduser().absolute()
    try:
        parent = path.parent.resolve()
    except OSError:
        parent = path.parent
    return str(parent / path.name)
