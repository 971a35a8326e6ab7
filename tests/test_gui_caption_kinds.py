"""The review pane's caption kinds in the whole window: Ctrl+1/2/3 (or the switch's buttons) choose the
description, the alt text or the extended description, and the editor, approve, undo and the autosave
act on that kind alone; alt text counts its characters against the 250 of the guideline; the file's
title, headline, creator, rights, persons and place are shown. Read back through the catalogue."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, set_review_state, unsaved_edit
from desktop_app.catalogue.models import Caption, CaptionKind, CaptionOrigin, ReviewState
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.ui.accessibility import add_listener
from desktop_app.ui.dialogs.caption import CaptionDialog
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.workers.inference import CaptionRequest
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS, WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)

CTRL = Qt.KeyboardModifier.ControlModifier
ALT_TEXT = "Fishing boats moored in a harbour at dawn, gulls on the quay."


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, drafts: Path) -> MainWindow:
    return open_window(db=db_path)


def current(catalogue: Catalogue, name: str, kind: CaptionKind) -> tuple[str, ReviewState] | None:
    """Photo ``name``'s current caption of ``kind``: its text and state."""
    with catalogue.read() as session:
        for caption in session.scalars(select(Caption).where(Caption.is_current.is_(True),
                                                             Caption.kind == kind)):
            if Path(caption.photo.rel_path).stem == name:
                return caption.text, caption.state
    return None


def shown(window: MainWindow) -> str:
    row = window.browse.selected_row()
    assert row is not None and window.detail.photo_id == row.id
    return Path(row.path).stem


def start(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    window.grid.setFocus()


def press(qtbot: QtBot, widget: QWidget, key: Qt.Key) -> None:
    qtbot.keyClick(widget, key, CTRL)


def assert_one_photo_selected(window: MainWindow, name: str) -> None:
    grid = window.grid
    assert grid.selectionModel().selectedIndexes() == [grid.currentIndex()]
    assert shown(window) == name


def test_alt_text_is_written_and_approved_while_the_description_stays_as_it_was(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    start(qtbot, window)
    heard: list[str] = []
    remove = add_listener(lambda _widget, text, _assertive: heard.append(text))
    try:
        press(qtbot, window.grid, Qt.Key.Key_2)  # Ctrl+2: alt text
    finally:
        remove()
    box = window.detail.review_box
    assert box.kind is CaptionKind.ALT_TEXT
    assert box.kind_switch.buttons[CaptionKind.ALT_TEXT].isChecked()
    assert heard == ["Alt text: no text yet"]
    assert box.editor_text() == "" and box.editor.accessibleName() == "Alt text"
    assert "No alt text yet" in box.header.text()
    assert not window.detail.alt_badge.isVisible()

    box.focus_editor()
    qtbot.keyClicks(box.editor, ALT_TEXT)
    box.approve_button.setFocus()
    qtbot.keyClick(box.approve_button, Qt.Key.Key_Space)  # Approve, from the keyboard
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.ALT_TEXT) == (
        ALT_TEXT, ReviewState.APPROVED), timeout=WAIT_MS)
    assert current(catalogue, "00", CaptionKind.DESCRIPTION) == ("a photo number 0", ReviewState.DRAFT)
    # the pane says, in words, that the photo has approved alt text; the grid stays on descriptions
    qtbot.waitUntil(window.detail.alt_badge.isVisible, timeout=WAIT_MS)
    assert window.detail.alt_badge.text() == "ALT"
    assert window.detail.alt_badge.accessibleName() == "Alt text approved"
    assert window.detail.alt_badge.accessibleDescription() == ALT_TEXT
    assert window.model.rows()[0].caption == "a photo number 0"
    assert_one_photo_selected(window, "00")

    press(qtbot, window.grid, Qt.Key.Key_1)  # back to the description, as it was
    assert box.kind is CaptionKind.DESCRIPTION and box.editor_text() == "a photo number 0"
    assert box.kind_switch.buttons[CaptionKind.ALT_TEXT].accessibleDescription() == "Approved"
    assert box.kind_switch.buttons[CaptionKind.DESCRIPTION].accessibleDescription() == "Draft"
    assert_one_photo_selected(window, "00")


def test_the_kind_stays_chosen_from_photo_to_photo_and_the_buttons_choose_it(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    start(qtbot, window)
    box = window.detail.review_box
    button = box.kind_switch.buttons[CaptionKind.EXTENDED_DESCRIPTION]
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert box.kind is CaptionKind.EXTENDED_DESCRIPTION
    assert box.editor.accessibleName() == "Extended description"
    box.focus_editor()
    qtbot.keyClicks(box.editor, "A long text for those who cannot see the photo.")
    qtbot.keyClick(box.editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # next photo: committed
    qtbot.waitUntil(lambda: shown(window) == "01", timeout=WAIT_MS)
    assert box.kind is CaptionKind.EXTENDED_DESCRIPTION and box.editor_text() == ""
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.EXTENDED_DESCRIPTION) == (
        "A long text for those who cannot see the photo.", ReviewState.DRAFT), timeout=WAIT_MS)
    assert current(catalogue, "00", CaptionKind.DESCRIPTION) == ("a photo number 0", ReviewState.DRAFT)
    assert current(catalogue, "00", CaptionKind.ALT_TEXT) is None


def test_undo_takes_back_each_kinds_change_and_shows_that_kind(
    qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path, catalogue: Catalogue
) -> None:
    with catalogue.write() as session:  # an imported alt text waiting for review
        photo = find_photo(session, str(drafts / "00.jpg"))
        add_caption(session, photo, "Boats in a harbour.", origin=CaptionOrigin.IMPORTED, author=None,
                    kind=CaptionKind.ALT_TEXT)
    window = open_window(db=db_path)
    start(qtbot, window)
    box = window.detail.review_box
    press(qtbot, window.grid, Qt.Key.Key_2)
    qtbot.waitUntil(lambda: box.editor_text() == "Boats in a harbour.", timeout=WAIT_MS)
    box.approve()
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.ALT_TEXT) == (
        "Boats in a harbour.", ReviewState.APPROVED), timeout=WAIT_MS)
    press(qtbot, window.grid, Qt.Key.Key_1)
    box.reject()
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.DESCRIPTION) == (
        "a photo number 0", ReviewState.REJECTED), timeout=WAIT_MS)

    window.grid.setFocus()
    press(qtbot, window.grid, Qt.Key.Key_Z)  # the rejection of the description
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.DESCRIPTION) == (
        "a photo number 0", ReviewState.DRAFT), timeout=WAIT_MS)
    assert current(catalogue, "00", CaptionKind.ALT_TEXT) == ("Boats in a harbour.", ReviewState.APPROVED)
    assert box.kind is CaptionKind.DESCRIPTION

    press(qtbot, window.grid, Qt.Key.Key_Z)  # the approval of the alt text: the pane shows the alt text
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.ALT_TEXT) == (
        "Boats in a harbour.", ReviewState.DRAFT), timeout=WAIT_MS)
    assert box.kind is CaptionKind.ALT_TEXT
    qtbot.waitUntil(lambda: "Draft" in box.header.text(), timeout=WAIT_MS)
    assert current(catalogue, "00", CaptionKind.DESCRIPTION) == ("a photo number 0", ReviewState.DRAFT)
    assert_one_photo_selected(window, "00")


def test_alt_text_counts_its_characters_and_warns_in_words_over_250(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    start(qtbot, window)
    box = window.detail.review_box
    assert not box.count.isVisible()  # descriptions have no such guideline
    press(qtbot, window.grid, Qt.Key.Key_2)
    assert box.count.isVisible() and box.count.text() == "0 of 250 characters"
    box.focus_editor()
    qtbot.keyClicks(box.editor, "x" * 250)
    assert box.count.text() == "250 of 250 characters"
    heard: list[str] = []
    remove = add_listener(lambda _widget, text, _assertive: heard.append(text))
    try:
        qtbot.keyClicks(box.editor, "yz")
    finally:
        remove()
    assert box.count.text().startswith("⚠ 252 characters: alt text should be at most 250.")
    assert len(heard) == 1 and heard[0].startswith("⚠ 251 characters")  # said once, as it crosses

    box.approve()  # a guideline, not a limit: approving is allowed
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.ALT_TEXT) == (
        "x" * 250 + "yz", ReviewState.APPROVED), timeout=WAIT_MS)


def test_an_autosaved_alt_text_edit_is_recovered_after_a_crash(
    qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path, catalogue: Catalogue
) -> None:
    window = open_window(db=db_path)
    start(qtbot, window)
    press(qtbot, window.grid, Qt.Key.Key_2)
    box = window.detail.review_box
    box.focus_editor()
    qtbot.keyClicks(box.editor, "A lighthouse on a rocky point")

    def saved() -> bool:
        with catalogue.read() as session:
            photo = find_photo(session, str(drafts / "00.jpg"))
            edit = unsaved_edit(session, photo.id, CaptionKind.ALT_TEXT)
            return edit is not None and edit.text == "A lighthouse on a rocky point"

    qtbot.waitUntil(saved, timeout=WAIT_MS)
    window.review.shutdown()  # the app dies here: the editor's text is only in the unsaved edit

    again = open_window(db=db_path)
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.ALT_TEXT) == (
        "A lighthouse on a rocky point", ReviewState.DRAFT), timeout=WAIT_MS)
    assert current(catalogue, "00", CaptionKind.DESCRIPTION) == ("a photo number 0", ReviewState.DRAFT)
    start(qtbot, again)
    press(qtbot, again.grid, Qt.Key.Key_2)
    assert again.detail.review_box.editor_text() == "A lighthouse on a rocky point"


def test_the_files_title_headline_creator_rights_persons_and_place_are_shown(
    qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path, catalogue: Catalogue
) -> None:
    with catalogue.write() as session:
        photo = find_photo(session, str(drafts / "00.jpg"))
        photo.file_fields = {"title": "Harbour, 1998", "headline": "Fishing fleet returns",
                             "creator": ["Ann Example", "Bo Beispiel"], "rights": "© 1998 Ann Example",
                             "persons": ["Carl Fisher", "Dora Net"],
                             "location": {"city": "Kiel", "sublocation": "Old Harbour", "country": "Germany"}}
    window = open_window(db=db_path)
    start(qtbot, window)
    pane = window.detail
    assert pane.file_title.isVisible() and pane.file_title.text() == "Title: Harbour, 1998"
    assert pane.headline.isVisible() and pane.headline.text() == "Headline: Fishing fleet returns"
    body = pane.file_title.parentWidget().layout()
    # above the caption being reviewed
    assert body.indexOf(pane.headline) < body.indexOf(pane.review_box)
    rows = pane.metadata_text()
    assert rows["Creator"] == "Ann Example; Bo Beispiel"
    assert rows["Rights"] == "© 1998 Ann Example"
    assert rows["Persons shown"] == "Carl Fisher, Dora Net"
    assert rows["Place"] == "Old Harbour, Kiel, Germany"

    qtbot.keyClick(window.grid, Qt.Key.Key_Right)  # a photo whose file has none of them
    qtbot.waitUntil(lambda: shown(window) == "01", timeout=WAIT_MS)
    assert not pane.file_title.isVisible() and not pane.headline.isVisible()
    assert "Creator" not in pane.metadata_text()


def test_the_full_window_preview_reviews_the_description_it_shows(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    start(qtbot, window)
    press(qtbot, window.grid, Qt.Key.Key_2)
    assert window.detail.review_box.kind is CaptionKind.ALT_TEXT
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)  # the full-window preview, with the description beneath
    qtbot.waitUntil(window.full_preview.isVisible, timeout=WAIT_MS)
    assert window.full_preview.caption.text() == "a photo number 0"
    assert window.detail.review_box.kind is CaptionKind.DESCRIPTION
    press(qtbot, window.full_preview, Qt.Key.Key_2)  # no other kind while the description is shown
    assert window.detail.review_box.kind is CaptionKind.DESCRIPTION
    qtbot.keyClick(window.full_preview, Qt.Key.Key_Return, CTRL)  # approves what it shows
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.DESCRIPTION) == (
        "a photo number 0", ReviewState.APPROVED), timeout=WAIT_MS)
    assert current(catalogue, "00", CaptionKind.ALT_TEXT) is None
    qtbot.keyClick(window.full_preview, Qt.Key.Key_Escape)  # back to the grid: the kinds again
    qtbot.waitUntil(lambda: not window.full_preview.isVisible(), timeout=WAIT_MS)
    press(qtbot, window.grid, Qt.Key.Key_2)
    assert window.detail.review_box.kind is CaptionKind.ALT_TEXT


def test_the_review_menu_offers_the_kinds_with_their_keys(window: MainWindow) -> None:
    menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Review")
    kinds = [(action.text(), action.shortcut().toString()) for action in menu.actions()
             if action.objectName().startswith("kindAction-")]
    assert kinds == [("Review Description", "Ctrl+1"), ("Review Alt Text", "Ctrl+2"),
                     ("Review Extended Description", "Ctrl+3")]


def test_captioning_a_photo_without_alt_text_offers_the_alt_text_captioner(
    qtbot: QtBot, window: MainWindow
) -> None:
    start(qtbot, window)
    press(qtbot, window.grid, Qt.Key.Key_2)
    box = window.detail.review_box
    assert box.regenerate_button.text() == "Caption with a model"  # the photo has no alt text yet
    box.regenerate_button.click()
    dialog = window.findChild(CaptionDialog)
    assert dialog is not None and dialog.isVisible()
    captioner = dialog.captioner()
    assert captioner is not None and captioner.caption_kind == "alt-text"
    assert dialog.selection_radio.isChecked()  # for the photo shown (the selection)
    dialog.reject()


def test_the_grid_keeps_showing_the_description_when_alt_text_changes(
    qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, scanner: Scanner,
    catalogue: Catalogue, tmp_path: Path
) -> None:
    """Approving an alt text older than the description, and an alt-text job's draft, leave the grid's
    caption (the description) as it was; the pane shows the job's draft under Alt text."""
    root = tmp_path / "archive"
    for number in range(2):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(120, 90))
    scanner.scan(root)
    with catalogue.write() as session:
        for number in range(2):
            photo = find_photo(session, str(root / f"{number:02}.jpg"))
            if number == 0:  # alt text first: a lower caption id than the description's
                add_caption(session, photo, "Boats in a harbour.", origin=CaptionOrigin.IMPORTED,
                            author=None, kind=CaptionKind.ALT_TEXT)
            add_caption(session, photo, f"Harbour scene number {number}, approved by the archive.",
                        origin=CaptionOrigin.IMPORTED, author=None, state=ReviewState.APPROVED)
    window = open_window(db=db_path)
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text().startswith("Harbour scene number 0"),
                    timeout=WAIT_MS)
    window.grid.setFocus()
    press(qtbot, window.grid, Qt.Key.Key_2)
    window.detail.review_box.approve()
    qtbot.waitUntil(lambda: current(catalogue, "00", CaptionKind.ALT_TEXT) == (
        "Boats in a harbour.", ReviewState.APPROVED), timeout=WAIT_MS)
    qtbot.waitUntil(window.detail.alt_badge.isVisible, timeout=WAIT_MS)

    def grid() -> dict[str, tuple[str | None, ReviewState | None]]:
        return {Path(row.path).stem: (row.caption, row.caption_state) for row in window.model.rows()}

    expected = {f"{number:02}": (f"Harbour scene number {number}, approved by the archive.",
                                 ReviewState.APPROVED) for number in range(2)}
    assert grid() == expected

    # an alt-text job on photo 01: a draft from its approved description (no model to run)
    qtbot.keyClick(window.grid, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: shown(window) == "01", timeout=WAIT_MS)
    window.inference.queue_request(CaptionRequest("alt-text", None, photo_ids=(window.detail.photo_id,)))
    qtbot.waitUntil(lambda: current(catalogue, "01", CaptionKind.ALT_TEXT) is not None, timeout=MODEL_WAIT_MS)
    draft = current(catalogue, "01", CaptionKind.ALT_TEXT)
    assert draft is not None and draft[1] is ReviewState.DRAFT
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == draft[0], timeout=WAIT_MS)
    assert grid() == expected


def test_approve_and_next_on_alt_text_goes_to_the_next_photo_whatever_its_description(
    qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path, catalogue: Catalogue
) -> None:
    with catalogue.write() as session:  # 01's description needs no review: an alt-text pass still stops there
        photo = find_photo(session, str(drafts / "01.jpg"))
        set_review_state(session, photo, ReviewState.APPROVED, author="ann")
    window = open_window(db=db_path)
    start(qtbot, window)
    press(qtbot, window.grid, Qt.Key.Key_2)
    box = window.detail.review_box
    box.focus_editor()
    qtbot.keyClicks(box.editor, "A red door.")
    qtbot.keyClick(box.editor, Qt.Key.Key_Return, CTRL)  # approve and next
    qtbot.waitUntil(lambda: shown(window) == "01", timeout=WAIT_MS)
    assert current(catalogue, "00", CaptionKind.ALT_TEXT) == ("A red door.", ReviewState.APPROVED)
    assert box.kind is CaptionKind.ALT_TEXT
    assert_one_photo_selected(window, "01")

    press(qtbot, window.grid, Qt.Key.Key_1)  # descriptions: on to the next one needing review, 02
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: shown(window) == "02", timeout=WAIT_MS)
