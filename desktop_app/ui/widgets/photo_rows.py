"""How a photo of the grid is put in words: its review badge (the words, and a colour that never says
anything alone) and how it is painted, what a screen reader says for its cell, and its tooltip."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen

from desktop_app.catalogue.models import CaptionOrigin, PhotoStatus, ReviewState
from desktop_app.catalogue.photos import display_path
from desktop_app.ui import wording
from desktop_app.ui.workers.backend import PhotoRow

# Badges behind white words: 7:1 and more (WCAG AAA), in every theme.
STATE_COLOURS = {
    ReviewState.DRAFT: QColor("#7a4f00"),
    ReviewState.APPROVED: QColor("#1b5e33"),
    ReviewState.REJECTED: QColor("#a3221b"),
}
# The tooltip's caption line, by review state (marked for lupdate; translated where shown).
CAPTION_LINES = {
    ReviewState.DRAFT: QT_TRANSLATE_NOOP("PhotoGrid", "Draft caption: {caption}"),
    ReviewState.APPROVED: QT_TRANSLATE_NOOP("PhotoGrid", "Approved caption: {caption}"),
    ReviewState.REJECTED: QT_TRANSLATE_NOOP("PhotoGrid", "Rejected caption: {caption}"),
}
EDITED_COLOUR = QColor("#24528a")
FLAG_COLOUR = QColor("#6a1b9a")  # the Flagged badge: a draft with words to check (catalogue/flags.py)
# The badges' words against the cell's text, at any text size (10 px beside the usual 12 to 13 px): a
# fixed pixel size left them tiny when the desktop's text is large.
BADGE_TEXT = 0.8
translate = QCoreApplication.translate


def badge_font(base: QFont, factor: float = BADGE_TEXT) -> QFont:
    """``base`` in bold at ``factor`` times its size: a badge's words grow with the user's text size."""
    font = QFont(base)
    font.setBold(True)
    if base.pixelSize() > 0:  # a font given in pixels has no point size
        font.setPixelSize(max(1, round(base.pixelSize() * factor)))
    else:
        font.setPointSizeF(base.pointSizeF() * factor)
    return font


def status_badge_side(base: QFont) -> int:
    """The side of the round "!" or "?" badge of a photo that cannot be read or is missing (22 px at the
    usual text size)."""
    return round(QFontMetrics(base).height() * 1.55)


def paint_status_badge(painter: QPainter, badge: QRect, colour: QColor, mark: str) -> None:
    painter.save()
    painter.setPen(QPen(QColor("white"), 1.5))
    painter.setBrush(colour)
    painter.drawEllipse(QRectF(badge))
    painter.setFont(badge_font(painter.font(), 1.15))  # 14 px beside the usual 12 px text
    painter.setPen(QColor("white"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, mark)
    painter.restore()


def paint_review_badge(painter: QPainter, picture: QRect, right: int, label: str, colour: QColor,
                       bottom: bool = False) -> None:
    """The badge's words in a pill at the top left of the picture (``bottom``: its bottom left), in the
    painter's font made smaller and bold; ``right`` is as far as it may reach (the cell's edge): past it
    the words are elided."""
    painter.save()
    painter.setFont(badge_font(painter.font()))
    metrics = painter.fontMetrics()
    height = metrics.height() + 4
    left, top = picture.left() + height // 3, picture.top() + height // 3
    if bottom:
        top = picture.bottom() - height - height // 3
    label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, right - left - metrics.height())
    pill = QRectF(left, top, metrics.horizontalAdvance(label) + metrics.height(), height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(pill, height / 2, height / 2)
    painter.setPen(QColor("white"))
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, label)
    painter.restore()


def review_badge(row: PhotoRow) -> tuple[str, QColor] | None:
    """The label and colour of the review badge on a thumbnail: where its current caption stands."""
    if row.caption_state is None or not row.caption:
        return None
    if row.caption_state is ReviewState.APPROVED:
        return translate("PhotoGrid", "Approved"), STATE_COLOURS[ReviewState.APPROVED]
    if row.caption_state is ReviewState.REJECTED:
        return translate("PhotoGrid", "Rejected"), STATE_COLOURS[ReviewState.REJECTED]
    if row.caption_origin is CaptionOrigin.HUMAN:
        return translate("PhotoGrid", "Edited"), EDITED_COLOUR
    if row.caption_origin is CaptionOrigin.IMPORTED:
        return translate("PhotoGrid", "Imported"), EDITED_COLOUR
    return translate("PhotoGrid", "AI draft"), STATE_COLOURS[ReviewState.DRAFT]


def flag_badge(row: PhotoRow) -> str | None:
    """The words of the Flagged badge, at the picture's bottom left, for a draft with flags to check."""
    return translate("PhotoGrid", "⚑ Flagged") if row.flagged else None


def accessible_text(row: PhotoRow) -> str:
    """What a screen reader says for a cell: the name, the badge's words (never its colour alone) and the
    caption, or why there is none."""
    parts = [row.name]
    if row.status is PhotoStatus.ERROR:
        parts.append(translate("PhotoGrid", "cannot be read"))
    elif row.status is PhotoStatus.MISSING:
        parts.append(translate("PhotoGrid", "file missing"))
    badge = review_badge(row)
    if badge is not None:
        parts.append(badge[0])
    if row.flagged:
        parts.append(translate("PhotoGrid", "flagged for a second look"))
    parts.append(row.caption or translate("PhotoGrid", "No caption"))
    return ", ".join(parts)


def thumbnail_wanted(row: PhotoRow) -> bool:
    # An error row has no thumbnail (decoding failed); a missing photo keeps the one it had.
    return row.content_hash is not None and row.status is not PhotoStatus.ERROR


def tooltip_for(row: PhotoRow) -> str:
    lines = [display_path(row.path)]
    if row.status is PhotoStatus.ERROR:
        lines.append(translate("PhotoGrid", "Error: {reason}").format(
            reason=row.error or translate("PhotoGrid", "unknown error")))
    elif row.status is PhotoStatus.MISSING:
        lines.append(translate("PhotoGrid", "Missing: the file is no longer at this path"))
    if row.caption:
        line = CAPTION_LINES.get(row.caption_state) if row.caption_state else None
        line = translate("PhotoGrid", line) if line else translate("PhotoGrid", "Caption: {caption}")
        lines.append(line.format(caption=row.caption))
        source = None
        if row.caption_origin is CaptionOrigin.HUMAN:
            source = translate("PhotoGrid", "Written or edited by a person")
        elif row.caption_origin is CaptionOrigin.IMPORTED:
            source = translate("PhotoGrid", "Imported from the file's metadata")
        elif row.captioner_id and row.confidence is not None:
            source = translate("PhotoGrid", "By the {captioner} captioner, confidence {percent}").format(
                captioner=row.captioner_id, percent=wording.percent(row.confidence))
        elif row.captioner_id:
            source = translate("PhotoGrid", "By the {captioner} captioner").format(captioner=row.captioner_id)
        if source:
            lines.append(source)
        if row.flagged:
            lines.append(translate("PhotoGrid", "Flagged: words to check before approving (see the caption)"))
    return "\n".join(lines)
