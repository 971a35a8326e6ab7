"""Search and the vectors it ranks by: a search session over a catalogue, and embedding captions or
photos with an embedder plugin (`embed`, before a large catalogue's first search by meaning)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.keywords import resolve_term
from desktop_app.catalogue.models import CaptionKind, CaptionOrigin, ReviewState
from desktop_app.catalogue.photos import find_library, resolve_folder
from desktop_app.plugin_api.embedder import Modality, load_embedder
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.search.results import SearchFilters
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


def search_filters(catalogue: Catalogue, *, library: str | None = None, folder: str | None = None,
                   taken_from: date | None = None, taken_to: date | None = None, state: str = "any",
                   captioner: str | None = None, origin: str | None = None, kinds: Sequence[str] = (),
                   terms: Sequence[str] = (), vocab: str | None = None) -> SearchFilters:
    """A search's filters as `search` and the HTTP API take them: a library by folder or id, a folder on
    disk or inside the library, ``state`` any / approved / draft / rejected, keyword terms by label or
    synonym (LibraryNotFoundError, KeywordError; ValueError for a value that is none of the choices)."""
    library_id = inside = None
    with catalogue.read() as session:
        if library or folder:
            chosen = find_library(session, library) if library else None
            if folder:  # a path on disk or inside the library, as every --folder takes it
                chosen, inside = resolve_folder(session, folder, chosen)
            library_id = chosen.id if chosen else None
        keyword_terms = tuple(resolve_term(session, term, vocab).id for term in terms)
    if state not in ("any", "approved", "draft", "rejected"):
        raise ValueError(f"{state!r} is not one of any, approved, draft, rejected")
    return SearchFilters(
        library_id=library_id, folder=inside, taken_from=taken_from, taken_to=taken_to,
        approved_only=state == "approved",
        state=ReviewState(state) if state in ("draft", "rejected") else None, captioner=captioner,
        origin=CaptionOrigin(origin) if origin else None, keyword_terms=keyword_terms,
        **({"kinds": tuple(CaptionKind(kind) for kind in kinds)} if kinds else {}),
    )


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
