"""What became of each AI draft: approved unchanged, edited, or rejected, with the word-level edit distance
between the draft and the approved text, the flags the draft carried and the review time. One row per
draft (a caption's model-written revision), written in the same transaction as the decision, so the
quality report (services/quality.py) only adds stored values up.

The rules:
- a draft is the newest revision of a caption that a model wrote (created or regenerated with origin AI);
  imported and human captions have none;
- approving or rejecting the caption (or an edit saved as approved) records the draft's outcome; a later
  decision on the same draft replaces it (approve, then reject: rejected); a change that leaves the
  outcome as it was (the rejected draft made the current caption again) keeps the decision, its author,
  time and review time;
- a change that leaves the caption a draft again (an edit, an undo of the approval) withdraws it: that
  draft has no outcome until someone decides again;
- the edit distance counts whole words (split on white space, compared exactly: a capital letter or a
  comma fixed is an edit of that word) inserted, deleted or replaced, by rapidfuzz's Levenshtein.
"""

from __future__ import annotations

import enum
from datetime import datetime

from rapidfuzz.distance import Levenshtein
from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from desktop_app.catalogue.models import (
    Base,
    Caption,
    CaptionOrigin,
    CaptionRevision,
    ReviewState,
    RevisionAction,
    UTCDateTime,
    utcnow,
)


class Outcome(enum.StrEnum):
    UNCHANGED = "unchanged"  # approved as the model wrote it
    EDITED = "edited"  # approved after a person changed the text
    REJECTED = "rejected"


class ReviewOutcome(Base):
    """The decision on one AI draft (see the module's rules)."""

    __tablename__ = "review_outcomes"
    __table_args__ = (
        UniqueConstraint("caption_id", "draft_revision"),
        Index(None, "decided_at"),
        Index(None, "captioner_id", "decided_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caption_id: Mapped[int] = mapped_column(ForeignKey("captions.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    draft_revision: Mapped[int] = mapped_column(Integer)  # the number of the revision holding the draft
    captioner_id: Mapped[str | None] = mapped_column(String(128))
    model_id: Mapped[str | None] = mapped_column(String(255))
    model_revision: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))  # an Outcome
    draft_words: Mapped[int] = mapped_column(Integer)
    edit_distance: Mapped[int | None] = mapped_column(Integer)  # words; None for a rejected draft
    flag_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # the draft's flags
    # From the photo shown to the decision, when the app measured it (from this version on; not on the
    # command line); None: not measured.
    review_seconds: Mapped[float | None] = mapped_column(Float)
    author: Mapped[str | None] = mapped_column(String(255))
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


DRAFT_ACTIONS = (RevisionAction.CREATED, RevisionAction.REGENERATED)

# The Monday of a decision's week on SQLite (decided_at is stored as "YYYY-MM-DD HH:MM:SS..." in UTC). The
# quality report (services/quality.py) groups by it; migration 0014 indexes it, with the figures the report
# adds up after it (and decided_at, which makes the index covering), so SQLite reads each week's rows already
# grouped, and a week's review times in order, from that index instead of sorting a million table rows. A
# query must spell it exactly so to use the index.
SQLITE_WEEK = "date(decided_at, 'weekday 0', '-6 days')"


def words(text: str) -> list[str]:
    return text.split()


def word_distance(draft: str, final: str) -> int:
    """Words inserted, deleted or replaced to turn ``draft`` into ``final``."""
    return Levenshtein.distance(words(draft), words(final))


def decide(outcome_of: ReviewState, draft_text: str, final_text: str) -> tuple[Outcome, int | None]:
    """The outcome and edit distance of a draft whose caption now reads ``final_text`` in ``outcome_of``."""
    if outcome_of is ReviewState.REJECTED:
        return Outcome.REJECTED, None
    if draft_text == final_text:
        return Outcome.UNCHANGED, 0
    return Outcome.EDITED, word_distance(draft_text, final_text)


def draft_revision(session: Session, caption_id: int) -> CaptionRevision | None:
    """The caption's newest model-written revision: the draft a decision is about."""
    return session.scalar(
        select(CaptionRevision)
        .where(CaptionRevision.caption_id == caption_id, CaptionRevision.origin == CaptionOrigin.AI,
               CaptionRevision.action.in_(DRAFT_ACTIONS))
        .order_by(CaptionRevision.number.desc()).limit(1))


def record(session: Session, caption: Caption, action: RevisionAction, author: str | None) -> None:
    """Keep the outcome of the caption's draft in step with a revision just written (the module's rules).
    Called by captions.append_revision for every revision a person's action writes."""
    if (action in DRAFT_ACTIONS and caption.origin is CaptionOrigin.AI) or action is RevisionAction.CREATED:
        return  # a new draft (nothing decided about it yet), or a new caption no model wrote
    draft = draft_revision(session, caption.id)
    if draft is None:
        return
    if caption.state is ReviewState.DRAFT:
        session.execute(delete(ReviewOutcome).where(ReviewOutcome.caption_id == caption.id,
                                                    ReviewOutcome.draft_revision == draft.number))
        return
    outcome, distance = decide(caption.state, draft.text, caption.text)
    row = session.scalar(select(ReviewOutcome).where(ReviewOutcome.caption_id == caption.id,
                                                     ReviewOutcome.draft_revision == draft.number))
    if row is None:
        row = ReviewOutcome(caption_id=caption.id, photo_id=caption.photo_id, draft_revision=draft.number)
        session.add(row)
    elif (row.outcome, row.edit_distance) == (outcome.value, distance):
        return  # decided so already: the decision stands as it was made
    row.kind = caption.kind.value
    row.captioner_id, row.model_id, row.model_revision = (caption.captioner_id, caption.model_id,
                                                          caption.model_revision)
    row.outcome, row.edit_distance = outcome.value, distance
    row.draft_words = len(words(draft.text))
    row.flag_count = len(draft.flags or ())
    row.author, row.drafted_at, row.decided_at = author, draft.created_at, utcnow()
    row.review_seconds = None  # measured for this decision, if at all: set_review_time
    session.flush()


def set_review_time(session: Session, caption: Caption, seconds: float) -> None:
    """The time the editor spent on the photo before the decision just recorded for ``caption``."""
    draft = draft_revision(session, caption.id)
    if draft is None or seconds < 0:
        return
    row = session.scalar(select(ReviewOutcome).where(ReviewOutcome.caption_id == caption.id,
                                                     ReviewOutcome.draft_revision == draft.number))
    if row is not None:
        row.review_seconds = float(seconds)
        session.flush()
