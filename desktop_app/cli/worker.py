"""`photo-annotator worker`: a headless worker of the job queue, for machines that only caption.

Any number of workers (and the app, `caption`, `jobs resume`) share the queue and even one job: each
takes a batch of photos at a time under a lease (jobs/leases.py), so no photo is captioned twice and a
worker that dies leaves its photos to the others once its lease runs out."""

from __future__ import annotations

import signal
import time
from typing import Any

import click

from desktop_app.cli.common import db_option, echo, emit_json, engine_options, json_option, open_db
from desktop_app.jobs.runner import JobEvents, JobRunner
from desktop_app.jobs.store import JobError, JobSummary

POLL_SECONDS = 1.0  # how often an idle worker looks for work


class WorkerOutput(JobEvents):
    """One line (or JSON object) per job started and ended; notices on stderr."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.clock = time.monotonic()

    def job_started(self, job: JobSummary) -> None:
        self.clock = time.monotonic()
        if self.as_json:
            emit_json({"event": "started", **job.to_json()})
        else:
            echo(f"job {job.id} started: {job.kind} with {job.captioner_id}, "
                 f"{job.finished_items} of {job.total} finished so far")

    def notice(self, job_id: int, text: str) -> None:
        echo(f"job {job_id}: {text}", err=True)

    def job_ended(self, job: JobSummary) -> None:
        from desktop_app.cli.job_output import run_summary

        if self.as_json:
            emit_json({"event": "ended", **job.to_json()})
        else:
            echo(run_summary(job, time.monotonic() - self.clock))


class _Stopping:
    """SIGINT and SIGTERM: the first stops the worker after giving back the photos it holds (the run
    stops within about a second; they are not counted as attempts); a second one quits at once."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner
        self._previous = {number: signal.signal(number, self._handle)
                          for number in (signal.SIGINT, signal.SIGTERM)}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.runner.control.closing:
            raise KeyboardInterrupt
        self.runner.control.close()
        echo("stopping: giving back the photos this worker holds (again to quit at once)", err=True)

    def restore(self) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)


@click.command()
@click.option("--once", is_flag=True,
              help="Exit when no queued or running job is left, instead of waiting for new ones.")
@engine_options
@json_option
@db_option
def worker(once: bool, device: str, dtype: str, batch_size: int, as_json: bool, db: str | None) -> None:
    """Run queued jobs until stopped (Ctrl+C or SIGTERM), sharing them with other workers.

    Takes captioning, tagging and training jobs from the catalogue's queue (not a cluster driver's),
    oldest first, and joins jobs other workers are running: each worker takes a batch of photos at a
    time under a lease it renews while it works. One line per job started and ended. Stopped, it gives
    its photos back and exits 0; killed, its photos go to the others when its lease runs out
    ($PHOTO_ANNOTATOR_LEASE_SECONDS, default 120).
    """
    from desktop_app.services import jobs as service
    from desktop_app.services.engine import build_engine

    catalogue = open_db(db)
    engine = build_engine(device=device, dtype=dtype, batch_size=batch_size)
    runner = service.make_runner(catalogue, engine, WorkerOutput(as_json))
    stopping = _Stopping(runner)
    failed_here: set[int] = set()  # jobs that failed on this machine: left to the other workers
    try:
        while not runner.control.closing:
            runner.recover()
            job_id = runner.next_job(skip=failed_here)
            if job_id is None:
                if once and not service.open_jobs(catalogue, sorted(failed_here)):
                    break
                time.sleep(POLL_SECONDS)
                continue
            try:
                service.run_job(runner, job_id)
                if job_id in runner.failures:
                    failed_here.add(job_id)
                    echo(f"job {job_id}: left to other workers: {runner.failures[job_id]}", err=True)
            except JobError as exc:  # taken meanwhile (a train job another worker started): look again
                echo(f"job {job_id}: {exc}", err=True)
                time.sleep(POLL_SECONDS)
    finally:
        stopping.restore()
        engine.unload()
