"""Rescans: what counts as a change (only new content), side faults that must not mark photos bad, retries."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select, update

from desktop_app.catalogue.models import Caption, Photo, PhotoStatus
from desktop_app.cli.main import main
from desktop_app.library import inspection
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from tests import cli_helpers, photo_files


def photo_at(catalogue, name: str) -> Photo:
    with catalogue.read() as session:
        photo = session.scalar(select(Photo).where(Photo.rel_path == name))
        session.expunge(photo)
        return photo


def jpeg_with_comment(path: Path, comment: bytes) -> Path:
    return photo_files.save(photo_files.picture(seed=3), path, comment=comment)


def same_size_edit(path: Path, old: bytes, new: bytes) -> None:
    """Another program edits the file in place, same size, and puts its modification time back."""
    st = path.stat()
    data = path.read_bytes()
    assert len(old) == len(new) and data.count(old) == 1
    path.write_bytes(data.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)


def run_cli(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    return cli_helpers.run_cli(capsys, *args, "--db", str(db_path))


def count_opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    real_open = inspection._open_file
    monkeypatch.setattr(inspection, "_open_file", lambda path: opened.append(path) or real_open(path))
    return opened


# -- what a change is -----------------------------------------------------------------------------------


def test_a_same_size_edit_with_its_time_put_back_is_found_by_a_rescan(
    scanner: Scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "lib"
    path = jpeg_with_comment(root / "a.jpg", b"version 1")
    scanner.scan(root)
    before = photo_at(catalogue, "a.jpg")
    same_size_edit(path, b"version 1", b"version 2")

    report = scanner.scan(root)
    assert (report.updated, report.unchanged) == (1, 0)
    after = photo_at(catalogue, "a.jpg")
    assert after.content_hash != before.content_hash
    assert after.ctime_ns == path.stat().st_ctime_ns


def test_a_copy_replacing_the_file_is_not_a_change_and_is_hashed_once(
    scanner: Scanner, catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    scanner.scan(root)
    before = photo_at(catalogue, "a.jpg")
    copy = tmp_path / "restored.jpg"
    shutil.copy2(path, copy)  # a restore or rsync: same bytes and mtime, new inode and ctime
    os.replace(copy, path)
    assert path.stat().st_ino != before.inode
    opened = count_opens(monkeypatch)

    report = scanner.scan(root)
    assert (report.unchanged, report.rehashed, report.updated, report.new) == (1, 1, 0, 0)
    assert opened == [str(path)]
    after = photo_at(catalogue, "a.jpg")
    assert after.content_hash == before.content_hash and after.status is PhotoStatus.OK
    assert (after.inode, after.ctime_ns) == (path.stat().st_ino, path.stat().st_ctime_ns)

    report = scanner.scan(root)  # the new stat values were stored: one stat, no read
    assert (report.unchanged, report.rehashed) == (1, 0)
    assert opened == [str(path)]


def test_a_catalogue_without_inodes_records_them_without_reading_any_file(
    scanner: Scanner, catalogue, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanner.scan(library)
    with catalogue.write() as session:  # rows from before migration 0008 kept no inode
        session.execute(update(Photo).values(inode=None))
    opened = count_opens(monkeypatch)
    report = scanner.scan(library)
    assert (report.unchanged, report.rehashed, opened) == (9, 0, [])
    with catalogue.read() as session:
        assert None not in set(session.scalars(select(Photo.inode)))


# -- thumbnail cache faults are not photo faults ----------------------------------------------------------


def test_a_file_in_place_of_the_thumbnail_cache_leaves_photos_ok_with_one_warning(
    catalogue, library: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "cache-is-a-file"
    blocked.write_text("not a folder")
    cache = ThumbnailCache(blocked)
    report = Scanner(catalogue, cache, workers=2).scan(library)
    assert report.errors == []
    assert report.thumbnails_failed == 9
    assert report.thumbnail_warning == (
        f"thumbnails cannot be saved in {blocked}: a file is in the way of a folder; the photos are fine, "
        "and their thumbnails will be made on the next scan")
    with catalogue.read() as session:
        assert set(session.scalars(select(Photo.status))) == {PhotoStatus.OK}

    blocked.unlink()  # the cache works again: the next scan makes the thumbnails, changing no photo
    report = Scanner(catalogue, cache, workers=2).scan(library)
    assert (report.unchanged, report.updated, report.thumbnails_failed, report.thumbnail_warning) == (
        9, 0, 0, None)
    with catalogue.read() as session:
        assert all(cache.has(digest) for digest in session.scalars(select(Photo.content_hash)))


@pytest.mark.parametrize(("code", "reason"), [(errno.EROFS, "read-only file system"),
                                              (errno.EACCES, "permission denied")])
def test_a_thumbnail_write_refused_by_the_os_is_a_warning_not_a_photo_error(
    scanner: Scanner, catalogue, library: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    def refuse(self, content_hash, thumbnail):
        raise OSError(code, os.strerror(code), str(self.folder))

    monkeypatch.setattr(ThumbnailCache, "store", refuse)
    report = scanner.scan(library)
    assert (report.new, report.errors, report.thumbnails_failed) == (9, [], 9)
    assert f": {reason}; the photos are fine" in report.thumbnail_warning
    with catalogue.read() as session:
        assert set(session.scalars(select(Photo.status))) == {PhotoStatus.OK}


def test_photos_marked_bad_by_a_broken_cache_recover_on_a_plain_rescan(
    scanner: Scanner, catalogue, library: Path
) -> None:
    scanner.scan(library)
    # What earlier versions recorded when the cache was read-only: the file was read (it has a hash)
    # and the thumbnail's write error was taken for the photo's.
    with catalogue.write() as session:
        session.execute(update(Photo).where(Photo.rel_path == "2021/paris.jpg").values(
            status=PhotoStatus.ERROR, error="cannot read file: Read-only file system"))
        session.execute(update(Photo).where(Photo.rel_path == "2021/diagram.png").values(
            status=PhotoStatus.ERROR, error="permission denied"))
    report = scanner.scan(library)
    assert report.errors == []
    assert report.updated == 2
    with catalogue.read() as session:
        assert set(session.scalars(select(Photo.status))) == {PhotoStatus.OK}


def test_scan_command_warns_once_on_stderr_and_in_json(
    library: Path, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cache_root = tmp_path / "cache-root"
    cache_root.mkdir()
    (cache_root / "thumbnails").write_text("in the way")
    monkeypatch.setenv("PHOTO_ANNOTATOR_CACHE", str(cache_root))
    code, out, err = run_cli(capsys, db_path, "scan", str(library))
    assert code == 0
    assert "could not be read" not in out
    assert err.count("photo-annotator: warning: thumbnails cannot be saved") == 1
    assert len(err.strip().splitlines()) == 1

    (cache_root / "thumbnails").unlink()
    (cache_root / "thumbnails").mkdir()
    (cache_root / "thumbnails" / "ab").write_text("in the way of one fan-out folder")
    _code, out, _err = run_cli(capsys, db_path, "scan", str(library), "--json")
    record = json.loads(out)
    assert record["errors"] == [] and record["unchanged"] == 9
    assert record["thumbnails_failed"] == 0 and record["thumbnail_warning"] is None  # no hash starts "ab"
    blocked = {"thumbnails_failed", "thumbnail_warning", "rehashed"}
    assert blocked <= set(record)


# -- --retry-errors -----------------------------------------------------------------------------------------


def test_retry_errors_reads_unchanged_failed_files_again(
    tmp_path: Path, db_path: Path, catalogue, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "share"
    photo_files.jpeg(root / "flaky.jpg", seed=5)
    real_open = inspection._open_file

    def failing_disk(path: str):
        raise OSError(errno.EIO, "Input/output error", path)

    monkeypatch.setattr(inspection, "_open_file", failing_disk)
    run_cli(capsys, db_path, "scan", str(root))
    monkeypatch.setattr(inspection, "_open_file", real_open)  # the share is back

    _code, out, _err = run_cli(capsys, db_path, "scan", str(root))
    assert "1 unchanged" in out and "flaky.jpg: read error (I/O error)" in out
    code, out, _err = run_cli(capsys, db_path, "scan", str(root), "--retry-errors")
    assert code == 0
    assert "1 updated" in out and "could not be read" not in out
    assert photo_at(catalogue, "flaky.jpg").status is PhotoStatus.OK


def test_retry_errors_has_help_text(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["scan", "--help"])
    assert "--retry-errors Read files recorded as errors again even if they did not change" in " ".join(
        capsys.readouterr().out.split())


# -- the terminal ----------------------------------------------------------------------------------------


def test_file_names_with_escape_sequences_are_shown_escaped(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "lib"
    root.mkdir()
    (root / "evil\x1b]52;c;aGk=\x07\x1b[2J.jpg").write_bytes(b"not a jpeg")
    _code, out, err = run_cli(capsys, db_path, "scan", str(root))
    assert "\x1b" not in out + err and "\x07" not in out + err
    assert "evil\\x1b]52;c;aGk=\\x07\\x1b[2J.jpg: " in out


def test_a_rescan_keeps_captions_of_a_photo_hashed_again(scanner: Scanner, catalogue, tmp_path: Path) -> None:
    root = tmp_path / "lib"
    path = photo_files.jpeg(root / "a.jpg")
    scanner.scan(root)
    from desktop_app.catalogue.captions import edit_caption

    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, photo_at(catalogue, "a.jpg").id), "a dog", author="ann")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 10**9))
    assert scanner.scan(root).rehashed == 1
    with catalogue.read() as session:
        assert list(session.scalars(select(Caption.text))) == ["a dog"]
