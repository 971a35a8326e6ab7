"""The watch worker: watches the catalogue's watched libraries while the app is open (services/watching.py:
the watchers run on threads of their own; this worker starts, changes and stops them, and stores a
library's watch settings, off the GUI thread). Each batch of changes arrives as ``scanned``: the window
lists the library's photos again and wakes the job queue, which captions the standing jobs' photos."""

from __future__ import annotations

import threading

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from desktop_app.catalogue import Catalogue
from desktop_app.services.libraries import WatchSettings, set_watch
from desktop_app.services.watching import LibraryWatcher, check_watch
from desktop_app.ui.workers.threaded import Service, Worker, request


class WatchWorker(Worker):
    scanned = Signal(object)  # services.watching.WatchReport, from a watcher's thread
    watch_changed = Signal(int, object)  # library id, its WatchSettings (None: no longer watched)
    unavailable = Signal(str)  # a watched library's folder is not on this machine: one line

    def __init__(self) -> None:
        super().__init__()
        self.watcher: LibraryWatcher | None = None
        self._lock = threading.Lock()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot watch the libraries"))
    def open(self, catalogue: Catalogue) -> None:
        """Watch ``catalogue``'s watched libraries (each caught up first, on its watcher's thread)."""
        from desktop_app.plugin_registry import load_plugins

        self.close()
        self.catalogue = catalogue
        self.watcher = LibraryWatcher(catalogue, load_plugins(), self.scanned.emit)
        self._refresh()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot change how library {0} is watched"))
    def set_watch(self, library_id: int, settings: WatchSettings | None) -> None:
        """Store a library's watch settings (checked first: an unknown captioner is one line on
        ``failed``), then watch as they say."""
        catalogue = self.require_catalogue()
        if settings is not None:
            assert self.watcher is not None
            settings = check_watch(catalogue, self.watcher.registry, settings)
        set_watch(catalogue, library_id, settings)
        self.watch_changed.emit(library_id, settings)
        self._refresh()

    def _refresh(self) -> None:
        if self.watcher is not None:
            for problem in self.watcher.refresh():
                self.unavailable.emit(problem)

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None


class WatchService(Service):
    """The window's handle on the watch worker."""

    scanned = Signal(object)
    watch_changed = Signal(int, object)
    unavailable = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        worker = WatchWorker()
        super().__init__(worker, "watching", parent)
        self.worker = worker

    def set_watch(self, library_id: int, settings: WatchSettings | None) -> None:
        self.call(self.worker.set_watch, library_id, settings)
