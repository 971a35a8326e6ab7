"""The right-hand pane: the selected photo's preview, its metadata, and its captions with their state."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.catalogue.photos import display_path

ORIGIN_LABELS = {"ai": "AI", "human": "Human", "imported": "Imported"}
STATE_STYLES = {
    "draft": ("Draft", "#8a5a00", "#fff3d6"),
    "approved": ("Approved", "#1d6b3a", "#dcf3e4"),
    "rejected": ("Rejected", "#8f2219", "#fde2df"),
}
# A caption's notice (e.g. "AI-generated draft report ... not for diagnosis"): dark amber on pale amber,
# set apart from the caption text and the grey facts line.
NOTICE_STYLE = ("color: #7a4a00; background: #fff3d6; border-left: 3px solid #d68910; "
                "padding: 3px 6px; font-weight: 600;")
STATUS_TEXT = {"ok": "OK", "error": "Cannot be read", "missing": "Missing"}


def human_size(size: int | None) -> str | None:
    if size is None:
        return None
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return None


def dimensions(details: dict[str, Any]) -> str | None:
    width, height = details.get("width"), details.get("height")
    if not width or not height:
        return None
    if details.get("orientation") in (5, 6, 7, 8):  # stored on its side; shown upright
        width, height = height, width
    megapixels = width * height / 1e6
    suffix = f"  ({megapixels:.1f} MP)" if megapixels >= 1 else ""
    return f"{width:,} × {height:,} px{suffix}"


def camera(details: dict[str, Any]) -> str | None:
    make, model = details.get("camera_make"), details.get("camera_model")
    if make and model and model.lower().startswith(make.lower()):
        return model  # "Canon Canon EOS R5" otherwise
    return " ".join(part for part in (make, model) if part) or None


def location(details: dict[str, Any]) -> str | None:
    gps = details.get("gps")
    if not gps:
        return None
    latitude, longitude = gps["latitude"], gps["longitude"]
    text = (f"{abs(latitude):.6f}° {'N' if latitude >= 0 else 'S'}, "
            f"{abs(longitude):.6f}° {'E' if longitude >= 0 else 'W'}")
    if gps.get("altitude") is not None:
        text += f", {gps['altitude']:.0f} m"
    return text


def date_taken(details: dict[str, Any]) -> str | None:
    value = details.get("date_taken")
    if not value:
        return None
    # Camera local time, as recorded: shown as is, not converted to this machine's zone.
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S")


def _local_time(value: str) -> str:
    return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")


class PreviewView(QWidget):
    """The photo scaled to fit, centred; or a line of text while loading or when it cannot be shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._text = ""
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(360, 320)

    def image(self) -> QImage | None:
        return self._pixmap.toImage() if self._pixmap is not None else None

    def text(self) -> str:
        return self._text

    def set_image(self, image: QImage) -> None:
        self._pixmap = QPixmap.fromImage(image)
        self._text = ""
        self.update()

    def set_text(self, text: str) -> None:
        self._pixmap = None
        self._text = text
        self.update()

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        background = QColor(self.palette().color(QPalette.ColorRole.Mid))
        background.setAlpha(40)
        painter.fillRect(self.rect(), background)
        if self._pixmap is not None and not self._pixmap.isNull():
            size = self._pixmap.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            if self._pixmap.width() <= self.width() and self._pixmap.height() <= self.height():
                size = self._pixmap.size()  # never enlarge a small image
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.drawPixmap(target, self._pixmap)
        elif self._text:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._text)


class DetailPane(QWidget):
    """What the catalogue knows about one photo. Read-only for now; review and editing come later."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.photo_id: int | None = None  # the photo whose details are shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.preview = PreviewView()
        layout.addWidget(self.preview, 0)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(scroll, 1)
        body = QWidget()
        scroll.setWidget(body)
        self._body = QVBoxLayout(body)
        self._body.setContentsMargins(16, 12, 16, 16)
        self._body.setSpacing(6)

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = self.title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self._body.addWidget(self.title)
        self.folder = QLabel()
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._body.addWidget(self.folder)

        self._body.addWidget(self._heading("Details"))
        self.metadata = QFormLayout()
        self.metadata.setHorizontalSpacing(14)
        self.metadata.setVerticalSpacing(4)
        self.metadata.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.metadata.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.metadata.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._body.addLayout(self.metadata)

        self._body.addWidget(self._heading("Captions"))
        self.captions = QVBoxLayout()
        self.captions.setSpacing(8)
        self._body.addLayout(self.captions)
        self._body.addStretch(1)
        self.clear()

    # -- what the window calls ---------------------------------------------------------------

    def clear(self, text: str = "No photo selected") -> None:
        self.photo_id = None
        self.preview.set_text(text)
        self.title.setText("")
        self.folder.setText("")
        self._set_metadata([])
        self._set_captions([])

    def show_loading(self, name: str) -> None:
        """A photo was selected: its name at once, the rest when the catalogue answers."""
        self.title.setText(name)
        self.preview.set_text("Loading…")

    def show_photo(self, details: dict[str, Any]) -> None:
        self.photo_id = details["id"]
        path = display_path(details["path"])
        self.title.setText(os.path.basename(path))
        self.folder.setText(os.path.dirname(path))
        status = details["status"]
        rows: list[tuple[str, str | None, str | None]] = [
            ("Status", STATUS_TEXT.get(status, status), None if status == "ok" else "#c0392b"),
        ]
        if status == "error":
            rows.append(("Reason", details.get("error") or "unknown", "#c0392b"))
        elif status == "missing":
            rows.append(("Reason", "the file is no longer at this path", "#b9770e"))
        rows += [
            ("Format", details.get("format"), None),
            ("Dimensions", dimensions(details), None),
            ("File size", human_size(details.get("size")), None),
            ("Date taken", date_taken(details), None),
            ("Camera", camera(details), None),
            ("Location", location(details), None),
        ]
        self._set_metadata([row for row in rows if row[1]])
        self._set_captions(details.get("captions") or [])
        if status == "error":
            self.preview.set_text(f"This file cannot be shown:\n{details.get('error') or 'unknown error'}")
        elif status == "missing":
            self.preview.set_text("The file is missing")

    def show_preview(self, image: QImage, reason: str) -> None:
        if image.isNull():
            self.preview.set_text(f"Cannot show a preview:\n{reason}")
        else:
            self.preview.set_image(image)

    def metadata_text(self) -> dict[str, str]:
        """The metadata rows as shown, by label."""
        shown = {}
        for row in range(self.metadata.rowCount()):
            label = self.metadata.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.metadata.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label and field:
                shown[label.widget().text()] = field.widget().text()
        return shown

    def caption_texts(self) -> list[str]:
        return [widget.findChild(QLabel, "captionText").text() for widget in self._caption_cards()]

    def caption_notices(self) -> list[str | None]:
        """Each caption card's notice as shown (None where it has none), in the cards' order."""
        labels = (widget.findChild(QLabel, "captionNotice") for widget in self._caption_cards())
        return [label.text() if label is not None else None for label in labels]

    # -- building blocks -----------------------------------------------------------------------

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text.upper())
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 0.8)
        label.setFont(font)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.setContentsMargins(0, 12, 0, 2)
        return label

    def _set_metadata(self, rows: list[tuple[str, str | None, str | None]]) -> None:
        while self.metadata.rowCount():
            self.metadata.removeRow(0)
        for label, value, colour in rows:
            name = QLabel(label)
            name.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if colour:
                field.setStyleSheet(f"color: {colour};")
            self.metadata.addRow(name, field)

    def _caption_cards(self) -> list[QWidget]:
        cards = []
        for number in range(self.captions.count()):
            widget = self.captions.itemAt(number).widget()
            if widget is not None and widget.objectName() == "captionCard":
                cards.append(widget)
        return cards

    def _set_captions(self, captions: list[dict[str, Any]]) -> None:
        while self.captions.count():
            item = self.captions.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; until then it would still show
                widget.deleteLater()
        if not captions:
            empty = QLabel("No captions yet.")
            empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.captions.addWidget(empty)
            return
        # The current caption first: it is the one search and exports use.
        for caption in sorted(captions, key=lambda c: not c["current"]):
            self.captions.addWidget(self._caption_card(caption))

    def _caption_card(self, caption: dict[str, Any]) -> QWidget:
        card = QFrame()
        card.setObjectName("captionCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)

        label, fg, bg = STATE_STYLES.get(caption["state"], (caption["state"], "#333", "#eee"))
        chips = [f'<span style="color:{fg}; background:{bg};">&nbsp;{label}&nbsp;</span>']
        if caption["current"]:
            chips.append("<b>Current</b>")
        chips.append(ORIGIN_LABELS.get(caption["origin"], caption["origin"]))
        header = QLabel(" &nbsp;·&nbsp; ".join(chips))
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

        facts = []
        if caption.get("model"):
            facts.append(caption["model"])
        elif caption.get("captioner"):
            facts.append(caption["captioner"])
        if caption.get("confidence") is not None:
            facts.append(f"{caption['confidence']:.0%} confident")
        if caption.get("author"):
            facts.append(f"by {caption['author']}")
        facts.append(_local_time(caption["updated_at"]))
        revisions = len(caption.get("history") or [])
        if revisions > 1:
            facts.append(f"{revisions} revisions")
        meta = QLabel(" · ".join(facts))
        meta.setWordWrap(True)
        meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = meta.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        meta.setFont(small)
        layout.addWidget(meta)
        return card
