"""The IPTC digest: how a reader knows whether a file's IPTC is in step with its XMP.

Photoshop (and every program after it that follows the Metadata Working Group) stores the MD5 of the
IPTC block it wrote as image resource 0x0425 ("IPTCDigest") beside the IPTC (resource 0x0404) in the
JPEG APP13 "Photoshop 3.0" segment, or in the Photoshop IRB TIFF tag 34377 whose IPTC lives in tag
33723. A program that changes the IPTC without knowing of the digest leaves it stale: then the IPTC is
newer than the XMP, and the MWG rules trust the IPTC (mwg.py). Pillow parses the JPEG segment
without decoding pixels; the TIFF tags come from exiv2 (Pillow drops an IPTC-NAA tag typed LONG, as
Photoshop and exiv2 write it). The digest hashes the IPTC bytes exactly as stored (the resource data
without its padding; the whole TIFF tag), as ExifTool's CurrentIPTCDigest does.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyexiv2
from PIL import Image

IPTC_RESOURCE = 0x0404
DIGEST_RESOURCE = 0x0425
# A digest resource as Photoshop writes it: 8BIM, id 0x0425, empty name (padded to 2 bytes), 16 bytes.
_DIGEST_HEADER = b"8BIM\x04\x25\x00\x00\x00\x00\x00\x10"


@dataclass(frozen=True)
class IptcDigests:
    """``current``: the MD5 (hex) of the IPTC in its standard place, None when there is none there (or
    the format has no standard place: then the MWG rules read the XMP); ``stored``: the IPTCDigest
    the file carries, None when it has none."""

    current: str | None = None
    stored: str | None = None

    @property
    def iptc_trusted_over_xmp(self) -> bool:
        """The IPTC was changed after the XMP was last synchronised with it (a stale digest)."""
        return self.current is not None and self.stored is not None and self.current != self.stored


def iptc_digests(source: str | bytes, exiv2_image: Any = None) -> IptcDigests:
    """The digests of a JPEG or TIFF file (a path or its bytes; ``exiv2_image``: the file already open
    in pyexiv2, if it is); empty ones for anything else, or a file that cannot be read (a scan does
    not fail a photo over its metadata)."""
    try:
        head = _head(source)
        if head.startswith(b"\xff\xd8"):
            with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
                resources = image.info.get("photoshop") or {}
            iptc, stored = _bytes(resources.get(IPTC_RESOURCE)), _bytes(resources.get(DIGEST_RESOURCE))
        elif head[:4] in (b"II*\x00", b"MM\x00*"):
            iptc, stored = _tiff_iptc_and_digest(source, exiv2_image, "<" if head[:2] == b"II" else ">")
        else:
            return IptcDigests()
    except Exception:
        return IptcDigests()
    return IptcDigests(hashlib.md5(iptc).hexdigest() if iptc is not None else None,
                       stored.hex() if stored is not None and len(stored) == 16 else None)


def with_current_digest(data: bytes) -> bytes:
    """``data`` (a JPEG or TIFF just rewritten by exiv2, which rewrites the IPTC but leaves the digest
    as it was) with its stored IPTCDigest set to its IPTC's MD5, as ExifTool does on a write. A file
    without a stored digest is returned as it is: without one, the MWG rules read the XMP anyway."""
    digests = iptc_digests(data)
    if digests.current is None or digests.stored is None or digests.current == digests.stored:
        return data
    old = _DIGEST_HEADER + bytes.fromhex(digests.stored)
    at = data.find(old)
    if at < 0 or data.find(old, at + 1) >= 0:
        return data  # not the plain layout, or ambiguous: leave the bytes alone rather than guess
    start = at + len(_DIGEST_HEADER)
    return data[:start] + bytes.fromhex(digests.current) + data[start + 16:]


def _head(source: str | bytes) -> bytes:
    if isinstance(source, bytes):
        return source[:4]
    with open(source, "rb") as fp:
        return fp.read(4)


def _tiff_iptc_and_digest(
    source: str | bytes, exiv2_image: Any, endian: str
) -> tuple[bytes | None, bytes | None]:
    if exiv2_image is None:
        with pyexiv2.ImageData(source if isinstance(source, bytes) else Path(source).read_bytes()) as image:
            detail = image.read_exif_detail()
    else:
        detail = exiv2_image.read_exif_detail()
    iptc = _tag_bytes(detail.get("Exif.Image.IPTCNAA"), endian)
    irb = _tag_bytes(detail.get("Exif.Image.ImageResources"), endian)
    return iptc, (photoshop_resources(irb).get(DIGEST_RESOURCE) if irb else None)


def photoshop_resources(data: bytes) -> dict[int, bytes]:
    """The resources of a Photoshop image resource block (8BIM records), by id."""
    resources: dict[int, bytes] = {}
    offset = 0
    try:
        while data[offset:offset + 4] == b"8BIM":
            code = struct.unpack_from(">H", data, offset + 4)[0]
            name_length = data[offset + 6]
            offset += 7 + name_length
            offset += offset & 1  # the name is padded to an even length
            size = struct.unpack_from(">I", data, offset)[0]
            offset += 4
            resources[code] = data[offset:offset + size]
            offset += size + (size & 1)
    except (struct.error, IndexError):
        pass  # a truncated block: what was read
    return resources


def _bytes(value: object) -> bytes | None:
    return value if isinstance(value, bytes) else None


_PACK = {"Byte": "B", "Undefined": "B", "Short": "H", "Long": "L"}


def _tag_bytes(tag: dict[str, Any] | None, endian: str) -> bytes | None:
    """A TIFF tag's value, as exiv2 gives it (numbers in text), back as the bytes in the file: IPTC-NAA
    is often typed LONG (Photoshop's habit), packed back in the file's byte order."""
    if not tag or tag.get("typeName") not in _PACK:
        return None
    numbers = [int(item) for item in str(tag.get("value", "")).split()]
    return struct.pack(f"{endian}{len(numbers)}{_PACK[tag['typeName']]}", *numbers)
