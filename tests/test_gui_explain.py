"""The detail pane's "Show where the model looked": click a word of the caption (or move to it with the
keyboard) and the preview shows the model's heatmap for it, computed by the inference worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.ui.main_window.window import MainWindow
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS, WAIT_MS

DRAFT = "a dog near a red car"


@pytest.fixture
def window(open_window: Callable[..., MainWindow], scanner: Scanner, catalogue: Catalogue, db_path: Path,
           tmp_path: Path, vit_gpt2_folder: Path) -> MainWindow:
    """The app on a 4:3 and a 1:2 photo whose descriptions are the tiny ViT + GPT-2's drafts."""
    paths = [photo_files.jpeg(tmp_path / "photos" / "a-street.jpg", size=(200, 150)),
             photo_files.jpeg(tmp_path / "photos" / "b-tower.jpg", seed=4, size=(100, 200))]
    scanner.scan(paths[0].parent)
    with catalogue.write() as session:
        for path in paths:
            photo = find_photo(session, str(path))
            store_ai_caption(session, AICaption(photo, DRAFT, model_id=str(vit_gpt2_folder)),
                             captioner_id="encoder-decoder")
    return open_window(db=db_path)


def click_word(qtbot: QtBot, window: MainWindow, position: int) -> None:
    editor = window.detail.review_box.editor
    cursor = QTextCursor(editor.document())
    cursor.setPosition(position)
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=editor.cursorRect(cursor).center())


def test_clicking_a_word_shows_where_the_model_looked(qtbot: QtBot, window: MainWindow) -> None:
    detail = window.detail
    qtbot.waitUntil(lambda: detail.photo_id is not None and detail.preview.image() is not None,
                    timeout=WAIT_MS)
    heatmap = detail.heatmap
    assert heatmap.button.accessibleName() == "Show where the model looked"
    assert not heatmap.is_on() and detail.preview.overlay() is None
    qtbot.mouseClick(heatmap.button, Qt.MouseButton.LeftButton)
    assert heatmap.is_on()

    click_word(qtbot, window, 3)  # inside "dog"
    qtbot.waitUntil(lambda: detail.preview.overlay() is not None, timeout=MODEL_WAIT_MS)
    overlay = detail.preview.overlay()
    assert (overlay.width(), overlay.height()) == (64, 48)  # the photo's 4:3, in map cells
    assert heatmap.status_text() == "Where the model looked for “dog” (cross-attention)"
    dog = overlay.copy()

    # The keyboard: End moves to "car"; its map replaces the dog's.
    window.detail.review_box.editor.setFocus()
    qtbot.keyClick(window.detail.review_box.editor, Qt.Key.Key_End)
    qtbot.waitUntil(lambda: "“car”" in heatmap.status_text() and detail.preview.overlay() is not None
                    and "Finding" not in heatmap.status_text(), timeout=MODEL_WAIT_MS)
    assert detail.preview.overlay() != dog

    # Back to "dog": kept, shown at once (no second request to the worker).
    with qtbot.assertNotEmitted(window.inference.explained, wait=200):
        click_word(qtbot, window, 3)
        qtbot.waitUntil(lambda: detail.preview.overlay() == dog, timeout=WAIT_MS)

    qtbot.keyClick(window.detail.review_box.editor, Qt.Key.Key_Escape)  # Esc clears the map
    assert detail.preview.overlay() is None and heatmap.status_text() == ""

    # A word the model never wrote: the pane says why there is no map.
    editor = window.detail.review_box.editor
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, " zebra")
    qtbot.waitUntil(lambda: heatmap.status_text().startswith("No heatmap for “zebra”"), timeout=MODEL_WAIT_MS)
    assert "'zebra' is not a word of the AI draft" in heatmap.status_text()
    assert detail.preview.overlay() is None

    qtbot.mouseClick(heatmap.button, Qt.MouseButton.LeftButton)  # off: the map and its line go
    assert not heatmap.is_on() and heatmap.status_text() == ""


def test_another_photo_gets_its_own_map(qtbot: QtBot, window: MainWindow) -> None:
    detail = window.detail
    qtbot.waitUntil(lambda: detail.title.text() == "a-street.jpg" and detail.preview.image() is not None,
                    timeout=WAIT_MS)
    control_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(detail, Qt.Key.Key_H, control_shift)
    assert detail.heatmap.is_on()  # Ctrl+Shift+H
    click_word(qtbot, window, 13)  # "red"
    qtbot.waitUntil(lambda: detail.preview.overlay() is not None, timeout=MODEL_WAIT_MS)
    assert detail.preview.overlay().size().toTuple() == (64, 48)

    first = detail.photo_id
    window.grid.setCurrentIndex(window.model.index(1))  # the 1:2 photo: its own map, never the other's
    qtbot.waitUntil(lambda: detail.photo_id != first and detail.preview.image() is not None, timeout=WAIT_MS)
    click_word(qtbot, window, 13)
    looked = "Where the model looked for “red” (cross-attention)"
    qtbot.waitUntil(lambda: detail.heatmap.status_text() == looked, timeout=MODEL_WAIT_MS)
    assert detail.preview.overlay().size().toTuple() == (32, 64)
