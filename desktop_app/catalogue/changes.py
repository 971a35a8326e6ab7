"""What other writers change in a catalogue, as it happens: the photos whose captions or keywords changed.

An open window shows another editor's change within a few seconds through a feed of changes:
- on PostgreSQL, LISTEN on the channel the triggers of migration 0013 notify after every caption and
  keyword revision ("captions:<photo id>", "keywords:<photo id>"), on a connection of its own in
  autocommit: a change arrives as soon as its transaction commits, at no cost while nothing changes;
- on SQLite, which has no notifications between processes, a poll every POLL_SECONDS of the revisions
  written since the last one seen (a range of primary keys: one cheap query per table).

A feed sees every writer's changes, its own process's included; a front end refreshes what it shows of
those photos (never over text a person is typing). ``Changes.everything`` says the feed may have
missed some (it reconnected after the server went away): show everything again.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from desktop_app.catalogue.models import Caption, CaptionRevision, PhotoKeyword, PhotoKeywordRevision

if TYPE_CHECKING:
    from desktop_app.catalogue.database import Catalogue

CHANNEL = "photo_annotator_changes"  # migration 0013's triggers notify it
POLL_SECONDS = 2.0  # SQLite: how often the revisions are read
BURST_SECONDS = 0.05  # PostgreSQL: after a first notification, how long to gather the rest of its burst


@dataclass(frozen=True)
class Changes:
    """The photos whose captions, and those whose keywords, changed; ``everything``: any may have."""

    captions: frozenset[int] = field(default_factory=frozenset)
    keywords: frozenset[int] = field(default_factory=frozenset)
    everything: bool = False

    def __bool__(self) -> bool:
        return self.everything or bool(self.captions or self.keywords)

    @property
    def photo_ids(self) -> frozenset[int]:
        return self.captions | self.keywords

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.captions | other.captions, self.keywords | other.keywords,
                       self.everything or other.everything)


class ChangeFeed:
    """Changes made from now on. ``wait(timeout)`` returns those seen within ``timeout`` seconds (empty
    Changes when none; sooner when some came); ``close()`` ends the feed, on the thread that waits."""

    def wait(self, timeout: float) -> Changes:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> ChangeFeed:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class PollingFeed(ChangeFeed):
    """SQLite's feed: the revisions written since the newest one seen, read every ``interval`` seconds."""

    def __init__(self, catalogue: Catalogue, interval: float = POLL_SECONDS) -> None:
        self._catalogue, self._interval = catalogue, interval
        self._closed = threading.Event()
        with catalogue.read() as session:
            self._last_caption = session.scalar(select(func.max(CaptionRevision.id))) or 0
            self._last_keyword = session.scalar(select(func.max(PhotoKeywordRevision.id))) or 0
        self._next_poll = time.monotonic() + interval

    def wait(self, timeout: float) -> Changes:
        deadline = time.monotonic() + timeout
        while not self._closed.is_set():
            now = time.monotonic()
            if now >= self._next_poll:
                self._next_poll = now + self._interval
                changes = self._poll()
                if changes:
                    return changes
            if now >= deadline:
                break
            self._closed.wait(min(self._next_poll, deadline) - now)
        return Changes()

    def _poll(self) -> Changes:
        with self._catalogue.read() as session:
            captions = session.execute(
                select(CaptionRevision.id, Caption.photo_id)
                .join(Caption, Caption.id == CaptionRevision.caption_id)
                .where(CaptionRevision.id > self._last_caption)).all()
            keywords = session.execute(
                select(PhotoKeywordRevision.id, PhotoKeyword.photo_id)
                .join(PhotoKeyword, PhotoKeyword.id == PhotoKeywordRevision.keyword_id)
                .where(PhotoKeywordRevision.id > self._last_keyword)).all()
        self._last_caption = max((row.id for row in captions), default=self._last_caption)
        self._last_keyword = max((row.id for row in keywords), default=self._last_keyword)
        return Changes(frozenset(row.photo_id for row in captions),
                       frozenset(row.photo_id for row in keywords))

    def close(self) -> None:
        self._closed.set()


class NotificationFeed(ChangeFeed):
    """PostgreSQL's feed: LISTEN on CHANNEL on a psycopg connection of its own, in autocommit."""

    def __init__(self, catalogue: Catalogue) -> None:
        import psycopg  # the postgres extra; the catalogue could not be open without it

        conninfo = catalogue.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._connection = psycopg.connect(conninfo, autocommit=True)
        self._connection.execute(f"LISTEN {CHANNEL}")
        self._closed = False

    def wait(self, timeout: float) -> Changes:
        captions: set[int] = set()
        keywords: set[int] = set()
        if self._closed:
            return Changes()
        for wait, many in ((timeout, 1), (BURST_SECONDS, None)):
            for note in self._connection.notifies(timeout=wait, stop_after=many):
                table, _, photo_id = note.payload.partition(":")
                if photo_id.isdigit():
                    (captions if table == "captions" else keywords).add(int(photo_id))
            if not (captions or keywords):
                break
        return Changes(frozenset(captions), frozenset(keywords))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._connection.close()


def open_change_feed(catalogue: Catalogue, *, poll_seconds: float = POLL_SECONDS) -> ChangeFeed:
    """The catalogue's feed of changes from now on: notifications on PostgreSQL, polling elsewhere."""
    if catalogue.engine.dialect.name == "postgresql":
        return NotificationFeed(catalogue)
    return PollingFeed(catalogue, poll_seconds)
