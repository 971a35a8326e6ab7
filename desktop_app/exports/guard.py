"""What an export may never write over, whatever the user asks (``--force`` included): the open catalogue
and its SQLite side files, the files of any library, and the thumbnail cache. Paths are compared as the
file system sees them: resolved (symbolic links, "..") and, where both exist, by device and inode (hard
links, bind mounts, case-insensitive names)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote_to_bytes

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app import locations
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Photo
from desktop_app.catalogue.photos import absolute_path, display_path, library_roots

SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def refusal(output: Path, *, folder: bool, catalogue: Catalogue, session: Session) -> str | None:
    """Why writing ``output`` (a file, or with ``folder`` a folder an export replaces as a whole) could
    destroy the catalogue, a library's file or the thumbnail cache, in one line; None when it cannot. A
    new file beside a library's photos destroys nothing and is allowed; a folder output must not be, hold
    or sit inside a library."""
    shown = display_path(str(output))
    for path in _catalogue_files(catalogue):
        if _same(output, path) or (folder and _inside(path, output)):
            what = "the catalogue" if path == _catalogue_files(catalogue)[0] else "a file of the catalogue"
            verb = "is" if _same(output, path) else "holds"
            return (f"{shown} {verb} {what} ({display_path(str(path))}); an export never replaces it: "
                    "choose another place")
    for cache in _cache_folders():
        if _inside(output, cache) or (folder and _inside(cache, output)):
            return (f"{shown} is in or holds the thumbnail cache ({display_path(str(cache))}); "
                    "choose another place")
    roots = library_roots(session)
    for root in map(Path, roots.values()):
        shown_root = display_path(str(root))
        if folder and _inside(output, root):
            return (f"{shown} is inside the library {shown_root}; a rescan would add the copies as new "
                    "photos: choose a folder outside it")
        if folder and _inside(root, output):
            return (f"{shown} holds the library {shown_root}; an export never replaces it: "
                    "choose another folder")
        if not folder and os.path.lexists(output) and _inside(output, root):
            return (f"{shown} is inside the library {shown_root}; an export never replaces a file there: "
                    "choose another file")
    photo = None if folder else _photo_linked_at(output, session, roots)
    if photo is not None:
        return (f"{shown} is a photo of the library (the same file as {display_path(photo)}); an export "
                "never replaces it: choose another file")
    return None


def _catalogue_files(catalogue: Catalogue) -> list[Path]:
    if catalogue.url.get_backend_name() != "sqlite":
        return []
    # The file's path, also for one opened read-only through a "file:PATH?mode=ro" URI: renaming a new
    # file onto a catalogue its owner cannot write still succeeds in a writable folder.
    database = catalogue.location
    if database.startswith("file:"):
        database = os.fsdecode(unquote_to_bytes(database[len("file:"):].split("?", 1)[0]))
    if not database or database == ":memory:":
        return []
    return [Path(database), *(Path(database + suffix) for suffix in SQLITE_SIDE_FILES)]


def _cache_folders() -> list[Path]:
    return [locations.cache_dir(), locations.thumbnail_dir()]


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _same(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    identity = _identity(a)
    return identity is not None and identity == _identity(b)


def _inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or lies under it."""
    real, real_folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    if real == real_folder or real_folder in real.parents:
        return True
    identity = _identity(folder)
    if identity is None:
        return False
    return any(_identity(part) == identity for part in (real, *real.parents))


def _photo_linked_at(output: Path, session: Session, roots: dict[int, str]) -> str | None:
    """The path of a catalogue photo that ``output`` is another name (a hard link) of, if any."""
    try:
        info = os.stat(output)
    except (OSError, ValueError):
        return None
    if info.st_nlink < 2 or not os.path.isfile(output):
        return None  # its only name is ``output``, which is outside every library
    rows = session.execute(select(Photo.library_id, Photo.rel_path).where(Photo.size == info.st_size))
    for library_id, rel_path in rows:
        path = absolute_path(roots[library_id], rel_path)
        if _identity(Path(path)) == (info.st_dev, info.st_ino):
            return path
    return None
