"""A team on one PostgreSQL catalogue: four editor processes edit and approve the same 200 captions while
three `photo-annotator worker` processes share one caption job, and one worker is killed with SIGKILL
in the middle of a batch. Every edit landed or was refused with the conflict message (checked against
the revisions), every photo is captioned exactly once, nothing deadlocks (every process ends within
its time), and the killed worker's photos are captioned by the others."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    Job,
    JobItem,
    JobItemState,
    JobState,
)
from desktop_app.jobs import store
from tests import photo_files
from tests.team_clients import Outcome, check_outcomes, edit_once, make_photos

REPO = Path(__file__).resolve().parents[1]
PHOTOS = 200
WORKERS = 3
EDITORS = 4
DEADLINE = 300  # seconds for the whole run: past it, something waits forever


def _photos(catalogue: Catalogue, folder: Path) -> list[int]:
    """PHOTOS small JPEGs in ``folder`` as one library's photos, each with a person's first draft."""
    for number in range(PHOTOS):
        photo_files.jpeg(folder / f"{number:05}.jpg", seed=number, size=(48, 36), exif=False)
    return make_photos(catalogue, PHOTOS, captioned=PHOTOS, root=str(folder))


def editor(url: str, author: str, photo_ids: list[int], seed: int, stop: Any) -> list[dict[str, Any]]:
    """One editor process: edits (three in ten also approving) on random photos until ``stop`` is set,
    each based on the revision it read. Its outcomes, as dicts."""
    import random

    rng = random.Random(seed)
    outcomes = []
    with open_catalogue(url) as catalogue:
        number = 0
        while not stop.is_set() or number < 20:
            photo_id = rng.choice(photo_ids)
            outcome = edit_once(catalogue, author, photo_id, f"{author} wrote this, take {number}",
                                approve=rng.random() < 0.3)
            outcomes.append(asdict(outcome))
            number += 1
            time.sleep(0.02)  # a person is not a loop: the workers get the machine's two cores too
    return outcomes


def _held_by(catalogue: Catalogue, pid: int) -> list[int]:
    with catalogue.read() as session:
        return list(session.scalars(select(JobItem.id).where(
            JobItem.state == JobItemState.RUNNING, JobItem.lease_owner.contains(f":{pid}:"))))


def _done(catalogue: Catalogue) -> int:
    with catalogue.read() as session:
        return session.scalar(select(func.count()).select_from(JobItem)
                              .where(JobItem.state == JobItemState.DONE)) or 0


def test_editors_and_workers_share_a_catalogue_and_nothing_is_lost_or_doubled(
    postgres_url: str, tmp_path: Path, vit_gpt2_folder: Path
) -> None:
    catalogue = open_catalogue(postgres_url)
    photo_ids = _photos(catalogue, tmp_path / "photos")
    with catalogue.write() as session:
        job_id = store.create_caption_job(session, "encoder-decoder", str(vit_gpt2_folder),
                                          {"max_new_tokens": 4}, photo_ids).id
    # The killed worker's photos are freed at once (its process is gone from this machine); a lease long
    # enough that a busy machine never lets a live worker's lapse keeps the count of attempts exact.
    env = {**os.environ, "PYTHONPATH": str(REPO), "PHOTO_ANNOTATOR_LEASE_SECONDS": "30",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "desktop_app", "worker", "--once", "--db", postgres_url,
               "--device", "cpu", "--batch-size", "8"]
    logs = [tmp_path / f"worker{number}.log" for number in range(WORKERS)]
    workers = [subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
               for log in logs]
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    with context.Manager() as manager, ProcessPoolExecutor(EDITORS, mp_context=context) as pool:
        stop = manager.Event()
        editors = [pool.submit(editor, postgres_url, f"editor{number}", photo_ids, number, stop)
                   for number in range(EDITORS)]
        try:
            # The first worker is killed while it holds photos, once the job is well under way.
            victim = workers[0]
            held: list[int] = []
            while time.monotonic() - started < DEADLINE and victim.poll() is None:
                held = _held_by(catalogue, victim.pid)
                if held and _done(catalogue) >= 20:
                    break
                time.sleep(0.05)
            assert victim.poll() is None and held, logs[0].read_text()
            victim.send_signal(signal.SIGSTOP)  # frozen: what it holds now is what it holds when it dies
            held = _held_by(catalogue, victim.pid)
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            assert held
            for process, log in zip(workers[1:], logs[1:], strict=True):
                code = process.wait(timeout=max(1, DEADLINE - (time.monotonic() - started)))
                assert code == 0, log.read_text()
        finally:
            stop.set()
            for process in workers:
                if process.poll() is None:
                    process.kill()
        outcomes = [Outcome(**each) for future in editors
                    for each in future.result(timeout=max(1, DEADLINE - (time.monotonic() - started)))]

    logged = "\n".join(f"{log.name}:\n{log.read_text()}" for log in logs)
    with catalogue.read() as session:
        job = session.get(Job, job_id)
        assert job.state is JobState.DONE, logged
        items = {item.id: item for item in session.scalars(select(JobItem).where(JobItem.job_id == job_id))}
        # Done, or failed with the model's own verdict (a random tiny model may say nothing for a photo).
        failed = {item.photo_id for item in items.values() if item.state is JobItemState.FAILED
                  and item.error == "the model returned an empty caption"}
        assert {item.state for item in items.values()} <= {JobItemState.DONE, JobItemState.FAILED}, logged
        others = [(item.photo_id, item.state, item.attempts, item.error) for item in items.values()
                  if item.photo_id not in failed and item.state is not JobItemState.DONE]
        assert len(failed) < PHOTOS // 10 and not others, f"{others}\n{logged}"
        assert all(items[item_id].attempts == 2 for item_id in held)  # the lost attempt counted
        ai = dict(session.execute(
            select(Caption.photo_id, func.count())
            .where(Caption.origin == CaptionOrigin.AI).group_by(Caption.photo_id)).all())
        # every photo captioned exactly once
        assert ai == {photo_id: 1 for photo_id in photo_ids if photo_id not in failed}
    # Both surviving workers captioned, and said so, one line per job started and ended.
    for log in logs[1:]:
        text = log.read_text()
        assert f"job {job_id} started" in text and f"job {job_id} " in text.splitlines()[-1], text
    assert len(outcomes) >= EDITORS * 20 and any(outcome.landed for outcome in outcomes)
    assert check_outcomes(catalogue, outcomes) == []  # every edit landed or was refused, none lost
    catalogue.close()

