"""The search box and its modes: exact words filter the grid's listing itself; a search by meaning (or
both, fused) runs on the search thread and the grid then lists the photos it found, best first."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QLineEdit, QStyle, QWidget

from desktop_app.catalogue.photos import SortKey
from desktop_app.search.results import SearchFilters, SearchMode
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.widgets.grid_header import GridHeader
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.wording import plural, sentence
from desktop_app.ui.workers.search import SearchRunner

SEARCH_MODES: list[tuple[str, SearchMode]] = [
    ("Words and meaning", SearchMode.HYBRID),
    ("Exact words", SearchMode.KEYWORD),
    ("Meaning", SearchMode.SEMANTIC),
]
SEARCH_DELAY_MS = 250  # typing pauses this long before the grid follows the search box


class SearchController(WindowController):
    """Owns the search box and mode menu (the window puts them in its toolbar); ``reload(keep_selection)``
    asks the grid to list again."""

    reload = Signal(bool)

    def __init__(self, searches: SearchRunner, libraries: LibraryList, header: GridHeader,
                 find_action: QAction, embed_action: QAction, parent: QWidget) -> None:
        super().__init__(parent)
        self.searches = searches
        self._libraries = libraries
        self._header = header
        self._embed_action = embed_action
        self._request = 0  # the semantic or hybrid search the grid waits for; 0: none
        self._ids: tuple[int, ...] | None = None  # its results, best first

        self.box = QLineEdit()
        self.box.setObjectName("searchBox")
        self.box.setPlaceholderText("Search captions")
        self.box.setClearButtonEnabled(True)
        self.box.setMinimumWidth(280)
        self.box.setToolTip("Photos whose captions hold all these words (Ctrl+F)")
        self.box.addAction(parent.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
                           QLineEdit.ActionPosition.LeadingPosition)
        self.mode = QComboBox()
        self.mode.setToolTip("Exact words: the words themselves (\"phrases\", prefix*, OR, -word). "
                             "Meaning: captions that say the same in other words. Both: fused.")
        for label, _mode in SEARCH_MODES:
            self.mode.addItem(label)
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
        searches.embed_progress.connect(
            lambda done, total: self.status.emit(f"Preparing search by meaning… {done:,}/{total:,} captions"))
        searches.embedded.connect(self._on_embedded)

    # -- what the grid's listing asks --------------------------------------------------------------

    def text(self) -> str:
        return self.box.text().strip()

    def mode_value(self) -> SearchMode:
        return SEARCH_MODES[max(0, self.mode.currentIndex())][1]

    def by_meaning(self) -> bool:
        return bool(self.text()) and self.mode_value() is not SearchMode.KEYWORD

    def found_ids(self) -> tuple[int, ...]:
        """The photos the search by meaning found, best first (none while it runs)."""
        return self._ids or ()

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
        else:
            self._request = 0
        self.reload.emit(True)

    def _start(self) -> None:
        """Run a semantic or hybrid search on the search thread; the grid shows its photos when it ends."""
        filters = SearchFilters(library_id=self._libraries.selected_id(),
                                folder=self._libraries.selected_folder())
        self._request = self.searches.search(self.text(), self.mode_value(), filters)
        self.status.emit("Searching…")

    @Slot(int, object, str, object)
    def _on_results(self, request_id: int, photo_ids: list[int], _mode: str, notices: list[str]) -> None:
        if request_id != self._request:
            return
        self._request = 0
        self._ids = tuple(photo_ids)
        self.status.emit(sentence(notices[0]) if notices else f"{plural(len(photo_ids), 'photo')} found")
        self.reload.emit(False)

    @Slot(int, str)
    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id == self._request:
            self._request = 0
            self._ids = ()
            self.error.emit(message)
            self.reload.emit(False)

    # -- search by meaning's vectors -------------------------------------------------------------

    @Slot()
    def _embed_captions(self) -> None:
        self._embed_action.setEnabled(False)  # one run at a time
        self.status.emit("Preparing search by meaning…")
        self.searches.embed()

    @Slot(str)
    def _on_embedded(self, message: str) -> None:
        self._embed_action.setEnabled(True)
        if message.startswith("cannot"):
            self.error.emit(message)
        else:
            self.status.emit(message)
