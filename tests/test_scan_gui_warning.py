"""The app shows a broken thumbnail cache once, as a message, and keeps the photos good."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import open_catalogue
from desktop_app.catalogue.models import PhotoStatus
from desktop_app.catalogue.photos import PhotoQuery, list_photos
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.ui.main_window.window import MainWindow
from tests.gui_helpers import WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")


def test_a_thumbnail_cache_in_the_way_is_one_message_and_no_photo_error(
    qtbot: QtBot, library: Path, tmp_path: Path, db_path: Path
) -> None:
    blocked = tmp_path / "thumbnails-is-a-file"
    blocked.write_text("in the way")
    window = MainWindow(ThumbnailCache(blocked))
    qtbot.addWidget(window)
    window.show()
    try:
        window.start(db=str(db_path), folder=str(library))
        qtbot.waitUntil(lambda: window.is_settled() and bool(window.messages.messages()), timeout=WAIT_MS)
        [message] = window.messages.messages()
        assert message.startswith(f"Thumbnails cannot be saved in {blocked}: a file is in the way")
        assert "cannot be read" not in window.status_text.text()
    finally:
        window.shutdown()
    with open_catalogue(db_path) as catalogue, catalogue.read() as session:
        assert {photo.status for photo in list_photos(session, PhotoQuery())} == {PhotoStatus.OK}
