"""Captioning from the UI: the caption dialog's request queued through the inference service, and the
job panel showing the job's progress, speed, failures with their reasons, and pause / resume / cancel."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Job, JobState, Photo, PhotoStatus
from desktop_app.jobs.store import create_caption_job
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import load_plugins
from desktop_app.settings import EngineSettings, PromptPreset, load_settings
from desktop_app.ui.dialogs.caption import CaptionDialog
from desktop_app.ui.widgets.job_panel import JobPanel
from desktop_app.ui.workers.inference import CaptionRequest, InferenceService
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS


@pytest.fixture
def shoot(scanner: Scanner, tmp_path: Path) -> Path:
    """Five photos and a text file named .jpg in one folder of a library, and an empty folder."""
    root = tmp_path / "library"
    for i in range(5):
        photo_files.jpeg(root / "shoot" / f"{i:02}.jpg", seed=i)
    photo_files.text_as_jpeg(root / "shoot" / "zz-notes.jpg")
    photo_files.jpeg(root / "other" / "elsewhere.jpg", seed=9)
    (root / "empty").mkdir()
    scanner.scan(str(root))
    return root


@pytest.fixture
def shoot_ids(catalogue: Catalogue, shoot: Path) -> list[int]:
    with catalogue.read() as session:
        rows = session.execute(select(Photo.id, Photo.rel_path).order_by(Photo.rel_path))
        return [photo_id for photo_id, rel_path in rows if rel_path.startswith("shoot/")]


@pytest.fixture
def many_ids(catalogue: Catalogue, scanner: Scanner, tmp_path: Path) -> list[int]:
    """Twelve photos: with batches of two, pause, resume and cancel each land well before the end."""
    for i in range(12):
        photo_files.jpeg(tmp_path / "many" / f"{i:02}.jpg", seed=i)
    scanner.scan(str(tmp_path / "many"))
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id)))


@pytest.fixture
def panel(qtbot: QtBot, inference_service: InferenceService) -> JobPanel:
    names = {captioner.id: captioner.name for captioner in load_plugins().captioners.values()}
    shown = JobPanel(inference_service, names)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def dialog_request(qtbot: QtBot, model: Path, photo_ids: list[int], folder: str | None = None,
                   use_folder: bool = False) -> CaptionRequest:
    """Fill in the caption dialog as a user would and press 'Queue job'."""
    dialog = CaptionDialog(list(load_plugins().captioners.values()), load_settings(), photo_ids,
                           folder=folder)
    qtbot.addWidget(dialog)
    dialog.set_captioner("encoder-decoder")
    dialog.model_edit.setText(str(model))
    (dialog.folder_radio if use_folder else dialog.selection_radio).setChecked(True)
    assert dialog.ok_button.isEnabled(), dialog.problem_text()
    dialog.ok_button.click()
    assert dialog.result() == CaptionDialog.DialogCode.Accepted
    return dialog.request()


def test_a_job_queued_from_the_dialog_shows_progress_speed_and_failures(
    qtbot: QtBot, inference_service: InferenceService, panel: JobPanel, catalogue: Catalogue,
    shoot_ids: list[int], vit_gpt2_folder: Path
) -> None:
    request = dialog_request(qtbot, vit_gpt2_folder, shoot_ids)
    assert request.captioner_id == "encoder-decoder" and request.model == str(vit_gpt2_folder)
    assert request.photo_ids == tuple(shoot_ids) and request.folder is None and not request.needs_disclaimer
    details: list[str] = []
    inference_service.progress.connect(
        lambda progress: details.append(panel.rows[progress.job_id].detail.text()))
    loads: list[int] = []
    inference_service.jobs_loaded.connect(lambda jobs: loads.append(len(jobs)))
    with qtbot.waitSignal(inference_service.job_finished, timeout=MODEL_WAIT_MS) as finished:
        inference_service.queue_request(request)
    job = finished.args[0]
    assert job.state is JobState.DONE and (job.done, job.failed, job.total) == (5, 1, 6)

    row = panel.rows[job.id]
    assert panel.list.count() == 1 and panel.selected_job() == job.id
    assert (row.bar.value(), row.bar.maximum()) == (6, 6)
    assert row.title.text() == "Job 1 · Encoder-decoder captions" and row.state.text() == "Done"
    assert row.detail.text() == "5 of 6 photos captioned · 1 failure"
    assert row.pause_button.isHidden() and row.cancel_button.isHidden()
    assert details[-1].startswith("6/6 · 1 failure · ") and "photos/s" in details[-1]
    # Live from the signals: the list is read when the job starts and ends, not after each batch.
    assert len(details) == 3
    qtbot.waitUntil(lambda: len(loads) == 2, timeout=MODEL_WAIT_MS)

    def failure_listed() -> None:
        assert panel.failures.topLevelItemCount() == 1
    qtbot.waitUntil(failure_listed, timeout=MODEL_WAIT_MS)
    failure = panel.failures.topLevelItem(0)
    assert failure.text(0) == "zz-notes.jpg" and failure.text(1)
    assert "\n" not in failure.text(1)
    assert panel.failures_title.text() == "Job 1: 1 photo could not be captioned"
    with catalogue.read() as session:
        assert sorted(c.photo_id for c in session.scalars(select(Caption))) == shoot_ids[:5]


def test_pause_resume_and_cancel_from_the_panel(
    qtbot: QtBot, inference_service: InferenceService, panel: JobPanel, many_ids: list[int],
    slow_vit_gpt2_folder: Path
) -> None:
    with qtbot.waitSignal(inference_service.progress, timeout=MODEL_WAIT_MS) as progressed:
        inference_service.queue_caption_job("encoder-decoder", many_ids, model=str(slow_vit_gpt2_folder))
    job_id = progressed.args[0].job_id
    row = panel.rows[job_id]
    assert row.state.text() == "Running" and row.pause_button.text() == "Pause"
    assert "photos/s" in row.detail.text()

    with qtbot.waitSignal(inference_service.job_paused, timeout=MODEL_WAIT_MS) as paused:
        row.pause_button.click()
    assert paused.args[0].state is JobState.PAUSED and paused.args[0].pending > 0
    assert row.state.text() == "Paused" and row.pause_button.text() == "Resume"
    assert row.cancel_button.isVisible()

    with qtbot.waitSignal(inference_service.progress, timeout=MODEL_WAIT_MS):
        row.pause_button.click()  # Resume
    assert row.state.text() == "Running" and row.pause_button.text() == "Pause"

    with qtbot.waitSignal(inference_service.job_cancelled, timeout=MODEL_WAIT_MS) as cancelled:
        row.cancel_button.click()
    job = cancelled.args[0]
    assert job.state is JobState.CANCELLED and job.skipped > 0 and job.done + job.skipped == 12
    assert row.state.text() == "Cancelled" and row.cancel_button.isHidden() and row.pause_button.isHidden()
    assert f"{job.skipped:,} skipped" in row.detail.text()


def test_a_paused_job_left_from_an_earlier_run_is_listed_and_resumes(
    qtbot: QtBot, catalogue: Catalogue, shoot_ids: list[int], vit_gpt2_folder: Path
) -> None:
    with catalogue.write() as session:
        job = create_caption_job(session, "encoder-decoder", str(vit_gpt2_folder), {}, shoot_ids[:3])
        session.flush()
        job.state = JobState.PAUSED
    service = InferenceService(lambda: CaptionEngine(load_plugins(), device="cpu", dtype="float32"))
    panel = JobPanel(service)
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(service.jobs_loaded, timeout=MODEL_WAIT_MS):
            service.open(catalogue)
        row = panel.rows[1]
        assert row.state.text() == "Paused" and row.pause_button.text() == "Resume"
        assert row.title.text() == "Job 1 · encoder-decoder"  # no names given: the id
        with qtbot.waitSignal(service.job_finished, timeout=MODEL_WAIT_MS) as finished:
            row.pause_button.click()
        assert finished.args[0].done == 3
        qtbot.waitUntil(lambda: row.state.text() == "Done", timeout=MODEL_WAIT_MS)
    finally:
        service.shutdown()


def test_queueing_a_folder_captions_its_readable_photos(
    qtbot: QtBot, inference_service: InferenceService, panel: JobPanel, catalogue: Catalogue, shoot: Path,
    vit_gpt2_folder: Path
) -> None:
    request = dialog_request(qtbot, vit_gpt2_folder, [], folder=str(shoot / "shoot"), use_folder=True)
    assert request.folder == str(shoot / "shoot") and request.photo_ids is None
    with qtbot.waitSignal(inference_service.job_finished, timeout=MODEL_WAIT_MS) as finished:
        inference_service.queue_request(request)
    job = finished.args[0]
    with catalogue.read() as session:
        readable = {photo.id for photo in session.scalars(select(Photo))
                    if photo.rel_path.startswith("shoot/") and photo.status is PhotoStatus.OK}
        captioned = {c.photo_id for c in session.scalars(select(Caption))}
    assert job.total == len(readable) and job.failed == 0 and captioned == readable
    assert panel.rows[job.id].bar.value() == job.total


def test_a_folder_without_photos_gives_one_clear_error(
    qtbot: QtBot, inference_service: InferenceService, panel: JobPanel, catalogue: Catalogue, shoot: Path
) -> None:
    with qtbot.waitSignal(inference_service.failed, timeout=MODEL_WAIT_MS) as failed:
        inference_service.queue_request(CaptionRequest("encoder-decoder", None, folder=str(shoot / "empty")))
    assert failed.args[0] == f"cannot queue the job: no readable photos in {shoot / 'empty'}"
    with qtbot.waitSignal(inference_service.failed, timeout=MODEL_WAIT_MS) as failed:
        inference_service.queue_folder_job("encoder-decoder", str(shoot.parent / "not-scanned"))
    assert failed.args[0].startswith("cannot queue the job: no library at ")
    assert "scan it first" in failed.args[0]
    with catalogue.read() as session:
        assert not list(session.scalars(select(Job)))
    assert panel.list.count() == 0 and panel.empty.isVisible()


def test_the_dialog_offers_the_captioner_s_options_presets_and_disclaimer(
    qtbot: QtBot, tmp_path: Path
) -> None:
    base = load_settings()
    settings = dataclasses.replace(
        base, engine=EngineSettings("cpu", "float32", 4), captioner_models={"generic": "my-org/my-florence"},
        prompt_presets={"product-description": (PromptPreset("Short", "One sentence about the item."),)},
        acknowledged_disclaimers=frozenset(),
    )
    dialog = CaptionDialog(list(load_plugins().captioners.values()), settings, [3, 4, 4], folder="/photos",
                           folder_label="Holidays")
    qtbot.addWidget(dialog)
    assert dialog.selection_radio.text() == "The 2 selected photos" and dialog.selection_radio.isChecked()
    assert dialog.folder_radio.text() == "All readable photos in Holidays"

    dialog.set_captioner("generic")  # the model from the settings; the prompt as a task list
    assert dialog.model_edit.text() == "my-org/my-florence" and dialog.request().model is None
    assert dialog.options() == {"prompt": "caption", "max_new_tokens": 0, "num_beams": 1}
    dialog.set_option("prompt", "detailed")
    dialog.set_option("num_beams", 3)
    assert dialog.request().options == {"prompt": "detailed", "max_new_tokens": 0, "num_beams": 3}

    dialog.set_captioner("product-description")  # a free prompt, with the user's preset to pick
    prompt = dialog.option_fields["prompt"]
    prompt.presets.setCurrentIndex(prompt.presets.findText("Short"))
    request = dialog.request()
    assert request.options["prompt"] == "One sentence about the item." and request.photo_ids == (3, 4)

    dialog.model_edit.setText(str(tmp_path / "no-such-model"))  # a folder that is not there
    assert not dialog.ok_button.isEnabled() and "no folder" in dialog.problem.text().lower()
    dialog.ok_button.click()
    assert dialog.result() != CaptionDialog.DialogCode.Accepted

    dialog.set_captioner("medical-report")
    request = dialog.request()
    assert request.needs_disclaimer and dialog.notice.isVisibleTo(dialog)
    assert dialog.kind.text() == "Medical report drafts, for research only"
    assert request.acknowledged().needs_disclaimer is False
    acknowledged = dataclasses.replace(settings, acknowledged_disclaimers=frozenset({"medical-report"}))
    again = CaptionDialog(list(load_plugins().captioners.values()), acknowledged, [1])
    qtbot.addWidget(again)
    again.set_captioner("medical-report")
    assert not again.request().needs_disclaimer and not again.notice.isVisibleTo(again)


def test_a_request_whose_disclaimer_is_not_acknowledged_is_not_queued(
    qtbot: QtBot, inference_service: InferenceService, catalogue: Catalogue, shoot_ids: list[int]
) -> None:
    request = CaptionRequest("medical-report", None, photo_ids=tuple(shoot_ids), needs_disclaimer=True)
    with qtbot.waitSignal(inference_service.failed, timeout=MODEL_WAIT_MS) as failed:
        inference_service.queue_request(request)
    assert "disclaimer must be acknowledged" in failed.args[0]
    with qtbot.waitSignal(inference_service.jobs_loaded, timeout=MODEL_WAIT_MS) as loaded:
        inference_service.load_jobs()
    assert loaded.args[0] == []
