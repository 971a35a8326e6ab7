"""Every command explains itself, takes the global options before or after it, and exits by the README's
rule: 0 success, 1 failure, 2 usage error, 130 interrupted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from desktop_app.cli.main import cli
from tests import photo_files
from tests.cli_helpers import run_cli


def all_commands(command: click.Command = cli, path: str = "photo-annotator") -> Iterator[
        tuple[str, click.Command]]:
    """The group and every command and subcommand under it."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from all_commands(sub, f"{path} {name}")


def test_every_option_has_help_and_every_argument_is_explained() -> None:
    missing = []
    for path, command in all_commands():
        if not (command.help or "").strip():
            missing.append(f"{path}: no docstring")
        for param in command.params:
            if isinstance(param, click.Option):
                if not (param.help or "").strip():
                    missing.append(f"{path} {param.opts[0]}: no help text")
            else:
                name = (param.metavar or param.name or "").strip("[].").upper()
                if name not in (command.help or ""):
                    missing.append(f"{path} {name}: the docstring does not mention it")
    assert not missing, "\n".join(missing)


@pytest.fixture
def photo(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    photo = photo_files.jpeg(tmp_path / "lib" / "a.jpg", seed=5)
    assert run_cli(capsys, "scan", str(tmp_path / "lib"), "--db", str(db_path))[0] == 0
    return photo


@pytest.fixture
def root_logger_level() -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    yield
    root.setLevel(level)


def test_db_before_or_after_the_command(photo: Path, db_path: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    after = run_cli(capsys, "photos", "--json", "--db", str(db_path))
    before = run_cli(capsys, "--db", str(db_path), "photos", "--json")
    assert after == before and after[0] == 0
    assert json.loads(after[1])["path"] == str(photo.resolve())
    # Both given: the one nearest the command wins.
    nowhere = tmp_path / "nowhere.db"
    assert run_cli(capsys, "--db", str(nowhere), "photos", "--json", "--db", str(db_path)) == after
    code, _, err = run_cli(capsys, "--db", str(db_path), "photos", "--db", str(nowhere))
    assert code == 1 and f"no catalogue at {nowhere}" in err
    # A subcommand of a group takes it too, before the group, between, or after.
    for args in (["--db", str(db_path), "db", "info"], ["db", "info", "--db", str(db_path)]):
        assert run_cli(capsys, *args)[1].startswith(f"catalogue: {db_path}\n")
    for args in (["--db", str(db_path), "jobs", "--json"], ["jobs", "--json", "--db", str(db_path)]):
        assert run_cli(capsys, *args)[0] == 0


@pytest.mark.usefixtures("root_logger_level")
@pytest.mark.parametrize(("args", "level"), [
    (["photos"], logging.WARNING),
    (["-v", "photos"], logging.INFO),
    (["photos", "-v"], logging.INFO),
    (["photos", "-vv"], logging.DEBUG),
    (["-v", "photos", "--verbose"], logging.DEBUG),
    (["db", "-v", "info"], logging.INFO),
    (["db", "info", "-vv"], logging.DEBUG),
])
def test_verbose_before_or_after_the_command(args: list[str], level: int, photo: Path, db_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    logging.getLogger().setLevel(logging.WARNING)
    code, _, err = run_cli(capsys, *args, "--db", str(db_path))
    assert code == 0, err
    assert logging.getLogger().level == level


@pytest.mark.parametrize("args", [
    ["photos", "--bogus"],
    ["--bogus", "photos"],
    ["db"],  # a group without its subcommand
    ["db", "frobnicate"],
    ["show"],
    ["jobs", "cancel", "not-a-number"],
    ["photos", "--sort", "size"],
])
def test_usage_errors_exit_2(args: list[str], db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2, err
    assert out == "" and err.startswith("photo-annotator: error: ") and err.count("\n") == 1
    assert len(err) < 240 and "\\n" not in err, err  # a line, not the help text squeezed into one


def test_interrupted_exits_130(photo: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli import photos

    def interrupted(db: str | None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(photos, "open_db", interrupted)
    code, out, err = run_cli(capsys, "photos", "--db", str(db_path))
    # click ends the line the terminal's ^C was echoed on first.
    assert (code, out, err.lstrip("\n")) == (130, "", "photo-annotator: error: interrupted\n")


def test_global_options_reach_the_app_when_no_command_is_given(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.ui import app

    opened: list[dict] = []
    monkeypatch.setattr(app, "run_app", lambda **kwargs: opened.append(kwargs) or 0)
    assert run_cli(capsys, "--db", str(db_path))[0] == 0
    assert run_cli(capsys, "gui", "--db", str(db_path))[0] == 0
    assert [call["db"] for call in opened] == [str(db_path)] * 2

