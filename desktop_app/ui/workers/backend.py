"""The GUI's way to the catalogue and the scanner: workers on their own threads behind one facade.

A database query or a folder walk on the GUI thread freezes the window (a network share can take
seconds to answer one stat), so catalogue queries run on a "catalogue" thread and scans on a "scan"
thread. Widgets call ``Backend`` methods, which only emit signals; the workers' slots run on their
threads, and results come back to the GUI thread as queued signals.

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

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from desktop_app.catalogue import Catalogue, CatalogueError, open_catalogue
from desktop_app.catalogue.libraries import remove_library
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
from desktop_app.settings import load_settings

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


class CatalogueWorker(QObject):
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
    failed = Signal(str)  # a one-line message for the user
    done = Signal()  # after every request, whatever its outcome
    _continue = Signal()  # queued to itself: the next chunk of the listing, after waiting requests

    def __init__(self) -> None:
        super().__init__()
        self.catalogue: Catalogue | None = None
        # Set from the GUI thread without a lock: a plain int assignment is atomic under the GIL,
        # and a stale read only costs one more chunk of a listing nobody waits for.
        self.latest_photos_request = 0
        self._stream: _Stream | None = None
        self._continue.connect(self._next_chunk, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def open(self, db: str | None) -> None:
        try:
            self.catalogue = open_catalogue(db)
            self.opened.emit(self.catalogue)
        except CatalogueError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # an unexpected failure must reach the window, not kill the thread
            log.exception("opening the catalogue failed")
            self.failed.emit(f"cannot open the catalogue: {exc}")
        finally:
            self.done.emit()

    @Slot()
    def load_libraries(self) -> None:
        try:
            self.libraries_loaded.emit(self._libraries())
        except Exception as exc:
            self._report("cannot list the libraries", exc)
        finally:
            self.done.emit()

    @Slot(int, object)
    def load_photos(self, request_id: int, query: PhotoQuery) -> None:
        """Start streaming the photos: one chunk now, the next ones on later event-loop turns, so a
        request queued meanwhile (the selected photo's details, the folders) is answered between
        chunks instead of after the whole listing."""
        self.end_stream()  # a newer listing supersedes the one still streaming
        resources = ExitStack()
        try:
            session = resources.enter_context(self._catalogue().read())
            if query.library_id is not None and session.get(Library, query.library_id) is None:
                resources.close()
                self.photos_loaded.emit(request_id, [], True)  # the library was merged or removed
                self.done.emit()
                return
            self._stream = _Stream(request_id, resources, self._photo_rows(session, query))
        except Exception as exc:
            resources.close()
            self._report("cannot list the photos", exc)
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
            self._report("cannot list the photos", exc)
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

    @Slot(int)
    def load_folders(self, library_id: int) -> None:
        try:
            with self._catalogue().read() as session:
                self.folders_loaded.emit(library_id, list_folders(session, library_id))
        except Exception as exc:
            self._report("cannot list the folders", exc)
        finally:
            self.done.emit()

    @Slot()
    def load_captioners(self) -> None:
        try:
            with self._catalogue().read() as session:
                ids = session.scalars(select(Caption.captioner_id).where(Caption.captioner_id.is_not(None))
                                      .distinct().order_by(Caption.captioner_id))
                self.captioners_loaded.emit(list(ids))
        except Exception as exc:
            self._report("cannot list the captioners", exc)
        finally:
            self.done.emit()

    @Slot(int)
    def remove_library(self, library_id: int) -> None:
        try:
            with self._catalogue().write() as session:
                library = session.get(Library, library_id)
                name = library.name if library is not None else str(library_id)
                photos, human = remove_library(session, library_id)
            self.library_removed.emit(name, photos, human)
        except Exception as exc:
            self._report("cannot remove the library", exc)
        finally:
            self.done.emit()

    @Slot(int, int)
    def load_photo(self, request_id: int, photo_id: int) -> None:
        try:
            with self._catalogue().read() as session:
                details = photo_json(photo_with_history(session, photo_id))
            self.photo_loaded.emit(request_id, details)
        except PhotoNotFoundError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:
            self._report(f"cannot read photo {photo_id}", exc)
        finally:
            self.done.emit()

    # -- queries -------------------------------------------------------------------------------

    def _catalogue(self) -> Catalogue:
        if self.catalogue is None:
            raise CatalogueError("the catalogue is not open")
        return self.catalogue

    def _libraries(self) -> list[LibrarySummary]:
        with self._catalogue().read() as session:
            return library_summaries(session)

    @staticmethod
    def _photo_rows(session: Any, query: PhotoQuery) -> Iterator[PhotoRow]:
        paths = {library_id: path_under(root) for library_id, root in library_roots(session).items()}
        for (photo_id, library_id, rel_path, content_hash, status, error, state, text, origin, captioner,
             confidence) in grid_rows(session, query):
            yield PhotoRow(photo_id, paths[library_id](rel_path), content_hash, status, error, state, text,
                           origin, captioner, confidence)

    def _report(self, what: str, exc: Exception) -> None:
        if isinstance(exc, CatalogueError):
            self.failed.emit(str(exc))
            return
        if isinstance(exc, SQLAlchemyError):
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        else:
            log.exception(what)
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self.failed.emit(f"{what}: {reason}")


class ScanWorker(QObject):
    """Runs scans one after another on the scan thread."""

    started = Signal(str)  # folder, as given
    progress = Signal(str, int, int)  # folder, files done, files to read
    finished = Signal(str, object)  # folder, ScanReport
    failed = Signal(str, str)  # folder, a one-line message
    done = Signal()

    def __init__(self, thumbnails: ThumbnailCache, stop: threading.Event) -> None:
        super().__init__()
        self.thumbnails = thumbnails
        self.stop = stop

    @Slot(object, str)
    def scan(self, catalogue: Catalogue, folder: str) -> None:
        try:
            if self.stop.is_set():
                return  # shutting down: queued scans are dropped
            self.started.emit(folder)
            self.finished.emit(folder, self._scan(catalogue, folder))
        except (ScanError, CatalogueError) as exc:
            self.failed.emit(folder, str(exc))
        except Exception as exc:
            log.exception("scanning %s failed", folder)
            self.failed.emit(folder, f"scanning {display_path(folder)} failed: {exc}")
        finally:
            self.done.emit()

    def _scan(self, catalogue: Catalogue, folder: str) -> ScanReport:
        last = 0.0

        def on_progress(done: int, total: int) -> None:
            nonlocal last
            now = time.monotonic()
            if done == total or now - last >= PROGRESS_INTERVAL_S:
                last = now
                self.progress.emit(folder, done, total)

        def on_listed(_found: int, to_inspect: int) -> None:
            self.progress.emit(folder, 0, to_inspect)

        scanner = Scanner(catalogue, self.thumbnails)
        return scanner.scan(folder, progress=on_progress, stop=self.stop, on_listed=on_listed)


class Backend(QObject):
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

    # Requests to the workers: queued, because the workers live on other threads.
    _open_requested = Signal(object)
    _libraries_requested = Signal()
    _photos_requested = Signal(int, object)
    _photo_requested = Signal(int, int)
    _folders_requested = Signal(int)
    _captioners_requested = Signal()
    _remove_requested = Signal(int)
    _scan_requested = Signal(object, str)

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The scanner writes thumbnails at the size the settings ask for; the grid reads any size.
        self.thumbnails = thumbnails or ThumbnailCache(size=load_settings().library.thumbnail_size)
        self.catalogue: Catalogue | None = None
        self._stop = threading.Event()
        self._pending = 0
        self._request_id = 0
        self._closed = False

        self._catalogue_thread = QThread(self)
        self._catalogue_thread.setObjectName("catalogue")
        self._catalogue_worker = CatalogueWorker()
        self._catalogue_worker.moveToThread(self._catalogue_thread)
        self._scan_thread = QThread(self)
        self._scan_thread.setObjectName("scan")
        self._scan_worker = ScanWorker(self.thumbnails, self._stop)
        self._scan_worker.moveToThread(self._scan_thread)

        worker = self._catalogue_worker
        self._open_requested.connect(worker.open)
        self._libraries_requested.connect(worker.load_libraries)
        self._photos_requested.connect(worker.load_photos)
        self._photo_requested.connect(worker.load_photo)
        self._folders_requested.connect(worker.load_folders)
        self._captioners_requested.connect(worker.load_captioners)
        self._remove_requested.connect(worker.remove_library)
        worker.opened.connect(self._on_opened)
        worker.folders_loaded.connect(self.folders_loaded)
        worker.captioners_loaded.connect(self.captioners_loaded)
        worker.library_removed.connect(self.library_removed)
        worker.libraries_loaded.connect(self.libraries_loaded)
        worker.photos_loaded.connect(self.photos_loaded)
        worker.photo_loaded.connect(self.photo_loaded)
        worker.failed.connect(self.error)
        worker.done.connect(self._on_done)

        scanner = self._scan_worker
        self._scan_requested.connect(scanner.scan)
        scanner.started.connect(self.scan_started)
        scanner.progress.connect(self.scan_progress)
        scanner.finished.connect(self.scan_finished)
        scanner.failed.connect(self.scan_failed)
        scanner.done.connect(self._on_done)

        self._catalogue_thread.start()
        self._scan_thread.start()

    @property
    def busy(self) -> bool:
        return self._pending > 0

    @property
    def is_open(self) -> bool:
        return self.catalogue is not None

    def open_catalogue(self, db: str | None) -> None:
        self._request(self._open_requested, db)

    def load_libraries(self) -> None:
        self._request(self._libraries_requested)

    def load_photos(self, query: PhotoQuery) -> int:
        """Ask for the photos ``query`` selects; they arrive in chunks tagged with the returned request id."""
        self._request_id += 1
        self._catalogue_worker.latest_photos_request = self._request_id
        self._request(self._photos_requested, self._request_id, query)
        return self._request_id

    def load_folders(self, library_id: int) -> None:
        self._request(self._folders_requested, library_id)

    def load_captioners(self) -> None:
        self._request(self._captioners_requested)

    def remove_library(self, library_id: int) -> None:
        """Forget a library (its photos' captions too); the files on disk are not touched."""
        self._request(self._remove_requested, library_id)

    def load_photo(self, photo_id: int) -> int:
        self._request_id += 1
        self._request(self._photo_requested, self._request_id, photo_id)
        return self._request_id

    def scan(self, folder: str) -> None:
        if self.catalogue is None:
            self.scan_failed.emit(folder, "cannot scan: the catalogue is not open")
            return
        self._request(self._scan_requested, self.catalogue, folder)

    def shutdown(self) -> None:
        """Stop the scan at its next file, end both threads and close the catalogue."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        for thread in (self._scan_thread, self._catalogue_thread):
            thread.quit()
            # No timeout: destroying a QThread that still runs aborts the process. A scan stops
            # within one file; only a walk of a huge folder can hold this up.
            thread.wait()
        self._catalogue_worker.end_stream()  # its thread is done: its read transaction can end here
        if self.catalogue is not None:
            self.catalogue.close()

    def _request(self, signal: Any, *args: Any) -> None:
        if self._closed:
            return
        self._pending += 1
        signal.emit(*args)

    @Slot(object)
    def _on_opened(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.catalogue_opened.emit(catalogue.location)

    @Slot()
    def _on_done(self) -> None:
        self._pending -= 1
