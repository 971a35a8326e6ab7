"""Photos dropped on a library (the sidebar, the grid) and pasted from the clipboard: copied, fetched or
saved into the library's folder on the import thread, shown in the grid, each failure its own message."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtWidgets import QAbstractItemView, QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Photo
from desktop_app.library.scanner import Scanner
from desktop_app.settings import load_settings, save_settings
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from tests import photo_files
from tests.gui_helpers import WAIT_MS
from tests.web_server import Server

pytestmark = pytest.mark.usefixtures("app_look")


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.fixture
def album(scanner: Scanner, tmp_path: Path) -> Path:
    root = tmp_path / "album"
    photo_files.jpeg(root / "00.jpg", seed=1, size=(96, 72))
    scanner.scan(root)
    settings = load_settings()  # the test's server is on 127.0.0.1: an intranet server, allowed
    save_settings(replace(settings, importing=replace(settings.importing, allow_private=True)))
    return root


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, album: Path) -> MainWindow:
    return open_window(db=db_path)


def drop(view: QAbstractItemView, position: QPointF, mime: QMimeData) -> None:
    """A drag entering ``view`` at ``position`` and dropped there, as the platform delivers it (Qt sends
    a drop to the widget that accepted the drag's entry)."""
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(position.toPoint(), Qt.DropAction.CopyAction, mime, buttons, modifiers)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(view.viewport(), QDropEvent(position, Qt.DropAction.CopyAction, mime, buttons,
                                                       modifiers))


def photo_names(catalogue: Catalogue) -> list[str]:
    with catalogue.read() as session:
        return sorted(session.scalars(select(Photo.rel_path)))


def grid_names(qtbot: QtBot, window: MainWindow, count: int) -> list[str]:
    qtbot.waitUntil(lambda: window.model.rowCount() == count, timeout=WAIT_MS)
    return sorted(window.model.index(row, 0).data() for row in range(count))


def test_files_and_addresses_dropped_on_the_library_are_brought_in(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, server: Server, album: Path, tmp_path: Path
) -> None:
    outside = photo_files.jpeg(tmp_path / "desk" / "holiday.jpg", seed=2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(outside)), QUrl(server.url("/photos/harbour.jpg")),
                  QUrl(server.url("/missing.jpg"))])
    item = window.libraries.topLevelItem(0)
    position = QPointF(window.libraries.visualItemRect(item).center())
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS):
        drop(window.libraries, position, mime)
    assert sorted(path.name for path in album.iterdir()) == ["00.jpg", "harbour.jpg", "holiday.jpg"]
    assert outside.exists()  # copied, never moved
    assert photo_names(catalogue) == ["00.jpg", "harbour.jpg", "holiday.jpg"]
    with catalogue.read() as session:
        harbour = session.scalars(select(Photo).where(Photo.rel_path == "harbour.jpg")).one()
        assert harbour.source_url == server.url("/photos/harbour.jpg")
    assert window.errors()[-1] == f"Not imported: {server.url('/missing.jpg')}: HTTP 404 Not Found"
    assert window.status_text.text().startswith("Imported 2 photos into album; 1 not imported")
    assert grid_names(qtbot, window, 3) == ["00.jpg", "harbour.jpg", "holiday.jpg"]


def test_a_file_dropped_on_the_grid_goes_into_the_folder_it_shows(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, album: Path, tmp_path: Path
) -> None:
    outside = photo_files.jpeg(tmp_path / "desk" / "00.jpg", seed=5)  # the same name as one there
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(outside))])
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS):
        drop(window.grid, QPointF(window.grid.viewport().rect().center()), mime)
    assert photo_names(catalogue) == ["00 (2).jpg", "00.jpg"]  # a name in use: a new one, nothing replaced
    assert grid_names(qtbot, window, 2) == ["00 (2).jpg", "00.jpg"]


def test_an_image_pasted_from_the_clipboard_is_saved_as_png_in_the_library(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, album: Path
) -> None:
    image = QImage(80, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("teal"))
    QApplication.clipboard().setImage(image)
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS):
        window.main_actions[MainAction.PASTE_IMAGE].trigger()
    [pasted] = [path for path in album.iterdir() if path.name != "00.jpg"]
    assert pasted.name.startswith("Pasted ") and pasted.suffix == ".png"
    assert QImage(str(pasted)).pixelColor(10, 10) == QColor("teal")
    assert photo_names(catalogue) == ["00.jpg", pasted.name]
    assert grid_names(qtbot, window, 2) == sorted(["00.jpg", pasted.name])


def test_an_address_pasted_as_text_is_imported_like_a_drop(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, server: Server
) -> None:
    QApplication.clipboard().setText(server.url("/photos/harbour.jpg"))
    with qtbot.waitSignal(window.imports.finished, timeout=WAIT_MS):
        window.main_actions[MainAction.PASTE_IMAGE].trigger()
    assert photo_names(catalogue) == ["00.jpg", "harbour.jpg"]


def test_dropped_photos_are_captioned_when_the_import_setting_names_a_captioner(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, tmp_path: Path, vit_gpt2_folder: Path
) -> None:
    settings = load_settings()
    save_settings(replace(settings, importing=replace(settings.importing, caption="encoder-decoder"),
                          captioner_models={"encoder-decoder": str(vit_gpt2_folder)}))
    window.inference.apply_settings()  # as the Settings dialog's OK does
    outside = photo_files.jpeg(tmp_path / "desk" / "holiday.jpg", seed=2)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(outside))])
    with qtbot.waitSignal(window.inference.job_finished, timeout=WAIT_MS * 4) as finished:
        drop(window.grid, QPointF(window.grid.viewport().rect().center()), mime)
    with catalogue.read() as session:
        captioned = session.scalars(select(Photo.rel_path).join(Caption, Caption.photo_id == Photo.id)).all()
    assert finished.args[0].state.value == "done", window.errors()
    assert captioned == ["holiday.jpg"]  # the new photo only, not the one already there
