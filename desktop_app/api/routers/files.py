"""A photo's image bytes and its thumbnail: the file as it is on disk (its own content type), and the
JPEG thumbnail of the app's cache (made when it is not there yet); 404 file_missing when the file is gone."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from desktop_app.api.auth import Context, Reader
from desktop_app.api.errors import ApiError
from desktop_app.services.photos import photo_file, thumbnail_for

router = APIRouter(tags=["files"])

# Formats the scanner records whose type the file name does not say (RAW files, DICOM, no extension).
_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "TIFF": "image/tiff", "WEBP": "image/webp",
          "GIF": "image/gif", "BMP": "image/bmp", "HEIF": "image/heif", "DICOM": "application/dicom"}


@router.get("/photos/{photo_id}/image", response_class=FileResponse)
def image(photo_id: int, ctx: Context, _token: Reader) -> FileResponse:
    """The photo's file, byte for byte."""
    found = photo_file(ctx.catalogue, photo_id)
    path = Path(found.path)
    if not path.is_file():
        raise ApiError(404, "file_missing", f"photo {photo_id}'s file is not on disk: {found.path}")
    media = mimetypes.guess_type(path.name)[0] or _TYPES.get((found.format or "").upper(),
                                                              "application/octet-stream")
    return FileResponse(path, media_type=media, filename=path.name, content_disposition_type="inline")


@router.get("/photos/{photo_id}/thumbnail", response_class=FileResponse)
def thumbnail(photo_id: int, ctx: Context, _token: Reader) -> FileResponse:
    """The photo's thumbnail, a JPEG (its longest side the settings' thumbnail size)."""
    made = thumbnail_for(ctx.catalogue, photo_id, ctx.thumbnails)
    if made is None:
        raise ApiError(404, "file_missing", f"photo {photo_id} has no thumbnail: its file is gone or cannot "
                       "be decoded")
    return FileResponse(made, media_type="image/jpeg")
