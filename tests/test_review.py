"""Caption review in the detail pane against a real catalogue: the keyboard flow over several photos,
edits saved as typed and committed on moving on, Esc, recovery after a crash, revert from the history,
undo and redo as new revisions, and the words the model was unsure of."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS
from desktop_app.catalogue.captions import (
    edit_caption,
    recover_unsaved_edits,
    save_unsaved_edit,
    set_review_state,
    unsaved_edit,
)
from desktop_app.catalogue.models import CaptionKind, Photo, ReviewState, UnsavedEdit
from desktop_app.catalogue.photos import find_photo, photo_json, photo_with_history
from desktop_app.library.scanner import Scanner
from desktop_app.ui.widgets.detail.pane import DetailPane
from desktop_app.ui.widgets.revision_history import word_diff_html
from desktop_app.ui.workers.review import ReviewService
from tests import photo_files
from tests.gui_helpers import WAIT_MS

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends

MODEL_TEXT = "A red bicycle leaning against a wall"
# Byte-level BPE pieces as the engine stores them: specials, "Ġ" spaces, sub-words.
TOKEN_SCORES = [["<s>", 0.99], ["ĠA", 0.9], ["Ġred", 0.3], ["Ġbi", 0.8], ["cycle", 0.2], ["Ġleaning", 0.9],
                ["Ġagainst", 0.95], ["Ġa", 0.9], ["Ġwall", 0.45], [".", 0.9], ["</s>", 0.99]]


@pytest.fixture
def photo_ids(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> list[int]:
    """Four photos, each with a model's draft caption and its token scores."""
    paths = [photo_files.jpeg(tmp_path / "shoot" / f"{i:02}.jpg", seed=i) for i in range(4)]
    scanner.scan(str(tmp_path / "shoot"))
    ids = []
    with catalogue.write() as session:
        for number, path in enumerate(paths):
            photo = find_photo(session, str(path))
            store_ai_caption(session, AICaption(photo, f"{MODEL_TEXT} {number}", model_id="tiny-blip",
                                                confidence=0.7, token_scores=TOKEN_SCORES),
                             captioner_id="generic")
            ids.append(photo.id)
    return ids


@pytest.fixture
def review(catalogue: Catalogue) -> Iterator[ReviewService]:
    service = ReviewService()
    service.open(catalogue)
    yield service
    service.shutdown()


def details(catalogue: Catalogue, photo_id: int) -> dict[str, Any]:
    with catalogue.read() as session:
        return photo_json(photo_with_history(session, photo_id))


def current(catalogue: Catalogue, photo_id: int) -> dict[str, Any]:
    return next(c for c in details(catalogue, photo_id)["captions"] if c["current"])


def has_unsaved_edit(catalogue: Catalogue, photo_id: int) -> bool:
    with catalogue.read() as session:
        return unsaved_edit(session, photo_id) is not None


class Window:
    """The main window's part in the review flow: show a photo (committing the edit of the one before),
    and on advance_requested show the next photo whose caption is still a draft."""

    def __init__(self, qtbot: QtBot, catalogue: Catalogue, review: ReviewService,
                 photo_ids: list[int]) -> None:
        self.catalogue, self.photo_ids = catalogue, photo_ids
        self.pane = DetailPane(review=review)
        qtbot.addWidget(self.pane)
        self.pane.resize(440, 900)
        self.pane.show()
        qtbot.waitExposed(self.pane)
        self.pane.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is self.pane)
        self.pane.advance_requested.connect(self.next_needing_review)

    def show(self, photo_id: int) -> None:
        self.pane.flush()
        self.pane.show_photo(details(self.catalogue, photo_id))

    def next_needing_review(self) -> None:
        later = self.photo_ids[self.photo_ids.index(self.pane.photo_id) + 1:]
        waiting = [photo_id for photo_id in later if current(self.catalogue, photo_id)["state"] == "draft"]
        if waiting:
            self.show(waiting[0])


@pytest.fixture
def window(qtbot: QtBot, catalogue: Catalogue, review: ReviewService, photo_ids: list[int]) -> Window:
    return Window(qtbot, catalogue, review, photo_ids)


def key(qtbot: QtBot, window: Window, key: Qt.Key,
        modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard focus is, as a person would type it."""
    target = QApplication.focusWidget() or window.pane
    qtbot.keyClick(target, key, modifiers)


CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def test_keyboard_review_of_several_photos_is_written_to_the_catalogue(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    first, second, third, fourth = photo_ids
    window.show(first)
    key(qtbot, window, Qt.Key.Key_Return, CTRL)  # approve as it reads, and on
    qtbot.waitUntil(lambda: window.pane.photo_id == second, timeout=WAIT_MS)

    key(qtbot, window, Qt.Key.Key_F2)  # into the editor, cursor at the end
    assert QApplication.focusWidget() is window.pane.review_box.editor
    qtbot.keyClicks(window.pane.review_box.editor, ", in the rain")
    key(qtbot, window, Qt.Key.Key_Return, CTRL)  # approve the text as edited, and on
    qtbot.waitUntil(lambda: window.pane.photo_id == third, timeout=WAIT_MS)

    key(qtbot, window, Qt.Key.Key_Backspace, CTRL | SHIFT)  # reject, and on
    qtbot.waitUntil(lambda: window.pane.photo_id == fourth, timeout=WAIT_MS)

    approved = current(catalogue, first)
    assert approved["state"] == "approved" and approved["text"] == f"{MODEL_TEXT} 0"
    assert [(h["action"], h["author"]) for h in approved["history"]] == [
        ("created", "tiny-blip"), ("approved", "test-editor")]
    edited = current(catalogue, second)
    assert edited["text"] == f"{MODEL_TEXT} 1, in the rain"
    assert (edited["state"], edited["origin"], edited["author"]) == ("approved", "human", "test-editor")
    assert edited["token_scores"] is None  # the model's scores were about its own text
    assert [(h["action"], h["state"]) for h in edited["history"]] == [
        ("created", "draft"), ("edited", "approved")]
    assert current(catalogue, third)["state"] == "rejected"
    assert current(catalogue, fourth)["state"] == "draft"
    assert not has_unsaved_edit(catalogue, second)
    # The pane shows the fourth photo's caption as stored, ready for the next decision.
    assert window.pane.review_box.editor_text() == f"{MODEL_TEXT} 3" and not window.pane.is_editing()


def test_typing_is_saved_as_an_unsaved_edit_and_committed_when_moving_on(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    window.show(photo_ids[0])
    window.pane.review_box.focus_editor()
    qtbot.keyClicks(window.pane.review_box.editor, " at dusk")
    qtbot.waitUntil(lambda: has_unsaved_edit(catalogue, photo_ids[0]), timeout=WAIT_MS)  # no save step
    assert current(catalogue, photo_ids[0])["text"] == f"{MODEL_TEXT} 0"  # not a revision yet

    window.show(photo_ids[1])  # moving on commits it
    qtbot.waitUntil(lambda: current(catalogue, photo_ids[0])["text"] == f"{MODEL_TEXT} 0 at dusk",
                    timeout=WAIT_MS)
    caption = current(catalogue, photo_ids[0])
    assert caption["state"] == "draft" and [h["action"] for h in caption["history"]] == ["created", "edited"]
    qtbot.waitUntil(lambda: not has_unsaved_edit(catalogue, photo_ids[0]), timeout=WAIT_MS)


def test_escape_drops_the_unsaved_edit(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    window.show(photo_ids[0])
    key(qtbot, window, Qt.Key.Key_F2)
    qtbot.keyClicks(window.pane.review_box.editor, " and a cat")
    qtbot.waitUntil(lambda: has_unsaved_edit(catalogue, photo_ids[0]), timeout=WAIT_MS)
    assert window.pane.is_editing()

    key(qtbot, window, Qt.Key.Key_Escape)
    assert window.pane.review_box.editor_text() == f"{MODEL_TEXT} 0" and not window.pane.is_editing()
    qtbot.waitUntil(lambda: not has_unsaved_edit(catalogue, photo_ids[0]), timeout=WAIT_MS)
    window.show(photo_ids[1])  # nothing to commit
    window.pane.review.shutdown()  # every queued write done
    assert [h["action"] for h in current(catalogue, photo_ids[0])["history"]] == ["created"]


def test_an_unsaved_edit_survives_a_crash(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    window.show(photo_ids[2])
    window.pane.review_box.focus_editor()
    qtbot.keyClicks(window.pane.review_box.editor, " under a streetlight")
    qtbot.waitUntil(lambda: has_unsaved_edit(catalogue, photo_ids[2]), timeout=WAIT_MS)
    window.pane.review.shutdown()  # the app dies here: nothing flushed, the editor's text is gone

    restarted = ReviewService()
    try:
        with qtbot.waitSignal(restarted.recovered, timeout=WAIT_MS) as recovered:
            restarted.open(catalogue)
        assert recovered.args == [[photo_ids[2]]]
        caption = current(catalogue, photo_ids[2])
        assert caption["text"] == f"{MODEL_TEXT} 2 under a streetlight"
        assert caption["state"] == "draft" and caption["author"] == "test-editor"
        assert "recovered" in caption["history"][-1]["note"]
        assert caption["history"][0]["text"] == f"{MODEL_TEXT} 2"  # the model's text, one revert away
        assert not has_unsaved_edit(catalogue, photo_ids[2])

        pane = DetailPane(review=restarted)
        qtbot.addWidget(pane)
        pane.show_photo(details(catalogue, photo_ids[2]))
        assert pane.review_box.editor_text() == f"{MODEL_TEXT} 2 under a streetlight"
    finally:
        restarted.shutdown()


def test_revert_from_the_history_adds_a_revision_with_the_old_text(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    photo_id = photo_ids[0]
    window.show(photo_id)
    window.pane.review_box.editor.selectAll()
    qtbot.keyClicks(window.pane.review_box.editor, "A blue bicycle against a wall")
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        window.pane.flush()
    assert window.pane.history.revisions() == [2, 1]  # newest first

    window.pane.history.select_revision(1)
    diff = window.pane.history.diff.toHtml()
    assert "line-through" in diff and "blue" in diff and "red" in diff
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        window.pane.history.revert_button.click()

    caption = current(catalogue, photo_id)
    assert caption["text"] == f"{MODEL_TEXT} 0"
    assert [(h["revision"], h["action"], h["note"]) for h in caption["history"]] == [
        (1, "created", None), (2, "edited", None), (3, "reverted", "to revision 1")]
    assert caption["history"][1]["text"] == "A blue bicycle against a wall"  # nothing rewritten
    assert window.pane.review_box.editor_text() == f"{MODEL_TEXT} 0"
    assert window.pane.history.revisions() == [3, 2, 1]


def test_undo_and_redo_of_approve_and_edit_are_new_revisions(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    photo_id = photo_ids[1]
    pane = window.pane
    window.show(photo_id)
    with qtbot.waitSignal(pane.review.changed, timeout=WAIT_MS):
        pane.review_box.approve()
    assert current(catalogue, photo_id)["state"] == "approved"
    undo = pane.review_box.shortcuts.undo
    assert undo.isEnabled() and undo.text() == "Undo Approve caption"

    with qtbot.waitSignal(pane.review.changed, timeout=WAIT_MS):
        key(qtbot, window, Qt.Key.Key_Z, CTRL)
    caption = current(catalogue, photo_id)
    assert caption["state"] == "draft"
    assert [(h["action"], h["state"], h["note"]) for h in caption["history"]][-1] == (
        "reverted", "draft", "undo: approve caption")

    with qtbot.waitSignal(pane.review.changed, timeout=WAIT_MS):
        pane.review_box.shortcuts.redo.trigger()
    assert current(catalogue, photo_id)["state"] == "approved"

    # An edit, undone: the model's text comes back, with its scores (its unsure words are marked again).
    pane.review_box.focus_editor()
    qtbot.keyClicks(pane.review_box.editor, " by the sea")
    assert pane.review_box.editor.unsure() == []
    with qtbot.waitSignal(pane.review.changed, timeout=WAIT_MS):
        pane.flush()
    assert current(catalogue, photo_id)["text"] == f"{MODEL_TEXT} 1 by the sea"
    pane.history.list.setFocus()  # out of the editor: there Ctrl+Z undoes typing
    assert QApplication.focusWidget() is pane.history.list
    with qtbot.waitSignal(pane.review.changed, timeout=WAIT_MS):
        key(qtbot, window, Qt.Key.Key_Z, CTRL)
    caption = current(catalogue, photo_id)
    assert (caption["text"], caption["state"], caption["origin"]) == (f"{MODEL_TEXT} 1", "approved", "ai")
    assert caption["token_scores"] == TOKEN_SCORES
    assert pane.review_box.editor_text() == f"{MODEL_TEXT} 1" and pane.review_box.editor.unsure()
    with qtbot.waitSignal(pane.review.changed, timeout=WAIT_MS):
        key(qtbot, window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert current(catalogue, photo_id)["text"] == f"{MODEL_TEXT} 1 by the sea"
    actions = [h["action"] for h in current(catalogue, photo_id)["history"]]
    assert actions == ["created", "approved", "reverted", "reverted", "edited", "reverted", "reverted"]


def test_ctrl_z_in_the_editor_undoes_typing_not_the_catalogue(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    window.show(photo_ids[0])
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        window.pane.review_box.approve()
    window.pane.review_box.focus_editor()
    qtbot.keyClicks(window.pane.review_box.editor, "!")
    key(qtbot, window, Qt.Key.Key_Z, CTRL)
    assert window.pane.review_box.editor_text() == f"{MODEL_TEXT} 0"
    window.pane.review.shutdown()
    assert current(catalogue, photo_ids[0])["state"] == "approved"  # the approval was not undone


def test_words_the_model_was_unsure_of_are_marked_until_edited(
    qtbot: QtBot, window: Window, photo_ids: list[int]
) -> None:
    window.show(photo_ids[0])
    editor = window.pane.review_box.editor
    assert editor.unsure() == [("red", 0.3), ("bicycle", 0.2), ("wall", 0.45)]
    assert len(editor.extraSelections()) == 3
    assert "Underlined" in window.pane.review_box.status.text()
    # What the hover tooltip says, for the keyboard and screen readers too.
    assert "red (30%), bicycle (20%), wall (45%)" in window.pane.review_box.status.text()
    assert "bicycle (20%)" in editor.accessibleDescription()
    start = editor.toPlainText().index("bicycle")
    assert editor.probability_at(start + 2) == 0.2 and editor.probability_at(0) is None

    window.pane.review_box.focus_editor()
    qtbot.keyClicks(editor, "s")
    assert editor.unsure() == [] and editor.extraSelections() == []


def test_a_medical_notice_stays_visible_while_reviewing(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    with catalogue.write() as session:
        photo = session.get(Photo, photo_ids[3])
        store_ai_caption(session, AICaption(photo, "The lungs are clear.", model_id="tiny",
                                            notice="Research use only: not for diagnosis."),
                         captioner_id="medical-report")
    window.show(photo_ids[3])
    assert window.pane.review_box.notice.isVisible()
    assert window.pane.review_box.notice.text() == "⚠ Research use only: not for diagnosis."
    assert "medical-report" in window.pane.review_box.header.text()
    assert sorted(window.pane.caption_texts()) == sorted(["The lungs are clear.", f"{MODEL_TEXT} 3"])


def test_regenerate_asks_the_window_for_the_captions_model(
    qtbot: QtBot, window: Window, photo_ids: list[int]
) -> None:
    window.show(photo_ids[0])
    with qtbot.waitSignal(window.pane.regenerate_requested) as asked:
        window.pane.review_box.regenerate_button.click()
    assert asked.args == [photo_ids[0], "generic", CaptionKind.DESCRIPTION]


def test_word_diff_marks_removed_and_added_words() -> None:
    diff = word_diff_html("a red bike", "a blue bike & <b>")
    assert "a " in diff and "line-through;\">red</span>" in diff and "#14532d;\">blue</span>" in diff
    assert "&lt;b&gt;" in diff  # text, never markup


def test_preview_zooms_and_fits(qtbot: QtBot) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.resize(400, 700)
    pane.show()
    image = QImage(1600, 1200, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    pane.show_preview(image, "")
    preview = pane.preview
    assert preview.is_fitted() and preview.scale() < 1
    qtbot.mouseDClick(preview, Qt.MouseButton.LeftButton)
    assert preview.scale() == 1.0 and not preview.is_fitted()
    preview.zoom_in()
    assert preview.scale() == pytest.approx(1.25)
    preview.set_zoom(None)
    assert preview.is_fitted()
    preview.set_zoom(2.0, QPointF(10, 10))
    assert preview.scale() == 2.0


def test_recovery_commits_only_text_that_differs_from_the_caption(
    catalogue: Catalogue, photo_ids: list[int]
) -> None:
    with catalogue.write() as session:
        assert save_unsaved_edit(session, photo_ids[0], "A cat on a mat", author="ann") is not None
        # Typed back to the stored text: no unsaved edit is kept.
        assert save_unsaved_edit(session, photo_ids[1], f"{MODEL_TEXT} 1 ", author="ann") is None
        approve = session.get(Photo, photo_ids[2])
        set_review_state(session, approve, ReviewState.APPROVED, author="ann")
        session.add(UnsavedEdit(photo_id=photo_ids[2], text=f"{MODEL_TEXT} 2", author="ann"))  # stale
    with catalogue.write() as session:
        assert recover_unsaved_edits(session) == [photo_ids[0]]
    recovered = current(catalogue, photo_ids[0])
    assert (recovered["text"], recovered["author"]) == ("A cat on a mat", "ann")
    assert current(catalogue, photo_ids[2])["state"] == "approved"  # not sent back to draft
    assert not any(has_unsaved_edit(catalogue, photo_id) for photo_id in photo_ids)


def test_an_editor_chooses_the_model_draft_stored_beside_a_persons_caption(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    """A job's new draft stays beside a person's caption until an editor picks it; undo picks back."""
    photo_id = photo_ids[2]
    with catalogue.write() as session:
        photo = session.get(Photo, photo_id)
        person = edit_caption(session, photo, "The harbour, as our archivist described it", author="ann")
        set_review_state(session, photo, ReviewState.APPROVED, author="ann")
        beside = store_ai_caption(session, AICaption(photo, "boats in a harbour at dawn", model_id="m2"),
                                  captioner_id="encoder-decoder")
        person_id, beside_id = person.id, beside.id
    assert current(catalogue, photo_id)["id"] == person_id
    window.show(photo_id)
    buttons = window.pane.findChildren(QPushButton, "useCaptionButton")
    assert len(buttons) == 1  # only on the caption that is not current
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        buttons[0].click()
    chosen = current(catalogue, photo_id)
    assert (chosen["id"], chosen["text"]) == (beside_id, "boats in a harbour at dawn")
    assert chosen["history"][-1]["note"] == f"made current in place of caption {person_id}"
    assert window.pane.review_box.editor_text() == "boats in a harbour at dawn"
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        window.pane.review_box.shortcuts.undo.trigger()
    assert current(catalogue, photo_id)["id"] == person_id
    assert current(catalogue, photo_id)["state"] == "approved"  # nothing about it changed


# --- the review contract in the app ------------------------------------------------------------------

def regenerate(catalogue: Catalogue, photo_id: int, text: str, job_id: int = 7) -> None:
    """What a captioning job running beside the editor writes for the photo."""
    with catalogue.write() as session:
        store_ai_caption(session, AICaption(session.get(Photo, photo_id), text, model_id="tiny-blip",
                                            job_id=job_id), captioner_id="generic")


def test_approving_a_caption_a_job_regenerated_since_it_was_shown_is_refused(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    photo_id = photo_ids[0]
    window.show(photo_id)
    shown = current(catalogue, photo_id)
    assert shown["revision"] == 1 and window.pane.review_box.editor_text() == f"{MODEL_TEXT} 0"
    assert window.pane.review_box.header.text().endswith("revision 1")
    regenerate(catalogue, photo_id, "A blue car parked by a wall")  # two seconds before the approval
    with qtbot.waitSignal(window.pane.review.conflict, timeout=WAIT_MS):
        window.pane.review_box.approve_button.click()
    qtbot.waitUntil(lambda: window.pane.review_box.editor_text() == "A blue car parked by a wall",
                    timeout=WAIT_MS)
    after = current(catalogue, photo_id)
    assert (after["text"], after["state"], after["revision"]) == ("A blue car parked by a wall", "draft", 2)
    alert = window.pane.review_box.alert
    assert alert.isVisible()
    assert alert.text().startswith(f"Not applied: caption {shown['id']} changed since revision 1: "
                                   "regenerated by job 7 (model tiny-blip) at ")
    assert alert.text().endswith("Review the caption as it now reads.")
    # Approving what is now shown is based on the new revision, and applies.
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        window.pane.review_box.approve_button.click()
    assert current(catalogue, photo_id)["state"] == "approved" and not alert.isVisible()
    assert window.pane.review_box.header.text().endswith("revision 3")


def test_an_edit_refused_for_a_regeneration_is_kept_as_a_caption_the_editor_can_choose(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    photo_id = photo_ids[1]
    window.show(photo_id)
    window.pane.review_box.focus_editor()
    qtbot.keyClicks(window.pane.review_box.editor, ", in the rain")
    qtbot.waitUntil(lambda: has_unsaved_edit(catalogue, photo_id), timeout=WAIT_MS)  # saved as typed
    regenerate(catalogue, photo_id, "A blue car parked by a wall")
    # The window's refresh after the job: the editor keeps the person's text, and its base.
    window.pane.show_photo(details(catalogue, photo_id))
    assert window.pane.review_box.editor_text() == f"{MODEL_TEXT} 1, in the rain" and window.pane.is_editing()
    with qtbot.waitSignal(window.pane.review.conflict, timeout=WAIT_MS) as refused:
        window.pane.review_box.approve_button.click()
    kept_id = refused.args[2]
    qtbot.waitUntil(lambda: len(window.pane.caption_texts()) == 2, timeout=WAIT_MS)
    assert window.pane.caption_texts() == ["A blue car parked by a wall", f"{MODEL_TEXT} 1, in the rain"]
    assert f"Your text is kept as caption {kept_id}" in window.pane.review_box.alert.text()
    captions = {c["id"]: c for c in details(catalogue, photo_id)["captions"]}
    assert (captions[kept_id]["current"], captions[kept_id]["origin"], captions[kept_id]["state"]) == (
        False, "human", "draft")
    assert captions[kept_id]["history"][0]["note"].startswith("kept after a conflict (based on revision 1")
    assert [c["state"] for c in captions.values()] == ["draft", "draft"]  # the approval applied to neither
    assert not has_unsaved_edit(catalogue, photo_id)
    [use] = window.pane.findChildren(QPushButton, "useCaptionButton")
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        use.click()
    chosen = current(catalogue, photo_id)
    assert (chosen["id"], chosen["text"]) == (kept_id, f"{MODEL_TEXT} 1, in the rain")


def test_the_editors_own_quick_changes_do_not_conflict_with_each_other(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    """An edit committed and an approval sent before the edit's details came back: the approval is
    based on the editor's own edit, not refused."""
    photo_id = photo_ids[2]
    window.show(photo_id)
    window.pane.review_box.focus_editor()
    qtbot.keyClicks(window.pane.review_box.editor, " again")
    window.pane.flush()  # the edit is queued; the pane still shows revision 1
    window.pane.review_box.approve_button.click()
    qtbot.waitUntil(lambda: current(catalogue, photo_id)["state"] == "approved", timeout=WAIT_MS)
    assert current(catalogue, photo_id)["text"] == f"{MODEL_TEXT} 2 again"


def test_a_caption_over_the_length_limit_is_refused_and_stays_in_the_editor(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    photo_id = photo_ids[3]
    window.show(photo_id)
    too_long = "a" * (MAX_CAPTION_CHARS + 1)
    window.pane.review_box.editor.setPlainText(too_long)  # pasted
    assert window.pane.is_editing()
    window.pane.review_box.approve_button.click()
    assert window.pane.review_box.alert.isVisible()
    assert window.pane.review_box.alert.text() == (
        f"This caption is {MAX_CAPTION_CHARS + 1:,} characters; the most a caption can hold is "
        f"{MAX_CAPTION_CHARS:,}. Shorten it to save it (your text stays here).")
    assert window.pane.review_box.editor_text() == too_long and window.pane.is_editing()
    assert window.pane.flush() is False and window.pane.review_box.editor_text() == too_long
    qtbot.waitUntil(lambda: has_unsaved_edit(catalogue, photo_id), timeout=WAIT_MS)  # kept as typed
    assert current(catalogue, photo_id)["text"] == f"{MODEL_TEXT} 3"


def test_undo_of_a_change_to_a_caption_a_job_regenerated_since_is_refused(
    qtbot: QtBot, window: Window, catalogue: Catalogue, photo_ids: list[int]
) -> None:
    photo_id = photo_ids[0]
    window.show(photo_id)
    with qtbot.waitSignal(window.pane.review.changed, timeout=WAIT_MS):
        window.pane.review_box.reject_button.click()
    regenerate(catalogue, photo_id, "A blue car parked by a wall")  # a rejected draft is captioned again
    with qtbot.waitSignal(window.pane.review.conflict, timeout=WAIT_MS):
        window.pane.review_box.shortcuts.undo.trigger()
    after = current(catalogue, photo_id)
    assert (after["text"], after["state"]) == ("A blue car parked by a wall", "draft")
    assert [h["action"] for h in after["history"]] == ["created", "rejected", "regenerated"]
    assert "changed since revision 2: regenerated by job 7" in window.pane.review_box.alert.text()
