"""The cluster driver: a caption job's photos captioned through Ray Data, its results written here.

The driver is a JobRunner whose caption jobs run on a Ray cluster (pipeline.py) instead of this process's
engine; everything else is the runner's own: the same job store, item leases (the driver holds the items
it sends, under the name "host:pid:start:cluster", renewed while it works; workers leave a cluster job
alone), writes of each batch in one transaction (a result is written only while the driver holds its
item: exactly once; a caption a person wrote is never replaced; token scores kept), progress and events,
pause and cancel. Tagging and training jobs run in this process, as `jobs resume` runs them.

Items are claimed a round at a time (ROUND photos; with --ship-bytes, as many as SHIP_ROUND_BYTES hold)
and flow through one Ray Data pipeline per round, so the captioner actors load their model once a round.
Results stream back and are written batch by batch as they arrive. A stop (Ctrl+C, cancel, pause, the app
closing) leaves the cluster at once, which ends the job's Ray tasks and actors; what was written stays and
the items still out are given back without counting an attempt.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import select

from desktop_app.captioning.engine import CaptionEngine, Outcome, WorkItem
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import CaptionKind, Job, JobState
from desktop_app.errors import os_error_reason
from desktop_app.jobs import leases, store
from desktop_app.jobs.cluster.connection import ClusterSpec, connect, disconnect, forwarded_environment
from desktop_app.jobs.runner import JobControl, JobEvents, JobRunner, _Run
from desktop_app.jobs.store import ANY_RUNNER, CAPTION_JOB, CLUSTER_RUNNER, JobError, JobSummary

log = logging.getLogger(__name__)

ROUND = 10_000  # photos claimed and sent through one pipeline
SHIP_ROUND_BYTES = 256 * 1024 * 1024  # with --ship-bytes: photo bytes held by the driver per round
POLL_SECONDS = 0.25  # how often the driver looks for a stop while results are on their way
STATE_SECONDS = 1.0  # how often it reads the job's state (a cancel from another process)


class ClusterRunner(JobRunner):
    """Runs the queue's caption jobs on the Ray cluster of ``spec``; other jobs in this process."""

    runs = CLUSTER_RUNNER

    def __init__(self, catalogue: Catalogue, engine: CaptionEngine, events: JobEvents | None = None,
                 control: JobControl | None = None, spec: ClusterSpec | None = None) -> None:
        super().__init__(catalogue, engine, events, control)
        self.spec = spec or ClusterSpec("local")
        self.owner = store.this_process("cluster")
        self.local = JobRunner(catalogue, engine, self.events, self.control)

    def next_job(self, skip: Collection[int] = ()) -> int | None:
        """The oldest job this driver can take part in: one queued for any worker, or for a cluster."""
        with self.catalogue.read() as session:
            found = [leases.next_claimable(session, runner=runner, skip=skip)
                     for runner in (ANY_RUNNER, CLUSTER_RUNNER)]
        return min((job_id for job_id in found if job_id is not None), default=None)

    def steps(self, job_id: int) -> Iterator[Any]:
        with self.catalogue.write() as session:
            kind = leases.adopt(session, job_id)
        if kind != CAPTION_JOB:
            yield from self.local.steps(job_id)
            return
        yield from super().steps(job_id)

    def _caption_steps(self, job_id: int, captioner_id: str | None, model: str | None,
                       options: dict[str, Any], started: JobSummary) -> Iterator[Any]:
        run = _Run(job_id, started.total, started.finished_items, started.failed)
        state, error = JobState.QUEUED, None  # broken off unless it completes or fails
        try:
            if captioner_id is None:
                raise JobError(f"job {job_id} names no captioner")
            prototype = self.engine.registry.get_captioner(captioner_id)
            source = self.engine.model_for(captioner_id, model)
            capacity = connect(self.spec)
            actors = capacity.actors(self.spec.actors)
            where = ("this machine" if self.spec.address == "local"
                     else f"the Ray cluster at {self.spec.address}")
            hardware = f"{capacity.gpus:g} GPUs" if capacity.gpus else f"{capacity.cpus:g} CPU cores"
            dashboard = f"; Ray dashboard: {capacity.dashboard}" if capacity.dashboard else ""
            machines = f"{capacity.nodes} machine{'' if capacity.nodes == 1 else 's'}"
            copies = f"{actors} captioner actor{'' if actors == 1 else 's'}"
            self.events.notice(job_id, f"captioning on {where} ({machines}, {hardware}) with {copies}"
                                       f"{dashboard}")
            pipeline = _Pipeline(self, job_id, type(prototype)(model=source), options, actors, capacity)
            while not self._should_stop(job_id):
                claimed = self._claim(job_id, ROUND)
                if not claimed:
                    break
                work = yield from self._without_model(job_id, run, captioner_id, claimed)
                for part in self._rounds(work):
                    for outcomes in pipeline.run(part, run):
                        yield self._write(job_id, run, outcomes, run.kind or CaptionKind.DESCRIPTION)
            state = self._state_after_run(job_id)
        except Exception as exc:
            state, error = self._failure(job_id, exc)
        finally:
            disconnect()  # ends the job's Ray tasks and actors (on a stop, at once)
            self._end(job_id, state, error)

    def _rounds(self, work: list[WorkItem]) -> Iterator[list[WorkItem]]:
        """The claimed photos in rounds: all at once by path; by the bytes the driver holds with
        --ship-bytes."""
        if not self.spec.ship_bytes:
            if work:
                yield work
            return
        part: list[WorkItem] = []
        size = 0
        for item in work:
            part.append(item)
            size += _file_size(item.path)
            if size >= SHIP_ROUND_BYTES:
                yield part
                part, size = [], 0
        if part:
            yield part

    def _watch_state(self, job_id: int) -> None:
        """Stop taking part when another process cancelled, paused or ended the job (read once a second
        while results are on their way; the writes read it too)."""
        with self.catalogue.read() as session:
            self._follow(job_id, session.scalar(select(Job.state).where(Job.id == job_id)))


class _Pipeline:
    """The driver's side of a job's rounds: rows out to a Pipeline actor on the cluster, results back."""

    def __init__(self, runner: ClusterRunner, job_id: int, prototype: Any, options: dict[str, Any],
                 actors: int, capacity: Any) -> None:
        """``prototype``: the job's captioner, constructed with its model (not loaded): it travels
        pickled, by class and model, and each actor rebuilds and loads it."""
        self.runner, self.job_id, self.prototype, self.actors = runner, job_id, prototype, actors
        engine = runner.engine
        on_gpu = capacity.gpus > 0 and engine.device != "cpu"
        self.gpus_per_actor = min(1.0, capacity.gpus / actors) if on_gpu else 0.0
        self.actor = {
            "options": dict(options),
            "device": "auto" if on_gpu else "cpu", "dtype": engine.dtype, "batch_size": engine.batch_size,
            "threads": capacity.threads(actors), "environment": forwarded_environment(),
        }

    def run(self, work: list[WorkItem], run: _Run) -> Iterator[list[Outcome]]:
        """Outcomes of ``work`` in batches as the cluster returns them (not in order); photos the driver
        could not read (--ship-bytes) fail at once."""
        import ray

        from desktop_app.jobs.cluster.pipeline import Pipeline

        rows, unread = self._rows(work)
        if unread:
            yield unread
        if not rows:
            return
        by_item = {item.key.item_id: item for item in work}
        pipeline = ray.remote(num_cpus=0, max_concurrency=2)(Pipeline).remote(
            rows, self.prototype, self.actor, self.actors, self.gpus_per_actor)
        counts: Counter[str] = Counter()
        looked = time.monotonic()
        first = True
        try:
            while not self.runner._should_stop(self.job_id):
                if time.monotonic() - looked >= STATE_SECONDS:
                    self.runner._watch_state(self.job_id)
                    looked = time.monotonic()
                kind, value = ray.get(pipeline.next.remote(POLL_SECONDS))
                if kind == "end":
                    return
                if kind == "error":
                    raise JobError(value)
                if kind != "batch":
                    continue
                counts.update(str(actor) for actor in value["actor"])
                run.actors = dict(counts)
                yield self._outcomes(value, by_item)
                if first:
                    # The rate counts from the first results on: Ray's start and the model loads are not
                    # the cluster's captioning speed.
                    run.clock, run.this_run, first = time.perf_counter(), 0, False
        finally:
            ray.kill(pipeline)  # its Ray Data run, decode tasks and captioner actors end with it

    def _rows(self, work: list[WorkItem]) -> tuple[list[dict[str, Any]], list[Outcome]]:
        from desktop_app.jobs.cluster import pipeline as columns

        with self.runner.catalogue.read() as session:
            photos = store.photos_of(session, [item.key for item in work])
            where = {photo_id: (photo.library.root, photo.rel_path) for photo_id, photo in photos.items()}
        rows, unread = [], []
        for item in work:
            root, rel = where.get(item.key.photo_id, ("", ""))
            row: dict[str, Any] = {columns.ITEM: item.key.item_id, columns.PHOTO: item.key.photo_id}
            if self.runner.spec.ship_bytes:
                try:
                    with open(item.path, "rb") as file:
                        row[columns.DATA] = file.read()
                except OSError as exc:
                    unread.append(Outcome(item, error=os_error_reason(exc)))
                    continue
            else:
                row[columns.ROOT], row[columns.REL] = root, rel
            rows.append(row)
        return rows, unread

    @staticmethod
    def _outcomes(batch: dict[str, list[Any]], by_item: dict[int, WorkItem]) -> list[Outcome]:
        from desktop_app.jobs.cluster.pipeline import ERROR, ITEM, result_of

        outcomes = []
        for index in range(len(batch[ITEM])):
            row = {name: column[index] for name, column in batch.items()}
            item = by_item[int(row[ITEM])]
            result = result_of(row)
            outcomes.append(Outcome(item, result) if result is not None
                            else Outcome(item, error=str(row[ERROR])))
        return outcomes


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0
