"""Opening and decoding the image formats the app accepts.

One place decides what a photo file is and how it becomes pixels, for the scanner's thumbnails,
the viewer and the captioners' preprocessing: Pillow for photos (HEIC/HEIF through pillow-heif),
pydicom for DICOM, LibRaw for camera RAW files (raw.py: the embedded preview when it is large enough),
orientation applied, reduced-size JPEG decoding where a small image is enough.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from PIL import Image, ImageOps

from desktop_app.errors import one_line
from desktop_app.library.raw import RawError, RawFile, develop, open_raw

try:
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # optional: HEIC photos then end as "unsupported format" rows
    HEIF_AVAILABLE = False

# Above this many pixels a file is refused. Generous enough for 150 MP medium-format cameras and
# large scans; far below what a decompression bomb claims (gigapixels from a few kilobytes).
PIXEL_LIMIT = 200_000_000
Image.MAX_IMAGE_PIXELS = PIXEL_LIMIT
# We refuse over-limit images ourselves with a clear reason; Pillow's warning would only be noise.
warnings.simplefilter("ignore", Image.DecompressionBombWarning)

PHOTO_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".tif", ".tiff", ".webp", ".bmp", ".dib", ".gif",
     ".heic", ".heif", ".hif", ".avif"}
)
DICOM_EXTENSIONS = frozenset({".dcm", ".dicom"})
# Camera RAW files, decoded by LibRaw (raw.py); their format is named by the extension ("DNG",
# "NEF"). Their metadata is read from the file and its XMP sidecar, and written to the sidecar only,
# never into the RAW file (library/metadata). Only DNG is tested here (on files written by the tests);
# the others take the same path, untested on real camera files.
RAW_EXTENSIONS = frozenset({".dng", ".cr2", ".cr3", ".nef", ".arw", ".orf", ".rw2", ".raf", ".pef"})
# Image files a photo library holds that we recognise but cannot decode: listed as errors so the
# user sees them, instead of silently leaving them out.
UNSUPPORTED_EXTENSIONS = {
    ".crw": "Canon RAW", ".nrw": "Nikon RAW", ".srf": "Sony RAW", ".sr2": "Sony RAW",
    ".srw": "Samsung RAW", ".x3f": "Sigma RAW", ".3fr": "Hasselblad RAW",
    ".iiq": "Phase One RAW", ".psd": "Photoshop", ".psb": "Photoshop", ".jxl": "JPEG XL",
    ".jp2": "JPEG 2000", ".svg": "SVG vector", ".eps": "EPS vector", ".ico": "icon",
}
CANDIDATE_EXTENSIONS = (PHOTO_EXTENSIONS | DICOM_EXTENSIONS | RAW_EXTENSIONS
                        | frozenset(UNSUPPORTED_EXTENSIONS))

# Pillow format names we accept. MPO is the multi-picture JPEG many phones and cameras write.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "TIFF", "WEBP", "BMP", "DIB", "GIF", "HEIF", "AVIF"})
DICOM_FORMAT = "DICOM"


class UnsupportedImageError(Exception):
    """The file is an image, or claims to be, but not one the app can use. The message is the reason."""


def is_candidate(name: str) -> bool:
    return PurePath(name).suffix.lower() in CANDIDATE_EXTENSIONS


def unsupported_reason(name: str) -> str | None:
    kind = UNSUPPORTED_EXTENSIONS.get(PurePath(name).suffix.lower())
    return f"unsupported format: {kind} files cannot be read yet" if kind else None


def is_raw(name: str) -> bool:
    return PurePath(name).suffix.lower() in RAW_EXTENSIONS


def looks_like_dicom(head: bytes) -> bool:
    """DICOM Part 10 files carry 'DICM' after a 128-byte preamble."""
    return len(head) >= 132 and head[128:132] == b"DICM"


@dataclass(frozen=True)
class OpenedImage:
    """An image whose header has been read; pixels are decoded on demand."""

    image: Image.Image
    format: str
    width: int
    height: int
    dicom: Any = None  # the pydicom Dataset, for DICOM files
    raw: RawFile | None = None  # for camera RAW files


def open_image(fp: IO[bytes]) -> OpenedImage:
    """Read the header of a photo, RAW or DICOM file. Raises UnsupportedImageError with a one-line reason.

    A RAW file is known by its name's extension (``fp.name``, as ``open()`` gives it): TIFF-based RAW
    files start like TIFFs, and a DNG's first image is often its small preview, which Pillow would
    take for the photo."""
    name = getattr(fp, "name", None)
    if isinstance(name, str) and is_raw(name):
        return _open_raw(fp, PurePath(name).suffix[1:].upper())
    head = fp.read(132)
    fp.seek(0)
    if looks_like_dicom(head):
        return _open_dicom(fp)
    try:
        image = Image.open(fp)
    except Image.DecompressionBombError as exc:
        raise UnsupportedImageError(_bomb_reason_from(exc)) from exc
    except Image.UnidentifiedImageError as exc:
        raise UnsupportedImageError(_unidentified_reason(head)) from exc
    fmt = image.format or "unknown"
    if fmt not in ACCEPTED_FORMATS:
        raise UnsupportedImageError(f"unsupported format: {fmt}")
    width, height = image.size
    check_pixel_count(width, height)
    return OpenedImage(image, "JPEG" if fmt == "MPO" else fmt, width, height)


def check_pixel_count(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise UnsupportedImageError(f"invalid image size {width}x{height}")
    if width * height > PIXEL_LIMIT:
        raise UnsupportedImageError(
            f"refused: {width}x{height} pixels ({width * height / 1e6:,.0f} megapixels) is over "
            f"the {PIXEL_LIMIT / 1e6:,.0f} megapixel limit (possible decompression bomb)"
        )


def decode(opened: OpenedImage, max_side: int | None = None) -> Image.Image:
    """Decode to an upright 8-bit RGB image; with ``max_side``, no larger than that on either side.

    JPEGs are decoded at a reduced DCT scale (draft mode) when that still yields at least
    ``max_side`` pixels, which costs a fraction of a full decode.
    """
    if opened.dicom is not None:
        image = _dicom_to_image(opened.dicom)
    elif opened.raw is not None:
        try:
            image = develop(opened.raw, max_side)  # upright already
        except RawError as exc:
            raise UnsupportedImageError(str(exc)) from exc
    else:
        image = opened.image
        if max_side and opened.format == "JPEG":
            # Ask for the thumbnail's own box, not max_side x max_side: a square request keeps a
            # max_side *short* side, which holds a 5 MP photo at 1/4 scale where 1/8 is enough.
            scale = max_side / max(opened.width, opened.height)
            image.draft(None, (math.ceil(opened.width * scale), math.ceil(opened.height * scale)))
        image.load()
        # Orientation after the reduced decode: rotating a thumbnail-sized image is nearly free.
        ImageOps.exif_transpose(image, in_place=True)
    if max_side and max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.BICUBIC, reducing_gap=2.0)
    return to_rgb(image)


def to_rgb(image: Image.Image) -> Image.Image:
    """Any Pillow mode to 8-bit RGB: alpha over white, high bit depths stretched to 0..255."""
    if image.mode in ("I", "I;16", "I;16L", "I;16B", "I;16N", "F"):
        image = _stretch_to_8bit(image)
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    ):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def _stretch_to_8bit(image: Image.Image) -> Image.Image:
    image = image.convert("F")
    low, high = image.getextrema()
    scale = 255.0 / (high - low) if high > low else 0.0
    return image.point(lambda v: (v - low) * scale).convert("L")


def _unidentified_reason(head: bytes) -> str:
    if not head:
        return "empty file (0 bytes)"
    if _holds_text(head):
        return "not an image: the file holds text"
    return "not an image: content matches no supported image format"


def _holds_text(head: bytes) -> bool:
    return bool(head) and all(32 <= b < 127 or b in (9, 10, 13) for b in head[:64])


def _bomb_reason_from(exc: Exception) -> str:
    # Pillow: "Image size (N pixels) exceeds limit of M pixels, could be decompression bomb DOS attack."
    match = re.search(r"\((\d+) pixels\)", str(exc))
    size = f"{int(match.group(1)) / 1e6:,.0f} megapixels" if match else "its pixel count"
    return (
        f"refused: {size} is over the {PIXEL_LIMIT / 1e6:,.0f} megapixel limit "
        "(possible decompression bomb)"
    )


# --- DICOM ----------------------------------------------------------------------------------------

def _open_dicom(fp: IO[bytes]) -> OpenedImage:
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        dataset = pydicom.dcmread(fp)
    except (InvalidDicomError, EOFError, ValueError, KeyError, TypeError) as exc:
        raise UnsupportedImageError(f"corrupt DICOM file: {one_line(exc)}") from exc
    if "PixelData" not in dataset:
        raise UnsupportedImageError("DICOM file holds no image (no pixel data)")
    width, height = int(dataset.get("Columns", 0)), int(dataset.get("Rows", 0))
    check_pixel_count(width, height)
    placeholder = Image.new("L", (1, 1))
    return OpenedImage(placeholder, DICOM_FORMAT, width, height, dicom=dataset)


def _dicom_to_image(dataset: Any) -> Image.Image:
    """Pixel data to a viewable 8-bit image: modality and VOI LUT (windowing), MONOCHROME1 inverted."""
    import numpy as np
    from pydicom.pixels import apply_modality_lut, apply_voi_lut

    try:
        pixels = dataset.pixel_array
    except Exception as exc:  # pydicom raises several types for missing codecs and bad data
        syntax = getattr(getattr(dataset, "file_meta", None), "TransferSyntaxUID", None)
        name = getattr(syntax, "name", "") or "this transfer syntax"
        raise UnsupportedImageError(f"cannot decode DICOM pixel data ({name}): {one_line(exc)}") from exc
    if int(dataset.get("NumberOfFrames", 1) or 1) > 1:
        pixels = pixels[0]
    photometric = str(dataset.get("PhotometricInterpretation", "MONOCHROME2")).upper()
    if photometric.startswith("MONOCHROME"):
        values = apply_voi_lut(apply_modality_lut(pixels, dataset), dataset).astype(np.float64)
        low, high = float(values.min()), float(values.max())
        scaled = (values - low) * (255.0 / (high - low)) if high > low else np.zeros_like(values)
        if photometric == "MONOCHROME1":  # high values are dark in MONOCHROME1
            scaled = 255.0 - scaled
        return Image.fromarray(scaled.round().astype(np.uint8), "L")
    if pixels.ndim == 3 and pixels.shape[-1] == 3:
        if photometric.startswith("YBR"):
            from pydicom.pixels import convert_color_space

            pixels = convert_color_space(pixels, photometric, "RGB")
        return Image.fromarray(pixels.astype(np.uint8), "RGB")
    raise UnsupportedImageError(f"unsupported DICOM photometric interpretation {photometric}")


# --- camera RAW -----------------------------------------------------------------------------------

def _open_raw(fp: IO[bytes], fmt: str) -> OpenedImage:
    try:
        raw = open_raw(fp)
    except RawError as exc:
        fp.seek(0)
        head = fp.read(64)
        raise UnsupportedImageError(_unidentified_reason(head) if _holds_text(head) else str(exc)) from exc
    check_pixel_count(raw.width, raw.height)
    placeholder = Image.new("RGB", (1, 1))
    return OpenedImage(placeholder, fmt, raw.width, raw.height, raw=raw)
