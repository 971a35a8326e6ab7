"""Quality over time in the app: the review time measured from the photo shown to the decision, and the
Quality view (View > Quality over Time…), whose tables show the report's weeks, whose charts mark new model
versions, and whose chart colours are readable on every theme."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Photo
from desktop_app.catalogue.outcomes import ReviewOutcome
from desktop_app.ui import themes
from desktop_app.ui.dialogs.quality import QualityDialog
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.detail import review_box
from tests.accessibility_checks import contrast_ratio
from tests.gui_helpers import WAIT_MS
from tests.quality_samples import decide_samples

pytestmark = pytest.mark.usefixtures("app_look")  # the real styling (tests/conftest.py)

OUTCOME_ROWS = [  # encoder-decoder's weeks, as the report has them (tests/test_quality.py checks those)
    ["2026-W10", "org/model-a @ r1", "4", "25%", "50%", "25%", "2.00", "new"],
    ["2026-W11", "org/model-a @ r1", "2", "100%", "0%", "0%", "0.00", ""],
    ["2026-W11", "org/model-b @ r2", "1", "0%", "0%", "100%", "–", "new"],
]
VOLUME_ROWS = [
    ["2026-W10", "org/model-a @ r1", "4", "75.0", "20.0", "20.0", "3"],
    ["2026-W11", "org/model-a @ r1", "2", "0.0", "10.0", "10.0", "2"],
    ["2026-W11", "org/model-b @ r2", "1", "300.0", "8.0", "8.0", "1"],
]


def _cells(table: QTableWidget) -> list[list[str]]:
    return [[table.item(row, column).text() for column in range(table.columnCount())]
            for row in range(table.rowCount())]


def _review_seconds(catalogue: Catalogue, name: str) -> float | None:
    with catalogue.read() as session:
        return session.scalar(select(ReviewOutcome.review_seconds)
                              .join(Photo, Photo.id == ReviewOutcome.photo_id).where(Photo.rel_path == name))


def _decided(catalogue: Catalogue, name: str) -> bool:
    with catalogue.read() as session:
        return session.scalar(select(ReviewOutcome.id).join(Photo, Photo.id == ReviewOutcome.photo_id)
                              .where(Photo.rel_path == name)) is not None


# --- review time ---------------------------------------------------------------------------------------

def test_approving_in_the_app_stores_the_time_from_the_photo_shown(
        qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path,
        catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = SimpleNamespace(now=100.0)
    monkeypatch.setattr(review_box, "time", SimpleNamespace(monotonic=lambda: clock.now))
    window = open_window(db=db_path)
    box = window.detail.review_box

    def showing(number: int) -> Callable[[], bool]:
        return lambda: box.editor_text() == f"a photo number {number}"

    qtbot.waitUntil(showing(0), timeout=WAIT_MS)  # shown at 100
    clock.now = 112.0
    qtbot.keyClick(window.grid, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # approve and next
    qtbot.waitUntil(lambda: _decided(catalogue, "00.jpg"), timeout=WAIT_MS)
    assert _review_seconds(catalogue, "00.jpg") == 12.0
    qtbot.waitUntil(showing(1), timeout=WAIT_MS)  # shown at 112
    clock.now = 130.0
    qtbot.keyClick(window.grid, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # left for the next photo
    qtbot.waitUntil(showing(2), timeout=WAIT_MS)
    clock.now = 140.0
    qtbot.keyClick(window.grid, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # and shown again: from 140
    qtbot.waitUntil(showing(1), timeout=WAIT_MS)
    clock.now = 145.5
    box.reject_button.click()
    qtbot.waitUntil(lambda: _decided(catalogue, "01.jpg"), timeout=WAIT_MS)
    assert _review_seconds(catalogue, "01.jpg") == 5.5


def test_a_real_approval_takes_some_time(qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path,
                                         drafts: Path, catalogue: Catalogue) -> None:
    window = open_window(db=db_path)
    box = window.detail.review_box
    qtbot.waitUntil(lambda: box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    box.approve_button.click()
    qtbot.waitUntil(lambda: _decided(catalogue, "00.jpg"), timeout=WAIT_MS)
    seconds = _review_seconds(catalogue, "00.jpg")
    assert seconds is not None and seconds > 0


# --- the Quality view ------------------------------------------------------------------------------------

@pytest.fixture
def view(qtbot: QtBot, catalogue: Catalogue) -> QualityDialog:
    decide_samples(catalogue)
    dialog = QualityDialog(catalogue, today=lambda: date(2026, 3, 20))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.outcome_table.rowCount() > 0, timeout=WAIT_MS)
    return dialog


def test_the_view_shows_the_reports_weeks_of_the_chosen_captioner_in_its_tables(view: QualityDialog) -> None:
    selector = view.selector
    assert [selector.itemText(index).strip() for index in range(selector.count())] == [
        "blip: every model version", "org/blip",
        "encoder-decoder: every model version", "org/model-a @ r1", "org/model-b @ r2"]
    blip = ["2026-W10", "org/blip", "1", "0%", "100%", "0%", "5.00", "new"]  # "a dog": 5 words cut
    assert _cells(view.outcome_table) == [blip]
    selector.setCurrentIndex(2)
    assert _cells(view.outcome_table) == OUTCOME_ROWS
    assert _cells(view.volume_table) == VOLUME_ROWS
    selector.setCurrentIndex(4)  # one model version
    assert _cells(view.outcome_table) == OUTCOME_ROWS[2:]


def test_the_charts_mark_each_new_model_version(view: QualityDialog) -> None:
    view.selector.setCurrentIndex(2)
    for canvas in (view.outcome_chart, view.volume_chart):
        axes = canvas.figure.axes[0]
        assert [text.get_text() for text in axes.texts] == [
            "new: model-a @ r1", "new: model-b @ r2"]
    shares = view.outcome_chart.figure.axes[0]
    unchanged = [line for line in shares.get_lines() if line.get_label() == "Approved unchanged"]
    assert [list(line.get_ydata()) for line in unchanged] == [[25.0, 100.0]]  # model a's weeks, in %


def test_a_period_without_decisions_says_so_and_all_time_shows_them(qtbot: QtBot,
                                                                     view: QualityDialog) -> None:
    view._today = lambda: date(2026, 9, 1)  # the last 26 weeks: from March 10th on
    view.period.setCurrentIndex(0)  # the last 12 weeks: nothing decided
    qtbot.waitUntil(lambda: view.outcome_table.rowCount() == 0, timeout=WAIT_MS)
    assert view.status.text() == "No AI drafts were approved or rejected in this period."
    view.period.setCurrentIndex(view.period.count() - 1)  # all time
    qtbot.waitUntil(lambda: view.outcome_table.rowCount() == 1, timeout=WAIT_MS)  # blip, first again
    assert view.status.isHidden()


def test_view_quality_opens_it_on_the_windows_catalogue(
        qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path,
        catalogue: Catalogue) -> None:
    decide_samples(catalogue)
    window = open_window(db=db_path)
    action = window.main_actions[MainAction.QUALITY]
    assert action.isEnabled() and action in window.menuBar().actions()[2].menu().actions()  # View
    action.trigger()
    dialog = window.quality.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.period.setCurrentIndex(dialog.period.count() - 1)  # all time: the samples are from March 2026
    qtbot.waitUntil(lambda: dialog.outcome_table.rowCount() == 1, timeout=WAIT_MS)
    dialog.close()
    assert not dialog.service.running  # its thread ends with it


@pytest.mark.parametrize("theme", [themes.LIGHT, themes.DARK, themes.HIGH_CONTRAST])
def test_chart_colours_stand_out_on_every_theme(qapp: QApplication, theme: str) -> None:
    palette = themes.palette_for(theme) or QApplication.style().standardPalette()
    background, text, series = themes.chart_colours(palette)
    assert background == palette.color(QPalette.ColorRole.Base).name()
    assert contrast_ratio(QColor(text), QColor(background)) >= 4.5
    wanted = 7.0 if theme == themes.HIGH_CONTRAST else 3.0  # WCAG: graphics 3:1; high contrast: 7:1
    assert all(contrast_ratio(QColor(colour), QColor(background)) >= wanted for colour in series), series
