"""Changes to the catalogue's libraries (the reads are in photos.py)."""

from __future__ import annotations

from sqlalchemy import func, or_, select
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


