"""The app and the HTTP API writing to one catalogue at once: the main window edits and approves a caption
while a collection system edits other captions and keywords of the same and other photos over HTTP.
Nothing is lost, every write is in the history, the window shows the API's writes, and the API's write
based on what the window has since changed gets 412 instead of overwriting it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.services.photos import photo_record
from desktop_app.services.tokens import create_token
from desktop_app.ui.main_window.window import MainWindow
from tests.api_server import running_api
from tests.gui_helpers import WAIT_MS

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends

GUI_TEXT = "a photo number 0, a harbour at dawn"


@pytest.fixture
def api_client(db_path: Path, drafts: Path) -> Iterator[httpx.Client]:
    with open_catalogue(db_path) as own:  # the server's own connection, as `serve` in another process
        secret = create_token(own, "cms")[1]
        with running_api(own) as server, server.client(secret) as client:
            yield client


def _ids(window: MainWindow) -> dict[str, int]:
    return {Path(row.path).stem: row.id for row in window.model.rows()}


def _current(catalogue: Catalogue, photo_id: int) -> dict:
    return next(c for c in photo_record(catalogue, str(photo_id))["captions"]
                if c["current"] and c["kind"] == "description")


def test_the_window_and_the_api_write_at_once_and_nothing_is_lost(
        qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, drafts: Path,
        api_client: httpx.Client, catalogue: Catalogue) -> None:
    window = open_window(db=db_path)
    box = window.detail.review_box
    qtbot.waitUntil(lambda: box.editor_text() == "a photo number 0", timeout=WAIT_MS)
    ids = _ids(window)
    seen_by_api = api_client.get(f"/photos/{ids['00']}/captions").headers["etag"]  # before the window's edit
    etags = {name: api_client.get(f"/photos/{ids[name]}/captions").headers["etag"]
             for name in ("01", "02", "04")}
    results: list[tuple[str, int]] = []

    def collection_system() -> None:  # the API's writes, while the window edits photo 00
        for name in ("01", "02", "04"):
            edited = api_client.put(f"/photos/{ids[name]}/caption", json={"text": f"api caption {name}"},
                                    headers={"If-Match": etags[name]})
            results.append((f"edit {name}", edited.status_code))
            if name == "02":
                approved = api_client.post(f"/photos/{ids[name]}/caption/approve",
                                           headers={"If-Match": edited.headers["etag"]})
                results.append(("approve 02", approved.status_code))
        for name in ("00", "03"):  # keywords of the photo the window edits, and of another
            added = api_client.post(f"/photos/{ids[name]}/keywords/add", json={"term": "harbour"},
                                    headers={"If-Match": '"0.0"'})
            results.append((f"keyword {name}", added.status_code))

    writer = threading.Thread(target=collection_system)
    box.focus_editor()
    writer.start()
    qtbot.keyClicks(box.editor, ", a harbour at dawn")
    qtbot.keyClick(box.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # approve the text
    qtbot.waitUntil(lambda: not writer.is_alive(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: _current(catalogue, ids["00"])["state"] == "approved", timeout=WAIT_MS)
    assert results == [("edit 01", 200), ("edit 02", 200), ("approve 02", 200), ("edit 04", 200),
                       ("keyword 00", 200), ("keyword 03", 200)]

    # The API's write based on the caption as it was before the window's edit: refused, not applied.
    stale = api_client.put(f"/photos/{ids['00']}/caption", json={"text": "api overwrite"},
                           headers={"If-Match": seen_by_api})
    assert stale.status_code == 412 and stale.json()["error"]["code"] == "stale_revision"
    now = api_client.get(f"/photos/{ids['00']}/captions").headers["etag"]
    assert stale.json()["error"]["current_etag"] == now

    mine = _current(catalogue, ids["00"])
    assert (mine["text"], mine["state"], mine["origin"]) == (GUI_TEXT, "approved", "human")
    assert any(r["text"] == GUI_TEXT for r in mine["history"])
    for name in ("01", "02", "04"):
        theirs = _current(catalogue, ids[name])
        assert theirs["text"] == f"api caption {name}"
        assert theirs["state"] == ("approved" if name == "02" else "draft")
        assert {r["author"] for r in theirs["history"] if r["text"] == f"api caption {name}"} == {"api:cms"}
    assert _current(catalogue, ids["03"])["text"] == "a photo number 3"  # nobody's caption change
    for name in ("00", "03"):
        assert photo_record(catalogue, str(ids[name]))["keywords"] == ["harbour"]
    # The refused text is kept beside the window's caption, as any conflicting edit's is.
    kept = [c for c in photo_record(catalogue, str(ids["00"]))["captions"] if c["text"] == "api overwrite"]
    assert len(kept) == 1 and not kept[0]["current"]

    # The window shows the API's writes (its change polling), without a reload.
    def grid() -> dict[str, str | None]:
        return {Path(row.path).stem: row.caption for row in window.model.rows()}

    qtbot.waitUntil(lambda: grid()["04"] == "api caption 04", timeout=WAIT_MS)
    assert grid()["00"] == GUI_TEXT
    window.browse.select_photo(ids["00"])  # approving moved the window on to the next photo to review
    chips = window.detail.keyword_box.shown_chips
    qtbot.waitUntil(lambda: "harbour" in [chip.view.label for chip in chips()], timeout=WAIT_MS)
    assert window.errors() == []
