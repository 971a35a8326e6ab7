"""Finding and listing photos with their current captions: the queries the CLI and the GUI share."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session, aliased, selectinload

from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    Library,
    Photo,
    PhotoStatus,
    ReviewState,
)

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
    return os.path.join(root, *rel_path.split("/"))


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
        }


def listing_query() -> tuple[Select[Any], Any]:
    current = aliased(Caption)
    query = (
        select(
            Photo.id, Photo.library_id, Library.root, Photo.rel_path, Photo.status, Photo.error,
            Photo.format, Photo.width, Photo.height, Photo.date_taken, Photo.content_hash,
            current.id, current.text, current.origin, current.state, current.captioner_id,
            current.confidence, current.notice,
        )
        .join(Library, Library.id == Photo.library_id)
        .outerjoin(current, and_(current.photo_id == Photo.id, current.is_current.is_(True)))
    )
    return query, current


def list_photos(
    session: Session,
    *,
    library: Library | None = None,
    status: PhotoStatus | None = None,
    state: ReviewState | str | None = None,
    limit: int | None = None,
) -> Iterator[PhotoListing]:
    """Photos in library, then path order, with their current caption; streamed for big catalogues."""
    query, current = listing_query()
    if library is not None:
        query = query.where(Photo.library_id == library.id)
    if status is not None:
        query = query.where(Photo.status == status)
    if state == NO_CAPTION:
        query = query.where(current.id.is_(None))
    elif state is not None:
        query = query.where(current.state == ReviewState(state))
    query = query.order_by(Library.root, Photo.rel_path)
    if limit is not None:
        query = query.limit(limit)
    for values in session.execute(query.execution_options(yield_per=1000)):
        yield PhotoListing(*values)


def find_library(session: Session, ref: str) -> Library:
    """A library by id or by (any path inside) its root folder."""
    if ref.isdigit():
        library = session.get(Library, int(ref))
        if library:
            return library
    target = str(Path(ref).expanduser().resolve())
    libraries = session.scalars(select(Library)).all()
    for library in libraries:
        if target == library.root or target.startswith(library.root.rstrip(os.sep) + os.sep):
            return library
    raise LibraryNotFoundError(f"no library at {display_path(ref)}; scan it first")


def readable_photo_ids_under(session: Session, folder: str) -> list[int]:
    """Ids of the photos with status ok in ``folder`` (a library root or a folder inside one)."""
    library = find_library(session, folder)
    root = str(Path(folder).expanduser().resolve())
    prefix = "" if root == library.root else os.path.relpath(root, library.root).replace(os.sep, "/") + "/"
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
        root = library.root.rstrip(os.sep) + os.sep
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
    }


def _caption_json(caption: Caption) -> dict[str, Any]:
    return {
        "id": caption.id,
        "current": caption.is_current,
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
                "note": revision.note,
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
