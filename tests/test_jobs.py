"""The persistent job queue and its runner: batches written atomically, pause, cancel, crash recovery,
failures isolated, people's edits never overwritten; the `jobs` commands."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from desktop_app.captioning.engine import CaptionEngine, WorkItem
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import current_caption, edit_caption
from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    CaptionRevision,
    Job,
    JobItem,
    JobItemState,
    JobState,
    Photo,
)
from desktop_app.jobs import store
from desktop_app.jobs.runner import ItemDone, ItemFailed, JobEvents, JobRunner, Progress
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_api.captioner import Captioner, CaptionerKind, CaptionResult
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from tests import photo_files
from tests.cli_helpers import run_cli

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends

REPO = Path(__file__).resolve().parents[1]
OPTIONS = {"max_new_tokens": 6}


@pytest.fixture
def shoot(tmp_path: Path) -> Path:
    folder = tmp_path / "shoot"
    for i in range(10):
        photo_files.jpeg(folder / f"{i:02}.jpg", seed=i, size=(96, 72))
    return folder


@pytest.fixture
def photo_ids(scanner: Scanner, catalogue: Catalogue, shoot: Path) -> list[int]:
    scanner.scan(str(shoot))
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id).order_by(Photo.rel_path)))


class Recorder(JobEvents):
    """Keeps every event; optional hooks act on them (pause after the first batch...)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.on_progress = None

    def job_started(self, job):
        self.events.append(("started", job))

    def progress(self, progress: Progress):
        self.events.append(("progress", progress))
        if self.on_progress is not None:
            self.on_progress(progress)

    def item_done(self, item: ItemDone):
        self.events.append(("done", item))

    def item_failed(self, item: ItemFailed):
        self.events.append(("failed", item))

    def notice(self, job_id, text):
        self.events.append(("notice", text))

    def job_ended(self, job):
        self.events.append(("ended", job))

    def of(self, kind: str) -> list:
        return [value for name, value in self.events if name == kind]


def make_runner(catalogue: Catalogue, batch_size: int = 2, registry: PluginRegistry | None = None,
                device: str = "cpu") -> tuple[JobRunner, Recorder]:
    events = Recorder()
    engine = CaptionEngine(registry or load_plugins(), device=device, dtype="float32", batch_size=batch_size)
    return JobRunner(catalogue, engine, events), events


def captions_per_photo(catalogue: Catalogue) -> dict[int, list[Caption]]:
    with catalogue.read() as session:
        found: dict[int, list[Caption]] = {}
        for caption in session.scalars(select(Caption).order_by(Caption.id)):
            found.setdefault(caption.photo_id, []).append(caption)
            session.expunge(caption)
        return found


def revision_count(catalogue: Catalogue) -> int:
    with catalogue.read() as session:
        return session.scalar(select(func.count()).select_from(CaptionRevision))


def test_a_job_captions_every_photo_and_one_corrupt_photo_fails_alone(
    catalogue: Catalogue, photo_ids: list[int], shoot: Path, vit_gpt2_folder: Path
) -> None:
    photo_files.truncated_jpeg(shoot / "03.jpg")  # damaged after the scan
    runner, events = make_runner(catalogue, batch_size=4)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)
    assert job.state is JobState.QUEUED and job.total == 10 and job.pending == 10

    ended = runner.run(job.id)

    assert ended.state is JobState.DONE and ended.done == 9 and ended.failed == 1 and ended.pending == 0
    (failure,) = events.of("failed")
    assert failure.path.endswith("03.jpg") and "corrupt or truncated" in failure.reason
    assert "\n" not in failure.reason
    assert len(events.of("done")) == 9
    progress = events.of("progress")
    assert [p.done for p in progress] == [4, 8, 10] and all(p.total == 10 for p in progress)
    assert progress[-1].photos_per_second > 0 and progress[-1].eta_seconds == 0
    assert next(name for name, _ in events.events) == "started"
    assert events.events[-1][0] == "ended" and events.events[-1][1].state is JobState.DONE
    stored = captions_per_photo(catalogue)
    assert len(stored) == 9 and all(len(c) == 1 and c[0].origin is CaptionOrigin.AI for c in stored.values())
    with catalogue.read() as session:
        items = list(session.scalars(select(JobItem).where(JobItem.job_id == job.id)))
        assert all(i.attempts == 1 for i in items)
        assert {i.state for i in items} == {JobItemState.DONE, JobItemState.FAILED}
        assert all(i.caption_id is not None for i in items if i.state is JobItemState.DONE)


def test_pause_mid_job_then_resume_captions_each_photo_once(
    catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path
) -> None:
    runner, events = make_runner(catalogue, batch_size=3)
    events.on_progress = lambda progress: runner.control.pause()
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)

    paused = runner.run(job.id)
    assert paused.state is JobState.PAUSED and paused.done == 3 and paused.pending == 7
    assert len(captions_per_photo(catalogue)) == 3

    events.on_progress = None
    runner.control.resume()
    finished = runner.run(job.id)
    assert finished.state is JobState.DONE and finished.done == 10
    stored = captions_per_photo(catalogue)
    assert len(stored) == 10 and all(len(c) == 1 for c in stored.values())
    assert revision_count(catalogue) == 10  # one "created" each: nothing captioned twice


def test_pause_from_another_thread_stops_inside_generate(
    catalogue: Catalogue, photo_ids: list[int], slowest_vit_gpt2_folder: Path
) -> None:
    """The batch in progress is abandoned mid-generation, not finished first."""
    runner, _events = make_runner(catalogue, batch_size=10)
    control = runner.control
    original = control.should_stop
    calls = 0

    def counting(job_id: int) -> bool:
        nonlocal calls
        calls += 1
        if calls == 5:  # generation is under way: the user presses pause on the GUI thread
            pauser = threading.Thread(target=control.pause)
            pauser.start()
            pauser.join()
        return original(job_id)

    control.should_stop = counting  # type: ignore[method-assign]
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(slowest_vit_gpt2_folder),
                                   options={"max_new_tokens": 200})
    paused = runner.run(job.id)
    assert paused.state is JobState.PAUSED and paused.done == 0 and paused.pending == 10
    assert calls < 20  # 200 tokens per caption: stopped after a few, not at the end
    with catalogue.read() as session:  # the abandoned attempt does not count against the photos
        assert all(i.attempts == 0 and i.state is JobItemState.PENDING
                   for i in session.scalars(select(JobItem)))


def test_cancel_mid_job_keeps_what_was_written_and_skips_the_rest(
    catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path
) -> None:
    runner, events = make_runner(catalogue, batch_size=4)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)
    events.on_progress = lambda progress: runner.control.cancel(job.id)

    cancelled = runner.run(job.id)
    assert cancelled.state is JobState.CANCELLED and cancelled.done == 4 and cancelled.skipped == 6
    assert cancelled.finished_at is not None and len(captions_per_photo(catalogue)) == 4
    with pytest.raises(store.JobError, match="cancelled; there is nothing to resume"):
        runner.run(job.id)


def test_a_persons_edit_during_a_job_is_never_overwritten(
    catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path
) -> None:
    runner, events = make_runner(catalogue, batch_size=2)
    last = photo_ids[-1]

    def edit_the_last_photo(progress: Progress) -> None:
        if progress.done == 2:  # the job is running; the editor writes a caption for a later photo
            with catalogue.write() as session:
                edit_caption(session, session.get(Photo, last), "the harbour at dawn", author="ana")

    events.on_progress = edit_the_last_photo
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)
    assert runner.run(job.id).done == 10

    with catalogue.read() as session:
        current = current_caption(session, last)
        assert current.text == "the harbour at dawn" and current.origin is CaptionOrigin.HUMAN
    (_human, ai) = captions_per_photo(catalogue)[last]
    assert ai.origin is CaptionOrigin.AI and not ai.is_current and ai.text
    done = {item.photo_id: item for item in events.of("done")}
    assert done[last].is_current is False and done[photo_ids[0]].is_current is True


class OutOfMemoryOnGpu(Captioner):
    """Runs out of memory for any batch on a GPU; works on the CPU (a GPU is an edge we lack here)."""

    id = "oom"
    name = description = "Out of memory on GPUs"
    kind = CaptionerKind.CAPTION
    default_model = "test/oom"

    def load(self, device, dtype):
        self.device = device

    def unload(self):
        pass

    def caption(self, images, options):
        import torch

        if self.device != "cpu":
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 8.00 GiB")
        return [CaptionResult(f"{image.width} px", 0.9, self.model, None, None, 0.0) for image in images]


def test_repeated_out_of_memory_shrinks_batches_then_moves_to_the_cpu_and_says_so(
    catalogue: Catalogue, photo_ids: list[int]
) -> None:
    registry = PluginRegistry([], {"oom": OutOfMemoryOnGpu()}, {})
    runner, events = make_runner(catalogue, batch_size=4, registry=registry, device="cuda")
    job = runner.queue_caption_job("oom", photo_ids)
    ended = runner.run(job.id)

    assert ended.state is JobState.DONE and ended.done == 10 and ended.failed == 0
    notices = events.of("notice")
    assert any("batch size is now 2" in text for text in notices)
    assert any("continuing on the CPU" in text for text in notices)
    assert "continuing on the CPU" in ended.notice
    assert runner.engine.device == "cpu"


def test_a_model_that_cannot_load_fails_the_job_with_its_message(
    catalogue: Catalogue, photo_ids: list[int]
) -> None:
    runner, _events = make_runner(catalogue)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model="nobody-here/no-such-model")
    ended = runner.run(job.id)
    assert ended.state is JobState.FAILED and ended.pending == 10
    assert "'nobody-here/no-such-model' is not downloaded" in ended.error and "\n" not in ended.error


def test_a_job_whose_process_died_is_queued_again_and_repeat_offenders_fail(
    catalogue: Catalogue, photo_ids: list[int]
) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with catalogue.write() as session:
        job = store.create_caption_job(session, "encoder-decoder", None, {}, photo_ids[:3])
        job.state, job.owner = JobState.RUNNING, f"{os.uname().nodename}:{dead.pid}:1.00"
        items = list(session.scalars(select(JobItem).where(JobItem.job_id == job.id).order_by(JobItem.id)))
        items[0].state, items[0].attempts = JobItemState.DONE, 1
        items[1].state, items[1].attempts = JobItemState.RUNNING, 1
        items[2].state, items[2].attempts = JobItemState.RUNNING, store.MAX_ATTEMPTS
        live = store.create_caption_job(session, "encoder-decoder", None, {}, photo_ids[3:4])
        live.state, live.owner = JobState.RUNNING, store.this_process()
    with catalogue.write() as session:
        assert store.recover_interrupted(session) == [job.id]  # this process's job is left alone
    with catalogue.read() as session:
        states = [i.state for i in session.scalars(select(JobItem).where(JobItem.job_id == job.id)
                                                    .order_by(JobItem.id))]
        assert states == [JobItemState.DONE, JobItemState.PENDING, JobItemState.FAILED]
        assert session.get(Job, job.id).state is JobState.QUEUED


def test_jobs_commands_list_cancel_and_resume(
    catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path, db_path: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    runner, _ = make_runner(catalogue)
    first = runner.queue_caption_job("encoder-decoder", photo_ids[:4], model=str(vit_gpt2_folder),
                                     options=OPTIONS)
    second = runner.queue_caption_job("encoder-decoder", photo_ids[4:], model=str(vit_gpt2_folder))

    code, out, _ = run_cli(capsys, "jobs", "--json", "--db", str(db_path))
    listed = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(j["id"], j["state"], j["total"]) for j in listed] == [
        (first.id, "queued", 4), (second.id, "queued", 6)]

    code, out, _ = run_cli(capsys, "jobs", "cancel", str(second.id), "--db", str(db_path))
    assert code == 0 and out.startswith(f"job {second.id}: cancelled") and "6 skipped" in out
    code, _, err = run_cli(capsys, "jobs", "cancel", str(second.id), "--db", str(db_path))
    assert code == 1 and err.strip() == f"photo-annotator: error: job {second.id} is already cancelled"
    code, _, err = run_cli(capsys, "jobs", "resume", "99", "--db", str(db_path))
    assert code == 1 and err.strip() == "photo-annotator: error: no job 99 in this catalogue"

    code, out, _ = run_cli(capsys, "jobs", "resume", "--json", "--db", str(db_path))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(rows) == 4 and {r["job"] for r in rows} == {first.id}
    code, out, _ = run_cli(capsys, "jobs", "--db", str(db_path))
    assert f"job {first.id}: done, encoder-decoder ({vit_gpt2_folder}), 4 of 4 captioned" in out


def test_a_caption_command_killed_mid_job_resumes_without_captioning_anything_twice(
    shoot: Path, slowest_vit_gpt2_folder: Path, db_path: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "PHOTO_ANNOTATOR_DB": str(db_path), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "desktop_app", "caption", str(shoot), "--captioner", "encoder-decoder",
               "--model", str(slowest_vit_gpt2_folder), "--batch-size", "1", "--max-new-tokens", "200",
               "--json"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and process.poll() is None:
        done = _done_items(db_path)
        if done >= 2:
            break
        time.sleep(0.02)
    assert process.poll() is None, process.stderr.read().decode()
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_at = _done_items(db_path)
    assert 2 <= killed_at < 10

    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    result = subprocess.run([sys.executable, "-m", "desktop_app", "jobs", "--json"], env=env,
                            capture_output=True, text=True, check=True)
    (job,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert job["state"] == "queued" and job["done"] == killed_at

    result = subprocess.run([sys.executable, "-m", "desktop_app", "jobs", "resume", "--json",
                             "--batch-size", "4"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    resumed = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(resumed) == 10 - killed_at
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_photo = connection.execute(
            "SELECT p.id, count(DISTINCT c.id), count(r.id) FROM photos p "
            "JOIN captions c ON c.photo_id = p.id JOIN caption_revisions r ON r.caption_id = c.id "
            "GROUP BY p.id").fetchall()
        assert len(per_photo) == 10 and all(row[1:] == (1, 1) for row in per_photo)
        assert connection.execute("SELECT state FROM jobs").fetchall() == [("done",)]


def _done_items(db_path: Path) -> int:
    try:
        with sqlite3.connect(db_path, timeout=5) as connection:
            return connection.execute("SELECT count(*) FROM job_items WHERE state = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_engine_checks_the_stop_request_inside_generate(slowest_vit_gpt2_folder: Path,
                                                        tmp_path: Path) -> None:
    paths = [photo_files.save(Image.new("RGB", (40, 30), (i * 20, 0, 0)), tmp_path / f"{i}.png")
             for i in range(3)]
    engine = CaptionEngine(load_plugins(), device="cpu", batch_size=3)
    calls = 0

    def stop_after_five() -> bool:
        nonlocal calls
        calls += 1
        return calls > 5

    batches = list(engine.run_batches("encoder-decoder", [WorkItem(i, str(p)) for i, p in enumerate(paths)],
                                      model=str(slowest_vit_gpt2_folder), options={"max_new_tokens": 200},
                                      should_stop=stop_after_five))
    assert batches == [] and calls < 10
