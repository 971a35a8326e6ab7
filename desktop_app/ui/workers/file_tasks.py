"""Work on the photo files themselves (writing captions into them, exporting), on a thread of its own.

Writing metadata into thousands of files or copying a dataset takes minutes on a network share: it
must neither freeze the window nor wait behind the catalogue thread's listings. One task runs at a
time; each is a plain function of the catalogue (a service: desktop_app/services/exports.py,
metadata.py), so the window and the CLI run the same code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from desktop_app.catalogue import Catalogue
from desktop_app.errors import one_line
from desktop_app.ui.workers.threaded import Service, Worker, request

log = logging.getLogger(__name__)

Task = Callable[[Catalogue], Any]


class FileTaskWorker(Worker):
    finished = Signal(str, object)  # task name, what the task returned (a report)
    task_failed = Signal(str, str)  # task name, one line

    @request(QT_TRANSLATE_NOOP("Worker", "cannot run {0}"))
    def run(self, name: str, task: Task) -> None:
        if self.catalogue is None:
            self.task_failed.emit(name, self.tr("the catalogue is not open"))
            return
        try:
            result = task(self.catalogue)
        except Exception as exc:  # the task's failure carries its name back
            log.warning("%s failed: %s", name, one_line(exc))
            log.debug("%s failed", name, exc_info=True)
            self.task_failed.emit(name, one_line(exc))
            return
        self.finished.emit(name, result)


class FileTasks(Service):
    """The GUI thread's handle on the files thread. ``shutdown`` waits for the running task and the ones
    queued: a file write is never cut in half, and what was asked for is written."""

    finished = Signal(str, object)  # task name, its report
    failed = Signal(str, str)  # task name, one line

    def __init__(self, parent: QObject | None = None) -> None:
        worker = FileTaskWorker()
        super().__init__(worker, "files", parent, renamed={"task_failed": "failed"})
        self.worker = worker

    def run(self, name: str, task: Task) -> None:
        """Run ``task(catalogue)`` on the files thread; ``finished`` or ``failed`` carries ``name`` back."""
        self.call(self.worker.run, name, task)
