"""Who did what on a team's catalogue: each revision and job names its editor and the database role that
wrote it; a role that may only read opens the catalogue read-only (the CLI and the app), not with an error."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from desktop_app.catalogue import open_catalogue
from desktop_app.catalogue.photos import readable_photo_ids_under
from desktop_app.jobs import store
from tests.cli_helpers import cli_on
from tests.gui_helpers import WAIT_MS
from tests.postgres_server import PostgresServer

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from desktop_app.ui.main_window.window import MainWindow

on_postgresql = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def role_url(postgres_server: PostgresServer, url: str, *, writes: bool) -> tuple[str, str]:
    """A new login role of the catalogue's database that may read it, and write it when ``writes``:
    (its name, the catalogue's URL as that role)."""
    database = url.rsplit("/", 1)[1]
    role = f"{'editor' if writes else 'reader'}_{uuid.uuid4().hex[:8]}"  # roles are the cluster's
    grants = (["GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
               "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"] if writes
              else ["GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"])
    postgres_server.execute(f"CREATE ROLE {role} LOGIN")
    postgres_server.execute(*(grant.format(role=role) for grant in grants), database=database)
    return role, postgres_server.url(database, user=role)


@on_postgresql
def test_revisions_and_jobs_name_the_editor_and_the_database_role_that_wrote_them(
        capsys: pytest.CaptureFixture[str], postgres_server: PostgresServer, db_path: str, drafts: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    role, url = role_url(postgres_server, db_path, writes=True)
    cli = cli_on(capsys, url)
    photo = str(drafts / "00.jpg")
    assert cli("edit", photo, "--text", "a harbour at dusk", "--author", "anna").code == 0
    assert cli("tags", "add", photo, "--term", "harbour", "--author", "anna").code == 0

    shown = cli("show", photo, "--json").json()
    history = shown["captions"][0]["history"]
    # The model's draft was stored by the superuser (the fixture), the edit by Anna's role.
    assert [(each["author"], each["db_role"]) for each in history][-1] == ("anna", role)
    assert history[0]["db_role"] == "postgres"
    text = cli("show", photo).out
    assert f"anna (database role {role})" in text
    keywords = cli("tags", "show", photo, "--json").json()["keywords"]
    assert [(each["author"], each["db_role"]) for each in keywords[0]["history"]] == [("anna", role)]

    monkeypatch.setenv("PHOTO_ANNOTATOR_USER", "ben")
    with open_catalogue(url) as catalogue, catalogue.write() as session:
        store.create_caption_job(session, "encoder-decoder", None, {},
                                 readable_photo_ids_under(session, str(drafts)))
    (job,) = cli("jobs", "--json").json_lines()
    assert (job["author"], job["db_role"]) == ("ben", role)


def test_on_sqlite_revisions_carry_no_database_role(capsys: pytest.CaptureFixture[str], db_path: Path,
                                                  drafts: Path) -> None:
    cli = cli_on(capsys, db_path)
    assert cli("edit", str(drafts / "00.jpg"), "--text", "a harbour", "--author", "anna").code == 0
    history = cli("show", str(drafts / "00.jpg"), "--json").json()["captions"][0]["history"]
    assert [each["db_role"] for each in history] == [None, None]


@on_postgresql
def test_a_role_that_may_only_read_opens_the_catalogue_read_only_and_writes_are_refused_in_one_line(
        capsys: pytest.CaptureFixture[str], postgres_server: PostgresServer, db_path: str,
        drafts: Path) -> None:
    role, url = role_url(postgres_server, db_path, writes=False)
    cli = cli_on(capsys, url)
    photo = str(drafts / "00.jpg")
    with open_catalogue(url) as catalogue:
        assert (catalogue.read_only, catalogue.read_only_role) == (True, role)
    assert cli("show", photo, "--json").json()["captions"][0]["text"] == "a photo number 0"
    assert len(cli("photos", "--json").json_lines()) == 5
    assert cli("library", "list").code == 0
    assert "(read-only)" in cli("db", "info").out
    # Search by meaning uses the vectors there are: captions without one are named, not embedded.
    found = cli("search", "photo number 3")
    assert found.code == 0 and "03.jpg" in found.out, found.err
    assert "the catalogue is read-only: they are not searched by meaning" in found.err
    refused = cli("edit", photo, "--text", "a harbour")
    assert (refused.code, refused.err) == (1, f"photo-annotator: error: the catalogue {url} is read-only "
                                              f"for role {role}: it can be read but not changed\n")
    assert cli("tags", "add", photo, "--term", "harbour").code == 1
    assert cli("show", photo, "--json").json()["captions"][0]["text"] == "a photo number 0"


@on_postgresql
def test_the_app_opens_a_catalogue_its_role_may_only_read_with_a_banner_and_editing_disabled(
        qtbot: QtBot, open_window: Callable[..., MainWindow], postgres_server: PostgresServer, db_path: str,
        drafts: Path) -> None:
    from desktop_app.ui.main_window.actions import MainAction

    role, url = role_url(postgres_server, db_path, writes=False)
    window = open_window(db=url)
    (banner,) = window.messages.messages()  # nothing failed opening it
    assert f"read-only for the database role {role}" in banner
    assert window.messages.isVisible()
    actions = window.main_actions
    assert [name for name in (MainAction.ADD_FOLDER, MainAction.CAPTION, MainAction.RESCAN,
                              MainAction.REMOVE_LIBRARY, MainAction.EXPORT) if actions[name].isEnabled()] \
        == [MainAction.EXPORT]
    assert window.model.rowCount() == 5  # browsing works

    window.grid.setCurrentIndex(window.model.index(0))
    qtbot.waitUntil(lambda: window.detail.caption_texts() == ["a photo number 0"], timeout=WAIT_MS)
    box = window.detail.review_box
    assert box.editor.isReadOnly()
    assert not box.approve_button.isEnabled() and not box.reject_button.isEnabled()
    assert not window.detail.history.revert_button.isVisible()
    assert not window.detail.keyword_box.entry.isEnabled()
