"""The desktop window, offscreen: scanning into the grid, error rows, the detail pane, screenshot mode."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.models import PhotoStatus
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.ui.app import run_app
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.qt_check import binding_problem
from desktop_app.ui.widgets.image_loading import ThumbnailLoader
from desktop_app.ui.widgets.photo_grid import (
    ERROR_COLOUR,
    ROW_ROLE,
    THUMBNAIL_BOX,
    PhotoGrid,
    PhotoListModel,
    ThumbnailDelegate,
)
from desktop_app.ui.workers.backend import PhotoRow
from tests import photo_files
from tests.gui_helpers import WAIT_MS, open_and_settle

LIBRARY_FILES = {"paris.jpg", "diagram.png", "scan.tif", "banner.webp", "icon.bmp", "anim.gif",
                 "logo.png", "gray16.png", "poster.jpg"}


pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)


def test_the_app_has_its_icon_and_style_sheet(qapp: QApplication) -> None:
    icon = qapp.windowIcon()
    assert not icon.isNull() and not icon.pixmap(64, 64).isNull()
    assert "#messageBar" in qapp.styleSheet()


def row_named(window: MainWindow, name: str) -> tuple[int, PhotoRow]:
    for number, row in enumerate(window.model.rows()):
        if row.name == name:
            return number, row
    raise AssertionError(f"{name} is not in the grid")


def test_opening_a_folder_scans_it_and_shows_every_photo(
    qtbot: QtBot, window: MainWindow, library: Path, db_path: Path
) -> None:
    open_and_settle(qtbot, window, db_path, library)

    rows = window.model.rows()
    assert {row.name for row in rows} == LIBRARY_FILES
    assert all(row.status is PhotoStatus.OK for row in rows)
    [summary] = window.libraries.libraries()
    assert (summary.name, summary.photos) == ("library", 9)
    assert window.libraries.selected_id() == summary.id
    assert window.status_text.text().startswith("Scanned library: 9 files, 9 new")
    assert window.header.photo_count.text() == "9 photos"
    assert window.errors() == []
    # Every visible cell got its thumbnail, loaded off the GUI thread from the thumbnail cache.
    visible = window.grid.visible_rows()
    assert visible
    for number in visible:
        assert window.thumbnails.pixmap(rows[number].content_hash) is not None


def test_a_file_that_cannot_be_read_shows_its_error_and_reason(
    qtbot: QtBot, window: MainWindow, library: Path, db_path: Path
) -> None:
    photo_files.truncated_jpeg(library / "broken.jpg")
    open_and_settle(qtbot, window, db_path, library)

    number, row = row_named(window, "broken.jpg")
    assert row.status is PhotoStatus.ERROR
    assert "truncated" in (row.error or "")
    tooltip = window.model.data(window.model.index(number), Qt.ItemDataRole.ToolTipRole)
    assert f"Error: {row.error}" in tooltip
    assert "1 cannot be read" in window.header.photo_count.text()

    # The badge is painted on the cell: beside the white "!" at its centre, the error colour.
    index = window.model.index(number)
    window.grid.scrollTo(index)
    cell = window.grid.visualRect(index)
    point = ThumbnailDelegate.badge_rect(cell).center() + QPoint(-6, 0)
    image = window.grid.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    assert _close(image.pixelColor(int(point.x() * ratio), int(point.y() * ratio)), ERROR_COLOUR)

    window.grid.setCurrentIndex(index)
    qtbot.waitUntil(lambda: window.detail.metadata_text().get("Status") == "Cannot be read", timeout=WAIT_MS)
    assert "truncated" in window.detail.metadata_text()["Reason"]
    assert "truncated" in window.detail.preview.text()

    window.header.review_filter.setCurrentIndex(window.header.review_filter.findText("Cannot be read"))
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
    assert [row.name for row in window.model.rows()] == ["broken.jpg"]


def _close(colour: QColor, expected: QColor, tolerance: int = 24) -> bool:
    pairs = zip(colour.getRgb()[:3], expected.getRgb()[:3], strict=True)
    return all(abs(a - b) <= tolerance for a, b in pairs)


def test_selecting_a_photo_fills_the_detail_pane(
    qtbot: QtBot,
    window: MainWindow,
    catalogue: Catalogue,
    scanner: Scanner,
    library: Path,
    db_path: Path,
) -> None:
    scanner.scan(library)
    with catalogue.write() as session:
        photo = find_photo(session, str(library / "2021" / "paris.jpg"))
        edit_caption(session, photo, "The Eiffel Tower seen from the Seine", author="test-editor")
        photo_id = photo.id

    open_and_settle(qtbot, window, db_path)  # no folder: the catalogued library is shown as it is
    assert window.status_text.text() == ""  # and not rescanned
    number, row = row_named(window, "paris.jpg")
    assert row.caption == "The Eiffel Tower seen from the Seine"

    window.grid.setCurrentIndex(window.model.index(number))
    qtbot.waitUntil(lambda: window.detail.photo_id == photo_id, timeout=WAIT_MS)
    shown = window.detail.metadata_text()
    assert shown["Status"] == "OK"
    assert shown["Format"] == "JPEG"
    assert shown["Dimensions"] == "300 × 400 px"  # stored on its side (EXIF orientation 6), shown upright
    assert shown["Camera"] == "Canon EOS R5"
    assert shown["Date taken"] == "7/14/2021 9:30:05\u202fAM"  # camera time, in the locale's format (en_US)
    assert shown["Location"].startswith("48.858222° N, 2.294500° E")
    assert window.detail.title.text() == "paris.jpg"
    assert window.detail.caption_texts() == ["The Eiffel Tower seen from the Seine"]
    card_header = window.detail.findChild(type(window.detail.title), "captionText").parent()
    assert "Draft" in card_header.findChildren(type(window.detail.title))[0].text()

    # The preview is decoded from the file with its EXIF orientation applied: portrait.
    qtbot.waitUntil(lambda: window.detail.preview.image() is not None, timeout=WAIT_MS)
    preview = window.detail.preview.image()
    assert (preview.width(), preview.height()) == (300, 400)


def test_screenshot_mode_writes_a_png_of_the_window(
    qapp: QApplication, tmp_path: Path, library: Path, db_path: Path
) -> None:
    out = tmp_path / "shot.png"
    assert run_app(folder=str(library), db=str(db_path), screenshot=str(out)) == 0
    image = QImage(str(out))
    assert image.size() == QSize(1400, 900) * qapp.primaryScreen().devicePixelRatio()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 41)}
    assert len(colours) > 50  # thumbnails, text and panes, not a blank window


def test_screenshot_mode_fails_with_one_line_when_the_folder_is_missing(
    qapp: QApplication, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "shot.png"
    assert run_app(folder=str(tmp_path / "nowhere"), db=str(db_path), screenshot=str(out)) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert error.startswith("photo-annotator: error: folder ") and "does not exist" in error
    assert out.stat().st_size > 0  # the window, error banner included


def test_a_missing_folder_shows_an_error_in_the_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, db_path: Path
) -> None:
    open_and_settle(qtbot, window, db_path, tmp_path / "nowhere")

    assert window.isVisible()
    assert window.messages.isVisible()
    [message] = window.errors()
    assert message.startswith("Folder ") and message.endswith("does not exist")
    assert window.status_text.text() == message
    assert window.libraries.libraries() == []
    assert window.model.rowCount() == 0


def test_a_catalogue_that_cannot_open_shows_an_error_in_the_window(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    open_and_settle(qtbot, window, tmp_path)  # a folder, not a database file

    assert window.messages.isVisible()
    assert "is a folder" in window.errors()[0]
    assert not window.main_actions[MainAction.ADD_FOLDER].isEnabled()


def test_an_empty_catalogue_gets_the_sample_library(qtbot: QtBot, window: MainWindow, db_path: Path) -> None:
    open_and_settle(qtbot, window, db_path)

    [summary] = window.libraries.libraries()
    assert summary.name == "sample-library"
    assert window.model.rowCount() == summary.photos > 0


def test_rescan_shows_new_files_and_keeps_the_selection(
    qtbot: QtBot, window: MainWindow, library: Path, db_path: Path
) -> None:
    open_and_settle(qtbot, window, db_path, library)
    number, selected = row_named(window, "poster.jpg")
    window.grid.setCurrentIndex(window.model.index(number))
    photo_files.jpeg(library / "2021" / "louvre.jpg", seed=30)

    window.main_actions[MainAction.RESCAN].trigger()
    qtbot.waitUntil(lambda: window.model.rowCount() == 10 and window.is_settled(), timeout=WAIT_MS)
    assert "1 new" in window.status_text.text()
    assert window.grid.currentIndex().data(ROW_ROLE).id == selected.id


def test_thumbnails_deleted_from_the_cache_are_made_again(
    qtbot: QtBot, window: MainWindow, scanner: Scanner, library: Path, db_path: Path,
    thumbnails: ThumbnailCache,
) -> None:
    scanner.scan(library)
    shutil.rmtree(thumbnails.folder)

    window.resize(1600, 1100)  # every cell on screen: only visible cells ask for their thumbnails
    open_and_settle(qtbot, window, db_path)
    rows = window.model.rows()
    assert len(window.grid.visible_rows()) == len(rows)
    assert all(window.thumbnails.pixmap(row.content_hash) is not None for row in rows)
    assert all(thumbnails.has(row.content_hash) for row in rows)


def test_the_grid_asks_only_for_the_thumbnails_it_shows(qtbot: QtBot, thumbnails: ThumbnailCache) -> None:
    loader = ThumbnailLoader(thumbnails, THUMBNAIL_BOX)
    asked: list[str] = []
    request = loader.request
    loader.request = lambda content_hash, path=None: (asked.append(content_hash), request(content_hash, path))
    model = PhotoListModel(loader)
    grid = PhotoGrid()
    qtbot.addWidget(grid)
    grid.setModel(model)
    grid.resize(800, 600)
    grid.show()
    rows = [PhotoRow(n, f"/photos/{n:06}.jpg", f"{n:032x}", PhotoStatus.OK, None, None, None)
            for n in range(100_000)]
    model.set_rows(rows)
    qtbot.waitUntil(lambda: bool(grid.visible_rows()) and len(asked) >= len(grid.visible_rows()))
    visible = grid.visible_rows()
    assert 0 < len(visible) < 50
    assert set(asked) == {rows[n].content_hash for n in visible}

    def shows_the_last_photo() -> bool:
        grid.scrollToBottom()  # again as batched layout places more rows, until the last is placed
        return rows[-1].content_hash in asked

    qtbot.waitUntil(shows_the_last_photo)
    assert len(set(asked)) < 100
    loader.shutdown()


def test_the_qt_binding_can_run_the_app() -> None:
    # PySide6 6.12.0 on Python 3.11 loses references to None and crashes the app within minutes.
    assert binding_problem() is None


def test_an_unexpected_error_on_any_thread_is_shown_in_the_window_not_as_a_traceback(
    qtbot: QtBot, window: MainWindow
) -> None:
    import sys
    import threading

    from desktop_app.ui.app import install_error_hooks

    before = sys.excepthook
    restore = install_error_hooks(window)
    try:
        try:
            raise ValueError("the thumbnail cache is full\nsecond line")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        worker = threading.Thread(target=lambda: 1 / 0)
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(window.errors()) == 2, timeout=WAIT_MS)
    finally:
        restore()
    first, second = window.errors()
    assert first.startswith("Unexpected error: the thumbnail cache is full (the details are in the log")
    assert "second line" not in first and "division by zero" in second
    assert sys.excepthook is before  # the hooks are the window's only while it runs
