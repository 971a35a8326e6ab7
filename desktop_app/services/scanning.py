"""Scanning folders into the catalogue: adding a library or refreshing one, and finding the photos a
command names (scanning in what is not in the catalogue yet), for captioning them."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.photos import find_photo, readable_photo_ids_under
from desktop_app.library.images import is_candidate
from desktop_app.library.scanner import Scanner, ScanReport

NOT_A_PHOTO = "not a photo or DICOM file the app reads"


def scan(catalogue: Catalogue, folder: str | os.PathLike[str], *, workers: int | None = None,
         progress: Callable[[int, int], None] | None = None,
         on_listed: Callable[[int, int], None] | None = None,
         retry_errors: bool = False, stop: threading.Event | None = None,
         scanner: Scanner | None = None) -> ScanReport:
    """Add ``folder`` as a library, or refresh the library holding it (ScanError when it cannot be
    read). ``scanner``: one to reuse (its thumbnail cache and settings), else a new one."""
    scanner = scanner or Scanner(catalogue, workers=workers)
    return scanner.scan(folder, progress=progress, on_listed=on_listed, retry_errors=retry_errors, stop=stop)


@dataclass
class PhotosFound:
    """What paths named: the photos' ids (in order, once each), each named file that is no photo with
    why, and each folder without a readable photo."""

    photo_ids: list[int] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)


def photos_for(catalogue: Catalogue, paths: Sequence[str], scanner: Scanner | None = None) -> PhotosFound:
    """The photos ``paths`` (files and folders) name, scanning into the catalogue what is not there yet
    or changed (incremental: a stat per file when nothing changed). A file that is no photo and a
    folder without a readable photo fail alone; the rest go on."""
    scanner = scanner or Scanner(catalogue)
    found = PhotosFound()
    for raw in paths:
        if Path(raw).is_file() and not is_candidate(raw):
            found.refused.append((raw, NOT_A_PHOTO))
            continue
        scanner.scan(raw)
        with catalogue.read() as session:
            if Path(raw).is_dir():
                ids = readable_photo_ids_under(session, raw)
                found.photo_ids += ids
                if not ids:
                    found.empty.append(raw)
            else:
                found.photo_ids.append(find_photo(session, raw).id)
    found.photo_ids = list(dict.fromkeys(found.photo_ids))
    return found
