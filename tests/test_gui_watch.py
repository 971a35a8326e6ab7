"""Watched folders in the app: "Watch This Folder…" stores the library's watch settings, the sidebar says
the library is watched, and a photo copied into its folder while the window is open shows in the grid and
is captioned by the app's own job queue (a tiny real model)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Job
from desktop_app.services.libraries import library_watch
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from tests import photo_files
from tests.gui_helpers import WAIT_MS


def _row_of(window: MainWindow, name: str) -> object | None:
    return next((row for row in window.model.rows() if Path(row.path).name == name), None)


def test_a_watched_library_shows_and_captions_photos_as_they_arrive(
        qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, catalogue: Catalogue,
        drafts: Path, vit_gpt2_folder: Path) -> None:
    window = open_window(db=db_path)
    qtbot.waitUntil(lambda: window.libraries.selected_id() is not None, timeout=WAIT_MS)
    library_id = window.libraries.selected_id()
    stop = window.main_actions[MainAction.STOP_WATCHING]
    assert window.main_actions[MainAction.WATCH_LIBRARY].isEnabled() and not stop.isEnabled()

    dialog = window.watching.open_dialog()
    assert dialog is not None and dialog.ok_button.isEnabled()
    dialog.caption.setChecked(False)
    assert not dialog.ok_button.isEnabled() and dialog.problem.isVisible()  # nothing to do: refused
    dialog.caption.setChecked(True)
    dialog.captioner_combo.setCurrentIndex(dialog.captioner_combo.findData("encoder-decoder"))
    dialog.model_edit.setText(str(vit_gpt2_folder))
    dialog.accept()

    qtbot.waitUntil(lambda: window.libraries.topLevelItem(0).text(0) == "drafts (watched)", timeout=WAIT_MS)
    watch = library_watch(catalogue, library_id)
    assert watch is not None and watch.caption == "encoder-decoder" and watch.model == str(vit_gpt2_folder)
    assert stop.isEnabled()

    photo_files.jpeg(drafts / "arrived.jpg", seed=42, size=(64, 48))
    qtbot.waitUntil(lambda: _row_of(window, "arrived.jpg") is not None, timeout=30_000)
    qtbot.waitUntil(lambda: bool(getattr(_row_of(window, "arrived.jpg"), "caption", None)), timeout=120_000)
    with catalogue.read() as session:
        job = session.scalars(select(Job)).one()
        assert job.standing == f"library:{library_id}:caption:encoder-decoder:{vit_gpt2_folder}"
    rows = window.job_panel.rows  # the jobs panel: the standing job waits for the next photos
    qtbot.waitUntil(lambda: job.id in rows and rows[job.id].state.text() == "Watching · waiting for photos",
                    timeout=WAIT_MS)
    assert "new photos of library" in rows[job.id].detail.text()

    stop.trigger()
    qtbot.waitUntil(lambda: window.libraries.topLevelItem(0).text(0) == "drafts", timeout=WAIT_MS)
    assert library_watch(catalogue, library_id) is None
    assert window.errors() == []
