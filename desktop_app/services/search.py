"""Search and the vectors it ranks by: a search session over a catalogue, and embedding captions or
photos with an embedder plugin (`embed`, before a large catalogue's first search by meaning)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from desktop_app.catalogue import Catalogue
from desktop_app.plugin_api.embedder import Modality, load_embedder
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.search.service import DEFAULT_EMBEDDER, SearchError, SearchService

if TYPE_CHECKING:
    from desktop_app.search.embedding import EmbedReport

Progress = Callable[[int, int], None]


class TextOnlyEmbedder(SearchError):
    """Photos asked of an embedder that embeds text only."""


def open_search(catalogue: Catalogue, registry: PluginRegistry | None = None, *,
                embedder_id: str = DEFAULT_EMBEDDER, model: str | None = None, device: str = "auto",
                progress: Progress | None = None) -> SearchService:
    """A search session: keyword, by meaning (with ``embedder_id``'s model, loaded at the first such
    query and kept), hybrid or by pixels. ``progress``: (done, total) while a query embeds captions
    first. Close it to free the embedder."""
    return SearchService(catalogue, registry or load_plugins(), embedder_id=embedder_id, model=model,
                         device=device, progress=progress)


def embed(catalogue: Catalogue, embedder_id: str, *, model: str | None = None, device: str = "auto",
          batch_size: int | None = None, photos: bool = False, progress: Progress | None = None,
          registry: PluginRegistry | None = None) -> EmbedReport:
    """Embed every caption (``photos``: every photo's pixels) without a current vector of the embedder's
    model; vectors of other models stay. TextOnlyEmbedder when it cannot embed photos."""
    # numpy and the vector modules load here, not when the app's search thread starts.
    from desktop_app.search.embedding import (
        DEFAULT_BATCH_SIZE,
        DEFAULT_PHOTO_BATCH_SIZE,
        embed_captions,
        embed_photos,
    )

    prototype = (registry or load_plugins()).get_embedder(embedder_id)
    if photos and Modality.IMAGE not in prototype.modalities:
        raise TextOnlyEmbedder(f"embedder {embedder_id} embeds text only; --photos needs an image-text "
                               "embedder such as clip")
    embedder = load_embedder(prototype, model, device)
    try:
        if photos:
            return embed_photos(catalogue, embedder, batch_size or DEFAULT_PHOTO_BATCH_SIZE, progress)
        return embed_captions(catalogue, embedder, batch_size or DEFAULT_BATCH_SIZE, progress)
    finally:
        embedder.unload()
