"""Real image files for tests, made with Pillow and pydicom: good photos of every format, and bad files."""

from __future__ import annotations

import os
import struct
import zlib
from datetime import datetime
from pathlib import Path

from PIL import ExifTags, Image, ImageDraw

EXIF_DATE = datetime(2021, 7, 14, 9, 30, 5)
EXIF_MAKE = "Canon"
EXIF_MODEL = "EOS R5"
GPS_LATITUDE = 48.858222  # Paris, the Eiffel Tower
GPS_LONGITUDE = 2.2945


def picture(width: int = 320, height: int = 240, seed: int = 0, mode: str = "RGB") -> Image.Image:
    """A picture with structure (gradient, shapes), different for each seed: distinct content hashes."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    draw = ImageDraw.Draw(image)
    colours = [(200, 40, 40), (40, 160, 60), (40, 80, 200), (230, 200, 30), (120, 40, 160)]
    for i in range(4):
        x = (seed * 37 + i * 61) % max(1, width - width // 4)
        y = (seed * 53 + i * 29) % max(1, height - height // 4)
        draw.rectangle([x, y, x + width // 4, y + height // 4], fill=colours[(seed + i) % len(colours)])
    draw.text((4, 4), f"photo {seed}", fill=(255, 255, 255))
    return image.convert(mode) if mode != "RGB" else image


def exif_block(orientation: int = 1, with_gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = EXIF_MAKE
    exif[ExifTags.Base.Model] = EXIF_MODEL
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.DateTime] = "2022:01:01 00:00:00"  # last edit: must lose to DateTimeOriginal
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = EXIF_DATE.strftime("%Y:%m:%d %H:%M:%S")
    if with_gps:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps[ExifTags.GPS.GPSLatitude] = _dms(GPS_LATITUDE)
        gps[ExifTags.GPS.GPSLongitudeRef] = "E"
        gps[ExifTags.GPS.GPSLongitude] = _dms(GPS_LONGITUDE)
        gps[ExifTags.GPS.GPSAltitudeRef] = 0
        gps[ExifTags.GPS.GPSAltitude] = 35.0
    return exif


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def save(image: Image.Image, path: Path, **params: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **params)
    return path


def jpeg(path: Path, seed: int = 0, size: tuple[int, int] = (320, 240), orientation: int = 1,
         exif: bool = True) -> Path:
    params: dict[str, object] = {"quality": 90}
    if exif:
        params["exif"] = exif_block(orientation)
    return save(picture(*size, seed=seed), path, **params)


def dicom(path: Path, photometric: str = "MONOCHROME2", size: tuple[int, int] = (64, 48)) -> Path:
    """A small uncompressed 16-bit DICOM image with a VOI window, as a CT or X-ray viewer gets it."""
    import numpy as np
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = "DX"
    dataset.Manufacturer = "ACME Medical"
    dataset.ManufacturerModelName = "XR-1000"
    dataset.StudyDate = "20200315"
    dataset.StudyTime = "101500"
    width, height = size
    pixels = np.tile(np.linspace(0, 4000, width, dtype=np.uint16), (height, 1))
    dataset.Rows, dataset.Columns = height, width
    dataset.SamplesPerPixel = 1
    dataset.PhotometricInterpretation = photometric
    dataset.BitsAllocated = 16
    dataset.BitsStored = 12
    dataset.HighBit = 11
    dataset.PixelRepresentation = 0
    dataset.WindowCenter = 2000
    dataset.WindowWidth = 4000
    dataset.PixelData = pixels.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    dataset.save_as(path, enforce_file_format=True)
    return path


def make_good_library(root: Path) -> dict[str, Path]:
    """One photo of each accepted format, some in sub-folders; returns them by a short name."""
    files = {
        "jpeg": jpeg(root / "2021" / "paris.jpg", seed=1, size=(400, 300), orientation=6),
        "png": save(picture(seed=2), root / "2021" / "diagram.png"),
        "tiff": save(picture(seed=3), root / "scans" / "scan.tif", compression="tiff_lzw"),
        "webp": save(picture(seed=4), root / "web" / "banner.webp", quality=80),
        "bmp": save(picture(seed=5), root / "old" / "icon.bmp"),
        "gif": save(picture(seed=6).convert("P"), root / "old" / "anim.gif"),
        "rgba": save(picture(seed=7, mode="RGBA"), root / "web" / "logo.png"),
        "gray16": save(picture(seed=8, mode="I;16"), root / "scans" / "gray16.png"),
        "cmyk": save(picture(seed=9, mode="CMYK"), root / "print" / "poster.jpg"),
    }
    return files


def heic(path: Path, seed: int = 10) -> Path:
    import desktop_app.library.images  # noqa: F401  (registers the HEIF plugin with Pillow)

    return save(picture(seed=seed), path, quality=80)


# --- bad files -------------------------------------------------------------------------------------

def zero_byte(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def truncated_jpeg(path: Path) -> Path:
    whole = jpeg(path, seed=20, size=(640, 480), exif=False).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def text_as_jpeg(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("This is a shopping list, not a photo.\nmilk\neggs\n")
    return path


def decompression_bomb(path: Path, side: int = 100_000) -> Path:
    """A valid PNG header claiming side x side pixels (10 gigapixels) in a few hundred bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * (side // 8)
    body = zlib.compress(row * 16, 9)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


def unsupported_content(path: Path) -> Path:
    """A real image in a format we do not accept (an ICO file) under a .png name."""
    return save(picture(64, 64, seed=21), path, format="ICO")


def raw_photo(path: Path) -> Path:
    """A broken camera RAW file (.cr2): a TIFF header and noise, which LibRaw cannot read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"II*\x00\x10\x00\x00\x00CR\x02\x00" + os.urandom(256))
    return path


def symlink_loop(folder: Path, name: str = "loop.jpg") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / name
    os.symlink(name, link)  # points at itself
    return link


def non_utf8_name(folder: Path, seed: int = 22) -> Path:
    """A good JPEG whose file name is Latin-1 bytes, as old archives and network shares have."""
    folder.mkdir(parents=True, exist_ok=True)
    raw = os.path.join(os.fsencode(folder), b"caf\xe9 cr\xe8me.jpg")
    picture(seed=seed).save(raw, "JPEG")
    return Path(os.fsdecode(raw))
