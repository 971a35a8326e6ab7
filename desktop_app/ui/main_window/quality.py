"""The Quality view (View > Quality over Time…), opened on the window's catalogue."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from desktop_app.ui.dialogs.quality import QualityDialog
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.workers.backend import Backend


class QualityController(WindowController):
    def __init__(self, backend: Backend, quality_action: QAction, parent: QWidget) -> None:
        super().__init__(parent)
        self._backend, self._parent = backend, parent
        self.dialog: QualityDialog | None = None
        quality_action.triggered.connect(self.open_dialog)

    @Slot()
    def open_dialog(self) -> QualityDialog:
        """The view, beside the window (not modal: the editor may keep reviewing); shown again if open."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = QualityDialog(self._backend.catalogue, parent=self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "dialog", None))
        dialog.show()
        self.dialog = dialog
        return dialog
