"""Photo facts from embedded metadata: EXIF date taken, camera, GPS, orientation; DICOM equivalents.

Camera firmware writes surprising things (NUL padding, "0000:00:00 00:00:00" dates, zero
denominators in GPS rationals, vendor bytes in text tags); every reader here returns None for a value
it cannot make sense of rather than failing the photo.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from PIL import ExifTags, Image


@dataclass(frozen=True)
class PhotoMetadata:
    date_taken: datetime | None = None
    camera_make: str | None = None
    camera_model: str | None = None
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    gps_altitude: float | None = None
    orientation: int | None = None


def read_exif(image: Image.Image) -> PhotoMetadata:
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block must not fail an otherwise good photo
        return PhotoMetadata()
    if not exif:
        return PhotoMetadata()
    base = ExifTags.Base
    try:
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:
        exif_ifd = {}
    date = (
        _exif_datetime(exif_ifd.get(base.DateTimeOriginal))
        or _exif_datetime(exif_ifd.get(base.DateTimeDigitized))
        or _exif_datetime(exif.get(base.DateTime))
    )
    latitude, longitude, altitude = _gps(exif)
    orientation = exif.get(base.Orientation)
    return PhotoMetadata(
        date_taken=date,
        camera_make=_text(exif.get(base.Make)),
        camera_model=_text(exif.get(base.Model)),
        gps_latitude=latitude,
        gps_longitude=longitude,
        gps_altitude=altitude,
        orientation=orientation if isinstance(orientation, int) and 1 <= orientation <= 8 else None,
    )


def read_exiv2_exif(exif: Mapping[str, Any]) -> PhotoMetadata:
    """The same facts from exiv2's EXIF values (pyexiv2 ``read_exif``: {"Exif.Image.Make": "..."}),
    for camera RAW files, whose EXIF Pillow cannot reach."""
    date = (
        _exif_datetime(exif.get("Exif.Photo.DateTimeOriginal"))
        or _exif_datetime(exif.get("Exif.Photo.DateTimeDigitized"))
        or _exif_datetime(exif.get("Exif.Image.DateTimeOriginal"))  # TIFF/EP, in some RAW files' IFD0
        or _exif_datetime(exif.get("Exif.Image.DateTime"))
    )
    latitude = _degrees(_rationals(exif.get("Exif.GPSInfo.GPSLatitude")),
                        exif.get("Exif.GPSInfo.GPSLatitudeRef"), "S", 90)
    longitude = _degrees(_rationals(exif.get("Exif.GPSInfo.GPSLongitude")),
                         exif.get("Exif.GPSInfo.GPSLongitudeRef"), "W", 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    altitude = _number(next(iter(_rationals(exif.get("Exif.GPSInfo.GPSAltitude"))), None))
    if altitude is not None and _text(exif.get("Exif.GPSInfo.GPSAltitudeRef")) == "1":
        altitude = -altitude  # below sea level
    orientation = _number(_text(exif.get("Exif.Image.Orientation")))
    return PhotoMetadata(
        date_taken=date,
        camera_make=_text(exif.get("Exif.Image.Make")),
        camera_model=_text(exif.get("Exif.Image.Model")),
        gps_latitude=latitude,
        gps_longitude=longitude,
        gps_altitude=altitude,
        orientation=int(orientation) if orientation in (1, 2, 3, 4, 5, 6, 7, 8) else None,
    )


def _rationals(value: Any) -> list[Fraction]:
    """exiv2's "52/1 30/1 1234/100" as numbers; [] for anything else (a zero denominator included)."""
    try:
        return [Fraction(part) for part in (_text(value) or "").split()]
    except (ValueError, ZeroDivisionError):
        return []


def read_dicom(dataset: Any) -> PhotoMetadata:
    date = None
    for date_tag, time_tag in (
        ("AcquisitionDate", "AcquisitionTime"),
        ("ContentDate", "ContentTime"),
        ("StudyDate", "StudyTime"),
    ):
        date = _dicom_datetime(dataset.get(date_tag), dataset.get(time_tag))
        if date:
            break
    return PhotoMetadata(
        date_taken=date,
        camera_make=_text(dataset.get("Manufacturer")),
        camera_model=_text(dataset.get("ManufacturerModelName")),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value).replace("\x00", "").strip()
    return text[:255] or None


def _exif_datetime(value: Any) -> datetime | None:
    text = _text(value)
    if not text:
        return None
    for fmt, length in _EXIF_DATE_FORMATS:
        try:
            return datetime.strptime(text[:length], fmt)
        except ValueError:
            continue
    return None


# The standard form first, then what some software writes instead.
_EXIF_DATE_FORMATS = (
    ("%Y:%m:%d %H:%M:%S", 19),
    ("%Y-%m-%d %H:%M:%S", 19),
    ("%Y-%m-%dT%H:%M:%S", 19),
    ("%Y:%m:%d %H:%M", 16),
    ("%Y:%m:%d", 10),
)


def _dicom_datetime(date: Any, time: Any) -> datetime | None:
    date_text = _text(date)
    if not date_text or len(date_text) < 8:
        return None
    time_text = (_text(time) or "000000").split(".")[0].ljust(6, "0")[:6]
    try:
        return datetime.strptime(date_text[:8] + time_text, "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _gps(exif: Image.Exif) -> tuple[float | None, float | None, float | None]:
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:
        return None, None, None
    if not gps:
        return None, None, None
    tags = ExifTags.GPS
    latitude = _degrees(gps.get(tags.GPSLatitude), gps.get(tags.GPSLatitudeRef), "S", 90)
    longitude = _degrees(gps.get(tags.GPSLongitude), gps.get(tags.GPSLongitudeRef), "W", 180)
    if latitude is None or longitude is None:
        latitude = longitude = None
    altitude = _number(gps.get(tags.GPSAltitude))
    if altitude is not None and gps.get(tags.GPSAltitudeRef) in (1, b"\x01"):
        altitude = -altitude  # below sea level
    return latitude, longitude, altitude


def _degrees(value: Any, ref: Any, negative_ref: str, limit: float) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(result) or result > limit:
        return None
    if (_text(ref) or "").upper().startswith(negative_ref):
        result = -result
    return round(result, 7)


def _number(value: Any) -> float | None:
    try:
        result = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return result if math.isfinite(result) else None
