"""What every request handler shares: the catalogue, the token checker, and the few objects made once per
server (the job runner that queues jobs, the search session)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import Request

from desktop_app.catalogue import Catalogue
from desktop_app.services.photos import Totals
from desktop_app.services.tokens import TokenChecker

if TYPE_CHECKING:
    from desktop_app.jobs.runner import JobRunner
    from desktop_app.library.thumbnails import ThumbnailCache
    from desktop_app.search.service import SearchService


@dataclass
class ApiContext:
    catalogue: Catalogue
    tokens: TokenChecker
    thumbnails: ThumbnailCache | None = None  # None: the app's cache, at the settings' size
    make_runner: Callable[[], JobRunner] | None = None  # None: the settings' engine and plugins
    totals: Totals = field(default_factory=Totals)  # listings' totals, kept while nothing changes
    _runner: JobRunner | None = None
    _search: SearchService | None = None
    # One search at a time: a search session loads its embedder once and is not made for threads.
    search_lock: threading.Lock = field(default_factory=threading.Lock)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def runner(self) -> JobRunner:
        """The runner that queues jobs (it runs none: the app or a `worker` does); made at the first
        job queued, so a server that only reads never loads the plugins."""
        with self._lock:
            if self._runner is None:
                self._runner = self.make_runner() if self.make_runner else _default_runner(self.catalogue)
            return self._runner

    def search(self) -> SearchService:
        with self._lock:
            if self._search is None:
                from desktop_app.services.search import open_search

                self._search = open_search(self.catalogue)
            return self._search

    def close(self) -> None:
        with self._lock:
            if self._search is not None:
                self._search.close()
                self._search = None


def _default_runner(catalogue: Catalogue) -> Any:
    from desktop_app.services.engine import build_engine
    from desktop_app.services.jobs import make_runner

    return make_runner(catalogue, build_engine())


def context(request: Request) -> ApiContext:
    """The request's ApiContext (a FastAPI dependency)."""
    return request.app.state.context
