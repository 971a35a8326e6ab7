"""Camera RAW files end to end, on DNGs the tests write (tests/raw_fixtures.py): scanned with their facts
and thumbnails, decoded from the embedded preview or the developed mosaic, captioned through the
command line, their sidecar's description imported, and write-back to sidecars only.

The other RAW extensions (CR2, CR3, NEF, ARW, ORF, RW2, RAF, PEF) take the same path: LibRaw knows
a RAW file by its content, shown here with a DNG named .nef. No real camera files are tested here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from desktop_app.catalogue.captions import current_caption, edit_caption
from desktop_app.catalogue.models import CaptionOrigin, Photo, PhotoStatus, ReviewState
from desktop_app.library.decoding import decode_file
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from tests import raw_fixtures
from tests.cli_helpers import run_cli
from tests.raw_fixtures import looks_like_the_scene

CAPTION = "Fishing boats in the harbour at dawn, Zoë's café behind"


def photos_by_path(catalogue) -> dict[str, Photo]:
    with catalogue.read() as session:
        return {photo.rel_path: photo for photo in session.scalars(select(Photo))}


def upright_portrait_layout(image: Image.Image) -> bool:
    """The scene turned 90° clockwise (orientation 6) to stand upright: red at the top right, blue at
    the bottom right, green down the left side."""
    rgb = image.convert("RGB")
    width, height = rgb.size

    def strongest(x: float, y: float) -> int:
        pixel = rgb.getpixel((int(x * width), int(y * height)))
        return max(range(3), key=lambda channel: pixel[channel])

    return (width < height and strongest(0.6, 0.2) == 0 and strongest(0.6, 0.8) == 2
            and strongest(0.1, 0.5) == 1)


def test_dngs_are_catalogued_with_size_camera_date_and_thumbnails_that_show_the_scene(
    scanner: Scanner, catalogue, tmp_path: Path, thumbnails: ThumbnailCache,
) -> None:
    root = tmp_path / "archive"
    raw_fixtures.dng(root / "camera.dng", preview="jpeg")
    raw_fixtures.dng(root / "converted.dng", preview="bitmap")
    raw_fixtures.dng(root / "bare.dng", preview=None)
    raw_fixtures.dng(root / "portrait.dng", preview="jpeg", orientation=6)
    raw_fixtures.dng(root / "portrait-bare.dng", preview=None, orientation=6)
    # A RAW file is known by its content: a DNG under another camera's extension goes the same way.
    shutil.copyfile(raw_fixtures.dng(tmp_path / "elsewhere.dng"), root / "DSC_0001.NEF")

    report = scanner.scan(root)

    assert (report.new, report.errors) == (6, [])
    photos = photos_by_path(catalogue)
    for name, photo in photos.items():
        assert photo.status is PhotoStatus.OK, name
        assert (photo.width, photo.height) == (512, 384), name
        assert (photo.camera_make, photo.camera_model) == (raw_fixtures.MAKE, raw_fixtures.MODEL), name
        assert photo.date_taken == raw_fixtures.DATE_TAKEN, name
    assert photos["camera.dng"].format == "DNG" and photos["DSC_0001.NEF"].format == "NEF"
    assert photos["portrait.dng"].orientation == 6
    for name, photo in photos.items():
        with Image.open(thumbnails.path_for(photo.content_hash)) as thumb:
            assert max(thumb.size) == thumbnails.size, name
            if name.startswith("portrait"):
                assert upright_portrait_layout(thumb), name
            else:
                assert looks_like_the_scene(thumb), name


def test_the_embedded_preview_is_used_when_large_enough_else_the_mosaic_is_developed(tmp_path: Path) -> None:
    # The mosaic is black and the preview shows the scene: the image tells which of the two it came from.
    full = raw_fixtures.dng(tmp_path / "full-preview.dng", preview="jpeg", dark_mosaic=True)
    small = raw_fixtures.dng(tmp_path / "small-preview.dng", preview="bitmap", preview_size=(160, 120),
                             dark_mosaic=True)
    for max_side in (320, 384, None):  # a thumbnail, a captioner's input, the full size
        image, error = decode_file(str(full), max_side)
        assert error is None and looks_like_the_scene(image), max_side
        assert max(image.size) == (max_side or 512)
    image, _ = decode_file(str(small), 160)
    assert looks_like_the_scene(image)  # the preview is enough for 160 pixels...
    for max_side in (320, None):  # ...not for more: the mosaic is developed (black here)
        image, error = decode_file(str(small), max_side)
        assert error is None and max(image.size) == (max_side or 512)
        assert max(image.convert("L").getextrema()) < 30


def test_a_dng_without_preview_is_developed_at_half_size_when_that_is_enough(tmp_path: Path) -> None:
    bare = raw_fixtures.dng(tmp_path / "bare.dng", preview=None)
    for max_side in (200, 256, 400, None):  # 256: half of 512 is enough; 400 needs the full mosaic
        image, error = decode_file(str(bare), max_side)
        assert error is None and looks_like_the_scene(image)
        assert image.size == ((max_side or 512), (max_side or 512) * 3 // 4)


def test_bad_raw_files_get_one_line_reasons_and_the_scan_goes_on(
    scanner: Scanner, catalogue, tmp_path: Path,
) -> None:
    root = tmp_path / "bad"
    good = raw_fixtures.dng(root / "good.dng", preview=None)
    (root / "notes.dng").write_text("shot list: harbour, lighthouse\n", encoding="utf-8")
    (root / "truncated.dng").write_bytes(good.read_bytes()[:4000])  # the mosaic cut off
    Image.new("RGB", (64, 48), "red").save(root / "renamed.cr2", "JPEG")  # a JPEG under a RAW name
    (root / "noise.arw").write_bytes(bytes(range(256)) * 40)

    report = scanner.scan(root)

    photos = photos_by_path(catalogue)
    expected = {
        "notes.dng": "not an image: the file holds text",
        "truncated.dng": "corrupt RAW file",
        "renamed.cr2": "not a RAW file LibRaw can read",
        "noise.arw": "not a RAW file LibRaw can read",
    }
    for name, fragment in expected.items():
        photo = photos[name]
        assert photo.status is PhotoStatus.ERROR and fragment in photo.error, (name, photo.error)
        assert "\n" not in photo.error and "b'" not in photo.error
    assert sorted(path for path, _ in report.errors) == sorted(expected)
    assert photos["good.dng"].status is PhotoStatus.OK


@pytest.mark.parametrize("sidecar", ["photo.xmp", "photo.dng.xmp"])
def test_the_description_in_a_dngs_sidecar_becomes_its_imported_caption(
    sidecar: str, scanner: Scanner, catalogue, tmp_path: Path,
) -> None:
    root = tmp_path / "lightroom"
    raw_fixtures.dng(root / "photo.dng")
    (root / sidecar).write_text(raw_fixtures.sidecar_xmp("Fishing boats in the harbour at dawn"),
                                encoding="utf-8")
    scanner.scan(root)
    photo = photos_by_path(catalogue)["photo.dng"]
    with catalogue.read() as session:
        caption = current_caption(session, photo.id)
        assert caption is not None and caption.text == "Fishing boats in the harbour at dawn"
        assert caption.origin is CaptionOrigin.IMPORTED and caption.state is ReviewState.DRAFT


def test_caption_command_captions_a_dng_from_its_preview(
    blip_folder: Path, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    shoot = tmp_path / "shoot"
    raw_fixtures.dng(shoot / "IMG_0001.dng", preview="jpeg")
    raw_fixtures.dng(shoot / "IMG_0002.dng", preview=None)
    code, out, err = run_cli(capsys, "caption", str(shoot), "--captioner", "generic", "--model",
                             str(blip_folder), "--max-new-tokens", "6", "--json", "--dtype", "float32",
                             "--db", str(db_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 2, rows
    assert all(row["status"] == "ok" and row["text"] and row["current"] for row in rows), rows
    code, out, _ = run_cli(capsys, "photos", "--json", "--db", str(db_path))
    listed = [json.loads(line) for line in out.splitlines()]
    assert sorted(row["path"].rsplit("/", 1)[-1] for row in listed) == ["IMG_0001.dng", "IMG_0002.dng"]
    assert all(row["caption_origin"] == "ai" and row["caption_state"] == "draft" for row in listed)


def test_write_metadata_writes_a_raw_files_sidecar_and_never_the_raw_file(
    scanner: Scanner, catalogue, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "archive"
    photo = raw_fixtures.dng(root / "harbour.dng")
    original = photo.read_bytes()
    scanner.scan(root)
    with catalogue.write() as session:
        (row,) = session.scalars(select(Photo))
        edit_caption(session, row, CAPTION, author="Archivist", approve=True)

    code, out, err = run_cli(capsys, "write-metadata", "--embed", "--db", str(db_path))

    assert code == 0, err
    sidecar = root / "harbour.dng.xmp"
    assert f"wrote {sidecar}" in out
    assert "note: RAW files are written to XMP sidecars only" in out
    assert photo.read_bytes() == original
    assert sorted(path.name for path in root.iterdir()) == ["harbour.dng", "harbour.dng.xmp"]
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed: the sidecar is not checked with the reference reader")
    read = subprocess.run(["exiftool", "-j", "-XMP-dc:Description", str(sidecar)], check=True,
                          capture_output=True, text=True)
    assert json.loads(read.stdout)[0]["Description"] == CAPTION


def test_rawpy_is_imported_only_when_a_raw_file_is_met(tmp_path: Path) -> None:
    from tests import photo_files

    photo_files.jpeg(tmp_path / "a.jpg")
    raw_fixtures.dng(tmp_path / "b.dng")
    code = (
        "import sys\n"
        "from desktop_app.library.decoding import decode_file\n"
        f"decode_file({str(tmp_path / 'a.jpg')!r}, 320)\n"
        "print('rawpy' in sys.modules)\n"
        f"decode_file({str(tmp_path / 'b.dng')!r}, 320)\n"
        "print('rawpy' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["False", "True"], result.stderr
