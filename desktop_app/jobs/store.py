"""The persistent job queue: jobs and their items in the catalogue (no Qt, no torch).

A job's items move pending -> running -> done | failed. An item and the caption it produced are
written in one transaction, so after a crash an item is either done with its caption stored, or not
done and captioned again on resume: never twice. Each time an item is handed to the model its
``attempts`` count goes up; an item that was running when its process died three times (a photo that
crashes the decoder, say) fails rather than taking the job down again.

Which process works on which items, and until when, is jobs/leases.py: any number of workers share
a job; an item's holder is named "host:pid:process start time" (:func:`this_process`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from desktop_app.catalogue.caption_rules import default_author
from desktop_app.catalogue.models import Job, JobItem, JobItemState, JobState, Library, Photo, utcnow
from desktop_app.catalogue.photos import absolute_path

CAPTION_JOB = "caption"
# Fine-tuning a captioner on approved captions; options: output, settings, library_ids, and the optimizer
# steps done of total_steps (record_steps): a train job has no items.
TRAIN_JOB = "train"
# Suggesting keywords with a tagger (captioner_id holds the tagger's id, model_id its model); options:
# vocabularies (None: every imported one), top_n, threshold. One item per photo, like a caption job.
TAG_JOB = "tag"
MAX_ATTEMPTS = 3
ANY_RUNNER = "any"  # a job any worker may run: the app, `caption`, `jobs resume`, `worker`
CLUSTER_RUNNER = "cluster"  # a job a cluster driver runs: workers leave it alone (jobs/leases.py)

UNFINISHED = (JobState.QUEUED, JobState.RUNNING, JobState.PAUSED)
RESUMABLE = (JobState.QUEUED, JobState.PAUSED, JobState.FAILED)


class JobError(Exception):
    """A job cannot do what was asked (unknown id, wrong state); the message says why in one line."""


@dataclass(frozen=True)
class JobSummary:
    id: int
    kind: str
    state: JobState
    captioner_id: str | None
    model_id: str | None
    options: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    error: str | None
    notice: str | None
    total: int
    done: int
    failed: int
    pending: int  # pending or running: still to caption
    skipped: int
    author: str | None = None  # the editor who queued it
    db_role: str | None = None  # the database role that queued it (PostgreSQL)
    runner: str = ANY_RUNNER  # who runs it: any worker, or a cluster driver
    standing: str | None = None  # a watched library's standing job: its key (jobs/standing.py)

    @property
    def watching(self) -> bool:
        """A standing job waiting for photos: queued with nothing to do (listed as "watching")."""
        return self.standing is not None and self.state is JobState.QUEUED and self.pending == 0

    @property
    def finished_items(self) -> int:
        return self.done + self.failed

    def to_json(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        tagger = {"tagger": self.captioner_id} if self.kind == TAG_JOB else {}
        return {
            **tagger,
            "id": self.id, "kind": self.kind, "state": self.state.value, "captioner": self.captioner_id,
            "model": self.model_id, "options": self.options, "created_at": when(self.created_at),
            "started_at": when(self.started_at), "finished_at": when(self.finished_at),
            "error": self.error, "notice": self.notice, "total": self.total, "done": self.done,
            "failed": self.failed, "pending": self.pending, "skipped": self.skipped,
            "author": self.author, "db_role": self.db_role, "runner": self.runner,
            "standing": self.standing, "watching": self.watching,
        }


@dataclass(frozen=True)
class PendingItem:
    item_id: int
    photo_id: int


# --- processes ------------------------------------------------------------------------------------

def this_process(tag: str | None = None) -> str:
    """This process as a job item's holder: host, pid and start time (a reused pid is another process),
    then ``tag`` where one process runs several holders."""
    import psutil

    name = f"{socket.gethostname()}:{os.getpid()}:{psutil.Process().create_time():.2f}"
    return f"{name}:{tag}" if tag else name


# --- queueing and listing -----------------------------------------------------------------------------

def create_caption_job(session: Session, captioner_id: str, model_id: str | None,
                       options: dict[str, Any], photo_ids: Sequence[int], runner: str = ANY_RUNNER) -> Job:
    """A queued captioning job over ``photo_ids`` (duplicates dropped, order kept); JobError if there
    is no photo (a job of nothing would only confuse the queue). ``runner``: "any" worker, or "cluster"
    (a cluster driver's job, which workers leave alone: jobs/leases.py)."""
    if not photo_ids:
        raise JobError("no photos to caption")
    job = Job(kind=CAPTION_JOB, state=JobState.QUEUED, captioner_id=captioner_id, model_id=model_id,
              options=dict(options), author=default_author(), runner=runner)
    session.add(job)
    session.flush()
    session.execute(JobItem.__table__.insert(), [
        {"job_id": job.id, "photo_id": photo_id, "state": JobItemState.PENDING.value, "attempts": 0,
         "updated_at": utcnow()}
        for photo_id in dict.fromkeys(photo_ids)
    ])
    return job


def create_tag_job(session: Session, tagger_id: str, model_id: str | None, options: dict[str, Any],
                   photo_ids: Sequence[int]) -> Job:
    """A queued tagging job over ``photo_ids`` (duplicates dropped, order kept); JobError if none."""
    if not photo_ids:
        raise JobError("no photos to suggest keywords for")
    job = create_caption_job(session, tagger_id, model_id, options, photo_ids)
    job.kind = TAG_JOB
    return job


def create_train_job(session: Session, captioner_id: str, model_id: str | None, output: str,
                     settings: dict[str, Any], library_ids: Sequence[int] | None = None) -> Job:
    """A queued fine-tuning job (no items: its progress is the trainer's optimizer steps)."""
    job = Job(kind=TRAIN_JOB, state=JobState.QUEUED, captioner_id=captioner_id, model_id=model_id,
              options={"output": output, "settings": dict(settings),
                       "library_ids": list(library_ids) if library_ids else None},
              author=default_author())
    session.add(job)
    session.flush()
    return job


def summaries(session: Session, job_ids: Iterable[int] | None = None,
              states: Iterable[JobState] | None = None) -> list[JobSummary]:
    """Jobs with their item counts, oldest first."""
    counts = (
        select(
            JobItem.job_id,
            func.count().label("total"),
            func.sum(case((JobItem.state == JobItemState.DONE, 1), else_=0)).label("done"),
            func.sum(case((JobItem.state == JobItemState.FAILED, 1), else_=0)).label("failed"),
            func.sum(case((JobItem.state.in_([JobItemState.PENDING, JobItemState.RUNNING]), 1),
                          else_=0)).label("pending"),
            func.sum(case((JobItem.state == JobItemState.SKIPPED, 1), else_=0)).label("skipped"),
        )
        .group_by(JobItem.job_id)
        .subquery()
    )
    query = select(Job, counts).outerjoin(counts, counts.c.job_id == Job.id).order_by(Job.id)
    if job_ids is not None:
        query = query.where(Job.id.in_(list(job_ids)))
    if states is not None:
        query = query.where(Job.state.in_(list(states)))
    return [_summary(row) for row in session.execute(query)]


def _summary(row: Any) -> JobSummary:
    job = row[0]
    options = job.options or {}
    if job.kind == TRAIN_JOB:  # counted in optimizer steps (record_steps), not items
        total, done = options.get("total_steps") or 0, options.get("steps") or 0
        return JobSummary(job.id, job.kind, job.state, job.captioner_id, job.model_id, options,
                          job.created_at, job.started_at, job.finished_at, job.error, job.notice,
                          total, done, 0, max(total - done, 0), 0, job.author, job.db_role,
                          job.runner or ANY_RUNNER)
    return JobSummary(job.id, job.kind, job.state, job.captioner_id, job.model_id, options,
                      job.created_at, job.started_at, job.finished_at, job.error, job.notice,
                      row.total or 0, row.done or 0, row.failed or 0, row.pending or 0, row.skipped or 0,
                      job.author, job.db_role, job.runner or ANY_RUNNER, job.standing)


def unfinished_train_job(session: Session, captioner_id: str, output: str) -> int | None:
    """The oldest queued or paused fine-tuning job of ``captioner_id`` into ``output``, if any."""
    jobs = session.scalars(select(Job).where(Job.kind == TRAIN_JOB, Job.captioner_id == captioner_id,
                                             Job.state.in_([JobState.QUEUED, JobState.PAUSED]))
                           .order_by(Job.id))
    return next((job.id for job in jobs if (job.options or {}).get("output") == output), None)


def summary(session: Session, job_id: int) -> JobSummary:
    found = summaries(session, [job_id])
    if not found:
        raise JobError(f"no job {job_id} in this catalogue")
    return found[0]


def requeue_paused(session: Session) -> list[int]:
    """Put every paused job back in the queue (the user pressed resume)."""
    paused = list(session.scalars(select(Job).where(Job.state == JobState.PAUSED)))
    for job in paused:
        job.state = JobState.QUEUED
    return [job.id for job in paused]


def pause(session: Session, job_id: int) -> JobSummary:
    """Pause a queued or running job; a worker running it (another process) stops after its batch and
    leaves it paused (leases.leave), until `requeue`."""
    job = session.get(Job, job_id)
    if job is None or job.state not in (JobState.QUEUED, JobState.RUNNING):
        state = job.state.value if job is not None else "gone"
        raise JobError(f"job {job_id} is {state}; only a queued or running job can be paused")
    job.state = JobState.PAUSED
    session.flush()
    return summary(session, job_id)


def requeue(session: Session, job_id: int) -> JobSummary:
    """Put one paused or failed job back in the queue (a job left from an earlier run, say)."""
    job = session.get(Job, job_id)
    if job is None or job.state not in RESUMABLE:
        state = job.state.value if job is not None else "gone"
        raise JobError(f"job {job_id} is {state}; there is nothing to resume")
    job.state = JobState.QUEUED
    session.flush()
    return summary(session, job_id)


def job_failures(session: Session, job_id: int) -> list[tuple[str, str]]:
    """A job's failed photos as (absolute path, one-line reason), in queue order."""
    rows = session.execute(
        select(Library.root, Photo.rel_path, JobItem.error)
        .join(Photo, Photo.id == JobItem.photo_id)
        .join(Library, Library.id == Photo.library_id)
        .where(JobItem.job_id == job_id, JobItem.state == JobItemState.FAILED)
        .order_by(JobItem.id)
    )
    return [(absolute_path(root, rel_path), error or "unknown error") for root, rel_path, error in rows]


# --- running (taking part in a job: jobs/leases.py) ----------------------------------------------------

@dataclass(frozen=True)
class ItemResult:
    """How one item ended: the caption it produced, or why it failed."""

    item_id: int
    caption_id: int | None = None
    error: str | None = None


def finish_items(session: Session, results: Sequence[ItemResult]) -> None:
    """Record how a batch's items ended, in one UPDATE by primary key (only items the writer still
    holds: leases.held_items), their leases ended."""
    if not results:
        return
    now = utcnow()
    session.execute(update(JobItem), [
        {"id": result.item_id, "caption_id": result.caption_id, "error": result.error, "updated_at": now,
         "lease_owner": None, "lease_expires_at": None,
         "state": JobItemState.FAILED if result.error is not None else JobItemState.DONE}
        for result in results
    ])


def item_counts(session: Session, job_id: int) -> tuple[int, int]:
    """A job's items finished (done or failed) and failed, by every worker so far."""
    finished, failed = session.execute(
        select(func.count(), func.sum(case((JobItem.state == JobItemState.FAILED, 1), else_=0)))
        .where(JobItem.job_id == job_id, JobItem.state.in_([JobItemState.DONE, JobItemState.FAILED]))
    ).one()
    return finished or 0, failed or 0


def stop(session: Session, job_id: int, state: JobState, error: str | None = None) -> None:
    """End (or pause) a job's run: its running items go back to pending, without counting the attempt
    (they were interrupted, not at fault). Done, failed and cancelled jobs get their finish time;
    cancelling skips what was still to do."""
    job = session.get(Job, job_id)
    if job is None:
        return
    return_items(session, JobItem.job_id == job_id, count_attempt=False)
    if job.state is JobState.CANCELLED or state is JobState.CANCELLED:
        state = JobState.CANCELLED
    job.state, job.owner, job.error = state, None, error
    if state is JobState.CANCELLED:
        session.execute(update(JobItem)
                        .where(JobItem.job_id == job_id, JobItem.state == JobItemState.PENDING)
                        .values(state=JobItemState.SKIPPED, updated_at=utcnow()))
    if state in (JobState.DONE, JobState.FAILED, JobState.CANCELLED):
        job.finished_at = utcnow()


def record_steps(session: Session, job_id: int, steps: int, total: int) -> JobState:
    """A fine-tuning job's progress: optimizer steps done of ``total`` (its counts in summaries). Returns
    the job's state as stored now: another process (``jobs cancel``) may have changed it."""
    job = session.get(Job, job_id)
    if job is None:
        return JobState.CANCELLED  # deleted meanwhile
    job.options = {**(job.options or {}), "steps": steps, "total_steps": total}
    job.heartbeat_at = utcnow()
    return job.state


def add_notice(session: Session, job_id: int, text: str) -> None:
    job = session.get(Job, job_id)
    if job is not None and text not in (job.notice or ""):
        job.notice = f"{job.notice}; {text}" if job.notice else text


def photos_of(session: Session, items: Sequence[PendingItem]) -> dict[int, Photo]:
    """The items' photos, by photo id (items whose photo was removed are absent)."""
    ids = [item.photo_id for item in items]
    return {photo.id: photo for photo in session.scalars(select(Photo).where(Photo.id.in_(ids)))}


def return_items(session: Session, *where: Any, count_attempt: bool) -> None:
    """The running items matching ``where`` back to pending, their leases ended. ``count_attempt``: their
    holder died while they were with the model, so the attempt counts, and a photo that keeps killing its
    process fails (after MAX_ATTEMPTS) instead of being tried forever; else (interrupted, not at fault)
    the attempt is given back."""
    now = utcnow()
    running = (*where, JobItem.state == JobItemState.RUNNING)
    if count_attempt:
        session.execute(
            update(JobItem).where(*running, JobItem.attempts >= MAX_ATTEMPTS)
            .values(state=JobItemState.FAILED, updated_at=now, lease_owner=None, lease_expires_at=None,
                    error=f"the captioning process ended unexpectedly {MAX_ATTEMPTS} times while "
                          "working on this photo")
        )
        attempts: Any = JobItem.attempts
    else:
        attempts = case((JobItem.attempts > 0, JobItem.attempts - 1), else_=0)
    session.execute(
        update(JobItem).where(*running)
        .values(state=JobItemState.PENDING, attempts=attempts, updated_at=now, lease_owner=None,
                lease_expires_at=None)
    )
