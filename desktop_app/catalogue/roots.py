"""Where each library's photos are on this machine.

The catalogue stores a library's root as it was added (its canonical root: /mnt/photos) and its photos
relative to it, with "/" separators. A machine that mounts the same storage elsewhere (/Volumes/photos on
a Mac, P:\\ on Windows) maps the canonical root to its own folder in its settings (`library set-root`), and
every path built for a photo, and every path given to find one, goes through that folder. The mapping is
keyed by the canonical root: unique in a catalogue, the same in every copy of it (`db copy`) and under any
URL that names it.
"""

from __future__ import annotations

import os
from types import ModuleType

from desktop_app.settings import load_settings

_mapping: dict[str, str] | None = None


def refresh() -> None:
    """Read this machine's mapping from the settings again (opening a catalogue does)."""
    global _mapping
    _mapping = dict(load_settings().library_roots)


def mapping() -> dict[str, str]:
    """Canonical root -> this machine's folder, as the settings say."""
    if _mapping is None:
        refresh()
    assert _mapping is not None
    return _mapping


def local_root(root: str) -> str:
    """The folder on this machine of the library whose canonical root is ``root``."""
    return mapping().get(root, root)


def mapped_root(root: str) -> str | None:
    """This machine's folder for ``root`` when the settings map it, else None."""
    return mapping().get(root)


def is_available(root: str) -> bool:
    """Whether the library's folder is there on this machine (mapped, or at its canonical root)."""
    return os.path.isdir(local_root(root))


def unavailable_message(library_id: int, root: str) -> str:
    """Why a library cannot be read here, and what to do, in one line."""
    here = mapped_root(root)
    if here is not None:
        return (f"library {library_id}'s root {_shown(root)} is mapped to {_shown(here)} on this machine, "
                f"which is not available; connect the storage, or map it with `photo-annotator library "
                f"set-root {library_id} PATH`")
    return (f"library {library_id}'s root {_shown(root)} is not available on this machine; map it with "
            f"`photo-annotator library set-root {library_id} PATH`")


def _shown(path: str) -> str:
    return os.fsencode(path).decode("utf-8", "replace")  # as photos.display_path (which imports this)


def normalized_root(path: str, flavour: ModuleType = os.path) -> str:
    """A root folder as it is stored and compared: normalised, without a trailing separator except for a
    drive's or the file system's own root ("P:" is the drive's root, P:\\, not its current folder)."""
    drive, rest = flavour.splitdrive(path)
    if drive and not rest.strip("\\/"):
        return drive + flavour.sep
    normal = flavour.normpath(path)
    return normal if normal == flavour.sep else normal.rstrip(flavour.sep)


def join(root: str, rel_path: str, flavour: ModuleType = os.path) -> str:
    """A photo's path: its library's folder here and its "/"-separated path inside it."""
    return flavour.join(local_root(root), *rel_path.split("/"))


def within(path: str, root: str, flavour: ModuleType = os.path) -> bool:
    """Whether ``path`` is the folder ``root`` or inside it (both absolute, as ``normalized_root`` gives)."""
    return path == root or path.startswith(root.rstrip(flavour.sep) + flavour.sep)


def to_local(path: str) -> str:
    """``path`` on this machine: a path at or under a mapped canonical root, moved under its folder here
    (the app rescans a library by its canonical root); any other path as it is."""
    for root, here in mapping().items():
        if within(path, root):
            rest = path[len(root):].lstrip("/\\")
            return os.path.join(here, *rest.replace("\\", "/").split("/")) if rest else here
    return path
