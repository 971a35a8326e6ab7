"""`photo-annotator worker`: a headless worker of the job queue, for machines that only caption.

Any number of workers (and the app, `caption`, `jobs resume`) share the queue and even one job: each
takes a batch of photos at a time under a lease (jobs/leases.py), so no photo is captioned twice and a
worker that dies leaves its photos to the others once its lease runs out."""

from __future__ import annotations

import time
from typing import Any

import click

from desktop_app.cli.common import db_option, echo, engine_options, json_option, open_db

POLL_SECONDS = 1.0  # how often an idle worker looks for work


@click.command()
@click.option("--once", is_flag=True,
              help="Exit when no queued or running job is left, instead of waiting for new ones.")
@engine_options
@json_option
@db_option
def worker(once: bool, device: str, dtype: str, batch_size: int, decode_workers: int, prefetch: int,
           as_json: bool, db: str | None) -> None:
    """Run queued jobs until stopped (Ctrl+C or SIGTERM), sharing them with other workers.

    Takes captioning, tagging and training jobs from the catalogue's queue (not a cluster driver's),
    oldest first, and joins jobs other workers are running: each worker takes a batch of photos at a
    time under a lease it renews while it works. One line per job started and ended. Stopped, it gives
    its photos back and exits 0; killed, its photos go to the others when its lease runs out
    ($PHOTO_ANNOTATOR_LEASE_SECONDS, default 120).
    """
    from desktop_app.cli.worker_output import Stopping, WorkerOutput
    from desktop_app.services import jobs as service
    from desktop_app.services.engine import build_engine

    catalogue = open_db(db)
    engine = build_engine(device=device, dtype=dtype, batch_size=batch_size, decode_workers=decode_workers,
                          prefetch=prefetch)
    runner = service.make_runner(catalogue, engine, WorkerOutput(as_json))
    stopping = Stopping(runner)
    try:
        work_the_queue(runner, once)
    finally:
        stopping.restore()
        engine.unload()


def work_the_queue(runner: Any, once: bool = False) -> None:
    """The worker's loop (`worker`, and `watch` unless --no-worker): run the queue's jobs, oldest first,
    until the runner is closed (a signal: worker_output.Stopping), or with ``once`` until none is open."""
    from desktop_app.jobs.store import JobError
    from desktop_app.services import jobs as service

    failed_here: set[int] = set()  # jobs that failed on this machine: left to the other workers
    while not runner.control.closing:
        runner.recover()
        job_id = runner.next_job(skip=failed_here)
        if job_id is None:
            if once and not service.open_jobs(runner.catalogue, sorted(failed_here)):
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
