"""The job services (desktop_app/services/jobs.py): queueing, running, listing, cancelling captioning and
fine-tuning jobs through a real catalogue, real photos and a tiny real model."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import JobState
from desktop_app.jobs.runner import JobControl, JobEvents, JobRunner, Progress
from desktop_app.jobs.store import JobError
from desktop_app.library.scanner import Scanner
from desktop_app.services import jobs
from desktop_app.services.engine import build_engine
from desktop_app.services.review import APPROVE, Change, review
from desktop_app.training.dataset import TrainingDataError
from desktop_app.training.trainer import TrainingError, TrainSettings
from tests import photo_files
from tests.tiny_models.idefics3 import idefics3

COLOURS = {"red": (220, 30, 30), "blue": (30, 40, 220), "white": (245, 245, 245), "black": (10, 10, 10)}
QUICK = TrainSettings(epochs=2, lr=1e-3, batch_size=4, warmup_steps=0, patience=None, validation_share=0.25,
                      evaluate=False)


@pytest.fixture
def cars(tmp_path: Path, catalogue: Catalogue, scanner: Scanner) -> Path:
    """Eight photos, each approved as "a COLOUR car"."""
    root = tmp_path / "cars"
    for number in range(8):
        colour = list(COLOURS)[number % 4]
        photo_files.save(Image.new("RGB", (48, 40), COLOURS[colour]), root / f"{colour}{number}.jpg",
                         quality=95)
    scanner.scan(root)
    for number in range(8):
        colour = list(COLOURS)[number % 4]
        review(catalogue, str(root / f"{colour}{number}.jpg"), Change(APPROVE, text=f"a {colour} car"))
    return root


class Steps(JobEvents):
    def __init__(self, stop_after: int | None = None, control: JobControl | None = None) -> None:
        self.progress_seen: list[Progress] = []
        self.reports: list[object] = []
        self.stop_after, self.control = stop_after, control

    def progress(self, progress: Progress) -> None:
        self.progress_seen.append(progress)
        if self.control is not None and len(self.progress_seen) == self.stop_after:
            self.control.close()  # as Ctrl+C does: stop after this step, with a checkpoint

    def trained(self, job_id: int, report: object) -> None:
        self.reports.append(report)


def _runner(catalogue: Catalogue, events: JobEvents | None = None,
            control: JobControl | None = None) -> JobRunner:
    engine = build_engine(device="cpu", dtype="float32", batch_size=4)
    return jobs.make_runner(catalogue, engine, events, control)


def test_a_folder_job_captions_its_photos_and_is_listed(catalogue: Catalogue, cars: Path,
                                                        vit_gpt2_folder: Path) -> None:
    runner = _runner(catalogue)
    job = jobs.queue_folder_job(runner, "encoder-decoder", str(cars), model=str(vit_gpt2_folder),
                                options={"max_new_tokens": 4})
    assert job.total == 8 and job.state is JobState.QUEUED
    assert jobs.unfinished_jobs(catalogue) == [job.id]
    ended = jobs.run_job(runner, job.id)
    assert ended.state is JobState.DONE and ended.done == 8
    assert [listed.id for listed in jobs.list_jobs(catalogue)] == [job.id]
    assert jobs.job_failures(catalogue, job.id) == []
    with pytest.raises(JobError, match="already done"):
        jobs.cancel_job(catalogue, job.id)
    (cars / "empty").mkdir()
    with pytest.raises(JobError, match="no readable photos"):
        jobs.queue_folder_job(runner, "encoder-decoder", str(cars / "empty"))


def test_a_queued_job_is_cancelled_and_a_failed_one_requeued(catalogue: Catalogue, cars: Path) -> None:
    runner = _runner(catalogue)
    job = jobs.queue_folder_job(runner, "encoder-decoder", str(cars), model="org/not-on-this-machine")
    assert jobs.cancel_job(catalogue, job.id).state is JobState.CANCELLED
    failing = jobs.queue_folder_job(runner, "encoder-decoder", str(cars), model="org/not-on-this-machine")
    assert jobs.run_job(runner, failing.id).state is JobState.FAILED
    assert jobs.requeue_job(catalogue, failing.id).state is JobState.QUEUED
    assert jobs.jobs_to_resume(runner) == [failing.id]


def test_a_train_job_counts_steps_stops_with_a_checkpoint_and_the_same_request_continues_it(
    catalogue: Catalogue, cars: Path, vit_gpt2_folder: Path, tmp_path: Path
) -> None:
    control = JobControl()
    events = Steps(stop_after=1, control=control)
    runner = _runner(catalogue, events, control)
    job = jobs.queue_train_job(runner, "encoder-decoder", tmp_path / "tuned", QUICK,
                               model=str(vit_gpt2_folder))
    assert job.kind == "train" and job.state is JobState.QUEUED

    stopped = jobs.run_job(runner, job.id)
    assert stopped.state is JobState.QUEUED and (stopped.done, stopped.total) == (1, 4)  # optimizer steps
    assert events.reports[-1].cancelled and (tmp_path / "tuned" / "checkpoints" / "last").is_dir()
    assert jobs.list_jobs(catalogue)[-1].done == 1

    again = Steps()
    runner = _runner(catalogue, again)
    same = jobs.queue_train_job(runner, "encoder-decoder", tmp_path / "tuned", QUICK,
                                model=str(vit_gpt2_folder))
    assert same.id == job.id  # the unfinished job into the same folder, not a second one
    ended = jobs.run_job(runner, job.id)
    assert ended.state is JobState.DONE and (ended.done, ended.total) == (4, 4)
    assert again.progress_seen[0].done == 2  # from the checkpoint, not from the start
    assert again.progress_seen[-1].validation_loss is not None
    assert again.reports[-1].model_folder == str(tmp_path / "tuned" / "v1")

    newer = jobs.queue_train_job(runner, "encoder-decoder", tmp_path / "tuned", QUICK,
                                 model=str(vit_gpt2_folder))
    assert newer.id != job.id  # that one is done: a new version from the base model


def test_a_train_job_that_cannot_run_is_refused_before_it_is_queued(
    catalogue: Catalogue, cars: Path, vit_gpt2_folder: Path, tmp_path: Path
) -> None:
    runner = _runner(catalogue)
    with pytest.raises(TrainingError, match="cannot be fine-tuned"):
        jobs.queue_train_job(runner, "product-description", tmp_path / "out", QUICK,
                             model=str(idefics3(tmp_path / "vlm")))
    with pytest.raises(TrainingError, match="at least 1"):
        jobs.queue_train_job(runner, "encoder-decoder", tmp_path / "out", TrainSettings(epochs=0),
                             model=str(vit_gpt2_folder))
    with pytest.raises(TrainingDataError, match="approved caption"):
        jobs.queue_train_job(runner, "encoder-decoder", tmp_path / "out", QUICK, model=str(vit_gpt2_folder),
                             library_ids=[12345])
    assert jobs.list_jobs(catalogue) == []
