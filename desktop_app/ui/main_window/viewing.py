"""Viewing: the thumbnail size (slider, Ctrl+wheel, View menu keys) and the full-window preview.

The full-window preview takes the place of the grid and the panes in the window's central stack. It has
no current photo of its own: the grid's is shown, every move goes through the BrowseController (so the
selection, the current photo and the detail pane agree), and the review keys act on the detail pane's
photo, which is that one. Esc brings the grid back at the photo reached.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QStackedWidget, QWidget

from desktop_app.catalogue.models import CaptionKind
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.main_window.browsing import BrowseController
from desktop_app.ui.widgets.detail.pane import DetailPane
from desktop_app.ui.widgets.full_preview import FullPreview
from desktop_app.ui.widgets.photo_grid import THUMBNAIL_BOX, PhotoGrid, PhotoListModel
from desktop_app.ui.widgets.thumbnail_size import ThumbnailSizeSlider


class ViewController(WindowController):
    def __init__(self, browse: BrowseController, grid: PhotoGrid, model: PhotoListModel, detail: DetailPane,
                 stack: QStackedWidget, full_preview: FullPreview, slider: ThumbnailSizeSlider,
                 actions: dict[MainAction, QAction], parent: QWidget) -> None:
        super().__init__(parent)
        self.browse, self.grid, self.model, self.detail = browse, grid, model, detail
        self.stack, self.full_preview, self.slider = stack, full_preview, slider

        slider.side_chosen.connect(grid.set_thumbnail_side)
        grid.thumbnail_side_changed.connect(slider.show_side)
        actions[MainAction.LARGER_THUMBNAILS].triggered.connect(lambda: grid.step_thumbnail_side(1))
        actions[MainAction.SMALLER_THUMBNAILS].triggered.connect(lambda: grid.step_thumbnail_side(-1))
        actions[MainAction.DEFAULT_THUMBNAILS].triggered.connect(
            lambda: grid.set_thumbnail_side(THUMBNAIL_BOX.width()))

        actions[MainAction.FULL_PREVIEW].triggered.connect(self.toggle_full_preview)
        grid.preview_requested.connect(self.open_full_preview)
        full_preview.close_requested.connect(self.close_full_preview)
        full_preview.step_requested.connect(browse.select_neighbour)
        # select_neighbour clamps to the first and last photo.
        full_preview.edge_requested.connect(
            lambda last: browse.select_neighbour(model.rowCount() if last else -model.rowCount()))
        # The review keys where the pane's own copies cannot reach (it is hidden behind the preview).
        shortcuts = detail.review_box.shortcuts
        full_preview.addActions([shortcuts.approve_and_next, shortcuts.reject_and_next, shortcuts.previous,
                                 shortcuts.next, shortcuts.undo, shortcuts.redo])
        shortcuts.edit.triggered.connect(self._edit)
        grid.selectionModel().currentChanged.connect(self._refresh)
        model.dataChanged.connect(self._on_data_changed)
        model.modelReset.connect(self._refresh)
        detail.preview.content_changed.connect(self._mirror)

    # -- the full-window preview -------------------------------------------------------------------------

    def is_full_preview(self) -> bool:
        return self.stack.currentWidget() is self.full_preview

    @Slot()
    def toggle_full_preview(self) -> None:
        if self.is_full_preview():
            self.close_full_preview()
        else:
            self.open_full_preview()

    @Slot()
    def open_full_preview(self) -> None:
        if self.browse.selected_row() is None:
            self.status.emit(self.tr("No photo to preview: choose one in the grid first"))
            return
        # The preview shows the description, so its review keys act on the description (and stay on it).
        self.detail.review_box.choose_kind(CaptionKind.DESCRIPTION)
        self.detail.review_box.kind_switch.actions_group.setEnabled(False)
        self.stack.setCurrentWidget(self.full_preview)
        self._refresh()
        self.full_preview.view.mirror(self.detail.preview)
        self.full_preview.setFocus()

    @Slot()
    def close_full_preview(self) -> None:
        if not self.is_full_preview():
            return
        self.stack.setCurrentIndex(0)
        self.detail.review_box.kind_switch.actions_group.setEnabled(True)
        current = self.grid.currentIndex()
        if current.isValid():
            self.grid.scrollTo(current)
        self.grid.setFocus()

    @Slot()
    def _edit(self) -> None:
        """F2 in the preview: the caption editor lives in the pane, so back to it, then edit."""
        if self.is_full_preview():
            self.close_full_preview()
            self.detail.review_box.shortcuts.edit.trigger()  # now that the editor can take the focus

    @Slot()
    def _refresh(self) -> None:
        if not self.is_full_preview():
            return  # not shown: opening refreshes it
        row = self.browse.selected_row()
        number = self.grid.currentIndex().row()
        self.full_preview.show_row(row, number, self.model.rowCount())

    @Slot(QModelIndex, QModelIndex)
    def _on_data_changed(self, first: QModelIndex, last: QModelIndex) -> None:
        current = self.grid.currentIndex()
        if current.isValid() and first.row() <= current.row() <= last.row():
            self._refresh()  # the caption was reviewed or a job stored a new draft

    @Slot()
    def _mirror(self) -> None:
        if self.is_full_preview():
            self.full_preview.view.mirror(self.detail.preview)
