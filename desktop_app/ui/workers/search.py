"""The search box's semantic and hybrid searches, on a thread of their own.

Embedding a query needs the text embedder (torch, a model load of a few seconds the first time) and
ranks a matrix of every caption vector: neither may run on the GUI thread, nor wait behind the
catalogue thread's listings. The search session is the CLI's (desktop_app/services/search.py).
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from desktop_app.catalogue import Catalogue
from desktop_app.errors import one_line
from desktop_app.plugin_registry import PluginRegistry
from desktop_app.search.results import SearchFilters, SearchMode
from desktop_app.search.service import DEFAULT_EMBEDDER, SearchService
from desktop_app.services.search import open_search
from desktop_app.ui import wording
from desktop_app.ui.workers.threaded import Service, Worker, request

log = logging.getLogger(__name__)

RESULTS_LIMIT = 500  # photos a search shows in the grid, best first
PROGRESS_INTERVAL_S = 0.2  # embedding progress signals: a few a second, not one per batch


class SearchWorker(Worker):
    results = Signal(int, object, str, object)  # request id, [photo id] best first, mode used, [notice]
    search_failed = Signal(int, str)  # request id, one line
    embed_progress = Signal(int, int)  # captions done, captions in all
    embedded = Signal(str, bool)  # what embedding did, one line; False: it failed (the line says why)
    preloaded = Signal(bool)  # the embedder is loaded and ready (False: no vectors to search, or it failed)

    def __init__(self) -> None:
        super().__init__()
        self.service: SearchService | None = None
        # Set before ``open``: the text embedder searches by meaning use (tests give a registry of theirs).
        self.embedder_id = DEFAULT_EMBEDDER
        self.registry: PluginRegistry | None = None
        self.latest = 0  # set from the GUI thread: requests older than this are skipped
        self.stopping = False  # set from the GUI thread when the app closes: embedding stops
        self._last_progress = 0.0

    @request(QT_TRANSLATE_NOOP("Worker", "cannot prepare searching"))
    def open(self, catalogue: Catalogue) -> None:
        self.close()
        self.catalogue = catalogue
        # A search by meaning first embeds the captions without vectors (a small catalogue's all):
        # the status bar shows it as it shows Prepare Search by Meaning.
        self.service = open_search(catalogue, self.registry, embedder_id=self.embedder_id,
                                   progress=self._progress)

    @request(QT_TRANSLATE_NOOP("Worker", "search failed"))
    def search(self, request_id: int, text: str, mode: str, filters: SearchFilters) -> None:
        if request_id != self.latest or self.service is None:
            return  # the user typed on: only the newest query is worth running
        try:
            result = self.service.search(text, SearchMode(mode), filters, RESULTS_LIMIT)
        except Exception as exc:  # the failure carries its request id: the window ignores stale ones
            log.warning("search failed: %s", one_line(exc))
            log.debug("search failed", exc_info=True)
            self.search_failed.emit(request_id,
                                    self.tr("search failed: {reason}").format(reason=one_line(exc)))
            return
        self.results.emit(request_id, [hit.photo_id for hit in result.hits], result.mode.value,
                          result.notices)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot prepare search by meaning"))
    def embed(self, only_if_loaded: bool = False) -> None:
        """Embed every caption without a current vector, so that searches by meaning find it. With
        ``only_if_loaded``, only when the embedder is loaded already (someone searches by meaning in
        this session): new captions join the index without a user ever paying for a model load."""
        if self.service is None or (only_if_loaded and not self.service.embedder_loaded):
            return
        try:
            report = self.service.embed(progress=self._progress, stop=lambda: self.stopping)
        except Exception as exc:  # said where embedding reports: the status bar
            log.warning("embedding failed: %s", one_line(exc))
            self.embedded.emit(self.tr("cannot prepare search by meaning: {reason}").format(
                reason=one_line(exc)), False)
            return
        self.embedded.emit(self.tr("Search by meaning is ready: {embedded} embedded, {current} already "
                                   "were ({seconds} s)").format(embedded=wording.captions(report.embedded),
                                                                current=wording.number(report.current),
                                                                seconds=wording.number(report.seconds, 0)),
                           True)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot prepare search by meaning"))
    def preload(self) -> None:
        """Load the text embedder now, when the catalogue has vectors to search by meaning, so that the
        first such search answers as fast as the later ones. A failure is only logged: nobody asked
        yet, and the first search by meaning says it."""
        loaded = False
        if self.service is not None and not self.stopping:
            try:
                loaded = self.service.preload()
            except Exception as exc:
                log.info("search by meaning not prepared: %s", one_line(exc))
        self.preloaded.emit(loaded)

    def _progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.embed_progress.emit(done, total)

    def close(self) -> None:
        if self.service is not None:
            self.service.close()
            self.service = None


class SearchRunner(Service):
    """The GUI thread's handle on the search thread; its signals arrive on the GUI thread."""

    results = Signal(int, object, str, object)
    failed = Signal(int, str)
    embed_progress = Signal(int, int)
    embedded = Signal(str, bool)
    preloaded = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        worker = SearchWorker()
        super().__init__(worker, "search", parent, renamed={"search_failed": "failed"})
        self.worker = worker
        self._request_id = 0

    def search(self, text: str, mode: SearchMode, filters: SearchFilters) -> int:
        """Ask for a search; the answer carries the returned request id (older answers are stale)."""
        self._request_id += 1
        self.worker.latest = self._request_id  # an int assignment: atomic under the GIL
        self.call(self.worker.search, self._request_id, text, mode.value, filters)
        return self._request_id

    def embed(self, only_if_loaded: bool = False) -> None:
        """Embed every caption not embedded yet (in the background; see embed_progress, embedded)."""
        self.call(self.worker.embed, only_if_loaded)

    def preload(self) -> None:
        """Load the text embedder in the background if the catalogue has vectors (see ``preloaded``)."""
        self.call(self.worker.preload)

    def stop(self) -> None:
        self.worker.stopping = True  # a long embedding run stops at its next batch
