"""Changes to the catalogue's libraries (the reads are in photos.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, null, or_, select, update
from sqlalchemy.orm import Session

from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    Library,
    Photo,
    ReviewState,
)
from desktop_app.catalogue.photos import LibraryNotFoundError

NO_CAPTION = "none"  # the "state" filter value for photos without any caption


def remove_library(session: Session, library_id: int) -> tuple[int, int]:
    """Forget a library: its photos, captions and their history leave the catalogue; no file on disk
    is touched. Returns (photos, captions written or approved by people) removed."""
    library = session.get(Library, library_id)
    if library is None:
        raise LibraryNotFoundError(f"no library with id {library_id}")
    photos = session.scalar(select(func.count(Photo.id)).where(Photo.library_id == library_id)) or 0
    human = session.scalar(
        select(func.count(Caption.id)).join(Photo, Photo.id == Caption.photo_id).where(
            Photo.library_id == library_id,
            or_(Caption.origin == CaptionOrigin.HUMAN, Caption.state == ReviewState.APPROVED),
        )
    ) or 0
    session.delete(library)
    return photos, human




def set_watch(session: Session, library_id: int, watch: dict[str, Any] | None) -> Library:
    """Store a library's watch settings (services/watching.py); None: it is no longer watched."""
    library = session.get(Library, library_id)
    if library is None:
        raise LibraryNotFoundError(f"no library with id {library_id}")
    # SQL NULL, not JSON null, for "not watched"
    session.execute(update(Library).where(Library.id == library_id)
                    .values(watch=dict(watch) if watch is not None else null()))
    session.refresh(library)
    return library


def watched_libraries(session: Session) -> list[Library]:
    """The libraries whose watch is set, by id."""
    return [library for library in session.scalars(select(Library).order_by(Library.id)) if library.watch]
