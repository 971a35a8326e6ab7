"""Photos brought into a library from outside the app: files and web addresses dropped on a library in
the sidebar or on the grid showing one, and images (or addresses, or files) pasted with Ctrl+V / Edit >
Paste. Files are copied (never moved), addresses fetched, pasted images saved as PNG, all on the import
thread (workers/importing.py) through services/importing.py, as `photo-annotator import` does; each
failure is its own message, the rest go on; the photos are captioned after when the import setting
names a captioner."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QMimeData, QObject, QPoint, Signal, Slot
from PySide6.QtGui import QAction, QClipboard, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QAbstractItemView, QApplication, QProgressBar, QWidget

from desktop_app.catalogue.photos import display_path
from desktop_app.catalogue.roots import local_root
from desktop_app.services.importing import CLIPBOARD, is_web_address, limits
from desktop_app.settings import load_settings
from desktop_app.ui import wording
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.widgets.library_list import FOLDER_ROLE, ID_ROLE, LibraryList
from desktop_app.ui.workers.importing import ImportService

Target = tuple[int, str]  # a library's id, and the folder on disk the photos go into


def dropped(mime: QMimeData) -> tuple[list[str], QImage | None]:
    """What a drop or the clipboard holds: files (local paths) and web addresses, else an image."""
    sources = [url.toLocalFile() if url.isLocalFile() else url.toString() for url in mime.urls()]
    if not sources and mime.hasText():  # an address copied as text: one per line
        sources = [line.strip() for line in mime.text().splitlines() if is_web_address(line.strip())]
    image = QImage(mime.imageData()) if not sources and mime.hasImage() else None
    return [source for source in sources if source], None if image is None or image.isNull() else image


class DropFilter(QObject):
    """Takes drops on an item view's viewport: ``target(position)`` says where the photos go (None: not
    here), ``on_drop(target, sources, image)`` brings them in. An event filter, so the views themselves
    need no change."""

    def __init__(self, view: QAbstractItemView, target: Callable[[QPoint], Target | None],
                 on_drop: Callable[[Target, list[str], QImage | None], None]) -> None:
        super().__init__(view)
        self._target, self._on_drop = target, on_drop
        view.setAcceptDrops(True)
        view.viewport().setAcceptDrops(True)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        assert isinstance(event, QDragEnterEvent | QDropEvent)
        sources, image = dropped(event.mimeData())
        target = self._target(event.position().toPoint())
        if target is None or not (sources or image is not None):
            event.ignore()
            return True
        event.acceptProposedAction()
        if kind == QEvent.Type.Drop:
            self._on_drop(target, sources, image)
        return True


class ImportController(WindowController):
    """``grid_target()`` is where photos dropped on the grid go (the library and folder it shows);
    ``photos_changed(library id)``: list again; ``caption_wanted(captioner id, photo ids)``: the import
    setting asks for the new photos to be captioned."""

    photos_changed = Signal(object)
    caption_wanted = Signal(str, object)

    def __init__(self, service: ImportService, libraries: LibraryList, grid: QAbstractItemView,
                 grid_target: Callable[[], Target | None], progress: QProgressBar, paste: QAction,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.service, self._libraries, self._progress = service, libraries, progress
        self._grid_target = grid_target
        self._targets: list[Target] = []  # one per run queued, in order
        self.read_only = False
        self.sidebar_drops = DropFilter(libraries, self._sidebar_target, self.bring_in)
        self.grid_drops = DropFilter(grid, lambda _position: self._grid_target(), self.bring_in)
        paste.triggered.connect(self.paste)
        service.started.connect(self._on_started)
        service.item_done.connect(self._on_item)
        service.finished.connect(self._on_finished)
        service.failed.connect(self._on_failed)

    def _sidebar_target(self, position: QPoint) -> Target | None:
        item = self._libraries.itemAt(position)
        if item is None:
            return None
        library = self._libraries.library(item.data(0, ID_ROLE))
        if library is None:
            return None
        folder = item.data(0, FOLDER_ROLE)
        here = local_root(library.root)
        return library.id, os.path.join(here, *folder.split("/")) if folder else here

    def current_target(self) -> Target | None:
        """Where pasted photos go: the library or folder the grid shows."""
        return self._grid_target()

    @Slot()
    def paste(self) -> None:
        """Ctrl+V: the clipboard's image, addresses or files into the library shown."""
        sources, image = dropped(QApplication.clipboard().mimeData(QClipboard.Mode.Clipboard))
        target = self.current_target()
        if target is None:
            self.error.emit(self.tr("Choose a library to paste into first"))
        elif not sources and image is None:
            self.error.emit(self.tr("The clipboard holds no image, web address or photo file to paste"))
        else:
            self.bring_in(target, sources, image)

    def bring_in(self, target: Target, sources: list[str], image: QImage | None) -> None:
        """Copy, fetch or save what was dropped or pasted into ``target``, off the GUI thread."""
        if self.read_only:
            self.error.emit(self.tr("This catalogue is read-only: no photos can be added"))
            return
        folder = target[1]
        self._targets.append(target)
        if sources:
            self.service.import_sources(sources, folder, limits(load_settings().importing))
        elif image is not None:
            self.service.import_image(image, folder)

    @Slot(int)
    def _on_started(self, total: int) -> None:
        self._progress.setRange(0, max(total, 1))
        self._progress.setValue(0)
        self._progress.show()
        self.status.emit(self.tr("Importing {count}…").format(count=wording.photos(total)))

    @Slot(int, int, object)
    def _on_item(self, done: int, total: int, item: object) -> None:
        self._progress.setValue(done)
        source = getattr(item, "source", "")
        shown = self.tr("the pasted image") if source == CLIPBOARD else display_path(source)
        error = getattr(item, "error", None)
        if error:  # each failure is its own message; the rest go on
            self.error.emit(self.tr("Not imported: {source}: {reason}").format(source=shown, reason=error))
        else:
            self.status.emit(self.tr("Imported {done} of {total}: {source}").format(
                done=wording.number(done), total=wording.number(total), source=shown))

    @Slot(str, object)
    def _on_finished(self, folder: str, results: list[Any]) -> None:
        library_id = self._targets.pop(0)[0] if self._targets else None
        if not self._targets:
            self._progress.hide()
        imported = [item.photo_id for item in results if item.ok and item.photo_id is not None]
        failed = sum(not item.ok for item in results)
        text = self.tr("Imported {photos} into {folder}").format(
            photos=wording.photos(len(imported)), folder=display_path(os.path.basename(folder) or folder))
        if failed:
            text += self.tr("; {count} not imported").format(count=wording.number(failed))
        self.status.emit(text)
        self.photos_changed.emit(library_id)
        captioner = load_settings().importing.caption
        if imported and captioner:
            self.caption_wanted.emit(captioner, imported)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if self._targets:
            self._targets.pop(0)
        if not self._targets:
            self._progress.hide()
        self.error.emit(message)
