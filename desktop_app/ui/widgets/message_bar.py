"""A non-modal banner for errors the user should see and can act on.

Not a dialog: a scan that fails at start-up must not block the window, and several failures in a row
(a missing folder, then an unreadable catalogue) must not stack up modal boxes.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

MAX_LINES = 4  # the latest messages; older ones are in the log


class MessageBar(QWidget):
    """Shows the latest error messages until the user closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 0)
        frame = QFrame()
        frame.setObjectName("messageBar")
        outer.addWidget(frame)
        layout = QHBoxLayout(frame)
        layout.setContentsMargins(12, 8, 8, 8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss"))  # the glyph alone reads as "multiplication x"
        close.clicked.connect(self.clear)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self._messages: list[str] = []
        self.hide()

    def messages(self) -> list[str]:
        return list(self._messages)

    def show_error(self, message: str) -> None:
        if message in self._messages:
            self._messages.remove(message)
        self._messages.append(message)
        del self._messages[:-MAX_LINES]
        self.label.setText("\n".join(self._messages))
        self.show()

    def clear(self) -> None:
        self._messages.clear()
        self.label.clear()
        self.hide()
