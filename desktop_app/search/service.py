"""Searching photos by what their captions say: keyword, semantic, or both fused (the default).

One SearchService serves the CLI (`photo-annotator search`) and the GUI's search box. It keeps the
embedder loaded and the in-memory vector index of its model between queries, refreshing the index
incrementally before each semantic query so an edited caption is searched by its new text once it
is re-embedded, and never by its old vector. No Qt here; the GUI calls it from a worker thread. The
vector modules (numpy) load with the first search by meaning, not for a keyword search.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.text_index import to_expression
from desktop_app.errors import isolated, one_line
from desktop_app.plugin_api.embedder import EmbedderError, Modality, load_embedder, plugin_failures
from desktop_app.plugin_registry import PluginRegistry, UnknownEmbedderError
from desktop_app.query_language import MeaningQuery, for_meaning
from desktop_app.search.keyword import keyword_search, matching_captions
from desktop_app.search.results import Matched, SearchFilters, SearchHit, SearchMode

log = logging.getLogger(__name__)

DEFAULT_EMBEDDER = "minilm"
# Reciprocal rank fusion's constant (Cormack et al. 2009): ranks beyond the first few weigh little,
# and a photo both modes rank well beats one that only one mode ranks first.
RRF_K = 60
# Each mode ranks this many times the asked-for hits before fusion: a photo ranked 30th by keyword
# and 5th by meaning can still make the fused top 10.
FUSION_DEPTH = 5
# Captions without a current vector that a query embeds first (about 0.2 s per 100 on a CPU): edits
# since the index loaded, and on a small catalogue every caption, so its first search by meaning works.
AUTO_EMBED_LIMIT = 500
NO_WORD_MATCH = "no caption holds these words; showing the closest by meaning"
EXCLUSIONS_ONLY = ('a query made only of exclusions (-word, NOT word) finds nothing: add a word to look '
                   'for, as in "cat -dog"')


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
    """Reciprocal rank fusion: each photo scores sum(1 / (k + rank)) over the rankings that hold it,
    divided by the score of a photo every ranking puts first (so 1.0 at best). The hit shown for a
    photo is its first ranking's (the keyword hit, with its snippet); ``matched`` says which found it."""
    scores: dict[int, float] = {}
    found_by: dict[int, int] = {}
    shown: dict[int, SearchHit] = {}
    for ranking in rankings:
        for rank, hit in enumerate(ranking, start=1):
            scores[hit.photo_id] = scores.get(hit.photo_id, 0.0) + 1.0 / (k + rank)
            found_by[hit.photo_id] = found_by.get(hit.photo_id, 0) + 1
            shown.setdefault(hit.photo_id, hit)
    best = len(rankings) / (k + 1)
    order = sorted(scores, key=lambda photo_id: (-scores[photo_id], photo_id))[:limit]
    return [_rescored(shown[photo_id], scores[photo_id] / best,
                      Matched.BOTH if found_by[photo_id] > 1 else shown[photo_id].matched)
            for photo_id in order]


def _rescored(hit: SearchHit, score: float, matched: Matched | None) -> SearchHit:
    return replace(hit, score=score, matched=matched)


def unknown_embedder(registry: PluginRegistry, embedder_id: str) -> str | None:
    """Why ``embedder_id`` cannot be used, in one line, or None when a plugin offers it."""
    try:
        registry.get_embedder(embedder_id)
    except UnknownEmbedderError as exc:
        # A built-in embedder's plugin bears its name: its failure is the reason to give.
        failed = [f"; plugin {info.name} did not load: {info.error}" for info in registry.plugins
                  if info.name == embedder_id and info.status == "failed"]
        return str(exc) + "".join(failed)
    return None


class SearchService:
    """Keyword, semantic and hybrid search over one catalogue, with one text embedder. ``progress``:
    called with (done, total) while a query embeds captions first."""

    def __init__(self, catalogue: Catalogue, registry: PluginRegistry, embedder_id: str = DEFAULT_EMBEDDER,
                 model: str | None = None, device: str = "auto",
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.catalogue = catalogue
        self.registry = registry
        self.embedder_id = embedder_id
        self.model = model
        self.device = device
        self.progress = progress
        self._embedder: Any = None
        self._load_error: EmbedderError | None = None  # a failed load is not retried on every keystroke
        self._index: Any = None  # captions' vectors
        self._photo_index: Any = None  # photos' vectors (image-text embedders)
        self._unembedded: list[int] | None = None  # captions without any vector, looked up once per index

    def search(self, text: str, mode: SearchMode = SearchMode.HYBRID,
               filters: SearchFilters | None = None, limit: int = 20) -> SearchResult:
        filters = filters or SearchFilters()
        meaning = for_meaning(text)
        notices = [EXCLUSIONS_ONLY] if meaning.exclusions_only else []
        if mode is SearchMode.KEYWORD:
            return SearchResult(self._keyword(text, filters, limit), mode, notices)
        if mode is SearchMode.SEMANTIC:
            return SearchResult(self._semantic(meaning, filters, limit, notices), mode, notices)
        if mode is SearchMode.IMAGE:
            return SearchResult(self._image(text, filters, limit), mode, notices)
        depth = limit * FUSION_DEPTH
        keyword = self._keyword(text, filters, depth)
        try:
            semantic = self._semantic(meaning, filters, depth, notices)
        except BaseException as caught:  # hybrid is the default: whatever fails there, words still answer
            exc = isolated(caught)  # but Ctrl+C stops
            log.debug("search by meaning failed", exc_info=True)
            reason = (str(exc) if isinstance(exc, SearchError | EmbedderError)
                      else f"search by meaning failed: {type(caught).__name__}: {one_line(caught)}")
            notices.append(f"{reason}; showing keyword matches only")
            return SearchResult(keyword[:limit], SearchMode.KEYWORD, notices)
        if semantic and not keyword and meaning.text:
            notices.append(NO_WORD_MATCH)
        return SearchResult(fuse([keyword, semantic], limit), SearchMode.HYBRID, notices)

    def close(self) -> None:
        if self._embedder is not None:
            try:
                with plugin_failures(self._embedder, "unloading"):
                    self._embedder.unload()
            except EmbedderError as exc:  # the search itself is done: nothing to lose
                log.warning("%s", exc)
            self._embedder = None
        self._load_error = None
        self._index = self._photo_index = self._unembedded = None

    # -- the two modes ---------------------------------------------------------------------------------

    def _keyword(self, text: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        with self.catalogue.read() as session:
            return keyword_search(session, text, filters, limit)

    def _semantic(self, meaning: MeaningQuery, filters: SearchFilters, limit: int,
                  notices: list[str]) -> list[SearchHit]:
        """Photos by what their captions mean; the query's excluded words are left out of the text
        embedded, and captions holding them are dropped."""
        from desktop_app.search.embedding import embed_captions
        from desktop_app.search.vector_index import VectorIndex
        from desktop_app.search.vector_store import unembedded_captions

        if not meaning.text.strip():
            return []
        embedder = self.embedder()
        if self._index is None:
            self._index = VectorIndex(embedder.model)
            self._unembedded = None
        with self.catalogue.read() as session:
            self._index.refresh(session)
            if self._unembedded is None:  # once per index: later captions are the index's to notice
                self._unembedded = unembedded_captions(session, embedder.model, AUTO_EMBED_LIMIT + 1)
        # Captions edited or added since the index loaded, or all of a small catalogue's, are embedded
        # now, before the query: an edit is found by its new text at once, and a first search by meaning
        # needs no `embed`. More is `embed`'s job (or the app's Prepare Search by Meaning).
        edited = self._index.needs_embedding()
        pending = edited | set(self._unembedded)
        too_many = len(pending) > AUTO_EMBED_LIMIT
        if too_many and len(edited) <= AUTO_EMBED_LIMIT:
            pending = edited  # edits at least: a stale vector is never used, so unembedded they are unfound
        advice = (f"`photo-annotator embed --embedder {self.embedder_id}` (in the app: Captioning > "
                  "Prepare Search by Meaning)")
        if pending and self.catalogue.read_only:  # a read-only role searches the vectors there are
            notices.append(f"{len(pending):,} captions have no current vector and the catalogue is "
                           f"read-only: they are not searched by meaning until an editor runs {advice}")
            pending = set()
        if pending and len(pending) <= AUTO_EMBED_LIMIT:
            embed_captions(self.catalogue, embedder, caption_ids=sorted(pending), progress=self.progress)
            if not too_many:
                self._unembedded = []
        with self.catalogue.read() as session:
            self._index.refresh(session)
            if not len(self._index):
                if too_many:
                    raise NoVectorsError(f"no caption is embedded with {embedder.model} yet: run {advice}")
                return []  # no caption at all
            if too_many:
                notices.append(f"more than {AUTO_EMBED_LIMIT:,} captions have no vector yet and are not "
                               f"searched by meaning: run {advice}")
            return self._without_excluded(session, meaning, filters, limit)

    def _without_excluded(self, session: Any, meaning: MeaningQuery, filters: SearchFilters,
                          limit: int) -> list[SearchHit]:
        from desktop_app.search.vector_index import semantic_search

        excluded = to_expression(session, meaning.excluded)
        fetch = limit
        while True:
            hits = semantic_search(session, self._index, self.embedder(), meaning.text, filters, fetch)
            if excluded is None:
                return hits
            dropped = matching_captions(session, excluded, [hit.caption_id for hit in hits])
            kept = [hit for hit in hits if hit.caption_id not in dropped]
            if len(kept) >= limit or len(hits) < fetch:
                return kept[:limit]
            fetch *= 4

    def _image(self, text: str, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """Photos whose pixels match ``text`` (captioned or not), by an image-text embedder's photo
        vectors (made by `photo-annotator embed --photos`)."""
        from desktop_app.search.vector_index import VectorIndex, image_search
        from desktop_app.search.vector_store import PHOTOS

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
        from desktop_app.search.embedding import embed_captions

        report = embed_captions(self.catalogue, self.embedder(), progress=progress, stop=stop)
        self._unembedded = None  # look again: a stopped run leaves some
        return report

    def has_caption_vectors(self) -> bool:
        """Whether any caption has a vector of this embedder's model (without loading the embedder)."""
        from sqlalchemy import select

        from desktop_app.catalogue.models import Embedding

        problem = unknown_embedder(self.registry, self.embedder_id)
        if problem is not None:
            return False
        model = self.model or self.registry.get_embedder(self.embedder_id).model
        with self.catalogue.read() as session:
            found = session.scalar(select(Embedding.id).where(
                Embedding.model_id == model, Embedding.caption_id.is_not(None)).limit(1))
        return found is not None

    def preload(self) -> bool:
        """Get ready to search by meaning before anyone asks: when the catalogue has caption vectors of
        this embedder's model, load the embedder and its index and run one query through both (a model's
        first forward pass is slow too). False, and nothing loaded, when there are no such vectors: a
        catalogue nobody searches by meaning never pays for the model."""
        if self._embedder is None and not self.has_caption_vectors():
            return False
        progress, self.progress = self.progress, None  # nobody asked: no progress in the status bar
        try:
            self._semantic(for_meaning("photo"), SearchFilters(), 1, [])
        finally:
            self.progress = progress
        return True

    @property
    def embedder_loaded(self) -> bool:
        return self._embedder is not None

    def embedder(self) -> Any:
        """The text embedder, loaded on first use (this is where torch is imported). Any failure is an
        EmbedderError, remembered until ``close()``: a broken plugin is not loaded again per query."""
        if self._load_error is not None:
            raise self._load_error
        if self._embedder is None:
            problem = unknown_embedder(self.registry, self.embedder_id)
            if problem is not None:
                raise SearchError(problem)
            prototype = self.registry.get_embedder(self.embedder_id)
            try:
                self._embedder = load_embedder(prototype, self.model, self.device)
            except EmbedderError as exc:
                self._load_error = exc
                raise
        return self._embedder
