"""The command line as scripts use it: exit codes, one-line errors, stable JSON."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import photo_files
from tests.cli_helpers import run_cli
from tests.test_scanner import make_bad_corpus


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.splitlines()]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path):
    def run(*args: str) -> Result:
        catalogue = ["--db", str(db_path)] if args and args[0] != "--help" else []
        return Result(*run_cli(capsys, *args, *catalogue))

    return run


def console(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user's shell runs it."""
    script = Path(sys.executable).with_name("photo-annotator")
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, timeout=120)


def test_scan_of_good_and_bad_files_exits_0_and_photos_json_lists_every_bad_file(
    library: Path, db_path: Path
) -> None:
    expected = make_bad_corpus(library / "bad")
    scan = console("scan", str(library), "--db", str(db_path))
    assert scan.returncode == 0, scan.stderr
    assert "Traceback" not in scan.stdout + scan.stderr
    assert f"{len(expected)} files could not be read" in scan.stdout

    listing = console("photos", "--json", "--db", str(db_path))
    assert listing.returncode == 0
    rows = {Path(row["path"]).name: row for row in map(json.loads, listing.stdout.splitlines())}
    for name, fragment in expected.items():
        assert rows[name]["status"] == "error"
        assert fragment in rows[name]["error"]
    assert rows["paris.jpg"]["status"] == "ok" and rows["paris.jpg"]["error"] is None


def test_photos_json_has_the_stable_keys(cli, library: Path) -> None:
    cli("scan", str(library))
    paris = str(library / "2021" / "paris.jpg")
    cli("edit", paris, "--text", "The Eiffel Tower at dawn", "--approve")
    rows = cli("photos", "--json").json_lines()
    assert len(rows) == 9
    row = next(r for r in rows if r["path"] == str(library.resolve() / "2021" / "paris.jpg"))
    assert row == {
        "id": row["id"], "path": row["path"], "library": str(library.resolve()), "status": "ok",
        "error": None, "format": "JPEG", "width": 400, "height": 300,
        "date_taken": "2021-07-14T09:30:05", "caption": "The Eiffel Tower at dawn",
        "caption_origin": "human", "caption_state": "approved", "captioner": None, "confidence": None,
        "caption_notice": None, "alt_text": None, "keywords": [],
    }


def test_photo_filters(cli, library: Path, tmp_path: Path) -> None:
    cli("scan", str(library))
    other = tmp_path / "other"
    photo_files.jpeg(other / "x.jpg", seed=50)
    photo_files.zero_byte(other / "empty.jpg")
    cli("scan", str(other))
    cli("edit", str(library / "2021" / "paris.jpg"), "--text", "Paris", "--approve")
    cli("edit", str(library / "web" / "logo.png"), "--text", "A logo")
    cli("reject", str(library / "web" / "logo.png"))

    def names(*args: str) -> list[str]:
        return sorted(Path(row["path"]).name for row in cli("photos", "--json", *args).json_lines())

    assert names("--status", "error") == ["empty.jpg"]
    assert names("--state", "approved") == ["paris.jpg"]
    assert names("--state", "rejected") == ["logo.png"]
    assert len(names("--state", "none")) == 9
    assert names("--library", str(other)) == ["empty.jpg", "x.jpg"]
    assert len(names("--limit", "3")) == 3


def test_edit_approve_reject_and_show_history(cli, library: Path) -> None:
    cli("scan", str(library))
    photo = str(library / "old" / "icon.bmp")
    assert cli("edit", photo, "--text", "an icon", "--author", "ann").code == 0
    assert cli("edit", photo, "--text", "a pixel-art icon of a house").code == 0
    assert cli("approve", photo).code == 0
    assert cli("revert", photo, "--to", "1").code == 0
    record = cli("show", photo, "--json").json_lines()[0]
    assert record["status"] == "ok" and record["format"] == "BMP"
    (caption,) = record["captions"]
    assert caption["text"] == "an icon" and caption["state"] == "draft" and caption["current"]
    assert [(h["revision"], h["action"], h["author"]) for h in caption["history"]] == [
        (1, "created", "ann"), (2, "edited", "test-editor"), (3, "approved", "test-editor"),
        (4, "reverted", "test-editor"),
    ]
    text = cli("show", str(record["id"])).out
    assert "a pixel-art icon of a house" in text and "reverted" in text


def test_choose_makes_another_caption_of_the_photo_current(cli, catalogue, library: Path) -> None:
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
    from desktop_app.catalogue.photos import find_photo

    cli("scan", str(library))
    photo = str(library / "old" / "icon.bmp")
    cli("edit", photo, "--text", "an icon", "--approve")
    with catalogue.write() as session:  # a model's draft, stored beside the approved caption
        output = AICaption(find_photo(session, photo), "a small house", model_id="m")
        draft = store_ai_caption(session, output, captioner_id="encoder-decoder").id
    result = cli("choose", photo, str(draft))
    assert result.code == 0 and result.out.strip().endswith(f"caption {draft} draft: a small house")
    captions = {c["id"]: c for c in cli("show", photo, "--json").json_lines()[0]["captions"]}
    assert [caption_id for caption_id, caption in captions.items() if caption["current"]] == [draft]


@pytest.mark.parametrize(
    "args",
    [
        ["scan"],  # missing folder argument
        ["photos", "--status", "bogus"],
        ["photos", "--limit", "0"],
        ["edit", "x.jpg"],  # missing --text
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_with_one_line(cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.strip().splitlines()) == 1
    assert result.err.startswith("photo-annotator: error: ")


def test_failures_exit_1_with_one_line(cli, library: Path, tmp_path: Path) -> None:
    cli("scan", str(library))
    cases = {
        ("scan", str(tmp_path / "nowhere")): "does not exist",
        ("show", str(tmp_path / "unknown.jpg")): "is not in the catalogue",
        ("show", "9999"): "no photo with id 9999",
        ("approve", str(library / "2021" / "paris.jpg")): "no caption to approve",
        ("revert", str(library / "2021" / "paris.jpg"), "--to", "3"): "no caption to revert",
        ("choose", str(library / "2021" / "paris.jpg"), "1"): "has no caption 1",
        ("photos", "--library", str(tmp_path / "elsewhere")): "no library at",
    }
    for args, message in cases.items():
        result = cli(*args)
        assert result.code == 1, args
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert message in result.err, result.err


def test_unusable_catalogue_exits_1_without_traceback(tmp_path: Path) -> None:
    result = console("photos", "--db", str(tmp_path))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"photo-annotator: error: catalogue path {tmp_path} is a folder; "
        f"give a file name such as {tmp_path}/catalogue.db"
    ]


def test_db_from_environment_and_db_upgrade(tmp_path: Path) -> None:
    env = {**os.environ, "PHOTO_ANNOTATOR_DB": str(tmp_path / "env.db")}
    result = console("db", "upgrade", env=env)
    assert result.returncode == 0
    from desktop_app.catalogue.migrate import head_revision

    assert result.stdout.strip() == f"{tmp_path / 'env.db'}: schema revision {head_revision()} (newest)"
    info = console("db", "info", env=env)
    assert "photos: 0 ok, 0 missing, 0 error" in info.stdout


def test_help_imports_neither_qt_nor_torch() -> None:
    heavy = ('PySide6', 'torch', 'transformers', 'PIL', 'fastapi', 'uvicorn', 'starlette', 'pydantic')
    code = (
        "import sys\n"
        "from desktop_app.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {heavy!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_scan_prints_errors_and_json_report(cli, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    photo_files.jpeg(root / "a.jpg", seed=60)
    photo_files.text_as_jpeg(root / "b.jpg")
    human = cli("scan", str(root))
    assert human.code == 0
    assert "1 file could not be read" in human.out and "b.jpg: not an image" in human.out
    report = cli("scan", str(root), "--json").json_lines()[0]
    assert report["unchanged"] == 2 and report["errors"] == [["b.jpg", "not an image: the file holds text"]]
