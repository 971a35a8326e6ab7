"""The feed of other writers' changes: a caption or keyword changed through another connection (another
process's, as far as the database can tell) names its photo, on SQLite (polling) and PostgreSQL
(LISTEN/NOTIFY)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktop_app.catalogue import open_catalogue
from desktop_app.catalogue.changes import Changes, open_change_feed
from desktop_app.services.changes import ChangeWatcher
from desktop_app.services.keywords import ADD, tag_photos
from desktop_app.services.review import EDIT, Change, review
from tests.team_clients import make_photos

pytestmark = pytest.mark.both_backends


def _gather(feed_wait: object, wanted: Changes) -> Changes:
    """What the feed reports until it has reported ``wanted`` (or 20 s passed)."""
    seen = Changes()
    for _turn in range(40):
        seen |= feed_wait(0.5)  # type: ignore[operator]
        if wanted.captions <= seen.captions and wanted.keywords <= seen.keywords:
            break
    return seen


def test_the_feed_names_the_photos_another_connection_changed(db_path: Path | str) -> None:
    with open_catalogue(db_path) as catalogue, open_catalogue(db_path) as other:
        first, second, _third = make_photos(catalogue, 3, captioned=1)
        with open_change_feed(catalogue, poll_seconds=0.1) as feed:
            assert not feed.wait(0.2)  # nothing yet: what was there before the feed opened is not news
            review(other, str(first), Change(EDIT, text="Ann's words"), author="ann")
            tag_photos(other, [str(second)], "harbour", ADD, author="ann")
            seen = _gather(feed.wait, Changes(frozenset({first}), frozenset({second})))
    assert (seen.captions, seen.keywords) == ({first}, {second})


def test_the_watcher_passes_changes_on_until_stopped(db_path: Path | str) -> None:
    with open_catalogue(db_path) as catalogue, open_catalogue(db_path) as other:
        [photo_id] = make_photos(catalogue, 1)
        received: list[Changes] = []
        arrived, stop = threading.Event(), threading.Event()

        def emit(changes: Changes) -> None:
            received.append(changes)
            arrived.set()

        watcher = ChangeWatcher(catalogue, poll=0.1, wait=0.1, settle=0.2)
        thread = threading.Thread(target=watcher.run, args=(stop, emit))
        thread.start()
        try:
            for _attempt in range(5):  # the feed opens on the watcher's thread: write until it sees one
                review(other, str(photo_id), Change(EDIT, text=f"take {_attempt}"), author="bo")
                if arrived.wait(4):
                    break
        finally:
            stop.set()
            thread.join(10)
    assert not thread.is_alive()
    assert received and all(changes.captions == {photo_id} for changes in received)
