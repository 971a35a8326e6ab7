"""Captions in photo files: read on scan (imported, never twice), approved ones written back safely."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyexiv2
import pytest
from PIL import Image
from sqlalchemy import select

from desktop_app.catalogue.captions import add_caption, edit_caption, set_review_state
from desktop_app.catalogue.models import Caption, CaptionOrigin, Photo, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, photo_json, photo_with_history
from desktop_app.library.metadata import write
from desktop_app.library.metadata.fields import UTF8_CHARSET
from desktop_app.library.metadata.read import read_file_metadata, read_iptc
from desktop_app.library.metadata.report import WriteStatus
from desktop_app.library.metadata.write import write_metadata
from tests import cli_helpers, photo_files

CAPTION = "Zoë's dog 🐕 in 北京, café crème"
REVIEWER = "Zoë Reviewer"
NS = "Xmp.photoannotator."


def make(kind: str, path: Path, seed: int = 1) -> Path:
    if kind == "jpeg":
        return photo_files.jpeg(path, seed=seed)
    if kind == "tiff":
        return photo_files.save(photo_files.picture(seed=seed), path, compression="tiff_lzw")
    if kind == "webp":
        return photo_files.save(photo_files.picture(seed=seed), path, quality=80)
    return photo_files.save(photo_files.picture(seed=seed), path)


EXTENSIONS = {"jpeg": ".jpg", "tiff": ".tif", "png": ".png", "webp": ".webp"}


def embed(path: Path, xmp: dict | None = None, iptc: dict | None = None, exif: dict | None = None,
          iptc_encoding: str = "utf-8") -> None:
    """What another program (digiKam, Lightroom, a camera) leaves in a file."""
    with pyexiv2.Image(str(path)) as image:
        if xmp:
            image.modify_xmp(xmp)
        if iptc:
            image.modify_iptc(iptc, encoding=iptc_encoding)
        if exif:
            image.modify_exif(exif)


def fields(path: Path) -> dict:
    with pyexiv2.Image(str(path)) as image:
        return {**image.read_xmp(), **read_iptc(image), **image.read_exif()}


def pixels(path: Path) -> bytes:
    with Image.open(path) as image:
        return image.tobytes()


def photo_of(catalogue, name: str) -> Photo:
    with catalogue.read() as session:
        for photo in session.scalars(select(Photo)):
            if photo.rel_path.endswith(name):
                session.expunge(photo)
                return photo
    raise AssertionError(f"{name} not in the catalogue")


def captions_of(catalogue, photo_id: int) -> list[tuple[str, str, str | None, bool]]:
    with catalogue.read() as session:
        return [(c.text, c.origin.value, c.author, c.is_current)
                for c in session.scalars(
                    select(Caption).where(Caption.photo_id == photo_id).order_by(Caption.id))]


def approve(catalogue, photo_id: int, text: str = CAPTION, ai: bool = False) -> None:
    """An approved current caption: a person's, or a model's medical draft approved by a reviewer."""
    with catalogue.write() as session:
        photo = session.get(Photo, photo_id)
        if ai:
            add_caption(session, photo, text, origin=CaptionOrigin.AI, author="tiny-blip",
                        captioner_id="medical", model_id="tiny-blip",
                        notice="AI-generated draft, not for diagnosis")
            set_review_state(session, photo, ReviewState.APPROVED, author=REVIEWER)
        else:
            edit_caption(session, photo, text, author=REVIEWER, approve=True)


def approved_photo(scanner, catalogue, path: Path, text: str = CAPTION, ai: bool = False) -> Photo:
    """The photo at ``path``, scanned, with an approved current caption (see approve)."""
    scanner.scan(path.parent)
    photo = photo_of(catalogue, path.name)
    approve(catalogue, photo.id, text, ai=ai)
    return photo


# -- reading ----------------------------------------------------------------------------------------------


def test_every_embedded_source_is_read_once_each_with_its_field_the_mwg_pick_first(tmp_path: Path) -> None:
    path = photo_files.jpeg(tmp_path / "a.jpg")
    embed(path,
          xmp={"Xmp.dc.description": {'lang="x-default"': "XMP words é", 'lang="fr-FR"': "mots"},
               "Xmp.dc.subject": ["dog", "北京"]},
          iptc={"Iptc.Envelope.CharacterSet": UTF8_CHARSET, "Iptc.Application2.Caption": "IPTC words 中文",
                "Iptc.Application2.Keywords": ["dog", "park"]},
          exif={"Exif.Image.ImageDescription": "XMP words é", "Exif.Image.XPComment": "a comment ü"})
    found = read_file_metadata(str(path))
    assert [(d.text, d.source) for d in found.descriptions] == [
        ("XMP words é", "EXIF ImageDescription"),  # MWG: EXIF first; XMP says the same: one description
        ("IPTC words 中文", "IPTC Caption-Abstract"),
        ("a comment ü", "EXIF XPComment"),
    ]
    assert found.keywords == ("dog", "北京")  # MWG: XMP's (no IPTC digest says the IPTC is newer)


def test_xmp_without_x_default_gives_its_first_language_and_camera_placeholders_are_ignored(
    tmp_path: Path,
) -> None:
    path = photo_files.jpeg(tmp_path / "a.jpg")
    embed(path, xmp={"Xmp.dc.description": {'lang="de-DE"': "Ein Hund"}},
          exif={"Exif.Image.ImageDescription": "OLYMPUS DIGITAL CAMERA         "})
    assert [d.text for d in read_file_metadata(str(path)).descriptions] == ["Ein Hund"]


@pytest.mark.parametrize(("charset", "encoding"),
                         [(None, "latin-1"), (None, "utf-8"), (UTF8_CHARSET, "utf-8")])
def test_iptc_text_is_decoded_by_its_declared_charset_else_utf8_else_latin1(
    tmp_path: Path, charset: str | None, encoding: str
) -> None:
    path = photo_files.jpeg(tmp_path / "a.jpg")
    iptc = {"Iptc.Application2.Caption": "Crème brûlée"}
    if charset:
        iptc["Iptc.Envelope.CharacterSet"] = charset
    embed(path, iptc=iptc, iptc_encoding=encoding)
    assert [d.text for d in read_file_metadata(str(path)).descriptions] == ["Crème brûlée"]


def test_both_xmp_sidecar_conventions_and_text_sidecars_are_read(tmp_path: Path) -> None:
    path = photo_files.jpeg(tmp_path / "IMG_1.jpg")
    for sidecar, text in (("IMG_1.jpg.xmp", "digiKam text"), ("IMG_1.xmp", "Lightroom text")):
        (tmp_path / sidecar).write_bytes(write.EMPTY_XMP_PACKET.encode())
        embed(tmp_path / sidecar, xmp={"Xmp.dc.description": {'lang="x-default"': text},
                                       "Xmp.dc.subject": [sidecar]})
    (tmp_path / "IMG_1.txt").write_text("a caption for training, 中文\n", encoding="utf-8")
    (tmp_path / "IMG_1.caption").write_bytes("latin-1 caf\xe9".encode("latin-1"))
    found = read_file_metadata(str(path))
    assert [(d.text, d.source) for d in found.descriptions] == [
        ("digiKam text", "IMG_1.jpg.xmp"),
        ("Lightroom text", "IMG_1.xmp"),
        ("a caption for training, 中文", "IMG_1.txt"),
        ("latin-1 café", "IMG_1.caption"),
    ]
    assert found.keywords == ("IMG_1.jpg.xmp",)  # the photo has none: its first sidecar's


def test_broken_sidecar_and_unreadable_container_give_what_can_be_read(tmp_path: Path) -> None:
    path = photo_files.save(photo_files.picture(), tmp_path / "a.bmp")  # exiv2 keeps no metadata in BMP
    (tmp_path / "a.bmp.xmp").write_text("<not xmp")
    (tmp_path / "a.txt").write_text("still read")
    assert [d.text for d in read_file_metadata(str(path)).descriptions] == ["still read"]


# -- import on scan -------------------------------------------------------------------------------------


def test_scan_imports_descriptions_and_keywords_and_a_rescan_imports_nothing_twice(
    scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "dog.jpg")
    embed(path, xmp={"Xmp.dc.description": {'lang="x-default"': "A dog 🐕"}, "Xmp.dc.subject": ["dog"]},
          iptc={"Iptc.Envelope.CharacterSet": UTF8_CHARSET, "Iptc.Application2.Caption": "A dog 🐕"})
    (root / "dog.txt").write_text("dog on grass")
    report = scanner.scan(root)
    assert report.imported == 2
    photo = photo_of(catalogue, "dog.jpg")
    assert captions_of(catalogue, photo.id) == [
        ("A dog 🐕", "imported", "imported from XMP dc:description", True),
        ("dog on grass", "imported", "imported from dog.txt", False),
    ]
    with catalogue.read() as session:
        record = photo_json(photo_with_history(session, photo.id))
    assert record["keywords"] == ["dog"]
    assert all(c["captioner"] is None and c["state"] == "draft" for c in record["captions"])

    assert scanner.scan(root).imported == 0  # unchanged: not even read
    embed(path, xmp={"Xmp.dc.subject": ["dog", "grass"]})  # the file changes, its description does not
    report = scanner.scan(root)
    assert (report.updated, report.imported) == (1, 0)
    assert len(captions_of(catalogue, photo.id)) == 2
    with catalogue.read() as session:
        assert photo_json(photo_with_history(session, photo.id))["keywords"] == ["dog", "grass"]


def test_a_description_changed_in_the_file_is_a_new_imported_caption_never_made_current_over_one(
    scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "cat.jpg")
    photo = approved_photo(scanner, catalogue, path, "A person's caption")
    embed(path, xmp={"Xmp.dc.description": {'lang="x-default"': "Lightroom's words"}})
    assert scanner.scan(root).imported == 1
    embed(path, xmp={"Xmp.dc.description": {'lang="x-default"': "Lightroom's better words"}})
    assert scanner.scan(root).imported == 1
    assert captions_of(catalogue, photo.id) == [
        ("A person's caption", "human", REVIEWER, True),
        ("Lightroom's words", "imported", "imported from XMP dc:description", False),
        ("Lightroom's better words", "imported", "imported from XMP dc:description", False),
    ]


# -- writing ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["jpeg", "tiff", "png", "webp"])
def test_embed_round_trip_keeps_pixels_and_non_ascii_text_in_every_field(
    scanner, catalogue, tmp_path: Path, kind: str
) -> None:
    root = tmp_path / "lib"
    path = make(kind, root / f"photo{EXTENSIONS[kind]}")
    photo = approved_photo(scanner, catalogue, path, ai=True)
    before = pixels(path)

    report = write_metadata(catalogue, [photo.id], mode="embed")
    [outcome] = report.outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert pixels(path) == before
    values = fields(path)
    assert values["Xmp.dc.description"] == {'lang="x-default"': CAPTION}
    assert values["Exif.Image.ImageDescription"] == CAPTION
    assert values[NS + "reviewer"] == REVIEWER
    assert values[NS + "modelId"] == "tiny-blip" and values[NS + "captioner"] == "medical"
    assert values[NS + "notice"] == "AI-generated draft, not for diagnosis"
    if kind == "webp":
        assert "Iptc.Application2.Caption" not in values
        assert any("WebP files have no IPTC" in note for note in outcome.notes)
    else:
        assert values["Iptc.Application2.Caption"] == CAPTION
        assert values["Iptc.Envelope.CharacterSet"] == UTF8_CHARSET
        assert values["Iptc.Application2.Writer"] == [REVIEWER]
    assert not [name for name in os.listdir(root) if name.startswith(".")]  # no temporary file left

    # The catalogue knows the new file: a rescan finds it unchanged, and reading it adds nothing.
    stat = path.stat()
    with catalogue.read() as session:
        stored = session.get(Photo, photo.id)
        assert (stored.size, stored.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
        assert stored.content_hash != photo.content_hash
    report = scanner.scan(root)
    assert (report.unchanged, report.updated, report.imported) == (1, 0, 0)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched: hashed again, same bytes
    report = scanner.scan(root)
    assert (report.rehashed, report.updated, report.imported) == (1, 0, 0)
    embed(path, xmp={"Xmp.dc.subject": ["edited elsewhere"]})  # really changed: read again
    report = scanner.scan(root)
    assert (report.updated, report.imported) == (1, 0)
    assert [text for text, *_ in captions_of(catalogue, photo.id)] == [CAPTION]

    again = write_metadata(catalogue, [photo.id], mode="embed")
    # the keyword written to XMP elsewhere now goes to IPTC Keywords and lr:hierarchicalSubject too
    written = ["XMP lr:hierarchicalSubject"] + (["IPTC Keywords"] if kind != "webp" else [])
    assert [c.field for c in again.outcomes[0].changes] == written
    if kind != "webp":
        assert fields(path)["Iptc.Application2.Keywords"] == ["edited elsewhere"]
    again = write_metadata(catalogue, [photo.id], mode="embed")
    assert again.outcomes[0].status is WriteStatus.UNCHANGED


def test_sidecar_mode_writes_photo_jpg_xmp_merging_other_fields_and_leaves_the_photo_alone(
    scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    sidecar = root / "a.jpg.xmp"
    sidecar.write_bytes(write.EMPTY_XMP_PACKET.encode())
    embed(sidecar, xmp={"Xmp.xmp.Rating": "4", "Xmp.dc.creator": ["Ansel"]})
    photo = approved_photo(scanner, catalogue, path)
    original = path.read_bytes()

    report = write_metadata(catalogue, PhotoQuery(), mode="sidecar")
    assert [o.status for o in report.outcomes] == [WriteStatus.WRITTEN]
    assert report.outcomes[0].target == str(sidecar)
    assert path.read_bytes() == original
    values = fields(sidecar)
    assert values["Xmp.dc.description"] == {'lang="x-default"': CAPTION}
    assert (values["Xmp.xmp.Rating"], values["Xmp.dc.creator"]) == ("4", ["Ansel"])
    assert values[NS + "reviewer"] == REVIEWER

    lightroom = write_metadata(catalogue, [photo.id], mode="sidecar", sidecar_name="photo.xmp")
    assert lightroom.outcomes[0].target == str(root / "a.xmp")
    assert fields(root / "a.xmp")["Xmp.dc.description"] == {'lang="x-default"': CAPTION}

    embed(path, xmp={"Xmp.dc.subject": ["edited elsewhere"]})  # the photo is read again, sidecars too
    assert scanner.scan(root).imported == 0
    assert len(captions_of(catalogue, photo.id)) == 1


def test_dry_run_lists_old_and_new_values_and_writes_nothing(scanner, catalogue, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    embed(path, exif={"Exif.Image.ImageDescription": "old words"})
    photo = approved_photo(scanner, catalogue, path)  # "old words" was imported first: it is a known text
    original = path.read_bytes()
    for mode in ("embed", "sidecar"):
        report = write_metadata(catalogue, [photo.id], mode=mode, dry_run=True)
        [outcome] = report.outcomes
        assert outcome.status is WriteStatus.WOULD_WRITE
        changes = {c.field: (c.old, c.new) for c in outcome.changes}
        assert changes["XMP dc:description"] == (None, CAPTION)
        if mode == "embed":
            assert changes["EXIF ImageDescription"] == ("old words", CAPTION)
    assert path.read_bytes() == original
    assert sorted(os.listdir(root)) == ["a.jpg"]


def test_only_approved_captions_are_written(scanner, catalogue, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    photo_files.jpeg(root / "draft.jpg", seed=1)
    photo_files.jpeg(root / "none.jpg", seed=2)
    scanner.scan(root)
    draft, bare = photo_of(catalogue, "draft.jpg"), photo_of(catalogue, "none.jpg")
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, draft.id), "not yet", author=REVIEWER)
    report = write_metadata(catalogue, [draft.id, bare.id], mode="sidecar")
    assert {(o.photo_id, o.status, o.reason) for o in report.outcomes} == {
        (draft.id, WriteStatus.SKIPPED, "its caption is not approved"),
        (bare.id, WriteStatus.SKIPPED, "it has no caption"),
    }
    assert write_metadata(catalogue, PhotoQuery(), mode="sidecar").outcomes == []
    assert sorted(os.listdir(root)) == ["draft.jpg", "none.jpg"]


def test_a_read_only_file_or_folder_fails_with_a_clear_message_and_no_change(
    scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "locked.jpg")
    photo = approved_photo(scanner, catalogue, path)
    original = path.read_bytes()
    path.chmod(0o444)
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.FAILED
    assert outcome.reason == f"{path} is read-only: nothing written"
    path.chmod(0o644)
    root.chmod(0o555)
    try:
        [embedded] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
        [sidecar] = write_metadata(catalogue, [photo.id], mode="sidecar").outcomes
    finally:
        root.chmod(0o755)
    for outcome in (embedded, sidecar):
        assert outcome.status is WriteStatus.FAILED
        assert outcome.reason == f"the folder {root} is read-only: nothing written"
    assert path.read_bytes() == original
    assert sorted(os.listdir(root)) == ["locked.jpg"]


def test_a_file_changed_behind_our_back_is_skipped_unless_forced(scanner, catalogue, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    embed(path, xmp={"Xmp.dc.description": {'lang="x-default"': "Another program's words"}})
    changed = path.read_bytes()

    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.SKIPPED
    assert "changed on disk since the last scan" in outcome.reason
    assert path.read_bytes() == changed

    [forced] = write_metadata(catalogue, [photo.id], mode="embed", force=True).outcomes
    assert forced.status is WriteStatus.WRITTEN
    assert fields(path)["Xmp.dc.description"] == {'lang="x-default"': CAPTION}


def test_a_description_another_program_wrote_is_not_overwritten_unless_forced(
    scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    sidecar = root / "a.jpg.xmp"  # written after the scan, beside an unchanged photo
    sidecar.write_bytes(write.EMPTY_XMP_PACKET.encode())
    embed(sidecar, xmp={"Xmp.dc.description": {'lang="x-default"': "digiKam words"}})
    before = sidecar.read_bytes()

    [outcome] = write_metadata(catalogue, [photo.id], mode="sidecar").outcomes
    assert outcome.status is WriteStatus.SKIPPED
    assert "did not write" in outcome.reason and "digiKam words" in outcome.reason
    assert sidecar.read_bytes() == before
    [forced] = write_metadata(catalogue, [photo.id], mode="sidecar", force=True).outcomes
    assert forced.status is WriteStatus.WRITTEN
    assert fields(sidecar)["Xmp.dc.description"] == {'lang="x-default"': CAPTION}


def test_a_write_whose_pixels_would_change_leaves_the_file_untouched(
    scanner, catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    original = path.read_bytes()
    other = photo_files.jpeg(tmp_path / "other.jpg", seed=9).read_bytes()
    real = write._check_pixels
    monkeypatch.setattr(write, "_check_pixels", lambda before, after: real(before, other))
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.FAILED
    assert outcome.reason == "the pixels would change while writing: file left untouched"
    assert path.read_bytes() == original
    assert sorted(os.listdir(root)) == ["a.jpg"]


def test_formats_without_embedded_metadata_are_skipped_with_a_reason(
    scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = photo_files.save(photo_files.picture(), root / "a.bmp")
    photo = approved_photo(scanner, catalogue, path)
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.SKIPPED
    assert outcome.reason == "cannot embed metadata in BMP files: use --sidecar"


# -- the command -----------------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    return cli_helpers.run_cli(capsys, *args, "--db", str(db_path))


def test_write_metadata_command(scanner, catalogue, db_path: Path, tmp_path: Path, capsys) -> None:
    root = tmp_path / "lib"
    good = photo_files.jpeg(root / "2024" / "good.jpg", seed=1)
    locked = photo_files.jpeg(root / "2024" / "locked.jpg", seed=2)
    photo_files.jpeg(root / "other" / "elsewhere.jpg", seed=3)
    scanner.scan(root)
    for name in ("good.jpg", "locked.jpg", "elsewhere.jpg"):
        approve(catalogue, photo_of(catalogue, name).id)
    original = good.read_bytes()

    code, out, _err = run_cli(capsys, db_path, "write-metadata", "--embed", "--dry-run",
                              "--folder", str(root / "2024"))
    assert code == 0
    assert f"would write {good}" in out and "elsewhere" not in out
    assert f"  XMP dc:description: (none) -> {CAPTION!r}" in out
    assert out.strip().endswith("would write 2, 0 already up to date, 0 skipped, 0 failed")
    assert good.read_bytes() == original

    locked.chmod(0o444)
    code, out, _err = run_cli(capsys, db_path, "write-metadata", "--embed", "--json",
                              "--library", str(root), str(good), str(locked))
    assert code == 1  # a file could not be written
    summary = json.loads(out)
    assert (summary["mode"], summary["written"], summary["failed"]) == ("embed", 1, 1)
    failed = [f for f in summary["files"] if f["status"] == "failed"]
    assert failed[0]["reason"] == f"{locked} is read-only: nothing written"
    assert fields(good)["Iptc.Application2.Caption"] == CAPTION

    code, _out, _err = run_cli(capsys, db_path, "write-metadata", "--sidecar-name", "photo.xmp")
    assert code == 0
    assert (root / "other" / "elsewhere.xmp").exists() and (root / "2024" / "locked.xmp").exists()


def test_scan_says_how_many_captions_it_imported(tmp_path: Path, db_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from desktop_app.cli.main import main

    root = tmp_path / "dataset"
    photo_files.jpeg(root / "a.jpg", seed=1)
    (root / "a.txt").write_text("a lighthouse on a cliff\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["scan", str(root), "--db", str(db_path)])
    assert "captions imported from the files' metadata: 1" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["scan", str(root), "--db", str(db_path)])
    assert "imported" not in capsys.readouterr().out  # nothing twice
