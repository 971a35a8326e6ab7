"""Short claims on the photo an editor is reviewing, so that editors working the same review order on a
shared catalogue are given different photos. A claim is released when the editor leaves the photo, and
lapses after a few minutes without activity (``expires_at``), so a closed laptop holds nothing for long."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from desktop_app.catalogue.models import Base, UTCDateTime, utcnow


class ReviewClaim(Base):
    __tablename__ = "review_claims"
    __table_args__ = (Index(None, "expires_at"),)

    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))  # the claiming editor and process ("ana@host:pid:start")
    editor: Mapped[str | None] = mapped_column(String(255))  # shown to others ("Ana is reviewing it")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


CLAIM_MINUTES = 5.0  # a claim lapses after this long without the editor's activity (renew)


def _lapse(minutes: float, now: datetime) -> datetime:
    return now + timedelta(minutes=minutes)


def claim(session: Session, photo_id: int, owner: str, editor: str | None,
          minutes: float = CLAIM_MINUTES, now: datetime | None = None) -> str | None:
    """Claim the photo for ``owner`` for ``minutes``; None when it is now ``owner``'s (and the owner's
    other claims are released: an editor reviews one photo at a time), else the editor who holds an
    unexpired claim on it (it stays theirs, and the owner keeps what it held). An expired claim of
    anyone is taken over."""
    now = now or utcnow()
    held = session.get(ReviewClaim, photo_id, with_for_update=True)
    if held is None:
        # Two editors claiming a free photo at once: the primary key lets one insert win.
        inserted = session.execute(_insert(session).values(
            photo_id=photo_id, owner=owner, editor=editor, claimed_at=now,
            expires_at=_lapse(minutes, now)).on_conflict_do_nothing(index_elements=["photo_id"]))
        if inserted.rowcount != 1:
            held = session.get(ReviewClaim, photo_id, with_for_update=True, populate_existing=True)
            if held is None:  # released meanwhile: free again
                return claim(session, photo_id, owner, editor, minutes, now)
    if held is not None:
        if held.owner != owner and held.expires_at > now:
            return held.editor or held.owner
        if held.owner != owner:
            held.claimed_at = now
        held.owner, held.editor, held.expires_at = owner, editor, _lapse(minutes, now)
    release(session, owner, keep=photo_id)
    session.flush()
    return None


def renew(session: Session, owner: str, minutes: float = CLAIM_MINUTES, now: datetime | None = None) -> int:
    """Push back the lapse of ``owner``'s unexpired claims (the editor is active); how many."""
    now = now or utcnow()
    result = session.execute(update(ReviewClaim).where(ReviewClaim.owner == owner,
                                                       ReviewClaim.expires_at > now)
                             .values(expires_at=_lapse(minutes, now)))
    return int(result.rowcount or 0)


def release(session: Session, owner: str, photo_id: int | None = None, keep: int | None = None) -> int:
    """Drop ``owner``'s claim on ``photo_id`` (None: all its claims, but the one on ``keep``); how many."""
    statement = delete(ReviewClaim).where(ReviewClaim.owner == owner)
    if photo_id is not None:
        statement = statement.where(ReviewClaim.photo_id == photo_id)
    if keep is not None:
        statement = statement.where(ReviewClaim.photo_id != keep)
    return int(session.execute(statement).rowcount or 0)


def claimed_by_others(session: Session, owner: str, now: datetime | None = None) -> dict[int, str]:
    """Photos others hold an unexpired claim on: photo id -> the editor (else the owner) holding it."""
    now = now or utcnow()
    rows = session.execute(select(ReviewClaim.photo_id, ReviewClaim.editor, ReviewClaim.owner)
                           .where(ReviewClaim.owner != owner, ReviewClaim.expires_at > now))
    return {photo_id: editor or holder for photo_id, editor, holder in rows}


def clean_expired(session: Session, now: datetime | None = None) -> int:
    """Delete lapsed claims (they are ignored anyway; this keeps the table small); how many."""
    now = now or utcnow()
    return int(session.execute(delete(ReviewClaim).where(ReviewClaim.expires_at <= now)).rowcount or 0)


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(ReviewClaim)
