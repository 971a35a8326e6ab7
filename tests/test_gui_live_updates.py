"""An open window shows what another editor changes within a few seconds (LISTEN/NOTIFY on PostgreSQL,
polling on SQLite), in the grid and the detail pane, and never replaces text the editor is typing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import open_catalogue
from desktop_app.services.keywords import ADD, tag_photos
from desktop_app.services.review import EDIT, Change, review
from desktop_app.ui.main_window.window import MainWindow
from tests.gui_helpers import WAIT_MS

pytestmark = pytest.mark.both_backends


def _grid_captions(window: MainWindow) -> dict[str, str | None]:
    return {Path(row.path).stem: row.caption for row in window.model.rows()}


def _ids(window: MainWindow) -> dict[str, int]:
    return {Path(row.path).stem: row.id for row in window.model.rows()}


def _another_editor(db: Path | str, photo_ids: list[int], texts: list[str]) -> None:
    with open_catalogue(db) as other:  # a connection of its own, as another person's app or command line
        for photo_id, text in zip(photo_ids, texts, strict=True):
            review(other, str(photo_id), Change(EDIT, text=text), author="ann")


def test_another_editors_caption_shows_in_the_grid_and_the_pane(
        qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path | str, drafts: Path) -> None:
    window = open_window(db=db_path)
    box = window.detail.review_box
    qtbot.waitUntil(lambda: box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    ids = _ids(window)
    _another_editor(db_path, [ids["00"], ids["03"]], ["Ann: a harbour at dawn", "Ann: two boats"])
    with open_catalogue(db_path) as other:
        tag_photos(other, [str(ids["00"])], "harbour", ADD, author="ann")
    qtbot.waitUntil(lambda: box.editor_text() == "Ann: a harbour at dawn", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _grid_captions(window)["03"] == "Ann: two boats", timeout=WAIT_MS)
    chips = window.detail.keyword_box.shown_chips
    qtbot.waitUntil(lambda: "harbour" in [chip.view.label for chip in chips()], timeout=WAIT_MS)
    assert window.errors() == []


def test_text_being_typed_stays_when_another_editor_changes_the_caption(
        qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path | str, drafts: Path) -> None:
    window = open_window(db=db_path)
    box = window.detail.review_box
    qtbot.waitUntil(lambda: box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    box.focus_editor()
    qtbot.keyClicks(box.editor, ", typed here")
    ids = _ids(window)
    _another_editor(db_path, [ids["00"]], ["Ann: a harbour at dawn"])
    # The grid follows; the pane, with the editor's text in it, does not (its commit meets the conflict
    # flow: the text is kept beside Ann's).
    qtbot.waitUntil(lambda: _grid_captions(window)["00"] == "Ann: a harbour at dawn", timeout=WAIT_MS)
    assert box.editor_text() == "a photo number 0, typed here"
    assert box.is_editing()
