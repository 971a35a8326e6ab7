"""How the window looks and what it offers: a grid that fills its width, read-only review of photos whose
file cannot be read, the label of the model button, and empty states instead of empty headings."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QStyle
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, edit_caption
from desktop_app.catalogue.models import CaptionOrigin
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.ui.dialogs.train import TRAINABLE, TrainDialog
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.photo_grid import CELL_SIZE
from tests import photo_files
from tests.gui_helpers import WAIT_MS, open_and_settle

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)


def first_row_of_cells(window: MainWindow) -> list[int]:
    """The widths of the cells on the grid's first line."""
    model, grid = window.model, window.grid
    rects = [grid.visualRect(model.index(number)) for number in range(model.rowCount())]
    return [rect.width() for rect in rects if rect.top() == rects[0].top()]


def select(qtbot: QtBot, window: MainWindow, name: str) -> None:
    number = next(number for number, row in enumerate(window.model.rows()) if row.name == name)
    window.grid.setCurrentIndex(window.model.index(number))
    photo_id = window.model.rows()[number].id
    qtbot.waitUntil(lambda: window.detail.photo_id == photo_id and window.detail.title.text() == name,
                    timeout=WAIT_MS)


def heading_shown(window: MainWindow, text: str) -> bool:
    return any(label.text() == text and label.isVisible() for label in window.detail.findChildren(QLabel))


def fills_the_width(window: MainWindow) -> bool:
    """The cells of the first line span the viewport but for the room kept for a scroll bar and the
    pixels of rounding (before: 3 cells of 188 px in 720, a 156 px band of nothing)."""
    cells = first_row_of_cells(window)
    bar = window.grid.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    return (len(cells) == window.grid.columns() and min(cells) >= CELL_SIZE.width()
            and 0 <= window.grid.viewport().width() - sum(cells) <= bar + len(cells))


def test_the_grid_fills_its_width_and_follows_a_resize(
    qtbot: QtBot, window: MainWindow, library: Path, db_path: Path
) -> None:
    open_and_settle(qtbot, window, db_path, library)
    columns = len(first_row_of_cells(window))
    assert columns < window.model.rowCount()  # a full first line
    assert fills_the_width(window)

    window.resize(1900, 900)  # wider: more columns, again filling the width
    qtbot.waitUntil(lambda: len(first_row_of_cells(window)) > columns and fills_the_width(window),
                    timeout=WAIT_MS)
    window.resize(1000, 900)  # narrower: fewer
    qtbot.waitUntil(lambda: len(first_row_of_cells(window)) < columns and fills_the_width(window),
                    timeout=WAIT_MS)


@pytest.fixture
def library_with_bad_files(scanner: Scanner, catalogue: Catalogue, library: Path) -> Path:
    """The library with a captioned photo whose file is gone, and one whose file is corrupt."""
    photo_files.truncated_jpeg(library / "broken.jpg")
    scanner.scan(library)
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(library / "2021" / "paris.jpg")),
                     "The Eiffel Tower at dawn", author="ann")
        add_caption(session, find_photo(session, str(library / "broken.jpg")), "A corrupt scan of a map",
                    origin=CaptionOrigin.IMPORTED, author="broken.jpg")
    (library / "2021" / "paris.jpg").unlink()
    scanner.scan(library)  # paris.jpg is now missing, its caption kept
    return library


@pytest.mark.parametrize(("name", "note", "caption"), [
    ("paris.jpg", "File missing: it is no longer at this path", "The Eiffel Tower at dawn"),
    ("broken.jpg", "This file cannot be read: ", "A corrupt scan of a map"),
])
def test_a_photo_whose_file_cannot_be_read_is_shown_read_only_with_why(
    qtbot: QtBot, window: MainWindow, library_with_bad_files: Path, db_path: Path,
    name: str, note: str, caption: str,
) -> None:
    open_and_settle(qtbot, window, db_path)
    select(qtbot, window, name)
    pane = window.detail

    assert pane.caption_texts() == [caption]  # its captions are still shown
    assert pane.review_box.editor.toPlainText() == caption
    assert pane.review_box.editor.isReadOnly()
    assert pane.review_box.status.text().startswith(note)
    box, shortcuts = pane.review_box, pane.review_box.shortcuts
    for control in (box.approve_button, box.reject_button, box.regenerate_button, shortcuts.approve_and_next,
                    shortcuts.reject_and_next, shortcuts.edit, pane.regenerate_action):
        assert not control.isEnabled()
    assert pane.history.revert_button.isHidden()  # its history can be read, not reverted

    select(qtbot, window, "poster.jpg")  # a readable photo is editable again
    assert not pane.review_box.editor.isReadOnly() and pane.review_box.shortcuts.edit.isEnabled()
    assert not pane.history.revert_button.isHidden()
    assert pane.review_box.status.text() == ""


def test_next_needing_review_skips_photos_whose_file_cannot_be_read(
    qtbot: QtBot, window: MainWindow, library_with_bad_files: Path, db_path: Path, catalogue: Catalogue
) -> None:
    with catalogue.write() as session:
        add_caption(session, find_photo(session, str(library_with_bad_files / "print" / "poster.jpg")),
                    "A film poster", origin=CaptionOrigin.AI, author=None, captioner_id="generic")
    open_and_settle(qtbot, window, db_path)
    select(qtbot, window, "anim.gif")  # before broken.jpg and paris.jpg in name order, poster.jpg after

    assert window.browse.select_next_needing_review()
    qtbot.waitUntil(lambda: window.detail.title.text() == "poster.jpg", timeout=WAIT_MS)


def test_the_model_button_says_what_it_does(
    qtbot: QtBot, window: MainWindow, scanner: Scanner, catalogue: Catalogue, library: Path, db_path: Path
) -> None:
    scanner.scan(library)
    with catalogue.write() as session:
        add_caption(session, find_photo(session, str(library / "print" / "poster.jpg")), "A film poster",
                    origin=CaptionOrigin.AI, author=None, captioner_id="generic")
    open_and_settle(qtbot, window, db_path)
    pane = window.detail

    select(qtbot, window, "logo.png")  # never captioned: there is nothing to generate again
    assert pane.review_box.regenerate_button.text() == pane.regenerate_action.text() == "Caption with a model"
    assert pane.review_box.regenerate_button.isEnabled() and pane.regenerate_action.isEnabled()
    assert "write one, or caption it with a model" in pane.review_box.header.text()

    select(qtbot, window, "poster.jpg")  # a model's caption: made again by the same captioner
    assert pane.review_box.regenerate_button.text() == pane.regenerate_action.text() == "Regenerate"


def test_an_empty_library_shows_what_to_do_instead_of_empty_headings(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, db_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    open_and_settle(qtbot, window, db_path, empty)

    assert window.model.rowCount() == 0
    assert not heading_shown(window, "DETAILS") and not heading_shown(window, "CAPTIONS")
    assert not heading_shown(window, "No captions yet.")
    assert window.detail.preview.text().startswith("No photos to show here.")


def test_no_library_shows_how_to_add_one(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, db_path: Path
) -> None:
    open_and_settle(qtbot, window, db_path, tmp_path / "nowhere")  # an error, and no library

    assert window.libraries.libraries() == []
    assert not heading_shown(window, "DETAILS")
    assert "Add Folder" in window.detail.preview.text()


def test_the_headings_come_back_with_a_photo(
    qtbot: QtBot, window: MainWindow, library: Path, db_path: Path
) -> None:
    open_and_settle(qtbot, window, db_path, library)
    qtbot.waitUntil(lambda: window.detail.photo_id is not None, timeout=WAIT_MS)

    # The selection comes before the photo's details (they load on the catalogue thread): wait for those.
    qtbot.waitUntil(lambda: heading_shown(window, "No captions yet."), timeout=WAIT_MS)
    assert heading_shown(window, "DETAILS") and heading_shown(window, "CAPTIONS")


def test_captioning_offers_fine_tuning_once_the_catalogue_is_open(
    qtbot: QtBot, window: MainWindow, library: Path, db_path: Path
) -> None:
    menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Captioning")
    [train] = [action for action in menu.actions() if action.text() == "Fine-tune a Captioner…"]
    assert not train.isEnabled()  # until the catalogue is open
    open_and_settle(qtbot, window, db_path, library)
    assert train.isEnabled()

    train.trigger()
    dialog = window.findChild(TrainDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.captioner_id() in TRAINABLE
    assert dialog.model_edit.text()  # the model from the settings, else the captioner's default
    assert dialog.this_library.text().startswith("Only the approved captions of ")  # the library shown
    dialog.reject()
