"""Files arriving in a library from outside (a web address, a drop, the clipboard): a safe file name, a
new file that never replaces one already there, written whole or not at all, and the address it came
from kept in its XMP (``dc:source``).

- The name comes from the server's Content-Disposition, else the address's last path segment, else
  "image"; it is cleaned of folder parts, control and reserved characters (Windows' too) and leading
  dots (a hidden file the scanner would skip), cut to fit any file system, and given the extension of
  what the bytes are.
- The bytes go to a hidden temporary file beside the target (atomic_files), flushed to disk, then are
  linked to the first free name: "photo.jpg", "photo (2).jpg"... ``os.link`` fails on a name that
  exists, so two imports at once never overwrite each other or a file already there. On a file system
  without hard links the free name is checked and the file moved there (a race with another program
  writing the same name at the same instant is then possible).
- The source address goes into the file's XMP for formats exiv2 writes (JPEG, PNG, TIFF, WebP),
  in memory before the file is written; GIF, BMP, HEIF and AVIF get an XMP sidecar ``photo.gif.xmp``,
  as the app keeps RAW files' metadata.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import unicodedata
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO
from urllib.parse import unquote, urlsplit

from desktop_app import atomic_files
from desktop_app.library.images import CANDIDATE_EXTENSIONS
from desktop_app.library.metadata.fields import XMP_SOURCE

FORMAT_EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "TIFF": ".tif", "WEBP": ".webp",
                     "GIF": ".gif", "BMP": ".bmp", "DIB": ".bmp", "HEIF": ".heic", "AVIF": ".avif"}
EMBEDS_XMP = frozenset({"JPEG", "MPO", "PNG", "TIFF", "WEBP"})  # the rest: an XMP sidecar
MAX_NAME_BYTES = 150  # well below any file system's 255, leaving room for " (99)" and a sidecar's ".xmp"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}


def name_from_url(url: str) -> str:
    """The last segment of ``url``'s path, decoded ("" when it has none)."""
    return unquote(PurePosixPath(urlsplit(url).path).name)


def safe_name(hint: str | None, fmt: str | None, default: str = "image") -> str:
    """``hint`` as a file name safe on every file system, with the extension of ``fmt`` (a Pillow
    format; None: keep the hint's)."""
    name = unicodedata.normalize("NFC", (hint or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip().lstrip(".").rstrip(". ")
    stem, ext = os.path.splitext(name)
    if fmt is not None:
        if ext.lower() in CANDIDATE_EXTENSIONS or not stem:
            name = stem
        ext = FORMAT_EXTENSIONS.get(fmt, ext)
    else:
        name = stem
    name = name.strip().rstrip(". ") or default
    if name.split(".", 1)[0].lower() in _RESERVED:
        name = f"_{name}"
    while len(os.fsencode(name + ext)) > MAX_NAME_BYTES:
        name = name[:-1]
    return name.rstrip(". ") + ext


def with_source(data: bytes, fmt: str, url: str) -> bytes | None:
    """``data`` with ``url`` as its XMP dc:source, or None when its format holds no XMP we write (or
    exiv2 cannot write this file): the caller writes a sidecar instead."""
    if fmt not in EMBEDS_XMP:
        return None
    import pyexiv2

    try:
        with pyexiv2.ImageData(data) as image:
            image.modify_xmp({XMP_SOURCE: url})
            updated = image.get_bytes()
        with pyexiv2.ImageData(updated) as image:
            if image.read_xmp().get(XMP_SOURCE) != url:
                return None
        return updated
    except Exception:  # a file exiv2 will not rewrite keeps its bytes; its source goes to a sidecar
        return None


def sidecar_xmp(url: str) -> bytes:
    """An XMP sidecar packet holding ``url`` as dc:source."""
    import pyexiv2

    from desktop_app.library.metadata.write import EMPTY_XMP_PACKET

    with pyexiv2.ImageData(EMPTY_XMP_PACKET.encode("utf-8")) as packet:
        packet.modify_xmp({XMP_SOURCE: url})
        return packet.get_bytes()


def candidates(folder: Path, name: str) -> Iterator[Path]:
    """The names tried for ``name`` in ``folder``, in order: "photo.jpg", "photo (2).jpg", ..."""
    stem, ext = os.path.splitext(name)
    yield folder / name
    for number in range(2, 10_000):
        yield folder / f"{stem} ({number}){ext}"


def save_new(folder: Path, name: str, data: bytes | None = None, source: IO[bytes] | None = None,
             with_sidecar: bytes | None = None) -> Path:
    """A new file in ``folder`` named ``name`` (or the first free "name (N)") holding ``data`` (or what
    ``source`` reads), written whole before it appears; never replaces a file. ``with_sidecar``: the
    XMP sidecar written beside it (the name is then one whose sidecar is free too). OSError on failure,
    with nothing left behind."""
    fd, temp = atomic_files.create_temp_file(folder / name)
    try:
        with open(fd, "wb") as stream:
            if source is not None:
                shutil.copyfileobj(source, stream, 1024 * 1024)
            else:
                stream.write(data or b"")
            stream.flush()
            os.fsync(stream.fileno())
        target = _claim(temp, folder, name, with_sidecar is not None)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if with_sidecar is not None:
        try:
            atomic_files.replace_file(Path(f"{target}.xmp"), with_sidecar, keep_mode=False)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(target)
            raise
    return target


def _claim(temp: Path, folder: Path, name: str, needs_sidecar: bool) -> Path:
    """Give ``temp`` the first free name; the temporary file is gone after."""
    for target in candidates(folder, name):
        if needs_sidecar and os.path.lexists(f"{target}.xmp"):
            continue
        try:
            os.link(temp, target)  # fails when the name exists: nothing is ever overwritten
        except FileExistsError:
            continue
        except OSError:  # no hard links here (some network and FAT file systems): check, then move
            if os.path.lexists(target):
                continue
            os.replace(temp, target)
            return target
        os.unlink(temp)
        return target
    raise FileExistsError(f"no free name for {name} in {folder}")
