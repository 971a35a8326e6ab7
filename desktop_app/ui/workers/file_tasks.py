"""Work on the photo files themselves (writing captions into them, exporting), on a thread of its own.

Writing metadata into thousands of files or copying a dataset takes minutes on a network share: it
must neither freeze the window nor wait behind the catalogue thread's listings. One task runs at a
time; each is a plain function of the catalogue, so the window and the CLI run the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app.catalogue import Catalogue
from desktop_app.errors import one_line

log = logging.getLogger(__name__)

Task = Callable[[Catalogue], Any]


class FileTaskWorker(QObject):
    finished = Signal(str, object)  # task name, what the task returned (a report)
    failed = Signal(str, str)  # task name, one line

    def __init__(self) -> None:
        super().__init__()
        self.catalogue: Catalogue | None = None

    @Slot(object)
    def open(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue

    @Slot(str, object)
    def run(self, name: str, task: Task) -> None:
        if self.catalogue is None:
            self.failed.emit(name, "the catalogue is not open")
            return
        try:
            result = task(self.catalogue)
        except Exception as exc:  # any failure reaches the window as one line; the thread lives on
            log.warning("%s failed: %s", name, one_line(exc))
            log.debug("%s failed", name, exc_info=True)
            self.failed.emit(name, one_line(exc))
            return
        self.finished.emit(name, result)

    @Slot()
    def shutdown(self) -> None:
        self.thread().quit()


class FileTasks(QObject):
    """The GUI thread's handle on the files thread; signals arrive on the GUI thread."""

    finished = Signal(str, object)
    failed = Signal(str, str)
    _open_requested = Signal(object)
    _run_requested = Signal(str, object)
    _shutdown_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.running = 0
        self.thread = QThread(self)
        self.thread.setObjectName("files")
        self.worker = FileTaskWorker()
        self.worker.moveToThread(self.thread)
        self.thread.finished.connect(self.worker.deleteLater)
        self._open_requested.connect(self.worker.open)
        self._run_requested.connect(self.worker.run)
        self._shutdown_requested.connect(self.worker.shutdown)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.thread.start()

    def open(self, catalogue: Catalogue) -> None:
        self._open_requested.emit(catalogue)

    def run(self, name: str, task: Task) -> None:
        """Run ``task(catalogue)`` on the files thread; ``finished`` or ``failed`` carries ``name`` back."""
        self.running += 1
        self._run_requested.emit(name, task)

    def shutdown(self) -> None:
        """Wait for the running task (a file write is never cut in half), then stop the thread."""
        if self.thread.isRunning():
            self._shutdown_requested.emit()
            self.thread.wait()

    @Slot(str, object)
    def _on_finished(self, name: str, result: Any) -> None:
        self.running -= 1
        self.finished.emit(name, result)

    @Slot(str, str)
    def _on_failed(self, name: str, message: str) -> None:
        self.running -= 1
        self.failed.emit(name, message)
