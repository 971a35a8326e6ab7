"""A photo's keyword as a chip: accepted (solid, ✓), suggested (dashed outline, ?, the tagger's confidence),
imported from the file (✓ and "file"), removed in the file by another program (struck through), rejected
(struck through, ✗). The state is in the chip's words and marks, never in its colour alone; its accessible
name says label, state and confidence ("Dogs, suggested, 82%"), its description the tagger and the words
that triggered it. Each chip takes keyboard focus; Delete or Backspace removes (or rejects) it, Space
opens its menu of actions."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from desktop_app.catalogue.models import CaptionOrigin, KeywordState
from desktop_app.services.keywords import ACCEPT, ADD, REJECT, REMOVE, KeywordView
from desktop_app.ui import wording
from desktop_app.ui.widgets.detail.style import STATE_STYLES

translate = QCoreApplication.translate

STATE_WORDS = {KeywordState.ACCEPTED: QT_TRANSLATE_NOOP("KeywordChip", "accepted"),
               KeywordState.SUGGESTED: QT_TRANSLATE_NOOP("KeywordChip", "suggested"),
               KeywordState.REJECTED: QT_TRANSLATE_NOOP("KeywordChip", "rejected"),
               KeywordState.REMOVED_IN_FILE: QT_TRANSLATE_NOOP("KeywordChip", "removed in the file"),
               KeywordState.WITHDRAWN: QT_TRANSLATE_NOOP("KeywordChip", "withdrawn")}
# The chips reuse the caption states' colour pairs (dark words on a pale chip, 7:1 and more in every
# theme); the border tells accepted (solid) from suggested (dashed) and the rest (dotted) as well.
_COLOURS = {KeywordState.ACCEPTED: "approved", KeywordState.SUGGESTED: "draft",
            KeywordState.REJECTED: "rejected", KeywordState.REMOVED_IN_FILE: "rejected",
            KeywordState.WITHDRAWN: "rejected"}
_BORDERS = {KeywordState.ACCEPTED: "solid", KeywordState.SUGGESTED: "dashed"}


def state_words(state: KeywordState) -> str:
    """A keyword state in words: ``suggested``."""
    return translate("KeywordChip", STATE_WORDS[state])


def imported(view: KeywordView) -> bool:
    return view.origin is CaptionOrigin.IMPORTED


def chip_text(view: KeywordView) -> str:
    """What the chip reads: its mark, label and, for a suggestion, the confidence."""
    if view.state is KeywordState.SUGGESTED:
        if view.confidence is None:
            return translate("KeywordChip", "? {label}").format(label=view.label)
        return translate("KeywordChip", "? {label} · {percent}").format(
            label=view.label, percent=wording.percent(view.confidence))
    if view.state is KeywordState.ACCEPTED:
        if imported(view):
            return translate("KeywordChip", "✓ {label} · file").format(label=view.label)
        return translate("KeywordChip", "✓ {label}").format(label=view.label)
    if view.state is KeywordState.REMOVED_IN_FILE:
        return translate("KeywordChip", "{label} · removed in file").format(label=view.label)
    return translate("KeywordChip", "✗ {label}").format(label=view.label)


def chip_name(view: KeywordView) -> str:
    """The chip's accessible name: ``Dogs, suggested, 82%``; ``Dogs, accepted, from the file``."""
    parts = [view.label, state_words(view.state)]
    if view.state is KeywordState.SUGGESTED and view.confidence is not None:
        parts.append(wording.percent(view.confidence))
    if imported(view) and view.state is KeywordState.ACCEPTED:
        parts.append(translate("KeywordChip", "from the file"))
    return ", ".join(parts)


def chip_details(view: KeywordView) -> str:
    """Where the keyword sits and where it came from: the tooltip and the accessible description."""
    lines = [" › ".join(view.path) if len(view.path) > 1 else view.label]
    lines.append(translate("KeywordChip", "Vocabulary: {name}").format(name=view.vocabulary)
                 if view.vocabulary is not None else translate("KeywordChip", "Free keyword"))
    if view.tagger:
        lines.append(translate("KeywordChip", "Suggested by {tagger}").format(tagger=view.tagger))
    if view.evidence:
        lines.append(translate("KeywordChip", "Because of: {words}").format(words=", ".join(view.evidence)))
    if view.author:
        lines.append(translate("KeywordChip", "By {author}").format(author=view.author))
    return "\n".join(lines)


def chip_style(view: KeywordView) -> str:
    _words, foreground, background = STATE_STYLES[_COLOURS[view.state]]
    border = _BORDERS.get(view.state, "dotted")
    return (f"QToolButton {{ color: {foreground}; background: {background}; border: 1px {border} "
            f"{foreground}; border-radius: 9px; padding: 2px 8px; }}"
            f"QToolButton:focus {{ border: 2px solid palette(highlight); }}"
            "QToolButton::menu-indicator { image: none; width: 0; }")


class KeywordChip(QToolButton):
    """One keyword of the shown photo. ``action_requested(view, action)``: ACCEPT, REJECT, REMOVE or ADD
    (back again), from its menu or its keys."""

    action_requested = Signal(object, str)

    def __init__(self, view: KeywordView, editable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setObjectName("keywordChip")
        self.setText(chip_text(view))
        self.setAccessibleName(chip_name(view))
        details = chip_details(view)
        self.setToolTip(details)
        self.setAccessibleDescription(details)
        self.setStyleSheet(chip_style(view))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoRaise(False)
        if view.state in (KeywordState.REJECTED, KeywordState.REMOVED_IN_FILE):
            font = QFont(self.font())
            font.setStrikeOut(True)
            self.setFont(font)
        self._editable = editable
        if editable:
            menu = QMenu(self)
            for action, words in self._choices():
                menu.addAction(words).triggered.connect(
                    lambda _checked=False, chosen=action: self.action_requested.emit(self.view, chosen))
            self.setMenu(menu)
            self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

    def _choices(self) -> list[tuple[str, str]]:
        state = self.view.state
        if state is KeywordState.SUGGESTED:
            return [(ACCEPT, self.tr("Accept (K)")), (REJECT, self.tr("Reject (Shift+K)"))]
        if state is KeywordState.ACCEPTED:
            return [(REMOVE, self.tr("Remove (Delete)"))]
        return [(ADD, self.tr("Add Again"))]

    def removable(self) -> bool:
        return self.view.state in (KeywordState.ACCEPTED, KeywordState.SUGGESTED)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._editable and self.removable():
            action = REMOVE if self.view.state is KeywordState.ACCEPTED else REJECT
            self.action_requested.emit(self.view, action)
            return
        super().keyPressEvent(event)
