"""Per-photo write locks: how writers of one photo's captions and keywords take turns on a server.

On SQLite every write transaction begins with BEGIN IMMEDIATE, so writers already run one at a time.
On PostgreSQL (READ COMMITTED) a write transaction sees what others committed before each statement,
and a read-then-write ("which caption is current?", "has the photo a keyword for this term yet?",
"is there an unsaved edit?") could act on something another writer is changing. Every change to a
photo's captions, keywords or unsaved edits therefore first locks the photo's row
(``SELECT ... FOR NO KEY UPDATE``) and reads after that: writers of one photo take turns, writers of
different photos never wait for each other, and inserts that merely reference the photo (a foreign
key takes a KEY SHARE lock) are not held up. The revision counters' compare-and-set (captions.py,
keywords.py) stays the backstop for a session that kept an object loaded from before its lock.

Several photos are locked in id order, so two writers of overlapping batches cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.catalogue.models import Photo


def lock_photos(session: Session, photo_ids: Iterable[int]) -> None:
    """Hold the write lock of each photo in ``photo_ids`` until the session's transaction ends (a no-op on
    SQLite, whose write transactions hold the whole database)."""
    ids = sorted(set(photo_ids))
    if not ids or session.get_bind().dialect.name == "sqlite":
        return
    for start in range(0, len(ids), 1000):
        session.execute(select(Photo.id).where(Photo.id.in_(ids[start:start + 1000])).order_by(Photo.id)
                        .with_for_update(key_share=True))


def lock_name(session: Session, name: str) -> None:
    """Hold a lock on ``name`` (a PostgreSQL transaction-level advisory lock) until the transaction ends:
    for what has no row to lock yet, such as a free keyword two editors add at once. A no-op on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"photo_annotator:{name}"))))


def lock_photo(session: Session, photo_id: int) -> None:
    """Hold the photo's write lock until the transaction ends (see lock_photos)."""
    lock_photos(session, (photo_id,))
