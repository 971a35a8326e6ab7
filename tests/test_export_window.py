"""File > Export Captions… goes through the same guarded export service as the command line: the
catalogue is refused even with "Replace it if it exists", and photos are linked only when asked."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.ui.dialogs.files import EXPORT_FORMATS
from desktop_app.ui.main_window.window import MainWindow
from tests import photo_files
from tests.gui_helpers import WAIT_MS

HF_INDEX = [fmt for _label, fmt, _name in EXPORT_FORMATS].index("hf-imagefolder")

pytestmark = pytest.mark.usefixtures("app_look")


@pytest.fixture
def window(open_window: Callable[..., MainWindow], scanner: Scanner, catalogue: Catalogue, db_path: Path,
           tmp_path: Path) -> MainWindow:
    root = tmp_path / "album"
    photo_files.jpeg(root / "harbour.jpg", seed=1, size=(96, 72))
    scanner.scan(root)
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(root / "harbour.jpg")), "Harbour at dawn", author="ann",
                     approve=True)
    return open_window(db=db_path)


def test_the_window_refuses_to_export_onto_the_catalogue(qtbot: QtBot, window: MainWindow,
                                                         db_path: Path) -> None:
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    dialog = window.files.open_export()
    dialog.scope.location_radio.setChecked(True)
    dialog.output_edit.setText(str(db_path))
    dialog.force_box.setChecked(True)
    with qtbot.waitSignal(window.file_tasks.failed, timeout=WAIT_MS):
        dialog.export_button.click()
    assert "catalogue" in window.errors()[-1]
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before


def test_the_window_copies_photos_into_a_dataset_and_links_them_only_when_asked(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    photo = tmp_path / "album" / "harbour.jpg"
    for name, link in (("copied", False), ("linked", True)):
        dialog = window.files.open_export()
        assert not dialog.link_box.isVisibleTo(dialog)  # CSV first: no photos, no link option
        dialog.format_combo.setCurrentIndex(HF_INDEX)
        assert dialog.link_box.isVisibleTo(dialog) and not dialog.link_box.isChecked()
        dialog.link_box.setChecked(link)
        dialog.scope.location_radio.setChecked(True)
        dialog.output_edit.setText(str(tmp_path / name))
        with qtbot.waitSignal(window.file_tasks.finished, timeout=WAIT_MS):
            dialog.export_button.click()
        assert (tmp_path / name / "train" / "harbour.jpg").samefile(photo) is link
