"""The search box and its modes: exact words filter the grid's listing itself; a search by meaning (or
both, fused) runs on the search thread and the grid then lists the photos it found, best first.

The grid is never emptied while a search runs: with both modes the words' matches are listed at once
and the fused results merge in when the search thread answers; by meaning alone, the grid keeps what it
shows (with a busy mark) until then. Once the window is idle, the text embedder loads in the
background when the catalogue has vectors, so the first search by meaning is as fast as the next.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyle, QWidget

from desktop_app.catalogue.photos import SortKey
from desktop_app.search.results import SearchFilters, SearchMode
from desktop_app.ui import wording
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.widgets.grid_header import GridHeader
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.wording import sentence
from desktop_app.ui.workers.search import SearchRunner

SEARCH_MODES: list[tuple[str, SearchMode]] = [
    (QT_TRANSLATE_NOOP("SearchController", "Words and meaning"), SearchMode.HYBRID),
    (QT_TRANSLATE_NOOP("SearchController", "Exact words"), SearchMode.KEYWORD),
    (QT_TRANSLATE_NOOP("SearchController", "Meaning"), SearchMode.SEMANTIC),
]
SEARCH_DELAY_MS = 250  # typing pauses this long before the grid follows the search box
PRELOAD_CHECK_MS = 500  # how often the window is asked whether it is idle, until the embedder preloads


class SearchController(WindowController):
    """Owns the search box and mode menu (the window puts them in its toolbar); ``reload(keep_selection,
    merge)`` asks the grid to list again (``merge``: morph the rows shown into the new ones, keeping the
    current photo and the selection, instead of replacing them); ``busy_changed`` when a search by
    meaning starts or ends."""

    reload = Signal(bool, bool)
    busy_changed = Signal()

    def __init__(self, searches: SearchRunner, libraries: LibraryList, header: GridHeader,
                 find_action: QAction, embed_action: QAction, parent: QWidget) -> None:
        super().__init__(parent)
        self.searches = searches
        self._libraries = libraries
        self._header = header
        self._embed_action = embed_action
        self._request = 0  # the semantic or hybrid search the grid waits for; 0: none
        self._ids: tuple[int, ...] | None = None  # its results, best first
        self.preload_wanted = True  # False: the embedder loads at the first search by meaning (benchmarks)
        self._idle: Callable[[], bool] | None = None
        self._preload_timer = QTimer(self)
        self._preload_timer.setInterval(PRELOAD_CHECK_MS)
        self._preload_timer.timeout.connect(self._preload_if_idle)

        self.box = QLineEdit()
        self.box.setObjectName("searchBox")
        self.box.setPlaceholderText(self.tr("Search captions"))
        self.box.setClearButtonEnabled(True)
        self.box.setMinimumWidth(280)
        self.box.setToolTip(self.tr("Photos whose captions hold all these words (Ctrl+F)"))
        self.box.addAction(parent.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
                           QLineEdit.ActionPosition.LeadingPosition)
        self.box.setAccessibleName(self.tr("Search captions"))
        self.mode = QComboBox()
        self.mode.setAccessibleName(self.tr("Search mode"))
        self.mode.setToolTip(self.tr("Exact words: the words themselves (\"phrases\", prefix*, OR, -word). "
                                     "Meaning: captions that say the same in other words. Both: fused."))
        for label, _mode in SEARCH_MODES:
            self.mode.addItem(self.tr(label))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._on_search)

        find_action.triggered.connect(lambda: (self.box.setFocus(), self.box.selectAll()))
        embed_action.triggered.connect(self._embed_captions)
        self.box.textChanged.connect(lambda _text: self._timer.start())
        self.box.returnPressed.connect(self._on_search)
        self.mode.currentIndexChanged.connect(lambda _index: self._on_search())
        searches.results.connect(self._on_results)
        searches.failed.connect(self._on_failed)
        searches.embed_progress.connect(self._on_embed_progress)
        searches.embedded.connect(self._on_embedded)

    # -- what the grid's listing asks --------------------------------------------------------------

    def text(self) -> str:
        return self.box.text().strip()

    def mode_value(self) -> SearchMode:
        return SEARCH_MODES[max(0, self.mode.currentIndex())][1]

    def by_meaning(self) -> bool:
        """The box holds a search by meaning (or by words and meaning)."""
        return bool(self.text()) and self.mode_value() is not SearchMode.KEYWORD

    def listing(self) -> tuple[str | None, tuple[int, ...] | None] | None:
        """What the grid lists for the search box: (words its captions must hold, photos found by meaning,
        best first), either None for no such condition; or None while a search by meaning alone runs:
        the grid keeps the rows it shows until the search answers."""
        text = self.text()
        if not text:
            return None, None
        if self.mode_value() is SearchMode.KEYWORD:
            return text, None
        if self._ids is not None:
            return None, self._ids
        if self.mode_value() is SearchMode.HYBRID:
            return text, None  # the words' matches at once; the fused results merge in later
        return None

    def provisional(self) -> bool:
        """The listing asked for now is the words' matches of a search that will merge in results by
        meaning: if the words match nothing, the grid keeps what it shows until then."""
        return self.busy() and self._ids is None and self.mode_value() is SearchMode.HYBRID

    def busy(self) -> bool:
        return bool(self._request)

    def location_changed(self) -> None:
        """The sidebar's library or folder changed: a search by meaning ranks within it, so it runs again."""
        if self.by_meaning():
            self._ids = None
            self._start()

    # -- searching -------------------------------------------------------------------------------

    @Slot()
    def _on_search(self) -> None:
        self._timer.stop()
        searching = bool(self.text())
        key = self._header.sort()
        # Best matches first while searching, unless the user chose an order; name order after.
        wanted = (SortKey.RELEVANCE if searching and key is SortKey.NAME
                  else SortKey.NAME if not searching and key is SortKey.RELEVANCE else key)
        self._header.set_sort(wanted)  # one reload, below
        self._ids = None
        if self.by_meaning():
            self._start()
        elif self._request:
            self._request = 0
            self.busy_changed.emit()
        self.reload.emit(True, True)  # by meaning alone, the rows shown stay (busy) until the answer

    def _start(self) -> None:
        """Run a semantic or hybrid search on the search thread; the grid shows its photos when it ends."""
        filters = SearchFilters(library_id=self._libraries.selected_id(),
                                folder=self._libraries.selected_folder())
        self._request = self.searches.search(self.text(), self.mode_value(), filters)
        self.status.emit(self.tr("Searching…"))
        self.busy_changed.emit()

    @Slot(int, object, str, object)
    def _on_results(self, request_id: int, photo_ids: list[int], _mode: str, notices: list[str]) -> None:
        if request_id != self._request:
            return
        self._request = 0
        self._ids = tuple(photo_ids)
        self.status.emit(sentence(notices[0]) if notices
                         else self.tr("{photos} found").format(photos=wording.photos(len(photo_ids))))
        self.busy_changed.emit()
        self.reload.emit(True, True)  # the current photo stays current if the search found it

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id == self._request:
            self._request = 0
            self._ids = ()
            self.error.emit(message)
            self.busy_changed.emit()
            self.reload.emit(False, False)

    # -- search by meaning's vectors -------------------------------------------------------------

    def preload_when_idle(self, idle: Callable[[], bool]) -> None:
        """Once ``idle()`` (the window usable, nothing loading), load the text embedder on the search
        thread if the catalogue has vectors: never before, so the first screen is as fast without it."""
        self._idle = idle
        self._preload_timer.start()

    @Slot()
    def _preload_if_idle(self) -> None:
        if not self.preload_wanted:
            self._preload_timer.stop()
        elif self._idle is not None and self._idle():
            self._preload_timer.stop()
            self.searches.preload()

    @Slot()
    def _embed_captions(self) -> None:
        self._embed_action.setEnabled(False)  # one run at a time
        self.status.emit(self.tr("Preparing search by meaning…"))
        self.searches.embed()

    @Slot(int, int)
    def _on_embed_progress(self, done: int, total: int) -> None:
        self.status.emit(self.tr("Preparing search by meaning… {done}/{total} captions").format(
            done=wording.number(done), total=wording.number(total)))

    @Slot(str, bool)
    def _on_embedded(self, message: str, ok: bool) -> None:
        self._embed_action.setEnabled(True)
        if not ok:
            self.error.emit(message)
        else:
            self.status.emit(message)
