"""A non-modal banner that suggests one thing to do, with a button for it ("Fine-tune…") and a dismiss
button: above the grid, never in the way of the review in progress."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget


class SuggestionBar(QWidget):
    """Shows ``suggest(text, action)`` until the user acts on it (``accepted``) or dismisses it."""

    accepted = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 10, 10, 0)
        frame = QFrame()
        frame.setObjectName("suggestionBar")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        outer.addWidget(frame)
        layout = QHBoxLayout(frame)
        layout.setContentsMargins(12, 8, 8, 8)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.button = QPushButton()
        self.button.clicked.connect(self._accept)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip(self.tr("Dismiss"))
        close.setAccessibleName(self.tr("Dismiss"))  # the glyph alone reads as "multiplication x"
        close.clicked.connect(self._dismiss)
        self.close_button = close
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def suggest(self, text: str, action: str) -> None:
        self.label.setText(text)
        self.button.setText(action)
        self.button.setAccessibleDescription(text)  # what the button does, for screen readers
        self.show()

    def _accept(self) -> None:
        self.hide()
        self.accepted.emit()

    def _dismiss(self) -> None:
        self.hide()
        self.dismissed.emit()
