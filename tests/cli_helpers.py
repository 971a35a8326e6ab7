"""Running the command line in the test's process, as a person would type it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli.main import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``photo-annotator ARGS``: its exit status, what it printed and what it said on stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


@dataclass(frozen=True)
class Ran:
    """One command's exit status, standard output and standard error."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        return [json.loads(line) for line in self.out.splitlines()]


def cli_on(capsys: pytest.CaptureFixture[str], db_path: Path) -> Callable[..., Ran]:
    """``photo-annotator ARGS --db DB_PATH``, as a function of ARGS."""
    def run(*args: str) -> Ran:
        return Ran(*run_cli(capsys, *args, "--db", str(db_path)))

    return run
