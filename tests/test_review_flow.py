"""The whole window at work: an editor reviews from the keyboard, reverts from the history, and a
librarian captions a folder from the UI with a tiny model while the window shows progress and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.models import Caption, CaptionOrigin, ReviewState, RevisionAction
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.settings import EngineSettings, load_settings, save_settings
from desktop_app.ui.main_window.window import MainWindow
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS, WAIT_MS

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)


@pytest.fixture
def drafts(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    """Four photos with model drafts, one already approved."""
    root = tmp_path / "drafts"
    for number in range(4):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(96, 72))
    scanner.scan(root)
    with catalogue.write() as session:
        for number in range(4):
            photo = find_photo(session, str(root / f"{number:02}.jpg"))
            caption = store_ai_caption(session, AICaption(photo, f"a photo number {number}", model_id="m",
                                                          confidence=0.5), captioner_id="encoder-decoder")
            if number == 1:
                caption.state = ReviewState.APPROVED
    return root


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, drafts: Path) -> MainWindow:
    return open_window(db=db_path)


def current_captions(catalogue: Catalogue) -> dict[str, tuple[str, ReviewState, CaptionOrigin]]:
    with catalogue.read() as session:
        captions = session.scalars(select(Caption).where(Caption.is_current.is_(True)))
        return {Path(caption.photo.rel_path).stem: (caption.text, caption.state, caption.origin)
                for caption in captions}


def shown_name(window: MainWindow) -> str:
    row = window.browse.selected_row()
    assert row is not None
    return Path(row.path).stem


def test_keyboard_review_of_several_photos_is_saved_to_the_catalogue(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    assert shown_name(window) == "00"
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    # Ctrl+Enter: approve, and on to the next photo that needs review (01 is approved already)
    qtbot.keyClick(window.grid, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: shown_name(window) == "02", timeout=WAIT_MS)
    # F2 edits; the typed text is kept when the editor moves on with Alt+Down
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo number 2", timeout=WAIT_MS)
    qtbot.keyClick(window.grid, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: window.detail.review_box.editor.hasFocus(), timeout=WAIT_MS)
    window.detail.review_box.editor.selectAll()
    qtbot.keyClicks(window.detail.review_box.editor, "Harbour at dawn, 1998")
    qtbot.keyClick(window.detail.review_box.editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: shown_name(window) == "03", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo number 3", timeout=WAIT_MS)
    # typing then Esc drops the edit; Ctrl+Enter approves the model's text
    window.detail.review_box.focus_editor()
    qtbot.keyClicks(window.detail.review_box.editor, " (not this)")
    qtbot.keyClick(window.detail.review_box.editor, Qt.Key.Key_Escape)
    assert window.detail.review_box.editor_text() == "a photo number 3"
    qtbot.keyClick(window.detail.review_box.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: current_captions(catalogue)["03"][1] is ReviewState.APPROVED, timeout=WAIT_MS)

    assert current_captions(catalogue) == {
        "00": ("a photo number 0", ReviewState.APPROVED, CaptionOrigin.AI),
        "01": ("a photo number 1", ReviewState.APPROVED, CaptionOrigin.AI),
        "02": ("Harbour at dawn, 1998", ReviewState.DRAFT, CaptionOrigin.HUMAN),
        "03": ("a photo number 3", ReviewState.APPROVED, CaptionOrigin.AI),
    }
    # the grid's badges follow without a reload (the review thread's signals may still be on their way)
    def badges() -> dict[str, tuple[ReviewState | None, CaptionOrigin | None]]:
        return {Path(row.path).stem: (row.caption_state, row.caption_origin) for row in window.model.rows()}

    qtbot.waitUntil(lambda: badges()["03"] == (ReviewState.APPROVED, CaptionOrigin.AI), timeout=WAIT_MS)
    assert badges()["02"] == (ReviewState.DRAFT, CaptionOrigin.HUMAN)
    assert badges()["00"] == (ReviewState.APPROVED, CaptionOrigin.AI)

    # Ctrl+Z in the window (not in the editor) undoes the last approval, as a new revision
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: current_captions(catalogue)["03"][1] is ReviewState.DRAFT, timeout=WAIT_MS)


def test_revert_from_the_history_in_the_window(
    qtbot: QtBot, window: MainWindow, catalogue: Catalogue
) -> None:
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    window.detail.review_box.focus_editor()
    window.detail.review_box.editor.selectAll()
    qtbot.keyClicks(window.detail.review_box.editor, "A person's caption")
    window.detail.flush()
    qtbot.waitUntil(lambda: current_captions(catalogue)["00"][0] == "A person's caption", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "A person's caption", timeout=WAIT_MS)
    with catalogue.read() as session:
        caption_id = session.scalar(select(Caption.id).where(Caption.text == "A person's caption"))
    window.detail.revert(caption_id, 1)
    qtbot.waitUntil(lambda: current_captions(catalogue)["00"][0] == "a photo number 0", timeout=WAIT_MS)
    with catalogue.read() as session:
        actions = [revision.action for revision in session.get(Caption, caption_id).revisions]
    assert actions == [RevisionAction.CREATED, RevisionAction.EDITED, RevisionAction.REVERTED]


def test_caption_a_folder_from_the_window_with_progress_and_a_corrupt_photo(
    qtbot: QtBot, thumbnails: ThumbnailCache, db_path: Path, tmp_path: Path, catalogue: Catalogue,
    vit_gpt2_folder: Path
) -> None:
    model = vit_gpt2_folder
    settings = load_settings()
    save_settings(settings.__class__(**{**settings.__dict__, "engine": EngineSettings("cpu", "float32", 2)}))
    root = tmp_path / "to-caption"
    for number in range(5):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(96, 72))
    photo_files.text_as_jpeg(root / "zz-broken.jpg")
    window = MainWindow(thumbnails)
    qtbot.addWidget(window)
    window.show()
    try:
        window.start(db=str(db_path), folder=str(root))
        qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)
        assert "cannot be read" in window.header.photo_count.text()  # the corrupt file, found by the scan
        dialog = window.captioning.open_dialog()
        assert dialog is not None
        dialog.set_captioner("encoder-decoder")
        dialog.model_edit.setText(str(model))
        dialog.folder_radio.setChecked(True)
        progress: list[str] = []
        window.inference.progress.connect(lambda _p: progress.append(window.job_status.text.text()))
        with qtbot.waitSignal(window.inference.job_finished, timeout=MODEL_WAIT_MS) as finished:
            dialog.ok_button.click()
        assert window.jobs_dock.isVisible()
        assert finished.args[0].done == 5 and finished.args[0].failed == 0  # the broken file is not queued
        assert progress and "photos/s" in progress[-1]
        qtbot.waitUntil(window.is_settled, timeout=WAIT_MS)  # the grid reloads after the job
        assert all(row.caption for row in window.model.rows() if row.name != "zz-broken.jpg")
        # the error for the corrupt photo is shown in the grid and the detail pane
        number = next(n for n, row in enumerate(window.model.rows()) if row.name == "zz-broken.jpg")
        window.grid.setCurrentIndex(window.model.index(number))
        qtbot.waitUntil(lambda: window.detail.metadata_text().get("Status") == "Cannot be read",
                        timeout=WAIT_MS)
    finally:
        window.shutdown()
