"""What the Qt tests share: how long they wait for work on other threads, and opening a main window on a
catalogue (the ``open_window`` fixture in tests/conftest.py uses it)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from desktop_app.ui.main_window.window import MainWindow

# The longest a test waits for a round trip through a worker thread (open a catalogue, scan, search,
# review): generous, since CI machines are shared; a passing wait returns as soon as it is met.
WAIT_MS = 30_000
# The longest a test waits for anything that loads or runs a model (caption, embed, train).
MODEL_WAIT_MS = 120_000


def open_and_settle(qtbot: QtBot, window: MainWindow, db: Path | str, folder: Path | None = None) -> None:
    """Open the catalogue ``db`` in ``window`` (and ``folder`` as a library, if given), as the app does at
    start, and wait until the window has nothing left to do."""
    window.start(db=str(db), folder=str(folder) if folder else None)
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
