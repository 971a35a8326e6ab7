"""Scanning: adding a folder, rescanning a library, the scan's progress and summary, the sample
library of a fresh catalogue, and removing a library from the catalogue."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressBar, QWidget

from desktop_app import locations
from desktop_app.catalogue.photos import display_path
from desktop_app.library.scanner import ScanReport
from desktop_app.ui import wording
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.widgets.image_loading import ThumbnailLoader
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.workers.backend import Backend, LibrarySummary

translate = QCoreApplication.translate


def _folder_name(folder: str) -> str:
    return display_path(os.path.basename(os.path.normpath(folder)) or folder)


def scan_summary(report: ScanReport) -> str:
    """One status-bar line: what a scan found and changed."""
    parts = [wording.files(report.found)]
    for count, text in ((report.new, QT_TRANSLATE_NOOP("ScanController", "{count} new")),
                        (report.updated, QT_TRANSLATE_NOOP("ScanController", "{count} updated")),
                        (report.moved, QT_TRANSLATE_NOOP("ScanController", "{count} moved")),
                        (report.missing, QT_TRANSLATE_NOOP("ScanController", "{count} missing")),
                        (len(report.errors), QT_TRANSLATE_NOOP("ScanController", "{count} cannot be read"))):
        if count:
            parts.append(translate("ScanController", text).format(count=wording.number(count)))
    if report.imported:
        parts.insert(-1 if report.errors else len(parts), translate(
            "ScanController", "{captions} imported from the files").format(
                captions=wording.captions(report.imported)))
    if report.skipped_folders:
        parts.append(translate("ScanController", "{folders} skipped").format(
            folders=wording.folders(len(report.skipped_folders))))
    text = translate("ScanController", "Scan of {folder} stopped: {summary} ({seconds} s)") \
        if report.cancelled else translate("ScanController", "Scanned {folder}: {summary} ({seconds} s)")
    return text.format(folder=_folder_name(report.root), summary=", ".join(parts),
                       seconds=wording.number(report.seconds, 1))


class ScanController(WindowController):
    """Runs the scans and library removals the user asks for. ``library_wanted(id)``: show this
    library when the libraries are listed again; ``photos_changed(id)``: the photos of this library
    changed (None: any); ``warning(text)``: a message to show that is no failure (the photos are fine)."""

    library_wanted = Signal(int)
    photos_changed = Signal(object)
    warning = Signal(str)

    def __init__(self, backend: Backend, libraries: LibraryList, thumbnails: ThumbnailLoader,
                 progress: QProgressBar, add_folder: QAction, rescan: QAction, remove_library: QAction,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.backend, self._libraries = backend, libraries
        self._thumbnails, self._progress = thumbnails, progress
        self._parent = parent
        self._select_after: set[str] = set()
        self._pending = 0
        self._library_actions = (rescan, remove_library)
        self.read_only = False  # a catalogue that may only be read: no rescan, no removal
        add_folder.triggered.connect(self._choose_folder)
        rescan.triggered.connect(self._rescan_current)
        remove_library.triggered.connect(self._remove_current_library)
        libraries.context_actions = [rescan, remove_library]
        backend.scan_started.connect(self._on_started)
        backend.scan_progress.connect(self._on_progress)
        backend.scan_finished.connect(self._on_finished)
        backend.scan_failed.connect(self._on_failed)
        backend.libraries_loaded.connect(self._on_libraries_loaded)
        backend.library_removed.connect(self._on_library_removed)

    def scan(self, folder: str, select: bool = True) -> None:
        """Add or refresh ``folder`` in the background; with ``select``, show it when done."""
        self._pending += 1
        if select:
            self._select_after.add(folder)
        self.backend.scan(folder)

    def busy(self) -> bool:
        return bool(self._pending)

    @Slot()
    def add_sample_library(self) -> None:
        try:
            sample = locations.sample_library_dir()
        except FileNotFoundError as exc:
            self.error.emit(str(exc))
            return
        self.status.emit(self.tr("Adding the sample library…"))
        self.scan(str(sample))

    @Slot()
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self._parent, self.tr("Add a folder of photos"),
                                                  str(Path.home()))
        if folder:
            self.scan(folder)

    @Slot()
    def _rescan_current(self) -> None:
        library = self._libraries.library(self._libraries.selected_id())
        if library is not None:
            self.scan(library.root, select=False)

    @Slot(str)
    def _on_started(self, folder: str) -> None:
        self._progress.setRange(0, 0)  # busy until the walk has counted the files
        self._progress.show()
        self.status.emit(self.tr("Scanning {folder}…").format(folder=_folder_name(folder)))

    @Slot(str, int, int)
    def _on_progress(self, folder: str, done: int, total: int) -> None:
        self._progress.setRange(0, max(total, 1))
        self._progress.setValue(done if total else 1)
        if total:
            text = self.tr("Scanning {folder}… {done}/{total}").format(
                folder=_folder_name(folder), done=wording.number(done), total=wording.number(total))
        else:
            text = self.tr("Scanning {folder}… no new or changed files").format(folder=_folder_name(folder))
        self.status.emit(text)

    @Slot(str, object)
    def _on_finished(self, folder: str, report: ScanReport) -> None:
        self._ended()
        self.status.emit(scan_summary(report))
        if report.thumbnail_warning:  # the photos are fine: one message per scan, not one per photo
            self.warning.emit(report.thumbnail_warning)
        self._thumbnails.forget_failures()
        if folder in self._select_after:
            self._select_after.discard(folder)
            inside = os.path.relpath(os.path.realpath(folder), report.root)
            if os.path.isdir(folder) and inside != "." and not inside.startswith(".."):
                # A folder inside a library: show that folder, not the whole library.
                self._libraries.select_when_listed(report.library_id, inside.replace(os.sep, "/"))
            else:
                self.library_wanted.emit(report.library_id)
        self.photos_changed.emit(report.library_id)
        self.backend.load_libraries()

    @Slot(str, str)
    def _on_failed(self, folder: str, message: str) -> None:
        self._ended()
        self._select_after.discard(folder)
        self.error.emit(message)

    def _ended(self) -> None:
        self._pending -= 1
        if not self._pending:
            self._progress.hide()

    @Slot(object)
    def _on_libraries_loaded(self, libraries: list[LibrarySummary]) -> None:
        for action in self._library_actions:
            action.setEnabled(bool(libraries) and not self.read_only)

    @Slot()
    def _remove_current_library(self) -> None:
        library = self._libraries.library(self._libraries.selected_id())
        if library is None:
            return
        answer = QMessageBox.question(
            self._parent, self.tr("Remove library"),
            self.tr("Remove “{name}” from the catalogue?\n\nIts {photos} and all their captions and caption "
                    "history leave the catalogue, including captions people wrote or approved that were "
                    "not written into the files. The photo files themselves are not touched; adding the "
                    "folder again scans them anew.").format(name=library.name,
                                                            photos=wording.photos(library.photos)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.backend.remove_library(library.id)

    @Slot(str, int, int)
    def _on_library_removed(self, name: str, photos: int, by_people: int) -> None:
        if by_people:
            text = self.tr("Removed {name} from the catalogue ({photos} and {captions} by people)").format(
                name=display_path(name), photos=wording.photos(photos), captions=wording.captions(by_people))
        else:
            text = self.tr("Removed {name} from the catalogue ({photos})").format(
                name=display_path(name), photos=wording.photos(photos))
        self.status.emit(text)
        self.photos_changed.emit(None)  # the library shown may be the one removed: list again
        self.backend.load_libraries()
