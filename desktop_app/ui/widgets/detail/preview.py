"""The detail pane's photo preview: fitted and centred, or zoomed and panned."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPalette, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QSizePolicy, QToolButton, QWidget

from desktop_app.ui import wording

ZOOM_CONTROLS_STYLE = "#zoomControls { background: rgba(30, 30, 30, 150); border-radius: 5px; } " \
                      "#zoomControls QToolButton { color: white; min-width: 22px; }"
ZOOM_STEP, MIN_ZOOM, MAX_ZOOM = 1.25, 0.05, 8.0


class PreviewView(QWidget):
    """The photo, fitted and centred (never enlarged) or zoomed: Ctrl+wheel or the +/- buttons zoom,
    a double-click toggles between fitted and 100 %, dragging pans a zoomed photo. Or a line of text
    while loading or when it cannot be shown."""

    zoom_changed = Signal(float)  # the scale now shown (1.0 = 100 %)
    content_changed = Signal()  # another photo, or a line of text, is shown (see ``mirror``)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._overlay: QImage | None = None  # a heatmap drawn over the photo (where the model looked)
        self._text = ""
        self._zoom: float | None = None  # None: fitted to the view
        self._pan = QPointF()  # the photo's centre from the view's centre, in view pixels
        self._drag_from: QPointF | None = None
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.controls = self._zoom_controls()

    def sizeHint(self) -> QSize:
        return QSize(360, 320)

    def image(self) -> QImage | None:
        return self._pixmap.toImage() if self._pixmap is not None else None

    def text(self) -> str:
        return self._text

    def set_image(self, image: QImage) -> None:
        self._show(QPixmap.fromImage(image), "")

    def set_text(self, text: str) -> None:
        self._show(None, text)

    def set_overlay(self, image: QImage | None) -> None:
        """Draw ``image`` (RGBA, any size: stretched smoothly) over the whole photo; None: none."""
        self._overlay = image
        self.update()

    def overlay(self) -> QImage | None:
        return self._overlay

    def mirror(self, other: PreviewView) -> None:
        """Show what ``other`` shows, fitted: the full-window preview shares the pane's decoded photo
        instead of decoding it again."""
        self._show(other._pixmap, other._text)

    def _show(self, pixmap: QPixmap | None, text: str) -> None:
        self._pixmap = pixmap
        self._overlay = None  # about the photo shown before
        self._text = text
        self.controls.setVisible(pixmap is not None)
        self.set_zoom(None)
        self.content_changed.emit()

    # -- zoom --------------------------------------------------------------------------------------------

    def is_fitted(self) -> bool:
        return self._zoom is None

    def fit_scale(self) -> float:
        if self._pixmap is None or self._pixmap.isNull():
            return 1.0
        return min(self.width() / self._pixmap.width(), self.height() / self._pixmap.height(), 1.0)

    def scale(self) -> float:
        return self.fit_scale() if self._zoom is None else self._zoom

    def set_zoom(self, zoom: float | None, anchor: QPointF | None = None) -> None:
        """Show at ``zoom`` (None: fitted), keeping the photo's point under ``anchor`` (view coordinates)."""
        old = self.scale()
        self._zoom = None if zoom is None else min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if self._zoom is None:
            self._pan = QPointF()
        else:
            centre = QPointF(self.rect().center())
            offset = (anchor if anchor is not None else centre) - centre
            self._pan = offset - (offset - self._pan) * (self._zoom / old)
        self._clamp_pan()
        self._zoom_label.setText(self.tr("Fit") if self._zoom is None else wording.percent(self.scale()))
        self._place_controls()
        self.update()
        self.zoom_changed.emit(self.scale())

    def zoom_in(self) -> None:
        self.set_zoom(self.scale() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.scale() / ZOOM_STEP)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._pixmap is None or not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(event)  # a plain wheel scrolls the pane, as elsewhere
            return
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.scale() * ZOOM_STEP ** steps, event.position())
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._pixmap is not None:
            self.set_zoom(1.0 if self._zoom is None else None, event.position())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._pixmap is not None and self._zoom is not None:
            self._drag_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._pan += event.position() - self._drag_from
            self._drag_from = event.position()
            self._clamp_pan()
            self.update()

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._drag_from = None
        self.unsetCursor()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_controls()
        self._clamp_pan()

    def _place_controls(self) -> None:
        """The zoom controls in the bottom right corner, as wide as their text (Fit, 100 %, Einpassen)."""
        self.controls.adjustSize()
        margin = 8
        self.controls.move(self.width() - self.controls.width() - margin,
                           self.height() - self.controls.height() - margin)

    def _clamp_pan(self) -> None:
        if self._pixmap is None:
            return
        scale = self.scale()
        room_x = max(0.0, (self._pixmap.width() * scale - self.width()) / 2)
        room_y = max(0.0, (self._pixmap.height() * scale - self.height()) / 2)
        self._pan = QPointF(min(room_x, max(-room_x, self._pan.x())),
                            min(room_y, max(-room_y, self._pan.y())))

    def _zoom_controls(self) -> QWidget:
        controls = QFrame(self)
        controls.setObjectName("zoomControls")
        controls.setStyleSheet(ZOOM_CONTROLS_STYLE)
        layout = QHBoxLayout(controls)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        for text, tip, slot in (("−", self.tr("Zoom out (Ctrl+wheel)"), self.zoom_out),
                                ("+", self.tr("Zoom in (Ctrl+wheel)"), self.zoom_in)):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            layout.addWidget(button)
        # Spoken names: "minus" and "plus" say nothing of what the buttons do.
        zoom_out, zoom_in = layout.itemAt(0).widget(), layout.itemAt(1).widget()
        zoom_out.setAccessibleName(self.tr("Zoom out"))
        zoom_in.setAccessibleName(self.tr("Zoom in"))
        self._zoom_label = QToolButton()
        self._zoom_label.setAutoRaise(True)
        self._zoom_label.setToolTip(self.tr("Fit to the pane, or show at 100 % (double-click the photo)"))
        self._zoom_label.clicked.connect(lambda: self.set_zoom(1.0 if self._zoom is None else None))
        layout.insertWidget(1, self._zoom_label)
        controls.hide()
        return controls

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        background = QColor(self.palette().color(QPalette.ColorRole.Mid))
        background.setAlpha(40)
        painter.fillRect(self.rect(), background)
        if self._pixmap is not None and not self._pixmap.isNull():
            scale = self.scale()
            target = QRectF(0, 0, self._pixmap.width() * scale, self._pixmap.height() * scale)
            target.moveCenter(QPointF(self.rect().center()) + self._pan)
            painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
            if self._overlay is not None and not self._overlay.isNull():
                painter.drawImage(target, self._overlay, QRectF(self._overlay.rect()))
        elif self._text:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._text)
