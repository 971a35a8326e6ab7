"""Browsing: the sidebar's libraries, the grid's listing (filters, order, search results) and its
selection, and the detail pane following the current photo.

Every answer from the catalogue thread carries the id of its request, so one that arrives after the
user moved on is dropped. The grid keeps the rows it shows until the new listing arrives, with a busy
mark in the header meanwhile; a listing for the search box morphs the rows shown into the new ones
(PhotoListModel.merge_rows) so the current photo and the selection stay where they still apply.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QTimer, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from desktop_app.catalogue.models import CaptionKind, CaptionOrigin, KeywordState, PhotoStatus, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, display_path
from desktop_app.catalogue.roots import local_root
from desktop_app.jobs.runner import ItemDone
from desktop_app.ui import wording
from desktop_app.ui.accessibility import announce
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.main_window.search import SearchController
from desktop_app.ui.widgets.detail.keyword_chips import state_words
from desktop_app.ui.widgets.detail.pane import DetailPane
from desktop_app.ui.widgets.grid_header import GridHeader
from desktop_app.ui.widgets.image_loading import PreviewLoader
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.widgets.photo_grid import PhotoGrid, PhotoListModel
from desktop_app.ui.workers.backend import Backend, LibrarySummary, PhotoRow

NO_LIBRARY_TEXT = QT_TRANSLATE_NOOP("BrowseController",
                                    "No photos yet.\n\nAdd a folder of photos: File > Add Folder… (Ctrl+O)")
NOTHING_SHOWN_TEXT = QT_TRANSLATE_NOOP("BrowseController",
                                       "No photos to show here.\n\nChoose another filter, search or folder.")
# Up to this many rows shown, a listing for the search box morphs them into the new ones (keeping the
# scroll place); more are replaced at once, which costs less than moving each (5,000: under 0.1 s).
MERGE_ROWS_LIMIT = 5_000
# Photos changed elsewhere: those in view (at most this many) are read again one by one; when listed
# photos out of view changed too, the grid lists its photos again after RELIST_DELAY_MS (at most once
# in that time, however many batches a job writes meanwhile).
REFRESH_ROWS_LIMIT = 50
RELIST_DELAY_MS = 3_000


class BrowseController(WindowController):
    """Lists what the sidebar, the header and the search ask for, and keeps the detail pane on the
    current photo. ``title_changed`` carries the library (and folder) shown, or "" for none;
    ``sample_wanted`` asks for the sample library when the first listing of a fresh catalogue is empty."""

    title_changed = Signal(str)
    sample_wanted = Signal()

    def __init__(self, backend: Backend, libraries: LibraryList, header: GridHeader, grid: PhotoGrid,
                 model: PhotoListModel, detail: DetailPane, previews: PreviewLoader,
                 search: SearchController, writes_descriptions: Callable[[str], bool],
                 parent: QWidget) -> None:
        """``writes_descriptions(captioner_id)``: whether that captioner's drafts are descriptions (the
        grid's captions) rather than alt text or extended descriptions."""
        super().__init__(parent)
        self.backend, self.libraries, self.header = backend, libraries, header
        self.grid, self.model, self.detail, self.previews = grid, model, detail, previews
        self.search = search
        self._writes_descriptions = writes_descriptions
        self.offer_sample = True  # an empty new catalogue gets the sample library (no folder given)
        self._first_libraries = True
        self._wanted_library: int | None = None
        self._stale = False
        self._request = 0
        self._complete = True
        self._first_chunk = False
        self._reselect: int | None = None
        self._announced: int | None = None  # the photo last announced as the current one
        self._merge = False  # the listing asked for morphs the rows shown instead of replacing them
        self._provisional = False  # ... and is the words' matches of a search by meaning still running
        self._listed: tuple[str | None, tuple[int, ...] | None] = (None, None)  # the search's part of it
        self._detail_request = 0
        self._refreshes: set[int] = set()  # requests for photos changed elsewhere (on_changed_elsewhere)
        self._relist = QTimer(self)
        self._relist.setSingleShot(True)
        self._relist.setInterval(RELIST_DELAY_MS)
        self._relist.timeout.connect(lambda: self.load_photos(keep_selection=True, merge=True))
        # The Keywords panel's choice: its term (id, label) or None, and the keyword state (None: accepted).
        self.keyword_filter: tuple[tuple[int, str] | None, KeywordState | None] = (None, None)
        # Another order for "next needing review" (Settings.review.order, reviewing.py): asks for the next
        # photo and returns True when it answers later; False: the grid's order, as here.
        self.review_order: Callable[[], bool] | None = None

        backend.libraries_loaded.connect(self._on_libraries_loaded)
        backend.photos_loaded.connect(self._on_photos_loaded)
        backend.photo_loaded.connect(self._on_photo_loaded)
        backend.folders_loaded.connect(libraries.set_folders)
        backend.captioners_loaded.connect(self._on_captioners_loaded)
        previews.loaded.connect(self._on_preview)
        libraries.location_selected.connect(self._on_location_selected)
        header.changed.connect(lambda: self.load_photos(keep_selection=True))
        search.reload.connect(self.load_photos)
        search.busy_changed.connect(self._update_header)
        detail.advance_requested.connect(self.advance)
        detail.move_requested.connect(self.select_neighbour)
        # The detail pane follows the current photo; several may be selected (to caption them).
        grid.selectionModel().currentChanged.connect(self._on_photo_selected)

    # -- what others ask -------------------------------------------------------------------------

    def is_complete(self) -> bool:
        """The listing asked for last has arrived whole."""
        return self._complete

    def want_library(self, library_id: int) -> None:
        """Show this library once the libraries are listed again (a scan added it)."""
        self._wanted_library = library_id

    def mark_stale(self, library_id: int | None = None) -> None:
        """The photos of ``library_id`` (None: any) changed: list them again with the libraries."""
        if library_id is None or library_id == self.libraries.selected_id():
            self._stale = True

    def location(self) -> tuple[PhotoQuery | None, str, str | None]:
        """The sidebar's library or folder: as a selection of photos, a label, and its folder on disk."""
        library = self.libraries.library(self.libraries.selected_id())
        if library is None:
            return None, "", None
        inside = self.libraries.selected_folder()
        label = f"{library.name} / {display_path(inside)}" if inside else library.name
        here = local_root(library.root)  # the library's folder on this machine (`library set-root`)
        folder = os.path.join(here, *inside.split("/")) if inside else here
        return PhotoQuery(library_id=library.id, folder=inside), label, folder

    def photo_query(self) -> PhotoQuery:
        """What the grid shows: the sidebar's library or folder, the filters, the search and the order."""
        # Exact words filter the listing itself; a search by meaning lists the photos it found (and, with
        # words too, the words' matches while it runs; by meaning alone, what was listed before).
        text, photo_ids = self.search.listing() or self._listed
        return PhotoQuery(
            library_id=self.libraries.selected_id(),
            folder=self.libraries.selected_folder(),
            review=self.header.review(),
            captioner=self.header.captioner(),
            text=text,
            photo_ids=photo_ids,
            keyword_terms=(self.keyword_filter[0][0],) if self.keyword_filter[0] is not None else (),
            keyword_state=self.keyword_filter[1],
            sort=self.header.sort(),
            descending=self.header.descending(),
        )

    def set_keyword_filter(self, term: tuple[int, str] | None, state: KeywordState | None = None) -> None:
        """Show only the photos with the keyword ``term`` (id, label) or a narrower one, in ``state``
        (None: accepted); without a term, those with any keyword in ``state``; both None: all."""
        if (term, state) != self.keyword_filter:
            self.keyword_filter = (term, state)
            self.load_photos(keep_selection=True)

    def selected_row(self) -> PhotoRow | None:
        """The current photo (the one the detail pane shows)."""
        index = self.grid.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.rows()[index.row()]

    def selected_photo_ids(self) -> list[int]:
        """The photos selected in the grid, in grid order."""
        rows = self.model.rows()
        ranges = self.grid.selectionModel().selection()
        return sorted({rows[number].id: number for selected in ranges
                       for number in range(selected.top(), selected.bottom() + 1)},
                      key=lambda photo_id: self.model.row_number(photo_id) or 0)

    @Slot()
    def select_next_needing_review(self) -> bool:
        """Move to the next photo in the grid whose current caption awaits review (a draft); False,
        with a word in the status bar, when none is left after the current one. In the "most useful
        first" order (Settings.review.order), the review queue's next photo, selected when it answers."""
        if self.review_order is not None and self.review_order():
            return True
        return self._select_next(lambda row: row.caption_state is ReviewState.DRAFT,
                                 self.tr("No photo after this one needs review in this view"))

    @Slot()
    def advance(self) -> bool:
        """After a review's "and next": the next photo whose description needs review; reviewing alt text
        or extended descriptions, whose state the grid does not hold, the next readable photo."""
        if self.detail.review_box.kind is CaptionKind.DESCRIPTION:
            return self.select_next_needing_review()
        return self._select_next(lambda _row: True, self.tr("This is the last readable photo in this view"))

    def _select_next(self, wanted: Callable[[PhotoRow], bool], none_left: str) -> bool:
        rows = self.model.rows()
        current = self.grid.currentIndex().row() if self.grid.currentIndex().isValid() else -1
        for number in range(current + 1, len(rows)):
            row = rows[number]
            if wanted(row) and row.status is PhotoStatus.OK:  # others: read-only
                self._select_row(number)
                return True
        self.status.emit(none_left)
        return False

    def select_photo(self, photo_id: int) -> bool:
        """Make the listed photo ``photo_id`` the current one; False when it is not listed."""
        number = self.model.row_number(photo_id)
        if number is None:
            return False
        self._select_row(number)
        return True

    @Slot(int)
    def select_neighbour(self, step: int) -> None:
        """Move to the previous (-1) or next (+1) photo in the grid."""
        current = self.grid.currentIndex().row() if self.grid.currentIndex().isValid() else -1
        number = min(max(current + step, 0), self.model.rowCount() - 1)
        if number >= 0 and number != current:
            self._select_row(number)

    # -- the listing -----------------------------------------------------------------------------

    @Slot(bool, bool)
    def load_photos(self, keep_selection: bool, merge: bool = False) -> None:
        """List the photos again (the old rows stay until the new ones arrive). ``keep_selection``: the
        current photo stays current if listed; ``merge``: the rows shown morph into the new ones
        instead of being replaced, so the grid keeps its place and the selection."""
        library_id = self.libraries.selected_id()
        self._reselect = self.selected_row().id if keep_selection and self.selected_row() else None
        if library_id is None:
            self._request = 0  # no request has id 0: answers to earlier ones are dropped
            self._complete = True
            self.model.set_rows([])
            self.detail.clear(self.tr(NO_LIBRARY_TEXT))
            self._update_header()
            return
        listing = self.search.listing()
        if listing is None:
            # A search by meaning alone runs: its answer lists again; until then the rows shown stay.
            self._request = 0
            self._complete = True
            self._update_header()
            return
        self._listed = listing
        self._merge, self._provisional = merge, self.search.provisional()
        self._complete = False
        self._first_chunk = True
        self._request = self.backend.load_photos(self.photo_query())
        self._update_header()

    @Slot(object)
    def _on_libraries_loaded(self, libraries: list[LibrarySummary]) -> None:
        first, self._first_libraries = self._first_libraries, False
        if first and not libraries and self.offer_sample:
            self.sample_wanted.emit()
        previous = self.libraries.selected_id()
        wanted, self._wanted_library = self._wanted_library, None
        self.libraries.set_libraries(libraries, select=wanted)
        for library in libraries:
            self.backend.load_folders(library.id)
        self.backend.load_captioners()
        if self.libraries.selected_id() == previous and (self._stale or not libraries):
            self.load_photos(keep_selection=True)
        self._stale = False
        self._update_header()

    @Slot(object)
    def _on_captioners_loaded(self, captioner_ids: list[str]) -> None:
        if self.header.set_captioners(captioner_ids):
            self.load_photos(keep_selection=True)  # the captioner filtered on has no captions now

    @Slot(object, object)
    def _on_location_selected(self, _library_id: int | None, _folder: str | None) -> None:
        self.search.location_changed()  # its filters changed: the ranking too
        self.load_photos(keep_selection=False)

    @Slot(int, object, bool)
    def _on_photos_loaded(self, request_id: int, rows: list[PhotoRow], last: bool) -> None:
        if request_id != self._request:
            return
        offset = 0
        merged = False
        if self._first_chunk:
            self._first_chunk = False
            if self._provisional and last and not rows and self.model.rowCount():
                pass  # no caption holds the words; the meaning may: the rows shown stay until it answers
            elif self._merge and last and rows and 0 < self.model.rowCount() <= MERGE_ROWS_LIMIT:
                self.model.merge_rows(rows)  # a search's few hundred rows; a long listing is replaced
                merged = True
            else:
                self.model.set_rows(rows)
        else:
            offset = self.model.rowCount()
            self.model.append_rows(rows)
        if self._reselect is not None:
            found = next((number for number, row in enumerate(rows) if row.id == self._reselect), None)
            if found is not None:
                self._reselect = None
                current = self.selected_row()
                if not (merged and current is not None and current.id == rows[found].id):
                    self._select_row(offset + found)  # merged: it is current and selected still, in place
        if merged and self._reselect is not None:  # the current photo is not listed now: the first is
            self._reselect = None
            self._select_row(0)
        if last:
            self._complete = True
            if not self.selected_row():
                self._reselect = None
                if self.model.rowCount():
                    self._select_row(0)
                else:
                    self.detail.clear(self.tr(NOTHING_SHOWN_TEXT))
        elif self._reselect is None and not self.selected_row() and self.model.rowCount():
            self._select_row(0)
        if last and self.search.text() and not self.search.busy():
            found = wording.photos(self.model.rowCount())
            announce(self.grid, self.tr("{photos} found").format(photos=found))
        self._update_header()

    def _select_row(self, number: int) -> None:
        """Make row ``number`` the current photo, the only one selected (whatever keys the editor still
        holds), and so the one the detail pane shows (currentChanged)."""
        index = self.model.index(number)
        self.grid.make_current(index)
        self.grid.scrollTo(index)
        row = self.model.rows()[number]
        if row.id != self._announced:  # a move the app made (next photo): the grid's focus does not say it
            self._announced = row.id
            total = wording.number(self.model.rowCount())
            announce(self.grid, self.tr("{name}, photo {number} of {total}").format(
                name=row.name, number=wording.number(number + 1), total=total))

    def _update_header(self) -> None:
        library = self.libraries.library(self.libraries.selected_id())
        header = self.header
        searching, listing = self.search.busy(), not self._complete
        header.show_busy(searching or listing)
        if library is None:
            header.library_title.setText(self.tr("No library") if not self.libraries.libraries() else "")
            header.photo_count.setText("")
            self.title_changed.emit("")
            return
        folder = self.libraries.selected_folder()
        title = f"{library.name} / {display_path(folder)}" if folder else library.name
        header.library_title.setText(title)
        self.title_changed.emit(title)
        shown = self.model.rowCount()
        query = self.photo_query()
        if listing and not shown:
            count = self.tr("Loading…")
        elif query.review is None and query.captioner is None and query.text is None and not folder \
                and not query.keyword_terms and query.keyword_state is None:
            count = wording.photos(shown)
        else:
            count = self.tr("{shown} of {photos}").format(shown=wording.number(shown),
                                                          photos=wording.photos(library.photos))
        problems = []
        term, state = self.keyword_filter
        if term is not None:
            problems.append(self.tr("keyword “{keyword}”").format(keyword=term[1]) if state is None else
                            self.tr("keyword “{keyword}”, {state}").format(keyword=term[1],
                                                                          state=state_words(state)))
        elif state is not None:
            problems.append(self.tr("keywords {state}").format(state=state_words(state)))
        if library.errors:
            problems.append(self.tr("{count} cannot be read").format(count=wording.number(library.errors)))
        if library.missing:
            problems.append(self.tr("{count} missing").format(count=wording.number(library.missing)))
        if searching:  # the rows shown are the words' matches, or what was shown before the search
            problems.append(self.tr("searching by meaning…"))
        elif listing and shown:
            problems.append(self.tr("updating…"))
        header.photo_count.setText(" · ".join([count, *problems]))

    # -- the current photo -----------------------------------------------------------------------

    @Slot(int, object)
    def on_photo_changed(self, _photo_id: int, details: dict[str, Any]) -> None:
        """A caption of a photo changed (a review, an edit): repaint its cell and, if shown, its details."""
        number = self.model.row_number(details["id"])
        if number is not None:
            old = self.model.rows()[number]
            # The grid shows descriptions: the photo's alt text has a current caption of its own.
            current = next((caption for caption in details["captions"] if caption["current"]
                            and caption.get("kind", CaptionKind.DESCRIPTION.value)
                            == CaptionKind.DESCRIPTION.value), None)
            self.model.update_row(replace(
                old,
                caption=current["text"] if current else None,
                caption_state=ReviewState(current["state"]) if current else None,
                caption_origin=CaptionOrigin(current["origin"]) if current else None,
                captioner_id=current["captioner"] if current else None,
                confidence=current["confidence"] if current else None,
                flagged=bool(current and current.get("flags") and current["state"] == "draft"),
            ))
        row = self.selected_row()
        if row is not None and row.id == details["id"] and not self.detail.is_editing():
            self.detail.show_photo(details)

    def on_changed_elsewhere(self, photo_ids: frozenset[int], *, everything: bool = False) -> None:
        """Captions or keywords of ``photo_ids`` changed (another editor, a captioning machine): their grid
        rows in view and, unless the editor is typing, the pane show them as they are now; listed rows out
        of view, or ``everything``: the grid lists its photos again a little later, keeping its place."""
        rows = self.model.rows()
        in_view = {rows[number].id for number in self.grid.visible_rows()}
        listed = [photo_id for photo_id in photo_ids if self.model.row_number(photo_id) is not None]
        shown = [photo_id for photo_id in listed if photo_id in in_view][:REFRESH_ROWS_LIMIT]
        if (everything or len(shown) < len(listed)) and not self._relist.isActive():
            self._relist.start()
        row = self.selected_row()
        if row is not None and (everything or row.id in photo_ids) and row.id not in shown:
            shown.append(row.id)
        for photo_id in shown:
            request = self.backend.load_photo(photo_id)
            self._refreshes.add(request)
            if row is not None and photo_id == row.id:
                self._detail_request = request

    @Slot(object)
    def on_caption_stored(self, item: ItemDone) -> None:
        """A job stored a caption: the grid shows the new draft at once, the pane reloads if it shows it."""
        number = self.model.row_number(item.photo_id)
        if number is not None and item.is_current and self._writes_descriptions(item.captioner_id):
            self.model.update_row(replace(
                self.model.rows()[number], caption=item.result.text, caption_state=ReviewState.DRAFT,
                caption_origin=CaptionOrigin.AI, captioner_id=item.captioner_id,
                confidence=item.result.confidence, flagged=item.flagged))
        row = self.selected_row()
        if row is not None and row.id == item.photo_id and not self.detail.is_editing():
            self._detail_request = self.backend.load_photo(row.id)

    @Slot()
    def _on_photo_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            self.previews.cancel()
            return
        self.detail.show_loading(row.name)
        self._detail_request = self.backend.load_photo(row.id)
        if row.status is PhotoStatus.OK:
            self.previews.request(row.path)
        else:
            self.previews.cancel()

    @Slot(int, object)
    def _on_photo_loaded(self, request_id: int, details: dict[str, Any]) -> None:
        if request_id in self._refreshes:  # changed elsewhere: as after a review (never over typed text)
            self._refreshes.discard(request_id)
            self.on_photo_changed(details["id"], details)
        elif request_id == self._detail_request:
            self.detail.show_photo(details)

    @Slot(int, QImage, str)
    def _on_preview(self, request_id: int, image: QImage, reason: str) -> None:
        if self.previews.accept(request_id):
            self.detail.show_preview(image, reason)
