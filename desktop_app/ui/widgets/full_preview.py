"""The full-window preview: the current photo filling the window, its caption readable beneath it.

The window shows it in place of the grid and the panes (F11, or Space in the grid). It holds no photo
of its own: the grid's current photo is the one shown, so moving here moves the grid's current photo
(through the window's BrowseController) and the review keys act on it as in the detail pane. The photo
itself is the one the detail pane's preview decoded off the GUI thread (``PreviewView.mirror``).
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.catalogue.models import PhotoStatus
from desktop_app.ui.widgets.detail.preview import PreviewView
from desktop_app.ui.widgets.photo_rows import review_badge
from desktop_app.ui.workers.backend import PhotoRow


class FullPreview(QWidget):
    """``step_requested(step)``: Left (-1) or Right (+1); ``edge_requested(last)``: Home (False) or End
    (True); ``close_requested``: Esc. The window answers them; ``show_row`` and ``view.mirror`` show."""

    step_requested = Signal(int)
    edge_requested = Signal(bool)
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fullPreview")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(self.tr("Full-window preview"))
        self._keys_help = self.tr(
            "Left and Right arrows: previous and next photo; Home and End: first and last; "
            "Ctrl+Enter approves, Ctrl+Shift+Backspace rejects; Esc returns to the grid")
        self.setAccessibleDescription(self._keys_help)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(6)
        self.view = PreviewView()
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys stay with the preview itself
        layout.addWidget(self.view, 1)

        self.heading = QLabel()  # name, position, review state (in words: never by colour alone)
        self.heading.setWordWrap(True)
        self.heading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.back = QPushButton(self.tr("Back to the Grid"))  # for the mouse; the keyboard has Esc
        self.back.setToolTip(self.tr("Back to the grid at this photo (Esc)"))
        self.back.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.back.clicked.connect(self.close_requested)
        row = QHBoxLayout()
        row.addWidget(self.heading, 1)
        row.addWidget(self.back)
        layout.addLayout(row)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.caption.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)  # read from a step back, as a slide's caption
        self.caption.setFont(font)
        layout.addWidget(self.caption)

        # Actions rather than key handling: the keys work wherever the focus is inside the preview.
        for keys, slot, name in (
            ([Qt.Key.Key_Right], lambda: self.step_requested.emit(1), self.tr("Next Photo")),
            ([Qt.Key.Key_Left], lambda: self.step_requested.emit(-1), self.tr("Previous Photo")),
            ([Qt.Key.Key_Home], lambda: self.edge_requested.emit(False), self.tr("First Photo")),
            ([Qt.Key.Key_End], lambda: self.edge_requested.emit(True), self.tr("Last Photo")),
            ([Qt.Key.Key_Escape], self.close_requested.emit, self.tr("Back to the Grid")),
        ):
            action = QAction(name, self)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)

    def show_row(self, row: PhotoRow | None, number: int, count: int) -> None:
        """Words for photo ``row``, number ``number`` (from 0) of the ``count`` listed; None: no photo."""
        if row is None:
            self.heading.setText("")
            self.caption.setText(self.tr("No photo to show. Esc returns to the grid."))
            return
        locale = QLocale()
        parts = [row.name, self.tr("{position} of {count}").format(
            position=locale.toString(number + 1), count=locale.toString(count))]
        badge = review_badge(row)
        if badge is not None:
            parts.append(badge[0])
        self.heading.setText(" · ".join(parts))
        if row.status is PhotoStatus.ERROR:
            text = self.tr("This file cannot be read: {reason}").format(reason=row.error or "")
        elif row.status is PhotoStatus.MISSING:
            text = self.tr("The file is missing")
        else:
            text = row.caption or self.tr("No caption")
        self.caption.setText(text)
        # A screen reader reads the photo and its caption with the keys.
        self.setAccessibleDescription(f"{self.heading.text()}. {text}. {self._keys_help}")
