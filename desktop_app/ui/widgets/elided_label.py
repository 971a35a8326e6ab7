"""A one-line label that ends in "…" when given less room than its text needs, instead of being cut off
or widening the window past the screen at large text sizes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

SHORTEST_CHARACTERS = 4  # what it shrinks to at the least: "Sam…"


class ElidedLabel(QLabel):
    """A QLabel of plain text on one line: it asks for its whole text's width but shrinks to a few
    characters, eliding the rest. text() and the accessible name stay the whole text (a screen reader
    reads it all); the tooltip shows it while it is elided."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        shortest = self.fontMetrics().horizontalAdvance("M" * (SHORTEST_CHARACTERS - 1) + "…")
        return QSize(min(hint.width(), shortest), hint.height())

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._update_tooltip()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_tooltip()

    def _update_tooltip(self) -> None:
        self.setToolTip(self.text() if self.is_elided() else "")

    def paintEvent(self, _event: QPaintEvent) -> None:
        room = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, room.width())
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.setFont(self.font())
        painter.drawText(room, int(self.alignment()), shown)
