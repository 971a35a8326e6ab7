"""Keywords: the sidebar's Keywords panel filtering the grid, and the detail pane's keyword review acting on
the grid's selection. The keyword worker does the reading and writing; this controller only wires it to
the panel, the pane and the browsing controller, and reads the counts again after a change."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import KeywordState
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.main_window.browsing import BrowseController
from desktop_app.ui.widgets.detail.keyword_box import KeywordBox
from desktop_app.ui.widgets.keyword_panel import KeywordPanel
from desktop_app.ui.workers.keywords import KeywordService

COUNTS_DELAY_MS = 300  # a burst of changes (accept all, a long selection) reads the counts once


class KeywordController(WindowController):
    def __init__(self, service: KeywordService, panel: KeywordPanel, box: KeywordBox,
                 browse: BrowseController, parent: QWidget) -> None:
        super().__init__(parent)
        self.service, self.panel, self.box, self.browse = service, panel, box, browse
        box.selection = browse.selected_photo_ids
        browse.grid.selectionModel().selectionChanged.connect(lambda *_args: box.selection_changed())
        panel.term_chosen.connect(self._on_term_chosen)
        service.changed.connect(self._on_changed)
        service.failed.connect(self.error)
        self._counts = QTimer(self)
        self._counts.setSingleShot(True)
        self._counts.setInterval(COUNTS_DELAY_MS)
        self._counts.timeout.connect(self.panel.model.refresh_counts)

    def open(self, catalogue: Catalogue) -> None:
        """Use ``catalogue``: the keyword worker opens it, the panel lists its vocabularies."""
        self.service.open(catalogue)
        self.panel.clear_choice()
        self.panel.model.reload()

    def refresh(self) -> None:
        """Keywords changed outside the pane (a scan, write-back, a tagging job): counts and the pane."""
        self._counts.start()
        self.box.reload()

    @Slot(object, str, object)
    def _on_term_chosen(self, term_id: int | None, label: str, state: KeywordState | None) -> None:
        self.browse.set_keyword_filter((term_id, label) if term_id is not None else None, state)
        if term_id is not None:
            self.status.emit(self.tr("Showing the photos with the keyword “{keyword}” or a narrower one")
                             .format(keyword=label))
        else:
            self.status.emit("")

    @Slot(object)
    def _on_changed(self, _photo_ids: list[int]) -> None:
        self._counts.start()
        if self.browse.keyword_filter != (None, None):  # a photo may have left (or joined) the filtered grid
            self.browse.load_photos(keep_selection=True)
