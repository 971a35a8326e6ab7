"""Short claims on the photo an editor is reviewing, so that editors working the same review order on a
shared catalogue are given different photos. A claim is released when the editor leaves the photo, and
lapses after a few minutes without activity (``expires_at``), so a closed laptop holds nothing for long."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from desktop_app.catalogue.models import Base, UTCDateTime, utcnow


class ReviewClaim(Base):
    __tablename__ = "review_claims"
    __table_args__ = (Index(None, "expires_at"),)

    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), primary_key=True)
    owner: Mapped[str] = mapped_column(String(255))  # the claiming editor and process ("ana@host:pid:start")
    editor: Mapped[str | None] = mapped_column(String(255))  # shown to others ("Ana is reviewing it")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
