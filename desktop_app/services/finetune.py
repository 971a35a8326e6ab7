"""When to suggest fine-tuning a captioner: after Settings.review.finetune_after new approved captions of
its drafts (approved unchanged or edited, from catalogue/outcomes.py) since its last fine-tune finished
(a train job done), or since ever. No Qt; the app asks on its catalogue thread after approvals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Job, JobState
from desktop_app.catalogue.outcomes import Outcome, ReviewOutcome
from desktop_app.jobs.store import TRAIN_JOB

APPROVED = (Outcome.UNCHANGED.value, Outcome.EDITED.value)


@dataclass(frozen=True)
class FineTuneSuggestion:
    captioner_id: str
    approved: int  # drafts of the captioner approved (as written, or edited) since ``since``
    since: datetime | None  # when its last fine-tune finished; None: never fine-tuned here


def approvals_since_fine_tune(catalogue: Catalogue) -> list[FineTuneSuggestion]:
    """Per captioner with approved drafts: how many were approved since its last fine-tune finished."""
    last = (select(Job.captioner_id.label("captioner_id"), func.max(Job.finished_at).label("finished_at"))
            .where(Job.kind == TRAIN_JOB, Job.state == JobState.DONE).group_by(Job.captioner_id).subquery())
    query = (select(ReviewOutcome.captioner_id, func.count(ReviewOutcome.id), last.c.finished_at)
             .outerjoin(last, last.c.captioner_id == ReviewOutcome.captioner_id)
             .where(ReviewOutcome.outcome.in_(APPROVED), ReviewOutcome.captioner_id.is_not(None),
                    or_(last.c.finished_at.is_(None), ReviewOutcome.decided_at > last.c.finished_at))
             .group_by(ReviewOutcome.captioner_id, last.c.finished_at).order_by(ReviewOutcome.captioner_id))
    with catalogue.read() as session:
        return [FineTuneSuggestion(captioner_id, count, since)
                for captioner_id, count, since in session.execute(query)]


def fine_tune_suggestions(catalogue: Catalogue, after: int) -> list[FineTuneSuggestion]:
    """The captioners with at least ``after`` (Settings.review.finetune_after) new approved captions."""
    return [found for found in approvals_since_fine_tune(catalogue) if found.approved >= after]
