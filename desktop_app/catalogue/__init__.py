"""The catalogue: libraries, photos, captions with their history, embeddings and jobs, in SQL.

Knows nothing of Qt, torch, search or the UI, so every front end and worker can use it.
"""

# The review records' tables join the catalogue's metadata (models.Base) when the package is imported.
from desktop_app.catalogue import claims, outcomes, tokens  # noqa: F401
from desktop_app.catalogue.database import Catalogue, open_catalogue, resolve_url
from desktop_app.catalogue.errors import CatalogueError

__all__ = ["Catalogue", "CatalogueError", "open_catalogue", "resolve_url"]
