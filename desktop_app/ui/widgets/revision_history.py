"""A caption's revisions, newest first, with a word-level diff against the current text and a one-click
revert (which the catalogue records as a new revision: history is never rewritten)."""

from __future__ import annotations

import difflib
import html
import re
from datetime import datetime
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui import wording

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
DELETED_STYLE = "background:#fde2df; color:#8f2219; text-decoration:line-through;"
INSERTED_STYLE = "background:#dcf3e4; color:#14532d;"  # 7.8:1, as the state chips
ACTION_LABELS = {"created": QT_TRANSLATE_NOOP("RevisionHistory", "Created"),
                 "edited": QT_TRANSLATE_NOOP("RevisionHistory", "Edited"),
                 "approved": QT_TRANSLATE_NOOP("RevisionHistory", "Approved"),
                 "rejected": QT_TRANSLATE_NOOP("RevisionHistory", "Rejected"),
                 "reverted": QT_TRANSLATE_NOOP("RevisionHistory", "Reverted"),
                 "regenerated": QT_TRANSLATE_NOOP("RevisionHistory", "Regenerated")}


def word_diff_html(old: str, new: str) -> str:
    """``old`` turned into ``new`` word by word: removed words struck out in red, added ones in green."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(html.escape("".join(a[a1:a2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f'<span style="{DELETED_STYLE}">{html.escape("".join(a[a1:a2]))}</span>')
        if op in ("insert", "replace"):
            parts.append(f'<span style="{INSERTED_STYLE}">{html.escape("".join(b[b1:b2]))}</span>')
    return "".join(parts)


def _local_time(value: str) -> str:
    return wording.date_time(datetime.fromisoformat(value))


class RevisionHistory(QWidget):
    """Pick a revision to see what reverting to it would change; "Revert to this" asks for it."""

    revert_requested = Signal(int, int)  # caption id, revision number

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._caption: dict[str, Any] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.list = QListWidget()
        self.list.setObjectName("revisionList")
        self.list.setAccessibleName(self.tr("Caption history"))
        self.list.setAlternatingRowColors(True)
        self.list.setMaximumHeight(120)
        self.list.currentItemChanged.connect(lambda *_: self._show_selected())
        layout.addWidget(self.list)
        self.diff_label = QLabel()
        self.diff_label.setWordWrap(True)  # longer in other languages: wraps, never widens the pane
        self.diff_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.diff_label)
        self.diff = QTextBrowser()
        self.diff.setObjectName("revisionDiff")
        self.diff.setMaximumHeight(90)
        self.diff.setOpenLinks(False)
        layout.addWidget(self.diff)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.revert_button = QPushButton(self.tr("Revert to This"))
        self.revert_button.setToolTip(self.tr("Bring this revision's text back as a new draft revision"))
        self.revert_button.clicked.connect(self._revert)
        buttons.addWidget(self.revert_button)
        layout.addLayout(buttons)
        self.set_caption(None)

    def set_caption(self, caption: dict[str, Any] | None) -> None:
        """Show ``caption``'s history (a photo_json caption); keeps the selected revision if it is there."""
        selected = self.selected_revision()
        self._caption = caption
        self.list.blockSignals(True)
        self.list.clear()
        for revision in reversed((caption or {}).get("history") or []):
            action = revision["action"]
            # A revision's note ("kept after a conflict") is the catalogue's words, as stored.
            words = [f"#{revision['revision']}",
                     self.tr(ACTION_LABELS[action]) if action in ACTION_LABELS else action]
            if revision.get("note"):
                words.append(f"({revision['note']})")
            words += ["·", revision.get("author") or self.tr("unknown"), "·", _local_time(revision["at"])]
            line = " ".join(words)
            item = QListWidgetItem(line)
            item.setData(Qt.ItemDataRole.UserRole, revision["revision"])
            item.setToolTip(revision["text"])
            self.list.addItem(item)
            if revision["revision"] == selected:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self._show_selected()

    def revisions(self) -> list[int]:
        return [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())]

    def selected_revision(self) -> int | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def select_revision(self, number: int) -> None:
        for row, revision in enumerate(self.revisions()):
            if revision == number:
                self.list.setCurrentRow(row)

    def _revision(self, number: int | None) -> dict[str, Any] | None:
        for revision in (self._caption or {}).get("history") or []:
            if revision["revision"] == number:
                return revision
        return None

    def _show_selected(self) -> None:
        revision = self._revision(self.selected_revision())
        if revision is None or self._caption is None:
            self.diff_label.setText(self.tr("Select a revision to compare it with the current text."))
            self.diff.clear()
            self.diff.setVisible(False)
            self.revert_button.setEnabled(False)
            return
        current = self._caption["text"]
        self.diff.setVisible(True)
        if revision["text"] == current:
            self.diff_label.setText(self.tr("Revision {revision} reads as the current text:").format(
                revision=revision["revision"]))
            self.diff.setHtml(html.escape(current))
        else:
            self.diff_label.setText(self.tr("Reverting to revision {revision} would change the text "
                                            "so:").format(revision=revision["revision"]))
            self.diff.setHtml(word_diff_html(current, revision["text"]))
        self.revert_button.setEnabled(revision["text"] != current)

    def _revert(self) -> None:
        number = self.selected_revision()
        if self._caption is not None and number is not None:
            self.revert_requested.emit(self._caption["id"], number)
