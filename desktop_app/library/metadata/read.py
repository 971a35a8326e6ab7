"""Descriptions and keywords read from a photo file and its sidecars, as plain values.

In this order of preference, each distinct text once:
- embedded XMP ``dc:description`` (x-default, else the first language), IPTC Caption-Abstract (the
  IPTC 1:90 character set honoured: UTF-8 when declared, else UTF-8 when the bytes are, else
  Latin-1), EXIF ImageDescription, XPComment and UserComment;
- XMP sidecars: ``photo.jpg.xmp`` (digiKam, darktable) and ``photo.xmp`` (Lightroom, Bridge);
- ``photo.txt`` / ``photo.caption`` beside the photo (the dataset-captioning convention).
Keywords come from XMP ``dc:subject``, IPTC Keywords and EXIF XPKeywords, embedded and in sidecars.
Camera placeholders ("OLYMPUS DIGITAL CAMERA", "SONY DSC"...) are not descriptions. The write-back
reads a file's present values through ``current_values``, with the same decoding.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyexiv2

from desktop_app.catalogue.photos import display_path
from desktop_app.errors import one_line
from desktop_app.library.metadata.fields import (
    EXIF_DESCRIPTION,
    FIELD_NAMES,
    IPTC_CAPTION,
    IPTC_CHARSET,
    IPTC_KEYWORDS,
    UTF8_CHARSET,
    XMP_DESCRIPTION,
    XMP_SUBJECT,
)

log = logging.getLogger(__name__)

TEXT_SIDECARS = (".txt", ".caption")
MAX_TEXT_SIDECAR = 64 * 1024  # a caption, not a book: bigger files are someone else's

# What cameras and phones put in ImageDescription when nobody wrote anything.
_PLACEHOLDERS = {
    "olympus digital camera", "sony dsc", "digital camera", "default", "image", "untitled",
    "exif_jpeg_picture", "exif jpeg picture", "minolta digital camera", "kodak digital still camera",
    "samsung", "dcim", "picasa", "camera", "photo", "no description",
}
_USER_COMMENT_CHARSET = re.compile(r'^charset="?(Ascii|Unicode|Jis|Undefined)"?\s*', re.IGNORECASE)


@dataclass(frozen=True)
class FoundDescription:
    """A description found in a file, and where: "XMP dc:description", "photo.jpg.xmp", "photo.txt"."""

    text: str
    source: str

    @property
    def author(self) -> str:
        """The author of the caption imported from it."""
        return f"imported from {self.source}"


@dataclass(frozen=True)
class FileMetadata:
    """What a photo's metadata and sidecars say about it, as plain values."""

    descriptions: tuple[FoundDescription, ...] = ()  # distinct texts, most trusted source first
    keywords: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.descriptions or self.keywords)


def read_file_metadata(path: str, embedded: bool = True) -> FileMetadata:
    """Descriptions and keywords of the photo at ``path``, embedded and in its sidecars.

    Never raises for a file or sidecar it cannot read: what can be read is returned (a scan must
    not fail a photo over a broken metadata block)."""
    descriptions: list[FoundDescription] = []
    keywords: list[str] = []
    if embedded:
        try:
            with open_image(path) as image:
                found, words = _descriptions_and_keywords(image, with_iptc_exif=True)
        except Exception as exc:  # an unsupported or broken container: no metadata, still a photo
            log.debug("no metadata read from %s: %s", path, one_line(exc))
        else:
            descriptions += found
            keywords += words
    for sidecar in xmp_sidecars(path):
        name = os.path.basename(sidecar)
        try:
            with open_image(sidecar) as image:
                found, words = _descriptions_and_keywords(image, with_iptc_exif=False)
        except Exception as exc:
            log.info("cannot read XMP sidecar %s: %s", display_path(sidecar), one_line(exc))
            continue
        descriptions += [FoundDescription(d.text, name) for d in found]
        keywords += words
    for sidecar in text_sidecars(path):
        text = _read_text_sidecar(sidecar)
        if text:
            descriptions.append(FoundDescription(text, os.path.basename(sidecar)))
    return FileMetadata(_distinct_descriptions(descriptions), _distinct(keywords))


def xmp_sidecars(path: str) -> list[str]:
    """The XMP sidecars of ``path`` that exist: ``photo.jpg.xmp`` (digiKam), ``photo.xmp`` (Lightroom)."""
    stem = os.path.splitext(path)[0]
    return [candidate for candidate in (path + ".xmp", stem + ".xmp") if os.path.isfile(candidate)]


def text_sidecars(path: str) -> list[str]:
    stem = os.path.splitext(path)[0]
    return [stem + ext for ext in TEXT_SIDECARS if os.path.isfile(stem + ext)]


def sidecar_path(path: str, sidecar_name: str = "photo.jpg.xmp") -> str:
    """Where the XMP sidecar of ``path`` goes: "photo.jpg.xmp" (digiKam) or "photo.xmp" (Lightroom)."""
    if sidecar_name == "photo.xmp":
        return os.path.splitext(path)[0] + ".xmp"
    if sidecar_name == "photo.jpg.xmp":
        return path + ".xmp"
    raise ValueError(f"unknown sidecar naming {sidecar_name!r}: photo.jpg.xmp or photo.xmp")


def open_image(path: str) -> Any:
    """A pyexiv2 handle on ``path``. exiv2 takes UTF-8 file names: a name that is not valid UTF-8
    (old archives) is read into memory instead."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        with open(path, "rb") as fp:
            return pyexiv2.ImageData(fp.read())
    return pyexiv2.Image(path)


def _descriptions_and_keywords(image: Any, with_iptc_exif: bool) -> tuple[list[FoundDescription], list[str]]:
    fields = _description_fields(image, with_iptc_exif)
    found = [FoundDescription(text, FIELD_NAMES[key]) for key, text in fields.items()
             if key != "keywords" and meaningful(text)]
    return found, list(fields.get("keywords") or [])


def _description_fields(image: Any, with_iptc_exif: bool = True) -> dict[str, Any]:
    """The description-bearing fields of an open image, by exiv2 key, plus "keywords"."""
    fields: dict[str, Any] = {}
    keywords: list[str] = []
    xmp = _read(image.read_xmp)
    fields[XMP_DESCRIPTION] = lang_alt_text(xmp.get(XMP_DESCRIPTION))
    keywords += _as_list(xmp.get(XMP_SUBJECT))
    if with_iptc_exif:
        iptc = read_iptc(image)
        fields[IPTC_CAPTION] = _first(iptc.get(IPTC_CAPTION))
        keywords += _as_list(iptc.get(IPTC_KEYWORDS))
        exif = _read(image.read_exif)
        fields[EXIF_DESCRIPTION] = _first(exif.get(EXIF_DESCRIPTION))
        fields["Exif.Image.XPComment"] = _first(exif.get("Exif.Image.XPComment"))
        comment = _first(exif.get("Exif.Photo.UserComment"))
        fields["Exif.Photo.UserComment"] = _USER_COMMENT_CHARSET.sub("", comment) if comment else None
        keywords += [word for word in (_first(exif.get("Exif.Image.XPKeywords")) or "").split(";")]
    fields = {key: _clean_text(value) for key, value in fields.items()}
    fields["keywords"] = [word for word in (_clean_text(k) for k in keywords) if word]
    return fields


def current_values(image: Any, keys: Iterable[str], with_iptc_exif: bool) -> dict[str, Any]:
    """The present values of ``keys`` in an open image (descriptions as text, decoded as on a scan),
    and under "_xmp_description" the raw XMP description with all its languages."""
    xmp = _read(image.read_xmp)
    iptc = read_iptc(image) if with_iptc_exif else {}
    exif = _read(image.read_exif) if with_iptc_exif else {}
    values: dict[str, Any] = {}
    for key in keys:
        if key == XMP_DESCRIPTION:
            values[key] = _clean_text(lang_alt_text(xmp.get(key)))
        elif key.startswith("Xmp."):
            values[key] = _clean_text(_first(xmp.get(key)))
        elif key.startswith("Iptc."):
            values[key] = _clean_text(_first(iptc.get(key)))
        else:
            values[key] = _clean_text(_first(exif.get(key)))
    values["_xmp_description"] = xmp.get(XMP_DESCRIPTION)
    return values


def read_iptc(image: Any) -> dict[str, Any]:
    """IPTC values decoded as IPTC 1:90 says: UTF-8 when declared; otherwise UTF-8 when the bytes are
    valid UTF-8, else Latin-1 (what most old software wrote)."""
    raw = image.read_iptc(encoding="latin-1")  # every byte sequence decodes: nothing is lost
    charset = _first(raw.get(IPTC_CHARSET))
    if charset not in (None, "", UTF8_CHARSET):
        return raw  # a declared non-UTF-8 set (ISO 8859-1 and kin): Latin-1 is the best reading
    return {key: _utf8_or_latin1(value) for key, value in raw.items()}


def _read(reader: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """A pyexiv2 read: UTF-8 as it should be, or per-value UTF-8/Latin-1 when a vendor wrote bytes."""
    try:
        return reader()
    except UnicodeDecodeError:
        return {key: _utf8_or_latin1(value) for key, value in reader(encoding="latin-1").items()}


def _utf8_or_latin1(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return value
    if isinstance(value, list):
        return [_utf8_or_latin1(item) for item in value]
    if isinstance(value, dict):
        return {key: _utf8_or_latin1(item) for key, item in value.items()}
    return value


def lang_alt_text(value: Any) -> str | None:
    """The x-default text of an XMP lang-alt value (pyexiv2 gives {'lang="x-default"': text}), else the
    first language's."""
    if isinstance(value, dict):
        return value.get('lang="x-default"') or next(iter(value.values()), None)
    return _first(value)


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value if isinstance(value, str) else None


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return [value] if isinstance(value, str) else []


def _clean_text(value: str | None) -> str | None:
    if value is None:
        return None
    return value.replace("\x00", "").strip() or None


def meaningful(text: str | None) -> bool:
    """A description a person wrote: not empty, not a camera's placeholder, not just punctuation."""
    if not text:
        return False
    return text.casefold() not in _PLACEHOLDERS and any(char.isalnum() for char in text)


def _read_text_sidecar(path: str) -> str | None:
    try:
        with open(path, "rb") as fp:
            data = fp.read(MAX_TEXT_SIDECAR + 1)
    except OSError as exc:
        log.info("cannot read %s: %s", display_path(path), one_line(exc))
        return None
    if len(data) > MAX_TEXT_SIDECAR or b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.strip() or None


def _distinct_descriptions(found: Iterable[FoundDescription]) -> tuple[FoundDescription, ...]:
    seen: set[str] = set()
    result = []
    for description in found:
        if description.text not in seen:
            seen.add(description.text)
            result.append(description)
    return tuple(result)


def _distinct(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(word[:255] for word in words if word))
