"""The right-hand pane: the selected photo's zoomable preview, the title and headline its file gives, its
metadata, its captions with their state, and the review of its current caption of the chosen kind
(description, alt text, extended description: editor, approve/reject/regenerate, history, undo).
Each part lives in its own module of this package; the pane assembles them and follows the photo."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QImage, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop_app.catalogue.caption_rules import BasedOn
from desktop_app.catalogue.models import CaptionKind
from desktop_app.catalogue.photos import display_path
from desktop_app.ui.widgets.detail.caption_cards import CaptionCards
from desktop_app.ui.widgets.detail.heatmap import WordHeatmap
from desktop_app.ui.widgets.detail.keyword_box import KeywordBox
from desktop_app.ui.widgets.detail.kind_switch import KINDS
from desktop_app.ui.widgets.detail.metadata import MetadataForm, fact_rows
from desktop_app.ui.widgets.detail.preview import PreviewView
from desktop_app.ui.widgets.detail.review_box import ReviewBox, based_on
from desktop_app.ui.widgets.detail.style import STATE_STYLES, heading, state_name
from desktop_app.ui.widgets.revision_history import RevisionHistory
from desktop_app.ui.workers.keywords import KeywordService
from desktop_app.ui.workers.review import ReviewService

RECENT_DETAILS = 64  # photos whose details from the review worker are kept against stale loads


class DetailPane(QWidget):
    """What the catalogue knows about one photo, and the review of its current caption.

    Review needs a ReviewService (``review``); without one the pane only shows. The window:
    - calls ``flush()`` before another photo is selected (``show_photo`` of another photo also does),
      so the text being typed is committed as a revision;
    - adds ``review_actions()`` to its menus (they work as window shortcuts once the pane is shown);
    - moves the selection on ``advance_requested`` (to the next photo needing review) and
      ``move_requested(step)`` (the previous or next photo);
    - queues a captioning job on ``regenerate_requested(photo_id, captioner_id or None, kind)``.
    """

    advance_requested = Signal()  # approved/rejected and written: show the next photo needing review
    move_requested = Signal(int)  # -1 previous photo, +1 next photo
    regenerate_requested = Signal(int, object, object)  # photo id, captioner id or None, CaptionKind
    explain_requested = Signal(object)  # (photo id, kind value, word, occurrence): for the inference worker

    def __init__(self, parent: QWidget | None = None, review: ReviewService | None = None,
                 keywords: KeywordService | None = None) -> None:
        super().__init__(parent)
        self.photo_id: int | None = None  # the photo whose details are shown
        self.review = review
        self._editing = review  # the review service, kept while the catalogue is read-only (review None)
        self._details: dict[str, Any] | None = None
        self._recent: dict[int, dict[str, Any]] = {}  # details the review worker sent, newest last

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.preview = PreviewView()
        layout.addWidget(self.preview, 0)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Sideways only when its text cannot wrap to the pane (large text, a long folder path): never cut off.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
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
        # An approved alt text, in words (never by colour alone); its text in the tooltip.
        self.alt_badge = QLabel(self.tr("ALT"))
        self.alt_badge.setObjectName("altTextBadge")
        _text, foreground, background = STATE_STYLES["approved"]
        self.alt_badge.setStyleSheet(f"color: {foreground}; background: {background}; font-weight: 600; "
                                     "padding: 1px 4px; border-radius: 3px;")
        self.alt_badge.setAccessibleName(self.tr("Alt text approved"))
        self._body.addWidget(self.alt_badge, 0, Qt.AlignmentFlag.AlignLeft)
        # What the file calls the photo (dc:title, photoshop:Headline), above its captions.
        self.file_title = self._field_label("fileTitle")
        self.headline = self._field_label("fileHeadline")

        self.review_box = ReviewBox(review)
        self.review_box.advance_requested.connect(self.advance_requested)
        self.review_box.move_requested.connect(self.move_requested)
        self.review_box.regenerate_requested.connect(self.regenerate_requested)
        self.review_box.kind_changed.connect(self._on_kind_changed)
        self.addActions(self.review_box.kind_switch.actions)  # Ctrl+1/2/3 wherever the pane is shown
        self.addActions(self.review_box.shortcuts.window_wide())  # live wherever the pane is shown
        self.regenerate_action = self.review_box.shortcuts.regenerate  # named and enabled as its button
        self._body.addWidget(self.review_box)
        # Where the model looked for the word at the editor's cursor, over the preview (under it: the toggle).
        self.heatmap = WordHeatmap(self.preview, self.review_box.editor)
        self.heatmap.explain_requested.connect(self.explain_requested)
        self.review_box.shortcuts.drop_edit.triggered.connect(self.heatmap.clear)  # Esc
        self.addAction(self.heatmap.action)
        layout.insertWidget(1, self.heatmap)

        self.keyword_box = KeywordBox(keywords)  # hidden without a keyword service
        self.addActions(self.keyword_box.actions_())  # K, Shift+K... wherever the pane is shown
        self._body.addWidget(self.keyword_box)

        self._details_heading = heading(self.tr("Details"))
        self._body.addWidget(self._details_heading)
        self.metadata = MetadataForm()
        self._body.addLayout(self.metadata)

        self._captions_heading = heading(self.tr("Captions"))
        self._body.addWidget(self._captions_heading)
        self.captions = CaptionCards()
        self.captions.use_requested.connect(self.choose_caption)
        self._body.addWidget(self.captions)

        self._history_heading = heading(self.tr("History"))
        self._body.addWidget(self._history_heading)
        self.history = RevisionHistory()
        self.history.revert_requested.connect(self.revert)
        self._body.addWidget(self.history)
        self._body.addStretch(1)

        if review is not None:
            review.changed.connect(self._on_changed)
        self.clear()

    # -- what the window calls ---------------------------------------------------------------

    def clear(self, text: str | None = None) -> None:
        """No photo shown; ``text`` says why (default: none is selected)."""
        self.flush()
        self.photo_id = None
        self._details = None
        self.preview.set_text(self.tr("No photo selected") if text is None else text)
        self.title.setText("")
        self.folder.setText("")
        self._show_file_fields({})
        self.metadata.set_rows([])
        self.captions.set_captions([], photo_shown=False, choosable=False)
        self.review_box.show_caption(None, None, None, same_photo=False)
        self.keyword_box.show_photo(None, editable=False)
        self.history.set_caption(None)
        self.heatmap.set_photo(None, self.review_box.kind)
        # No photo: the preview's text says why and what to do; no headings over empty sections.
        for widget in (self._details_heading, self._captions_heading, self._history_heading, self.history):
            widget.setVisible(False)

    def show_loading(self, name: str) -> None:
        """A photo was selected: its name at once, the rest when the catalogue answers."""
        self.flush()
        self.title.setText(name)
        self.preview.set_text(self.tr("Loading…"))
        self.heatmap.set_photo(None, self.review_box.kind)  # no map of the photo before until this one's come

    def show_photo(self, details: dict[str, Any]) -> None:
        same_photo = details["id"] == self.photo_id
        if not same_photo:
            self.flush()  # the text typed for the previous photo becomes a revision of its caption
        details = self._freshest(details)
        self.photo_id = details["id"]
        self._details = details
        path = display_path(details["path"])
        self.title.setText(os.path.basename(path))
        self.folder.setText(os.path.dirname(path))
        self.metadata.set_rows(fact_rows(details))
        self._show_file_fields(details)
        for widget in (self._details_heading, self._captions_heading):
            widget.setVisible(True)
        self._show_captions(same_photo)
        self.keyword_box.show_photo(self.photo_id,
                                    editable=self.unreadable_reason() is None and self.review is not None)
        status = details["status"]
        if status == "error":
            self.preview.set_text(self.tr("This file cannot be shown:\n{reason}").format(
                reason=details.get("error") or self.tr("unknown error")))
        elif status == "missing":
            self.preview.set_text(self.tr("The file is missing"))

    def _show_captions(self, same_photo: bool) -> None:
        """The captions of the kind the review box is on: cards, review and history."""
        assert self._details is not None
        unreadable = self.unreadable_reason()
        kind = self.review_box.kind
        everything = self._details.get("captions") or []
        captions = [caption for caption in everything if caption.get("kind", "description") == kind.value]
        self.captions.set_captions(captions, photo_shown=True,
                                   choosable=self.review is not None and unreadable is None)
        current = next((caption for caption in captions if caption["current"]), None)
        self.review_box.show_caption(self.photo_id, current, unreadable, same_photo=same_photo)
        self.review_box.kind_switch.set_states({
            other: state_name(found["state"]) if found is not None else self.tr("No text yet")
            for other in KINDS
            for found in [_current_of(everything, other)]})
        self.history.set_caption(current)
        self.heatmap.set_photo(self.photo_id, kind, (current["id"], current["revision"]) if current else None)
        self.history.revert_button.setVisible(unreadable is None and self.review is not None)  # else browse
        for widget in (self._history_heading, self.history):
            widget.setVisible(current is not None)
        alt_text = _current_of(everything, CaptionKind.ALT_TEXT)
        approved = alt_text is not None and alt_text["state"] == "approved"
        self.alt_badge.setVisible(approved)
        self.alt_badge.setToolTip(self.tr("Approved alt text: {text}").format(text=alt_text["text"])
                                  if approved and alt_text is not None else "")
        self.alt_badge.setAccessibleDescription(alt_text["text"] if approved and alt_text is not None else "")

    def _on_kind_changed(self, _kind: CaptionKind) -> None:
        if self._details is not None:
            self._show_captions(same_photo=False)  # the editor shows the other kind's stored text

    def _show_file_fields(self, details: dict[str, Any]) -> None:
        fields = details.get("file_fields") or {}
        for label, text, words in ((self.file_title, fields.get("title"), self.tr("Title: {text}")),
                                   (self.headline, fields.get("headline"), self.tr("Headline: {text}"))):
            shown = text.strip() if isinstance(text, str) else ""
            label.setText(words.format(text=shown) if shown else "")
            label.setVisible(bool(shown))
        if not details:
            self.alt_badge.setVisible(False)

    def _field_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setVisible(False)
        self._body.addWidget(label)
        return label

    def show_preview(self, image: QImage, reason: str) -> None:
        if image.isNull():
            self.preview.set_text(self.tr("Cannot show a preview:\n{reason}").format(reason=reason))
        else:
            self.preview.set_image(image)

    def show_explanation(self, answer: Any) -> None:
        """Where the model looked for a word (an ExplainAnswer from the inference worker)."""
        self.heatmap.show_answer(answer)

    def flush(self) -> bool:
        """Commit the text being edited as a revision of the current caption (see ReviewBox.flush)."""
        return self.review_box.flush()

    def is_editing(self) -> bool:
        """Whether the editor holds typed text not yet committed as a revision."""
        return self.review_box.is_editing()

    def review_actions(self) -> list[QAction]:
        """The keyboard review flow, for the window's menus (Review and Edit)."""
        return self.review_box.shortcuts.review_flow()

    def set_read_only(self, read_only: bool) -> None:
        """A catalogue that may only be read: captions and keywords are shown, never edited."""
        self.review = self.review_box.review = None if read_only else self._editing
        if self._details is not None:
            self.show_photo(self._details)

    def unreadable_reason(self) -> str | None:
        """Why the shown photo's captions are read-only (its file cannot be read, or is missing), or
        None: it can be reviewed, or no photo is shown."""
        status = self._details.get("status") if self._details is not None else None
        if status == "error":
            # The reason is the scanner's words (English, as the command line shows it).
            return self.tr("this file cannot be read: {reason}").format(
                reason=self._details.get("error") or self.tr("unknown error"))
        if status == "missing":
            return self.tr("file missing: it is no longer at this path")
        return None

    def metadata_text(self) -> dict[str, str]:
        """The metadata rows as shown, by label."""
        return self.metadata.shown()

    def caption_texts(self) -> list[str]:
        return self.captions.texts()

    def caption_notices(self) -> list[str | None]:
        """Each caption card's notice as shown (None where it has none), in the cards' order."""
        return self.captions.notices()

    # -- captions other than the current one ---------------------------------------------------

    def revert(self, caption_id: int, revision: int) -> None:
        self.review_box.revert(caption_id, revision, self._shown(caption_id))

    def choose_caption(self, caption_id: int) -> None:
        """Make another caption of this photo its current one (typed text is committed first)."""
        self.review_box.choose(caption_id, self._shown(caption_id))

    def _shown(self, caption_id: int) -> BasedOn | None:
        """The caption as the pane shows it: what choosing or reverting it is based on."""
        for caption in (self._details or {}).get("captions") or []:
            if caption["id"] == caption_id:
                return based_on(caption)
        return None

    def _on_changed(self, photo_id: int, details: dict[str, Any]) -> None:
        self._recent.pop(photo_id, None)
        self._recent[photo_id] = details
        while len(self._recent) > RECENT_DETAILS:
            self._recent.pop(next(iter(self._recent)))
        if photo_id == self.photo_id:
            self.show_photo(details)

    def _freshest(self, details: dict[str, Any]) -> dict[str, Any]:
        """``details``, or the review worker's newer ones: a load that raced a write must not undo it
        on screen. Revisions only ever grow, so more of them means newer."""
        recent = self._recent.get(details["id"])
        if recent is not None and _revision_count(recent) > _revision_count(details):
            return recent
        return details


def _current_of(captions: list[dict[str, Any]], kind: CaptionKind) -> dict[str, Any] | None:
    return next((caption for caption in captions
                 if caption["current"] and caption.get("kind", "description") == kind.value), None)


def _revision_count(details: dict[str, Any]) -> int:
    return sum(len(caption.get("history") or []) for caption in details.get("captions") or [])
