"""The detail pane's captions of a photo as cards, the current one first, each with its state and facts;
another caption can be made the current one from its card."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.ui import wording
from desktop_app.ui.widgets.detail.style import (
    CHIP_SEPARATOR,
    NOTICE_STYLE,
    origin_label,
    provenance,
    state_chip,
)


def _local_time(value: str) -> str:
    return wording.date_time(datetime.fromisoformat(value))


class CaptionCards(QWidget):
    """One card per caption of the shown photo."""

    use_requested = Signal(int)  # caption id: make it the photo's current caption

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)

    def set_captions(self, captions: list[dict[str, Any]], *, photo_shown: bool, choosable: bool) -> None:
        """Show ``captions``; with ``choosable``, the cards of those not current offer to become it."""
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; until then it would still show
                widget.deleteLater()
        if not captions:
            if not photo_shown:
                return
            empty = QLabel(self.tr("No captions yet."))
            empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self._layout.addWidget(empty)
            return
        # The current caption first: it is the one search and exports use.
        for caption in sorted(captions, key=lambda c: not c["current"]):
            self._layout.addWidget(self._card(caption, choosable))

    def texts(self) -> list[str]:
        return [widget.findChild(QLabel, "captionText").text() for widget in self._cards()]

    def notices(self) -> list[str | None]:
        """Each card's notice as shown (None where it has none), in the cards' order."""
        labels = (widget.findChild(QLabel, "captionNotice") for widget in self._cards())
        return [label.text() if label is not None else None for label in labels]

    def _cards(self) -> list[QWidget]:
        cards = []
        for number in range(self._layout.count()):
            widget = self._layout.itemAt(number).widget()
            if widget is not None and widget.objectName() == "captionCard":
                cards.append(widget)
        return cards

    def _card(self, caption: dict[str, Any], choosable: bool) -> QWidget:
        card = QFrame()
        card.setObjectName("captionCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)

        chips = [state_chip(caption["state"])]
        if caption["current"]:
            current = html.escape(self.tr("Current"))
            chips.append(f"<b>{current}</b>")
        chips.append(origin_label(caption["origin"]))
        header = QLabel(CHIP_SEPARATOR.join(chips))
        header.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(header)

        text = QLabel(caption["text"])
        text.setObjectName("captionText")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)

        if caption.get("notice"):
            notice = QLabel(f"⚠ {caption['notice']}")
            notice.setObjectName("captionNotice")
            notice.setWordWrap(True)
            notice.setTextFormat(Qt.TextFormat.PlainText)
            notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            notice.setStyleSheet(NOTICE_STYLE)
            layout.addWidget(notice)

        if not caption["current"] and choosable:
            use = QPushButton(self.tr("Use This Caption"))
            use.setObjectName("useCaptionButton")
            use.setToolTip(self.tr("Make this the photo's current caption: the one search, exports and the "
                                   "files' metadata use. The current one stays, with its history."))
            caption_id = caption["id"]
            use.clicked.connect(lambda: self.use_requested.emit(caption_id))
            row = QHBoxLayout()
            row.addWidget(use)
            row.addStretch(1)
            layout.addLayout(row)

        facts = provenance(caption)
        if caption.get("author"):
            facts.append(self.tr("by {author}").format(author=caption["author"]))
        facts.append(_local_time(caption["updated_at"]))
        revisions = len(caption.get("history") or [])
        if revisions > 1:
            facts.append(self.tr("%Ln revision(s)", "", revisions))
        meta = QLabel(" · ".join(facts))
        meta.setWordWrap(True)
        meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = meta.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        meta.setFont(small)
        layout.addWidget(meta)
        return card
