"""Searching photos by what their captions say: keyword, semantic, or both fused (the default).

One SearchService serves the CLI (`photo-annotator search`) and the GUI's search box. It keeps the
embedder loaded and the in-memory vector index of its model between queries, refreshing the index
incrementally before each semantic query so an edited caption is searched by its new text once it
is re-embedded, and never by its old vector. No Qt here; the GUI calls it from a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop_app.captioning.hf import ModelNotAvailableError
from desktop_app.catalogue import Catalogue
from desktop_app.plugin_registry import PluginRegistry, UnknownEmbedderError
from desktop_app.search.results import SearchFilters, SearchHit, SearchMode

log = logging.getLogger(__name__)

DEFAULT_EMBEDDER = "minilm"
# Reciprocal rank fusion's constant (Cormack et al. 2009): ranks beyond the first few weigh little,
# and a photo both modes rank well beats one that only one mode ranks first.
RRF_K = 60
# Each mode ranks this many times the asked-for hits before fusion: a photo ranked 30th by keyword
# and 5th by meaning can still make the fused top 10.
FUSION_DEPTH = 5
# Captions edited or added since the index loaded that a query embeds first (about 0.2 s per 100).
AUTO_EMBED_LIMIT = 500


class SearchError(Exception):
    """A search that cannot run (no vectors yet, an unknown embedder); ``str()`` is one line."""


class NoVectorsError(SearchError):
    """Nothing to search by meaning yet: no caption has a vector of the embedder's model."""


@dataclass
class SearchResult:
    hits: list[SearchHit]
    mode: SearchMode  # the mode that produced the hits (hybrid falls back to keyword without vectors)
    notices: list[str] = field(default_factory=list)  # what the user should know, one line each


def fuse(rankings: Sequence[Sequence[SearchHit]], limit: int, k: int = RRF_K) -> list[SearchHit]:
    """Reciprocal rank fusion: each photo scores sum(1 / (k + rank)) over the rankings that hold it.
    The hit shown for a photo is its first ranking's (the keyword hit, with its snippet)."""
    scores: dict[int, float] = {}
    shown: dict[int, SearchHit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.photo_id] = scores.get(hit.photo_id, 0.0) + 1.0 / (k + rank)
            shown.setdefault(hit.photo_id, hit)
    order = sorted(scores, key=lambda photo_id: (-scores[photo_id], photo_id))[:limit]
    return [_rescored(shown[photo_id], scores[photo_id]) for photo_id in order]


def _rescored(hit: SearchHit, score: float) -> SearchHit:
    return SearchHit(hit.photo_id, hit.caption_id, hit.path, hit.caption, score, hit.snippet)


class SearchService:
    """Keyword, semantic and hybrid search over one catalogue, with one text embedder."""

    def __init__(self, catalogue: Catalogue, registry: PluginRegistry, embedder_id: str = DEFAULT_EMBEDDER,
                 model: str | None = None, device: str = "auto") -> None:
        self.catalogue = catalogue
        self.registry = registry
        self.embedder_id = embedder_id
        self.model = model
        self.device = device
        self._embedder: Any = None
        self._index: Any = None  # captions' vectors
        self._photo_index: Any = None  # photos' vectors (image-text embedders)

    def search(self, text: str, mode: SearchMode = SearchMode.HYBRID,
               filters: SearchFilters | None = None, limit: int = 20) -> SearchResult:
        filters = filters or SearchFilters()
        if mode is SearchMode.KEYWORD:
            return SearchResult(self._keyword(text, filters, limit), mode)
        if mode is SearchMode.SEMANTIC:
            return SearchResult(self._semantic(text, filters, limit), mode)
        if mode is SearchMode.IMAGE:
            return SearchResult(self._image(text, filters, limit), mode)
        depth = limit * FUSION_DEPTH
        keyword = self._keyword(text, filters, depth)
        try:
            semantic = self._semantic(text, filters, depth)
        except (NoVectorsError, ModelNotAvailableError) as exc:
            # Hybrid is the default: without vectors (or the embedder) it still answers, by keyword.
            return SearchResult(keyword[:limit], SearchMode.KEYWORD, [f"{exc}; showing keyword matches only"])
        return SearchResult(fuse([keyword, semantic], limit), SearchMode.HYBRID)

    def close(self) -> None:
        if self._embedder is not None:
            self._embedder.unload()
            self._embedder = None
        self._index = self._photo_index = None

    # -- the two modes ---------------------------------------------------------------------------------

    def _keyword(self, text: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        from desktop_app.search.keyword import keyword_search

        with self.catalogue.read() as session:
            return keyword_search(session, text, filters, limit)

    def _semantic(self, text: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        from desktop_app.search.vectors import VectorIndex, embed_captions, semantic_search

        if not text.strip():
            return []
        embedder = self.embedder()
        if self._index is None:
            self._index = VectorIndex(embedder.model)
        with self.catalogue.read() as session:
            self._index.refresh(session)
        # Captions edited or added since the index loaded are embedded now, before the query, so an
        # edit is searchable by its new text at once (a few; a whole new collection is `embed`'s job).
        pending = self._index.needs_embedding()
        if pending and len(pending) <= AUTO_EMBED_LIMIT:
            embed_captions(self.catalogue, embedder, caption_ids=sorted(pending))
        with self.catalogue.read() as session:
            self._index.refresh(session)
            if not len(self._index):
                raise NoVectorsError(f"no caption is embedded with {embedder.model} yet: run "
                                     f"`photo-annotator embed --embedder {self.embedder_id}` (in the app: "
                                     "Captioning > Prepare Search by Meaning)")
            return semantic_search(session, self._index, embedder, text, filters, limit)

    def _image(self, text: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """Photos whose pixels match ``text`` (captioned or not), by an image-text embedder's photo
        vectors (made by `photo-annotator embed --photos`)."""
        from desktop_app.search.embedder import Modality
        from desktop_app.search.vectors import PHOTOS, VectorIndex, image_search

        embedder = self.embedder()
        if Modality.IMAGE not in embedder.modalities:
            raise SearchError(f"embedder {self.embedder_id} embeds text only; searching photos by their "
                              "pixels needs an image-text embedder such as clip")
        if self._photo_index is None:
            self._photo_index = VectorIndex(embedder.model, kind=PHOTOS)
        with self.catalogue.read() as session:
            self._photo_index.refresh(session)
            if not len(self._photo_index):
                raise NoVectorsError(f"no photo is embedded with {embedder.model} yet: run "
                                     f"`photo-annotator embed --photos --embedder {self.embedder_id}`")
            return image_search(session, self._photo_index, embedder, text, filters, limit)

    def embed(self, progress: Any = None, stop: Any = None) -> Any:
        """Embed every caption that has no current vector of this embedder's model (an EmbedReport)."""
        from desktop_app.search.vectors import embed_captions

        return embed_captions(self.catalogue, self.embedder(), progress=progress, stop=stop)

    @property
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    def embedder(self) -> Any:
        """The text embedder, loaded on first use (this is where torch is imported)."""
        if self._embedder is None:
            from desktop_app.captioning.hf import resolve_device

            try:
                prototype = self.registry.get_embedder(self.embedder_id)
            except UnknownEmbedderError as exc:
                raise SearchError(str(exc)) from exc
            embedder = type(prototype)(model=self.model)
            embedder.load(resolve_device(self.device))
            self._embedder = embedder
        return self._embedder
