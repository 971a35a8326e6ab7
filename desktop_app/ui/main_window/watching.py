"""Watched folders in the app: "Watch This Folder…" and "Stop Watching" for the library chosen in the
sidebar, and, while the app is open, its watched libraries watched (ui/workers/watching.py): photos that
arrive are listed in the grid and queued; the app's job queue captions them."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.photos import display_path
from desktop_app.plugin_registry import PluginRegistry
from desktop_app.services.libraries import WatchSettings
from desktop_app.services.watching import WatchReport
from desktop_app.ui import wording
from desktop_app.ui.dialogs.watch import WatchDialog
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.workers.backend import LibrarySummary
from desktop_app.ui.workers.inference import InferenceService
from desktop_app.ui.workers.watching import WatchService


class WatchController(WindowController):
    """``photos_arrived(library id)``: a watched library's photos changed (list them again);
    ``libraries_changed``: a library's watch settings changed (list the libraries again)."""

    photos_arrived = Signal(int)
    libraries_changed = Signal()

    def __init__(self, service: WatchService, inference: InferenceService, libraries: LibraryList,
                 registry: Callable[[], PluginRegistry], watch: QAction, stop: QAction,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.service, self.inference, self._libraries = service, inference, libraries
        self._registry, self._parent = registry, parent
        self._watch, self._stop = watch, stop
        self.read_only = False
        self.dialog: WatchDialog | None = None  # the one open, for tests
        libraries.context_actions = [*libraries.context_actions, watch, stop]
        watch.triggered.connect(self.open_dialog)
        stop.triggered.connect(self._stop_current)
        libraries.location_selected.connect(lambda _library, _folder: self._update_actions())
        service.scanned.connect(self._on_scanned)
        service.watch_changed.connect(self._on_watch_changed)
        service.unavailable.connect(self.error)
        service.failed.connect(self.error)

    def open(self, catalogue: Catalogue, read_only: bool) -> None:
        """Watch ``catalogue``'s watched libraries while the app is open (not in a read-only one)."""
        self.read_only = read_only
        if not read_only:
            self.service.open(catalogue)
        self._update_actions()

    @Slot(object)
    def libraries_loaded(self, _libraries: list[LibrarySummary]) -> None:
        self._update_actions()

    @Slot()
    def open_dialog(self) -> WatchDialog | None:
        """Ask how to watch the chosen library; stored (and watched) when accepted."""
        library = self._chosen()
        if library is None:
            return None
        registry = self._registry()
        current = WatchSettings.from_json(library.watch) if library.watch else None
        self.dialog = WatchDialog(list(registry.captioners.values()), list(registry.taggers.values()),
                                  library.name, current, self._parent)
        self.dialog.accepted.connect(lambda: self.service.set_watch(library.id, self.dialog.settings()
                                                                    if self.dialog else None))
        self.dialog.open()
        return self.dialog

    def _chosen(self) -> LibrarySummary | None:
        return self._libraries.library(self._libraries.selected_id())

    @Slot()
    def _stop_current(self) -> None:
        library = self._chosen()
        if library is not None and bool(library.watch):
            self.service.set_watch(library.id, None)

    def _update_actions(self) -> None:
        library = self._chosen()
        self._watch.setEnabled(library is not None and not self.read_only)
        self._stop.setEnabled(library is not None and bool(library.watch) and not self.read_only)

    @Slot(int, object)
    def _on_watch_changed(self, _library_id: int, settings: WatchSettings | None) -> None:
        library = self._libraries.library(_library_id)
        name = display_path(library.name) if library is not None else str(_library_id)
        self.status.emit(self.tr("Watching {name}: new photos are queued as they arrive").format(name=name)
                         if settings is not None else self.tr("Stopped watching {name}").format(name=name))
        self.libraries_changed.emit()

    @Slot(object)
    def _on_scanned(self, report: WatchReport) -> None:
        if report.anything:
            parts = [text.format(count=wording.number(count)) for count, text in (
                (report.new, self.tr("{count} new")), (report.changed, self.tr("{count} changed")),
                (report.moved, self.tr("{count} moved")), (report.missing, self.tr("{count} missing")))
                if count]
            self.status.emit(self.tr("{folder}: {changes}").format(
                folder=display_path(report.root), changes=", ".join(parts) or self.tr("files that cannot "
                                                                                      "be read")))
            self.photos_arrived.emit(report.library_id)
        if any(report.queued.values()):
            self.inference.wake()  # the standing jobs have photos: the job queue takes them
