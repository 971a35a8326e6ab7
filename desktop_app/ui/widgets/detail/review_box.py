"""The detail pane's review of the current caption of the chosen kind (description, alt text, extended
description: the kind switch): the editor (saved as you type, committed as a revision when you move on),
approve/reject/regenerate, undo/redo, and the keyboard review flow's actions. Alt text shows its length
against IPTC's 250-character guideline (a guideline: longer alt text can still be approved).

Every review action sends the caption and revision the shown text is based on (the review contract):
it follows the catalogue while the editor shows the stored text, and stays where typing began while
the editor holds a person's text.
"""

from __future__ import annotations

import html
import time
from typing import Any

import shiboken6
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette, QTextCursor
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QToolButton, QVBoxLayout, QWidget

from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS, BasedOn
from desktop_app.catalogue.models import CaptionKind, ReviewState
from desktop_app.plugin_api.alt_text import ALT_TEXT_MAX_CHARS
from desktop_app.ui import wording
from desktop_app.ui.accessibility import announce
from desktop_app.ui.widgets.caption_editor import CaptionEditor
from desktop_app.ui.widgets.detail.flag_confirm import FlagConfirmDialog, flag_lines, flags_summary
from desktop_app.ui.widgets.detail.kind_switch import KindSwitch, kind_name
from desktop_app.ui.widgets.detail.review_actions import ReviewActions
from desktop_app.ui.widgets.detail.style import (
    CHIP_SEPARATOR,
    NOTICE_STYLE,
    heading,
    origin_label,
    provenance,
    state_chip,
    state_name,
)
from desktop_app.ui.widgets.flow_layout import FlowLayout
from desktop_app.ui.workers.review import ReviewService

# The review box is the pane's working area: framed like the caption cards, with a primary Approve.
REVIEW_STYLE = """
#reviewBox { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }
#captionEditor { border: 1px solid palette(mid); border-radius: 4px; padding: 2px; }
#captionEditor:focus { border: 1px solid palette(highlight); }
"""  # the primary Approve button's colours are each theme's (resources/styles/*.qss)
EDITOR_LINES = 6  # the editor's height; longer reports scroll inside it
AUTOSAVE_MS = 500  # the text being typed is saved this long after the last keystroke


def based_on(caption: dict[str, Any] | None) -> BasedOn:
    """A review action's base: the photo_json caption shown (None: the photo has none)."""
    return BasedOn(caption["id"], caption["revision"]) if caption is not None else BasedOn(None, 0)


class ReviewBox(QWidget):
    """The Review section. Without a ReviewService it stays hidden (the pane only shows)."""

    advance_requested = Signal()  # approved/rejected and written: show the next photo needing review
    move_requested = Signal(int)  # -1 previous photo, +1 next photo
    # photo id, captioner id (None: the caption dialog), the kind of caption it is for
    regenerate_requested = Signal(int, object, object)
    kind_changed = Signal(object)  # CaptionKind: show the photo's caption of this kind

    def __init__(self, review: ReviewService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = review
        self.photo_id: int | None = None
        self.kind = CaptionKind.DESCRIPTION  # which of the photo's current captions is reviewed
        self._over_guideline = False  # alt text longer than ALT_TEXT_MAX_CHARS (said once as it crosses)
        self._current: dict[str, Any] | None = None  # the photo's current caption
        self._unreadable: str | None = None  # why the photo's captions are read-only
        self._stored = ""  # the current caption's text as the catalogue has it
        self._dirty = False  # the editor holds a person's text that differs from it
        self._advance_token: int | None = None
        self._decisions: dict[int, ReviewState] = {}  # approvals and rejections not yet written
        self._base = BasedOn(None, 0)
        # When the photo was shown (monotonic): its review time runs from there to the decision, and starts
        # again when the photo is left and shown again (the kind switch keeps it: the same photo).
        self._shown_photo: int | None = None
        self._shown_at = 0.0
        self._flags_confirmed: set[tuple[int, int]] = set()  # (caption, revision) confirmed here: asked once
        self.flag_dialog: FlagConfirmDialog | None = None

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self._save_unsaved)

        self.shortcuts = ReviewActions(
            self, decide=lambda approve, advance: self.approve(advance) if approve else self.reject(advance),
            edit=self.focus_editor, move=self.move_requested.emit, undo=self.undo, redo=self.redo,
            regenerate=self.regenerate, drop_edit=self.drop_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(heading(self.tr("Review")))
        layout.addWidget(self._build_frame())
        if review is not None:
            review.finished.connect(self._on_finished)
            review.conflict.connect(self._on_conflict)
            review.undo_stack.indexChanged.connect(self._update_undo_actions)
            review.undo_stack.cleanChanged.connect(self._update_undo_actions)

    # -- what the pane calls -------------------------------------------------------------------

    def show_caption(self, photo_id: int | None, current: dict[str, Any] | None, unreadable: str | None,
                     *, same_photo: bool) -> None:
        """Review ``current``, the photo's current caption of ``self.kind`` (None: none, or no photo); text
        being typed for the same photo stays in the editor."""
        keep_text = same_photo and self._dirty
        if photo_id != self._shown_photo:
            self._shown_photo, self._shown_at = photo_id, time.monotonic()
        self.photo_id, self._current, self._unreadable = photo_id, current, unreadable
        self._show(current, keep_text=keep_text)
        if not self._dirty:  # the editor shows the stored text: what is shown is what actions are based on
            self._base = based_on(current)
        if not same_photo:
            self.alert.hide()

    def flush(self) -> bool:
        """Commit the text being edited as a revision of the current caption (a draft again); an empty
        text is no caption and is dropped. False: the text is over MAX_CAPTION_CHARS, kept as an unsaved
        edit and in the editor, not committed."""
        pending = self._autosave.isActive()
        self._autosave.stop()
        if self.photo_id is None or self.review is None:
            return True
        if not self._dirty:
            if pending:  # typed back to the stored text: a saved unsaved edit would be stale
                self.review.drop_unsaved(self.photo_id, self.kind)
            return True
        text = self.editor.toPlainText()
        if self._too_long(text):
            self.review.save_unsaved(self.photo_id, text, self._base, self.kind)  # kept, not committed
            return False
        self._dirty = False
        if text.strip():
            self._stored = text.strip()
            self.alert.hide()
            self.review.edit(self.photo_id, text, self._base, self.kind)
        else:
            self.review.drop_unsaved(self.photo_id, self.kind)
            self._restore_editor()
        self._update_status()
        return True

    def is_editing(self) -> bool:
        """Whether the editor holds typed text not yet committed as a revision."""
        return self._dirty

    def editor_text(self) -> str:
        return self.editor.toPlainText()

    def choose_kind(self, kind: CaptionKind) -> None:
        """Review the photo's caption of ``kind`` (the switch, Ctrl+1/2/3): the text typed for the kind
        shown is committed first, and the switch says the kind and its caption's state."""
        if kind is self.kind:
            self.kind_switch.set_kind(kind)
            return
        if not self.flush():  # too long to commit: it stays in the editor, and so does its kind
            self.kind_switch.set_kind(self.kind)
            return
        self.set_kind(kind)
        announce(self, self.state_words())

    def set_kind(self, kind: CaptionKind) -> None:
        """Review ``kind`` from now on, unannounced (no text may be typed: see ``choose_kind``)."""
        self.kind = kind
        self.kind_switch.set_kind(kind)
        self.kind_changed.emit(kind)  # the pane shows the photo's caption of this kind

    def state_words(self) -> str:
        """The kind reviewed and its caption's state, as the switch announces it: ``Alt text: Draft``."""
        state = (state_name(self._current["state"]) if self._current is not None
                 else self.tr("no text yet"))
        return self.tr("{kind}: {state}").format(kind=kind_name(self.kind), state=state)

    # -- review ----------------------------------------------------------------------------------

    def approve(self, advance: bool = False) -> None:
        """Approve the current caption, or the edited text as it now reads; with ``advance``, ask for
        the next photo once that is written."""
        self._decide(ReviewState.APPROVED, advance)

    def reject(self, advance: bool = False) -> None:
        self._decide(ReviewState.REJECTED, advance)

    def drop_edit(self) -> None:
        """Forget the text being typed (Esc): the stored caption comes back."""
        self._autosave.stop()
        if self.photo_id is not None and self.review is not None:
            self.review.drop_unsaved(self.photo_id, self.kind)
        self._dirty = False
        self._restore_editor()
        self._base = based_on(self._current)
        self._update_status()

    def revert(self, caption_id: int, revision: int, shown: BasedOn | None) -> None:
        """Bring back a revision of the photo's caption ``shown`` (typed text goes into the history first)."""
        if self.photo_id is None or self.review is None or self._unreadable is not None:
            return
        if not self.flush():
            return
        self.review.revert(self.photo_id, caption_id, revision, shown, self.kind)

    def choose(self, caption_id: int, shown: BasedOn | None) -> None:
        """Make another caption of this photo its current one (typed text is committed first)."""
        if self.photo_id is None or self.review is None:
            return
        if not self.flush():
            return
        self.review.choose(self.photo_id, caption_id, shown, self.kind)

    def regenerate(self) -> None:
        if self.photo_id is None:
            return
        self.flush()
        captioner = self._current.get("captioner") if self._current else None
        self.regenerate_requested.emit(self.photo_id, captioner, self.kind)

    def focus_editor(self) -> None:
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)

    def undo(self) -> None:
        # Typed text is committed first, so undo takes it back as a revision, not lost.
        if self.review is None or not self.flush():
            return
        stack = self.review.undo_stack
        if stack.canUndo():
            self._show_kind_of(self.review.kind_to_undo())
            announce(self, self.tr("Undone: {change}").format(change=stack.undoText()))
        stack.undo()

    def redo(self) -> None:
        if self.review is not None and not self._dirty:  # new typing has replaced what redo would bring
            stack = self.review.undo_stack
            if stack.canRedo():
                self._show_kind_of(self.review.kind_to_redo())
                announce(self, self.tr("Redone: {change}").format(change=stack.redoText()))
            stack.redo()

    def _show_kind_of(self, kind: CaptionKind | None) -> None:
        """Switch to the kind an undo or redo changes, so that what it does is seen."""
        if kind is not None and kind is not self.kind:
            self.set_kind(kind)

    def _flags_to_confirm(self) -> bool:
        """Whether approving the stored text asks for confirmation of its flags first (once per text)."""
        current = self._current or {}
        return bool(current.get("flags")) and not current.get("flags_confirmed") and (
            (current["id"], current["revision"]) not in self._flags_confirmed)

    def _ask_flags(self, advance: bool) -> None:
        assert self._current is not None
        key = (self._current["id"], self._current["revision"])
        dialog = self.flag_dialog = FlagConfirmDialog(self._current["flags"], self)

        def confirmed() -> None:
            self._flags_confirmed.add(key)
            if self._current is not None and (self._current["id"], self._current["revision"]) == key:
                self._decide(ReviewState.APPROVED, advance, reason=dialog.reason_text() or "")

        dialog.accepted.connect(confirmed)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _decide(self, state: ReviewState, advance: bool, reason: str | None = None) -> None:
        """``reason``: the flags were confirmed (its text, "" for none) in the dialog just closed."""
        if self.photo_id is None or self.review is None or self._unreadable is not None:
            return
        self._autosave.stop()
        text = self.editor.toPlainText() if self._dirty and self.editor.toPlainText().strip() else None
        if text is None and self._current is None:
            self.status.setText(self.tr("Write a caption first: there is nothing to review."))
            return
        if text is not None and self._too_long(text):
            return
        if text is None and self._current is not None and self._current["state"] == state.value:
            if advance:
                self.advance_requested.emit()  # already so: nothing to write
            return
        confirm = state is ReviewState.APPROVED and text is None and bool((self._current or {}).get("flags"))
        if confirm and reason is None and self._flags_to_confirm():
            self._ask_flags(advance)  # the decision goes on from the dialog's Approve
            return
        self._dirty = False
        if text is not None:
            self._stored = text.strip()
        self.alert.hide()
        seconds = time.monotonic() - self._shown_at
        if state is ReviewState.APPROVED:
            token = self.review.approve(self.photo_id, text, self._base, self.kind, confirm_flags=confirm,
                                        flags_reason=reason or None, review_seconds=seconds)
        else:
            token = self.review.reject(self.photo_id, text, self._base, self.kind, review_seconds=seconds)
        self._decisions[token] = state
        self._advance_token = token if advance else None
        self._update_status()

    def _on_finished(self, token: int, _photo_id: int, written: bool) -> None:
        decision = self._decisions.pop(token, None)
        if written and decision is not None:  # said once stored, never for a refused change
            announce(self, self.tr("Approved") if decision is ReviewState.APPROVED else self.tr("Rejected"))
        if token == self._advance_token:
            self._advance_token = None
            if written:
                self.advance_requested.emit()

    def _on_conflict(self, photo_id: int, message: str, kept_caption_id: int | None) -> None:
        """A change was refused: the caption changed since the revision shown. The fresh details
        follow (the current text, and the editor's text kept beside as another caption)."""
        if photo_id != self.photo_id:
            return
        # ``message`` is the review service's (English, shared with the command line).
        if kept_caption_id is not None:
            text = self.tr("Not applied: {reason}. Your text is kept as caption {caption} under Captions: "
                           "Use This Caption makes it current.").format(reason=message,
                                                                        caption=kept_caption_id)
        else:
            text = self.tr("Not applied: {reason}. Review the caption as it now reads.").format(
                reason=message)
        self._show_alert(text)

    def _too_long(self, text: str) -> bool:
        """Whether ``text`` is over the caption length limit; if so the editor says so and keeps it."""
        length = len(text.strip())
        if length <= MAX_CAPTION_CHARS:
            return False
        self._show_alert(self.tr("This caption is {length} characters; the most a caption can hold is "
                                 "{limit}. Shorten it to save it (your text stays here).").format(
                                     length=wording.number(length), limit=wording.number(MAX_CAPTION_CHARS)))
        return True

    def _show_alert(self, text: str) -> None:
        self.alert.setText(text)
        self.alert.show()

    def _on_edited(self) -> None:
        self._update_count(speak=True)
        self._dirty = self.editor.toPlainText().strip() != self._stored
        if not self._dirty:  # typed back to the stored text, which is what is shown
            self._base = based_on(self._current)
        if self.review is not None and self.photo_id is not None:
            self._autosave.start()  # saves the text (or forgets it, when back to the stored one)
        self._update_status()

    def _save_unsaved(self) -> None:
        if self.review is not None and self.photo_id is not None:
            self.review.save_unsaved(self.photo_id, self.editor.toPlainText(), self._base, self.kind)

    def _restore_editor(self) -> None:
        current = self._current
        self.editor.set_caption(current["text"] if current else "",
                                current.get("token_scores") if current else None,
                                current.get("flags") if current else None)

    # -- what is shown ---------------------------------------------------------------------------

    def _show(self, current: dict[str, Any] | None, *, keep_text: bool) -> None:
        reviewing = self.review is not None and self.photo_id is not None
        self.setVisible(reviewing)
        self._stored = current["text"] if current else ""
        if keep_text:
            self._dirty = self.editor.toPlainText().strip() != self._stored
        else:
            self._dirty = False
            self._restore_editor()
        self.editor.set_kind(self.kind)
        self._update_count(speak=False)
        if current is None:
            self.header.setText(self._none_yet() if self._unreadable is None else self.tr("No caption."))
            self.notice.hide()
        else:
            parts = [state_chip(current["state"]), origin_label(current["origin"])]
            parts += [html.escape(fact) for fact in provenance(current)]
            # What the review actions are based on.
            parts.append(self.tr("revision {revision}").format(revision=current["revision"]))
            self.header.setText(CHIP_SEPARATOR.join(parts))
            self.notice.setText(f"⚠ {current['notice']}" if current.get("notice") else "")
            self.notice.setVisible(bool(current.get("notice")))
        flags = (current or {}).get("flags") or []  # words to check: said in words too, not only marked
        self.flags_note.setText(flags_summary(flags, bool(current and current.get("flags_confirmed"))))
        self.flags_note.setVisible(bool(flags))
        self.flags_note.setToolTip("\n".join(flag_lines(flags)))  # the reasons, without hovering each word
        self.flags_note.setAccessibleDescription(self.flags_note.toolTip())
        readable = self.photo_id is not None and self._unreadable is None
        # A model's caption can be made again; a photo without one is captioned through the dialog.
        again = current is not None and bool(current.get("captioner"))
        for widget in (self.regenerate_button, self.shortcuts.regenerate):
            widget.setText(self.tr("Regenerate") if again else self.tr("Caption with a model"))
            widget.setToolTip(self.tr("Caption this photo again with its model; a person's text is kept")
                              if again else self.tr("Choose a captioning model and caption this photo"))
            widget.setEnabled(reviewing and readable)
        self.editor.setReadOnly(not (reviewing and readable))  # what cannot be seen is not reviewed
        self._update_status()

    def _none_yet(self) -> str:
        if self.kind is CaptionKind.ALT_TEXT:
            return self.tr("No alt text yet: write it (what the photo shows, the subject first), or draft it "
                           "with the alt-text captioner.")
        if self.kind is CaptionKind.EXTENDED_DESCRIPTION:
            return self.tr("No extended description yet: write one where alt text cannot say enough.")
        return self.tr("No caption yet: write one, or caption it with a model.")

    def _update_count(self, *, speak: bool) -> None:
        """Alt text's length against the guideline; over it, a warning in words, said as it is crossed."""
        if self.kind is not CaptionKind.ALT_TEXT:
            self.count.hide()
            self._over_guideline = False
            return
        length = len(self.editor.toPlainText().strip())
        over = length > ALT_TEXT_MAX_CHARS
        if over:
            text = self.tr("⚠ {length} characters: alt text should be at most {limit}. Shorten it if you "
                           "can (it can still be approved).").format(
                length=wording.number(length), limit=wording.number(ALT_TEXT_MAX_CHARS))
        else:
            text = self.tr("{length} of {limit} characters").format(
                length=wording.number(length), limit=wording.number(ALT_TEXT_MAX_CHARS))
        self.count.setText(text)
        self.count.setStyleSheet(NOTICE_STYLE if over else "")
        self.count.setForegroundRole(QPalette.ColorRole.WindowText if over
                                     else QPalette.ColorRole.PlaceholderText)
        self.count.show()
        if speak and over != self._over_guideline:
            announce(self, text if over else self.tr("Alt text within {limit} characters again").format(
                limit=wording.number(ALT_TEXT_MAX_CHARS)))
        self._over_guideline = over

    def _update_status(self) -> None:
        unreadable = self._unreadable
        reviewing = self.review is not None and self.photo_id is not None
        can_decide = reviewing and unreadable is None and (self._current is not None or self._dirty)
        actions = self.shortcuts
        for widget in (self.approve_button, self.reject_button, actions.approve_and_next,
                       actions.reject_and_next):
            widget.setEnabled(can_decide)
        for action in (actions.edit, actions.drop_edit):
            action.setEnabled(reviewing and unreadable is None)
        for action in (actions.previous, actions.next):
            action.setEnabled(reviewing)
        if unreadable is not None and reviewing:
            text = self.tr("{problem}. Its captions are shown read-only; rescan (F5) once the file is back "
                           "or fixed.").format(problem=f"{unreadable[0].upper()}{unreadable[1:]}")
        elif self._dirty:
            text = self.tr("Edited · saved as you type, committed when you move on · Esc drops it")
        elif self.editor.unsure():
            # Listed here too, not only in the hover tooltip: for the keyboard and screen readers.
            words = ", ".join(f"{word} ({wording.percent(probability)})"
                              for word, probability in self.editor.unsure())
            text = self.tr("Underlined: words the model was unsure of: {words}").format(words=words)
        elif self._current is not None and self._current["state"] == "approved":
            text = self.tr("Approved.")
        else:
            text = ""
        self.status.setText(text)
        self.editor.setAccessibleDescription(text)
        self._update_undo_actions()

    @Slot()
    def _update_undo_actions(self) -> None:
        stack = self.review.undo_stack if self.review is not None else None
        if stack is not None and not shiboken6.isValid(stack):
            stack = None  # the stack clears itself, signalling, as it is destroyed
        undo, redo = self.shortcuts.undo, self.shortcuts.redo
        undo.setEnabled(stack is not None and (stack.canUndo() or self._dirty))
        redo.setEnabled(stack is not None and stack.canRedo() and not self._dirty)
        undo.setText(self.tr("Undo {change}").format(change=stack.undoText())
                     if stack is not None and stack.canUndo() else self.tr("Undo"))
        redo.setText(self.tr("Redo {change}").format(change=stack.redoText())
                     if stack is not None and stack.canRedo() else self.tr("Redo"))
        self.undo_button.setEnabled(undo.isEnabled())
        self.redo_button.setEnabled(redo.isEnabled())

    # -- building --------------------------------------------------------------------------------

    def _build_frame(self) -> QFrame:
        box = QFrame()
        box.setObjectName("reviewBox")
        box.setStyleSheet(REVIEW_STYLE)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.kind_switch = KindSwitch()
        self.kind_switch.kind_chosen.connect(self.choose_kind)
        layout.addWidget(self.kind_switch)
        self.header = self._label("reviewHeader", Qt.TextFormat.RichText)
        layout.addWidget(self.header)
        self.notice = self._label("reviewNotice", Qt.TextFormat.PlainText, NOTICE_STYLE)
        layout.addWidget(self.notice)
        # Why the last change was not applied (the caption changed since it was shown, or the text is
        # too long): stays until the next change is sent or another photo is shown.
        self.alert = self._label("reviewAlert", Qt.TextFormat.PlainText, NOTICE_STYLE)
        self.alert.hide()
        layout.addWidget(self.alert)
        self.flags_note = self._label("reviewFlags", Qt.TextFormat.PlainText, NOTICE_STYLE)  # words to check
        self.flags_note.hide()
        layout.addWidget(self.flags_note)

        self.editor = CaptionEditor()
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * EDITOR_LINES + 14)
        self.editor.edited.connect(self._on_edited)
        self.shortcuts.drop_edit.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.editor.addAction(self.shortcuts.drop_edit)  # Esc inside the editor only
        layout.addWidget(self.editor)
        self.status = self._label("reviewStatus", Qt.TextFormat.AutoText)
        self.status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = self.status.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.status.setFont(small)
        self.count = self._label("altTextCount", Qt.TextFormat.PlainText)  # alt text's length
        self.count.setFont(small)
        self.count.hide()
        layout.addWidget(self.count)
        layout.addWidget(self.status)
        layout.addLayout(self._build_buttons())

        hints = QLabel(self.tr("Ctrl+Enter approve and next · Ctrl+Shift+Backspace reject and next · "
                               "F2 edit · Esc drop edit · Alt+↑/↓ previous/next · "
                               "Ctrl+1/2/3 description, alt text, extended description"))
        hints.setWordWrap(True)
        hints.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        hints.setFont(small)
        layout.addWidget(hints)
        return box

    def _build_buttons(self) -> FlowLayout:
        buttons = FlowLayout(spacing=6)  # wraps onto a second line when the pane is short of room
        self.approve_button = QPushButton(self.tr("Approve"))
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setToolTip(
            self.tr("Approve the caption as it reads (Ctrl+Enter also moves to the next photo)"))
        self.approve_button.clicked.connect(lambda: self.approve())
        self.reject_button = QPushButton(self.tr("Reject"))
        self.reject_button.setObjectName("rejectButton")
        self.reject_button.setToolTip(
            self.tr("Reject the caption (Ctrl+Shift+Backspace also moves to the next photo)"))
        self.reject_button.clicked.connect(lambda: self.reject())
        self.regenerate_button = QPushButton(self.tr("Regenerate"))
        self.regenerate_button.clicked.connect(self.regenerate)
        for button in (self.approve_button, self.reject_button, self.regenerate_button):
            buttons.addWidget(button)
        # Icons, not words: the row must fit a narrow pane.
        self.undo_button = self._glyph_button("↶", self.tr("Undo the last caption change (Ctrl+Z)"),
                                              self.undo)
        self.redo_button = self._glyph_button("↷", self.tr("Redo (Ctrl+Shift+Z)"), self.redo)
        # Spoken names: the glyph alone is read as "anticlockwise top semicircle arrow".
        self.undo_button.setAccessibleName(self.tr("Undo"))
        self.redo_button.setAccessibleName(self.tr("Redo"))
        buttons.add_widget(self.undo_button, trailing=True)  # at the right, when they fit there
        buttons.add_widget(self.redo_button, trailing=True)
        return buttons

    @staticmethod
    def _label(name: str, text_format: Qt.TextFormat, style: str = "") -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(text_format)
        if style:
            label.setStyleSheet(style)
        return label

    @staticmethod
    def _glyph_button(glyph: str, tip: str, slot: Any) -> QToolButton:
        button = QToolButton()
        button.setText(glyph)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        font = button.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        button.setFont(font)
        return button
