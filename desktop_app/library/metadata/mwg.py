"""Which value a reader takes when EXIF, IPTC and XMP disagree: the Metadata Working Group's rules
(Guidelines for Handling Image Metadata 2.0), as ExifTool's MWG composite tags implement them
(Image/ExifTool/MWG.pm, whose RawConv code these functions follow line for line):

- a non-blank EXIF value (ImageDescription, Artist, Copyright) wins;
- else the XMP value, unless the IPTC is newer than the XMP: the file has IPTC in its standard place
  and either no XMP value or a stored IPTCDigest that differs from the IPTC's MD5 (digest.py);
- else the IPTC value, "recovered" from the XMP when the IPTC is the XMP cut at the IPTC length limit.

Lengths are UTF-8 bytes, as in ExifTool. Values come in decoded and cleaned (read.py). Where we differ
from ExifTool: an EXIF camera placeholder ("OLYMPUS DIGITAL CAMERA") counts as blank (read.py), an XMP
lang-alt without x-default gives its first language, and a cut IPTC value is also recovered when the
cut fell inside a multi-byte character (recover_truncated).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from desktop_app.library.metadata.digest import IptcDigests

T = TypeVar("T", str, list[str])

# IPTC IIM lengths MWG recovers truncated values at, in bytes.
DESCRIPTION_LIMIT = 2000
KEYWORD_LIMIT = 64
CREATOR_LIMIT = 32
RIGHTS_LIMIT = 128
CITY_LIMIT = 32  # also Province-State and Sub-location
COUNTRY_LIMIT = 64
TITLE_LIMIT = 64  # Object Name (not an MWG tag: the same rule, for our file_fields)
HEADLINE_LIMIT = 256


def xmp_trusted(digests: IptcDigests, has_xmp: bool) -> bool:
    """Whether the XMP value is taken over the IPTC one: no IPTC in its standard place, or an XMP
    value and a digest that is missing or current."""
    in_step = digests.stored is None or digests.current == digests.stored
    return digests.current is None or (has_xmp and in_step)


def pick(exif: str | None, iptc: T | None, xmp: T | None, digests: IptcDigests, limit: int) -> T | str | None:
    """The MWG value of a field stored in EXIF, IPTC and XMP (Description, Copyright; Creator with
    EXIF Artist split into a list). ``exif`` None: a field EXIF does not hold (Keywords)."""
    if exif is not None and exif.strip(" "):
        return exif
    if xmp_trusted(digests, xmp is not None):
        return xmp
    return recover_truncated(iptc, xmp, limit)


def recover_truncated(iptc: T | None, xmp: T | None, limit: int) -> T | None:
    """The IPTC value, or the XMP one where the IPTC is just the XMP cut at ``limit`` bytes (item by
    item for lists)."""
    if xmp is None:
        return iptc
    if isinstance(iptc, list):
        xmp_items: Sequence[str] = xmp if isinstance(xmp, list) else [xmp]
        return [_recover_one(item, xmp_items[i] if i < len(xmp_items) else None, limit)
                for i, item in enumerate(iptc)]  # type: ignore[return-value]
    if iptc is not None:
        whole = xmp[0] if isinstance(xmp, list) else xmp
        return _recover_one(iptc, whole, limit)  # type: ignore[return-value]
    return iptc


def _recover_one(iptc: str, xmp: str | None, limit: int) -> str:
    """ExifTool recovers an IPTC value of exactly ``limit`` bytes that starts the XMP value. Ours are
    cleaned (trailing spaces stripped) and a writer such as ours cuts at a character boundary: the
    test is that the XMP cut at ``limit`` bytes, likewise cleaned, is the IPTC value."""
    if xmp is not None:
        whole = xmp.encode("utf-8")
        if len(whole) > limit and whole[:limit].decode("utf-8", "ignore").rstrip() == iptc:
            return xmp
    return iptc


def location_pick(iptc: str | None, shown: str | None, legacy: str | None, digests: IptcDigests,
                  limit: int) -> str | None:
    """MWG City/State/Country/Location: IPTC Extension LocationShown, else the legacy XMP property
    (photoshop:City..., Iptc4xmpCore:Location), else the IPTC dataset as above."""
    xmp = shown or legacy
    if xmp_trusted(digests, xmp is not None):
        return xmp
    return recover_truncated(iptc, xmp, limit)


def split_string_list(text: str) -> list[str]:
    """EXIF Artist as MWG stores a list in one string: "a; b", values quoted when they hold "; " or
    start with a quote (ExifTool's StringToList)."""
    values: list[str] = []
    in_quotes = False
    for part in text.split("; "):
        was_quoted = in_quotes
        if not in_quotes and part.startswith('"'):
            in_quotes, part = True, part[1:]
        if in_quotes:
            stripped = part.rstrip('"')
            if (len(part) - len(stripped)) % 2 == 1:  # an odd run of quotes ends the value
                in_quotes, part = False, part[:-1]
            part = part.replace('""', '"')
        if was_quoted:
            values[-1] += "; " + part
        else:
            values.append(part)
    return values
