"""Where the model looked: with the toggle on, the word at the caption editor's text cursor (clicked, or
reached with the arrow keys) gets a heatmap over the preview, of the image regions the model attended
to when it wrote that word of its AI draft.

The map is computed by the inference worker (it owns the models), never here: the pane asks through
``explain_requested`` and gets the answer back in ``show_answer``. Answers are kept for the photo shown,
so going back to a word shows its map at once. Moving off a word, Esc, or switching the toggle off takes
the map away; another photo starts afresh.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import QLabel, QToolButton, QVBoxLayout, QWidget

from desktop_app.catalogue.models import CaptionKind
from desktop_app.plugin_api.explain import word_spans
from desktop_app.ui.widgets.caption_editor import CaptionEditor
from desktop_app.ui.widgets.detail.preview import PreviewView

SHORTCUT = "Ctrl+Shift+H"


def word_at(text: str, position: int) -> tuple[str, int] | None:
    """The word of ``text`` at (or just after) the cursor ``position`` and which time it occurs there
    (from 1, counted without case), or None between words."""
    spans = word_spans(text)
    for start, end in spans:
        if start <= position <= end:
            word = text[start:end]
            earlier = sum(1 for s, e in spans if s < start and text[s:e].casefold() == word.casefold())
            return word, earlier + 1
    return None


class WordHeatmap(QWidget):
    """The toggle and the line saying what the preview shows; drives the preview's overlay."""

    explain_requested = Signal(object)  # (photo id, caption kind value, word, occurrence)

    def __init__(self, preview: PreviewView, editor: CaptionEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wordHeatmap")
        self.preview, self.editor = preview, editor
        self.photo_id: int | None = None
        self.kind = CaptionKind.DESCRIPTION
        self._caption: Any = None
        self._wanted: tuple[Any, ...] | None = None  # the word whose map is (to be) shown
        self._answers: dict[tuple[Any, ...], Any] = {}  # this photo's answers: ExplainAnswer by key
        self._asked: set[tuple[Any, ...]] = set()

        # Short on the button (the pane stays narrow in any language and text size); said in full to
        # screen readers and in the tooltip.
        self.action = QAction(self.tr("Where the model looked"), self)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setToolTip(self.tr("Show where the model looked on the photo when it wrote the word at "
                                       "the text cursor ({shortcut})").format(shortcut=SHORTCUT))
        self.action.toggled.connect(self._on_toggled)
        self.button = QToolButton()
        self.button.setDefaultAction(self.action)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.button.setAccessibleName(self.tr("Show where the model looked"))
        self.button.setAccessibleDescription(self.tr(
            "A heatmap over the photo of the regions the model attended to when it wrote the word at the "
            "caption's text cursor: click a word, or move to it with the arrow keys"))
        self.status = QLabel()
        self.status.setObjectName("heatmapStatus")
        self.status.setWordWrap(True)
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        # The line under the toggle, not beside it: the pane keeps its width at large text sizes.
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 4, 16, 0)
        layout.setSpacing(2)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.status)
        # Followed once the pane has finished changing: showing another photo sets the editor's text
        # before the pane says which photo it is, and the two must never be mixed in a request.
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setInterval(0)
        self._follow.timeout.connect(self._follow_cursor)
        editor.cursorPositionChanged.connect(self._follow.start)
        editor.edited.connect(self._follow.start)
        preview.content_changed.connect(self._show_wanted)

    # -- what the pane calls -------------------------------------------------------------------------

    def set_photo(self, photo_id: int | None, kind: CaptionKind, caption: Any = None) -> None:
        """The photo, kind of caption and caption version (its id and revision: a regenerated draft has
        other words) the pane shows now: answers about anything else are dropped."""
        if (photo_id, kind, caption) != (self.photo_id, self.kind, self._caption):
            self._answers.clear()
            self._asked.clear()
            self._wanted = None
            self.photo_id, self.kind, self._caption = photo_id, kind, caption
        self._follow.start()

    def show_answer(self, answer: Any) -> None:
        """An ExplainAnswer from the inference worker (for this photo, or one shown before: dropped)."""
        self._asked.discard(answer.key)
        if answer.key[0] != self.photo_id or answer.key[1] != self.kind.value:
            return
        self._answers[answer.key] = answer
        if answer.key == self._wanted:
            self._show_wanted()

    def clear(self) -> None:
        """Take the map away until the cursor moves to a word again (Esc)."""
        self._wanted = None
        self.preview.set_overlay(None)
        self._say("")

    def is_on(self) -> bool:
        return self.action.isChecked()

    # -- following the cursor --------------------------------------------------------------------------

    def _on_toggled(self, on: bool) -> None:
        if on:
            self._follow.start()
        else:
            self.clear()

    def _follow_cursor(self) -> None:
        if not self.is_on() or self.photo_id is None:
            return
        found = word_at(self.editor.toPlainText(), self.editor.textCursor().position())
        if found is None:
            self._wanted = None
            self.preview.set_overlay(None)
            self._say(self.tr("Click a word of the caption, or move to it with the arrow keys, to see where "
                              "the model looked."))
            return
        word, occurrence = found
        key = (self.photo_id, self.kind.value, word.casefold(), occurrence)
        if key == self._wanted:
            return
        self._wanted = key
        if key not in self._answers and key not in self._asked:
            self._asked.add(key)
            self.explain_requested.emit(key)
        self._show_wanted()

    def _show_wanted(self) -> None:
        if self._wanted is None or not self.is_on():
            return
        word = self._wanted[2]
        answer = self._answers.get(self._wanted)
        if answer is None:
            self.preview.set_overlay(None)
            self._say(self.tr("Finding where the model looked for “{word}”…").format(word=word))
        elif answer.heat is None:
            self.preview.set_overlay(None)
            self._say(self.tr("No heatmap for “{word}”: {reason}").format(word=word, reason=answer.reason))
        else:
            self.preview.set_overlay(_image(answer.heat))
            method = {"cross-attention": self.tr("cross-attention"),
                      "gradient": self.tr("gradient")}.get(answer.method, answer.method)
            self._say(self.tr("Where the model looked for “{word}” ({method})").format(word=answer.word,
                                                                                      method=method))

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setAccessibleName(text)

    def status_text(self) -> str:
        return self.status.text()


def _image(heat: Any) -> QImage:
    """An RGBA uint8 (rows, columns, 4) array as a QImage that owns its pixels."""
    rows, cols = heat.shape[:2]
    return QImage(bytes(heat.tobytes()), cols, rows, cols * 4, QImage.Format.Format_RGBA8888).copy()
