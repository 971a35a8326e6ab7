"""`photo-annotator jobs`: list the job queue (captioning, tagging and training jobs), resume interrupted
jobs, cancel jobs."""

from __future__ import annotations

import sys
from typing import Any

import click

from desktop_app.cli.common import (
    cluster_options,
    db_option,
    echo,
    emit_json,
    engine_options,
    json_option,
    open_db,
)


@click.group(invoke_without_command=True)
@json_option
@db_option
@click.pass_context
def jobs(ctx: click.Context, as_json: bool, db: str | None) -> None:
    """List captioning, tagging and training jobs with their state and counts (newest last): photos
    captioned or tagged, or a training job's optimizer steps.

    A job interrupted by a crash, a kill or Ctrl+C shows as queued; `jobs resume` finishes it.
    """
    if ctx.invoked_subcommand is not None:
        return
    from desktop_app.services.jobs import list_jobs

    found = list_jobs(open_db(db))
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
@cluster_options
@json_option
@db_option
def resume(job_id: int | None, device: str, dtype: str, batch_size: int, decode_workers: int, prefetch: int,
           cluster: str | None, actors: int, ship_bytes: bool, as_json: bool, db: str | None) -> None:
    """Resume job JOB_ID, or every unfinished (queued, interrupted or paused) job, oldest first.

    Photos already captioned are not captioned again; a training job continues from its last
    checkpoint (on --device). A job that failed (its model could not load) is resumed when named.
    Jobs started with --cluster resume only with --cluster (on any cluster); with it, a queued caption
    job moves to the cluster too. Exits 1 if any photo failed.
    """
    from desktop_app.cli.job_output import JobOutput, run_in_foreground
    from desktop_app.jobs.store import JobError
    from desktop_app.services import jobs as service
    from desktop_app.services.engine import build_engine

    try:
        spec = service.cluster_spec(cluster, actors, ship_bytes)
    except JobError as exc:
        raise click.ClickException(str(exc)) from None
    catalogue = open_db(db)
    engine = build_engine(device=device, dtype=dtype, batch_size=batch_size, decode_workers=decode_workers,
                          prefetch=prefetch)
    runner = service.make_runner(catalogue, engine, JobOutput(as_json), cluster=spec)
    to_run = service.jobs_to_resume(runner, job_id)
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
    another terminal) stops after its current batch (a training job: after its current step)."""
    from desktop_app.services.jobs import cancel_job

    job = cancel_job(open_db(db), job_id)
    if as_json:
        emit_json(job.to_json())
    else:
        echo(_line(job))


def _line(job: Any) -> str:
    from desktop_app.catalogue.photos import display_path
    from desktop_app.jobs.store import CLUSTER_RUNNER, TAG_JOB, TRAIN_JOB

    model = f" ({job.model_id})" if job.model_id else ""
    if job.kind == TRAIN_JOB:
        what = f"fine-tuning {job.captioner_id}{model} into {display_path(job.options.get('output') or '?')}"
        counts = f"{job.done} of {job.total} steps" if job.total else "no step yet"
    else:
        what = f"suggesting keywords with {job.captioner_id}{model}" if job.kind == TAG_JOB \
            else f"{job.captioner_id}{model}{' on a cluster' if job.runner == CLUSTER_RUNNER else ''}"
        counts = f"{job.done} of {job.total} {'tagged' if job.kind == TAG_JOB else 'captioned'}"
        if job.failed:
            counts += f", {job.failed} failed"
        if job.skipped:
            counts += f", {job.skipped} skipped"
    state = job.state.value
    if job.standing is not None:  # a watched library's: new photos are appended to it (`watch`)
        library = job.standing.split(":")[1]
        state = f"watching library {library}" if job.watching else f"{state} (watching library {library})"
    text = f"job {job.id}: {state}, {what}, {counts}, queued {job.created_at:%Y-%m-%d %H:%M} UTC"
    if job.error:
        text += f"; error: {job.error}"
    if job.notice:
        text += f"; note: {job.notice}"
    return text
