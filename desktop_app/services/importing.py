"""Photos brought into a library from outside: web addresses (`photo-annotator import`, a URL dropped on
the app), files dropped on the app (copied, never moved) and images pasted from the clipboard. Each is
saved as a new file in the library's folder (library/incoming.py: a safe, unique name, written whole),
scanned into the catalogue, and for a web address its address kept in the file's XMP dc:source and in
``Photo.source_url``. One item failing (a 404, a refused address, a file that is no photo) is that
item's one-line error; the rest go on. Captioning what was imported is the front end's: the CLI runs a
caption job in the foreground, the app queues one on its inference worker (services/jobs.py both).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Photo, PhotoStatus
from desktop_app.catalogue.photos import display_path, find_photo
from desktop_app.errors import one_line, os_error_reason, write_error_reason
from desktop_app.library import incoming
from desktop_app.library.images import is_candidate
from desktop_app.library.scanner import Scanner
from desktop_app.library.web_fetch import FetchError, FetchLimits, fetch_image, session
from desktop_app.services.scanning import NOT_A_PHOTO
from desktop_app.settings import ImportSettings

CLIPBOARD = "clipboard"  # the source of a pasted image
NOT_AN_ADDRESS = "not a web address: only http:// and https:// addresses can be imported"
FOLDER_DROPPED = "a folder: add it as a library with Add Folder, or `photo-annotator scan`"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: "C:\photo.jpg" is a path


class ImportTargetError(Exception):
    """The folder cannot take imported photos (missing, not a folder, read-only); one line."""


@dataclass(frozen=True)
class Imported:
    """One item brought in: where from (an address, a file, "clipboard"), where it was saved, its photo,
    or why it was not."""

    source: str
    path: str | None = None
    photo_id: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_json(self) -> dict[str, object]:
        return {"source": self.source, "path": self.path, "photo_id": self.photo_id,
                "status": "ok" if self.ok else "error", "error": self.error}


def limits(settings: ImportSettings, allow_private: bool | None = None, max_size_mb: float | None = None,
           timeout_s: float | None = None) -> FetchLimits:
    """The fetch limits of the import settings, each overridden by an option given (not None)."""
    return FetchLimits.of(max_size_mb if max_size_mb is not None else settings.max_size_mb,
                          timeout_s if timeout_s is not None else settings.timeout_s,
                          settings.allow_private if allow_private is None else allow_private)


def is_web_address(text: str) -> bool:
    """Whether ``text`` names an address (any scheme: file: and ftp: are refused by the fetch, with
    why) rather than a file on this machine."""
    return bool(_SCHEME.match(text.strip()))


def check_folder(folder: str | os.PathLike[str]) -> Path:
    """``folder`` as an absolute path that can take new files; ImportTargetError says why not."""
    path = Path(folder).expanduser().absolute()
    if not path.exists():
        raise ImportTargetError(f"folder {display_path(str(path))} does not exist")
    if not path.is_dir():
        raise ImportTargetError(f"{display_path(str(path))} is not a folder")
    if not os.access(path, os.W_OK | os.X_OK):
        raise ImportTargetError(f"folder {display_path(str(path))} is read-only: nothing can be saved there")
    return path


def pasted_name(now: datetime | None = None) -> str:
    """The file name of an image pasted from the clipboard: "Pasted 2026-12-04 16-05-03.png"."""
    return f"Pasted {(now or datetime.now()).strftime('%Y-%m-%d %H-%M-%S')}.png"


def import_url(catalogue: Catalogue, url: str, folder: str | os.PathLike[str], fetch_limits: FetchLimits,
               scanner: Scanner | None = None, client: Any = None,
               stop: threading.Event | None = None) -> Imported:
    """Fetch the image at ``url`` into ``folder``, keep ``url`` in its XMP and the catalogue, scan it.
    ``client``: a web_fetch.session shared by a run (import_sources); ``stop`` ends the download."""
    url = url.strip()
    try:
        target = check_folder(folder)
        fetched = fetch_image(url, fetch_limits, client, stop)
    except (FetchError, ImportTargetError) as exc:
        return Imported(url, error=str(exc))
    hint = (fetched.disposition_name or incoming.name_from_url(fetched.final_url)
            or incoming.name_from_url(url))
    name = incoming.safe_name(hint, fetched.format)
    embedded = incoming.with_source(fetched.data, fetched.format, url)
    sidecar = None if embedded is not None else incoming.sidecar_xmp(url)
    try:
        path = incoming.save_new(target, name, embedded if embedded is not None else fetched.data,
                                 with_sidecar=sidecar)
    except OSError as exc:
        where = display_path(str(target))
        return Imported(url, error=f"cannot save it in {where}: {write_error_reason(exc)}")
    return _scanned(catalogue, url, path, scanner, source_url=url)


def import_file(catalogue: Catalogue, path: str | os.PathLike[str], folder: str | os.PathLike[str],
                scanner: Scanner | None = None) -> Imported:
    """Copy the photo at ``path`` into ``folder`` (never moved: the original stays where it was) and
    scan the copy; a photo already in ``folder`` is only scanned."""
    source = os.path.abspath(os.fspath(path))
    try:
        target = check_folder(folder)
    except ImportTargetError as exc:
        return Imported(source, error=str(exc))
    if os.path.isdir(source):
        return Imported(source, error=FOLDER_DROPPED)
    if not is_candidate(source):
        return Imported(source, error=NOT_A_PHOTO)
    if os.path.dirname(os.path.realpath(source)) == os.path.realpath(target):
        return _scanned(catalogue, source, Path(source), scanner)
    try:
        with open(source, "rb") as stream:
            name = incoming.safe_name(os.path.basename(source), None)
            saved = incoming.save_new(target, name, source=stream)
    except FileNotFoundError:
        return Imported(source, error="the file does not exist")
    except OSError as exc:
        where = display_path(str(target))
        return Imported(source, error=f"cannot copy it into {where}: {os_error_reason(exc)}")
    return _scanned(catalogue, source, saved, scanner)


def import_image(catalogue: Catalogue, png: bytes, folder: str | os.PathLike[str], name: str | None = None,
                 scanner: Scanner | None = None) -> Imported:
    """Save ``png`` (an image pasted from the clipboard, encoded as PNG) in ``folder`` as ``name``
    (default: "Pasted DATE TIME.png") and scan it."""
    try:
        target = check_folder(folder)
        saved = incoming.save_new(target, incoming.safe_name(name or pasted_name(), "PNG"), png)
    except ImportTargetError as exc:
        return Imported(CLIPBOARD, error=str(exc))
    except OSError as exc:
        return Imported(CLIPBOARD, error=f"cannot save it in {display_path(os.fspath(folder))}: "
                                         f"{write_error_reason(exc)}")
    return _scanned(catalogue, CLIPBOARD, saved, scanner)


def import_sources(catalogue: Catalogue, sources: Sequence[str], folder: str | os.PathLike[str],
                   fetch_limits: FetchLimits, scanner: Scanner | None = None,
                   progress: Callable[[int, int, Imported], None] | None = None,
                   stop: threading.Event | None = None, files: bool = False) -> list[Imported]:
    """Each of ``sources`` (web addresses; with ``files``, also files on this machine, as dropped on the
    app) into ``folder``, one at a time, each failing alone; ``progress(done, total, item)`` after each;
    ``stop`` ends the run (a download at its next chunk). Without ``files`` a path is refused as file://
    is: a list of addresses from elsewhere (a script, a collection system) must not read this machine's
    files."""
    scanner = scanner or Scanner(catalogue)
    results: list[Imported] = []
    with session(fetch_limits) as client:
        for done, source in enumerate(sources, 1):
            if stop is not None and stop.is_set():
                break
            try:
                if is_web_address(source):
                    item = import_url(catalogue, source, folder, fetch_limits, scanner, client, stop)
                elif files:
                    item = import_file(catalogue, source, folder, scanner)
                else:
                    item = Imported(source, error=NOT_AN_ADDRESS)
            except Exception as exc:  # one item's unexpected failure is its own; the rest go on
                item = Imported(source, error=f"unexpected failure: {one_line(exc)}")
            results.append(item)
            if progress is not None:
                progress(done, len(sources), item)
    return results


def _scanned(catalogue: Catalogue, source: str, path: Path, scanner: Scanner | None,
             source_url: str | None = None) -> Imported:
    """The saved file scanned into the catalogue (its folder's library, made one if it is none yet)."""
    scanner = scanner or Scanner(catalogue)
    scanner.scan(path)
    with catalogue.read() as reading:
        photo = find_photo(reading, str(path))
        photo_id, status, error, known = photo.id, photo.status, photo.error, photo.source_url
    if source_url is not None and known != source_url:  # the scan read it from the XMP: mostly equal
        with catalogue.write() as writing:
            writing.execute(update(Photo).where(Photo.id == photo_id).values(source_url=source_url))
    if status is not PhotoStatus.OK:
        return Imported(source, str(path), photo_id,
                        f"saved as {display_path(str(path))}, but it cannot be read: {error}")
    return Imported(source, str(path), photo_id)
