"""The thumbnail size: the status bar's slider, Ctrl+wheel over the grid and the View menu's keys
(Ctrl+Plus or Ctrl+=, Ctrl+Minus, Ctrl+0) change the one cell size of the grid, within the sizes
offered; the three stay in step."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import THUMBNAIL_SIZE
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.photo_grid import (
    CELL_MARGINS,
    MAX_THUMBNAIL,
    MIN_THUMBNAIL,
    THUMBNAIL_BOX,
    THUMBNAIL_STEP,
    ThumbnailDelegate,
)
from desktop_app.ui.widgets.thumbnail_size import ThumbnailSizeSlider
from tests import photo_files
from tests.gui_helpers import WAIT_MS

CTRL = Qt.KeyboardModifier.ControlModifier
DEFAULT = THUMBNAIL_BOX.width()


@pytest.fixture
def window(open_window: Callable[..., MainWindow], scanner: Scanner, db_path: Path,
           tmp_path: Path) -> MainWindow:
    root = tmp_path / "photos"
    for number in range(12):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(400, 300))
    scanner.scan(root)
    return open_window(db=db_path)


def cell_height(window: MainWindow) -> int:
    """The height the grid gives every cell (uniform: the first cell's is every cell's)."""
    return window.grid.visualRect(window.model.index(0)).height()


def assert_side(window: MainWindow, side: int) -> None:
    grid = window.grid
    assert grid.thumbnail_side() == side
    assert window.thumbnail_size.value() == side
    assert grid.gridSize().height() == side + CELL_MARGINS.height()
    assert grid.gridSize().width() >= side + CELL_MARGINS.width()
    assert cell_height(window) == side + CELL_MARGINS.height()


def ctrl_wheel(window: MainWindow, notches: float, modifiers: Qt.KeyboardModifier = CTRL) -> None:
    viewport = window.grid.viewport()
    centre = QPointF(viewport.rect().center())
    event = QWheelEvent(centre, QPointF(viewport.mapToGlobal(centre.toPoint())), QPoint(),
                        QPoint(0, int(notches * 120)), Qt.MouseButton.NoButton, modifiers,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(viewport, event)


def test_the_range_goes_up_to_the_size_thumbnails_are_made_at() -> None:
    assert MIN_THUMBNAIL < DEFAULT < MAX_THUMBNAIL == THUMBNAIL_SIZE  # never past the made size


def test_the_slider_sets_the_cell_size_within_bounds(window: MainWindow) -> None:
    assert_side(window, DEFAULT)
    columns = window.grid.columns()
    window.thumbnail_size.setValue(240)
    assert_side(window, 240)
    assert window.grid.columns() < columns  # larger cells: fewer side by side
    window.thumbnail_size.setValue(0)
    assert_side(window, MIN_THUMBNAIL)
    window.thumbnail_size.setValue(10_000)
    assert_side(window, MAX_THUMBNAIL)
    window.grid.set_thumbnail_side(10)  # the grid clamps too
    assert_side(window, MIN_THUMBNAIL)


def test_ctrl_wheel_over_the_grid_resizes_and_a_plain_wheel_does_not(window: MainWindow) -> None:
    ctrl_wheel(window, 1)
    assert_side(window, DEFAULT + THUMBNAIL_STEP)
    ctrl_wheel(window, -2)
    assert_side(window, DEFAULT - THUMBNAIL_STEP)
    ctrl_wheel(window, 0.5)  # a touchpad's half notch: kept until a whole one is reached
    assert_side(window, DEFAULT - THUMBNAIL_STEP)
    ctrl_wheel(window, 0.5)
    assert_side(window, DEFAULT)
    ctrl_wheel(window, -1, Qt.KeyboardModifier.NoModifier)  # scrolls, as before
    assert_side(window, DEFAULT)
    for _ in range(30):
        ctrl_wheel(window, 1)
    assert_side(window, MAX_THUMBNAIL)


def test_the_keyboard_changes_the_size_through_the_view_menu(qtbot: QtBot, window: MainWindow) -> None:
    actions = window.main_actions
    view_menu = next(menu.menu() for menu in window.menuBar().actions() if menu.menu() is not None
                     and actions[MainAction.LARGER_THUMBNAILS] in menu.menu().actions())
    assert actions[MainAction.FULL_PREVIEW] in view_menu.actions()
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Equal, CTRL)
    assert_side(window, DEFAULT + THUMBNAIL_STEP)
    qtbot.keyClick(window.grid, Qt.Key.Key_Plus, CTRL)
    assert_side(window, DEFAULT + 2 * THUMBNAIL_STEP)
    qtbot.keyClick(window.grid, Qt.Key.Key_Minus, CTRL)
    assert_side(window, DEFAULT + THUMBNAIL_STEP)
    qtbot.keyClick(window.grid, Qt.Key.Key_0, CTRL)
    assert_side(window, DEFAULT)
    for _ in range(20):
        qtbot.keyClick(window.grid, Qt.Key.Key_Minus, CTRL)
    assert_side(window, MIN_THUMBNAIL)


def test_the_slider_is_named_and_reached_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    slider = window.thumbnail_size
    assert slider.accessibleName()
    assert slider.focusPolicy() & Qt.FocusPolicy.TabFocus
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_End)
    assert_side(window, MAX_THUMBNAIL)
    qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    assert window.grid.thumbnail_side() == window.thumbnail_size.value() < MAX_THUMBNAIL


def test_larger_thumbnails_are_not_enlarged_past_their_made_size(window: MainWindow, qtbot: QtBot) -> None:
    """The painted picture fills a larger box with the thumbnail decoded at the made size."""
    window.thumbnail_size.setValue(MAX_THUMBNAIL)
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
    pixmap = window.model.thumbnail(0)
    assert pixmap is not None
    size = pixmap.deviceIndependentSize()
    assert max(size.width(), size.height()) == pytest.approx(THUMBNAIL_SIZE / pixmap.devicePixelRatio())


def test_small_thumbnails_are_averaged_down_not_aliased(
    qtbot: QtBot, open_window: Callable[..., MainWindow], scanner: Scanner, db_path: Path, tmp_path: Path
) -> None:
    """Fine stripes, shrunk 3.3 times from the made size, average to an even grey; sampled by a bilinear
    filter alone they turn into coarse bands (moiré)."""
    stripes = Image.new("L", (640, 480))
    stripes.putdata([255 if (x // 2) % 2 else 0 for _y in range(480) for x in range(640)])
    photo_files.save(stripes.convert("RGB"), tmp_path / "stripes" / "stripes.png")
    scanner.scan(tmp_path / "stripes")
    window = open_window(db=db_path)
    window.thumbnail_size.setValue(MIN_THUMBNAIL)
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
    grid = window.grid
    cell = grid.visualRect(window.model.index(0))
    centre = ThumbnailDelegate.thumbnail_rect(cell, grid.thumbnail_box()).center()
    middle = grid.viewport().grab(QRect(centre.x() - 30, centre.y() - 20, 60, 40)).toImage()
    greys = [QColor(middle.pixel(x, y)).lightness()
             for y in range(middle.height()) for x in range(middle.width())]
    assert max(greys) - min(greys) < 60  # bilinear alone: bands from about 70 to 180


def test_past_the_sharp_size_of_a_hidpi_screen_the_slider_says_so(qtbot: QtBot) -> None:
    slider = ThumbnailSizeSlider(sharp_up_to=THUMBNAIL_SIZE // 2)  # a 2x screen
    qtbot.addWidget(slider)
    slider.setValue(THUMBNAIL_SIZE // 2)
    assert "never enlarged" not in slider.toolTip()
    slider.setValue(THUMBNAIL_SIZE // 2 + THUMBNAIL_STEP)
    assert "never enlarged" in slider.toolTip()
    assert slider.accessibleDescription() == slider.toolTip()  # the tooltip's words, by keyboard too
