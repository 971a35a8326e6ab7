"""The change worker: follows what other editors and captioning machines change in the catalogue
(services.changes: LISTEN/NOTIFY on PostgreSQL, polling on SQLite) on a thread of its own ("changes"),
and tells the window which photos' captions and keywords changed, so that it shows them within a few
seconds. The window refreshes those photos' grid rows and detail pane, never over text being typed."""

from __future__ import annotations

import threading

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from desktop_app.catalogue import Catalogue
from desktop_app.services.changes import ChangeWatcher
from desktop_app.ui.workers.threaded import Service, Worker, request


class ChangeWorker(Worker):
    changed = Signal(object)  # services.changes.Changes

    @request(QT_TRANSLATE_NOOP("Worker", "cannot follow other editors' changes"))
    def watch(self, stop: threading.Event) -> None:
        """Pass changes on until ``stop`` is set: the one long call this worker serves."""
        ChangeWatcher(self.require_catalogue()).run(stop, self.changed.emit)


class ChangeService(Service):
    """The window's handle on the change worker. ``changed`` carries each batch of changes (a Changes:
    the photos whose captions, and whose keywords, changed; ``everything`` after a lost connection)."""

    changed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        worker = ChangeWorker()
        super().__init__(worker, "changes", parent)
        self.worker = worker
        self._stop = threading.Event()

    def watch(self, catalogue: Catalogue) -> None:
        """Follow ``catalogue``'s changes from now on (instead of the one followed before, if any)."""
        self._stop.set()  # the watch running returns; the next one has a stop of its own
        self._stop = threading.Event()
        self.open(catalogue)
        self.call(self.worker.watch, self._stop)

    def stop(self) -> None:
        self._stop.set()
