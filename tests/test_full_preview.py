"""The full-window preview: Space in the grid (or F11) shows the current photo filling the window with its
caption; Left/Right, Home/End go through the grid's photos, the grid's selection and current photo
following; the review keys work in it; Esc returns to the grid at the photo reached."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, ReviewState
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from tests.gui_helpers import WAIT_MS

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, drafts: Path) -> MainWindow:
    """The five drafts, 00 current and shown, the grid focused."""
    opened = open_window(db=db_path)
    opened.grid.setFocus()
    return opened


def shown(window: MainWindow, name: str) -> Callable[[], bool]:
    """The grid's current photo is ``name``, the detail pane and the full preview show it (its photo
    decoded)."""
    def check() -> bool:
        row = window.browse.selected_row()
        return (row is not None and Path(row.path).stem == name and window.detail.photo_id == row.id
                and window.full_preview.heading.text().startswith(f"{name}.jpg")
                and window.full_preview.view.image() is not None)
    return check


def assert_current(window: MainWindow, name: str) -> None:
    """One selected cell, the current one, photo ``name``; the full preview shows it and its caption."""
    grid = window.grid
    current = grid.currentIndex()
    assert grid.selectionModel().selectedIndexes() == [current]
    assert Path(window.model.rows()[current.row()].path).stem == name
    assert window.full_preview.caption.text() == f"a photo number {int(name)}"
    assert f"{int(name) + 1} of 5" in window.full_preview.heading.text()


def state_of(catalogue: Catalogue, name: str) -> ReviewState:
    with catalogue.read() as session:
        captions = session.scalars(select(Caption).where(Caption.is_current.is_(True)))
        return next(caption.state for caption in captions if Path(caption.photo.rel_path).stem == name)


def test_space_opens_the_current_photo_and_arrows_move_the_grid_with_it(qtbot: QtBot,
                                                                        window: MainWindow) -> None:
    preview = window.full_preview
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    assert window.view.is_full_preview()
    assert preview.hasFocus()
    assert not window.grid.isVisible()  # in place of the grid and the panes: nothing hidden behind it
    qtbot.waitUntil(shown(window, "00"), timeout=WAIT_MS)
    assert_current(window, "00")
    assert preview.view.width() > window.detail.preview.width()  # larger than the pane's preview

    for key, name in ((Qt.Key.Key_Right, "01"), (Qt.Key.Key_Right, "02"), (Qt.Key.Key_Left, "01"),
                      (Qt.Key.Key_End, "04"), (Qt.Key.Key_Right, "04"), (Qt.Key.Key_Home, "00")):
        qtbot.keyClick(preview, key)
        qtbot.waitUntil(shown(window, name), timeout=WAIT_MS)
        assert_current(window, name)

    qtbot.keyClick(preview, Qt.Key.Key_End)
    qtbot.waitUntil(shown(window, "04"), timeout=WAIT_MS)
    qtbot.keyClick(preview, Qt.Key.Key_Escape)
    assert not window.view.is_full_preview()
    assert window.grid.isVisible() and window.grid.hasFocus()
    assert Path(window.browse.selected_row().path).stem == "04"  # back at the photo reached
    assert window.grid.selectionModel().selectedIndexes() == [window.grid.currentIndex()]


def test_the_review_keys_work_in_it(qtbot: QtBot, window: MainWindow, catalogue: Catalogue) -> None:
    preview = window.full_preview
    window.main_actions[MainAction.FULL_PREVIEW].trigger()  # F11, from the View menu
    assert window.view.is_full_preview()
    qtbot.waitUntil(shown(window, "00"), timeout=WAIT_MS)

    qtbot.keyClick(preview, Qt.Key.Key_Return, CTRL)  # approve and next
    qtbot.waitUntil(shown(window, "01"), timeout=WAIT_MS)
    assert state_of(catalogue, "00") is ReviewState.APPROVED
    assert_current(window, "01")

    qtbot.keyClick(preview, Qt.Key.Key_Backspace, CTRL | SHIFT)  # reject and next
    qtbot.waitUntil(shown(window, "02"), timeout=WAIT_MS)
    assert state_of(catalogue, "01") is ReviewState.REJECTED
    assert_current(window, "02")

    qtbot.keyClick(preview, Qt.Key.Key_Left)  # the state of the photo reviewed, in words
    qtbot.waitUntil(shown(window, "01"), timeout=WAIT_MS)
    assert "Rejected" in preview.heading.text()
    assert window.view.is_full_preview()

    window.main_actions[MainAction.FULL_PREVIEW].trigger()  # F11 again: back to the grid
    assert not window.view.is_full_preview()
    window.main_actions[MainAction.FULL_PREVIEW].trigger()
    qtbot.mouseClick(preview.back, Qt.MouseButton.LeftButton)  # and with the mouse
    assert not window.view.is_full_preview()


def test_f2_in_it_goes_back_to_the_pane_to_edit(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    qtbot.waitUntil(shown(window, "00"), timeout=WAIT_MS)
    qtbot.keyClick(window.full_preview, Qt.Key.Key_F2)
    assert not window.view.is_full_preview()
    qtbot.waitUntil(window.detail.review_box.editor.hasFocus, timeout=WAIT_MS)


def test_without_a_photo_it_does_not_open(open_window: Callable[..., MainWindow], db_path: Path,
                                          tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    window = open_window(db=db_path, folder=empty)
    window.main_actions[MainAction.FULL_PREVIEW].trigger()
    assert not window.view.is_full_preview()
    assert "No photo to preview" in window.status_text.text()
