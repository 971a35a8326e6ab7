"""Exports: CSV, JSON Lines, COCO captions and a Hugging Face imagefolder of the current captions, as
the tools that read them see them."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, set_review_state
from desktop_app.catalogue.models import CaptionOrigin, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, find_photo
from desktop_app.exports import HF_EXTENSIONS, ExportError, ExportFormat, export
from desktop_app.exports import writers as export_writers
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.cli_helpers import run_cli

UNICODE = "北京的长城 — café crème brûlée, naïve señor 📷🌅"
TRICKY = 'He said "cheese", then left,\nand a second line; a tab\there'
NOTICE = "AI-generated research draft, not for diagnosis"
XRAY = "Chest X-ray, frontal view; no focal consolidation"
DRAFT = "A red square on a grey gradient"


@dataclass
class Corpus:
    root: Path
    files: dict[str, Path]


@pytest.fixture
def corpus(tmp_path: Path, catalogue: Catalogue, scanner: Scanner) -> Corpus:
    """Six real JPEGs: approved non-ASCII text, a tricky draft, a medical AI draft with its notice (in a
    folder named "test", which `datasets` would take for a split), an approved caption, no caption, and
    a file gone from disk."""
    root = tmp_path / "library"
    files = {
        "unicode": photo_files.jpeg(root / "2021" / "great wall.jpg", seed=1),
        "tricky": photo_files.jpeg(root / "2021" / "quotes.jpg", seed=2),
        "xray": photo_files.jpeg(root / "test" / "xray.jpg", seed=3, exif=False),
        "plain": photo_files.jpeg(root / "plain.jpg", seed=4),
        "bare": photo_files.jpeg(root / "bare.jpg", seed=5),
        "gone": photo_files.jpeg(root / "gone.jpg", seed=6),
    }
    scanner.scan(root)
    with catalogue.write() as session:
        def photo(name: str):
            return find_photo(session, str(files[name]))

        add_caption(session, photo("unicode"), UNICODE, origin=CaptionOrigin.HUMAN, author="ana")
        set_review_state(session, photo("unicode"), ReviewState.APPROVED, author="reviewer-zhang")
        add_caption(session, photo("tricky"), TRICKY, origin=CaptionOrigin.HUMAN, author="bo")
        add_caption(session, photo("xray"), XRAY, origin=CaptionOrigin.AI, author=None,
                    captioner_id="medical-report", model_id="tiny/xray-model", confidence=0.42, notice=NOTICE)
        add_caption(session, photo("plain"), DRAFT, origin=CaptionOrigin.AI, author=None,
                    captioner_id="generic", model_id="tiny/blip", confidence=0.9)
        set_review_state(session, photo("plain"), ReviewState.APPROVED, author="reviewer-zhang")
        add_caption(session, photo("gone"), "Gone but captioned", origin=CaptionOrigin.HUMAN, author="ana")
        set_review_state(session, photo("gone"), ReviewState.APPROVED, author="ana")
    files["gone"].unlink()
    scanner.scan(root)
    return Corpus(root.resolve(), files)


def _csv_rows(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def _by_name(rows: list[dict]) -> dict[str, dict]:
    return {Path(row["path"]).name: row for row in rows}


def test_csv_round_trips_every_caption_and_keeps_the_notice(catalogue: Catalogue, corpus: Corpus,
                                                            tmp_path: Path) -> None:
    output = tmp_path / "out" / "captions.csv"
    report = export(catalogue, ExportFormat.CSV, output, PhotoQuery())

    rows = _by_name(_csv_rows(output))
    assert set(rows) == {"great wall.jpg", "quotes.jpg", "xray.jpg", "plain.jpg", "gone.jpg"}
    assert report.exported == 5 and dict(report.skipped) == {"without a caption": 1}
    assert rows["great wall.jpg"]["caption"] == UNICODE
    assert rows["quotes.jpg"]["caption"] == TRICKY
    unicode_row = rows["great wall.jpg"]
    assert unicode_row["relative_path"] == "2021/great wall.jpg"
    assert unicode_row["path"] == str(corpus.root / "2021" / "great wall.jpg")
    assert unicode_row["library"] == str(corpus.root)
    assert (unicode_row["state"], unicode_row["origin"]) == ("approved", "human")
    assert unicode_row["author"] == "ana"
    assert unicode_row["approved_by"] == "reviewer-zhang" and unicode_row["approved_at"]
    assert unicode_row["notice"] == ""
    xray = rows["xray.jpg"]
    assert xray["notice"] == NOTICE
    assert (xray["state"], xray["origin"], xray["captioner"], xray["model"], float(xray["confidence"])) == (
        "draft", "ai", "medical-report", "tiny/xray-model", 0.42)
    assert xray["approved_by"] == ""
    assert not [p for p in output.parent.iterdir() if p.name != "captions.csv"]  # no temporary file left


def test_jsonl_has_one_object_per_photo_with_ids(catalogue: Catalogue, corpus: Corpus,
                                                 tmp_path: Path) -> None:
    output = tmp_path / "captions.jsonl"
    export(catalogue, "jsonl", output, PhotoQuery())

    lines = output.read_text(encoding="utf-8").splitlines()
    rows = _by_name([json.loads(line) for line in lines])
    assert len(lines) == len(rows) == 5
    assert UNICODE in output.read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes
    assert rows["great wall.jpg"]["caption"] == UNICODE and rows["quotes.jpg"]["caption"] == TRICKY
    assert rows["xray.jpg"]["notice"] == NOTICE and rows["plain.jpg"]["notice"] is None
    assert rows["xray.jpg"]["confidence"] == 0.42
    with catalogue.read() as session:
        xray = find_photo(session, str(corpus.files["xray"]))
        assert rows["xray.jpg"]["photo_id"] == xray.id
        assert rows["xray.jpg"]["caption_id"] == next(c.id for c in xray.captions if c.is_current)
        assert rows["xray.jpg"]["library_id"] == xray.library_id


def test_coco_captions_structure(catalogue: Catalogue, corpus: Corpus, tmp_path: Path) -> None:
    output = tmp_path / "captions.json"
    export(catalogue, ExportFormat.COCO, output, PhotoQuery())

    document = json.loads(output.read_text(encoding="utf-8"))
    assert {"info", "licenses", "images", "annotations"} <= set(document)
    images = {image["id"]: image for image in document["images"]}
    annotations = document["annotations"]
    assert len(images) == len(document["images"]) == 5
    assert len({a["id"] for a in annotations}) == len(annotations) == 5
    assert all(a["image_id"] in images for a in annotations)
    assert all(isinstance(a["caption"], str) and a["caption"] for a in annotations)
    by_file = {images[a["image_id"]]["file_name"]: a for a in annotations}
    assert by_file["2021/great wall.jpg"]["caption"] == UNICODE
    assert by_file["2021/quotes.jpg"]["caption"] == TRICKY
    assert by_file["test/xray.jpg"]["notice"] == NOTICE and "notice" not in by_file["plain.jpg"]
    assert NOTICE in document["info"]["notice"]
    wall = next(image for image in images.values() if image["file_name"] == "2021/great wall.jpg")
    assert (wall["width"], wall["height"]) == (320, 240)
    assert wall["date_captured"] == photo_files.EXIF_DATE.strftime("%Y-%m-%d %H:%M:%S")


# `datasets`' split inference (datasets.data_files, its patterns before and after fsspec 2023.12): a split
# keyword in a folder name, after the name's start or a separator, makes (or joins) that split. Written
# out here apart from the exporter's own rule.
_SPLIT_KEYWORDS = {"train": ["train", "training"], "validation": ["validation", "valid", "dev", "val"],
                   "test": ["test", "testing", "eval", "evaluation"]}
_DIR_PATTERNS = ["{keyword}/**", "{keyword}[{sep}]*/**", "**[{sep}/]{keyword}/**",
                 "**[{sep}/]{keyword}[{sep}]*/**", "**/{keyword}/**", "**/{keyword}[{sep}]*/**",
                 "**/*[{sep}]{keyword}/**", "**/*[{sep}]{keyword}[{sep}]*/**"]
_SEP = "-._ 0-9"


def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):  # any folders, or none
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            body = pattern[i + 1:end].replace("-._", r"\-._")
            out, i = out + f"[{body}]", end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def _inferred_splits(data_dir: Path) -> dict[str, set[str]]:
    files = [p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*") if p.is_file()]
    splits: dict[str, set[str]] = {}
    for split, keywords in _SPLIT_KEYWORDS.items():
        for keyword in keywords:
            for pattern in _DIR_PATTERNS:
                regex = _glob_regex(pattern.format(keyword=keyword, sep=_SEP))
                splits.setdefault(split, set()).update(f for f in files if regex.match(f))
    return {split: found for split, found in splits.items() if found}


def _check_imagefolder(data_dir: Path) -> list[dict]:
    """The documented imagefolder rules: a metadata.jsonl whose file_name is relative to its own folder,
    one row per image file, images in formats it decodes, every file in one split and in no hidden or
    "__" folder."""
    metadata = list(data_dir.rglob("metadata.jsonl"))
    assert len(metadata) == 1
    folder = metadata[0].parent
    rows = [json.loads(line) for line in metadata[0].read_text(encoding="utf-8").splitlines()]
    names = [row["file_name"] for row in rows]
    assert len(set(names)) == len(names)
    for row in rows:
        assert set(row) == {"file_name", "text", "notice", "alt_text", "extended_description", "keywords",
                            "keyword_paths"} and row["text"]
        assert not row["file_name"].startswith("/") and ".." not in row["file_name"].split("/")
        assert (folder / row["file_name"]).is_file()
    images = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"metadata.jsonl"}
    assert images == set(names)
    assert all(Path(name).suffix.lower() in HF_EXTENSIONS for name in names)
    for path in data_dir.rglob("*"):
        parts = path.relative_to(data_dir).parts
        assert not any(p.startswith(".") for p in parts) and not any(p.startswith("__") for p in parts[:-1])
    splits = _inferred_splits(data_dir)
    assert set(splits) == {"train"} and splits["train"] == {p.relative_to(data_dir).as_posix()
                                                              for p in data_dir.rglob("*") if p.is_file()}
    return rows


def test_hf_imagefolder_layout_loads_as_one_split(catalogue: Catalogue, corpus: Corpus,
                                                  tmp_path: Path) -> None:
    output = tmp_path / "dataset"
    report = export(catalogue, ExportFormat.HF_IMAGEFOLDER, output, PhotoQuery())

    rows = {row["file_name"]: row for row in _check_imagefolder(output)}
    assert set(rows) == {"2021/great wall.jpg", "2021/quotes.jpg", "(test)/xray.jpg", "plain.jpg"}
    assert rows["2021/great wall.jpg"]["text"] == UNICODE and rows["2021/quotes.jpg"]["text"] == TRICKY
    assert rows["(test)/xray.jpg"]["notice"] == NOTICE and rows["plain.jpg"]["notice"] is None
    split = output / "train"
    assert (split / "2021" / "quotes.jpg").read_bytes() == corpus.files["tricky"].read_bytes()
    assert report.exported == 4 and report.linked == 0  # copies: editing one never edits the library's
    assert dict(report.skipped) == {"without a caption": 1, "file missing": 1}
    assert report.skipped_files == [(str(corpus.root / "gone.jpg"), "file missing")]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".dataset")]  # no temporary folder left


def test_hf_imagefolder_with_datasets_when_installed(catalogue: Catalogue, corpus: Corpus,
                                                     tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    output = tmp_path / "dataset"
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, output, PhotoQuery())
    loaded = datasets.load_dataset("imagefolder", data_dir=str(output))
    assert list(loaded) == ["train"] and len(loaded["train"]) == 4
    assert {row["text"] for row in loaded["train"]} == {UNICODE, TRICKY, XRAY, DRAFT}


def test_state_approved_exports_only_approved_captions(catalogue: Catalogue, corpus: Corpus,
                                                       tmp_path: Path) -> None:
    output = tmp_path / "approved.csv"
    report = export(catalogue, ExportFormat.CSV, output, PhotoQuery(), approved_only=True)

    rows = _by_name(_csv_rows(output))
    assert set(rows) == {"great wall.jpg", "plain.jpg", "gone.jpg"}
    assert {row["state"] for row in rows.values()} == {"approved"}
    assert dict(report.skipped) == {"without a caption": 1, "not approved": 2}
    assert report.summary().startswith(f"Exported 3 photos to {output} (csv); skipped 3:")


def test_existing_output_is_refused_without_force(catalogue: Catalogue, corpus: Corpus,
                                                  tmp_path: Path) -> None:
    output = tmp_path / "captions.csv"
    output.write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportError, match="already exists; use --force"):
        export(catalogue, ExportFormat.CSV, output, PhotoQuery())
    assert output.read_text(encoding="utf-8") == "keep me"

    export(catalogue, ExportFormat.CSV, output, PhotoQuery(), force=True)
    assert len(_csv_rows(output)) == 5


def test_force_replaces_an_earlier_imagefolder_but_never_another_folder(
    catalogue: Catalogue, corpus: Corpus, tmp_path: Path
) -> None:
    output = tmp_path / "dataset"
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, output, PhotoQuery())
    with pytest.raises(ExportError, match="already exists"):
        export(catalogue, ExportFormat.HF_IMAGEFOLDER, output, PhotoQuery())
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, output, PhotoQuery(), approved_only=True, force=True)
    assert {row["file_name"] for row in _check_imagefolder(output)} == {"2021/great wall.jpg", "plain.jpg"}

    pictures = tmp_path / "my pictures"
    (pictures / "holiday.jpg").parent.mkdir()
    (pictures / "holiday.jpg").write_bytes(b"precious")
    with pytest.raises(ExportError, match="not an imagefolder export"):
        export(catalogue, ExportFormat.HF_IMAGEFOLDER, pictures, PhotoQuery(), force=True)
    assert (pictures / "holiday.jpg").read_bytes() == b"precious"
    with pytest.raises(ExportError, match="inside the library"):
        export(catalogue, ExportFormat.HF_IMAGEFOLDER, corpus.root / "export", PhotoQuery())


def test_a_failed_export_leaves_the_earlier_file_whole(catalogue: Catalogue, corpus: Corpus, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    output = tmp_path / "captions.jsonl"
    output.write_text("earlier export\n", encoding="utf-8")
    real_writer = export_writers._write_jsonl

    def disk_full(records, stream) -> None:  # the disk fills up half-way
        real_writer(records[:2], stream)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_writers, "_write_jsonl", disk_full)
    with pytest.raises(ExportError, match=rf"cannot write {re.escape(str(output))}: the disk is full"):
        export(catalogue, ExportFormat.JSONL, output, PhotoQuery(), force=True)
    assert output.read_text(encoding="utf-8") == "earlier export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".captions")] == []


def test_files_changed_since_the_scan_are_skipped_from_the_imagefolder_with_their_reason(
    catalogue: Catalogue, corpus: Corpus, tmp_path: Path
) -> None:
    # Behind the catalogue's back: one photo deleted, one replaced by a folder of the same name (which
    # no one can read as a file, root included).
    corpus.files["plain"].unlink()
    corpus.files["tricky"].unlink()
    corpus.files["tricky"].mkdir()
    report = export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / "dataset", PhotoQuery())

    assert dict(report.skipped) == {"without a caption": 1, "file missing": 2, "file unreadable": 1}
    reasons = {Path(path).name: reason for path, reason in report.skipped_files}
    assert reasons["plain.jpg"] == "file missing"
    assert reasons["quotes.jpg"] == "file unreadable: Is a directory"
    rows = _check_imagefolder(tmp_path / "dataset")
    assert {row["file_name"] for row in rows} == {"2021/great wall.jpg", "(test)/xray.jpg"}


def test_nothing_to_export_is_an_error_and_writes_nothing(catalogue: Catalogue, corpus: Corpus,
                                                          tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"nothing to export: every selected photo was skipped "
                                          r"\(1 not approved, 1 without a caption\)"):
        export(catalogue, ExportFormat.CSV, tmp_path / "none.csv",
               PhotoQuery(photo_ids=_ids(catalogue, corpus, "bare", "tricky")), approved_only=True)
    with pytest.raises(ExportError, match=r"every selected photo was skipped \(1 file missing\)"):
        export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / "none",
               PhotoQuery(photo_ids=_ids(catalogue, corpus, "gone")))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("none", ".none"))]


def test_imagefolder_of_two_libraries_puts_each_in_its_own_folder(
    catalogue: Catalogue, scanner: Scanner, corpus: Corpus, tmp_path: Path
) -> None:
    other = tmp_path / "other library"
    photo_files.jpeg(other / "plain.jpg", seed=9)  # the same relative path as the first library's
    scanner.scan(other)
    with catalogue.write() as session:
        add_caption(session, find_photo(session, str(other / "plain.jpg")), "Another plain photo",
                    origin=CaptionOrigin.HUMAN, author="ana")
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / "dataset", PhotoQuery())

    rows = {row["file_name"]: row["text"] for row in _check_imagefolder(tmp_path / "dataset")}
    with catalogue.read() as session:
        first = find_photo(session, str(corpus.files["plain"])).library_id
        second = find_photo(session, str(other / "plain.jpg")).library_id
    assert rows[f"{first}-library/plain.jpg"] == DRAFT
    assert rows[f"{second}-other library/plain.jpg"] == "Another plain photo"
    assert rows[f"{first}-library/(test)/xray.jpg"] == XRAY


def _ids(catalogue: Catalogue, corpus: Corpus, *names: str) -> tuple[int, ...]:
    with catalogue.read() as session:
        return tuple(find_photo(session, str(corpus.files[name])).id for name in names)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path):
    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, *args, "--db", str(db_path))

    return run


def test_cli_export_summary_selection_and_refusal(cli, corpus: Corpus, tmp_path: Path) -> None:
    output = tmp_path / "captions.csv"
    code, out, err = cli("export", "--format", "csv", "--output", str(output))
    assert code == 0, err
    assert out == f"Exported 5 photos to {output} (csv); skipped 1: 1 without a caption\n"

    code, out, err = cli("export", "--format", "csv", "--output", str(output))
    assert code == 1 and out == ""
    assert err == f"photo-annotator: error: {output} already exists; use --force to replace it\n"

    code, out, _ = cli("export", "--format", "jsonl", "--state", "approved", "--search", "gradient",
                       "--library", str(corpus.root), "--output", str(tmp_path / "a.jsonl"), "--json")
    assert code == 0
    assert json.loads(out) == {"format": "jsonl", "output": str(tmp_path / "a.jsonl"), "exported": 1,
                               "skipped": {}, "skipped_files": [], "linked": 0}
    rows = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [row["caption"] for row in rows] == [DRAFT]

    code, out, err = cli("export", "--format", "coco", "--captioner", "medical-report",
                         "--output", str(tmp_path / "coco.json"))
    assert code == 0, err
    document = json.loads((tmp_path / "coco.json").read_text(encoding="utf-8"))
    assert [a["notice"] for a in document["annotations"]] == [NOTICE]

    code, out, err = cli("export", "--format", "hf-imagefolder", "--output", str(tmp_path / "ds"))
    assert code == 0, err
    assert out == (f"Exported 4 photos to {tmp_path / 'ds'} (hf-imagefolder); "
                   "skipped 2: 1 file missing, 1 without a caption\n")
    assert f"{corpus.root / 'gone.jpg'}: file missing" in err
