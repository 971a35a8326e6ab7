"""Keywords and photo files: accepted keywords written by ``write-metadata`` to XMP dc:subject,
lr:hierarchicalSubject and IPTC Keywords and read back by exiv2 and by ExifTool (the reference reader);
what a scan makes of a file another program changed; the migration of the old keyword table; exports
that carry keywords. Real files, a real catalogue, the command line as a person types it."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pyexiv2
import pytest
from sqlalchemy import select, text

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.catalogue.captions import add_caption, set_review_state
from desktop_app.catalogue.keyword_rules import FROM_FILES_VOCABULARY
from desktop_app.catalogue.keywords import (
    add_keyword,
    new_term,
    photo_keywords,
    reject_keyword,
    resolve_term,
    suggest_keyword,
    sync_file_keywords,
)
from desktop_app.catalogue.models import (
    CaptionOrigin,
    KeywordState,
    Photo,
    PhotoKeyword,
    PhotoKeywordRevision,
    ReviewState,
    Term,
    TermBroader,
    Vocabulary,
    VocabularyKind,
)
from desktop_app.library.metadata.read import read_file_metadata
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.cli_helpers import Ran, cli_on
from tests.gui_helpers import WAIT_MS

if TYPE_CHECKING:  # Qt is loaded by the one test that opens the window
    from pytestqt.qtbot import QtBot

    from desktop_app.ui.main_window.window import MainWindow

EXIFTOOL = shutil.which("exiftool")
needs_exiftool = pytest.mark.skipif(EXIFTOOL is None, reason="ExifTool (Debian libimage-exiftool-perl), the "
                                                             "reference reader, is not installed")

# A 4-level hierarchy and labels that are not ASCII; LONG is over IPTC's 64 bytes and its 64th byte falls
# inside a character (黎), so its IPTC copy is cut before that character.
HIERARCHY = ("Animals", "Mammals", "Canines", "Dogs")
LONG = "Église Saint-Étienne-du-Mont, Montagne Sainte-Geneviève 巴黎 Île-de-France"
LONG_IPTC = "Église Saint-Étienne-du-Mont, Montagne Sainte-Geneviève 巴"
FLAT = ("Ça va", "Zürich", "北京", LONG)
EDITOR = "test-editor"


def exiftool(*args: str) -> str:
    assert EXIFTOOL is not None
    return subprocess.run([EXIFTOOL, *args], capture_output=True, check=True, text=True,
                          encoding="utf-8").stdout


def listed(value: object) -> list[str]:
    """An ExifTool JSON value as a list (one item comes as a scalar)."""
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def reference(path: Path) -> dict[str, list[str]]:
    """What ExifTool reads: dc:subject, lr:hierarchicalSubject, IPTC Keywords, and the MWG Keywords."""
    [found] = json.loads(exiftool("-j", "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject", "-IPTC:Keywords",
                                  str(path)))
    [mwg] = json.loads(exiftool("-j", "-use", "MWG", "-MWG:Keywords", str(path)))
    return {"subject": listed(found.get("Subject")), "hierarchy": listed(found.get("HierarchicalSubject")),
            "iptc": listed(found.get("Keywords")), "mwg": listed(mwg.get("Keywords"))}


def exiv2(path: Path) -> dict[str, list[str]]:
    """What exiv2 (pyexiv2) reads from the same fields."""
    with pyexiv2.Image(str(path)) as image:
        xmp, iptc = image.read_xmp(), image.read_iptc()
    return {"subject": xmp.get("Xmp.dc.subject", []), "hierarchy": xmp.get("Xmp.lr.hierarchicalSubject", []),
            "iptc": iptc.get("Iptc.Application2.Keywords", [])}


def another_program(path: Path, keywords: list[str]) -> None:
    """Rewrite the file's keywords as another program would (exiv2 directly: XMP and IPTC, no digest)."""
    with pyexiv2.Image(str(path)) as image:
        image.modify_xmp({"Xmp.dc.subject": keywords})
        image.modify_iptc({"Iptc.Application2.Keywords": keywords})


def vocabulary(catalogue: Catalogue, name: str = "Subjects", labels: tuple[str, ...] = HIERARCHY) -> None:
    """An imported vocabulary whose ``labels`` form one chain, each the broader term of the next."""
    with catalogue.write() as session:
        vocab = Vocabulary(name=name, kind=VocabularyKind.IMPORTED, format="csv")
        session.add(vocab)
        session.flush()
        broader = None
        for label in labels:
            term = new_term(session, vocab.id, label)
            if broader is not None:
                session.add(TermBroader(term_id=term.id, broader_id=broader.id))
            broader = term


def photo_id(catalogue: Catalogue, name: str) -> int:
    with catalogue.read() as session:
        found = session.scalar(select(Photo.id).where(Photo.rel_path == name))
        assert found is not None, name
        return found


def give(catalogue: Catalogue, photo: int, *labels: str) -> None:
    """A person adds these keywords (a vocabulary's term when one has the label, else a free keyword)."""
    with catalogue.write() as session:
        row = session.get(Photo, photo)
        assert row is not None
        for label in labels:
            add_keyword(session, row, resolve_term(session, label, create_free=True), author=EDITOR)


def reject(catalogue: Catalogue, photo: int, label: str) -> None:
    with catalogue.write() as session:
        row = session.get(Photo, photo)
        assert row is not None
        reject_keyword(session, row, resolve_term(session, label), author=EDITOR)


def states(catalogue: Catalogue, photo: int) -> dict[str, tuple[str, bool]]:
    """label -> (state, in the file) of each of the photo's keywords."""
    with catalogue.read() as session:
        return {k.term.label: (k.state.value, k.in_file) for k in photo_keywords(session, photo)}


def vocabularies_of(catalogue: Catalogue, photo: int) -> dict[str, str | None]:
    with catalogue.read() as session:
        return {k.term.label: k.term.vocabulary.name if k.term.vocabulary else None
                for k in photo_keywords(session, photo)}


def term_count(catalogue: Catalogue) -> int:
    with catalogue.read() as session:
        return len(session.scalars(select(Term.id)).all())


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path) -> Callable[..., Ran]:
    return cli_on(capsys, db_path)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    photo_files.jpeg(folder / "dog.jpg", seed=1)
    return folder


# -- write-back: the round trip ------------------------------------------------------------------------------


@needs_exiftool
def test_accepted_keywords_round_trip_through_exiv2_and_exiftool_hierarchy_and_non_ascii_intact(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    scanner.scan(root)
    vocabulary(catalogue)
    dog = photo_id(catalogue, "dog.jpg")
    give(catalogue, dog, "Dogs", *FLAT)  # no caption at all: keywords alone make the photo worth writing
    path = root / "dog.jpg"

    ran = cli("write-metadata", "--embed")  # the whole catalogue: the photo is chosen for its keywords
    assert ran.code == 0, ran.err
    assert "wrote 1," in ran.out
    assert "XMP lr:hierarchicalSubject: (none) -> " in ran.out
    assert "1 IPTC Keywords cut to 64 bytes" in ran.out  # the long label, named in the note

    labels = sorted(["Dogs", *FLAT], key=str.casefold)
    paths = ["Animals|Mammals|Canines|Dogs" if label == "Dogs" else label for label in labels]
    cut = [LONG_IPTC if label == LONG else label for label in labels]
    assert len(LONG_IPTC.encode()) == 62 and len(LONG.encode()[:64]) == 64  # cut before a whole character
    assert exiv2(path) == {"subject": labels, "hierarchy": paths, "iptc": cut}
    assert reference(path) == {"subject": labels, "hierarchy": paths, "iptc": cut, "mwg": labels}
    assert list(read_file_metadata(str(path)).keywords) == labels  # as the scanner reads it (MWG)
    assert all(in_file for _state, in_file in states(catalogue, dog).values())

    # A rescan after our write changes nothing: no keyword removed-in-file, no new term from the file.
    terms = term_count(catalogue)
    report = scanner.scan(root)
    assert (report.unchanged, report.updated, report.imported) == (1, 0, 0)
    assert states(catalogue, dog) == {label: ("accepted", True) for label in labels}
    assert term_count(catalogue) == terms
    # ...and neither does reading the file again (what a scan does once another program touched it).
    with catalogue.write() as session:
        sync_file_keywords(session, session.get(Photo, dog), read_file_metadata(str(path)).keywords)
    assert states(catalogue, dog) == {label: ("accepted", True) for label in labels}
    assert term_count(catalogue) == terms
    assert "wrote 0," in cli("write-metadata", str(dog), "--embed").out  # and the file is up to date


@needs_exiftool
def test_a_sidecar_carries_the_keywords_and_their_hierarchy(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    scanner.scan(root)
    vocabulary(catalogue)
    dog = photo_id(catalogue, "dog.jpg")
    give(catalogue, dog, "Dogs", "北京")
    before = (root / "dog.jpg").read_bytes()
    assert cli("write-metadata", str(dog)).code == 0  # the default: a sidecar beside the photo
    sidecar = root / "dog.jpg.xmp"
    [found] = json.loads(exiftool("-j", "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject", str(sidecar)))
    assert listed(found["Subject"]) == ["Dogs", "北京"]
    assert listed(found["HierarchicalSubject"]) == ["Animals|Mammals|Canines|Dogs", "北京"]
    assert (root / "dog.jpg").read_bytes() == before
    assert states(catalogue, dog) == {"Dogs": ("accepted", True), "北京": ("accepted", True)}


def test_keywords_a_sidecar_holds_but_readers_ignore_are_not_counted_as_in_the_file(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    """A JPEG with keywords of its own: MWG readers ignore its sidecar's. A keyword written only to the
    sidecar is not taken as in the file, so a later scan does not call it removed-in-file."""
    path = root / "dog.jpg"
    another_program(path, ["sunset"])
    scanner.scan(root)
    dog = photo_id(catalogue, "dog.jpg")
    give(catalogue, dog, "Dogs")
    ran = cli("write-metadata", str(dog), "--sidecar")
    assert ran.code == 0, ran.err
    assert "note: 1 keyword in the sidecar will not be read" in ran.out
    assert states(catalogue, dog) == {"Dogs": ("accepted", False), "sunset": ("accepted", True)}
    another_program(path, ["sunset", "beach"])
    scanner.scan(root)
    assert states(catalogue, dog) == {"beach": ("accepted", True), "Dogs": ("accepted", False),
                                      "sunset": ("accepted", True)}
    assert cli("write-metadata", str(dog), "--embed").code == 0  # --embed puts it where it is read
    assert states(catalogue, dog)["Dogs"] == ("accepted", True)


def test_a_dry_run_writes_nothing_and_leaves_the_catalogue_as_it_was(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    scanner.scan(root)
    vocabulary(catalogue)
    dog = photo_id(catalogue, "dog.jpg")
    give(catalogue, dog, "Dogs", "Zürich")
    before = (root / "dog.jpg").read_bytes()
    ran = cli("write-metadata", "--embed", "--dry-run", "--json")
    assert ran.code == 0, ran.err
    report = ran.json()
    assert (report["dry_run"], report["written"]) == (True, 1)
    changes = {change["field"]: change["new"] for change in report["files"][0]["changes"]}
    assert changes == {"XMP dc:subject": "Dogs; Zürich", "XMP lr:hierarchicalSubject":
                       "Animals|Mammals|Canines|Dogs; Zürich", "IPTC Keywords": "Dogs; Zürich"}
    assert (root / "dog.jpg").read_bytes() == before
    assert not (root / "dog.jpg.xmp").exists()
    assert states(catalogue, dog) == {"Dogs": ("accepted", False), "Zürich": ("accepted", False)}


def test_keywords_are_written_beside_an_approved_caption_and_a_photo_in_step_with_its_file_is_left_alone(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    photo_files.jpeg(root / "cat.jpg", seed=2)
    scanner.scan(root)
    dog, cat = photo_id(catalogue, "dog.jpg"), photo_id(catalogue, "cat.jpg")
    with catalogue.write() as session:
        photo = session.get(Photo, cat)
        add_caption(session, photo, "A cat on a wall.", origin=CaptionOrigin.HUMAN, author=EDITOR,
                    make_current=True)
        set_review_state(session, photo, ReviewState.APPROVED, author=EDITOR)
    give(catalogue, cat, "cats")
    report = cli("write-metadata", "--embed", "--json").json()
    assert [(f["photo_id"], f["status"]) for f in report["files"]] == [(cat, "written")]
    assert exiv2(root / "cat.jpg")["subject"] == ["cats"]
    # Nothing new: the next run selects nothing; named by id, a photo without keywords or caption is skipped.
    assert cli("write-metadata", "--embed", "--json").json()["files"] == [
        {**report["files"][0], "status": "unchanged", "changes": []}]
    ran = cli("write-metadata", str(dog), "--embed", "--json")
    assert [(f["status"], f["reason"]) for f in ran.json()["files"]] == [("skipped", "it has no caption")]


# -- rejected keywords: kept in the file unless the editor asks ----------------------------------------------


@needs_exiftool
def test_a_rejected_imported_keyword_stays_in_the_file_unless_remove_rejected_keywords(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    path = root / "dog.jpg"
    exiftool("-q", "-overwrite_original", "-XMP-dc:Subject=sunset", "-XMP-dc:Subject=beach",
             "-IPTC:Keywords=sunset", "-IPTC:Keywords=beach", str(path))
    scanner.scan(root)
    dog = photo_id(catalogue, "dog.jpg")
    assert states(catalogue, dog) == {"beach": ("accepted", True), "sunset": ("accepted", True)}
    reject(catalogue, dog, "beach")
    give(catalogue, dog, "Dogs")

    assert cli("write-metadata", "--embed").code == 0
    assert reference(path)["subject"] == ["beach", "Dogs", "sunset"]  # the rejected one is kept
    assert states(catalogue, dog)["beach"] == ("rejected", True)
    assert "wrote 0" in cli("write-metadata", "--embed").out  # nothing left to write

    ran = cli("write-metadata", "--embed", "--remove-rejected-keywords", "--dry-run")
    assert "XMP dc:subject: 'beach; Dogs; sunset' -> 'Dogs; sunset'" in ran.out
    assert reference(path)["subject"] == ["beach", "Dogs", "sunset"]
    assert cli("write-metadata", "--embed", "--remove-rejected-keywords").code == 0
    found = reference(path)
    assert (found["subject"], found["iptc"], found["mwg"]) == (["Dogs", "sunset"],) * 3
    assert states(catalogue, dog) == {"beach": ("rejected", False), "Dogs": ("accepted", True),
                                      "sunset": ("accepted", True)}


def test_the_last_keyword_removed_empties_the_keyword_fields(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    path = root / "dog.jpg"
    another_program(path, ["beach"])
    scanner.scan(root)
    dog = photo_id(catalogue, "dog.jpg")
    reject(catalogue, dog, "beach")
    assert cli("write-metadata", "--embed", "--remove-rejected-keywords").code == 0
    assert exiv2(path) == {"subject": [], "hierarchy": [], "iptc": []}
    assert read_file_metadata(str(path)).keywords == ()


# -- the scanner's rules -------------------------------------------------------------------------------------


def test_a_keyword_another_program_dropped_is_removed_in_file_shown_and_not_written_back(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    path = root / "dog.jpg"
    another_program(path, ["sunset", "beach", "harbour"])
    scanner.scan(root)
    dog = photo_id(catalogue, "dog.jpg")
    reject(catalogue, dog, "harbour")
    give(catalogue, dog, "Dogs")
    assert cli("write-metadata", "--embed").code == 0
    assert exiv2(path)["subject"] == ["beach", "Dogs", "harbour", "sunset"]

    another_program(path, ["beach", "Dogs", "harbour"])  # sunset dropped elsewhere
    assert scanner.scan(root).updated == 1
    assert states(catalogue, dog)["sunset"] == ("removed-in-file", False)
    shown = cli("tags", "show", str(dog), "--json").json()
    sunset = next(k for k in shown["keywords"] if k["label"] == "sunset")
    assert sunset["state"] == "removed-in-file"
    assert sunset["history"][-1]["action"] == "removed-in-file"
    assert "Removed in the file (1):" in cli("tags", "show", str(dog)).out

    give(catalogue, dog, "Zürich")  # the next write-back has work, and leaves sunset out
    assert cli("write-metadata", "--embed").code == 0
    assert exiv2(path)["subject"] == ["beach", "Dogs", "harbour", "Zürich"]
    assert states(catalogue, dog)["sunset"] == ("removed-in-file", False)

    # Back in the file: accepted again. A person's rejection is never undone by a scan.
    another_program(path, ["beach", "Dogs", "harbour", "sunset", "Zürich"])
    scanner.scan(root)
    found = states(catalogue, dog)
    assert found["sunset"] == ("accepted", True)
    assert found["harbour"] == ("rejected", True)
    with catalogue.read() as session:
        actions = [r.action.value for r in session.scalars(
            select(PhotoKeywordRevision)
            .join(PhotoKeyword, PhotoKeyword.id == PhotoKeywordRevision.keyword_id)
            .join(Term, Term.id == PhotoKeyword.term_id).where(Term.label == "sunset")
            .order_by(PhotoKeywordRevision.number))]
    assert actions == ["imported", "removed-in-file", "found-in-file"]


def test_keywords_from_files_join_the_one_imported_vocabulary_that_has_the_label_else_from_files(
    scanner: Scanner, catalogue: Catalogue, root: Path
) -> None:
    vocabulary(catalogue)  # Subjects: Animals > Mammals > Canines > Dogs
    vocabulary(catalogue, "Places", ("Europe", "Zürich"))
    vocabulary(catalogue, "Other places", ("Asia", "Zürich"))  # a second vocabulary with Zürich
    another_program(root / "dog.jpg", ["dogs", "Zürich", "beach"])
    scanner.scan(root)
    dog = photo_id(catalogue, "dog.jpg")
    assert vocabularies_of(catalogue, dog) == {"beach": FROM_FILES_VOCABULARY, "Dogs": "Subjects",
                                               "Zürich": FROM_FILES_VOCABULARY}
    assert all(origin == "accepted" for origin, _ in states(catalogue, dog).values())


def test_a_deeper_hierarchy_another_program_wrote_is_kept_for_a_flat_keyword(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path
) -> None:
    path = root / "dog.jpg"
    with pyexiv2.Image(str(path)) as image:
        image.modify_xmp({"Xmp.dc.subject": ["Zürich"],
                          "Xmp.lr.hierarchicalSubject": ["Places|Europe|Switzerland|Zürich"]})
    scanner.scan(root)
    vocabulary(catalogue)
    give(catalogue, photo_id(catalogue, "dog.jpg"), "Dogs")
    assert cli("write-metadata", "--embed").code == 0
    assert exiv2(path)["hierarchy"] == ["Animals|Mammals|Canines|Dogs", "Places|Europe|Switzerland|Zürich"]


# -- the migration of the old keyword table ------------------------------------------------------------------


def test_an_old_catalogues_keywords_become_imported_accepted_ones_and_a_downgrade_keeps_those_in_files(
    scanner: Scanner, catalogue: Catalogue, db_path: Path, root: Path
) -> None:
    from alembic import command

    from desktop_app.catalogue.migrate import alembic_config

    another_program(root / "dog.jpg", ["sunset", "北京"])
    scanner.scan(root)
    dog = photo_id(catalogue, "dog.jpg")
    give(catalogue, dog, "added here")  # accepted, never in the file: the old table had no room for it
    with catalogue.write() as session:
        photo = session.get(Photo, dog)
        term = new_term(session, None, "suggested only")
        suggest_keyword(session, photo.id, term.id, confidence=0.5, tagger_id="t", model_id=None,
                        evidence=[], author="t")
    catalogue.close()

    with open_catalogue(db_path) as old, old.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0011")
        rows = connection.execute(text("SELECT photo_id, keyword FROM photo_keywords ORDER BY keyword")).all()
    assert [tuple(row) for row in rows] == [(dog, "sunset"), (dog, "北京")]

    with open_catalogue(db_path) as upgraded:  # opening upgrades it
        assert states(upgraded, dog) == {"sunset": ("accepted", True), "北京": ("accepted", True)}
        assert set(vocabularies_of(upgraded, dog).values()) == {FROM_FILES_VOCABULARY}
        with upgraded.read() as session:
            for keyword in photo_keywords(session, dog):
                assert keyword.origin is CaptionOrigin.IMPORTED
                history = session.scalars(select(PhotoKeywordRevision).where(
                    PhotoKeywordRevision.keyword_id == keyword.id)).all()
                assert [(r.number, r.action.value, r.state) for r in history] == [
                    (1, "imported", KeywordState.ACCEPTED)]


# -- exports -------------------------------------------------------------------------------------------------


def test_every_export_format_carries_the_accepted_keywords_and_their_paths(
    scanner: Scanner, catalogue: Catalogue, cli: Callable[..., Ran], root: Path, tmp_path: Path
) -> None:
    photo_files.jpeg(root / "cat.jpg", seed=2)
    scanner.scan(root)
    vocabulary(catalogue)
    dog, cat = photo_id(catalogue, "dog.jpg"), photo_id(catalogue, "cat.jpg")
    with catalogue.write() as session:
        for photo_id_, words in ((dog, "A dog."), (cat, "A cat.")):
            add_caption(session, session.get(Photo, photo_id_), words, origin=CaptionOrigin.HUMAN,
                        author=EDITOR, make_current=True)
    give(catalogue, dog, "Dogs", "Zürich", "=cmd", "rejected one", "Ça va")
    reject(catalogue, dog, "rejected one")
    with catalogue.write() as session:
        suggest_keyword(session, dog, new_term(session, None, "a suggestion").id, confidence=0.9,
                        tagger_id="t", model_id=None, evidence=[], author="t")
    labels = ["=cmd", "Dogs", "Zürich", "Ça va"]  # accepted only, in label order
    paths = ["=cmd", "Animals|Mammals|Canines|Dogs", "Zürich", "Ça va"]

    out = tmp_path / "out"
    for fmt, name in (("csv", "c.csv"), ("jsonl", "j.jsonl"), ("coco", "coco.json"),
                      ("hf-imagefolder", "hf")):
        ran = cli("export", "--format", fmt, "--output", str(out / name))
        assert ran.code == 0, ran.err

    with open(out / "c.csv", encoding="utf-8-sig", newline="") as stream:
        rows = {Path(row["path"]).name: row for row in csv.DictReader(stream)}
    assert rows["dog.jpg"]["keywords"] == "'" + "; ".join(labels)  # a formula-like cell made text
    assert rows["dog.jpg"]["keyword_paths"] == "'" + "; ".join(paths)
    assert (rows["cat.jpg"]["keywords"], rows["cat.jpg"]["keyword_paths"]) == ("", "")

    lines = {Path(row["path"]).name: row for row in
             map(json.loads, (out / "j.jsonl").read_text(encoding="utf-8").splitlines())}
    assert (lines["dog.jpg"]["keywords"], lines["dog.jpg"]["keyword_paths"]) == (labels, paths)
    assert (lines["cat.jpg"]["keywords"], lines["cat.jpg"]["keyword_paths"]) == ([], [])

    images = {image["id"]: image for image in json.loads((out / "coco.json").read_text("utf-8"))["images"]}
    assert (images[dog]["keywords"], images[dog]["keyword_paths"]) == (labels, paths)
    assert images[cat]["keywords"] == []

    metadata = {row["file_name"]: row for row in
                map(json.loads, (out / "hf" / "train" / "metadata.jsonl").read_text("utf-8").splitlines())}
    assert (metadata["dog.jpg"]["keywords"], metadata["dog.jpg"]["keyword_paths"]) == (labels, paths)
    assert metadata["cat.jpg"]["keywords"] == []


# -- the app's write dialog ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("app_look")
def test_the_windows_write_dialog_removes_rejected_keywords_only_when_its_box_is_ticked(
    qtbot: QtBot, open_window: Callable[..., MainWindow], scanner: Scanner, catalogue: Catalogue,
    db_path: Path, root: Path
) -> None:
    path = root / "dog.jpg"
    another_program(path, ["beach", "sunset"])
    scanner.scan(root)
    dog = photo_id(catalogue, "dog.jpg")
    reject(catalogue, dog, "beach")
    give(catalogue, dog, "Dogs")
    window = open_window(db=db_path)

    for remove in (False, True):
        dialog = window.files.open_write_metadata()
        dialog.scope.location_radio.setChecked(True)
        dialog.embed_radio.setChecked(True)
        assert not dialog.remove_rejected_box.isChecked()  # kept in the files unless asked
        dialog.remove_rejected_box.setChecked(remove)
        with qtbot.waitSignal(window.file_tasks.finished, timeout=WAIT_MS):
            dialog.write_button.click()
        assert window.status_text.text().startswith("Wrote 1")
        expected = ["Dogs", "sunset"] if remove else ["beach", "Dogs", "sunset"]
        assert exiv2(path)["subject"] == expected
    assert states(catalogue, dog)["beach"] == ("rejected", False)
