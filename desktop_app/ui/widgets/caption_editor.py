"""The caption text editor, with the words the model was unsure of marked until a person edits the text,
and the words flagged for a second look (catalogue/flags.py) marked apart, their rule's reason as tooltip.

Token scores come as ``[[token, probability], ...]`` in the model's own pieces: sub-words with a
leading space, "Ġ" or "▁" (byte-level BPE, SentencePiece), "##" continuations (WordPiece), special
tokens. They are laid onto the caption's text by finding each piece, in order, a little ahead of
the previous one; pieces that cannot be found (the text was cleaned after decoding) are skipped, so
a mismatch costs a highlight, never a wrong one far away. A word's probability is its least sure piece.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from desktop_app.catalogue.models import CaptionKind
from desktop_app.ui import wording

UNSURE_BELOW = 0.5  # words whose least sure piece has a lower probability are marked
_LOOK_AHEAD = 24  # characters a piece may be found past the previous one
_SPECIAL = re.compile(r"<[^<>\s]*>|\[[A-Z]+\]")  # <s>, </s>, <pad>, <|endoftext|>, [CLS], [SEP]
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
UNSURE_COLOUR = QColor("#d68910")
UNSURE_BACKGROUND = QColor(255, 200, 0, 55)
FLAG_COLOUR = QColor("#8e24aa")  # flagged words: a solid underline, unlike the unsure words' wave
FLAG_BACKGROUND = QColor(142, 36, 170, 45)


def _piece(token: str) -> str:
    text = token.replace("Ġ", " ").replace("▁", " ").replace("Ċ", "\n")
    if text.startswith("##"):
        text = text[2:]
    return _SPECIAL.sub("", text).strip()


def token_spans(text: str, token_scores: Sequence[Sequence[Any]]) -> list[tuple[int, int, float]]:
    """Each scored token found in ``text``: (start, end, probability), in order."""
    spans: list[tuple[int, int, float]] = []
    position = 0
    for entry in token_scores:
        if len(entry) < 2 or not isinstance(entry[1], int | float):
            continue
        piece = _piece(str(entry[0]))
        if not piece:
            continue
        match = re.compile(re.escape(piece), re.IGNORECASE).search(
            text, position, min(len(text), position + len(piece) + _LOOK_AHEAD))
        if match is not None:
            spans.append((match.start(), match.end(), float(entry[1])))
            position = match.end()
    return spans


def unsure_words(text: str, token_scores: Sequence[Sequence[Any]] | None,
                 threshold: float = UNSURE_BELOW) -> list[tuple[int, int, float]]:
    """The words of ``text`` the model was unsure of: (start, end, probability of its least sure piece)."""
    if not token_scores:
        return []
    spans = token_spans(text, token_scores)
    words = []
    for match in _WORD.finditer(text):
        scores = [p for start, end, p in spans if start < match.end() and end > match.start()]
        if scores and min(scores) < threshold:
            words.append((match.start(), match.end(), min(scores)))
    return words


class CaptionEditor(QPlainTextEdit):
    """Plain-text caption editing. ``edited`` is emitted for a person's changes only, not for
    ``set_caption``; the unsure-word marks go with the first such change."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("captionEditor")
        self.setAccessibleName(self.tr("Caption"))
        self.setTabChangesFocus(True)  # Tab moves on to the buttons, as in a form
        self.setPlaceholderText(self.tr("Write a caption…"))
        self._loading = False
        self._unsure: list[tuple[int, int, float]] = []
        self._flags: list[tuple[int, int, str]] = []  # (start, end, reason)
        self.textChanged.connect(self._on_text_changed)

    def set_kind(self, kind: CaptionKind) -> None:
        """Name the editor after the kind of caption it holds (what a screen reader says on entering it)."""
        names = {CaptionKind.DESCRIPTION: (self.tr("Caption"), self.tr("Write a caption…")),
                 CaptionKind.ALT_TEXT: (self.tr("Alt text"),
                                        self.tr("Write alt text: what the photo shows, the subject first…")),
                 CaptionKind.EXTENDED_DESCRIPTION: (self.tr("Extended description"),
                                                    self.tr("Write an extended description…"))}
        name, placeholder = names[kind]
        self.setAccessibleName(name)
        self.setPlaceholderText(placeholder)

    def set_caption(self, text: str, token_scores: Sequence[Sequence[Any]] | None = None,
                    flags: Sequence[dict[str, Any]] | None = None) -> None:
        """Show ``text`` as stored (not an edit), marking the words the model was unsure of and the
        flagged ones (spans stored with the caption; one that no longer fits the text is left out)."""
        self._loading = True
        try:
            self.setPlainText(text)
        finally:
            self._loading = False
        self.document().clearUndoRedoStacks()  # Ctrl+Z must not undo into another photo's caption
        self._unsure = unsure_words(text, token_scores)
        self._flags = [(flag["start"], flag["end"], str(flag.get("reason") or "")) for flag in flags or ()
                       if text[flag["start"]:flag["end"]] == flag.get("text")]
        self._mark()

    def unsure(self) -> list[tuple[str, float]]:
        """The marked words and their probabilities, as shown."""
        text = self.toPlainText()
        return [(text[start:end], probability) for start, end, probability in self._unsure]

    def flagged(self) -> list[tuple[str, str]]:
        """The flagged words as marked, with their reasons."""
        text = self.toPlainText()
        return [(text[start:end], reason) for start, end, reason in self._flags]

    def flag_reasons_at(self, position: int) -> list[str]:
        return list(dict.fromkeys(reason for start, end, reason in self._flags if start <= position < end))

    def probability_at(self, position: int) -> float | None:
        for start, end, probability in self._unsure:
            if start <= position < end:
                return probability
        return None

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            position = self.cursorForPosition(event.pos()).position()
            probability = self.probability_at(position)
            lines = [self.tr("Check before approving: {reason}").format(reason=reason)
                     for reason in self.flag_reasons_at(position)]
            if probability is not None:
                lines.append(self.tr("The model was unsure of this word ({percent} probability)").format(
                    percent=wording.percent(probability)))
            if lines:
                QToolTip.showText(event.globalPos(), "\n".join(lines), self)
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def _mark(self) -> None:
        selections = []
        marks = [(start, end, False) for start, end, _probability in self._unsure]
        marks += [(start, end, True) for start, end, _reason in self._flags]
        for start, end, flag in marks:
            selection = QTextEdit.ExtraSelection()
            char_format = QTextCharFormat()
            char_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline if flag
                                          else QTextCharFormat.UnderlineStyle.WaveUnderline)
            char_format.setUnderlineColor(FLAG_COLOUR if flag else UNSURE_COLOUR)
            char_format.setBackground(FLAG_BACKGROUND if flag else UNSURE_BACKGROUND)
            selection.format = char_format
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selections.append(selection)
        self.setExtraSelections(selections)

    def _on_text_changed(self) -> None:
        if self._loading:
            return
        if self._unsure or self._flags:  # the scores and flags were about the stored text, not this one
            self._unsure, self._flags = [], []
            self.setExtraSelections([])
        self.edited.emit()

    def keyPressEvent(self, event: Any) -> None:
        # Ctrl+Return belongs to the window (approve and next); a plain Return would split the caption.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier):
            event.ignore()
            return
        super().keyPressEvent(event)
