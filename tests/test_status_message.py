"""The status bar's message never runs past the window's edge: a long one is elided with "…" to the
room it has, and its whole text is in its tooltip and, from the keyboard or a click, in a small window
to read and copy."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPlainTextEdit
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window.window import MainWindow
from tests.gui_helpers import WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)

LONG_MESSAGE = (
    "Search by meaning is ready: 12,480 captions embedded with the minilm text embedder in 41 s; "
    "3 captions were skipped because their photos cannot be read (see the photos marked with a red "
    "mark), and captions edited from now on are embedded as you search, so later searches by meaning "
    "find them too without preparing the search again"
)


def test_a_long_status_message_is_elided_and_whole_behind_details(qtbot: QtBot, window: MainWindow) -> None:
    width = window.minimumSizeHint().width() + 20  # as narrow as the window goes: the message is longer
    window.resize(width, 700)
    qtbot.waitUntil(lambda: window.width() == width, timeout=WAIT_MS)
    window.browse.status.emit(LONG_MESSAGE)  # as any controller reports
    status = window.status_text
    label = status.label
    qtbot.waitUntil(status.is_elided, timeout=WAIT_MS)

    assert window.width() == width  # the message did not widen the window
    shown = label.text()
    assert shown.endswith("…") and LONG_MESSAGE.startswith(shown[:-1])
    assert label.fontMetrics().horizontalAdvance(shown) <= label.width()
    right_edge = label.mapTo(window, QPoint(label.width(), 0)).x()
    assert right_edge <= window.width()
    assert status.details_button.mapTo(window, QPoint(status.details_button.width(), 0)).x() <= window.width()
    assert status.text() == LONG_MESSAGE
    assert label.toolTip() == LONG_MESSAGE

    # The keyboard's way to the whole text: Details… takes the focus (Tab) and opens it with Space.
    assert status.details_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    status.details_button.setFocus()
    qtbot.keyClick(status.details_button, Qt.Key.Key_Space)
    dialog = status.details
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    whole = dialog.findChild(QPlainTextEdit)
    assert whole.toPlainText() == LONG_MESSAGE
    assert whole.isReadOnly()
    assert whole.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    qtbot.keyClick(whole, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)

    # A click on the message opens it too.
    qtbot.mouseClick(label, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.close()

    # A wider window shows more of it; a short message is shown whole, with no Details….
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: len(label.text()) > len(shown), timeout=WAIT_MS)
    window.browse.status.emit("Scanned library: 9 files, 9 new")
    assert label.text() == "Scanned library: 9 files, 9 new"
    assert not status.is_elided()
    assert not status.details_button.isVisible()
