"""Approving a flagged caption: the words flagged for a second look (catalogue/flags.py), each with its
rule's reason, and an optional reason kept in the approval's note ("approved with flags confirmed:
..."). Asked once per flagged text: the review service remembers the confirmation in the history, the
review box for the revision on screen."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget

translate = QCoreApplication.translate


def flag_lines(flags: Sequence[dict[str, Any]]) -> list[str]:
    """One line per flag: the words and why they need a look."""
    line = translate("FlagConfirmDialog", "“{words}”: {reason}")
    return [line.format(words=flag["text"], reason=flag["reason"]) for flag in flags]


def flags_summary(flags: Sequence[dict[str, Any]], confirmed: bool) -> str:
    """The review box's line under the caption: what to check, or that an editor confirmed it."""
    words = ", ".join(f"“{flag['text']}”" for flag in flags)
    if confirmed:
        return translate("FlagConfirmDialog", "⚑ Flags confirmed by an editor: {words}").format(words=words)
    return translate("FlagConfirmDialog", "⚑ Check before approving: {words} (hover a marked word for why)"
                     ).format(words=words)


class FlagConfirmDialog(QDialog):
    """The caption's flags, a reason field, and Approve (accept) or Cancel."""

    def __init__(self, flags: Sequence[dict[str, Any]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Approve a flagged caption?"))
        self.setMinimumWidth(480)
        intro = QLabel(self.tr("This caption has words flagged for a second look. Approve it only if they "
                               "are right for this photo; you are asked once for this text."))
        intro.setWordWrap(True)
        self.flag_list = QListWidget()
        self.flag_list.setAccessibleName(self.tr("Flagged words"))
        self.flag_list.addItems(flag_lines(flags))
        self.flag_list.setWordWrap(True)
        reason_label = QLabel(self.tr("&Reason (optional, kept in the history):"))
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Reason"))
        self.reason.setPlaceholderText(self.tr("e.g. the sitter told us"))
        reason_label.setBuddy(self.reason)
        self.buttons = QDialogButtonBox()
        self.approve_button = self.buttons.addButton(self.tr("Approve"),
                                                     QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.flag_list)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self.reason.setFocus()

    def reason_text(self) -> str | None:
        return self.reason.text().strip() or None
