"""Tagging jobs in the app: the inference worker runs them on its own thread through the same runner as
captioning jobs, the Suggest Keywords action opens its dialog with the catalogue's vocabularies and
queues the job, and the jobs view names it. (Responsiveness is measured by
tests/benchmarks/bench_tagging_gui.py; no timing is asserted here.)"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import JobState, PhotoKeyword
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import load_plugins
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.job_status import ended_text, progress_text
from desktop_app.ui.workers.inference import InferenceService, TagRequest
from tests.gui_helpers import MODEL_WAIT_MS, WAIT_MS
from tests.plugins.good_tagger import SUGGESTED_ON
from tests.tagging_samples import ANIMALS, CLIP_WORDS, make_vocabulary, scan_photos


@pytest.fixture
def photos(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> list[int]:
    return scan_photos(scanner, catalogue, tmp_path / "shoot")


@pytest.fixture
def service(catalogue: Catalogue) -> InferenceService:
    registry = load_plugins(("plugins.clip", "tests.plugins.good_tagger"), entry_points=False)
    opened = InferenceService(lambda: CaptionEngine(registry, device="cpu", dtype="float32"))
    opened.open(catalogue)
    yield opened
    opened.shutdown()


def test_a_tag_job_runs_on_the_inference_workers_thread_and_reports_each_photo(
        qtbot: QtBot, service: InferenceService, catalogue: Catalogue, photos: list[int]) -> None:
    make_vocabulary(catalogue, "animals", ANIMALS)
    tagged, progress = [], []
    service.item_tagged.connect(tagged.append)
    service.progress.connect(progress.append)
    SUGGESTED_ON.clear()
    with qtbot.waitSignal(service.job_finished, timeout=MODEL_WAIT_MS) as finished:
        service.queue_tag_request(TagRequest("caption-words", photo_ids=tuple(photos)))
    job = finished.args[0]
    assert job.kind == "tag" and job.state is JobState.DONE and (job.done, job.failed) == (6, 0)
    assert sorted(item.photo_id for item in tagged) == sorted(photos)
    assert (progress[-1].done, progress[-1].total) == (6, 6)
    # suggest ran on the worker's thread, never on the GUI's (this one)
    assert SUGGESTED_ON and {thread.ident for thread in SUGGESTED_ON} != {threading.get_ident()}
    assert len({thread.ident for thread in SUGGESTED_ON}) == 1
    assert service.worker.thread() is not service.thread()
    assert ended_text(job) == f"Job {job.id} done: keywords suggested for 6 of 6 photos"
    assert progress_text(job.id, progress[-1], job.kind).startswith(
        f"Suggesting keywords (job {job.id}): 6/6")
    with catalogue.read() as session:
        assert session.scalar(select(func.count(PhotoKeyword.id))) == 7


def test_a_tag_job_that_cannot_be_queued_says_why_in_one_line(
        qtbot: QtBot, service: InferenceService, photos: list[int]) -> None:
    with qtbot.waitSignal(service.failed, timeout=WAIT_MS) as failed:
        service.queue_tag_request(TagRequest("caption-words", photo_ids=tuple(photos)))
    assert failed.args[0].startswith("cannot queue the keyword suggestions: no vocabulary to suggest "
                                     "keywords from")


@pytest.fixture
def window(open_window: Callable[..., MainWindow], db_path: Path, catalogue: Catalogue,
           photos: list[int], tmp_path: Path) -> MainWindow:
    make_vocabulary(catalogue, "things", CLIP_WORDS)
    return open_window(db=db_path, folder=tmp_path / "shoot")


def test_suggest_keywords_opens_its_dialog_and_queues_a_job_the_jobs_view_names(
        qtbot: QtBot, window: MainWindow, catalogue: Catalogue, clip_folder: Path, photos: list[int]) -> None:
    action = window.main_actions[MainAction.SUGGEST_KEYWORDS]
    menus = {menu.title(): menu for menu in (entry.menu() for entry in window.menuBar().actions()) if menu}
    assert action.isEnabled() and action in menus["&Captioning"].actions()
    action.trigger()
    qtbot.waitUntil(lambda: window.tagging.dialog is not None and window.tagging.dialog.isVisible(),
                    timeout=WAIT_MS)
    dialog = window.tagging.dialog
    assert dialog.vocabularies() == ["things"]
    dialog.tagger_combo.setCurrentIndex(dialog.tagger_combo.findData("clip-zero-shot"))
    assert dialog.threshold.value() == 0.5 and dialog.top_n.value() == 10
    dialog.model_edit.setText(str(clip_folder))
    dialog.threshold.setValue(0.0)
    dialog.top_n.setValue(2)
    dialog.folder_radio.setChecked(True)
    assert dialog.problem_text() is None
    with qtbot.waitSignal(window.inference.job_finished, timeout=MODEL_WAIT_MS) as finished:
        dialog.ok_button.click()
    job = finished.args[0]
    assert job.kind == "tag" and job.state is JobState.DONE and job.done == len(photos)
    assert job.options["vocabularies"] == ["things"] and job.model_id == str(clip_folder)
    texts = [label.text() for label in window.job_panel.findChildren(type(window.job_status.text))]
    assert f"Job {job.id} · suggesting keywords with clip-zero-shot" in texts, texts
    with catalogue.read() as session:
        assert session.scalar(select(func.count(PhotoKeyword.id))) == 2 * len(photos)
