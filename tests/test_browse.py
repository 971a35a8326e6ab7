"""Browsing in the window: the sidebar's folders, review filters, captioner filter, sorting, the search
box, thumbnail badges, and removing a library."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import edit_caption, set_review_state
from desktop_app.catalogue.models import Caption, Photo, ReviewState
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.photo_grid import review_badge
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS, WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)


@pytest.fixture
def archive(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    """A library with nested folders and captions in each review state."""
    root = tmp_path / "archive"
    for number, name in enumerate(["1998/harbour.jpg", "1998/market.jpg", "1998/summer/beach.jpg",
                                   "2004/church.jpg", "2004/bridge.jpg"]):
        photo_files.jpeg(root / name, seed=number, size=(80, 60))
    scanner.scan(root)
    with catalogue.write() as session:
        photo = {path.stem: find_photo(session, str(path)) for path in root.rglob("*.jpg")}
        for name, text, confidence, captioner in [
            ("harbour", "fishing boats moored in a harbour", 0.91, "generic"),
            ("market", "people buying fish at a market", 0.35, "generic"),
            ("beach", "children playing on a sandy beach", 0.62, "encoder-decoder"),
            ("church", "a stone church with a tall spire", 0.80, "generic"),
        ]:
            store_ai_caption(session, AICaption(photo[name], text, model_id="m", confidence=confidence),
                             captioner_id=captioner)
        set_review_state(session, photo["church"], ReviewState.APPROVED, author="ann")
        edit_caption(session, photo["bridge"], "The old bridge before the 2005 flood", author="ann")
        for day, name in enumerate(["beach", "market", "harbour", "church", "bridge"], start=1):
            photo[name].date_taken = datetime(2000, 1, day)
    return root


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, archive: Path) -> MainWindow:
    return open_window(db=db_path)


def shown(window: MainWindow) -> list[str]:
    return [row.name.removesuffix(".jpg") for row in window.model.rows()]


def settle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)


def choose(qtbot: QtBot, window: MainWindow, combo_name: str, text: str) -> None:
    combo = getattr(window.header, combo_name)
    number = combo.findText(text)
    assert number >= 0, f"{text!r} is not offered in {combo_name}"
    combo.setCurrentIndex(number)
    settle(qtbot, window)


def test_the_sidebar_lists_folders_and_a_folder_shows_its_photos(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.libraries.topLevelItem(0).childCount() == 2, timeout=WAIT_MS)
    top = window.libraries.topLevelItem(0)
    assert [(top.child(n).text(0), top.child(n).text(1)) for n in range(2)] == [("1998", "3"), ("2004", "2")]
    assert top.child(0).child(0).text(0) == "summer"
    assert window.libraries.select(window.libraries.selected_id(), "1998")
    settle(qtbot, window)
    assert shown(window) == ["harbour", "market", "beach"]
    assert window.header.library_title.text().endswith("/ 1998")
    assert window.header.photo_count.text().startswith("3 of 5 photos")


def test_review_and_captioner_filters_and_sorting(qtbot: QtBot, window: MainWindow) -> None:
    choose(qtbot, window, "review_filter", "Needs review")
    assert set(shown(window)) == {"harbour", "market", "beach", "bridge"}
    choose(qtbot, window, "review_filter", "AI drafts")
    assert set(shown(window)) == {"harbour", "market", "beach"}
    choose(qtbot, window, "sort_key", "Confidence")
    assert shown(window) == ["market", "beach", "harbour"]
    window.header.sort_descending.click()
    settle(qtbot, window)
    assert shown(window) == ["harbour", "beach", "market"]
    choose(qtbot, window, "captioner_filter", "encoder-decoder")
    assert shown(window) == ["beach"]
    choose(qtbot, window, "captioner_filter", "All captioners")
    choose(qtbot, window, "review_filter", "Approved")
    assert shown(window) == ["church"]
    choose(qtbot, window, "review_filter", "Edited by a person")
    assert shown(window) == ["bridge"]
    choose(qtbot, window, "review_filter", "All photos")
    window.header.sort_descending.click()
    choose(qtbot, window, "sort_key", "Date taken")
    assert shown(window) == ["beach", "market", "harbour", "church", "bridge"]


def test_the_search_box_shows_matching_photos_best_first(qtbot: QtBot, window: MainWindow) -> None:
    window.search.mode.setCurrentIndex(window.search.mode.findText("Exact words"))
    qtbot.keyClicks(window.search.box, "fish")
    qtbot.waitUntil(lambda: window.header.sort_key.currentText() == "Best match", timeout=WAIT_MS)
    settle(qtbot, window)
    assert set(shown(window)) == {"harbour", "market"}  # "fishing" and "fish": stems and prefixes
    window.search.box.clear()
    qtbot.waitUntil(lambda: window.header.sort_key.currentText() == "Name", timeout=WAIT_MS)
    settle(qtbot, window)
    assert len(shown(window)) == 5
    qtbot.keyClicks(window.search.box, '"unbalanced (NEAR')
    qtbot.waitUntil(lambda: window.model.rowCount() == 0 and window.is_settled(), timeout=WAIT_MS)
    assert window.errors() == []


def test_thumbnails_carry_a_review_badge(window: MainWindow) -> None:
    badges = {row.name.removesuffix(".jpg"): (review_badge(row) or ("",))[0] for row in window.model.rows()}
    assert badges == {"harbour": "AI draft", "market": "AI draft", "beach": "AI draft", "church": "Approved",
                      "bridge": "Edited"}


def test_removing_a_library_asks_first_and_keeps_the_files(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue, archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes]
    questions: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _parent, _title, text, *_args: (questions.append(text), answers.pop(0))[1])
    window.main_actions[MainAction.REMOVE_LIBRARY].trigger()
    settle(qtbot, window)
    assert len(window.libraries.libraries()) == 1 and "captions people wrote" in questions[0]
    window.main_actions[MainAction.REMOVE_LIBRARY].trigger()
    qtbot.waitUntil(lambda: window.libraries.libraries() == [], timeout=WAIT_MS)
    status = window.status_text.text()
    assert "Removed archive from the catalogue (5 photos and 2 captions by people)" in status
    with catalogue.read() as session:
        assert session.scalar(select(func.count()).select_from(Photo)) == 0
        assert session.scalar(select(func.count()).select_from(Caption)) == 0
    assert len(list(archive.rglob("*.jpg"))) == 5


def test_searching_by_meaning_in_the_window(qtbot: QtBot, window: MainWindow) -> None:
    window.search.mode.setCurrentIndex(window.search.mode.findText("Meaning"))
    qtbot.keyClicks(window.search.box, "kids at the seaside")
    qtbot.keyClick(window.search.box, Qt.Key.Key_Return)  # at once, not after the typing pause
    # nothing embedded yet, but a small catalogue is embedded before its first search by meaning
    qtbot.waitUntil(lambda: window.is_settled() and window.model.rowCount() > 0, timeout=MODEL_WAIT_MS)
    assert shown(window)[0] == "beach"  # "children playing on a sandy beach": no word in common
    window.main_actions[MainAction.EMBED].trigger()  # so there is nothing left to prepare
    qtbot.waitUntil(lambda: window.status_text.text().startswith("Search by meaning is ready: 0 captions"),
                    timeout=MODEL_WAIT_MS)
    assert window.header.sort_key.currentText() == "Best match"
    # words and meaning together: a word match and the meaning both count
    window.search.mode.setCurrentIndex(window.search.mode.findText("Words and meaning"))
    qtbot.waitUntil(lambda: window.is_settled() and window.model.rowCount() > 0, timeout=MODEL_WAIT_MS)
    assert shown(window)[0] == "beach"


def test_opening_a_folder_inside_a_library_shows_that_folder_in_its_library(
    qtbot: QtBot, thumbnails: ThumbnailCache, db_path: Path, archive: Path, catalogue: Catalogue
) -> None:
    """`photo-annotator gui ARCHIVE/1998/summer`: no second library; the folder is chosen in the sidebar."""
    opened = MainWindow(thumbnails)
    qtbot.addWidget(opened)
    opened.resize(1300, 800)
    opened.show()
    opened.start(db=str(db_path), folder=str(archive / "1998" / "summer"))
    try:
        qtbot.waitUntil(lambda: opened.is_settled() and opened.libraries.selected_folder() is not None,
                        timeout=WAIT_MS)
        assert [library.root for library in opened.libraries.libraries()] == [str(archive)]
        assert opened.libraries.selected_folder() == "1998/summer"
        settle(qtbot, opened)
        assert shown(opened) == ["beach"]
    finally:
        opened.shutdown()
