"""The window's work on photo files: exporting captions and writing approved captions into the files,
both on the files thread, with what they did shown in the window."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.ui.main_window.window import MainWindow
from tests import photo_files
from tests.gui_helpers import WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)


@pytest.fixture
def album(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    root = tmp_path / "album"
    for number in range(3):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(96, 72))
    scanner.scan(root)
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(root / "00.jpg")), "Harbour at dawn, 1998 – 港口",
                     author="ann", approve=True)
        edit_caption(session, find_photo(session, str(root / "01.jpg")), "a draft nobody approved",
                     author="ann")
    return root


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, album: Path) -> MainWindow:
    return open_window(db=db_path)


def test_export_approved_captions_from_the_window(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    dialog = window.files.open_export()
    dialog.scope.location_radio.setChecked(True)
    dialog.output_edit.setText(str(tmp_path / "out.csv"))
    with qtbot.waitSignal(window.file_tasks.finished, timeout=WAIT_MS):
        dialog.export_button.click()
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [row["caption"] for row in rows] == ["Harbour at dawn, 1998 – 港口"]  # approved only
    assert window.status_text.text().startswith("Exported 1 photo")

    again = window.files.open_export()  # the same file again, without "replace": refused, in the window
    again.scope.location_radio.setChecked(True)
    again.output_edit.setText(str(tmp_path / "out.csv"))
    with qtbot.waitSignal(window.file_tasks.failed, timeout=WAIT_MS):
        again.export_button.click()
    assert "exists" in window.errors()[-1]


def test_write_approved_captions_to_sidecars_with_a_preview_first(
    qtbot: QtBot, window: MainWindow, album: Path
) -> None:
    sidecar = album / "00.jpg.xmp"
    dialog = window.files.open_write_metadata()
    dialog.scope.location_radio.setChecked(True)
    with qtbot.waitSignal(window.file_tasks.finished, timeout=WAIT_MS):
        dialog.preview_button.click()
    assert not sidecar.exists()  # a preview writes nothing
    report = window.files.last_report
    assert report is not None and report.windowTitle() == "What would change"
    shown = report.details.toPlainText()
    assert "00.jpg.xmp: would-write" in shown and "Harbour at dawn, 1998 – 港口" in shown

    dialog = window.files.open_write_metadata()
    dialog.scope.location_radio.setChecked(True)
    with qtbot.waitSignal(window.file_tasks.finished, timeout=WAIT_MS):
        dialog.write_button.click()
    assert sidecar.exists() and "Harbour at dawn, 1998 – 港口" in sidecar.read_text(encoding="utf-8")
    assert window.status_text.text().startswith("Wrote 1")
    assert not (album / "01.jpg.xmp").exists()  # a draft is never written into the files
