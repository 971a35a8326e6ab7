"""A job's run with the engine decoding several batches ahead (``prefetch``): the runner claims each of
those batches when the engine takes it, before the model gets it; every photo is still captioned once,
and the items claimed ahead are given back (without counting an attempt) when the run stops early."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, CaptionRevision, JobItem, JobItemState, JobState, Photo
from desktop_app.jobs.runner import JobEvents, JobRunner, Progress
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import load_plugins
from tests import photo_files

OPTIONS = {"max_new_tokens": 4}


@pytest.fixture
def photo_ids(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> list[int]:
    for i in range(10):
        photo_files.jpeg(tmp_path / "shoot" / f"{i:02}.jpg", seed=i, size=(96, 72))
    scanner.scan(str(tmp_path / "shoot"))
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id).order_by(Photo.rel_path)))


class _Events(JobEvents):
    def __init__(self) -> None:
        self.on_progress = None
        self.held_at_progress: list[int] = []
        self.catalogue: Catalogue | None = None

    def progress(self, progress: Progress) -> None:
        if self.catalogue is not None:
            self.held_at_progress.append(_count(self.catalogue, JobItemState.RUNNING))
        if self.on_progress is not None:
            self.on_progress(progress)


def _runner(catalogue: Catalogue, prefetch: int) -> tuple[JobRunner, _Events]:
    events = _Events()
    events.catalogue = catalogue
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=2, prefetch=prefetch)
    return JobRunner(catalogue, engine, events), events


def _count(catalogue: Catalogue, state: JobItemState) -> int:
    with catalogue.read() as session:
        return session.scalar(select(func.count()).select_from(JobItem).where(JobItem.state == state))


def _captions_per_photo(catalogue: Catalogue) -> dict[int, int]:
    with catalogue.read() as session:
        rows = session.execute(select(Caption.photo_id, func.count()).group_by(Caption.photo_id)).all()
        return dict(rows)


def test_a_job_with_prefetch_3_captions_every_photo_once(catalogue: Catalogue, photo_ids: list[int],
                                                         vit_gpt2_folder: Path) -> None:
    runner, events = _runner(catalogue, prefetch=3)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)
    ended = runner.run(job.id)
    assert ended.state is JobState.DONE and ended.done == 10 and ended.pending == 0
    # While the model wrote its first batch, the three batches behind it were claimed too.
    assert events.held_at_progress[0] == 6
    assert _captions_per_photo(catalogue) == {photo_id: 1 for photo_id in photo_ids}
    with catalogue.read() as session:
        assert [item.attempts for item in session.scalars(select(JobItem))] == [1] * 10


def test_pausing_gives_back_the_batches_claimed_ahead_and_resume_captions_each_photo_once(
        catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path) -> None:
    runner, events = _runner(catalogue, prefetch=3)
    events.on_progress = lambda progress: runner.control.pause()
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)

    paused = runner.run(job.id)
    assert paused.state is JobState.PAUSED and paused.done == 2 and paused.pending == 8
    assert _count(catalogue, JobItemState.RUNNING) == 0  # nothing left leased to the stopped run

    events.on_progress = None
    runner.control.resume()
    finished = runner.run(job.id)
    assert finished.state is JobState.DONE and finished.done == 10
    assert _captions_per_photo(catalogue) == {photo_id: 1 for photo_id in photo_ids}
    with catalogue.read() as session:
        assert session.scalar(select(func.count()).select_from(CaptionRevision)) == 10
        # The items given back were not at fault: their attempt is not counted.
        assert [item.attempts for item in session.scalars(select(JobItem))] == [1] * 10


def test_cancelling_skips_the_batches_claimed_ahead(catalogue: Catalogue, photo_ids: list[int],
                                                    vit_gpt2_folder: Path) -> None:
    runner, events = _runner(catalogue, prefetch=3)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)
    events.on_progress = lambda progress: runner.control.cancel(job.id)
    cancelled = runner.run(job.id)
    assert cancelled.state is JobState.CANCELLED and cancelled.done == 2 and cancelled.skipped == 8
    assert _count(catalogue, JobItemState.RUNNING) == 0
    assert len(_captions_per_photo(catalogue)) == 2
