"""The description fields we read and write, by exiv2 key, as the user reads their names, and the
standards' limits on them (IPTC IIM lengths, the formats that hold which blocks).

Reading and writing go through exiv2 (pyexiv2, C++), which reads the metadata segments only, never
the pixels; importing this module sets it up (our XMP namespace, its log level).
"""

from __future__ import annotations

import pyexiv2

NAMESPACE_URI = "http://photo-annotator.org/ns/1.0/"
NAMESPACE_PREFIX = "photoannotator"
pyexiv2.set_log_level(4)  # exiv2 warns on stderr about every odd vendor tag; we report what matters
pyexiv2.registerNs(NAMESPACE_URI, NAMESPACE_PREFIX)

XMP_DESCRIPTION = "Xmp.dc.description"
XMP_SUBJECT = "Xmp.dc.subject"
XMP_SOURCE = "Xmp.dc.source"  # the web address an imported photo came from (library/incoming.py)
# Lightroom's keyword hierarchy ("Animals|Mammals|Dogs"); exiv2 knows the lr namespace (a bag).
XMP_HIERARCHICAL = "Xmp.lr.hierarchicalSubject"
# IPTC Photo Metadata 2021.1 accessibility fields (Iptc4xmpCore, "iptc" in exiv2's keys; exiv2 0.28
# reads and writes them as lang-alt like any property of a known namespace).
XMP_ALT_TEXT = "Xmp.iptc.AltTextAccessibility"
XMP_EXTENDED_DESCRIPTION = "Xmp.iptc.ExtDescrAccessibility"
IPTC_CHARSET = "Iptc.Envelope.CharacterSet"
IPTC_CAPTION = "Iptc.Application2.Caption"
IPTC_KEYWORDS = "Iptc.Application2.Keywords"
IPTC_WRITER = "Iptc.Application2.Writer"
EXIF_DESCRIPTION = "Exif.Image.ImageDescription"
LANG_ALT_KEYS = (XMP_DESCRIPTION, XMP_ALT_TEXT, XMP_EXTENDED_DESCRIPTION)  # other languages are kept
LIST_KEYS = (XMP_SUBJECT, XMP_HIERARCHICAL, IPTC_KEYWORDS)
UTF8_CHARSET = "\x1b%G"  # ISO 2022 escape for UTF-8, the value of IPTC 1:90
# IPTC IIM 4.2 maximum lengths in bytes: longer values break readers that trust the standard.
IPTC_MAX_BYTES = {IPTC_CAPTION: 2000, IPTC_WRITER: 32, IPTC_KEYWORDS: 64}

# Field names as the user reads them (report lines, authors of imported captions).
FIELD_NAMES = {
    XMP_DESCRIPTION: "XMP dc:description",
    IPTC_CAPTION: "IPTC Caption-Abstract",
    EXIF_DESCRIPTION: "EXIF ImageDescription",
    "Exif.Image.XPComment": "EXIF XPComment",
    "Exif.Photo.UserComment": "EXIF UserComment",
    IPTC_WRITER: "IPTC Writer-Editor",
    XMP_SUBJECT: "XMP dc:subject",
    XMP_HIERARCHICAL: "XMP lr:hierarchicalSubject",
    IPTC_KEYWORDS: "IPTC Keywords",
    XMP_ALT_TEXT: "XMP Iptc4xmpCore:AltTextAccessibility",
    XMP_EXTENDED_DESCRIPTION: "XMP Iptc4xmpCore:ExtDescrAccessibility",
}

EMBED_FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "TIFF": ".tif", "PNG": ".png", "WEBP": ".webp"}
EXTENSION_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".jpe": "JPEG", ".tif": "TIFF", ".tiff": "TIFF",
                     ".png": "PNG", ".webp": "WEBP"}
NO_IPTC_FORMATS = {"WEBP"}  # exiv2 (and the format) keep no IPTC block in WebP


def field_name(key: str) -> str:
    """The field of exiv2 ``key`` as the user reads it: "XMP dc:description",
    "XMP photoannotator:reviewer"."""
    if key in FIELD_NAMES:
        return FIELD_NAMES[key]
    return f"XMP {NAMESPACE_PREFIX}:{key.rsplit('.', 1)[1]}"


def iptc_values(key: str, texts: list[str]) -> list[str]:
    """Each of ``texts`` within the IPTC length of ``key`` (a repeatable dataset: Keywords)."""
    return [iptc_value(key, text) for text in texts]


def iptc_value(key: str, text: str) -> str:
    """``text`` within the IPTC length of ``key``, in UTF-8 bytes, cut at a character boundary (never
    inside a multi-byte character) and without trailing spaces (readers strip them)."""
    limit = IPTC_MAX_BYTES.get(key)
    data = text.encode("utf-8")
    if limit is None or len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore").rstrip()
