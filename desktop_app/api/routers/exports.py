"""GET /exports/{format}: `export` as a download. The export is written into a temporary folder of the
server's own (never a path the client names), streamed, and deleted after; an imagefolder comes as a
zip of its folder."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from desktop_app.api.auth import Context, Reader
from desktop_app.api.routers.photos import Review
from desktop_app.services.exports import export as run_export
from desktop_app.services.photos import PhotoFilters, photo_query

router = APIRouter(tags=["exports"])

CHUNK = 1 << 16
Format = Literal["csv", "jsonl", "coco", "hf-imagefolder"]
# The download's name and type of each format.
_FILES = {"csv": ("captions.csv", "text/csv; charset=utf-8"),
          "jsonl": ("captions.jsonl", "application/x-ndjson"),
          "coco": ("captions.json", "application/json"),
          "hf-imagefolder": ("imagefolder.zip", "application/zip")}


@router.get("/exports/{fmt}", response_class=StreamingResponse)
def export(fmt: Format, ctx: Context, _token: Reader, state: Literal["approved", "any"] = "any",
           library: str | None = None, review: Review | None = None, captioner: str | None = None,
           search: str | None = None) -> StreamingResponse:
    """The current caption of each selected photo in ``fmt`` (csv, jsonl, coco, hf-imagefolder: a zip),
    as `export` writes it; the summary in headers X-Exported and X-Skipped. 409 export_refused when
    there is nothing to export."""
    with ctx.catalogue.read() as session:
        query = photo_query(session, PhotoFilters(library=library, review=review, captioner=captioner,
                                                  text=search))
    folder = Path(tempfile.mkdtemp(prefix="photo-annotator-export-"))
    try:
        name, media = _FILES[fmt]
        output = folder / ("imagefolder" if fmt == "hf-imagefolder" else name)
        report = run_export(ctx.catalogue, fmt, output, query, approved_only=state == "approved")
        if fmt == "hf-imagefolder":
            output = _zip(output, folder / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Exported": str(report.exported),
               "X-Skipped": str(sum(report.skipped.values()))}
    return StreamingResponse(_stream(output, folder), media_type=media, headers=headers)


def _zip(source: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:  # photos do not compress
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(source).as_posix())
    shutil.rmtree(source)
    return target


def _stream(path: Path, folder: Path) -> Iterator[bytes]:
    """The file in chunks; the temporary folder goes when the download ends or breaks off."""
    try:
        with open(path, "rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)
