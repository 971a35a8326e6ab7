"""Other editors' changes, passed on as they happen: what an open window listens to so that it shows a
caption or keyword another editor (or a captioning machine) changed within a few seconds.

Qt-free: the app's change worker runs a :class:`ChangeWatcher` on a thread of its own; a headless
client may too. The feed (catalogue/changes.py) is LISTEN/NOTIFY on PostgreSQL, polling on SQLite.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.changes import POLL_SECONDS, ChangeFeed, Changes, open_change_feed
from desktop_app.errors import one_line

log = logging.getLogger(__name__)

__all__ = ["ChangeWatcher", "Changes"]


class ChangeWatcher:
    """Watches a catalogue until stopped and hands each batch of changes to ``emit``: a burst (a job's
    batch, an editor's quick approvals) gathered for up to ``settle`` seconds into one. After the server
    went away it opens the feed again every ``retry`` seconds, then emits ``Changes(everything=True)``:
    what changed meanwhile is unknown."""

    def __init__(self, catalogue: Catalogue, *, poll: float = POLL_SECONDS, wait: float = 0.5,
                 settle: float = 1.0, retry: float = 5.0) -> None:
        self.catalogue = catalogue
        self.poll, self.wait, self.settle, self.retry = poll, wait, settle, retry

    def run(self, stop: threading.Event, emit: Callable[[Changes], None]) -> None:
        """Until ``stop`` is set (noticed within ``wait`` seconds)."""
        feed: ChangeFeed | None = None
        missed = False
        pending, since = Changes(), 0.0
        try:
            while not stop.is_set():
                try:
                    if feed is None:
                        feed = open_change_feed(self.catalogue, poll_seconds=self.poll)
                        if missed:
                            emit(Changes(everything=True))
                            missed = False
                    changes = feed.wait(self.wait)
                except Exception as exc:  # the server went away (a restart, the network): try again
                    log.warning("cannot follow other editors' changes: %s", one_line(exc))
                    if feed is not None:
                        _close_quietly(feed)
                    feed, missed = None, True
                    stop.wait(self.retry)
                    continue
                if changes and not pending:
                    since = time.monotonic()
                pending |= changes
                if pending and (not changes or time.monotonic() - since >= self.settle):
                    emit(pending)
                    pending = Changes()
        finally:
            if feed is not None:
                _close_quietly(feed)


def _close_quietly(feed: ChangeFeed) -> None:
    try:
        feed.close()
    except Exception as exc:  # a connection already broken
        log.debug("closing the change feed: %s", one_line(exc))
