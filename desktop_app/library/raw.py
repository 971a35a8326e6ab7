"""Camera RAW files (DNG, CR2, CR3, NEF, ARW, ORF, RW2, RAF, PEF) as pixels, through LibRaw (rawpy).

A RAW file holds the sensor's mosaic and, nearly always, a preview the camera (or the DNG converter)
developed, usually a JPEG. A thumbnail or a captioner's input needs a few hundred pixels: the
largest embedded preview is used whenever it is at least that large, which costs a fraction of
developing the mosaic. Otherwise (no preview, or one too small) LibRaw develops the mosaic with the
camera's white balance, at half size when half is enough (LibRaw then skips demosaicing).
Either way the result is turned upright by the RAW's orientation, which applies to its previews too.

rawpy is imported when the first RAW file is met, so starting the app costs nothing. LibRaw knows a
RAW file by its content: the extension only decides that a file goes this way.
"""

from __future__ import annotations

import io
import math
import os
from dataclasses import dataclass
from typing import IO, Any

from PIL import Image

from desktop_app.errors import one_line

# LibRaw's flip (0 none, 3 rotated 180, 5 rotated 90 counter-clockwise, 6 rotated 90 clockwise, and
# the mirrored kinds) to the transpose that makes the image upright, as for EXIF orientations.
_UPRIGHT = {
    1: Image.Transpose.FLIP_LEFT_RIGHT,
    2: Image.Transpose.FLIP_TOP_BOTTOM,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.TRANSPOSE,
    5: Image.Transpose.ROTATE_90,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
}


class RawError(Exception):
    """The file cannot be read as a RAW photo; the message is the one-line reason."""


@dataclass(frozen=True)
class RawFile:
    """A RAW file LibRaw has identified; the pixels are developed (or its preview decoded) on demand.

    ``width`` and ``height`` are the developed image's, before orientation (as a JPEG's stored size).
    """

    raw: Any  # rawpy.RawPy: used by one thread at a time
    width: int
    height: int
    flip: int


def open_raw(fp: IO[bytes]) -> RawFile:
    """Identify the RAW file in ``fp``. Raises RawError.

    LibRaw opens the file by its name when that is the file ``fp`` has open: it then reads only what
    it needs (the headers, the preview), where a file object is read whole into memory first (a
    24 MP RAW: 40 ms more per photo, and its size in memory)."""
    rawpy = _rawpy()
    path = _path_of(fp)
    try:
        raw = rawpy.imread(path if path is not None else fp)
        sizes = raw.sizes
    except rawpy.LibRawFileUnsupportedError as exc:
        raise RawError("not a RAW file LibRaw can read (unknown camera or not RAW data)") from exc
    except rawpy.LibRawError as exc:
        raise RawError(f"corrupt RAW file: {_reason(exc)}") from exc
    return RawFile(raw, sizes.width, sizes.height, sizes.flip)


def _path_of(fp: IO[bytes]) -> str | None:
    """The name ``fp`` was opened by, if it still names the same file and LibRaw can take it (UTF-8)."""
    name = getattr(fp, "name", None)
    if not isinstance(name, str):
        return None
    try:
        name.encode("utf-8")
        opened, named = os.fstat(fp.fileno()), os.stat(name)
    except (UnicodeEncodeError, OSError, AttributeError, ValueError):
        return None
    return name if (opened.st_dev, opened.st_ino) == (named.st_dev, named.st_ino) else None


def develop(raw_file: RawFile, max_side: int | None = None) -> Image.Image:
    """The RAW file as an upright RGB image: its embedded preview when that is at least ``max_side``
    (without ``max_side``: the full size) on its long side, else the developed mosaic."""
    # Never more than the RAW's own size: a preview that large is as good as developing the mosaic.
    full = max(raw_file.width, raw_file.height)
    wanted = min(max_side, full) if max_side else full
    image = _preview(raw_file.raw, wanted)
    if image is None:
        image = _developed(raw_file, wanted)
    transpose = _UPRIGHT.get(raw_file.flip)
    return image.transpose(transpose) if transpose is not None else image


def _preview(raw: Any, wanted: int) -> Image.Image | None:
    """The largest embedded preview, decoded no larger than needed, or None when there is none (or
    LibRaw cannot give it), it cannot be decoded, or it is smaller than ``wanted`` on its long side."""
    rawpy = _rawpy()
    try:
        thumb = raw.extract_thumb()
    except rawpy.LibRawError:  # no preview, or one in a form LibRaw does not hand out
        return None
    try:
        if thumb.format == rawpy.ThumbFormat.JPEG:
            image = Image.open(io.BytesIO(thumb.data))
            if max(image.size) < wanted:
                return None
            # The reduced JPEG decode, as for photos: a 6000 px preview at 1/8 scale for a thumbnail.
            scale = wanted / max(image.size)
            image.draft(None, (math.ceil(image.width * scale), math.ceil(image.height * scale)))
            image.load()
        else:  # an uncompressed bitmap preview (height, width, channels)
            image = Image.fromarray(thumb.data)
            if max(image.size) < wanted:
                return None
    except (OSError, ValueError, TypeError):  # a broken preview: the mosaic is still there
        return None
    return image.convert("RGB")


def _developed(raw_file: RawFile, wanted: int) -> Image.Image:
    rawpy = _rawpy()
    # Half size is LibRaw's cheap path (each 2x2 block becomes one pixel, no demosaicing).
    half = max(raw_file.width, raw_file.height) // 2 >= wanted
    try:
        pixels = raw_file.raw.postprocess(half_size=half, use_camera_wb=True, output_bps=8, user_flip=0)
    except rawpy.LibRawError as exc:
        raise RawError(f"corrupt RAW file: cannot develop its data ({_reason(exc)})") from exc
    return Image.fromarray(pixels).convert("RGB")


def _reason(exc: Exception) -> str:
    """LibRaw's message: rawpy gives it as bytes (b'Input/output error'), shown without the b''."""
    message = exc.args[0] if exc.args else None
    if isinstance(message, bytes):
        lines = message.decode("utf-8", "replace").strip().splitlines()
        return lines[0][:200] if lines else type(exc).__name__
    return one_line(exc)


def _rawpy() -> Any:
    try:
        import rawpy
    except ImportError as exc:  # a runtime dependency; a broken install still gets one clear line
        raise RawError("RAW files need the rawpy package (LibRaw), which is not installed") from exc
    return rawpy
