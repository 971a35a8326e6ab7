"""Who holds which job items, and until when: one queue shared by any number of worker processes on any
number of machines (no Qt, no torch).

A worker takes a job's pending items a batch at a time (:func:`claim_items`): on PostgreSQL with
``SELECT ... FOR UPDATE SKIP LOCKED``, so two workers never take the same item and never wait for each
other; on SQLite the write transaction (BEGIN IMMEDIATE) already serialises claims. A claimed item is
running, its ``attempts`` count one more, and it is leased to its worker (``lease_owner``) until
``lease_expires_at``. A :class:`LeaseKeeper` thread renews the worker's leases while it works (a long
model load, a slow batch, a whole training run: a train job's lease is its row's ``owner`` and
``heartbeat_at``). A worker writes an item's result only while it still holds the item
(:func:`held_items`), so a worker whose lease ran out (it hung, its machine lost the network) cannot
write a photo a second time after another worker took it over.

An expired lease frees its items for others, counting the attempt (MAX_ATTEMPTS still fails a photo
that keeps killing its process). Leases are the truth across machines; on the holder's own machine a
holder whose process is gone (host, pid and start time) is known dead at once, without waiting for
its lease to run out.

A job stays running while any holder works on it; the holder that leaves it with nothing pending or
held by others completes it (:func:`leave`). A job whose ``runner`` is "cluster" belongs to a cluster
driver: workers leave it alone; the driver claims items for its actors under its own owner name with
the same functions, renews them with :func:`renew` and gives items back with :func:`release`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from desktop_app.catalogue.models import Job, JobItem, JobItemState, JobState, utcnow
from desktop_app.jobs import store
from desktop_app.jobs.store import (
    ANY_RUNNER,
    CLUSTER_RUNNER,
    TRAIN_JOB,
    JobError,
    JobSummary,
    PendingItem,
)

log = logging.getLogger(__name__)

# How long a lease lasts unless renewed (seconds); every machine of a team should use the same value.
LEASE_ENV = "PHOTO_ANNOTATOR_LEASE_SECONDS"
DEFAULT_LEASE_SECONDS = 120.0
# Locks: a job's row before its items; a caption's insert takes a key-share lock on its job's row, so
# the row is locked FOR NO KEY UPDATE, never FOR UPDATE; a renewal, a release and the freeing of
# lapsed items skip what another transaction holds, so they never wait in a cycle.
_JOB_ROW = {"key_share": True}


def lease_duration() -> timedelta:
    """The lease length: $PHOTO_ANNOTATOR_LEASE_SECONDS, else two minutes."""
    text = os.environ.get(LEASE_ENV, "").strip()
    try:
        seconds = float(text) if text else DEFAULT_LEASE_SECONDS
    except ValueError:
        seconds = DEFAULT_LEASE_SECONDS
    return timedelta(seconds=max(seconds, 0.5))


def holder_alive(owner: str | None, expires_at: datetime | None, now: datetime | None = None) -> bool:
    """Whether ``owner`` ("host:pid:start time", maybe ":tag") still holds a lease running until
    ``expires_at``: the lease has not run out and, on this machine, the process is still there."""
    if not owner or expires_at is None or expires_at <= (now or utcnow()):
        return False
    host, pid_text, started, *_tag = [*owner.split(":"), "", ""]
    if host != socket.gethostname() or not started:
        return True  # another machine (or a cluster driver's name): its lease is all we know
    import psutil

    try:
        return f"{psutil.Process(int(pid_text)).create_time():.2f}" == started
    except (psutil.Error, ValueError):
        return False


def job_lease_alive(job: Job, now: datetime | None = None) -> bool:
    """Whether the job row's own lease (its owner, renewed through heartbeat_at) is held."""
    expires = job.heartbeat_at + lease_duration() if job.heartbeat_at is not None else None
    return holder_alive(job.owner, expires, now)


# --- taking part in a job ------------------------------------------------------------------------------

def join(session: Session, job_id: int, owner: str, runner: str = ANY_RUNNER) -> Job:
    """Start working on a job as ``owner``: a queued, paused, failed or running one (others may be
    working on it: the items are shared). A train job runs in one process at a time: JobError while
    another holds its lease. JobError for a job of another runner (a cluster job, for workers)."""
    job = session.get(Job, job_id, with_for_update=_JOB_ROW)
    if job is None:
        raise JobError(f"no job {job_id} in this catalogue")
    if job.state in (JobState.DONE, JobState.CANCELLED):
        raise JobError(f"job {job_id} is {job.state.value}; there is nothing to resume")
    if (job.runner or ANY_RUNNER) != runner:
        raise JobError(f"job {job_id} is run by a cluster driver; workers leave it alone (resume it with "
                       f"`photo-annotator jobs resume {job_id} --cluster ADDRESS`)"
                       if job.runner == CLUSTER_RUNNER else f"job {job_id} is run by {job.runner}")
    if job.kind == TRAIN_JOB and job.state is JobState.RUNNING and job.owner != owner \
            and job_lease_alive(job):
        raise JobError(f"job {job_id} is already running in another process ({job.owner})")
    job.state, job.owner, job.error = JobState.RUNNING, owner, None
    job.started_at = job.started_at or utcnow()
    job.heartbeat_at = utcnow()
    return job


def claim_items(session: Session, job_id: int, owner: str, limit: int,
                lease: timedelta | None = None) -> list[PendingItem]:
    """Take up to ``limit`` of a job's pending items (first freeing items whose lease ran out) and lease
    them to ``owner``: running, one more attempt, in queue order. Nothing when the job is not queued
    or running (paused, cancelled, done). Commit soon: the items stay locked until then."""
    now = utcnow()
    started = session.execute(
        update(Job).where(Job.id == job_id, Job.state.in_([JobState.QUEUED, JobState.RUNNING]))
        .values(state=JobState.RUNNING, owner=owner, heartbeat_at=now,
                started_at=func.coalesce(Job.started_at, now))
    )
    if not started.rowcount:
        return []
    free_expired(session, job_id, now)
    rows = session.execute(
        select(JobItem.id, JobItem.photo_id)
        .where(JobItem.job_id == job_id, JobItem.state == JobItemState.PENDING)
        .order_by(JobItem.id).limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if rows:
        session.execute(
            update(JobItem).where(JobItem.id.in_([item_id for item_id, _photo in rows]))
            .values(state=JobItemState.RUNNING, attempts=JobItem.attempts + 1, lease_owner=owner,
                    lease_expires_at=now + (lease or lease_duration()), updated_at=now)
        )
    return [PendingItem(item_id, photo_id) for item_id, photo_id in rows]


def held_items(session: Session, owner: str, item_ids: Sequence[int]) -> set[int]:
    """Those of ``item_ids`` that ``owner`` still holds (locked until the transaction ends): only their
    results may be written; another worker took the rest over after ``owner``'s lease ran out."""
    if not item_ids:
        return set()
    return set(session.scalars(
        select(JobItem.id)
        .where(JobItem.id.in_(list(item_ids)), JobItem.state == JobItemState.RUNNING,
               JobItem.lease_owner == owner)
        .with_for_update()
    ))


def renew(session: Session, owner: str, lease: timedelta | None = None) -> int:
    """Extend every lease of ``owner`` (its items', and the rows of train jobs it runs); the number of
    items renewed. Rows another transaction holds (its own write finishing them) are left for the next
    renewal."""
    now = utcnow()
    jobs = list(session.scalars(select(Job.id).where(Job.owner == owner, Job.state == JobState.RUNNING)
                                .with_for_update(key_share=True, skip_locked=True)))
    if jobs:
        session.execute(update(Job).where(Job.id.in_(jobs)).values(heartbeat_at=now))
    items = list(session.scalars(
        select(JobItem.id).where(JobItem.lease_owner == owner, JobItem.state == JobItemState.RUNNING)
        .with_for_update(skip_locked=True)))
    if items:
        session.execute(update(JobItem).where(JobItem.id.in_(items))
                        .values(lease_expires_at=now + (lease or lease_duration())))
    return len(items)


def release(session: Session, owner: str, item_ids: Sequence[int] | None = None, job_id: int | None = None,
            count_attempt: bool = False) -> int:
    """Give back items ``owner`` holds (``item_ids``, else all of ``job_id``'s, else all): pending again.
    Not counting the attempt (interrupted, not at fault) unless ``count_attempt``. Returns how many."""
    query = select(JobItem.id).where(JobItem.lease_owner == owner, JobItem.state == JobItemState.RUNNING)
    if item_ids is not None:
        query = query.where(JobItem.id.in_(list(item_ids)))
    if job_id is not None:
        query = query.where(JobItem.job_id == job_id)
    ids = list(session.scalars(query.with_for_update(skip_locked=True)))
    _free(session, ids, count_attempt)
    return len(ids)


def free_expired(session: Session, job_id: int | None = None, now: datetime | None = None) -> int:
    """Free running items whose holder's lease ran out or whose process on this machine is gone, counting
    the attempt. Only those items are locked (skipping any another transaction holds: left for the next
    look), and each is checked again once locked."""
    now = now or utcnow()
    query = (select(JobItem.id, JobItem.lease_owner, JobItem.lease_expires_at, Job.owner, Job.heartbeat_at)
             .join(Job, Job.id == JobItem.job_id).where(JobItem.state == JobItemState.RUNNING))
    if job_id is not None:
        query = query.where(JobItem.job_id == job_id)
    lease = lease_duration()
    seen: dict[int, tuple[str | None, datetime | None]] = {}
    for item_id, holder, expires, job_owner, heartbeat in session.execute(query):
        if holder is None:  # written before leases: the job's process held it
            holder, expires = job_owner, heartbeat + lease if heartbeat is not None else None
        if not holder_alive(holder, expires, now):
            seen[item_id] = (holder, expires)
    if not seen:
        return 0
    locked = session.execute(
        select(JobItem.id, JobItem.lease_owner, JobItem.lease_expires_at)
        .where(JobItem.id.in_(list(seen)), JobItem.state == JobItemState.RUNNING)
        .with_for_update(skip_locked=True))
    dead = [(item_id, holder or seen[item_id][0]) for item_id, holder, expires in locked
            if holder == seen[item_id][0] or (holder is None and seen[item_id][0] is not None)
            if not holder_alive(holder or seen[item_id][0], expires or seen[item_id][1], now)]
    # A cluster driver's photos were with its actors, not at fault: the cluster counts the deaths of its
    # actors itself (jobs/cluster/pipeline.py), so their attempt is given back.
    _free(session, [item_id for item_id, holder in dead if not is_cluster_driver(holder)], count_attempt=True)
    _free(session, [item_id for item_id, holder in dead if is_cluster_driver(holder)], count_attempt=False)
    return len(dead)


def is_cluster_driver(owner: str | None) -> bool:
    """Whether a holder's name is a cluster driver's ("host:pid:start:cluster")."""
    return bool(owner) and str(owner).endswith(":" + CLUSTER_RUNNER)


def _free(session: Session, item_ids: list[int], count_attempt: bool) -> None:
    if item_ids:
        store.return_items(session, JobItem.id.in_(item_ids), count_attempt=count_attempt)


def held_by_others(session: Session, job_id: int) -> bool:
    """Whether any holder still works on the job's items (after freeing those whose lease ran out)."""
    free_expired(session, job_id)
    return bool(session.scalar(select(exists().where(JobItem.job_id == job_id,
                                                     JobItem.state == JobItemState.RUNNING))))


def leave(session: Session, job_id: int, owner: str, state: JobState, error: str | None = None) -> None:
    """``owner`` stops working on a job, giving back the items it holds (not counting the attempt).

    ``state`` is how its run ended: DONE (nothing left to take), QUEUED (broken off: Ctrl+C, the app
    closing), PAUSED, FAILED (with ``error``) or CANCELLED. While others still hold items the job stays
    running (a failure becomes a notice); the last holder to leave sets its state, DONE only when
    nothing is pending (else QUEUED). A job cancelled meanwhile skips what was still to do; one
    paused, failed or done by another process stays so."""
    job = session.get(Job, job_id, with_for_update=_JOB_ROW)
    if job is None:
        return
    release(session, owner, job_id=job_id)
    if job.owner == owner:
        job.owner = None
    if job.state is JobState.CANCELLED or state is JobState.CANCELLED:
        store.stop(session, job_id, JobState.CANCELLED)
        return
    if job.state in (JobState.PAUSED, JobState.FAILED, JobState.DONE):
        return  # another process decided
    if job.kind != TRAIN_JOB and held_by_others(session, job_id):
        if error is not None:
            store.add_notice(session, job_id, f"a worker stopped: {error}")
        job.state = JobState.RUNNING
        return
    left = job.kind != TRAIN_JOB and bool(session.scalar(
        select(func.count()).select_from(JobItem)
        .where(JobItem.job_id == job_id, JobItem.state == JobItemState.PENDING)))
    if job.kind != TRAIN_JOB and state in (JobState.DONE, JobState.QUEUED, JobState.PAUSED):
        state = JobState.DONE if not left else (JobState.QUEUED if state is JobState.DONE else state)
    if job.standing is not None and state is JobState.DONE:
        state = JobState.QUEUED  # a standing job never completes: it waits for the next photos (standing.py)
    store.stop(session, job_id, state, error)


def adopt(session: Session, job_id: int) -> str:
    """Make a queued caption job a cluster driver's (`jobs resume --cluster` of a job queued for any
    worker); the job's kind. JobError when workers are captioning it now."""
    job = session.get(Job, job_id, with_for_update=_JOB_ROW)
    if job is None:
        raise JobError(f"no job {job_id} in this catalogue")
    if job.kind != store.CAPTION_JOB or (job.runner or ANY_RUNNER) == CLUSTER_RUNNER:
        return job.kind
    if job.state is JobState.RUNNING and held_by_others(session, job_id):
        raise JobError(f"job {job_id} is being captioned by workers; it cannot move to a cluster now")
    job.runner = CLUSTER_RUNNER
    return job.kind


def cancel(session: Session, job_id: int) -> JobSummary:
    """Cancel a job. A job running in another process stops after its current batch."""
    job = session.get(Job, job_id)
    if job is None:
        raise JobError(f"no job {job_id} in this catalogue")
    if job.state in (JobState.DONE, JobState.CANCELLED):
        raise JobError(f"job {job_id} is already {job.state.value}")
    if job.state is JobState.RUNNING and (job_lease_alive(job) or held_by_others(session, job_id)):
        job.state = JobState.CANCELLED  # its workers see this after their batch and stop
    else:
        store.stop(session, job_id, JobState.CANCELLED)
    session.flush()
    return store.summary(session, job_id)


def recover_interrupted(session: Session) -> list[int]:
    """Free the items of holders that are gone (lease run out, or their process on this machine ended),
    counting the attempt, and put running jobs nobody works on any more back in the queue. Returns
    those jobs' ids."""
    now = utcnow()
    free_expired(session, None, now)
    recovered = []
    for job in session.scalars(select(Job).where(Job.state == JobState.RUNNING)):
        if job_lease_alive(job, now):
            continue
        if job.kind != TRAIN_JOB and session.scalar(select(exists().where(
                JobItem.job_id == job.id, JobItem.state == JobItemState.RUNNING))):
            continue  # others still work on it
        job.state, job.owner = JobState.QUEUED, None
        recovered.append(job.id)
    return recovered


def next_claimable(session: Session, runner: str = ANY_RUNNER, skip: Collection[int] = ()) -> int | None:
    """The oldest job of ``runner`` a worker can take part in: a queued one, or a running one with items
    pending (or whose lease ran out); not one of ``skip``. A standing job only while it has items to
    take: an idle one waits without holding up the jobs queued after it (jobs/standing.py)."""
    now = utcnow()
    open_items = exists().where(
        JobItem.job_id == Job.id,
        (JobItem.state == JobItemState.PENDING)
        | ((JobItem.state == JobItemState.RUNNING) & (JobItem.lease_expires_at < now)))
    return session.scalar(
        select(Job.id).where(Job.runner == runner,
                             ((Job.state == JobState.QUEUED) & (Job.standing.is_(None) | open_items))
                             | ((Job.state == JobState.RUNNING) & (Job.kind != TRAIN_JOB) & open_items))
        .where(Job.id.not_in(list(skip)))
        .order_by(Job.id).limit(1)
    )


def cluster_jobs(session: Session, job_ids: Sequence[int]) -> set[int]:
    """Those of ``job_ids`` that a cluster driver runs."""
    return set(session.scalars(select(Job.id).where(Job.id.in_(list(job_ids)), Job.runner == CLUSTER_RUNNER)))


def open_jobs(session: Session, runner: str = ANY_RUNNER, skip: Collection[int] = ()) -> bool:
    """Whether any job of ``runner`` (but those of ``skip``) is still queued or running (a worker with
    --once waits for those: a running job's items come back when a holder dies). A standing job only
    while it has items left: an idle one waits for photos forever."""
    left = exists().where(JobItem.job_id == Job.id,
                          JobItem.state.in_([JobItemState.PENDING, JobItemState.RUNNING]))
    return bool(session.scalar(select(exists().where(
        Job.runner == runner, Job.state.in_([JobState.QUEUED, JobState.RUNNING]),
        Job.standing.is_(None) | left, Job.id.not_in(list(skip))))))


class LeaseKeeper:
    """Renews ``owner``'s leases every third of the lease length on a daemon thread, from ``with`` to its
    end (a slow model load, a long batch, a whole training run)."""

    def __init__(self, catalogue: Any, owner: str, lease: timedelta | None = None) -> None:
        self.catalogue = catalogue
        self.owner = owner
        self.lease = lease or lease_duration()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="job-lease", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.lease.total_seconds() / 3):
            try:
                with self.catalogue.write() as session:
                    renew(session, self.owner, self.lease)
            except Exception as exc:  # the next renewal may get through; the lease has time left
                log.warning("could not renew the job leases of %s: %s", self.owner, exc)
