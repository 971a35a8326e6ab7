"""Writing captions into files never destroys what the app did not create, and survives kills and faults."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pyexiv2
import pytest
from sqlalchemy import select

from desktop_app import atomic_files
from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS
from desktop_app.catalogue.models import CaptionRevision, Embedding, Photo
from desktop_app.library.file_state import hash_file
from desktop_app.library.metadata import write
from desktop_app.library.metadata.fields import IPTC_CAPTION
from desktop_app.library.metadata.report import WriteStatus
from desktop_app.library.metadata.write import write_metadata
from tests import photo_files
from tests.test_metadata_io import (
    CAPTION,
    approve,
    approved_photo,
    captions_of,
    embed,
    fields,
    photo_of,
    run_cli,
)

REPO = Path(__file__).resolve().parent.parent


def stored(catalogue, photo_id: int) -> Photo:
    with catalogue.read() as session:
        photo = session.get(Photo, photo_id)
        session.expunge(photo)
        return photo


# -- a killed write is recognised as our own -----------------------------------------------------------------

KILLED_WRITE = """
import os, signal, sys
from pathlib import Path
from desktop_app.catalogue import open_catalogue
from desktop_app.library.metadata import write
from desktop_app.library.thumbnails import ThumbnailCache

def killed(*args, **kwargs):  # the moment after the photo was replaced, before the catalogue learns it
    os.kill(os.getpid(), signal.SIGKILL)

write._record_new_file = killed
with open_catalogue(sys.argv[1]) as catalogue:
    write.write_metadata(catalogue, [int(sys.argv[2])], mode="embed",
                         thumbnails=ThumbnailCache(Path(sys.argv[3])))
"""


def test_a_rerun_after_kill_9_during_embed_recognises_its_own_write(
    scanner, catalogue, db_path: Path, thumbnails, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(db_path), str(photo.id),
                             str(thumbnails.folder)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # The state the kill leaves: the file replaced with our write, the catalogue still on the old file.
    assert fields(path)["Xmp.dc.description"] == {'lang="x-default"': CAPTION}
    assert stored(catalogue, photo.id).content_hash == photo.content_hash != hash_file(str(path))

    [outcome] = write_metadata(catalogue, [photo.id], mode="embed", thumbnails=thumbnails).outcomes
    assert outcome.status is WriteStatus.UNCHANGED, outcome.reason
    after = stored(catalogue, photo.id)
    assert (after.content_hash, after.pending_hash) == (hash_file(str(path)), None)
    assert after.size == path.stat().st_size
    report = scanner.scan(path.parent)
    assert (report.unchanged, report.updated, report.rehashed, report.imported) == (1, 0, 0, 0)


def test_a_rescan_after_kill_9_during_embed_keeps_the_photos_vectors(
    scanner, catalogue, db_path: Path, thumbnails, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    with catalogue.write() as session:
        session.add(Embedding(photo_id=photo.id, model_id="clip", dimension=1, vector=b"\0\0\0\0",
                              content_hash=photo.content_hash))
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITE, str(db_path), str(photo.id),
                             str(thumbnails.folder)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    report = scanner.scan(path.parent)  # the rescan comes first this time
    assert (report.updated, report.imported) == (1, 0)
    new_hash = hash_file(str(path))
    with catalogue.read() as session:
        assert session.scalar(select(Embedding.content_hash)) == new_hash
        assert (session.get(Photo, photo.id).content_hash, session.get(Photo, photo.id).pending_hash) == (
            new_hash, None)
    assert write_metadata(catalogue, [photo.id], mode="embed").outcomes[0].status is WriteStatus.UNCHANGED


def test_a_pending_hash_that_is_not_the_file_is_still_a_foreign_change(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    with catalogue.write() as session:
        session.get(Photo, photo.id).pending_hash = "0" * 32  # an earlier write that never landed
    embed(path, exif={"Exif.Image.Artist": "someone else"})
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.SKIPPED
    assert "changed on disk since the last scan" in outcome.reason


# -- another program's description, even once a rescan imported it -------------------------------------------


def test_another_programs_description_imported_by_a_rescan_is_not_overwritten_without_force(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    assert write_metadata(catalogue, [photo.id], mode="embed").outcomes[0].status is WriteStatus.WRITTEN
    embed(path, xmp={"Xmp.dc.description": {'lang="x-default"': "Lightroom's words"}})
    assert scanner.scan(path.parent).imported == 1  # now a caption of the photo, beside ours
    theirs = path.read_bytes()

    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.SKIPPED
    assert outcome.reason == ("XMP dc:description holds a description Photo Annotator did not write "
                              "(\"Lightroom's words\"): use --force to overwrite it")
    assert path.read_bytes() == theirs
    [forced] = write_metadata(catalogue, [photo.id], mode="embed", force=True).outcomes
    assert forced.status is WriteStatus.WRITTEN
    assert fields(path)["Xmp.dc.description"] == {'lang="x-default"': CAPTION}


def test_an_imported_description_a_person_then_approved_may_be_replaced(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    embed(path, xmp={"Xmp.dc.description": {'lang="x-default"': "old words"}})
    photo = approved_photo(scanner, catalogue, path)  # the imported caption, edited and approved
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason


# -- long file names -----------------------------------------------------------------------------------------


def long_name(total_bytes: int = 250) -> str:
    stem = "é" * ((total_bytes - len(".jpg")) // 2)
    name = stem + "x" * (total_bytes - len(".jpg") - len(stem.encode())) + ".jpg"
    assert len(name.encode()) == total_bytes
    return name


@pytest.mark.parametrize("mode", ["embed", "sidecar"])
def test_photos_with_250_byte_names_are_written_through_temporaries_within_the_limit(
    scanner, catalogue, tmp_path: Path, mode: str
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / long_name())
    photo = approved_photo(scanner, catalogue, path)
    [outcome] = write_metadata(catalogue, [photo.id], mode=mode).outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    written = path if mode == "embed" else Path(str(path) + ".xmp")
    assert fields(written)["Xmp.dc.description"] == {'lang="x-default"': CAPTION}
    assert set(os.listdir(path.parent)) == {path.name, written.name}


@pytest.mark.parametrize("mode", ["embed", "sidecar"])
def test_a_rewritten_photo_or_sidecar_keeps_its_permissions(scanner, catalogue, tmp_path: Path,
                                                            mode: str) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    written = path if mode == "embed" else Path(str(path) + ".xmp")
    if mode == "sidecar":
        written.write_bytes(write.EMPTY_XMP_PACKET.encode())
    written.chmod(0o640)  # a mode the umask would not give a new file
    photo = approved_photo(scanner, catalogue, path)
    [outcome] = write_metadata(catalogue, [photo.id], mode=mode).outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert written.stat().st_mode & 0o777 == 0o640
    assert fields(path if mode == "embed" else written)["Xmp.dc.description"] == {'lang="x-default"': CAPTION}


def test_a_killed_writes_temporary_file_is_cleared_by_the_next_write(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / long_name())
    photo = approved_photo(scanner, catalogue, path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    leftover = path.parent / (f".{atomic_files.temp_base(path.name)}{atomic_files.TEMP_MARK}"
                              f"{atomic_files._HOST}-{gone.stdout.strip()}-0123abcd")
    leftover.write_bytes(b"half a photo")  # a run killed while writing it
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert os.listdir(path.parent) == [path.name]


# -- IPTC lengths --------------------------------------------------------------------------------------------


def test_a_long_caption_is_cut_in_iptc_at_a_character_boundary_and_kept_whole_in_xmp_and_exif(
    scanner, catalogue, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "北京的狗在公园里 " * 170 + "end"  # 25 bytes a phrase, 4,253 bytes in all
    assert len(text.encode()) > 4000
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    photo = approved_photo(scanner, catalogue, path, text)

    code, out, _err = run_cli(capsys, db_path, "write-metadata", "--embed", "--dry-run", str(photo.id))
    assert code == 0
    note = "IPTC Caption-Abstract cut to 1,999 bytes (IPTC allows 2,000; the text is 4,253)"
    assert f"  note: {note}; XMP and EXIF hold the full text" in out
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    assert any(n.startswith(note) for n in outcome.notes)

    with pyexiv2.Image(str(path)) as image:
        raw = image.read_iptc(encoding="latin-1")[IPTC_CAPTION].encode("latin-1")
    assert len(raw) <= 2000
    assert text.startswith(raw.decode("utf-8"))  # valid UTF-8, no character split
    values = fields(path)
    assert values["Xmp.dc.description"] == {'lang="x-default"': text}
    assert values["Exif.Image.ImageDescription"] == text

    # The cut value is ours: a rerun finds the file up to date, and a rescan imports nothing.
    assert write_metadata(catalogue, [photo.id], mode="embed").outcomes[0].status is WriteStatus.UNCHANGED
    embed(path, xmp={"Xmp.dc.subject": ["dog"]})
    assert scanner.scan(path.parent).imported == 0


# -- change detection, shared with the scanner ---------------------------------------------------------------


def test_a_same_size_edit_with_its_time_put_back_is_not_written_over(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = photo_files.save(photo_files.picture(seed=4), tmp_path / "lib" / "a.jpg", comment=b"version 1")
    photo = approved_photo(scanner, catalogue, path)
    st = path.stat()
    path.write_bytes(path.read_bytes().replace(b"version 1", b"version 2"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    edited = path.read_bytes()

    [outcome] = write_metadata(catalogue, [photo.id], mode="embed").outcomes
    assert outcome.status is WriteStatus.SKIPPED
    assert "changed on disk since the last scan" in outcome.reason
    assert path.read_bytes() == edited


def test_a_copy_replacing_the_file_is_written_and_its_new_inode_recorded(
    scanner, catalogue, tmp_path: Path
) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    photo = approved_photo(scanner, catalogue, path)
    restored = tmp_path / "restored.jpg"
    shutil.copy2(path, restored)
    os.replace(restored, path)
    [outcome] = write_metadata(catalogue, [photo.id], mode="sidecar").outcomes
    assert outcome.status is WriteStatus.WRITTEN, outcome.reason
    after = stored(catalogue, photo.id)
    assert (after.inode, after.content_hash) == (path.stat().st_ino, photo.content_hash)


# -- OS refusals at the write calls --------------------------------------------------------------------------

REFUSALS = [(errno.EACCES, "permission denied"), (errno.EROFS, "read-only file system"),
            (errno.ENOSPC, "no space left on the disk")]


def inject(monkeypatch: pytest.MonkeyPatch, where: str, code: int, victim: str) -> None:
    """The OS refuses the write of ``victim``'s temporary file at ``where``: its open, a write, or the
    replace that would move it over the original."""
    def refuse(target: str) -> None:
        raise OSError(code, os.strerror(code), target)

    if where == "open":
        real_open = os.open

        def os_open(path, flags, *args, **kwargs):
            if victim in str(path) and atomic_files.TEMP_MARK in str(path):
                refuse(str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(atomic_files.os, "open", os_open)
    elif where == "write":
        class Refusing:
            def __init__(self, fp) -> None:
                self.fp = fp

            def __enter__(self):
                return self

            def __exit__(self, *exc) -> None:
                self.fp.close()

            def write(self, data: bytes) -> int:
                refuse(self.fp.name)
                return 0

        def opener(file, mode="r", *args, **kwargs):
            fp = open(file, mode, *args, **kwargs)  # noqa: SIM115 (closed by the caller's with)
            is_victim = isinstance(file, int) and victim in os.readlink(f"/proc/self/fd/{file}")
            return Refusing(fp) if is_victim and "w" in mode else fp

        monkeypatch.setattr(atomic_files, "open", opener, raising=False)
    else:
        real_replace = os.replace

        def replace(source, target, *args, **kwargs):
            if victim in os.path.basename(str(target)):
                refuse(str(target))
            return real_replace(source, target, *args, **kwargs)

        monkeypatch.setattr(atomic_files.os, "replace", replace)


@pytest.mark.parametrize("mode", ["embed", "sidecar"])
@pytest.mark.parametrize("where", ["open", "write", "replace"])
@pytest.mark.parametrize(("code", "reason"), REFUSALS)
def test_a_refused_write_fails_that_file_in_one_line_and_the_rest_go_on(
    scanner, catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, where: str, code: int,
    reason: str,
) -> None:
    root = tmp_path / "lib"
    refused = photo_files.jpeg(root / "refused.jpg", seed=1)
    fine = photo_files.jpeg(root / "fine.jpg", seed=2)
    scanner.scan(root)
    for path in (refused, fine):
        approve(catalogue, photo_of(catalogue, path.name).id)
    original = refused.read_bytes()
    inject(monkeypatch, where, code, "refused.jpg")

    report = write_metadata(catalogue, [photo_of(catalogue, p.name).id for p in (refused, fine)], mode=mode)
    outcomes = {Path(o.path).name: o for o in report.outcomes}
    target = refused if mode == "embed" else Path(str(refused) + ".xmp")
    assert outcomes["refused.jpg"].status is WriteStatus.FAILED
    assert outcomes["refused.jpg"].reason == f"{target}: {reason}: nothing written"
    assert outcomes["fine.jpg"].status is WriteStatus.WRITTEN
    assert refused.read_bytes() == original
    expected = {"fine.jpg", "refused.jpg"} | ({"fine.jpg.xmp"} if mode == "sidecar" else set())
    assert set(os.listdir(root)) == expected  # no temporary file left behind


def test_write_metadata_command_names_each_refused_file_in_one_line(
    scanner, catalogue, tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "lib"
    refused = photo_files.jpeg(root / "refused\x1b[2J.jpg", seed=1)
    photo_files.jpeg(root / "fine.jpg", seed=2)
    scanner.scan(root)
    for name in ("refused\x1b[2J.jpg", "fine.jpg"):
        approve(catalogue, photo_of(catalogue, name).id)
    inject(monkeypatch, "replace", errno.ENOSPC, "refused")
    code, out, err = run_cli(capsys, db_path, "write-metadata", "--embed", "--library", str(root))
    assert code == 1
    printable_path = str(refused).replace("\x1b", "\\x1b")
    assert err.splitlines() == [
        f"failed {printable_path}: {printable_path}: no space left on the disk: nothing written"]
    assert "wrote " in out and "fine.jpg" in out and "\x1b" not in out + err


# -- imported descriptions longer than a caption may be ------------------------------------------------------


def test_an_imported_description_over_the_caption_limit_is_cut_at_a_word_with_a_note(
    scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    words = "lorem ipsum dolorsit " * 1500  # 31,500 characters
    (root / "a.txt").write_text(words.strip())
    assert scanner.scan(root).imported == 1
    photo = photo_of(catalogue, "a.jpg")
    [(text, origin, _author, _current)] = captions_of(catalogue, photo.id)
    assert origin == "imported" and len(text) <= MAX_CAPTION_CHARS
    assert words.startswith(text) and text.endswith(("lorem", "ipsum", "dolorsit"))
    with catalogue.read() as session:
        note = session.scalar(select(CaptionRevision.note))
    assert note == "cut to 20,000 characters on import; the file holds 31,499"

    embed(path, xmp={"Xmp.dc.subject": ["changed"]})  # read again: the cut text is not imported twice
    assert scanner.scan(root).imported == 0


def test_the_apps_write_report_carries_the_iptc_cut(scanner, catalogue, tmp_path: Path) -> None:
    from desktop_app.ui.main_window.file_tasks import outcome_line

    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    photo = approved_photo(scanner, catalogue, path, "é" * 1500)
    [outcome] = write_metadata(catalogue, [photo.id], mode="embed", dry_run=True).outcomes
    assert "IPTC Caption-Abstract cut to 2,000 bytes (IPTC allows 2,000; the text is 3,000)" in outcome_line(
        outcome)
