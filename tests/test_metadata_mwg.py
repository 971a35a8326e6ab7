"""Metadata read and written as the Metadata Working Group's rules say, with ExifTool as the oracle.

The fixtures are written by ExifTool itself (it writes what exiv2 cannot: stale and missing IPTC
digests, Latin-1 IPTC without a character set, truncated IPTC values); for each, what we pick must be
what ``exiftool -use MWG`` reports, and what we write must read back as ours there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.catalogue.captions import add_caption, current_caption, edit_caption, set_review_state
from desktop_app.catalogue.models import Caption, CaptionKind, CaptionOrigin, Photo, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, photo_json, photo_with_history
from desktop_app.library.metadata.digest import iptc_digests
from desktop_app.library.metadata.read import read_file_metadata
from desktop_app.library.metadata.report import WriteStatus
from desktop_app.library.metadata.write import EMPTY_XMP_PACKET, write_metadata
from tests import cli_helpers, photo_files

EXIFTOOL = shutil.which("exiftool")
pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="ExifTool (Debian libimage-exiftool-perl), the "
                                                         "reference MWG reader, is not installed")

STALE = "-IPTCDigest=00112233445566778899aabbccddeeff"  # IPTC changed since the XMP was synchronised
CURRENT = "-IPTCDigest=new"  # the digest of the IPTC written in the same command
CONFLICT = ["-IPTC:Caption-Abstract=IPTC words", "-IPTC:Keywords=iptc one", "-IPTC:Keywords=iptc two",
            "-XMP-dc:Description=XMP words", "-XMP-dc:Subject=xmp one"]
LONG_TEXT = "A long museum description of the harbour, " * 60  # over IPTC's 2,000 bytes
LONG_KEYWORD = "a keyword far longer than the sixty-four bytes an IPTC keyword may hold, 北京"
PEOPLE = ["-EXIF:Artist=Ann Smith; Bob Jones", "-IPTC:By-line=IPTC Author", "-XMP-dc:Creator=XMP Author",
          "-IPTC:CopyrightNotice=(c) IPTC", "-XMP-dc:Rights=(c) XMP", "-IPTC:DateCreated=2001:02:03",
          "-IPTC:TimeCreated=04:05:06", "-XMP-photoshop:DateCreated=2011:12:13 14:15:16"]

# name, extension, ExifTool arguments, the description the MWG rules pick (a check on the fixture)
CASES = [
    ("no-digest-xmp-wins", ".jpg", CONFLICT, "XMP words"),
    ("current-digest-xmp-wins", ".jpg", [*CONFLICT, CURRENT], "XMP words"),
    ("stale-digest-iptc-wins", ".jpg", [*CONFLICT, STALE], "IPTC words"),
    ("stale-digest-iptc-wins-tiff", ".tif", [*CONFLICT, STALE], "IPTC words"),
    ("exif-wins", ".jpg", ["-EXIF:ImageDescription=EXIF words", *CONFLICT, STALE], "EXIF words"),
    ("exif-blank", ".jpg", ["-EXIF:ImageDescription=   ", *CONFLICT], "XMP words"),
    ("xmp-only", ".jpg", ["-XMP-dc:Description=XMP words", "-XMP-dc:Subject=xmp one"], "XMP words"),
    ("iptc-only", ".jpg", ["-IPTC:Caption-Abstract=IPTC words", "-IPTC:Keywords=iptc one"], "IPTC words"),
    ("utf8-iptc", ".jpg", ["-IPTC:CodedCharacterSet=UTF8", "-IPTC:Caption-Abstract=Zoë in 北京, café",
                           "-IPTC:Keywords=Zoë", "-XMP-dc:Description=other", STALE], "Zoë in 北京, café"),
    ("latin1-iptc-no-charset", ".jpg", ["-charset", "iptc=Latin", "-IPTC:Caption-Abstract=Crème brûlée",
                                        "-IPTC:Keywords=café", "-XMP-dc:Description=other", STALE],
     "Crème brûlée"),
    ("truncated-iptc-recovered", ".jpg", [f"-XMP-dc:Description={LONG_TEXT}",
                                          f"-IPTC:Caption-Abstract={LONG_TEXT[:2000]}",
                                          f"-XMP-dc:Subject={LONG_KEYWORD}", "-XMP-dc:Subject=short",
                                          f"-IPTC:Keywords={LONG_KEYWORD.encode()[:64].decode()}",
                                          "-IPTC:Keywords=short", STALE], LONG_TEXT.strip()),
    ("creator-rights-date-stale", ".jpg", [*PEOPLE, STALE], None),
    ("creator-rights-date-current", ".jpg", [*PEOPLE, CURRENT], None),
]


def exiftool(*args: str) -> str:
    assert EXIFTOOL is not None
    return subprocess.run([EXIFTOOL, *args], capture_output=True, check=True, text=True,
                          encoding="utf-8").stdout


def fixture(path: Path, args: list[str]) -> Path:
    """A photo whose metadata ExifTool wrote, as another program would have."""
    if path.suffix == ".tif":
        photo_files.save(photo_files.picture(), path)
    else:
        photo_files.jpeg(path)
    exiftool("-q", "-m", "-overwrite_original", "-all=", str(path))
    exiftool("-q", "-m", "-overwrite_original", *args, str(path))
    return path


def mwg(path: Path) -> dict:
    """What ExifTool's MWG composites say, normalised to our values (lists, a naive date)."""
    [found] = json.loads(exiftool("-j", "-use", "MWG", "-MWG:Description", "-MWG:Keywords", "-MWG:Creator",
                                  "-MWG:Copyright", "-MWG:DateTimeOriginal", str(path)))

    def listed(value: object) -> list[str] | None:
        return None if value is None else [str(v) for v in value] if isinstance(value, list) else [str(value)]

    date = found.get("DateTimeOriginal")
    return {
        "Description": str(found["Description"]).strip() if "Description" in found else None,
        "Keywords": listed(found.get("Keywords")),
        "Creator": listed(found.get("Creator")),
        "Copyright": found.get("Copyright"),
        "DateTimeOriginal": datetime.strptime(date[:19], "%Y:%m:%d %H:%M:%S") if date else None,
    }


def ours(path: Path) -> dict:
    found = read_file_metadata(str(path))
    fields = found.fields or {}
    return {"Description": found.description.picked, "Keywords": list(found.keywords) or None,
            "Creator": fields.get("creator"), "Copyright": fields.get("rights"),
            "DateTimeOriginal": found.date_taken}


def photo_of(catalogue, name: str) -> Photo:
    with catalogue.read() as session:
        photo = session.scalar(select(Photo).where(Photo.rel_path == name))
        assert photo is not None, name
        session.expunge(photo)
        return photo


def record(catalogue, photo_id: int) -> dict:
    with catalogue.read() as session:
        return photo_json(photo_with_history(session, photo_id))


def current(catalogue, photo_id: int, kind: CaptionKind = CaptionKind.DESCRIPTION) -> tuple | None:
    with catalogue.read() as session:
        caption = current_caption(session, photo_id, kind)
        return None if caption is None else (caption.text, caption.origin.value, caption.author)


def texts(catalogue, photo_id: int) -> list[tuple[str, bool]]:
    with catalogue.read() as session:
        return [(c.text, c.is_current) for c in session.scalars(
            select(Caption).where(Caption.photo_id == photo_id, Caption.kind == CaptionKind.DESCRIPTION)
            .order_by(Caption.id))]


# -- reading: ExifTool's MWG composites are the oracle -------------------------------------------------


@pytest.mark.parametrize(("name", "ext", "args", "expected"), CASES, ids=[case[0] for case in CASES])
def test_our_pick_is_what_exiftools_mwg_composites_report_and_the_scan_makes_it_current(
    scanner, catalogue, tmp_path: Path, name: str, ext: str, args: list[str], expected: str | None
) -> None:
    path = fixture(tmp_path / "lib" / f"{name}{ext}", args)
    oracle = mwg(path)
    if expected is not None:
        assert oracle["Description"] == expected  # the fixture is the case it is named for
    assert ours(path) == oracle

    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, path.name)
    if oracle["Description"] is not None:
        assert current(catalogue, photo.id)[:2] == (oracle["Description"], "imported")
    assert record(catalogue, photo.id)["keywords"] == (oracle["Keywords"] or [])
    with catalogue.read() as session:
        assert session.get(Photo, photo.id).date_taken == oracle["DateTimeOriginal"]


def test_the_fixtures_digests_are_what_their_names_say(tmp_path: Path) -> None:
    for name, ext, args, _ in CASES:
        path = fixture(tmp_path / f"{name}{ext}", args)
        [tags] = json.loads(exiftool("-j", "-IPTCDigest", "-CurrentIPTCDigest", str(path)))
        digests = iptc_digests(str(path))
        assert (digests.current, digests.stored) == (tags.get("CurrentIPTCDigest"), tags.get("IPTCDigest"))
        assert (digests.stored is not None) == (STALE in args or CURRENT in args), name
        assert digests.iptc_trusted_over_xmp == (STALE in args), name


def test_alternatives_accessibility_fields_and_descriptive_fields_are_kept(
    scanner, catalogue, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fixture(tmp_path / "lib" / "harbour.jpg", [
        *CONFLICT, STALE, "-XMP-iptcCore:AltTextAccessibility=Boats in a harbour at dusk",
        "-XMP-iptcCore:ExtDescrAccessibility=Three fishing boats moored at a stone quay; gulls overhead.",
        "-XMP-dc:Title=Harbour", "-XMP-photoshop:Headline=Evening catch", "-XMP-iptcExt:PersonInImage=Ann",
        "-XMP-iptcExt:PersonInImage=Bob", "-XMP-photoshop:City=Whitby", "-IPTC:City=Whitby",
        "-XMP-iptcExt:LocationShownCountryName=England", "-XMP-dc:Creator=Zoë"])
    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, path.name)
    assert texts(catalogue, photo.id) == [("IPTC words", True), ("XMP words", False)]
    assert current(catalogue, photo.id) == ("IPTC words", "imported", "imported from IPTC Caption-Abstract")
    assert current(catalogue, photo.id, CaptionKind.ALT_TEXT) == (
        "Boats in a harbour at dusk", "imported", "imported from XMP Iptc4xmpCore:AltTextAccessibility")
    assert current(catalogue, photo.id, CaptionKind.EXTENDED_DESCRIPTION)[0].startswith("Three fishing boats")
    shown = record(catalogue, photo.id)
    # The IPTC is newer: MWG takes no XMP-only Creator or Country from it (ExifTool agrees); title and
    # headline, which are no MWG tags, are taken from whichever field holds them.
    assert shown["file_fields"] == {"title": "Harbour", "headline": "Evening catch",
                                    "persons": ["Ann", "Bob"], "location": {"city": "Whitby"}}
    [oracle] = json.loads(exiftool("-j", "-use", "MWG", "-MWG:City", "-MWG:Country", "-MWG:Creator",
                                   str(path)))
    assert {key: value for key, value in oracle.items() if key != "SourceFile"} == {"City": "Whitby"}
    exiftool("-q", "-overwrite_original", "-IPTCDigest=new", str(path))  # now in step: the XMP's too
    scanner.scan(tmp_path / "lib")
    assert record(catalogue, photo.id)["file_fields"] == {
        "title": "Harbour", "headline": "Evening catch", "creator": ["Zoë"], "persons": ["Ann", "Bob"],
        "location": {"city": "Whitby", "country": "England"},
    }
    assert {c["kind"] for c in shown["captions"]} == {"description", "alt-text", "extended-description"}
    code, out, _ = cli_helpers.run_cli(capsys, "show", str(photo.id), "--db", str(db_path))
    assert code == 0
    for line in ("title:        Harbour", "headline:     Evening catch", "creator:      Zoë",
                 "persons:      Ann, Bob", "location:     Whitby, England"):
        assert line in out


def test_a_raw_files_sidecar_is_its_xmp_while_a_jpegs_sidecar_is_an_alternative(tmp_path: Path) -> None:
    for name in ("IMG_1.dng", "IMG_2.jpg"):
        path = fixture(tmp_path / "photo.jpg", ["-XMP-dc:Description=embedded words"])
        path = path.rename(tmp_path / name)  # a JPEG named .dng: exiv2 reads by content, we name it RAW
        sidecar = path.with_suffix(".xmp")  # Lightroom's naming
        sidecar.write_text(EMPTY_XMP_PACKET, encoding="utf-8")
        exiftool("-q", "-overwrite_original", "-XMP-dc:Description=sidecar words", "-XMP-dc:Subject=lr",
                 "-XMP-iptcCore:AltTextAccessibility=alt from Lightroom", str(sidecar))
    raw = read_file_metadata(str(tmp_path / "IMG_1.dng"))
    jpeg = read_file_metadata(str(tmp_path / "IMG_2.jpg"))
    assert raw.description.picked == "sidecar words"
    assert [(d.text, d.source) for d in raw.descriptions] == [("sidecar words", "IMG_1.xmp")]
    assert raw.alt_text.picked == "alt from Lightroom" and raw.keywords == ("lr",)
    assert jpeg.description.picked == "embedded words"
    assert [d.text for d in jpeg.descriptions] == ["embedded words", "sidecar words"]
    assert jpeg.alt_text.picked is None and [d.text for d in jpeg.alt_text.texts] == ["alt from Lightroom"]
    (tmp_path / "IMG_3.nef").write_bytes(b"a RAW exiv2 cannot read")  # the sidecar alone speaks for it
    shutil.copy(tmp_path / "IMG_1.xmp", tmp_path / "IMG_3.nef.xmp")  # digiKam's naming
    unread = read_file_metadata(str(tmp_path / "IMG_3.nef"))
    assert (unread.description.picked, unread.keywords) == ("sidecar words", ("lr",))


# -- the rescan rule -------------------------------------------------------------------------------------


def test_a_rescan_makes_the_new_pick_current_over_an_untouched_imported_draft(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = fixture(tmp_path / "lib" / "a.jpg", ["-XMP-dc:Description=first words"])
    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, "a.jpg")
    exiftool("-q", "-overwrite_original", "-EXIF:ImageDescription=second words", str(path))
    scanner.scan(tmp_path / "lib")
    assert texts(catalogue, photo.id) == [("first words", False), ("second words", True)]
    exiftool("-q", "-overwrite_original", "-EXIF:ImageDescription=", str(path))  # back to the XMP's
    scanner.scan(tmp_path / "lib")
    assert texts(catalogue, photo.id) == [("first words", True), ("second words", False)]


@pytest.mark.parametrize("kept", ["ai-draft", "human", "approved-import", "rejected-import"])
def test_a_rescan_never_replaces_a_model_draft_a_persons_text_or_a_reviewed_import(
    scanner, catalogue, tmp_path: Path, kept: str
) -> None:
    path = fixture(tmp_path / "lib" / "a.jpg", ["-XMP-dc:Description=first words"])
    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, "a.jpg")
    with catalogue.write() as session:
        stored = session.get(Photo, photo.id)
        if kept == "ai-draft":
            add_caption(session, stored, "a model's words", origin=CaptionOrigin.AI, author="tiny-blip")
        elif kept == "human":
            edit_caption(session, stored, "a person's words", author="Zoë")
        else:
            state = ReviewState.APPROVED if kept == "approved-import" else ReviewState.REJECTED
            set_review_state(session, stored, state, author="Zoë")
        before = current_caption(session, photo.id).text
    exiftool("-q", "-overwrite_original", "-XMP-dc:Description=second words", str(path))
    assert scanner.scan(tmp_path / "lib").imported == 1
    assert current(catalogue, photo.id)[0] == before
    assert ("second words", False) in texts(catalogue, photo.id)
    if kept != "human":  # a person's edit of the import is that caption's new revision
        assert ("first words", before == "first words") in texts(catalogue, photo.id)


# -- writing: every MWG reader reads back ours ------------------------------------------------------------


def warnings(path: Path) -> set[str]:
    """ExifTool's validation warnings about the file's IPTC and XMP."""
    lines = exiftool("-a", "-s", "-validate", "-warning", str(path)).splitlines()
    found = {line.split(":", 1)[1].strip() for line in lines if line.startswith("Warning")}
    return {warning for warning in found if "IPTC" in warning or "XMP" in warning}


@pytest.mark.parametrize("ext", [".jpg", ".tif"])
def test_after_a_write_exiftools_mwg_composites_return_our_text_and_keywords_even_if_the_digest_was_stale(
    scanner, catalogue, tmp_path: Path, ext: str
) -> None:
    path = fixture(tmp_path / "lib" / f"a{ext}", [*CONFLICT, f"-XMP-dc:Subject={LONG_KEYWORD}", STALE])
    before = warnings(path)
    assert any("IPTCDigest is not current" in w for w in before)
    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, path.name)
    assert record(catalogue, photo.id)["keywords"] == ["iptc one", "iptc two"]  # the IPTC is newer
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, photo.id), "Our words: Zoë in 北京", author="Zoë",
                     approve=True)

    report = write_metadata(catalogue, [photo.id], mode="embed", force=True)  # the XMP holds another text
    [outcome] = report.outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert {c.field for c in outcome.changes} >= {"XMP dc:description", "IPTC Caption-Abstract",
                                                   "EXIF ImageDescription", "XMP dc:subject"}
    oracle = mwg(path)
    assert (oracle["Description"], oracle["Keywords"]) == ("Our words: Zoë in 北京", ["iptc one", "iptc two"])
    digests = iptc_digests(str(path))
    assert digests.current == digests.stored
    new = warnings(path) - before
    if ext == ".tif":  # exiv2 also copies the IPTC into the TIFF's Photoshop block, as Photoshop does
        new -= {"[minor] Non-standard IPTC at TIFF-IFD0-Photoshop-IPTC"}
    assert not new
    assert not any("IPTCDigest" in w for w in warnings(path))
    assert ours(path) == oracle


def test_the_keyword_written_to_iptc_is_cut_to_64_bytes_and_mwg_readers_recover_it(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = fixture(tmp_path / "lib" / "a.jpg", [f"-XMP-dc:Subject={LONG_KEYWORD}", "-XMP-dc:Description=x y"])
    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, "a.jpg")
    with catalogue.write() as session:
        set_review_state(session, session.get(Photo, photo.id), ReviewState.APPROVED, author="Zoë")
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert any("IPTC Keywords cut to 64 bytes" in note for note in outcome.notes)
    [tags] = json.loads(exiftool("-j", "-IPTC:Keywords", str(path)))
    assert len(str(tags["Keywords"]).encode()) <= 64 and LONG_KEYWORD.startswith(str(tags["Keywords"]))
    assert mwg(path)["Keywords"] == [LONG_KEYWORD]


@pytest.mark.parametrize("mode", ["embed", "sidecar"])
def test_approved_alt_text_and_extended_description_are_written_to_their_iptc_2021_fields(
    scanner, catalogue, tmp_path: Path, mode: str
) -> None:
    path = fixture(tmp_path / "lib" / "a.jpg", ["-XMP-dc:Description=a draft description",
                                                "-XMP-iptcCore:AltTextAccessibility=another program's alt"])
    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, "a.jpg")
    with catalogue.write() as session:
        stored = session.get(Photo, photo.id)
        edit_caption(session, stored, "Zoë's dog on a beach", author="Zoë", approve=True,
                     kind=CaptionKind.ALT_TEXT)
        edit_caption(session, stored, "A small brown dog runs along the tide line.", author="Zoë",
                     approve=True, kind=CaptionKind.EXTENDED_DESCRIPTION)
    # The description is a draft: only the approved accessibility fields are written.
    [outcome] = write_metadata(catalogue, [photo.id], mode=mode).outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert {c.field for c in outcome.changes} == {"XMP Iptc4xmpCore:AltTextAccessibility",
                                                   "XMP Iptc4xmpCore:ExtDescrAccessibility"}
    written = path if mode == "embed" else Path(f"{path}.xmp")
    [tags] = json.loads(exiftool("-j", "-XMP-iptcCore:AltTextAccessibility",
                                 "-XMP-iptcCore:ExtDescrAccessibility", "-XMP-dc:Description", str(written)))
    assert tags["AltTextAccessibility"] == "Zoë's dog on a beach"
    assert tags["ExtDescrAccessibility"] == "A small brown dog runs along the tide line."
    assert tags.get("Description") == ("a draft description" if mode == "embed" else None)
    assert write_metadata(catalogue, [photo.id], mode=mode).outcomes[0].status is WriteStatus.UNCHANGED

    # Another program's new alt text in the file is not overwritten unless forced.
    exiftool("-q", "-overwrite_original", "-XMP-iptcCore:AltTextAccessibility=a newer alt elsewhere",
             str(written))
    scanner.scan(tmp_path / "lib")
    [outcome] = write_metadata(catalogue, [photo.id], mode=mode).outcomes
    assert outcome.status is WriteStatus.SKIPPED and "AltTextAccessibility" in outcome.reason
    [outcome] = write_metadata(catalogue, [photo.id], mode=mode, force=True).outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert [c.field for c in outcome.changes] == ["XMP Iptc4xmpCore:AltTextAccessibility"]


def with_named_digest(path: Path, caption: str) -> None:
    """An APP13 block whose resources carry names (some programs name them): IPTC with ``caption`` and a
    stale digest that no plain byte pattern finds."""
    data = caption.encode()
    iptc = b"\x1c\x02\x78" + len(data).to_bytes(2, "big") + data

    def resource(code: int, body: bytes) -> bytes:
        name = b"\x01n"  # a one-character name, with its length byte: even, no padding
        size = len(body).to_bytes(4, "big")
        return b"8BIM" + code.to_bytes(2, "big") + name + size + body + b"\0" * (len(body) & 1)

    block = b"Photoshop 3.0\0" + resource(0x0404, iptc) + resource(0x0425, bytes(16))
    jpeg = path.read_bytes()
    app0_end = 4 + int.from_bytes(jpeg[4:6], "big")
    segment = b"\xff\xed" + (len(block) + 2).to_bytes(2, "big") + block
    path.write_bytes(jpeg[:app0_end] + segment + jpeg[app0_end:])


def test_a_digest_that_cannot_be_updated_is_reported_and_our_text_still_reads_back(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    with_named_digest(path, "IPTC words")
    exiftool("-q", "-overwrite_original", "-XMP-dc:Description=XMP words", str(path))
    assert iptc_digests(str(path)).iptc_trusted_over_xmp and mwg(path)["Description"] == "IPTC words"
    scanner.scan(tmp_path / "lib")
    photo = photo_of(catalogue, "a.jpg")
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, photo.id), "Our words", author="Zoë", approve=True)
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed", force=True).outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert any("IPTC digest could not be brought up to date" in note for note in outcome.notes)
    assert mwg(path)["Description"] == "Our words"


def test_a_query_selects_photos_whose_alt_text_alone_is_approved(scanner, catalogue, tmp_path: Path) -> None:
    for name in ("alt.jpg", "draft.jpg"):
        fixture(tmp_path / "lib" / name, ["-XMP-dc:Description=a draft description"])
    scanner.scan(tmp_path / "lib")
    alt, draft = photo_of(catalogue, "alt.jpg"), photo_of(catalogue, "draft.jpg")
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, alt.id), "A dog on a beach", author="Zoë", approve=True,
                     kind=CaptionKind.ALT_TEXT)
    report = write_metadata(catalogue, PhotoQuery(), mode="sidecar")
    assert [(o.photo_id, o.status) for o in report.outcomes] == [(alt.id, WriteStatus.WRITTEN)]
    assert not Path(f"{tmp_path / 'lib' / 'draft.jpg'}.xmp").exists()
    assert draft.id not in {o.photo_id for o in report.outcomes}


def test_a_broken_photoshop_block_leaves_the_xmp_in_charge(tmp_path: Path) -> None:
    path = fixture(tmp_path / "a.jpg", ["-XMP-dc:Description=XMP words"])
    block = b"Photoshop 3.0\0" + b"8BIM\x04\x04\x00\x00\xff\xff\xff\xff\x1c\x02"  # a size past the end
    jpeg = path.read_bytes()
    path.write_bytes(jpeg[:2] + b"\xff\xed" + (len(block) + 2).to_bytes(2, "big") + block + jpeg[2:])
    found = read_file_metadata(str(path))
    assert found.description.picked == "XMP words"
    assert iptc_digests(str(path)).iptc_trusted_over_xmp is False
