"""The catalogue's libraries: finding one by its folder or id, and removing one (its photos, their
captions and history leave the catalogue; no file is touched). A library is added by scanning its
folder (services/scanning.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.libraries import remove_library as _remove
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
    if not ref.isdigit() and str(Path(ref).expanduser().resolve()) != found.root:
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
