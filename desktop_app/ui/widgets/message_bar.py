"""A non-modal banner for errors the user should see and can act on.

Not a dialog: a scan that fails at start-up must not block the window, and several failures in a row
(a missing folder, then an unreadable catalogue) must not stack up modal boxes.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

MAX_LINES = 4  # the latest messages; older ones are in the log


def banner(owner: QWidget, object_name: str) -> tuple[QFrame, QHBoxLayout, QLabel, QToolButton]:
    """A banner's parts in ``owner`` (this bar's, the suggestion bar's): a frame named ``object_name``
    (the themes style it), a wrapped selectable label, and the dismiss button at the end of the row;
    callers put their own buttons between the two."""
    outer = QVBoxLayout(owner)
    outer.setContentsMargins(10, 10, 10, 0)
    frame = QFrame()
    frame.setObjectName(object_name)
    outer.addWidget(frame)
    layout = QHBoxLayout(frame)
    layout.setContentsMargins(12, 8, 8, 8)
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(label, 1)
    close = QToolButton()
    close.setText("✕")
    close.setAutoRaise(True)
    dismiss = QCoreApplication.translate("MessageBar", "Dismiss")
    close.setToolTip(dismiss)
    close.setAccessibleName(dismiss)  # the glyph alone reads as "multiplication x"
    layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
    return frame, layout, label, close


class MessageBar(QWidget):
    """Shows the latest error messages until the user closes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _frame, _layout, self.label, close = banner(self, "messageBar")
        close.clicked.connect(self.clear)
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
