"""Small DNG files for the RAW tests, written the way cameras and Adobe's converter lay them out.

tifffile writes the TIFF structure: IFD0 is the preview (NewSubfileType 1) and a SubIFD holds the
raw Bayer mosaic (RGGB, 16-bit, CFA photometric), as in DNGs from Adobe's converter; without a
preview the mosaic is IFD0 itself. A JPEG preview (what cameras embed) is written as pre-compressed
strip data: tifffile writes the strip, and its tags are then set to JPEG in place (tifffile cannot
write JPEG without imagecodecs). exiv2 (pyexiv2) then adds the EXIF a camera writes: date taken.

The scene is a colour layout a test can recognise in any decode: the top three quarters red on the
left half and blue on the right, the bottom quarter green (``REGIONS``).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import numpy as np
import pyexiv2
import tifffile
from PIL import Image

RED, BLUE, GREEN = (0.8, 0.1, 0.1), (0.1, 0.1, 0.8), (0.1, 0.8, 0.1)
# Where each colour is, as fractions of the image as stored (left, top, right, bottom), inset from the
# borders so that resampling at the edges does not matter.
REGIONS = {
    "red": ((0.05, 0.05, 0.4, 0.65), 0),
    "blue": ((0.6, 0.05, 0.95, 0.65), 2),
    "green": ((0.05, 0.82, 0.95, 0.95), 1),
}
MAKE, MODEL = "Testmaker", "Testcam 1"
DATE_TAKEN = datetime(2021, 6, 5, 14, 30, 0)
WHITE_LEVEL = 4095

_DNG_TAGS = [  # (code, dtype, count, value, write once)
    (50706, "B", 4, (1, 4, 0, 0), True),  # DNGVersion
    (50707, "B", 4, (1, 1, 0, 0), True),  # DNGBackwardVersion
    (271, "s", 0, MAKE, True),
    (272, "s", 0, MODEL, True),
    (50708, "s", 0, f"{MAKE} {MODEL}", True),  # UniqueCameraModel
    # ColorMatrix1: the identity (the mosaic's channels are already the scene's RGB); AsShotNeutral 1 1 1.
    (50721, "2i", 9, (1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1), True),
    (50728, "2I", 3, (1, 1, 1, 1, 1, 1), True),
]
_MOSAIC_TAGS = [
    (33421, "H", 2, (2, 2), True),  # CFARepeatPatternDim
    (33422, "B", 4, (0, 1, 1, 2), True),  # CFAPattern: R G / G B
    (50717, "I", 1, (WHITE_LEVEL,), True),  # WhiteLevel
]


def scene(width: int, height: int) -> np.ndarray:
    """The scene as float RGB in 0..1, (height, width, 3), as stored (before orientation)."""
    rgb = np.zeros((height, width, 3), np.float32)
    rgb[:, : width // 2] = RED
    rgb[:, width // 2:] = BLUE
    rgb[3 * height // 4:] = GREEN
    return rgb


def mosaic(rgb: np.ndarray) -> np.ndarray:
    """The RGGB Bayer mosaic a sensor would record of ``rgb``: one colour per photosite, 12-bit."""
    values = (rgb * WHITE_LEVEL).astype(np.uint16)
    cfa = np.empty(rgb.shape[:2], np.uint16)
    cfa[0::2, 0::2] = values[0::2, 0::2, 0]
    cfa[0::2, 1::2] = values[0::2, 1::2, 1]
    cfa[1::2, 0::2] = values[1::2, 0::2, 1]
    cfa[1::2, 1::2] = values[1::2, 1::2, 2]
    return cfa


def dng(path: Path, *, size: tuple[int, int] = (512, 384), preview: str | None = "jpeg",
        preview_size: tuple[int, int] | None = None, orientation: int = 1, dark_mosaic: bool = False,
        date_taken: datetime | None = DATE_TAKEN, grain: float = 0.0) -> Path:
    """Write a DNG of ``size`` (width, height) at ``path``.

    ``preview``: "jpeg" (what cameras embed), "bitmap" (uncompressed RGB, as in converters' IFD0) or
    None. ``preview_size`` defaults to the full size. ``dark_mosaic``: the mosaic is black while the
    preview shows the scene, so a test can tell which of the two an image came from. ``grain``: the
    standard deviation of sensor-like noise (on a 0..1 scale), so that the preview compresses and
    decodes like a photo's (the benchmark's files); none by default.
    """
    width, height = size
    rgb = scene(width, height)
    if grain:
        noise = np.random.default_rng(width * height).normal(0.0, grain, rgb.shape).astype(np.float32)
        rgb = np.clip(rgb + noise, 0.0, 1.0)
    cfa = mosaic(np.zeros_like(rgb) if dark_mosaic else rgb)
    path.parent.mkdir(parents=True, exist_ok=True)
    ifd0_tags = [*_DNG_TAGS, (274, "H", 1, (orientation,), True)]
    with tifffile.TiffWriter(path) as tiff:
        if preview is None:
            tiff.write(cfa, photometric=32803, subfiletype=0, metadata=None,
                       extratags=ifd0_tags + _MOSAIC_TAGS)
        else:
            pw, ph = preview_size or size
            pixels = np.asarray(Image.fromarray((rgb * 255).astype(np.uint8)).resize((pw, ph)))
            if preview == "jpeg":
                jpeg = io.BytesIO()
                Image.fromarray(pixels).save(jpeg, "JPEG", quality=90)
                # The JPEG bytes as a one-row 8-bit strip; its tags are made JPEG's below.
                pixels = np.frombuffer(jpeg.getvalue(), np.uint8).reshape(1, -1)
            tiff.write(pixels, photometric="minisblack" if preview == "jpeg" else "rgb", subfiletype=1,
                       subifds=1, metadata=None, extratags=ifd0_tags)
            tiff.write(cfa, photometric=32803, subfiletype=0, metadata=None, extratags=_MOSAIC_TAGS)
    if preview == "jpeg":
        pw, ph = preview_size or size
        with tifffile.TiffFile(path, mode="r+b") as tiff:
            tags = tiff.pages[0].tags
            # ImageWidth, ImageLength, Compression (7: JPEG), Photometric (6: YCbCr), BitsPerSample,
            # SamplesPerPixel, RowsPerStrip: the strip is one JPEG stream.
            jpeg_tags = ((256, pw), (257, ph), (259, 7), (262, 6), (258, (8, 8, 8)), (277, 3), (278, ph))
            for code, value in jpeg_tags:
                tags[code].overwrite(value)
    if date_taken is not None:
        with pyexiv2.Image(str(path)) as image:
            image.modify_exif({"Exif.Photo.DateTimeOriginal": date_taken.strftime("%Y:%m:%d %H:%M:%S")})
    return path


def sidecar_xmp(description: str) -> str:
    """An XMP sidecar holding a description, as Lightroom and darktable write one."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        "   <dc:description><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{description}</rdf:li>'
        "</rdf:Alt></dc:description>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>\n'
    )


def region_colours(image: Image.Image) -> dict[str, tuple[float, float, float]]:
    """The mean RGB of each of ``REGIONS`` in ``image`` (upright)."""
    rgb = np.asarray(image.convert("RGB"), np.float64)
    height, width = rgb.shape[:2]
    means = {}
    for name, ((left, top, right, bottom), _) in REGIONS.items():
        box = rgb[int(top * height):int(bottom * height), int(left * width):int(right * width)]
        means[name] = tuple(box.reshape(-1, 3).mean(axis=0))
    return means


def looks_like_the_scene(image: Image.Image) -> bool:
    """Each region's own colour is clearly its strongest channel (red, blue, green where they belong)."""
    for name, colour in region_colours(image).items():
        channel = REGIONS[name][1]
        others = [value for index, value in enumerate(colour) if index != channel]
        if not colour[channel] > 80 + max(others):
            return False
    return True
