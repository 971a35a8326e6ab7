"""Exporting the current captions of a selection of photos (CSV, JSON Lines, COCO, an imagefolder)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.photos import PhotoQuery
from desktop_app.exports import ExportFormat, ExportReport
from desktop_app.exports import export as _export


def export(catalogue: Catalogue, fmt: ExportFormat | str, output: Path, query: PhotoQuery | None = None, *,
           approved_only: bool = False, force: bool = False, link: bool = False) -> ExportReport:
    """Write the current caption of each photo ``query`` selects to ``output`` (ExportError, one line,
    when it cannot: an output that exists without ``force``, or one that is the catalogue, a library's
    file or the thumbnail cache)."""
    return _export(catalogue, ExportFormat(fmt), output, query, approved_only=approved_only, force=force,
                   link=link)
