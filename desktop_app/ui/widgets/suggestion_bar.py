"""A non-modal banner that suggests one thing to do, with a button for it ("Fine-tune…") and a dismiss
button: above the grid, never in the way of the review in progress."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QPushButton, QWidget

from desktop_app.ui.widgets.message_bar import banner


class SuggestionBar(QWidget):
    """Shows ``suggest(text, action)`` until the user acts on it (``accepted``) or dismisses it."""

    accepted = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout, self.label, self.close_button = banner(self, "suggestionBar")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.button = QPushButton()
        self.button.clicked.connect(self._accept)
        layout.insertWidget(1, self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.close_button.clicked.connect(self._dismiss)
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
