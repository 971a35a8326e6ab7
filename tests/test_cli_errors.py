"""The command line's error policy, for every command: one clear line, the right exit status, and no
catalogue created by a command that only reads."""

from __future__ import annotations

import errno
import gc
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

from desktop_app.catalogue import database
from desktop_app.cli.common import may_create_catalogue
from desktop_app.cli.main import cli
from tests import photo_files
from tests.cli_helpers import run_cli

PROG_ERROR = "photo-annotator: error: "


def console(*args: str | bytes, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """The installed console script with raw argv bytes, as a shell passes them."""
    script = Path(sys.executable).with_name("photo-annotator")
    return subprocess.run([str(script), *args], capture_output=True, env=env, timeout=120)


def leaf_commands(command: click.Command = cli, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    """Every command a user can run, by its words (("jobs",), ("jobs", "resume"), ...)."""
    children = getattr(command, "commands", None)
    if path and (not children or getattr(command, "invoke_without_command", False)):
        yield path, command
    for name, sub in (children or {}).items():
        yield from leaf_commands(sub, (*path, name))


# --- 6. commands that only read never create a catalogue ----------------------------------------------

# The arguments each command needs to get as far as opening the catalogue. A new command must be added
# here (or marked adds_to_catalogue when it brings photos or captions in).
READING_ARGS: dict[tuple[str, ...], list[str]] = {
    ("photos",): [],
    ("show",): ["1"],
    ("edit",): ["x.jpg", "--text", "a caption"],
    ("approve",): ["x.jpg"],
    ("reject",): ["x.jpg"],
    ("revert",): ["x.jpg", "--to", "1"],
    ("choose",): ["x.jpg", "1"],
    ("jobs",): [],
    ("jobs", "resume"): [],
    ("jobs", "cancel"): ["1"],
    ("worker",): ["--once"],
    ("db", "info"): [],
    ("db", "copy"): ["--to", "{tmp}/typo/copy.db"],
    ("search",): ["dog"],
    ("embed",): [],
    ("export",): ["--format", "csv", "--output", "{tmp}/out.csv"],
    ("write-metadata",): ["--dry-run"],
    ("evaluate",): ["--captioner", "encoder-decoder"],
    ("explain",): ["x.jpg", "--word", "dog"],
    ("train",): ["--captioner", "encoder-decoder", "--output", "{tmp}/model"],
    ("plugins",): [],
    ("quality",): [],
    ("library", "list"): [],
    ("library", "remove"): ["1", "--yes"],
    ("library", "set-root"): ["1", "{tmp}"],
    ("library", "unset-root"): ["1"],
    ("tags", "show"): ["1"],
    ("tags", "add"): ["x.jpg", "--term", "Dogs"],
    ("tags", "remove"): ["x.jpg", "--term", "Dogs"],
    ("tags", "accept"): ["x.jpg", "--term", "Dogs"],
    ("tags", "reject"): ["x.jpg", "--term", "Dogs"],
    ("vocab", "list"): [],
    ("vocab", "show"): ["animals"],
    ("vocab", "remove"): ["animals"],
    ("flags",): ["1"],
    ("review-queue",): [],
    ("serve",): ["--port", "0"],
    ("token", "create"): ["collection-system"],
    ("token", "list"): [],
    ("token", "revoke"): ["collection-system"],
}
CREATING = {("scan",), ("caption",), ("gui",), ("db", "upgrade"), ("tags", "suggest"), ("vocab", "import"),
            ("import",), ("watch",)}


def test_every_command_says_whether_it_may_create_a_catalogue() -> None:
    commands = dict(leaf_commands())
    creating = {path for path, command in commands.items() if may_create_catalogue(command)}
    assert creating == CREATING
    unlisted = set(commands) - creating - set(READING_ARGS)
    assert not unlisted, f"add {unlisted} to READING_ARGS, or mark it adds_to_catalogue"


@pytest.mark.parametrize("words", sorted(READING_ARGS), ids=" ".join)
def test_a_reading_command_never_creates_a_catalogue(
    words: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo" / "catalogue.db"
    (tmp_path / "typo").mkdir()
    commands = dict(leaf_commands())
    if words not in commands:
        pytest.skip(f"{' '.join(words)} is not a command (yet)")
    args = [arg.format(tmp=tmp_path) for arg in READING_ARGS[words]]
    takes_db = any(param.name == "db" for param in commands[words].params)
    code, _, err = run_cli(capsys, *words, *args, *(["--db", str(missing)] if takes_db else []))
    if takes_db:
        assert code == 1
        assert err == (f"{PROG_ERROR}no catalogue at {missing}; check --db, or scan a folder to create one "
                       "there\n")
    else:
        assert code == 0, err
    assert sorted(os.listdir(tmp_path / "typo")) == []
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "model").exists()


def test_the_default_catalogue_is_not_created_by_reading_either(
    isolated_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "photos")
    assert code == 1 and "no catalogue at" in err
    assert not (isolated_env / "data" / "catalogue.db").exists()
    code, _, err = run_cli(capsys, "db", "upgrade")  # a command that adds to it creates it
    assert code == 0, err
    assert (isolated_env / "data" / "catalogue.db").exists()
    assert run_cli(capsys, "photos")[0] == 0


def test_an_empty_file_is_not_a_catalogue_to_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    code, _, err = run_cli(capsys, "db", "info", "--db", str(empty))
    assert code == 1 and err == f"{PROG_ERROR}no catalogue at {empty} (the file is empty)\n"
    assert empty.stat().st_size == 0


def test_another_programs_database_is_refused_and_left_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE notes (text)")
    before = other.read_bytes()
    for command in (["photos"], ["scan", str(tmp_path)]):
        code, _, err = run_cli(capsys, *command, "--db", str(other))
        assert code == 1
        assert err == (f"{PROG_ERROR}{other} is not a Photo Annotator catalogue (it holds another "
                       "program's tables); nothing was changed\n")
    assert other.read_bytes() == before


# --- 2. database errors say their cause ---------------------------------------------------------------

@pytest.fixture
def scanned(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    photo = photo_files.jpeg(tmp_path / "lib" / "a.jpg", seed=1)
    assert run_cli(capsys, "scan", str(tmp_path / "lib"), "--db", str(db_path))[0] == 0
    assert run_cli(capsys, "edit", str(photo), "--text", "kept", "--db", str(db_path))[0] == 0
    return photo


@pytest.mark.parametrize(("driver_message", "line"), [
    ("database or disk is full", "cannot grow: the disk is full (nothing more was written); free some space"),
    ("database is locked", f"is locked by another program (waited {database.BUSY_TIMEOUT_S:g} s)"),
    ("attempt to write a readonly database", "is read-only (a read-only file or file system)"),
    ("disk I/O error", "cannot be read or written: disk I/O error"),
    ("unable to open database file", "cannot be opened: permission denied, or its folder is missing"),
    ("database disk image is malformed", "is corrupt (database disk image is malformed); restore it"),
])
def test_a_failed_write_says_why_in_one_line(
    driver_message: str, line: str, scanned: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    real_execute = SQLiteDialect_pysqlite.do_execute

    def failing_write(self, cursor, statement, parameters, context=None):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            raise sqlite3.OperationalError(driver_message)
        return real_execute(self, cursor, statement, parameters, context)

    monkeypatch.setattr(SQLiteDialect_pysqlite, "do_execute", failing_write)
    code, out, err = run_cli(capsys, "edit", str(scanned), "--text", "lost?", "--db", str(db_path))
    assert code == 1 and out == ""
    assert err == f"{PROG_ERROR}the catalogue {db_path} {line}" + err.split(line, 1)[1]
    assert err.count("\n") == 1 and "sqlalche.me" not in err
    monkeypatch.undo()
    code, out, _ = run_cli(capsys, "show", str(scanned), "--db", str(db_path))
    assert "kept" in out and "lost?" not in out


def test_a_catalogue_locked_by_another_program_names_the_wait(
    scanned: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(database, "BUSY_TIMEOUT_S", 0.2)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        code, _, err = run_cli(capsys, "edit", str(scanned), "--text", "new", "--db", str(db_path))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 1
    assert err == (f"{PROG_ERROR}the catalogue {db_path} is locked by another program (waited 0.2 s); "
                   "try again when it has finished\n")


def test_a_file_that_is_not_a_catalogue(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    notes = tmp_path / "notes.db"
    notes.write_text("shopping list\n" * 200)
    code, _, err = run_cli(capsys, "photos", "--db", str(notes))
    assert code == 1
    assert err == f"{PROG_ERROR}cannot open the catalogue {notes}: the file is not an SQLite database\n"


def _refuse_writes(monkeypatch: pytest.MonkeyPatch, where: Path, error: int, whole_folder: bool) -> None:
    """Root ignores permission bits, so a read-only file (or file system) is an OSError injected at the
    open call: any open for writing of the catalogue (or of anything in its folder) fails."""
    real_open = os.open

    def guarded_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        target = os.fsdecode(path)
        hit = target.startswith(str(where.parent)) if whole_folder else target == str(where)
        if hit and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(error, os.strerror(error), target)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)


@pytest.mark.parametrize(("error", "whole_folder", "mode"), [
    (errno.EACCES, False, "mode=ro"),  # a read-only file: SQLite can still make its -shm beside it
    (errno.EROFS, True, "immutable=1"),  # a read-only file system: not even the -shm
])
def test_a_catalogue_that_cannot_be_written_opens_read_only_for_reading(
    error: int, whole_folder: bool, mode: str, scanned: Path, db_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import JobState
    from desktop_app.jobs import store

    with open_catalogue(db_path) as opened, opened.write() as session:  # a job whose process died
        job = store.create_caption_job(session, "encoder-decoder", None, {}, [1])
        job.state, job.owner = JobState.RUNNING, "elsewhere:1"
        job.heartbeat_at = datetime(2020, 1, 1, tzinfo=UTC)
    gc.collect()  # the commands' catalogues close: SQLite removes the -wal and -shm, as after a clean exit
    assert not Path(f"{db_path}-shm").exists()
    _refuse_writes(monkeypatch, db_path, error, whole_folder)
    with open_catalogue(db_path, create=False, reading=True) as opened:
        assert opened.read_only and mode in str(opened.engine.url) and opened.location == str(db_path)
    code, out, err = run_cli(capsys, "photos", "--db", str(db_path))
    assert code == 0, err
    assert "kept" in out and "a.jpg" in out
    info = run_cli(capsys, "db", "info", "--db", str(db_path))[1]
    assert info.startswith(f"catalogue: {db_path} (read-only)\n")
    code, out, err = run_cli(capsys, "jobs", "--json", "--db", str(db_path))  # listed as it is, not recovered
    assert code == 0, err
    assert json.loads(out)["state"] == "running"
    code, _, err = run_cli(capsys, "approve", str(scanned), "--db", str(db_path))
    assert code == 1
    assert err == (f"{PROG_ERROR}the catalogue {db_path} is read-only (a read-only file or file system): "
                   "it can be read but not changed\n")


# --- 3. text that is not UTF-8 ------------------------------------------------------------------------

@pytest.mark.parametrize(("args", "named"), [
    ([b"search", b"caf\xe9"], "'QUERY"),
    ([b"photos", b"--search", b"\xff"], "'--search'"),
    ([b"edit", b"x.jpg", b"--text", b"caf\xe9 au lait"], "'--text'"),
    ([b"approve", b"x.jpg", b"--author", b"Jos\xe9"], "'--author'"),
    ([b"caption", b"x.jpg", b"--captioner", b"encoder-decoder", b"--prompt", b"\xfe"], "'--prompt'"),
    ([b"import", b"http://x.org/a.jpg", b"--into", b".", b"--caption", b"\xfe"], "'--caption'"),
])
def test_text_that_is_not_utf8_is_a_usage_error_naming_the_option(
    args: list[bytes], named: str, db_path: Path
) -> None:
    result = console(*args, b"--db", os.fsencode(db_path))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert err.startswith(PROG_ERROR) and err.count("\n") == 1, err
    assert f"Invalid value for {named}" in err and "not valid UTF-8 text" in err
    assert "Traceback" not in err and "unexpected" not in err


def test_file_names_that_are_not_utf8_are_still_accepted(tmp_path: Path, db_path: Path) -> None:
    folder = os.fsencode(tmp_path / "lib")
    os.makedirs(folder)
    photo = os.path.join(folder, b"caf\xe9.jpg")
    photo_files.jpeg(Path(os.fsdecode(photo)), seed=3)
    assert console(b"scan", folder, b"--db", os.fsencode(db_path)).returncode == 0
    shown = console(b"show", photo, b"--db", os.fsencode(db_path))
    assert shown.returncode == 0, shown.stderr
    assert "caf\ufffd.jpg" in shown.stdout.decode()


# --- 4. a database URL whose driver is missing --------------------------------------------------------

@pytest.mark.parametrize(("url", "line"), [
    *((url, "the PostgreSQL driver is not installed: pip install 'photo-annotator[postgres]' "
            "(or 'psycopg[binary]')") for url in ("postgresql://u@localhost/photos",
                                                   "postgresql+psycopg://u@localhost/photos")),
    ("postgresql+psycopg2://u@localhost/photos", "the PostgreSQL driver is not installed: pip install "
                                                 "psycopg2-binary"),
    ("mysql://u@localhost/photos", "the MySQL driver is not installed: pip install mysqlclient"),
    ("nosuchdb://u@localhost/photos", "unknown kind of database in the URL: nosuchdb"),
])
def test_a_missing_database_driver_says_what_to_install(
    url: str, line: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for module in ("psycopg", "psycopg2", "MySQLdb"):  # not installed, whatever this machine has
        monkeypatch.setitem(sys.modules, module, None)
    code, out, err = run_cli(capsys, "photos", "--db", url)
    assert (code, out, err) == (1, "", f"{PROG_ERROR}{line}\n")


# --- 5. our messages are never cut --------------------------------------------------------------------

def test_one_line_keeps_our_whole_message_and_cuts_only_foreign_ones(tmp_path: Path) -> None:
    from desktop_app.errors import MAX_REASON, one_line
    from desktop_app.plugin_api.hf import ModelNotAvailableError, missing_model_message

    ours = ModelNotAvailableError(missing_model_message("some-lab/a-captioner-with-a-long-name"))
    assert len(str(ours)) > MAX_REASON
    assert one_line(ours) == str(ours) and one_line(ours).endswith("--model FOLDER")
    foreign = OSError("x" * 500 + "\nsecond line")
    assert one_line(foreign) == "x" * MAX_REASON
    assert one_line(ValueError()) == "ValueError"


def test_a_job_whose_model_is_not_downloaded_ends_with_the_whole_advice(
    tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A hub cache deep enough that the message passes 200 characters, as in many home folders.
    monkeypatch.setenv("HF_HOME", str(tmp_path / ("deep-folder-" * 8) / "huggingface"))
    photo = photo_files.jpeg(tmp_path / "lib" / "a.jpg", seed=2)
    code, _, err = run_cli(capsys, "caption", str(photo), "--captioner", "encoder-decoder",
                           "--model", "some-lab/not-downloaded", "--db", str(db_path))
    assert code == 1
    error = err.splitlines()[-1]  # after the job's closing summary
    assert error.startswith(PROG_ERROR) and len(error) > 200, err
    assert "'some-lab/not-downloaded' is not downloaded" in error
    assert error.endswith("or use a local model folder with --model FOLDER")
