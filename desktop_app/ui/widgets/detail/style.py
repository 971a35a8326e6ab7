"""The detail pane's shared looks: section headings, review-state chips, caption provenance, notices."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel

from desktop_app.ui import wording

# Words marked for lupdate, translated where shown (the translator is installed after import).
ORIGIN_LABELS = {"ai": QT_TRANSLATE_NOOP("CaptionStyle", "AI"),
                 "human": QT_TRANSLATE_NOOP("CaptionStyle", "Human"),
                 "imported": QT_TRANSLATE_NOOP("CaptionStyle", "Imported")}
# Dark words on a pale chip of their own, 7:1 and more in every theme.
STATE_STYLES = {
    "draft": (QT_TRANSLATE_NOOP("CaptionStyle", "Draft"), "#6b4500", "#fff3d6"),
    "approved": (QT_TRANSLATE_NOOP("CaptionStyle", "Approved"), "#14532d", "#dcf3e4"),
    "rejected": (QT_TRANSLATE_NOOP("CaptionStyle", "Rejected"), "#8f2219", "#fde2df"),
}
# A caption's notice (e.g. "AI-generated draft report ... not for diagnosis"): dark amber on pale amber,
# set apart from the caption text and the grey facts line.
NOTICE_STYLE = ("color: #6b4500; background: #fff3d6; border-left: 3px solid #d68910; "
                "padding: 3px 6px; font-weight: 600;")
CHIP_SEPARATOR = " &nbsp;·&nbsp; "


def heading(text: str) -> QLabel:
    """A section's small, spaced capitals heading (Review, Details, Captions, History)."""
    label = QLabel(text.upper())
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 0.85)
    font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 0.8)
    label.setFont(font)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setContentsMargins(0, 12, 0, 2)
    return label


def state_name(state: str) -> str:
    """A review state in words: ``Approved``."""
    label = STATE_STYLES[state][0] if state in STATE_STYLES else state
    return QCoreApplication.translate("CaptionStyle", label)


def state_chip(state: str) -> str:
    """A review state as a coloured rich-text chip."""
    _label, fg, bg = STATE_STYLES.get(state, (state, "#333", "#eee"))
    label = state_name(state)
    return f'<span style="color:{fg}; background:{bg};">&nbsp;{label}&nbsp;</span>'


def origin_label(origin: str) -> str:
    return html.escape(QCoreApplication.translate("CaptionStyle", ORIGIN_LABELS[origin])
                       if origin in ORIGIN_LABELS else origin)


def provenance(caption: dict[str, Any]) -> list[str]:
    """Which captioner and model wrote the caption, and how sure the model was."""
    facts = [caption[key] for key in ("captioner", "model") if caption.get(key)]
    if caption.get("confidence") is not None:
        facts.append(QCoreApplication.translate("CaptionStyle", "{percent} confident").format(
            percent=wording.percent(caption["confidence"])))
    return facts
