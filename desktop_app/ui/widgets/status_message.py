"""The status bar's message: one line, elided with "…" to the room the window gives it, never cut at the
window's edge. A message that does not fit keeps its whole text in the tooltip and behind a Details…
button (reached with Tab; clicking the message does the same) that opens it in a small window to read,
select and copy."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)


class StatusMessage(QWidget):
    """``setText``/``text`` as a QLabel's, with the text shown on one line and elided to fit."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.label = QLabel()
        # Its width is the room left by the status bar's other parts, never the text's: a long message
        # must not widen the window or run past its edge.
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.label, 1)
        self.details_button = QToolButton()
        self.details_button.setText(self.tr("Details…"))
        self.details_button.setAutoRaise(True)
        self.details_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.details_button.setToolTip(self.tr("Show the whole message"))
        self.details_button.setAccessibleName(self.tr("Show the whole status message"))
        self.details_button.clicked.connect(self.show_details)
        self.details_button.hide()
        layout.addWidget(self.details_button)
        self.details: QDialog | None = None  # the window with the whole text, once opened
        self._details_text = QPlainTextEdit()
        self._details_text.setReadOnly(True)
        # Selectable and copyable by keyboard too (read-only, it is by mouse only).
        self._details_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                                   | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self._details_text.setAccessibleName(self.tr("The whole status message"))

    def text(self) -> str:
        """The whole message, as set."""
        return self._text

    def setText(self, text: str) -> None:  # a QLabel's name: the window and tests use it
        self._text = text
        self.label.setToolTip(text)
        self.label.setAccessibleName(text)  # read whole by a screen reader, not elided
        self._fit()
        self._details_text.setPlainText(text)

    def is_elided(self) -> bool:
        """Whether the message shown is cut short (its whole text behind Details…)."""
        return self.details_button.isVisibleTo(self)

    def show_details(self) -> None:
        """Open (or raise) the small window with the whole message."""
        if self.details is None:
            self.details = QDialog(self.window())
            self.details.setWindowTitle(self.tr("Message"))
            self.details.resize(520, 220)
            layout = QVBoxLayout(self.details)
            layout.addWidget(self._details_text)
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            buttons.rejected.connect(self.details.reject)
            layout.addWidget(buttons)
        self.details.show()
        self.details.raise_()
        self.details.activateWindow()
        self._details_text.setFocus()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.is_elided():
            self.show_details()
            event.accept()
            return
        super().mousePressEvent(event)

    def _fit(self) -> None:
        """Show the message whole if it fits on one line, or elided beside the Details… button."""
        line = " ".join(self._text.split())  # one line: a message's line breaks become spaces
        metrics = self.label.fontMetrics()
        room = self.contentsRect().width()
        fits = "\n" not in self._text.strip() and metrics.horizontalAdvance(line) <= room
        if fits:
            self.details_button.hide()
            self.label.setText(line)
            return
        self.details_button.show()
        room -= self.details_button.sizeHint().width() + self.layout().spacing()
        self.label.setText(metrics.elidedText(line, Qt.TextElideMode.ElideRight, max(0, room)))
