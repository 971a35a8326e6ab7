"""Standing jobs: the job a watched library's new photos are appended to, one per library and captioner
(and model), and one per library and tagger (no Qt, no torch).

A standing job is an ordinary caption or tag job with a key in ``Job.standing`` ("library:3:caption:
CAPTIONER:MODEL"). Unlike others it may be created with no item, and it never completes: the holder that
leaves it with nothing to do puts it back in the queue (queued, listed as "watching" while it has
nothing pending), and workers pass over it until photos are appended (leases.next_claimable), so it
waits without holding up the jobs queued after it.

Pause and resume work as for any job. A cancelled (or finished, by an older version) standing job is
never revived: the next photos of its library go into a new standing job with the same key, so
cancelling stops the captioning of what was queued, not the watching (`watch --stop-watching` does
that). A failed one (its model does not load here) keeps collecting photos until it is resumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop_app.catalogue.caption_rules import default_author
from desktop_app.catalogue.models import Job, JobItem, JobItemState, JobState, utcnow
from desktop_app.jobs.store import ANY_RUNNER, CAPTION_JOB, TAG_JOB, JobError

# The states in which a standing job still takes new photos: a cancelled or done one is left alone.
COLLECTING = (JobState.QUEUED, JobState.RUNNING, JobState.PAUSED, JobState.FAILED)


def standing_key(library_id: int, kind: str, plugin_id: str, model: str | None = None) -> str:
    """The key of a library's standing job for a captioner (kind "caption") or tagger ("tag") and model."""
    if kind not in (CAPTION_JOB, TAG_JOB):
        raise JobError(f"a standing job captions or tags, not {kind!r}")
    return f"library:{library_id}:{kind}:{plugin_id}:{model or ''}"[:255]


def standing_job(session: Session, key: str, kind: str, plugin_id: str, model: str | None,
                 options: dict[str, Any] | None = None) -> Job:
    """The standing job with ``key`` that still takes photos (the oldest, should there be two), else a
    new queued one without items."""
    job = session.scalars(select(Job).where(Job.standing == key, Job.state.in_(COLLECTING))
                          .order_by(Job.id).limit(1)).first()
    if job is not None:
        return job
    job = Job(kind=kind, state=JobState.QUEUED, captioner_id=plugin_id, model_id=model,
              options=dict(options or {}), author=default_author(), runner=ANY_RUNNER, standing=key)
    session.add(job)
    session.flush()
    return job


def append_photos(session: Session, job_id: int, photo_ids: Sequence[int]) -> int:
    """Append photos to a standing job; how many are now pending that were not. A photo already pending
    (or being captioned) is not added twice; one whose item finished (done, failed, skipped: its file
    changed since, says the caller) is armed again, as the job holds one item per photo."""
    wanted = list(dict.fromkeys(photo_ids))
    if not wanted:
        return 0
    now = utcnow()
    existing: dict[int, JobItemState] = {}
    for start in range(0, len(wanted), 500):
        existing.update((photo_id, state) for photo_id, state in session.execute(
            select(JobItem.photo_id, JobItem.state)
            .where(JobItem.job_id == job_id, JobItem.photo_id.in_(wanted[start:start + 500]))))
    new = [photo_id for photo_id in wanted if photo_id not in existing]
    rearm = [photo_id for photo_id, state in existing.items()
             if state in (JobItemState.DONE, JobItemState.FAILED, JobItemState.SKIPPED)]
    if new:
        session.execute(JobItem.__table__.insert(), [
            {"job_id": job_id, "photo_id": photo_id, "state": JobItemState.PENDING.value, "attempts": 0,
             "updated_at": now} for photo_id in new])
    for start in range(0, len(rearm), 500):
        session.execute(
            update(JobItem)
            .where(JobItem.job_id == job_id, JobItem.photo_id.in_(rearm[start:start + 500]))
            .values(state=JobItemState.PENDING, attempts=0, error=None, caption_id=None,
                    lease_owner=None, lease_expires_at=None, updated_at=now))
    return len(new) + len(rearm)
