"""Uncertainty-first review in the app: Settings > Review chooses the order Ctrl+Enter follows, the photo
being reviewed is claimed (another editor's queue skips it), the fine-tune suggestion after N approvals,
and the before/after offer after a fine-tune."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.claims import ReviewClaim
from desktop_app.library.scanner import Scanner
from desktop_app.services.review import APPROVE, Change, review
from desktop_app.services.review_queue import ReviewQueue
from desktop_app.settings import ReviewSettings, load_settings, save_settings
from desktop_app.ui.dialogs.new_model import NewModelDialog
from desktop_app.ui.dialogs.settings import SettingsDialog
from desktop_app.ui.dialogs.train import TrainDialog
from desktop_app.ui.main_window.window import MainWindow
from tests.gui_helpers import MODEL_WAIT_MS, WAIT_MS, open_and_settle
from tests.review_queue_samples import Sample, approved_cars, build_files
from tests.tiny_models.vision_encoder_decoder import vit_gpt2

pytestmark = pytest.mark.usefixtures("app_look")

# In name order: a-near, b-far, c-lowest, d-approved. Most useful first: c-lowest (0.12), then b-far
# (unlike the approved caption), then a-near (0.31, but like the approved caption).
SAMPLES = [Sample("a-near", 0.31, axis=0), Sample("b-far", 0.34, axis=5), Sample("c-lowest", 0.12, axis=1),
           Sample("d-approved", 0.9, axis=0, approved=True)]


def show(qtbot: QtBot, window: MainWindow, name: str) -> None:
    number = next(number for number, row in enumerate(window.model.rows()) if row.name == name)
    window.grid.setCurrentIndex(window.model.index(number))
    qtbot.waitUntil(lambda: window.detail.title.text() == name, timeout=WAIT_MS)


def next_needing_review(qtbot: QtBot, window: MainWindow) -> str:
    before = window.detail.title.text()
    assert window.browse.select_next_needing_review()
    qtbot.waitUntil(lambda: window.detail.title.text() != before, timeout=WAIT_MS)
    return window.detail.title.text()


def ctrl_enter(window: MainWindow) -> None:
    """Approve and next: the action Ctrl+Enter triggers (whichever window has the keyboard here)."""
    action = window.detail.review_box.shortcuts.approve_and_next
    assert action.shortcut().toString() == "Ctrl+Return"
    action.trigger()


@pytest.fixture
def photos(catalogue: Catalogue, scanner: Scanner, tmp_path: Path) -> dict[str, int]:
    return build_files(catalogue, scanner, tmp_path / "queue", SAMPLES)


def test_ctrl_enter_follows_the_order_chosen_in_settings(qtbot: QtBot, window: MainWindow, db_path: Path,
                                                         photos: dict[str, int]) -> None:
    open_and_settle(qtbot, window, db_path)
    show(qtbot, window, "a-near.jpg")
    assert next_needing_review(qtbot, window) == "b-far.jpg"  # the default: the grid's order

    dialog = window.settings.open_dialog()
    qtbot.addWidget(dialog)
    assert isinstance(dialog, SettingsDialog)
    page = dialog.review_page
    assert page.order.currentData() == "default"
    page.order.setCurrentIndex(page.order.findData("most-useful"))
    dialog.accept()
    assert load_settings().review.order == "most-useful"

    show(qtbot, window, "a-near.jpg")
    assert next_needing_review(qtbot, window) == "c-lowest.jpg"
    assert next_needing_review(qtbot, window) == "b-far.jpg"
    assert next_needing_review(qtbot, window) == "a-near.jpg"  # the same step, but like approved ones
    window.browse.select_next_needing_review()  # all three shown once: the status bar says so
    qtbot.waitUntil(lambda: "was shown once" in window.status_text.text(), timeout=WAIT_MS)
    assert next_needing_review(qtbot, window) == "c-lowest.jpg"  # and round again
    # Ctrl+Enter approves c-lowest and moves on in this order: b-far is unlike both approved captions.
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo of c-lowest", timeout=WAIT_MS)
    ctrl_enter(window)
    qtbot.waitUntil(lambda: window.detail.title.text() == "b-far.jpg", timeout=WAIT_MS)


def test_the_settings_page_saves_every_review_setting(qtbot: QtBot) -> None:
    save_settings(replace(load_settings(), review=ReviewSettings(flag_languages=("en", "fr"))))
    dialog = SettingsDialog(captioners=[])
    qtbot.addWidget(dialog)
    page = dialog.review_page
    assert page.languages["en"].isChecked() and not page.languages["de"].isChecked()
    page.finetune_after.setValue(50)
    page.languages["de"].setChecked(True)
    page.languages["en"].setChecked(False)
    page.flag_meanings.setChecked(True)
    dialog.accept()
    assert load_settings().review == ReviewSettings(order="default", finetune_after=50,
                                                    flag_languages=("de", "fr"), flag_meanings=True)


def claims(catalogue: Catalogue) -> dict[int, str]:
    with catalogue.read() as session:
        return {claim.photo_id: claim.editor or "" for claim in session.scalars(select(ReviewClaim))}


def test_the_photo_being_reviewed_is_claimed_and_another_editor_gets_the_next(
        qtbot: QtBot, window: MainWindow, db_path: Path, catalogue: Catalogue,
        photos: dict[str, int]) -> None:
    open_and_settle(qtbot, window, db_path)
    show(qtbot, window, "c-lowest.jpg")
    qtbot.waitUntil(lambda: photos["c-lowest"] in claims(catalogue), timeout=WAIT_MS)
    # Ben, working the same order from elsewhere, is given the photo after it.
    ben = ReviewQueue(catalogue, owner="ben@elsewhere")
    assert [entry.photo_id for entry in ben.entries(limit=1)] == [photos["b-far"]]
    # Ben holds b-far: moving there, the window says so, and holds nothing.
    assert ben.claim(photos["b-far"], "ben") is None
    show(qtbot, window, "b-far.jpg")
    qtbot.waitUntil(lambda: window.status_text.text() == "ben is reviewing this photo", timeout=WAIT_MS)
    assert claims(catalogue) == {photos["b-far"]: "ben"}  # the claim on c-lowest went with leaving it
    ben.release()
    show(qtbot, window, "d-approved.jpg")  # nothing to review here: nothing claimed
    show(qtbot, window, "a-near.jpg")
    qtbot.waitUntil(lambda: list(claims(catalogue)) == [photos["a-near"]], timeout=WAIT_MS)
    window.shutdown()  # closing the window releases it
    assert claims(catalogue) == {}


def test_fine_tuning_is_suggested_after_enough_approvals(qtbot: QtBot, window: MainWindow, db_path: Path,
                                                         catalogue: Catalogue, scanner: Scanner,
                                                         tmp_path: Path) -> None:
    save_settings(replace(load_settings(), review=ReviewSettings(finetune_after=10)))
    photos = build_files(catalogue, scanner, tmp_path / "many", [Sample(f"p{n:02}", 0.5, axis=None)
                                                                for n in range(11)])
    for name in sorted(photos)[:9]:
        review(catalogue, str(photos[name]), Change(APPROVE), author="ana")
    open_and_settle(qtbot, window, db_path)
    show(qtbot, window, "p09.jpg")
    qtbot.waitUntil(lambda: window.detail.review_box.editor_text() == "a photo of p09", timeout=WAIT_MS)
    ctrl_enter(window)  # the tenth
    bar = window.suggestions
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert "Editors approved 10 captions of Encoder-decoder" in bar.label.text()
    assert bar.button.text() == "Fine-tune…"
    bar.button.click()
    dialogs = [d for d in window.findChildren(TrainDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].captioner_combo.currentData() == "encoder-decoder"
    dialogs[0].reject()
    assert not bar.isVisible()




def test_after_a_fine_tune_the_app_offers_the_new_model_with_its_before_and_after_table(
        qtbot: QtBot, window: MainWindow, db_path: Path, catalogue: Catalogue, scanner: Scanner,
        tmp_path: Path) -> None:
    approved_cars(tmp_path / "cars", scanner, catalogue)
    base = vit_gpt2(tmp_path / "base")
    open_and_settle(qtbot, window, db_path)
    window.inference.queue_train_job("encoder-decoder", str(tmp_path / "tuned"),
                                     {"epochs": 1, "lr": 1e-3, "batch_size": 4, "validation_share": 0.25},
                                     model=str(base))
    qtbot.waitUntil(lambda: window.fine_tuning.dialog is not None and window.fine_tuning.dialog.isVisible(),
                    timeout=MODEL_WAIT_MS)
    dialog = window.fine_tuning.dialog
    assert isinstance(dialog, NewModelDialog)
    new_model = str(tmp_path / "tuned" / "v1")
    assert [dialog.table.horizontalHeaderItem(column).text() for column in range(2)] == [
        "Before: base", "After: v1"]
    assert dialog.cell("Captions scored", 0) == dialog.cell("Captions scored", 1) != "0"
    assert dialog.cell("BLEU-1", 1).replace(".", "").isdigit()
    dialog.use_button.click()
    assert load_settings().captioner_models["encoder-decoder"] == new_model
    qtbot.waitUntil(lambda: "now captions with" in window.status_text.text(), timeout=WAIT_MS)
