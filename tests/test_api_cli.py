"""`photo-annotator token` and `photo-annotator serve`: tokens made, listed and revoked from the command
line; the server started as its own process, reached with a token, and its one-line refusals."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests import photo_files
from tests.cli_helpers import run_cli

PROG_ERROR = "photo-annotator: error: "


@pytest.fixture
def scanned(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    photo_files.jpeg(tmp_path / "lib" / "a.jpg", seed=3)
    assert run_cli(capsys, "scan", str(tmp_path / "lib"), "--db", str(db_path))[0] == 0
    return tmp_path / "lib" / "a.jpg"


def test_tokens_are_made_listed_and_revoked(scanned: Path, db_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "token", "create", "cms", "--db", str(db_path))
    assert code == 0 and "shown only now" in err
    secret = out.strip()
    assert len(secret) >= 40 and secret not in db_path.read_bytes().decode("latin-1")  # only its hash kept
    made = json.loads(run_cli(capsys, "token", "create", "dashboard", "--read-only", "--json", "--db",
                              str(db_path))[1])
    assert made["name"] == "dashboard" and made["read_only"] is True and made["token"] != secret
    code, _, err = run_cli(capsys, "token", "create", "cms", "--db", str(db_path))
    assert (code, err) == (1, f"{PROG_ERROR}a token named 'cms' exists already (revoke it first, or choose "
                              "another name)\n")
    listed = [json.loads(line) for line in run_cli(capsys, "token", "list", "--json", "--db",
                                                   str(db_path))[1].splitlines()]
    assert [(each["name"], each["read_only"]) for each in listed] == [("cms", False), ("dashboard", True)]
    assert all("token" not in each for each in listed)  # never a secret
    human = run_cli(capsys, "token", "list", "--db", str(db_path))[1]
    assert "cms  read-write" in human and "dashboard  read-only" in human and "never used" in human
    assert run_cli(capsys, "token", "revoke", "cms", "--db", str(db_path))[:2] == (0, "token cms revoked\n")
    code, _, err = run_cli(capsys, "token", "revoke", "cms", "--db", str(db_path))
    assert (code, err) == (1, f"{PROG_ERROR}no token named 'cms'\n")


def _serve(db_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "desktop_app", "serve", "--db", str(db_path), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def _serving_line(process: subprocess.Popen[str]) -> tuple[str, list[str]]:
    """The address the server printed, and its stderr lines before it."""
    assert process.stderr is not None
    before = []
    for line in process.stderr:
        if line.startswith("serving the HTTP API on "):
            return line.split()[5], before
        before.append(line.rstrip("\n"))
    raise AssertionError(f"serve ended: {before}")


def test_serve_runs_the_api_as_a_process_and_says_how_to_make_a_token(
        scanned: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
        stop: list[subprocess.Popen[str]]) -> None:
    process = _serve(db_path, "--port", "0")
    stop.append(process)
    url, notes = _serving_line(process)
    assert url.startswith("http://127.0.0.1:")
    assert notes == ["photo-annotator: note: no API token yet: every request will be refused (401); make "
                     "one with `photo-annotator token create NAME`"]
    assert httpx.get(f"{url}/photos").status_code == 401
    assert httpx.get(f"{url}/openapi.json").status_code == 200
    secret = run_cli(capsys, "token", "create", "cms", "--db", str(db_path))[1].strip()
    page = httpx.get(f"{url}/photos", headers={"Authorization": f"Bearer {secret}"}).json()
    assert [Path(item["path"]).name for item in page["items"]] == ["a.jpg"] and page["total"] == 1
    # The same port again: one line, exit 1.
    port = url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "desktop_app", "serve", "--port", port, "--db", str(db_path)]
    taken = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert (taken.returncode, taken.stderr) == (1, f"{PROG_ERROR}cannot listen on 127.0.0.1:{port}: in use\n")


def test_serve_warns_of_a_bind_beyond_this_machine(scanned: Path, db_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   stop: list[subprocess.Popen[str]]) -> None:
    run_cli(capsys, "token", "create", "cms", "--db", str(db_path))
    process = _serve(db_path, "--host", "0.0.0.0", "--port", "0")
    stop.append(process)
    url, notes = _serving_line(process)
    assert url.startswith("http://0.0.0.0:")
    assert len(notes) == 1 and notes[0].startswith("photo-annotator: warning: serving beyond this machine on "
                                                   "0.0.0.0:") and "put it behind TLS" in notes[0]


def test_serve_refuses_a_bad_host_and_says_what_to_install_without_fastapi(
        scanned: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = run_cli(capsys, "serve", "--host", "no-such-host.invalid", "--db", str(db_path))
    assert code == 1 and out == ""
    assert err.startswith(f"{PROG_ERROR}cannot listen on 'no-such-host.invalid': ")
    assert len(err.splitlines()) == 1
    code, _, err = run_cli(capsys, "serve", "--host", "192.0.2.1", "--db", str(db_path))  # not this machine's
    assert code == 1 and err.startswith(f"{PROG_ERROR}cannot listen on 192.0.2.1:8765: ")
    monkeypatch.setitem(sys.modules, "fastapi", None)
    code, _, err = run_cli(capsys, "serve", "--db", str(db_path))
    assert (code, err) == (1, f'{PROG_ERROR}the HTTP API needs its extra packages (FastAPI, uvicorn): '
                              'pip install "photo-annotator[server]"\n')
