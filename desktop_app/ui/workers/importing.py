"""Photos dropped or pasted into a library, brought in on a thread of their own (services/importing.py):
a download may take its whole time-out, and copying a large file from a network share is slow, so
neither may freeze the window or wait behind the catalogue thread's listings. Items are done one at a
time and each is answered as it ends; ``stop`` (closing the window) ends the run, a download at its
next chunk."""

from __future__ import annotations

import threading

from PySide6.QtCore import QT_TRANSLATE_NOOP, QBuffer, QByteArray, QIODevice, QObject, Signal
from PySide6.QtGui import QImage

from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.library.web_fetch import FetchLimits
from desktop_app.services import importing
from desktop_app.ui.workers.threaded import Service, Worker, request


class ImportWorker(Worker):
    started = Signal(int)  # items to bring in
    item_done = Signal(int, int, object)  # done, total, Imported
    finished = Signal(str, object)  # the folder, list[Imported]

    def __init__(self, thumbnails: ThumbnailCache | None, stop: threading.Event) -> None:
        super().__init__()
        self.thumbnails = thumbnails
        self.stop = stop

    def _scanner(self) -> Scanner:
        return Scanner(self.require_catalogue(), thumbnails=self.thumbnails)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot import into {1}"))
    def import_sources(self, sources: list[str], folder: str, limits: FetchLimits) -> None:
        catalogue = self.require_catalogue()
        self.started.emit(len(sources))
        results = importing.import_sources(
            catalogue, sources, folder, limits, self._scanner(), stop=self.stop, files=True,
            progress=lambda done, total, item: self.item_done.emit(done, total, item))
        self.finished.emit(folder, results)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot save the pasted image in {1}"))
    def import_image(self, image: QImage, folder: str) -> None:
        catalogue = self.require_catalogue()
        self.started.emit(1)
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not image.save(buffer, "PNG"):  # encoded here: a large screenshot takes a moment
            raise OSError("the image cannot be encoded as PNG")
        buffer.close()
        item = importing.import_image(catalogue, bytes(data.data()), folder, scanner=self._scanner())
        self.item_done.emit(1, 1, item)
        self.finished.emit(folder, [item])


class ImportService(Service):
    """The GUI thread's handle on the import thread; ``shutdown`` stops a download at its next chunk."""

    started = Signal(int)
    item_done = Signal(int, int, object)
    finished = Signal(str, object)
    failed = Signal(str)

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QObject | None = None) -> None:
        self._stop = threading.Event()
        worker = ImportWorker(thumbnails, self._stop)
        super().__init__(worker, "import", parent)
        self.worker = worker

    def import_sources(self, sources: list[str], folder: str, limits: FetchLimits) -> None:
        """Bring ``sources`` (web addresses and files) into ``folder``."""
        self.call(self.worker.import_sources, list(sources), folder, limits)

    def import_image(self, image: QImage, folder: str) -> None:
        """Save ``image`` (pasted) as a PNG in ``folder``."""
        self.call(self.worker.import_image, QImage(image), folder)  # a copy: the clipboard's may change

    def stop(self) -> None:
        self._stop.set()

    def busy(self) -> bool:
        return self.pending > 0
