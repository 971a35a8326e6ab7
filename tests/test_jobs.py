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
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from desktop_app.captioning.engine import CaptionEngine, WorkItem
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import current_caption, edit_caption
from desktop_app.catalogue.database import CatalogueNotFoundError, open_catalogue
from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    CaptionRevision,
    Job,
    JobItem,
    JobItemState,
    JobState,
    Photo,
    utcnow,
)
from desktop_app.jobs import leases, store
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
        live.state, live.owner, live.heartbeat_at = JobState.RUNNING, store.this_process(), utcnow()
    with catalogue.write() as session:
        assert leases.recover_interrupted(session) == [job.id]  # this process's job is left alone
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
    shoot: Path, slowest_vit_gpt2_folder: Path, db_path: Path | str, backend: str
) -> None:
    env = {**os.environ, "PHOTO_ANNOTATOR_DB": str(db_path), "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "desktop_app", "caption", str(shoot), "--captioner", "encoder-decoder",
               "--model", str(slowest_vit_gpt2_folder), "--batch-size", "1", "--max-new-tokens", "200",
               "--json"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600  # only a bound: it goes on at the second photo (slow when loaded)
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

    _check_integrity(db_path, backend)
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
    _check_integrity(db_path, backend)
    per_photo = captions_and_revisions_per_photo(db_path)
    assert len(per_photo) == 10 and set(per_photo.values()) == {(1, 1)}
    with open_catalogue(db_path, create=False) as catalogue, catalogue.read() as session:
        assert list(session.scalars(select(Job.state))) == [JobState.DONE]


def captions_and_revisions_per_photo(db: Path | str) -> dict[int, tuple[int, int]]:
    """photo id -> (its captions, their revisions): (1, 1) is a photo captioned exactly once."""
    with open_catalogue(db, create=False) as catalogue, catalogue.read() as session:
        rows = session.execute(
            select(Caption.photo_id, func.count(func.distinct(Caption.id)), func.count(CaptionRevision.id))
            .join(CaptionRevision, CaptionRevision.caption_id == Caption.id).group_by(Caption.photo_id))
        return {photo_id: (captions, revisions) for photo_id, captions, revisions in rows}


def _check_integrity(db: Path | str, backend: str) -> None:
    if backend == "sqlite":  # a kill mid-write leaves a consistent file (PostgreSQL's own promise)
        with sqlite3.connect(db) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def _done_items(db: Path | str) -> int:
    try:
        with open_catalogue(db, create=False, upgrade=False) as catalogue, catalogue.read() as session:
            return session.scalar(select(func.count()).select_from(JobItem)
                                  .where(JobItem.state == JobItemState.DONE)) or 0
    except (CatalogueNotFoundError, OperationalError):  # not created yet, or being created
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


# --- one queue, many workers (jobs/leases.py) -----------------------------------------------------------

def test_two_workers_share_one_job_and_caption_each_photo_once(
    catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path
) -> None:
    first, first_events = make_runner(catalogue, batch_size=2)
    second, second_events = make_runner(catalogue, batch_size=2)
    first.owner, second.owner = store.this_process("first"), store.this_process("second")
    for runner in (first, second):  # loaded one after the other: transformers' loading is not thread-safe
        runner.engine.captioner("encoder-decoder", str(vit_gpt2_folder))
    job = first.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)
    second_wrote = threading.Event()
    # The first worker waits after its first batch until the second has written one: both take part.
    first_events.on_progress = lambda progress: second_wrote.wait(60)
    second_events.on_progress = lambda progress: second_wrote.set()
    ended: dict[str, object] = {}
    threads = [threading.Thread(target=lambda r=runner, n=name: ended.update({n: r.run(job.id)}))
               for runner, name in ((first, "first"), (second, "second"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert second_wrote.is_set() and first_events.of("done") and second_events.of("done")
    done = [item.photo_id for item in first_events.of("done") + second_events.of("done")]
    assert sorted(done) == sorted(photo_ids)  # every photo by exactly one of them
    stored = captions_per_photo(catalogue)
    assert len(stored) == 10 and all(len(c) == 1 for c in stored.values()) and revision_count(catalogue) == 10
    with catalogue.read() as session:
        assert session.get(Job, job.id).state is JobState.DONE
        items = list(session.scalars(select(JobItem).where(JobItem.job_id == job.id)))
        assert all(i.attempts == 1 and i.lease_owner is None and i.state is JobItemState.DONE for i in items)


def test_an_expired_lease_frees_its_items_and_a_live_one_keeps_them(
    catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path
) -> None:
    runner, _events = make_runner(catalogue, batch_size=4)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(vit_gpt2_folder), options=OPTIONS)
    gone, busy = "other-machine:41:1.00", "another-machine:42:1.00"
    with catalogue.write() as session:  # a worker still working, and one that stopped answering
        held = leases.claim_items(session, job.id, busy, 2, lease=timedelta(hours=1))
    with catalogue.write() as session:
        lapsed = leases.claim_items(session, job.id, gone, 3, lease=timedelta(seconds=-1))

    ended = runner.run(job.id)
    assert ended.state is JobState.RUNNING and ended.done == 8 and ended.pending == 2  # busy's two
    with catalogue.write() as session:
        # The lapsed worker comes back: it holds nothing, so it can write nothing.
        assert leases.held_items(session, gone, [item.item_id for item in lapsed]) == set()
        attempts = {i.id: i.attempts for i in session.scalars(select(JobItem))}
        assert all(attempts[item.item_id] == 2 for item in lapsed)  # its attempt counted
        assert leases.release(session, busy) == 2  # it gives its items back (not at fault)
        assert all(session.get(JobItem, item.item_id).attempts == 0 for item in held)
    assert runner.run(job.id).state is JobState.DONE
    stored = captions_per_photo(catalogue)
    assert len(stored) == 10 and all(len(c) == 1 for c in stored.values())


def test_workers_leave_a_cluster_job_alone_and_its_driver_leases_items(
    catalogue: Catalogue, photo_ids: list[int], db_path: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    with catalogue.write() as session:
        job_id = store.create_caption_job(session, "encoder-decoder", None, {}, photo_ids,
                                          runner=leases.CLUSTER_RUNNER).id
    runner, _events = make_runner(catalogue)
    assert runner.next_job() is None
    with pytest.raises(store.JobError, match=f"job {job_id} is run by a cluster driver"):
        runner.run(job_id)
    code, _out, err = run_cli(capsys, "jobs", "resume", "--db", str(db_path))
    assert code == 0 and err.strip() == "no unfinished jobs"

    driver = "cluster:driver-1"  # a driver names its own lease, on behalf of its actors
    with catalogue.write() as session:
        items = leases.claim_items(session, job_id, driver, 4, lease=timedelta(minutes=5))
        assert [item.photo_id for item in items] == photo_ids[:4]
    with catalogue.write() as session:
        assert leases.renew(session, driver) == 4
        assert leases.release(session, driver, [items[0].item_id]) == 1  # an actor gave one back
    with catalogue.write() as session:
        leases.recover_interrupted(session)  # a live lease is left alone
        rows = {i.id: i for i in session.scalars(select(JobItem).where(JobItem.job_id == job_id))}
        assert rows[items[0].item_id].state is JobItemState.PENDING and rows[items[0].item_id].attempts == 0
        assert all(rows[i.item_id].state is JobItemState.RUNNING and rows[i.item_id].lease_owner == driver
                   for i in items[1:])


class LeaseWatcher(Captioner):
    """Captions once it has seen its photos' leases renewed past the expiry they were claimed with (a
    step longer than a lease: a slow model, a training run)."""

    id = "lease-watcher"
    name = description = "Waits for its lease to be renewed"
    kind = CaptionerKind.CAPTION
    default_model = "test/lease-watcher"
    catalogue: Catalogue | None = None
    renewed = False

    def load(self, device, dtype):
        pass

    def unload(self):
        pass

    def caption(self, images, options):
        assert self.catalogue is not None
        with self.catalogue.read() as session:
            first = session.scalar(select(func.min(JobItem.lease_expires_at))
                                   .where(JobItem.state == JobItemState.RUNNING))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not LeaseWatcher.renewed:
            time.sleep(0.05)
            with self.catalogue.read() as session:
                now = session.scalar(select(func.min(JobItem.lease_expires_at))
                                     .where(JobItem.state == JobItemState.RUNNING))
            LeaseWatcher.renewed = first is not None and now is not None and now > first
        return [CaptionResult("renewed", 0.9, self.model, None, None, 0.0) for _image in images]


def test_a_long_step_keeps_its_lease_renewed(
    catalogue: Catalogue, photo_ids: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(leases.LEASE_ENV, "0.6")  # renewed every 0.2 s
    LeaseWatcher.catalogue, LeaseWatcher.renewed = catalogue, False
    registry = PluginRegistry([], {"lease-watcher": LeaseWatcher()}, {})
    runner, _events = make_runner(catalogue, batch_size=10, registry=registry)
    job = runner.queue_caption_job("lease-watcher", photo_ids)
    ended = runner.run(job.id)
    assert LeaseWatcher.renewed and ended.state is JobState.DONE and ended.done == 10
    with catalogue.read() as session:  # never lapsed: nobody took the photos over, no attempt lost
        assert all(i.attempts == 1 for i in session.scalars(select(JobItem)))


def test_a_train_job_runs_in_one_process_at_a_time_while_its_lease_holds(
    catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(leases.LEASE_ENV, "60")
    here, there = store.this_process("trainer"), "gpu-box:7:1.00"
    with catalogue.write() as session:
        job_id = store.create_train_job(session, "encoder-decoder", None, "/tmp/out", {}).id
        leases.join(session, job_id, there)
    with catalogue.write() as session, pytest.raises(store.JobError, match="already running in another"):
        leases.join(session, job_id, here)
    with catalogue.write() as session:
        session.get(Job, job_id).heartbeat_at = utcnow() - timedelta(minutes=5)  # its lease ran out
    with catalogue.write() as session:
        assert leases.recover_interrupted(session) == [job_id]
        leases.join(session, job_id, here)
        before = session.get(Job, job_id).heartbeat_at
    with catalogue.write() as session:
        leases.renew(session, here)  # what the LeaseKeeper does while the trainer works
        assert session.get(Job, job_id).heartbeat_at > before


def test_a_worker_stopped_by_sigterm_gives_its_photos_back_and_exits_0(
    catalogue: Catalogue, photo_ids: list[int], slow_vit_gpt2_folder: Path, db_path: Path | str
) -> None:
    runner, _events = make_runner(catalogue)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model=str(slow_vit_gpt2_folder),
                                   options={"max_new_tokens": 24})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "desktop_app", "worker", "--db", str(db_path),
                                "--batch-size", "1", "--device", "cpu"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None and _done_items(db_path) < 1:
        time.sleep(0.05)
    assert process.poll() is None, process.stderr.read()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"job {job.id} started: caption with encoder-decoder, 0 of 10")
    assert lines[-1].startswith(f"job {job.id} queued: ") and "stopping" in err
    with catalogue.read() as session:
        assert session.get(Job, job.id).state is JobState.QUEUED
        items = list(session.scalars(select(JobItem).where(JobItem.job_id == job.id)))
        pending = [i for i in items if i.state is JobItemState.PENDING]
        assert pending and all(i.attempts == 0 and i.lease_owner is None for i in pending)  # not at fault
        assert all(i.state in (JobItemState.DONE, JobItemState.PENDING) for i in items)


def test_a_worker_with_once_runs_the_queue_and_leaves_a_job_that_fails_here(
    catalogue: Catalogue, photo_ids: list[int], db_path: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    runner, _events = make_runner(catalogue)
    job = runner.queue_caption_job("encoder-decoder", photo_ids, model="nobody-here/no-such-model")
    code, out, err = run_cli(capsys, "worker", "--once", "--db", str(db_path), "--device", "cpu")
    assert code == 0, err
    started, ended = out.splitlines()
    assert started.startswith(f"job {job.id} started: caption with encoder-decoder, 0 of 10")
    assert ended.startswith(f"job {job.id} failed: 0 captioned")  # nobody else held it: it failed
    assert f"job {job.id}: left to other workers: " in err and "is not downloaded" in err
    assert runner.summary(job.id).state is JobState.FAILED
