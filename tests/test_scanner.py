"""The library scanner on real files: formats, metadata, thumbnails, incremental rescans, moves, bad files."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.models import Library, Photo, PhotoStatus
from desktop_app.library import inspection, walk
from desktop_app.library.scanner import ScanError, Scanner
from tests import photo_files


def photos_by_path(catalogue) -> dict[str, Photo]:
    with catalogue.read() as session:
        return {photo.rel_path: photo for photo in session.scalars(select(Photo))}


def test_first_scan_records_every_format_with_its_metadata(
    scanner: Scanner, catalogue, library: Path
) -> None:
    report = scanner.scan(library)
    assert (report.new, report.errors) == (9, [])
    photos = photos_by_path(catalogue)
    assert {p.format for p in photos.values()} == {"JPEG", "PNG", "TIFF", "WEBP", "BMP", "GIF"}
    assert all(p.status is PhotoStatus.OK and p.content_hash for p in photos.values())

    paris = photos["2021/paris.jpg"]
    assert (paris.width, paris.height, paris.orientation) == (400, 300, 6)
    assert paris.date_taken == photo_files.EXIF_DATE  # DateTimeOriginal wins over DateTime
    assert (paris.camera_make, paris.camera_model) == ("Canon", "EOS R5")
    assert paris.gps_latitude == pytest.approx(photo_files.GPS_LATITUDE, abs=1e-5)
    assert paris.gps_longitude == pytest.approx(photo_files.GPS_LONGITUDE, abs=1e-5)
    assert paris.gps_altitude == pytest.approx(35.0)
    assert paris.size == (library / "2021" / "paris.jpg").stat().st_size


def test_thumbnails_are_cached_by_content_hash_upright_and_small(
    scanner: Scanner, catalogue, library: Path, thumbnails
) -> None:
    scanner.scan(library)
    for photo in photos_by_path(catalogue).values():
        with Image.open(thumbnails.path_for(photo.content_hash)) as thumb:
            assert thumb.format == "JPEG" and thumb.mode == "RGB"
            assert max(thumb.size) <= thumbnails.size
            if photo.rel_path == "2021/paris.jpg":
                # stored 400x300 with orientation 6 (rotate 90): shown upright as portrait
                assert thumb.size[0] < thumb.size[1]


def test_heic_and_dicom_are_read(scanner: Scanner, catalogue, tmp_path: Path, thumbnails) -> None:
    root = tmp_path / "mixed"
    photo_files.heic(root / "IMG_0001.heic")
    photo_files.dicom(root / "xray" / "chest.dcm", "MONOCHROME2")
    photo_files.dicom(root / "xray" / "chest-inverted.dcm", "MONOCHROME1")
    report = scanner.scan(root)
    assert report.errors == []
    photos = photos_by_path(catalogue)
    assert photos["IMG_0001.heic"].format == "HEIF"
    chest = photos["xray/chest.dcm"]
    assert (chest.format, chest.width, chest.height) == ("DICOM", 64, 48)
    assert chest.camera_make == "ACME Medical" and chest.date_taken.year == 2020
    # the pixel ramp rises left to right; MONOCHROME1 shows it inverted
    with Image.open(thumbnails.path_for(chest.content_hash)) as normal:
        assert normal.getpixel((2, 10))[0] < normal.getpixel((60, 10))[0]
    inverted = photos["xray/chest-inverted.dcm"]
    with Image.open(thumbnails.path_for(inverted.content_hash)) as image:
        assert image.getpixel((2, 10))[0] > image.getpixel((60, 10))[0]


def test_unchanged_rescan_reads_no_file(
    scanner: Scanner, library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanner.scan(library)
    opened: list[str] = []
    real_open = inspection._open_file
    monkeypatch.setattr(inspection, "_open_file", lambda path: opened.append(path) or real_open(path))
    report = scanner.scan(library)
    assert (report.unchanged, report.new, report.updated, report.missing) == (9, 0, 0, 0)
    assert opened == []


def test_changed_file_is_reread_and_keeps_its_captions(scanner: Scanner, catalogue, library: Path) -> None:
    scanner.scan(library)
    target = library / "2021" / "diagram.png"
    with catalogue.write() as session:
        photo = session.scalar(select(Photo).where(Photo.rel_path == "2021/diagram.png"))
        edit_caption(session, photo, "a chart of sales", author="ann")
        old_hash = photo.content_hash
    photo_files.save(photo_files.picture(640, 480, seed=99), target)
    report = scanner.scan(library)
    assert (report.updated, report.unchanged) == (1, 8)
    photo = photos_by_path(catalogue)["2021/diagram.png"]
    assert photo.content_hash != old_hash and (photo.width, photo.height) == (640, 480)
    with catalogue.read() as session:
        assert [c.text for c in session.get(Photo, photo.id).captions] == ["a chart of sales"]


def test_moved_and_renamed_photos_keep_their_captions(scanner: Scanner, catalogue, library: Path) -> None:
    scanner.scan(library)
    with catalogue.write() as session:
        for photo in session.scalars(select(Photo)):
            edit_caption(session, photo, f"caption of {photo.rel_path}", author="ann")
    ids = {path: photo.id for path, photo in photos_by_path(catalogue).items()}

    (library / "archive").mkdir()
    shutil.move(library / "2021" / "paris.jpg", library / "archive" / "eiffel tower.jpg")
    os.rename(library / "web" / "banner.webp", library / "web" / "banner-2020.webp")
    report = scanner.scan(library)

    assert (report.moved, report.new, report.missing) == (2, 0, 0)
    photos = photos_by_path(catalogue)
    assert "2021/paris.jpg" not in photos
    moved = photos["archive/eiffel tower.jpg"]
    assert moved.id == ids["2021/paris.jpg"] and moved.status is PhotoStatus.OK
    with catalogue.read() as session:
        assert session.get(Photo, moved.id).captions[0].text == "caption of 2021/paris.jpg"
    assert photos["web/banner-2020.webp"].id == ids["web/banner.webp"]


def test_deleted_photo_is_marked_missing_and_found_again_when_it_returns(
    scanner: Scanner, catalogue, library: Path, tmp_path: Path
) -> None:
    scanner.scan(library)
    with catalogue.write() as session:
        photo = session.scalar(select(Photo).where(Photo.rel_path == "old/icon.bmp"))
        edit_caption(session, photo, "a tiny icon", author="ann")
    parked = tmp_path / "parked.bmp"
    shutil.move(library / "old" / "icon.bmp", parked)
    report = scanner.scan(library)
    assert report.missing == 1
    photo = photos_by_path(catalogue)["old/icon.bmp"]
    assert photo.status is PhotoStatus.MISSING
    with catalogue.read() as session:
        assert session.get(Photo, photo.id).captions[0].text == "a tiny icon"

    # it comes back under another name, after a scan already marked it missing
    shutil.move(parked, library / "old" / "icon-restored.bmp")
    report = scanner.scan(library)
    assert (report.moved, report.new) == (1, 0)
    assert photos_by_path(catalogue)["old/icon-restored.bmp"].id == photo.id


def test_a_photo_moved_to_another_library_keeps_its_row(scanner: Scanner, catalogue, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    photo_files.jpeg(first / "a.jpg", seed=40)
    second.mkdir()
    scanner.scan(first)
    original = photos_by_path(catalogue)["a.jpg"]
    shutil.move(first / "a.jpg", second / "a.jpg")
    scanner.scan(first)  # marks it missing
    report = scanner.scan(second)
    assert report.moved == 1
    with catalogue.read() as session:
        photo = session.get(Photo, original.id)
        assert photo.library.root == str(second.resolve()) and photo.status is PhotoStatus.OK


def test_copies_are_separate_photos(scanner: Scanner, catalogue, library: Path) -> None:
    scanner.scan(library)
    shutil.copy(library / "2021" / "paris.jpg", library / "2021" / "paris copy.jpg")
    report = scanner.scan(library)
    assert (report.new, report.moved) == (1, 0)
    photos = photos_by_path(catalogue)
    assert photos["2021/paris.jpg"].content_hash == photos["2021/paris copy.jpg"].content_hash


def test_scanning_a_subfolder_refreshes_that_part_of_its_library(
    scanner: Scanner, catalogue, library: Path
) -> None:
    scanner.scan(library)
    (library / "web" / "logo.png").unlink()
    (library / "old" / "anim.gif").unlink()
    report = scanner.scan(library / "web")
    assert report.missing == 1  # only web/ was looked at
    photos = photos_by_path(catalogue)
    assert photos["web/logo.png"].status is PhotoStatus.MISSING
    assert photos["old/anim.gif"].status is PhotoStatus.OK
    with catalogue.read() as session:
        assert len(session.scalars(select(Library)).all()) == 1


def test_scanning_a_parent_folder_takes_in_the_library_below(
    scanner: Scanner, catalogue, library: Path
) -> None:
    scanner.scan(library / "2021")
    with catalogue.write() as session:
        photo = session.scalar(select(Photo).where(Photo.rel_path == "paris.jpg"))
        edit_caption(session, photo, "the Eiffel tower", author="ann")
    report = scanner.scan(library)
    assert report.new == 7 and report.unchanged == 2
    with catalogue.read() as session:
        libraries = session.scalars(select(Library)).all()
        assert [lib.root for lib in libraries] == [str(library.resolve())]
        photo = session.scalar(select(Photo).where(Photo.rel_path == "2021/paris.jpg"))
        assert photo.captions[0].text == "the Eiffel tower"


# --- the bad-file corpus ------------------------------------------------------------------------------

def make_bad_corpus(root: Path) -> dict[str, str]:
    """Every kind of bad file, with a fragment of the reason each must get."""
    photo_files.zero_byte(root / "zero.jpg")
    photo_files.truncated_jpeg(root / "truncated.jpg")
    photo_files.text_as_jpeg(root / "notes.jpg")
    photo_files.decompression_bomb(root / "bomb.png")
    photo_files.unsupported_content(root / "icon.png")
    photo_files.raw_photo(root / "IMG_0001.CR2")
    photo_files.symlink_loop(root)
    os.symlink("does-not-exist.jpg", root / "dangling.jpg")
    os.mkfifo(root / "pipe.jpg")
    return {
        "zero.jpg": "empty file",
        "truncated.jpg": "truncated",
        "notes.jpg": "holds text",
        "bomb.png": "decompression bomb",
        "icon.png": "unsupported format: ICO",
        "IMG_0001.CR2": "not a RAW file",
        "loop.jpg": "symbolic link loop",
        "dangling.jpg": "broken symbolic link",
        "pipe.jpg": "not a regular file",
    }


def test_every_bad_file_becomes_an_error_row_with_a_reason_and_the_scan_goes_on(
    scanner: Scanner, catalogue, library: Path
) -> None:
    expected = make_bad_corpus(library / "bad")
    odd_name = photo_files.non_utf8_name(library / "bad")
    photo_files.jpeg(library / "bad" / " spaced  name .jpg", seed=41)
    os.symlink("..", library / "bad" / "up")  # a folder link loop

    report = scanner.scan(library)

    photos = photos_by_path(catalogue)
    for name, fragment in expected.items():
        photo = photos[f"bad/{name}"]
        assert photo.status is PhotoStatus.ERROR, name
        assert fragment in photo.error, (name, photo.error)
        assert "\n" not in photo.error and "Traceback" not in photo.error
    assert sorted(path for path, _ in report.errors) == sorted(f"bad/{n}" for n in expected)
    assert report.skipped_folders == [
        ("bad/up", "folder already scanned through another path (symbolic link)")
    ]
    # the good ones, odd names included, are fine
    assert photos[f"bad/{odd_name.name}"].status is PhotoStatus.OK
    assert photos["bad/ spaced  name .jpg"].status is PhotoStatus.OK
    assert sum(p.status is PhotoStatus.OK for p in photos.values()) == 11


def test_non_utf8_file_names_round_trip_exactly(scanner: Scanner, catalogue, tmp_path: Path) -> None:
    path = photo_files.non_utf8_name(tmp_path / "odd")
    scanner.scan(tmp_path / "odd")
    with catalogue.read() as session:
        photo = session.scalar(select(Photo))
        stored = os.path.join(photo.library.root, photo.rel_path)
    assert os.fsencode(stored) == os.fsencode(path)
    assert os.path.exists(os.fsencode(stored))


def test_permission_denied_is_an_error_row_and_retried_after_chmod(
    scanner: Scanner, catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "locked"
    locked = photo_files.jpeg(root / "private.jpg", seed=42)
    photo_files.jpeg(root / "public.jpg", seed=43)
    locked.chmod(0)
    if os.geteuid() == 0:
        # root ignores file modes: the OS refusal is simulated at the one place files are opened
        real_open = inspection._open_file

        def refuse(path: str):
            if os.stat(path).st_mode & 0o777 == 0:
                raise PermissionError(13, "Permission denied", path)
            return real_open(path)

        monkeypatch.setattr(inspection, "_open_file", refuse)
    scanner.scan(root)
    photo = photos_by_path(catalogue)["private.jpg"]
    assert (photo.status, photo.error) == (PhotoStatus.ERROR, "permission denied")

    locked.chmod(0o644)  # same content and mtime, new ctime
    report = scanner.scan(root)
    assert report.updated == 1
    assert photos_by_path(catalogue)["private.jpg"].status is PhotoStatus.OK


def test_unreadable_folder_is_reported_and_the_rest_scanned(
    scanner: Scanner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "lib"
    photo_files.jpeg(root / "ok.jpg", seed=44)
    photo_files.jpeg(root / "closed" / "hidden.jpg", seed=45)
    real_scandir = os.scandir

    def scandir(path):  # root can read any folder: refuse like the OS would for others
        if str(path).endswith("closed"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(walk.os, "scandir", scandir)
    report = scanner.scan(root)
    assert report.new == 1
    assert report.skipped_folders == [("closed", "permission denied")]


def test_a_missing_folder_is_a_scan_error(scanner: Scanner, tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="does not exist"):
        scanner.scan(tmp_path / "nope")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ScanError, match="is not a folder or a photo file"):
        scanner.scan(tmp_path / "notes.txt")


def test_scanning_one_file_adds_just_that_photo(scanner: Scanner, catalogue, library: Path) -> None:
    report = scanner.scan(library / "2021" / "paris.jpg")
    assert (report.found, report.new) == (1, 1)
    with catalogue.read() as session:
        (library_row,) = session.scalars(select(Library)).all()
        assert library_row.root == str((library / "2021").resolve())
    assert list(photos_by_path(catalogue)) == ["paris.jpg"]
    scanner.scan(library / "2021")  # the rest of the folder later: nothing marked missing
    (library / "2021" / "diagram.png").unlink()
    report = scanner.scan(library / "2021" / "paris.jpg")
    assert (report.unchanged, report.missing) == (1, 0)
    assert photos_by_path(catalogue)["diagram.png"].status is PhotoStatus.OK


def test_stopping_keeps_what_was_recorded_and_marks_nothing_missing(
    scanner: Scanner, catalogue, tmp_path: Path
) -> None:
    root = tmp_path / "many"
    for i in range(40):
        photo_files.jpeg(root / f"{i:03}.jpg", seed=i, exif=False)
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done == 10:
            stop.set()

    report = scanner.scan(root, progress=progress, stop=stop)
    assert report.cancelled and report.new == 10
    assert len(photos_by_path(catalogue)) == 10
    report = scanner.scan(root)
    assert (report.new, report.unchanged) == (30, 10)


def test_stopping_during_the_walk_marks_nothing_missing(scanner: Scanner, catalogue, library: Path) -> None:
    scanner.scan(library)
    stop = threading.Event()
    stop.set()
    report = scanner.scan(library, stop=stop)
    assert report.cancelled and report.missing == 0
    assert all(p.status is PhotoStatus.OK for p in photos_by_path(catalogue).values())
