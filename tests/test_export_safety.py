"""Exports never destroy what the app did not create, and write their files like any careful tool: the
catalogue, library photos and the thumbnail cache are refused as outputs even with --force; photos are
copied into a dataset unless linking is asked for; modes follow the umask; a full disk names the output;
a killed export's leftovers are cleared; temporary names fit the file system's limit."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app import atomic_files, locations
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.photos import PhotoQuery, find_photo
from desktop_app.exports import ExportError, ExportFormat, export
from desktop_app.exports import files as export_files
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.cli_helpers import run_cli

FILE_FORMATS = [ExportFormat.CSV, ExportFormat.JSONL, ExportFormat.COCO]


@pytest.fixture
def album(tmp_path: Path, catalogue: Catalogue, scanner: Scanner) -> Path:
    """A library of three photos (one in a sub-folder), each with an approved caption."""
    root = tmp_path / "album"
    for name, seed in (("a.jpg", 1), ("b.jpg", 2), ("sub/c.jpg", 3)):
        photo_files.jpeg(root / name, seed=seed)
    scanner.scan(root)
    with catalogue.write() as session:
        for name in ("a.jpg", "b.jpg", "sub/c.jpg"):
            edit_caption(session, find_photo(session, str(root / name)), f"caption of {name}",
                         author="ana", approve=True)
    return root


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, *args, "--db", str(db_path))


# -- 1. the catalogue, library files and the cache are never outputs ---------------------------------


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_export_refuses_the_catalogue_and_its_side_files_even_with_force(
    catalogue: Catalogue, album: Path, db_path: Path, tmp_path: Path, fmt: ExportFormat
) -> None:
    before = _digest(db_path)
    side = {suffix: Path(f"{db_path}{suffix}") for suffix in ("-wal", "-shm", "-journal")}
    link_dir = tmp_path / "elsewhere"
    link_dir.mkdir()
    symlink, hardlink = link_dir / "sym.csv", link_dir / "hard.csv"
    symlink.symlink_to(db_path)
    os.link(db_path, hardlink)
    for output in (db_path, *side.values(), symlink, hardlink,
                   db_path.parent / "." / db_path.name):
        existed = output.exists()
        with pytest.raises(ExportError, match="catalogue"):
            export(catalogue, fmt, output, PhotoQuery(), force=True)
        assert output.exists() == existed
    assert _digest(db_path) == before
    with catalogue.read() as session:  # every caption still there
        assert find_photo(session, str(album / "a.jpg")).captions[0].text == "caption of a.jpg"
    assert not [p for p in db_path.parent.iterdir() if "photo-annotator-tmp" in p.name]


def test_a_catalogue_opened_read_only_is_refused_too(catalogue: Catalogue, album: Path, db_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # A catalogue file the user cannot write opens read-only (a file: URI), yet renaming a new file onto
    # it would still succeed in a writable folder. Root can write it: the probe is told it cannot.
    from desktop_app.catalogue import database, open_catalogue

    monkeypatch.setattr(database, "_can_write", lambda path: False)
    before = _digest(db_path)
    with open_catalogue(db_path, create=False, reading=True) as read_only:
        assert read_only.read_only
        for output in (db_path, Path(f"{db_path}-wal")):
            with pytest.raises(ExportError, match="catalogue"):
                export(read_only, ExportFormat.CSV, output, PhotoQuery(), force=True)
    assert _digest(db_path) == before


@pytest.mark.parametrize("fmt", FILE_FORMATS)
def test_export_refuses_a_file_of_a_library_even_with_force(
    catalogue: Catalogue, album: Path, tmp_path: Path, fmt: ExportFormat
) -> None:
    photo = album / "sub" / "c.jpg"
    before = _digest(photo)
    (album / "notes.txt").write_text("the librarian's notes", encoding="utf-8")  # not a photo: kept too
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "sym.jpg").symlink_to(photo)
    os.link(photo, outside / "hard.jpg")  # the same file under a name outside the library
    (outside / "album-link").symlink_to(album, target_is_directory=True)
    for output in (photo, album / "notes.txt", outside / "sym.jpg", outside / "hard.jpg",
                   outside / "album-link" / "a.jpg", album / "sub" / ".." / "b.jpg"):
        with pytest.raises(ExportError, match=r"inside the library|photo of the library"):
            export(catalogue, fmt, output, PhotoQuery(), force=True)
    assert _digest(photo) == before and (outside / "hard.jpg").read_bytes() == photo.read_bytes()
    assert (album / "notes.txt").read_text(encoding="utf-8") == "the librarian's notes"
    assert not [p for p in album.rglob("*") if "photo-annotator-tmp" in p.name]


def test_export_refuses_the_thumbnail_cache(catalogue: Catalogue, album: Path) -> None:
    cache = locations.cache_dir()
    (locations.thumbnail_dir() / "ab").mkdir(parents=True)
    for output in (cache / "captions.csv", locations.thumbnail_dir() / "ab" / "x.csv"):
        with pytest.raises(ExportError, match="thumbnail cache"):
            export(catalogue, ExportFormat.CSV, output, PhotoQuery(), force=True)
        assert not output.exists()


def test_imagefolder_refuses_a_folder_that_is_holds_or_sits_in_a_library_the_cache_or_the_catalogue(
    catalogue: Catalogue, album: Path, db_path: Path, tmp_path: Path, scanner: Scanner
) -> None:
    photo_files.jpeg(tmp_path / "shelf" / "second" / "d.jpg", seed=4)
    scanner.scan(tmp_path / "shelf" / "second")
    refused = {
        album: "library",  # is
        album / "sub": "library",  # inside
        tmp_path / "shelf": "library",  # holds a library
        album.parent: "catalogue",  # holds the catalogue (and a library)
        locations.cache_dir(): "cache",
        locations.cache_dir() / "dataset": "cache",
        locations.cache_dir().parent: "cache",
        db_path: "catalogue",
    }
    for output, what in refused.items():
        with pytest.raises(ExportError, match=what):
            export(catalogue, ExportFormat.HF_IMAGEFOLDER, output, PhotoQuery(), force=True)
    assert sorted(p.relative_to(album).as_posix() for p in album.rglob("*")) == [
        "a.jpg", "b.jpg", "sub", "sub/c.jpg"]


def test_cli_export_onto_the_catalogue_is_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], catalogue: Catalogue, album: Path, db_path: Path
) -> None:
    before = _digest(db_path)
    code, out, err = _cli(capsys, db_path, "export", "--format", "csv", "--force", "--output", str(db_path))
    assert code == 1 and out == ""
    assert err.startswith("photo-annotator: error: ") and err.count("\n") == 1 and "catalogue" in err
    code, _out, err = _cli(capsys, db_path, "export", "--format", "csv", "--force",
                           "--output", str(album / "a.jpg"))
    assert code == 1 and "inside the library" in err and err.count("\n") == 1
    assert _digest(db_path) == before


def test_a_new_file_beside_the_photos_is_allowed(catalogue: Catalogue, album: Path) -> None:
    # Nothing is destroyed by a new file: a captions.csv kept with the library is the user's choice.
    report = export(catalogue, ExportFormat.CSV, album / "captions.csv", PhotoQuery())
    assert report.exported == 3 and (album / "captions.csv").is_file()


# -- 2. a dataset holds copies, links only when asked -------------------------------------------------


def test_imagefolder_copies_the_photos_so_editing_the_dataset_leaves_the_library_alone(
    catalogue: Catalogue, album: Path, tmp_path: Path
) -> None:
    before = _digest(album / "a.jpg")
    report = export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / "dataset", PhotoQuery())
    exported = tmp_path / "dataset" / "train" / "a.jpg"
    assert report.linked == 0 and report.exported == 3
    assert not exported.samefile(album / "a.jpg") and os.stat(album / "a.jpg").st_nlink == 1
    assert exported.stat().st_mtime_ns == (album / "a.jpg").stat().st_mtime_ns  # copied with its date
    with open(exported, "r+b") as stream:  # an editor saving the training image in place
        stream.write(b"edited")
    assert _digest(album / "a.jpg") == before


def test_imagefolder_falls_back_to_a_plain_copy_where_there_is_no_reflink(
    catalogue: Catalogue, album: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fcntl = pytest.importorskip("fcntl")
    tried = []

    def no_reflink(fd: int, request: int, arg: int = 0) -> int:
        tried.append(request)
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(fcntl, "ioctl", no_reflink)
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / "dataset", PhotoQuery())
    assert tried and set(tried) == {export_files.FICLONE}
    copied = tmp_path / "dataset" / "train" / "sub" / "c.jpg"
    assert copied.read_bytes() == (album / "sub" / "c.jpg").read_bytes()


def test_imagefolder_links_only_when_asked(catalogue: Catalogue, album: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    report = export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / "dataset", PhotoQuery(), link=True)
    assert report.linked == 3
    assert (tmp_path / "dataset" / "train" / "a.jpg").samefile(album / "a.jpg")

    code, out, err = _cli(capsys, db_path, "export", "--format", "hf-imagefolder", "--link",
                          "--output", str(tmp_path / "linked"))
    assert code == 0, err
    assert out == (f"Exported 3 photos to {tmp_path / 'linked'} (hf-imagefolder); "
                   "3 hard-linked to the library's files\n")
    assert (tmp_path / "linked" / "train" / "b.jpg").samefile(album / "b.jpg")
    code, out, err = _cli(capsys, db_path, "export", "--format", "hf-imagefolder",
                          "--output", str(tmp_path / "copied"))
    assert code == 0, err
    assert not (tmp_path / "copied" / "train" / "b.jpg").samefile(album / "b.jpg")
    code, out, _err = _cli(capsys, db_path, "export", "--help")
    assert "--link" in out and "edits the library photo" in " ".join(out.split())


def test_link_is_refused_for_formats_without_photos(capsys: pytest.CaptureFixture[str], catalogue: Catalogue,
                                                    album: Path, db_path: Path, tmp_path: Path) -> None:
    code, _out, err = _cli(capsys, db_path, "export", "--format", "csv", "--link",
                           "--output", str(tmp_path / "x.csv"))
    assert code == 2 and "--link" in err and not (tmp_path / "x.csv").exists()


# -- 3. modes follow the umask ------------------------------------------------------------------------


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_export_files_and_folders_follow_the_umask(catalogue: Catalogue, album: Path, tmp_path: Path,
                                                   umask: int) -> None:
    for fmt, name in ((ExportFormat.CSV, "c.csv"), (ExportFormat.JSONL, "c.jsonl"),
                      (ExportFormat.COCO, "c.json")):
        export(catalogue, fmt, tmp_path / "out" / name, PhotoQuery())
        assert _mode(tmp_path / "out" / name) == 0o666 & ~umask
    export(catalogue, ExportFormat.CSV, tmp_path / "out" / "c.csv", PhotoQuery(), force=True)  # replaced
    assert _mode(tmp_path / "out" / "c.csv") == 0o666 & ~umask
    dataset = tmp_path / "dataset"
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, dataset, PhotoQuery())
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, dataset, PhotoQuery(), force=True)  # swapped in
    folders = [dataset, dataset / "train", dataset / "train" / "sub"]
    files = [dataset / "train" / "metadata.jsonl", dataset / "train" / "a.jpg",
             dataset / "train" / "sub" / "c.jpg"]
    assert {_mode(folder) for folder in folders} == {0o777 & ~umask}
    assert {_mode(file) for file in files} == {0o666 & ~umask}


# -- 4. a full disk names the output ------------------------------------------------------------------


def test_a_full_disk_while_copying_names_the_output_not_the_photo(
    catalogue: Catalogue, album: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(fcntl, "ioctl", lambda *args: (_ for _ in ()).throw(OSError(errno.EOPNOTSUPP, "no")))

    def disk_full(src: str, dst: str, **kwargs: object) -> str:
        # As shutil's sendfile copy raises it: filename is the source, filename2 the destination.
        raise OSError(errno.ENOSPC, "No space left on device", str(src), None, str(dst))

    monkeypatch.setattr(shutil, "copyfile", disk_full)
    monkeypatch.setattr(os, "link", lambda *args, **kwargs: (_ for _ in ()).throw(OSError(errno.EXDEV, "x")))
    with pytest.raises(ExportError) as failure:
        export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / "dataset", PhotoQuery())
    message = str(failure.value)
    assert "disk is full" in message and str(tmp_path / "dataset" / "train") in message
    assert str(album) not in message
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".dataset", "dataset"))]


def test_a_full_disk_while_writing_a_file_names_it_and_leaves_nothing(
    catalogue: Catalogue, album: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "out" / "captions.csv"
    real_fsync = os.fsync

    def disk_full(fd: int) -> None:  # the delayed write-back fails when the data reaches the disk
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(ExportError, match=rf"cannot write {output}: the disk is full"):
        export(catalogue, ExportFormat.CSV, output, PhotoQuery())
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert list(output.parent.iterdir()) == []


@pytest.mark.parametrize(("code", "reason"), [(errno.EACCES, "permission denied"),
                                             (errno.EROFS, "the file system is read-only"),
                                             (errno.ENOSPC, "the disk is full")])
@pytest.mark.parametrize("fmt", [ExportFormat.CSV, ExportFormat.HF_IMAGEFOLDER])
def test_an_output_folder_that_cannot_be_written_is_named_in_one_line(
    catalogue: Catalogue, album: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: ExportFormat,
    code: int, reason: str
) -> None:
    # Root can write anywhere: the fault is injected where the temporary file or folder is created.
    real_open, real_mkdir = os.open, os.mkdir

    def refused(real):
        def call(path, *args, **kwargs):
            if os.path.basename(os.fspath(path)).startswith(".export."):  # a temporary of "export"
                raise OSError(code, os.strerror(code), os.fspath(path))
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "open", refused(real_open))
    monkeypatch.setattr(os, "mkdir", refused(real_mkdir))
    output = tmp_path / "out" / "export"
    with pytest.raises(ExportError) as failure:
        export(catalogue, fmt, output, PhotoQuery())
    assert str(failure.value) == f"cannot write {output}: {reason}"
    assert list(output.parent.iterdir()) == []


# -- 5. a killed export's leftovers are cleared -------------------------------------------------------

_KILLED_EXPORT = """
import os, signal, sys
from pathlib import Path
from desktop_app.catalogue import open_catalogue
from desktop_app.exports import writers

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)  # kill -9 half-way

writers._write_csv = killed
writers._place_photo = killed
writers.export(open_catalogue(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))
"""


def _killed_export(db_path: Path, fmt: str, output: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _KILLED_EXPORT, str(db_path), fmt, str(output)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_exports_leftovers_are_removed_by_the_next_export(
    catalogue: Catalogue, album: Path, db_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _killed_export(db_path, "csv", out / "captions.csv")
    _killed_export(db_path, "hf-imagefolder", out / "dataset")
    leftovers = sorted(p.name for p in out.iterdir())
    assert len(leftovers) == 2 and all(name.startswith(".") for name in leftovers)
    # The user's own hidden files, even with names like ours, are never touched.
    mine = [out / ".captions.csv.bak", out / ".captions.csv.photo-annotator-tmp-mine",
            out / ".other.csv.photo-annotator-tmp"]
    for path in mine:
        path.write_text("mine", encoding="utf-8")

    export(catalogue, ExportFormat.CSV, out / "captions.csv", PhotoQuery())
    assert [p for p in out.iterdir() if p.name.startswith(".dataset")]  # another output's: not yet
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, out / "dataset", PhotoQuery())
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["captions.csv", "dataset", *[p.name for p in mine]])


def test_a_running_exports_temporary_is_kept_and_an_old_one_removed(
    catalogue: Catalogue, album: Path, tmp_path: Path
) -> None:
    output = tmp_path / "captions.csv"
    running = atomic_files.temp_path(output)  # this process is alive: another export in progress
    running.write_text("in progress", encoding="utf-8")
    old = atomic_files.temp_path(output)
    old.mkdir()
    (old / "train").mkdir()
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))  # pid reused by now, or another machine's: too old anyway
    # What earlier versions left (tempfile's names, no pid): removed once old, like ours.
    legacy_old, legacy_new = tmp_path / ".captions.csv.k2_9zq0a.tmp", tmp_path / ".captions.csv.p0o9i8u7.tmp"
    legacy_old.write_text("half", encoding="utf-8")
    legacy_new.write_text("half", encoding="utf-8")
    os.utime(legacy_old, (two_days_ago, two_days_ago))
    export(catalogue, ExportFormat.CSV, output, PhotoQuery())
    assert running.exists() and not old.exists()
    assert legacy_new.exists() and not legacy_old.exists()


# -- 6. temporary names fit the file system's limit ---------------------------------------------------


@pytest.mark.parametrize("stem", ["a" * 246, "é" * 123], ids=["ascii", "two-byte"])
def test_outputs_with_250_byte_names_are_written(catalogue: Catalogue, album: Path, tmp_path: Path,
                                                 stem: str) -> None:
    csv_name = stem + ".csv"
    assert len(os.fsencode(csv_name)) == 250
    export(catalogue, ExportFormat.CSV, tmp_path / csv_name, PhotoQuery())
    folder_name = stem + ".set"
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / folder_name, PhotoQuery())
    export(catalogue, ExportFormat.HF_IMAGEFOLDER, tmp_path / folder_name, PhotoQuery(), force=True)
    assert (tmp_path / csv_name).is_file() and (tmp_path / folder_name / "train" / "metadata.jsonl").is_file()
    assert all(len(os.fsencode(p.name)) <= 255 for p in tmp_path.iterdir())
    assert not [p for p in tmp_path.iterdir() if "photo-annotator-tmp" in p.name]
    assert all(len(os.fsencode(atomic_files.temp_path(tmp_path / name).name)) <= 255
               for name in (csv_name, "x" * 255))
