"""Open the catalogue as the settings say, and bring its schema up to date.

The one way every front end opens it: ``db`` (a path or an SQLAlchemy URL) when given, else
$PHOTO_ANNOTATOR_DB, else the settings' catalogue location, else the file in the user data folder.
"""

from __future__ import annotations

import os

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue import open_catalogue as _open


def open_catalogue(db: str | os.PathLike[str] | None = None, *, create: bool = True,
                   reading: bool = False) -> Catalogue:
    """The catalogue, its schema upgraded. ``create=False``: one that does not exist is an error
    (CatalogueNotFoundError), never created; ``reading``: one that cannot be written opens read-only."""
    return _open(db, create=create, reading=reading)


def schema_revision(catalogue: Catalogue) -> str | None:
    """The catalogue's schema revision (the newest once opened writable: opening upgrades it)."""
    from desktop_app.catalogue import migrate  # alembic: only when asked, not for the window's start

    return migrate.current_revision(catalogue.engine)
