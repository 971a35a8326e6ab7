"""Writing approved captions into the photos' metadata: XMP sidecars, or the files themselves."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.photos import PhotoQuery
from desktop_app.library.metadata.report import WriteReport
from desktop_app.library.metadata.write import write_metadata as _write
from desktop_app.library.thumbnails import ThumbnailCache


def write_metadata(catalogue: Catalogue, photos: Sequence[int] | PhotoQuery, *, mode: str = "sidecar",
                   dry_run: bool = False, force: bool = False, sidecar_name: str = "photo.jpg.xmp",
                   progress: Callable[[int, int], None] | None = None, stop: threading.Event | None = None,
                   thumbnails: ThumbnailCache | None = None,
                   remove_rejected_keywords: bool = False) -> WriteReport:
    """Write the approved current caption of each photo (ids, or a query's approved photos) into a
    sidecar (``mode="sidecar"``) or the file (``"embed"``); ``dry_run`` reports what would change. A
    file changed since the last scan, or a description another program wrote, is skipped unless
    ``force``; an embedded write is verified before it replaces the original. Accepted keywords go in
    too (a photo whose keywords differ from its file is written without an approved caption); rejected
    keywords the file holds are removed only with ``remove_rejected_keywords``."""
    return _write(catalogue, photos, mode=mode, dry_run=dry_run, force=force, sidecar_name=sidecar_name,
                  progress=progress, stop=stop, thumbnails=thumbnails,
                  remove_rejected_keywords=remove_rejected_keywords)
