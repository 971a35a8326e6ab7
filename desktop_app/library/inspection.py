"""Inspecting one photo file for the scanner: hash it, identify it, read its EXIF (or DICOM) facts and
its descriptions, and make its thumbnail. Runs on the scanner's pool threads; never raises for a bad
file: what is wrong with it becomes the inspection's one-line error.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import IO, Any

from desktop_app.catalogue.models import PhotoStatus, natural_key
from desktop_app.errors import one_line, os_error_reason, write_error_reason
from desktop_app.library.file_state import content_hash_of
from desktop_app.library.images import (
    OpenedImage,
    UnsupportedImageError,
    decode,
    open_image,
    unsupported_reason,
)
from desktop_app.library.metadata.facts import PhotoMetadata, read_dicom, read_exif, read_exiv2_exif
from desktop_app.library.metadata.read import FileMetadata, read_file_metadata
from desktop_app.library.metadata.read import open_image as exiv2_image
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.library.walk import FileEntry

log = logging.getLogger(__name__)


def _open_file(path: str) -> IO[bytes]:
    """The one place a photo is opened for reading (tests replace it to simulate refusals)."""
    return open(path, "rb")


@dataclass(frozen=True)
class Inspection:
    entry: FileEntry
    content_hash: str | None = None
    format: str | None = None
    width: int | None = None
    height: int | None = None
    metadata: PhotoMetadata = field(default_factory=PhotoMetadata)
    error: str | None = None
    file_metadata: FileMetadata = field(default_factory=FileMetadata)  # descriptions and keywords
    same_content: bool = False  # rehashed for a stat difference, and the bytes are those already known
    thumbnail_error: str | None = None  # the cache could not store the thumbnail (not the photo's fault)

    def row(self) -> dict[str, Any]:
        entry, meta = self.entry, self.metadata
        return {
            "rel_path": entry.rel_path,
            "name_key": natural_key(entry.rel_path),
            **entry.state.values(),
            "content_hash": self.content_hash,
            "pending_hash": None,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "date_taken": meta.date_taken,
            "camera_make": meta.camera_make,
            "camera_model": meta.camera_model,
            "gps_latitude": meta.gps_latitude,
            "gps_longitude": meta.gps_longitude,
            "gps_altitude": meta.gps_altitude,
            "orientation": meta.orientation,
            "status": PhotoStatus.ERROR if self.error else PhotoStatus.OK,
            "error": self.error,
        }


def inspect_file(entry: FileEntry, thumbnails: ThumbnailCache, known_hash: str | None = None) -> Inspection:
    """Hash, identify, read metadata and make the thumbnail of one file. Never raises for a bad file.

    ``known_hash``: the hash of a good photo the catalogue holds for this path; a file that still has
    it is the same photo (``same_content``), and only its missing thumbnail is made.
    """
    if entry.error:
        return Inspection(entry, error=entry.error)
    digest: str | None = None
    try:
        with _open_file(entry.path) as fp:
            digest = content_hash_of(fp)
            if digest == known_hash:
                thumbnail_error = None
                if not thumbnails.has(digest):
                    fp.seek(0)
                    thumbnail_error = _make_thumbnail(thumbnails, digest, open_image(fp))
                return Inspection(entry, content_hash=digest, same_content=True,
                                  thumbnail_error=thumbnail_error)
            if entry.size == 0:
                return Inspection(entry, content_hash=digest, error="empty file (0 bytes)")
            reason = unsupported_reason(entry.path)
            if reason:
                return Inspection(entry, content_hash=digest, error=reason)
            fp.seek(0)
            opened = open_image(fp)
            is_dicom = opened.dicom is not None
            metadata = (read_dicom(opened.dicom) if is_dicom else
                        _raw_facts(entry.path) if opened.raw is not None else read_exif(opened.image))
            # The thumbnail is also the check that the pixel data decodes (truncated files fail
            # here); identical content already has one, so a moved photo is not decoded again.
            thumbnail_error = None if thumbnails.has(digest) else _make_thumbnail(thumbnails, digest, opened)
            described = read_file_metadata(entry.path, embedded=not is_dicom)
            return Inspection(
                entry, digest, opened.format, opened.width, opened.height, metadata,
                file_metadata=described, thumbnail_error=thumbnail_error,
            )
    except UnsupportedImageError as exc:
        return Inspection(entry, content_hash=digest, error=str(exc))
    except OSError as exc:
        return Inspection(entry, content_hash=digest, error=os_error_reason(exc))
    except Exception as exc:  # any decoder failure is the file's problem, not the scan's
        log.debug("decoding %s failed", entry.path, exc_info=True)
        return Inspection(
            entry, content_hash=digest, error=f"cannot decode image: {one_line(exc)}"
        )


def _make_thumbnail(thumbnails: ThumbnailCache, digest: str, opened: OpenedImage) -> str | None:
    """Decode ``opened`` at thumbnail size (a decoding error is the photo's: it propagates) and store
    it; a cache that cannot store it gives the reason instead, for the scan's one warning."""
    thumbnail = decode(opened, max_side=thumbnails.size)
    try:
        thumbnails.store(digest, thumbnail)
    except OSError as exc:
        log.debug("thumbnail %s not stored", digest, exc_info=True)
        return write_error_reason(exc)
    return None


def _raw_facts(path: str) -> PhotoMetadata:
    """Date, camera, GPS and orientation of a camera RAW file, read by exiv2 (Pillow reads no RAW)."""
    try:
        with exiv2_image(path) as image:
            try:
                exif = image.read_exif()
            except UnicodeDecodeError:  # vendor bytes in a text tag: the facts are ASCII anyway
                exif = image.read_exif(encoding="latin-1")
    except Exception as exc:  # a broken metadata block must not fail the photo
        log.debug("no EXIF read from %s: %s", path, one_line(exc))
        return PhotoMetadata()
    return read_exiv2_exif(exif)
