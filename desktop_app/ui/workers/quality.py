"""The Quality view's data: the quality report (services/quality.py) read on a thread of its own, never on
the GUI thread (a catalogue of a million decisions takes a good part of a second)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from desktop_app.services.quality import quality_report
from desktop_app.ui.workers.threaded import Service, Worker, request


class QualityWorker(Worker):
    loaded = Signal(int, object)  # request token, the QualityReport

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read the quality report"))
    def load(self, token: int, since: date | None) -> None:
        self.loaded.emit(token, quality_report(self.require_catalogue(), since=since))


class QualityService(Service):
    """The Quality view's handle on its worker; ``loaded`` answers each ``load`` with its token."""

    loaded = Signal(int, object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        worker = QualityWorker()
        super().__init__(worker, "quality", parent)
        self.worker = worker
        self._token = 0

    def load(self, since: date | None) -> int:
        """Read the report of the weeks from the one holding ``since`` on (None: all); its token."""
        self._token += 1
        self.call(self.worker.load, self._token, since)
        return self._token
