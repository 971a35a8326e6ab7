"""`photo-annotator jobs`: list the job queue, resume interrupted jobs, cancel jobs."""

from __future__ import annotations

import sys
from typing import Any

import click

from desktop_app.cli.common import db_option, echo, emit_json, engine_options, json_option, open_db


@click.group(invoke_without_command=True)
@json_option
@db_option
@click.pass_context
def jobs(ctx: click.Context, as_json: bool, db: str | None) -> None:
    """List captioning jobs with their state and counts (newest last).

    A job interrupted by a crash, a kill or Ctrl+C shows as queued; `jobs resume` finishes it.
    """
    if ctx.invoked_subcommand is not None:
        return
    from desktop_app.jobs import store

    catalogue = open_db(db)
    if not catalogue.read_only:  # a read-only catalogue is listed as it is
        with catalogue.write() as session:  # a crashed run shows as queued, not as running forever
            store.recover_interrupted(session)
    with catalogue.read() as session:
        found = store.summaries(session)
    for job in found:
        if as_json:
            emit_json(job.to_json())
        else:
            echo(_line(job))
    if not found and not as_json:
        echo("no jobs")


@jobs.command()
@click.argument("job_id", type=int, required=False)
@engine_options
@json_option
@db_option
def resume(job_id: int | None, device: str, dtype: str, batch_size: int, as_json: bool,
           db: str | None) -> None:
    """Resume job JOB_ID, or every unfinished (queued, interrupted or paused) job, oldest first.

    Photos already captioned are not captioned again. A job that failed (its model could not load)
    is resumed when named. Exits 1 if any photo failed.
    """
    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.catalogue.models import JobState
    from desktop_app.cli.job_output import CaptionOutput, run_in_foreground
    from desktop_app.jobs import store
    from desktop_app.jobs.runner import JobRunner
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.settings import load_settings

    catalogue = open_db(db)
    engine = CaptionEngine(load_plugins(), device=device, dtype=dtype, batch_size=batch_size,
                           models=load_settings().captioner_models)
    runner = JobRunner(catalogue, engine, CaptionOutput(as_json))
    runner.recover()
    if job_id is not None:
        to_run = [job_id]
    else:
        with catalogue.read() as session:
            to_run = [job.id for job in store.summaries(session, states=(JobState.QUEUED, JobState.PAUSED))]
        if not to_run:
            echo("no unfinished jobs", err=True)
            return
    failed = 0
    try:
        for each in to_run:
            failed += run_in_foreground(runner, each).failed
    finally:
        engine.unload()
    if failed:
        echo(f"photo-annotator: error: {failed} photos could not be captioned", err=True)
        sys.exit(1)


@jobs.command()
@click.argument("job_id", type=int)
@json_option
@db_option
def cancel(job_id: int, as_json: bool, db: str | None) -> None:
    """Cancel job JOB_ID. Captions already stored stay; a job running in another process (the app,
    another terminal) stops after its current batch."""
    from desktop_app.jobs import store

    catalogue = open_db(db)
    with catalogue.write() as session:
        job = store.cancel(session, job_id)
    if as_json:
        emit_json(job.to_json())
    else:
        echo(_line(job))


def _line(job: Any) -> str:
    counts = f"{job.done} of {job.total} captioned"
    if job.failed:
        counts += f", {job.failed} failed"
    if job.skipped:
        counts += f", {job.skipped} skipped"
    model = f" ({job.model_id})" if job.model_id else ""
    text = f"job {job.id}: {job.state.value}, {job.captioner_id}{model}, {counts}, " \
           f"queued {job.created_at:%Y-%m-%d %H:%M} UTC"
    if job.error:
        text += f"; error: {job.error}"
    if job.notice:
        text += f"; note: {job.notice}"
    return text
