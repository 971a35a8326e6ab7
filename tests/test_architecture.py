"""The structure the README's "Architecture" section promises, checked on every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 600


def test_the_import_contracts_in_pyproject_hold() -> None:
    # lint-imports reads [tool.importlinter]: the layers, no cycles, Qt only in the UI, plugins on the
    # public plugin API only, the front ends writing only through the services.
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_no_module_of_the_app_grows_past_600_lines() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "desktop_app").rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"split these modules (at most {MAX_MODULE_LINES} lines each): {too_long}"
