"""Running the command line in the test's process, as a person would type it."""

from __future__ import annotations

import pytest

from desktop_app.cli.main import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``photo-annotator ARGS``: its exit status, what it printed and what it said on stderr."""
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err
