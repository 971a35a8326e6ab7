"""The GUI's way to the catalogue and the scanner: workers on their own threads behind one facade.

A database query or a folder walk on the GUI thread freezes the window (a network share can take
seconds to answer one stat), so catalogue queries run on a "catalogue" thread and scans on a "scan"
thread. Widgets call ``Backend`` methods, which only queue calls (threaded.py); the workers run them on
their threads, and results come back to the GUI thread as queued signals. Opening the catalogue,
scanning and removing a library are the services' (desktop_app/services), as on the command line.

Two threads rather than one: a first scan of a large folder takes minutes, and the grid must still
list what is already catalogued meanwhile. SQLite in WAL mode lets the scanner write while the
catalogue thread reads. Results cross threads as plain values (rows, dicts, reports), never as ORM
objects bound to a session of another thread.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import islice
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Signal, Slot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue, CatalogueError, roots
from desktop_app.catalogue.models import Caption, CaptionOrigin, Library, PhotoStatus, ReviewState
from desktop_app.catalogue.photos import (
    LibrarySummary,
    PhotoNotFoundError,
    PhotoQuery,
    display_path,
    grid_rows,
    library_roots,
    library_summaries,
    list_folders,
    path_under,
    photo_json,
    photo_with_history,
)
from desktop_app.library.scanner import ScanError, Scanner, ScanReport
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.services import libraries, scanning
from desktop_app.services.catalogue import open_catalogue
from desktop_app.settings import load_settings
from desktop_app.ui.workers.threaded import Service, Worker, request

log = logging.getLogger(__name__)

# The first chunk is small so the first screenful of a big library shows at once; later chunks grow
# so 100k rows cost few signals and few model inserts (500, 5,000, 50,000, ...).
FIRST_CHUNK = 500
CHUNK_GROWTH = 10
# Progress signals are queued events on the GUI thread: one per file would flood it on fast scans.
PROGRESS_INTERVAL_S = 0.1


@dataclass(frozen=True, slots=True)
class PhotoRow:
    """What the grid holds per photo: little enough for a million rows in memory."""

    id: int
    path: str
    content_hash: str | None
    status: PhotoStatus
    error: str | None
    caption_state: ReviewState | None
    caption: str | None
    caption_origin: CaptionOrigin | None = None
    captioner_id: str | None = None
    confidence: float | None = None
    flagged: bool = False  # a draft with flags for a second look (catalogue/flags.py): the grid's badge

    @property
    def name(self) -> str:
        return display_path(os.path.basename(self.path))


@dataclass
class _Stream:
    """A photo listing being sent in chunks: its read transaction stays open until the last one."""

    request_id: int
    resources: ExitStack
    rows: Iterator[PhotoRow]
    size: int = FIRST_CHUNK


class CatalogueWorker(Worker):
    """Runs every catalogue query of the GUI, one at a time, on the catalogue thread."""

    opened = Signal(object)  # the Catalogue
    # Python values travel as "object": typed as list or dict they would be converted to Qt
    # containers and back, which costs time at 100k rows.
    libraries_loaded = Signal(object)  # [LibrarySummary]
    photos_loaded = Signal(int, object, bool)  # request id, [PhotoRow], last chunk
    photo_loaded = Signal(int, object)  # request id, photo_json() of the photo
    folders_loaded = Signal(int, object)  # library id, [(folder, photos)]
    captioners_loaded = Signal(object)  # [captioner id] with captions in the catalogue
    library_removed = Signal(str, int, int)  # name, photos, captions by people removed
    _continue = Signal()  # queued to itself: the next chunk of the listing, after waiting requests

    def __init__(self) -> None:
        super().__init__()
        # Set from the GUI thread without a lock: a plain int assignment is atomic under the GIL,
        # and a stale read only costs one more chunk of a listing nobody waits for.
        self.latest_photos_request = 0
        self._stream: _Stream | None = None
        self._unavailable: set[int] = set()  # libraries whose root is not on this machine, said already
        self._continue.connect(self._next_chunk, Qt.ConnectionType.QueuedConnection)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot open the catalogue"))
    def open_catalogue(self, db: str | None) -> None:
        self.catalogue = open_catalogue(db)
        self._unavailable.clear()
        self.opened.emit(self.catalogue)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot list the libraries"))
    def load_libraries(self) -> None:
        with self.require_catalogue().read() as session:
            summaries: list[LibrarySummary] = library_summaries(session)
        self.libraries_loaded.emit(summaries)
        for summary in summaries:  # said once a session: its root is not on this machine (not mapped)
            if summary.id not in self._unavailable and not roots.is_available(summary.root):
                self._unavailable.add(summary.id)
                self.failed.emit(roots.unavailable_message(summary.id, summary.root))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot list the photos"), answers_later=True)
    def load_photos(self, request_id: int, query: PhotoQuery) -> None:
        """Start streaming the photos: one chunk now, the next ones on later event-loop turns, so a
        request queued meanwhile (the selected photo's details, the folders) is answered between
        chunks instead of after the whole listing. Done when the last chunk is sent."""
        self.end_stream()  # a newer listing supersedes the one still streaming
        resources = ExitStack()
        try:
            session = resources.enter_context(self.require_catalogue().read())
            gone = query.library_id is not None and session.get(Library, query.library_id) is None
            # A library merged or removed meanwhile lists nothing.
            rows = iter(()) if gone else self._photo_rows(session, query)
            self._stream = _Stream(request_id, resources, rows)
        except Exception as exc:  # the grid waits for a last chunk: it gets an empty one
            resources.close()
            self.report(self.tr("cannot list the photos"), exc)
            self.photos_loaded.emit(request_id, [], True)
            self.done.emit()
            return
        self._next_chunk()

    @Slot()
    def _next_chunk(self) -> None:
        stream = self._stream
        if stream is None:
            return
        try:
            if stream.request_id != self.latest_photos_request:
                self.end_stream()  # the user moved on; the GUI ignores this request's rows anyway
                return
            chunk = list(islice(stream.rows, stream.size))
            last = len(chunk) < stream.size
            # Chunks grow tenfold: the first screenful at once, then few signals and few model
            # inserts (each insert makes the grid lay its rows out again).
            stream.size *= CHUNK_GROWTH
            # The rows live as long as the grid shows them: out of the garbage collector's sight, or
            # each full collection rescans them all while holding the GIL (50-90 ms at 100k rows,
            # during which the window cannot paint). They hold no cycles, so refcounting frees them.
            gc.freeze()
            self.photos_loaded.emit(stream.request_id, chunk, last)
        except Exception as exc:
            self.report(self.tr("cannot list the photos"), exc)
            self.photos_loaded.emit(stream.request_id, [], True)
            last = True
        if last:
            self.end_stream()
        else:
            self._continue.emit()

    def end_stream(self) -> None:
        if self._stream is not None:
            self._stream.resources.close()
            self._stream = None
            self.done.emit()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot list the folders"))
    def load_folders(self, library_id: int) -> None:
        with self.require_catalogue().read() as session:
            self.folders_loaded.emit(library_id, list_folders(session, library_id))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot list the captioners"))
    def load_captioners(self) -> None:
        with self.require_catalogue().read() as session:
            ids = session.scalars(select(Caption.captioner_id).where(Caption.captioner_id.is_not(None))
                                  .distinct().order_by(Caption.captioner_id))
            self.captioners_loaded.emit(list(ids))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot remove the library"))
    def remove_library(self, library_id: int) -> None:
        removed = libraries.remove_library(self.require_catalogue(), library_id)
        self.library_removed.emit(removed.name, removed.photos, removed.captions_by_people)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read photo {1}"))
    def load_photo(self, request_id: int, photo_id: int) -> None:
        try:
            with self.require_catalogue().read() as session:
                details = photo_json(photo_with_history(session, photo_id))
        except PhotoNotFoundError as exc:
            self.failed.emit(str(exc))  # says which photo; gone since the grid listed it
            return
        self.photo_loaded.emit(request_id, details)

    def close(self) -> None:
        self.end_stream()  # its read transaction ends on the thread that began it

    @staticmethod
    def _photo_rows(session: Any, query: PhotoQuery) -> Iterator[PhotoRow]:
        paths = {library_id: path_under(root) for library_id, root in library_roots(session).items()}
        for (photo_id, library_id, rel_path, content_hash, status, error, state, text, origin, captioner,
             confidence, flagged) in grid_rows(session, query):
            yield PhotoRow(photo_id, paths[library_id](rel_path), content_hash, status, error, state, text,
                           origin, captioner, confidence, bool(flagged))


class ScanWorker(Worker):
    """Runs scans one after another on the scan thread."""

    scan_started = Signal(str)  # folder, as given
    scan_progress = Signal(str, int, int)  # folder, files done, files to read
    scan_finished = Signal(str, object)  # folder, ScanReport
    scan_failed = Signal(str, str)  # folder, a one-line message

    def __init__(self, thumbnails: ThumbnailCache, stop: threading.Event) -> None:
        super().__init__()
        self.thumbnails = thumbnails
        self.stop = stop

    @request(QT_TRANSLATE_NOOP("Worker", "cannot scan {0}"))
    def scan(self, folder: str) -> None:
        if self.stop.is_set():
            return  # shutting down: queued scans are dropped
        self.scan_started.emit(folder)
        try:
            report = self._scan(self.require_catalogue(), folder)
        except (ScanError, CatalogueError) as exc:  # the failure carries its folder
            self.scan_failed.emit(folder, str(exc))
            return
        except Exception as exc:
            log.exception("scanning %s failed", folder)
            self.scan_failed.emit(folder, self.tr("scanning {folder} failed: {reason}").format(
                folder=display_path(folder), reason=exc))
            return
        self.scan_finished.emit(folder, report)

    def _scan(self, catalogue: Catalogue, folder: str) -> ScanReport:
        last = 0.0

        def on_progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if done == total or now - last >= PROGRESS_INTERVAL_S:
                last = now
                self.scan_progress.emit(folder, done, total)

        def on_listed(_found: int, to_inspect: int) -> None:
            self.scan_progress.emit(folder, 0, to_inspect)

        return scanning.scan(catalogue, folder, progress=on_progress, on_listed=on_listed, stop=self.stop,
                             scanner=Scanner(catalogue, self.thumbnails))


class ScanService(Service):
    """The scan thread. ``shutdown`` stops a scan at its next file and drops the scans queued."""

    scan_started = Signal(str)
    scan_progress = Signal(str, int, int)
    scan_finished = Signal(str, object)
    scan_failed = Signal(str, str)

    def __init__(self, thumbnails: ThumbnailCache, parent: QObject | None = None) -> None:
        self._stop = threading.Event()
        worker = ScanWorker(thumbnails, self._stop)
        super().__init__(worker, "scan", parent)
        self.worker = worker

    def scan(self, folder: str) -> None:
        self.call(self.worker.scan, folder)

    def stop(self) -> None:
        self._stop.set()


class Backend(Service):
    """The catalogue and scan threads, as methods the GUI thread calls and signals it receives.

    Every method returns at once. ``busy`` counts requests not yet answered, so a caller can tell
    when everything it asked for has arrived (the screenshot mode waits for that).
    """

    catalogue_opened = Signal(str)  # its location
    libraries_loaded = Signal(object)
    photos_loaded = Signal(int, object, bool)
    photo_loaded = Signal(int, object)
    folders_loaded = Signal(int, object)
    captioners_loaded = Signal(object)
    library_removed = Signal(str, int, int)
    scan_started = Signal(str)  # folder, as given to scan()
    scan_progress = Signal(str, int, int)  # folder, files read, files to read
    scan_finished = Signal(str, object)  # folder, ScanReport
    scan_failed = Signal(str, str)  # folder, message
    error = Signal(str)  # a catalogue failure, one line

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QObject | None = None) -> None:
        worker = CatalogueWorker()
        super().__init__(worker, "catalogue", parent, renamed={"failed": "error"})
        self.worker = worker
        # The scanner writes thumbnails at the size the settings ask for; the grid reads any size.
        self.thumbnails = thumbnails or ThumbnailCache(size=load_settings().library.thumbnail_size)
        self.catalogue: Catalogue | None = None
        self._request_id = 0
        worker.opened.connect(self._on_opened)
        # Two threads rather than one: the grid lists what is catalogued while a long scan runs.
        self.scans = ScanService(self.thumbnails, self)
        for name in ("scan_started", "scan_progress", "scan_finished", "scan_failed"):
            getattr(self.scans, name).connect(getattr(self, name))  # both on this thread: direct

    @property
    def busy(self) -> bool:
        return self.pending + self.scans.pending > 0

    @property
    def is_open(self) -> bool:
        return self.catalogue is not None

    def open_catalogue(self, db: str | None) -> None:
        self.call(self.worker.open_catalogue, db)

    def load_libraries(self) -> None:
        self.call(self.worker.load_libraries)

    def load_photos(self, query: PhotoQuery) -> int:
        """Ask for the photos ``query`` selects; they arrive in chunks tagged with the returned request id."""
        self._request_id += 1
        self.worker.latest_photos_request = self._request_id
        self.call(self.worker.load_photos, self._request_id, query)
        return self._request_id

    def load_folders(self, library_id: int) -> None:
        self.call(self.worker.load_folders, library_id)

    def load_captioners(self) -> None:
        self.call(self.worker.load_captioners)

    def remove_library(self, library_id: int) -> None:
        """Forget a library (its photos' captions too); the files on disk are not touched."""
        self.call(self.worker.remove_library, library_id)

    def load_photo(self, photo_id: int) -> int:
        self._request_id += 1
        self.call(self.worker.load_photo, self._request_id, photo_id)
        return self._request_id

    def scan(self, folder: str) -> None:
        if self.catalogue is None:
            self.scan_failed.emit(folder, self.tr("cannot scan: the catalogue is not open"))
            return
        self.scans.scan(folder)

    def shutdown(self) -> None:
        """Stop the scan at its next file, end both threads and close the catalogue."""
        if self.closed:
            return
        self.scans.shutdown()
        super().shutdown()
        if self.catalogue is not None:
            self.catalogue.close()  # both threads are done with it

    @Slot(object)
    def _on_opened(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.scans.open(catalogue)
        self.catalogue_opened.emit(catalogue.location)
