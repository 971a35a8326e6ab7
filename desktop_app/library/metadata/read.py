"""What a photo file and its sidecars say about it, as plain values, picked by the Metadata Working
Group's rules where EXIF, IPTC and XMP disagree (mwg.py; ExifTool's MWG composite tags are the
reference):

- descriptions: the MWG pick first (EXIF ImageDescription when not blank, else XMP dc:description
  unless the IPTC digest says the IPTC Caption-Abstract is newer), then every other distinct text as
  an alternative: XMP dc:description (x-default, else the first language), IPTC Caption-Abstract (the
  IPTC 1:90 character set honoured: UTF-8 when declared, else UTF-8 when the bytes are, else
  Latin-1), EXIF ImageDescription, XPComment and UserComment; XMP sidecars (``photo.jpg.xmp``,
  digiKam/darktable; ``photo.xmp``, Lightroom/Bridge); ``photo.txt`` / ``photo.caption`` (the
  dataset-captioning convention). A camera placeholder ("OLYMPUS DIGITAL CAMERA") is not a
  description: an EXIF field holding one counts as blank.
- keywords: MWG Keywords (XMP dc:subject, or IPTC Keywords when the IPTC is newer); a photo whose file
  has none takes its first sidecar's dc:subject.
- IPTC 2021 Alt Text and Extended Description (Accessibility): XMP, embedded then sidecars.
- file_fields: title (dc:title / IPTC Object Name), headline (photoshop:Headline / IPTC Headline),
  creator (MWG Creator), rights (MWG Copyright), persons (Iptc4xmpExt:PersonInImage) and location
  (MWG City, State, Country, Location), with the same trust rule.
- the date taken where EXIF has no DateTimeOriginal: MWG's XMP photoshop:DateCreated or IPTC
  DateCreated/TimeCreated.
For a RAW file the XMP sidecar is the photo's XMP (as Lightroom, darktable and digiKam keep it): it
takes the XMP role in the rules. The write-back reads a file's present values through
``current_values``, with the same decoding.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pyexiv2

from desktop_app.catalogue.photos import display_path
from desktop_app.errors import one_line
from desktop_app.library.images import is_raw
from desktop_app.library.metadata import mwg
from desktop_app.library.metadata.digest import IptcDigests, iptc_digests
from desktop_app.library.metadata.fields import (
    EXIF_DESCRIPTION,
    FIELD_NAMES,
    IPTC_CAPTION,
    IPTC_CHARSET,
    IPTC_KEYWORDS,
    LANG_ALT_KEYS,
    LIST_KEYS,
    UTF8_CHARSET,
    XMP_ALT_TEXT,
    XMP_DESCRIPTION,
    XMP_EXTENDED_DESCRIPTION,
    XMP_SOURCE,
    XMP_SUBJECT,
)

log = logging.getLogger(__name__)

TEXT_SIDECARS = (".txt", ".caption")
IMPORTED_AUTHOR = "imported from "  # the author of an imported caption, before its source
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
    """A text found in a file, and where: "XMP dc:description", "photo.jpg.xmp", "photo.txt"."""

    text: str
    source: str

    @property
    def author(self) -> str:
        """The author of the caption imported from it."""
        return f"{IMPORTED_AUTHOR}{self.source}"


@dataclass(frozen=True)
class FoundTexts:
    """The distinct texts of one caption kind found in a file and its sidecars, the pick first."""

    texts: tuple[FoundDescription, ...] = ()
    picked: str | None = None  # the text the MWG rules pick (texts[0]), None when they pick none


@dataclass(frozen=True)
class FileMetadata:
    """What a photo's metadata and sidecars say about it, as plain values."""

    description: FoundTexts = FoundTexts()
    keywords: tuple[str, ...] = ()  # MWG Keywords
    alt_text: FoundTexts = FoundTexts()
    extended_description: FoundTexts = FoundTexts()
    fields: dict[str, Any] | None = None  # Photo.file_fields: title, headline, creator, rights...
    date_taken: datetime | None = None  # MWG DateTimeOriginal from IPTC/XMP (EXIF's is read with the facts)
    source: str | None = None  # XMP dc:source: the web address an imported photo came from

    @property
    def descriptions(self) -> tuple[FoundDescription, ...]:
        return self.description.texts

    def __bool__(self) -> bool:
        return bool(self.description.texts or self.keywords or self.alt_text.texts
                    or self.extended_description.texts or self.fields or self.date_taken or self.source)


@dataclass
class _Read:
    """One container's values (the photo, or a sidecar), before sidecars are merged in."""

    descriptions: list[FoundDescription] = field(default_factory=list)
    picked: FoundDescription | None = None
    keywords: list[str] = field(default_factory=list)
    alt_texts: list[FoundDescription] = field(default_factory=list)
    extended: list[FoundDescription] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    date_taken: datetime | None = None
    source: str | None = None


def read_file_metadata(path: str, embedded: bool = True) -> FileMetadata:
    """What the photo at ``path`` says, embedded and in its sidecars.

    Never raises for a file or sidecar it cannot read: what can be read is returned (a scan must
    not fail a photo over a broken metadata block)."""
    sidecars: list[tuple[str, dict[str, Any]]] = []
    for sidecar in xmp_sidecars(path):
        try:
            with open_image(sidecar) as image:
                sidecars.append((os.path.basename(sidecar), _read(image.read_xmp)))
        except Exception as exc:
            log.info("cannot read XMP sidecar %s: %s", display_path(sidecar), one_line(exc))
    # A RAW file's XMP is its sidecar: the first one takes the XMP role in the MWG rules.
    xmp_role = sidecars[0] if sidecars and is_raw(path) else None
    main = _Read()
    if embedded:
        try:
            with open_image(path) as image:
                main = _embedded(image, path, xmp_role)
        except Exception as exc:  # an unsupported or broken container: no metadata, still a photo
            log.debug("no metadata read from %s: %s", path, one_line(exc))
            if xmp_role is not None:
                main = _from_xmp(*xmp_role, is_photos_xmp=True)
    elif xmp_role is not None:
        main = _from_xmp(*xmp_role, is_photos_xmp=True)
    others = [_from_xmp(*sidecar) for sidecar in sidecars if sidecar is not xmp_role]
    descriptions = [*main.descriptions, *(d for other in others for d in other.descriptions)]
    for sidecar in text_sidecars(path):
        text = _read_text_sidecar(sidecar)
        if text:
            descriptions.append(FoundDescription(text, os.path.basename(sidecar)))
    keywords = main.keywords or next((other.keywords for other in others if other.keywords), [])
    fields = dict(main.fields)
    for other in others:  # a field the photo lacks, from a sidecar
        fields.update({key: value for key, value in other.fields.items() if key not in fields})
    date = main.date_taken or next((other.date_taken for other in others if other.date_taken), None)
    return FileMetadata(
        description=_found(descriptions, main.picked),
        keywords=_distinct(keywords),
        alt_text=_found([*main.alt_texts, *(d for other in others for d in other.alt_texts)],
                        main.alt_texts[0] if main.alt_texts else None),
        extended_description=_found([*main.extended, *(d for other in others for d in other.extended)],
                                    main.extended[0] if main.extended else None),
        fields=fields or None,
        date_taken=date,
        source=main.source or next((other.source for other in others if other.source), None),
    )


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


def _embedded(image: Any, path: str, xmp_role: tuple[str, dict[str, Any]] | None) -> _Read:
    """The photo's own values: EXIF, IPTC and XMP (a RAW file's sidecar XMP in ``xmp_role``) by MWG."""
    xmp = _read(image.read_xmp) if xmp_role is None else xmp_role[1]
    xmp_name = None if xmp_role is None else xmp_role[0]
    iptc = read_iptc(image)
    exif = _read(image.read_exif)
    digests = iptc_digests(_digest_source(image, path), image) if iptc else IptcDigests()
    xmp_description = _clean_text(lang_alt_text(xmp.get(XMP_DESCRIPTION)))
    iptc_caption = _clean_text(_first(iptc.get(IPTC_CAPTION)))
    exif_description = _exif_text(exif.get(EXIF_DESCRIPTION))
    comment = _first(exif.get("Exif.Photo.UserComment"))
    found = {
        XMP_DESCRIPTION: xmp_description,
        IPTC_CAPTION: iptc_caption,
        EXIF_DESCRIPTION: exif_description,
        "Exif.Image.XPComment": _clean_text(_first(exif.get("Exif.Image.XPComment"))),
        "Exif.Photo.UserComment": _clean_text(_USER_COMMENT_CHARSET.sub("", comment) if comment else None),
    }
    picked_text = mwg.pick(exif_description if meaningful(exif_description) else None, iptc_caption,
                           xmp_description, digests, mwg.DESCRIPTION_LIMIT)
    picked = None
    if isinstance(picked_text, str) and meaningful(picked_text):
        key = next((k for k in (EXIF_DESCRIPTION, XMP_DESCRIPTION, IPTC_CAPTION) if found[k] == picked_text),
                   XMP_DESCRIPTION)  # a recovered IPTC caption is the XMP's text
        picked = FoundDescription(picked_text, _source(key, xmp_name))
    result = _Read(picked=picked)
    result.descriptions = [*([picked] if picked else []), *(
        FoundDescription(text, _source(key, xmp_name)) for key, text in found.items() if meaningful(text))]
    keywords = mwg.pick(None, _clean_list(iptc.get(IPTC_KEYWORDS)), _clean_list(xmp.get(XMP_SUBJECT)),
                        digests, mwg.KEYWORD_LIMIT)
    result.keywords = list(keywords) if isinstance(keywords, list) else []
    result.alt_texts, result.extended = _accessibility(xmp, xmp_name)
    result.fields = _file_fields(exif, iptc, xmp, digests)
    result.date_taken = _date_taken(iptc, xmp, digests)
    result.source = _clean_text(_first(xmp.get(XMP_SOURCE)))
    return result


def _from_xmp(name: str, xmp: dict[str, Any], is_photos_xmp: bool = False) -> _Read:
    """A sidecar's values: XMP alone (``is_photos_xmp``: a RAW file's, whose description is the pick)."""
    text = _clean_text(lang_alt_text(xmp.get(XMP_DESCRIPTION)))
    result = _Read(descriptions=[FoundDescription(text, name)] if meaningful(text) else [])
    result.picked = result.descriptions[0] if result.descriptions and is_photos_xmp else None
    result.keywords = _clean_list(xmp.get(XMP_SUBJECT)) or []
    result.alt_texts, result.extended = _accessibility(xmp, name)
    result.fields = _file_fields({}, {}, xmp, IptcDigests())
    result.date_taken = _date_taken({}, xmp, IptcDigests())
    result.source = _clean_text(_first(xmp.get(XMP_SOURCE)))
    return result


def _digest_source(image: Any, path: str) -> str | bytes:
    return path if isinstance(image, pyexiv2.Image) else image.get_bytes()


def _source(key: str, xmp_name: str | None) -> str:
    return xmp_name if xmp_name is not None and key.startswith("Xmp.") else FIELD_NAMES[key]


def _accessibility(xmp: dict[str, Any], xmp_name: str | None) -> tuple[list[FoundDescription], ...]:
    found = []
    for key in (XMP_ALT_TEXT, XMP_EXTENDED_DESCRIPTION):
        text = _clean_text(lang_alt_text(xmp.get(key)))
        found.append([FoundDescription(text, _source(key, xmp_name))] if text else [])
    return tuple(found)


def _file_fields(exif: dict[str, Any], iptc: dict[str, Any], xmp: dict[str, Any],
                 digests: IptcDigests) -> dict[str, Any]:
    """Title, headline, creator, rights, persons and location by the MWG rules; absent ones left out."""
    def text(key: str, source: dict[str, Any]) -> str | None:
        return _clean_text(lang_alt_text(source.get(key)))

    artist = _exif_text(exif.get("Exif.Image.Artist"))
    copyright_ = _exif_text((_first(exif.get("Exif.Image.Copyright")) or "").split("\x00")[0] or None)
    values: dict[str, Any] = {
        # Not MWG tags: its rule where both hold a value, else whichever does.
        "title": mwg.pick(None, text("Iptc.Application2.ObjectName", iptc), text("Xmp.dc.title", xmp),
                          digests, mwg.TITLE_LIMIT) or text("Xmp.dc.title", xmp),
        "headline": mwg.pick(None, text("Iptc.Application2.Headline", iptc),
                             text("Xmp.photoshop.Headline", xmp), digests, mwg.HEADLINE_LIMIT)
        or text("Xmp.photoshop.Headline", xmp),
        "creator": mwg.pick(artist, _clean_list(iptc.get("Iptc.Application2.Byline")),
                            _clean_list(xmp.get("Xmp.dc.creator")), digests, mwg.CREATOR_LIMIT),
        "rights": mwg.pick(copyright_, text("Iptc.Application2.Copyright", iptc), text("Xmp.dc.rights", xmp),
                           digests, mwg.RIGHTS_LIMIT),
        "persons": _clean_list(xmp.get("Xmp.iptcExt.PersonInImage")),
    }
    if isinstance(values["creator"], str):
        values["creator"] = mwg.split_string_list(values["creator"])
    location = {
        name: mwg.location_pick(text(f"Iptc.Application2.{dataset}", iptc),
                                text(f"Xmp.iptcExt.LocationShown[1]/Iptc4xmpExt:{shown}", xmp),
                                text(legacy, xmp), digests, limit)
        for name, dataset, shown, legacy, limit in _LOCATION
    }
    values["location"] = {key: value for key, value in location.items() if value} or None
    return {key: value for key, value in values.items() if value}


# MWG's four location tags: our name, IPTC dataset, LocationShown field, legacy XMP property, IPTC limit.
_LOCATION = (
    ("sublocation", "SubLocation", "Sublocation", "Xmp.iptc.Location", mwg.CITY_LIMIT),
    ("city", "City", "City", "Xmp.photoshop.City", mwg.CITY_LIMIT),
    ("state", "ProvinceState", "ProvinceState", "Xmp.photoshop.State", mwg.CITY_LIMIT),
    ("country", "CountryName", "CountryName", "Xmp.photoshop.Country", mwg.COUNTRY_LIMIT),
)


def _date_taken(iptc: dict[str, Any], xmp: dict[str, Any], digests: IptcDigests) -> datetime | None:
    """MWG DateTimeOriginal past EXIF: XMP photoshop:DateCreated, or IPTC DateCreated (+ TimeCreated)
    when the IPTC is newer. A wall-clock time, as EXIF's (a zone is dropped)."""
    xmp_date = _clean_text(_first(xmp.get("Xmp.photoshop.DateCreated")))
    if mwg.xmp_trusted(digests, xmp_date is not None):
        return _iso_date(xmp_date)
    day = _clean_text(_first(iptc.get("Iptc.Application2.DateCreated")))
    time = _clean_text(_first(iptc.get("Iptc.Application2.TimeCreated")))
    return _iso_date(f"{day}T{time}" if day and time else day) if day else None


def _iso_date(text: str | None) -> datetime | None:
    if not text:
        return None
    text = text.replace("Z", "+00:00")
    for candidate in (text, text[:19], text[:10]):
        try:
            return datetime.fromisoformat(candidate).replace(tzinfo=None)
        except ValueError:
            continue
    return None


def _found(texts: list[FoundDescription], picked: FoundDescription | None) -> FoundTexts:
    return FoundTexts(_distinct_descriptions(texts), picked.text if picked else None)


def current_values(image: Any, keys: Iterable[str], with_iptc_exif: bool) -> dict[str, Any]:
    """The present values of ``keys`` in an open image (texts decoded as on a scan; lists for the
    keyword fields), and under "_lang_alt" the raw lang-alt values with all their languages."""
    xmp = _read(image.read_xmp)
    iptc = read_iptc(image) if with_iptc_exif else {}
    exif = _read(image.read_exif) if with_iptc_exif else {}
    values: dict[str, Any] = {}
    for key in keys:
        source = xmp if key.startswith("Xmp.") else iptc if key.startswith("Iptc.") else exif
        if key in LANG_ALT_KEYS:
            values[key] = _clean_text(lang_alt_text(xmp.get(key)))
        elif key in LIST_KEYS:
            values[key] = _clean_list(source.get(key))
        else:
            values[key] = _clean_text(_first(source.get(key)))
    values["_lang_alt"] = {key: xmp.get(key) for key in LANG_ALT_KEYS}
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


def _clean_list(value: Any) -> list[str] | None:
    """A bag, seq or repeated dataset as its non-empty items; None when it has none (absent)."""
    items = [text for text in (_clean_text(item) for item in _as_list(value)) if text]
    return items or None


def _exif_text(value: Any) -> str | None:
    """An EXIF text as MWG reads it: UTF-8 (read via _read), NULs dropped; None when blank."""
    return _clean_text(_first(value))


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
