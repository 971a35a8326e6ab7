"""Settings: the settings dialog, and what changes at once when the user saves it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.plugin_registry import PluginRegistry
from desktop_app.settings import Settings
from desktop_app.ui import themes
from desktop_app.ui.dialogs.settings import SettingsDialog
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.workers.backend import Backend
from desktop_app.ui.workers.inference import InferenceService


class SettingsController(WindowController):
    applied = Signal(object)  # the Settings just saved

    def __init__(self, backend: Backend, inference: InferenceService, registry: Callable[[], PluginRegistry],
                 settings_action: QAction, parent: QWidget) -> None:
        super().__init__(parent)
        self._backend, self._inference, self._registry, self._parent = backend, inference, registry, parent
        settings_action.triggered.connect(self.open_dialog)

    @Slot()
    def open_dialog(self) -> SettingsDialog:
        location = self._backend.catalogue.location if self._backend.catalogue else None
        # The window's plugin registry, loaded once, rather than the dialog loading the plugins again.
        dialog = SettingsDialog(captioners=list(self._registry().captioners.values()),
                                current_catalogue=location, parent=self._parent)
        dialog.settings_changed.connect(self._apply)
        dialog.open()
        return dialog

    @Slot(object)
    def _apply(self, settings: Settings) -> None:
        # Thumbnails made from now on use the new size; captioning picks its settings up at the next job.
        self._backend.thumbnails.size = settings.library.thumbnail_size
        self._inference.apply_settings()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            themes.look(app).apply(settings.appearance)  # the theme changes at once
        self.applied.emit(settings)
        self.status.emit(self.tr("Settings saved"))
