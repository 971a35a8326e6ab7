"""The thumbnail size control at the right of the status bar (as in digiKam and Lightroom): a slider
from the smallest thumbnails offered to the size they are made at."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSlider, QWidget

from desktop_app.ui.widgets.photo_grid import MAX_THUMBNAIL, MIN_THUMBNAIL, THUMBNAIL_BOX, THUMBNAIL_STEP


class ThumbnailSizeSlider(QSlider):
    """``side_chosen(side)`` when the user moves it; ``show_side`` follows the grid without echoing.

    ``sharp_up_to`` is the largest side the thumbnails fill on this screen (their made size divided by
    the screen's pixel ratio): beyond it they are shown at their own size, never enlarged, and the
    tooltip says so."""

    side_chosen = Signal(int)

    def __init__(self, sharp_up_to: int = MAX_THUMBNAIL, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.sharp_up_to = sharp_up_to
        self.setRange(MIN_THUMBNAIL, MAX_THUMBNAIL)
        self.setSingleStep(THUMBNAIL_STEP // 2)
        self.setPageStep(THUMBNAIL_STEP * 2)
        self.setValue(THUMBNAIL_BOX.width())
        self.setFixedWidth(120)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it; arrows, Page Up/Down, Home/End
        self.setAccessibleName(self.tr("Thumbnail size"))
        self.setAccessibleDescription(self.tr(
            "Size of the thumbnails in the grid, in pixels. Also Ctrl+wheel over the grid, "
            "Ctrl+Plus and Ctrl+Minus."))
        self._describe()
        self.valueChanged.connect(self._on_value)

    def show_side(self, side: int) -> None:
        """Show the grid's size (it changed by Ctrl+wheel or a key) without answering with side_chosen."""
        if side != self.value():
            self.blockSignals(True)
            self.setValue(side)
            self.blockSignals(False)
            self._describe()

    def _on_value(self, side: int) -> None:
        self._describe()
        self.side_chosen.emit(side)

    def _describe(self) -> None:
        side = self.value()
        tip = self.tr("Thumbnail size: {side} px (Ctrl+wheel over the grid, Ctrl+Plus, Ctrl+Minus)").format(
            side=side)
        if side > self.sharp_up_to:
            # Said, not hidden: the cell grows, the picture stops at the size the thumbnail was made at.
            tip += "\n" + self.tr("Thumbnails are made at {made} px: on this screen they are shown at "
                                  "most {sharp} px wide, never enlarged into a blur").format(
                made=MAX_THUMBNAIL, sharp=self.sharp_up_to)
        self.setToolTip(tip)
        self.setAccessibleDescription(tip)
