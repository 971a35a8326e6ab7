"""One current photo: after every keyboard action of the review (approve, reject, approve and next,
reject and next, next, previous, undo, redo) the grid has exactly one selected cell, its current one,
and the detail pane shows that photo, also when the review filter drops the reviewed photo from the grid
at the next listing (F5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, ReviewState
from desktop_app.ui.main_window.window import MainWindow
from tests.gui_helpers import WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, drafts: Path) -> MainWindow:
    return open_window(db=db_path)


def photo_id(window: MainWindow, name: str) -> int:
    return next(row.id for row in window.model.rows() if Path(row.path).stem == name)


def pane_shows(window: MainWindow, name: str) -> Callable[[], bool]:
    """Whether the grid's current photo is ``name`` and the detail pane shows it."""
    def check() -> bool:
        row = window.browse.selected_row()
        return row is not None and Path(row.path).stem == name and window.detail.photo_id == row.id
    return check


def assert_one_current_photo(window: MainWindow, name: str) -> None:
    """Exactly one cell selected, the current one, photo ``name``, and the detail pane shows it."""
    grid = window.grid
    current = grid.currentIndex()
    assert current.isValid()
    assert grid.selectionModel().selectedIndexes() == [current]
    assert window.model.rows()[current.row()].id == photo_id(window, name)
    assert window.detail.photo_id == photo_id(window, name)
    assert window.detail.title.text() == f"{name}.jpg"


def state_of(catalogue: Catalogue, name: str) -> ReviewState:
    with catalogue.read() as session:
        captions = session.scalars(select(Caption).where(Caption.is_current.is_(True)))
        return next(caption.state for caption in captions if Path(caption.photo.rel_path).stem == name)


def start_on(qtbot: QtBot, window: MainWindow, review_filter: str = "All photos") -> None:
    """Filter the grid and wait until photo 00, the first, is current and shown."""
    combo = window.header.review_filter
    combo.setCurrentIndex(combo.findText(review_filter))
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
    qtbot.waitUntil(pane_shows(window, "00"), timeout=WAIT_MS)
    window.grid.setFocus()


def hold_shortcut(qtbot: QtBot, widget: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier,
                  until: Callable[[], bool]) -> None:
    """Press a shortcut and keep Ctrl down until ``until`` holds: an editor's finger is still on Ctrl
    when the review thread answers and the next photo is chosen (Shift, if in the shortcut, is let go
    first: fingers leave a chord in any order)."""
    qtbot.keyPress(widget, key, modifiers)
    if modifiers & SHIFT:
        qtbot.keyRelease(widget, Qt.Key.Key_Shift, CTRL)  # Qt's test keys: leaves Ctrl down, Shift up
    try:
        qtbot.waitUntil(until, timeout=WAIT_MS)
    finally:
        qtbot.keyRelease(widget, key, CTRL)


def relist(qtbot: QtBot, window: MainWindow, listed: Callable[[list[str]], bool]) -> None:
    """F5 (rescan): the grid is listed again, through its filter, until ``listed(names)`` holds."""
    qtbot.keyClick(window.grid, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: listed([Path(row.path).stem for row in window.model.rows()])
                    and window.is_settled(), timeout=WAIT_MS)


def activate(qtbot: QtBot, button: QWidget) -> None:
    """Press a button from the keyboard: focus on it, Space."""
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


@pytest.mark.parametrize("review_filter", ["All photos", "Needs review"])
def test_approve_and_next_selects_the_next_photo_alone(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, review_filter: str
) -> None:
    start_on(qtbot, window, review_filter)
    hold_shortcut(qtbot, window.grid, Qt.Key.Key_Return, CTRL, until=pane_shows(window, "01"))
    assert_one_current_photo(window, "01")  # before: 00 stayed selected beside 01 (Ctrl toggled)
    assert state_of(catalogue, "00") is ReviewState.APPROVED

    relist(qtbot, window, lambda names: ("00" in names) == (review_filter == "All photos"))
    assert_one_current_photo(window, "01")


@pytest.mark.parametrize("review_filter", ["All photos", "Needs review"])
def test_reject_and_next_selects_the_next_photo_alone(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, review_filter: str
) -> None:
    start_on(qtbot, window, review_filter)
    qtbot.keyClick(window.grid, Qt.Key.Key_F2)  # as the editor who reported it: in the caption
    qtbot.waitUntil(window.detail.review_box.editor.hasFocus, timeout=WAIT_MS)
    hold_shortcut(qtbot, window.detail.review_box.editor, Qt.Key.Key_Backspace, CTRL | SHIFT,
                  until=pane_shows(window, "01"))
    assert_one_current_photo(window, "01")  # before: 00 stayed selected beside 01 (Ctrl toggled)
    assert state_of(catalogue, "00") is ReviewState.REJECTED

    relist(qtbot, window, lambda names: ("00" in names) == (review_filter == "All photos"))
    assert_one_current_photo(window, "01")


@pytest.mark.parametrize(("button", "state", "shown"), [
    ("approve_button", ReviewState.APPROVED, "Approved"),
    ("reject_button", ReviewState.REJECTED, "Rejected"),
])
def test_approve_or_reject_keeps_the_photo_current_until_the_filter_drops_it(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, button: str, state: ReviewState, shown: str
) -> None:
    start_on(qtbot, window, "Needs review")
    activate(qtbot, getattr(window.detail.review_box, button))
    qtbot.waitUntil(lambda: state_of(catalogue, "00") is state, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: shown in window.detail.review_box.header.text(), timeout=WAIT_MS)
    assert_one_current_photo(window, "00")

    relist(qtbot, window, lambda names: "00" not in names)  # the photo shown left the grid: the first
    qtbot.waitUntil(pane_shows(window, "01"), timeout=WAIT_MS)
    assert_one_current_photo(window, "01")


def test_next_photo_selects_it_alone(qtbot: QtBot, window: MainWindow) -> None:
    start_on(qtbot, window)
    qtbot.keyClick(window.grid, Qt.Key.Key_Right, SHIFT)  # 00 and 01 selected, to caption them
    qtbot.waitUntil(pane_shows(window, "01"), timeout=WAIT_MS)
    assert len(window.grid.selectionModel().selectedIndexes()) == 2
    qtbot.keyClick(window.grid, Qt.Key.Key_Down, ALT)
    qtbot.waitUntil(pane_shows(window, "02"), timeout=WAIT_MS)
    assert_one_current_photo(window, "02")


def test_previous_photo_selects_it_alone(qtbot: QtBot, window: MainWindow) -> None:
    start_on(qtbot, window)
    qtbot.keyClick(window.grid, Qt.Key.Key_Down, ALT)
    qtbot.waitUntil(pane_shows(window, "01"), timeout=WAIT_MS)
    qtbot.keyClick(window.grid, Qt.Key.Key_Right, SHIFT)  # 01 and 02 selected
    qtbot.waitUntil(pane_shows(window, "02"), timeout=WAIT_MS)
    assert len(window.grid.selectionModel().selectedIndexes()) == 2
    qtbot.keyClick(window.grid, Qt.Key.Key_Up, ALT)
    qtbot.waitUntil(pane_shows(window, "01"), timeout=WAIT_MS)
    assert_one_current_photo(window, "01")


def test_undo_keeps_one_current_photo(qtbot: QtBot, window: MainWindow, catalogue: Catalogue) -> None:
    start_on(qtbot, window, "Needs review")
    activate(qtbot, window.detail.review_box.approve_button)
    qtbot.waitUntil(lambda: state_of(catalogue, "00") is ReviewState.APPROVED, timeout=WAIT_MS)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: state_of(catalogue, "00") is ReviewState.DRAFT, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Draft" in window.detail.review_box.header.text(), timeout=WAIT_MS)
    assert_one_current_photo(window, "00")

    relist(qtbot, window, lambda names: "00" in names)  # a draft again: still listed, still current
    assert_one_current_photo(window, "00")


def test_redo_keeps_one_current_photo(qtbot: QtBot, window: MainWindow, catalogue: Catalogue) -> None:
    start_on(qtbot, window, "Needs review")
    activate(qtbot, window.detail.review_box.reject_button)
    qtbot.waitUntil(lambda: state_of(catalogue, "00") is ReviewState.REJECTED, timeout=WAIT_MS)
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, CTRL)
    qtbot.waitUntil(lambda: state_of(catalogue, "00") is ReviewState.DRAFT, timeout=WAIT_MS)
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, CTRL | SHIFT)
    qtbot.waitUntil(lambda: state_of(catalogue, "00") is ReviewState.REJECTED, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Rejected" in window.detail.review_box.header.text(), timeout=WAIT_MS)
    assert_one_current_photo(window, "00")

    relist(qtbot, window, lambda names: "00" not in names)
    qtbot.waitUntil(pane_shows(window, "01"), timeout=WAIT_MS)
    assert_one_current_photo(window, "01")
