"""The catalogue's libraries: finding one by its folder or id, and removing one (its photos, their
captions and history leave the catalogue; no file is touched). A library is added by scanning its
folder (services/scanning.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from desktop_app import settings
from desktop_app.catalogue import Catalogue, roots
from desktop_app.catalogue.libraries import remove_library as _remove
from desktop_app.catalogue.libraries import set_watch as _set_watch
from desktop_app.catalogue.libraries import watched_libraries as _watched_libraries
from desktop_app.catalogue.models import Library
from desktop_app.catalogue.photos import LibraryNotFoundError, display_path, find_library


class NotALibraryRoot(LibraryNotFoundError):
    """A folder inside a library named where the library itself must be: removing all of it for one
    of its folders would be a surprise."""


@dataclass(frozen=True)
class LibraryRef:
    id: int
    name: str
    root: str


@dataclass(frozen=True)
class RemovedLibrary:
    id: int
    name: str
    root: str
    photos: int
    captions_by_people: int


def library_to_remove(catalogue: Catalogue, ref: str) -> LibraryRef:
    """The library ``ref`` names: its id, or its own folder (NotALibraryRoot for a folder inside it)."""
    with catalogue.read() as session:
        chosen = find_library(session, ref)
        found = LibraryRef(chosen.id, chosen.name, chosen.root)
    if not ref.isdigit() and str(Path(ref).expanduser().resolve()) not in (found.root,
                                                                           roots.local_root(found.root)):
        raise NotALibraryRoot(f"{display_path(ref)} is a folder inside library {display_path(found.root)}; "
                              "name the library's own folder, or its id")
    return found


def remove_library(catalogue: Catalogue, library_id: int) -> RemovedLibrary:
    """Remove the library from the catalogue (LibraryNotFoundError when it is gone already, removed or
    merged into another meanwhile)."""
    with catalogue.write() as session:
        library = session.get(Library, library_id)
        if library is None:
            raise LibraryNotFoundError(f"no library with id {library_id} (removed meanwhile)")
        name, root = library.name, library.root
        photos, by_people = _remove(session, library_id)
    return RemovedLibrary(library_id, name, root, photos, by_people)


@dataclass(frozen=True)
class RootMapping:
    """A library's folder on this machine: ``here`` (None when it is not mapped: its canonical root)."""

    id: int
    name: str
    root: str
    here: str | None


def chosen_library(catalogue: Catalogue, ref: str) -> LibraryRef:
    """The library ``ref`` names: its id, its name, its canonical root or its folder here (or a folder
    inside one of these)."""
    with catalogue.read() as session:
        try:
            chosen = find_library(session, ref)
        except LibraryNotFoundError:
            named = session.scalars(select(Library).where(Library.name == ref).order_by(Library.id)).all()
            if not named:
                raise
            if len(named) > 1:
                raise LibraryNotFoundError(f"several libraries are named {ref!r}: give its id "
                                           "(`photo-annotator library list`)") from None
            chosen = named[0]
        return LibraryRef(chosen.id, chosen.name, chosen.root)


def set_library_root(catalogue: Catalogue, ref: str, folder: str | None) -> RootMapping:
    """Map library ``ref`` (chosen_library) to ``folder`` on this machine, in this machine's settings;
    None forgets the mapping (its canonical root is used again). The catalogue is not changed.
    LibraryNotFoundError when ``folder`` is not a folder here."""
    chosen = chosen_library(catalogue, ref)
    here = None
    if folder is not None:
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise LibraryNotFoundError(f"no folder {display_path(folder)} on this machine")
        here = roots.normalized_root(str(path.resolve()))
        if here == chosen.root:
            here = None  # the canonical root itself: nothing to map
    settings.set_library_root(chosen.root, here)
    roots.refresh()
    return RootMapping(chosen.id, chosen.name, chosen.root, here)


# -- watching (services/watching.py runs the watchers) -------------------------------------------------

@dataclass(frozen=True)
class WatchSettings:
    """How a watched library's new photos are handled: captioned by ``caption`` (with ``model``, None:
    the settings' model), keywords suggested by ``tag``; its folder polled every ``poll_interval``
    seconds (a network share, where file events do not arrive), None: file-system events."""

    caption: str | None = None
    model: str | None = None
    tag: str | None = None
    poll_interval: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {"caption": self.caption, "model": self.model, "tag": self.tag,
                "poll_interval": self.poll_interval}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> WatchSettings:
        interval = value.get("poll_interval")
        return cls(value.get("caption") or None, value.get("model") or None, value.get("tag") or None,
                   float(interval) if interval else None)


@dataclass(frozen=True)
class WatchedLibrary:
    id: int
    name: str
    root: str
    watch: WatchSettings


def _watched(library: Library) -> WatchedLibrary:
    return WatchedLibrary(library.id, library.name, library.root,
                          WatchSettings.from_json(library.watch or {}))


def set_watch(catalogue: Catalogue, library_id: int, watch: WatchSettings | None) -> WatchedLibrary | None:
    """Watch library ``library_id`` with ``watch`` (checked by services.watching.check_watch), or stop
    watching it (None). LibraryNotFoundError when it is gone."""
    with catalogue.write() as session:
        library = _set_watch(session, library_id, watch.to_json() if watch is not None else None)
        return _watched(library) if watch is not None else None


def watched_libraries(catalogue: Catalogue) -> list[WatchedLibrary]:
    """The libraries being watched, by id."""
    with catalogue.read() as session:
        return [_watched(library) for library in _watched_libraries(session)]


def library_watch(catalogue: Catalogue, library_id: int) -> WatchSettings | None:
    """A library's watch settings, None when it is not watched (or gone)."""
    with catalogue.read() as session:
        library = session.get(Library, library_id)
        return WatchSettings.from_json(library.watch) if library is not None and library.watch else None
