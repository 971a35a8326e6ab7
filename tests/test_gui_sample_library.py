"""The bundled sample library: what a new user's first start shows, captions included."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktop_app import locations
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import current_caption
from desktop_app.catalogue.models import CaptionOrigin, Photo, PhotoStatus
from desktop_app.library.images import PHOTO_EXTENSIONS
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.photo_grid import review_badge
from tests.gui_helpers import WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)


def sample_photos() -> list[Path]:
    root = locations.sample_library_dir()
    return sorted(path for path in root.rglob("*") if path.suffix.lower() in PHOTO_EXTENSIONS)


def test_every_sample_photo_has_a_caption_sidecar_of_one_line() -> None:
    photos = sample_photos()
    assert len(photos) == 9
    for photo in photos:
        text = photo.with_suffix(".txt").read_text(encoding="utf-8")
        assert text.endswith("\n") and text.count("\n") == 1 and 20 <= len(text) <= 200, photo.name


def test_scanning_the_sample_library_imports_a_caption_for_every_photo(
    scanner: Scanner, catalogue: Catalogue
) -> None:
    report = scanner.scan(locations.sample_library_dir())

    assert report.errors == [] and report.imported == len(sample_photos())
    with catalogue.read() as session:
        photos = session.query(Photo).all()
        assert len(photos) == len(sample_photos())
        for photo in photos:
            caption = current_caption(session, photo.id)
            assert photo.status is PhotoStatus.OK
            assert caption is not None and caption.origin is CaptionOrigin.IMPORTED, photo.rel_path
            sidecar = locations.sample_library_dir() / Path(photo.rel_path).with_suffix(".txt")
            assert caption.text == sidecar.read_text(encoding="utf-8").strip()


def test_the_first_start_shows_the_sample_captions(qtbot: QtBot, window: MainWindow, db_path: Path) -> None:
    window.start(db=str(db_path))  # an empty catalogue: the sample library is added
    qtbot.waitUntil(lambda: window.model.rowCount() == len(sample_photos()) and window.is_settled(),
                    timeout=WAIT_MS)

    rows = window.model.rows()
    assert all(row.caption for row in rows)
    assert {review_badge(row)[0] for row in rows if review_badge(row)} == {"Imported"}
    assert all(review_badge(row) for row in rows)
    assert "9 captions imported from the files" in window.status_text.text()


def test_the_window_shows_no_path_but_the_users_library_and_catalogue(
    qtbot: QtBot, thumbnails: ThumbnailCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # How the README screenshot is made (resources/screenshots/make-screenshots.sh): the sample library
    # in a neutral home, the catalogue in its default place there. Nothing else may show a path: not
    # the checkout, the working folder, or the home of whoever makes it.
    machine_paths = [str(Path(__file__).resolve().parent.parent), os.getcwd(), os.path.expanduser("~")]
    home = tmp_path / "home" / "user"
    library = home / "Pictures" / "Sample Library"
    shutil.copytree(locations.sample_library_dir(), library)
    for name in (locations.DATA_ENV, locations.CACHE_ENV, locations.CONFIG_ENV,
                 "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    window = MainWindow(thumbnails)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    try:
        window.start(folder=str(library))
        qtbot.waitUntil(lambda: window.is_settled() and window.detail.photo_id is not None, timeout=WAIT_MS)
        labels = [label for label in window.findChildren(QLabel) if label.isVisible()]
        # What is read aloud too: the catalogue's line is elided in the middle on screen, whole there.
        shown = [label.text() for label in labels] + [label.accessibleName() for label in labels]
        shown += [window.windowTitle(), window.status_text.text()]
    finally:
        window.shutdown()

    assert f"Catalogue: {home}/.local/share/photo-annotator/catalogue.db" in shown
    assert f"{library}/animals" in shown  # the selected photo's folder
    for text in shown:
        assert not any(path in text for path in machine_paths), text
