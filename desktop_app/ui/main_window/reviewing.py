"""Reviewing with others: Ctrl+Enter's "next photo needing review" in the "most useful first" order
(Settings.review.order; the review queue answers on its thread), and the editor's claim on the photo
being reviewed, so that editors working the same order on a shared catalogue get different photos.

The claim rules: the photo shown in the detail pane is claimed while its caption awaits review; the claim
is renewed on activity (typing in it, a review action, and every minute while the window is active) and
released on leaving the photo or closing the window; without activity it lapses after 5 minutes
(catalogue/claims.py), so a laptop closed mid-review holds nothing for long.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.catalogue.models import PhotoStatus, ReviewState
from desktop_app.settings import Settings, load_settings
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.main_window.browsing import BrowseController
from desktop_app.ui.workers.review_queue import ReviewQueueService

MOST_USEFUL = "most-useful"
RENEW_EVERY_MS = 60_000  # while the window is active: well within the 5 minutes a claim lasts
RENEW_AFTER_S = 30.0  # activity renews at most this often (typing is many events)


class ReviewQueueController(WindowController):
    def __init__(self, service: ReviewQueueService, browse: BrowseController, window: QWidget,
                 activity: list[Callable[..., object]] | None = None) -> None:
        """``activity``: signals that mean the editor is working (connected to a renewal)."""
        super().__init__(window)
        self.service, self.browse, self.window = service, browse, window
        self.order = load_settings().review.order
        self.read_only = True  # until a catalogue the editor may change is open
        self._opened = False
        self._request = 0
        self._shown: set[int] = set()  # photos this order moved to: skipped ones come back only at the end
        self._claimed: int | None = None
        self._renewed = 0.0
        browse.review_order = self.ask_next
        browse.grid.selectionModel().currentChanged.connect(self._on_current_changed)
        service.next_found.connect(self._on_next_found)
        service.claimed.connect(self._on_claimed)
        service.failed.connect(self.error)
        for signal in activity or []:
            signal.connect(lambda *_args: self.active())  # type: ignore[attr-defined]
        self._timer = QTimer(self)
        self._timer.setInterval(RENEW_EVERY_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def open(self, catalogue: object, read_only: bool) -> None:
        self.read_only = read_only
        self._opened = True
        self._shown.clear()
        self._claimed = None
        self.service.open(catalogue)  # type: ignore[arg-type]
        if self.order == MOST_USEFUL:
            self.service.prepare()  # the vectors load on the queue's thread before the first Ctrl+Enter

    @Slot(object)
    def apply_settings(self, settings: Settings) -> None:
        if settings.review.order != self.order:
            self._shown.clear()
            if settings.review.order == MOST_USEFUL and self._opened:
                self.service.prepare()
        self.order = settings.review.order

    # -- the order ---------------------------------------------------------------------------------------

    def ask_next(self) -> bool:
        """In the "most useful first" order: ask the queue for the next photo of this view (answered on
        its thread; selected then) and return True; in the grid's order, False."""
        if self.order != MOST_USEFUL:
            return False
        rows = self.browse.model.rows()
        candidates = [row.id for row in rows
                      if row.caption_state is ReviewState.DRAFT and row.status is PhotoStatus.OK]
        current = self.browse.selected_row()
        exclude = self._shown | ({current.id} if current is not None else set())
        self._request = self.service.next_photo(candidates, sorted(exclude))
        return True

    @Slot(int, object)
    def _on_next_found(self, request_id: int, photo_id: int | None) -> None:
        if request_id != self._request:
            return  # asked again since
        if photo_id is None:
            if self._shown:
                self._shown.clear()  # every photo was shown once: the skipped ones come round again
                self.status.emit(self.tr("Every photo needing review in this view was shown once; Ctrl+Enter "
                                         "starts again with the most useful"))
            else:
                self.status.emit(self.tr("No other photo needs review in this view"))
            return
        self._shown.add(photo_id)
        self.browse.select_photo(photo_id)

    # -- claims ------------------------------------------------------------------------------------------

    @Slot()
    def _on_current_changed(self) -> None:
        row = self.browse.selected_row()
        wanted = (row.id if row is not None and row.caption_state is ReviewState.DRAFT
                  and row.status is PhotoStatus.OK and not self.read_only else None)
        if wanted == self._claimed:
            return
        if wanted is not None:
            self.service.claim(wanted)  # releases this editor's claim on the photo before
            self._renewed = time.monotonic()
        elif self._claimed is not None:
            self.service.release(self._claimed)
        self._claimed = wanted

    @Slot(int, str)
    def _on_claimed(self, photo_id: int, holder: str) -> None:
        if holder and photo_id == self._claimed:
            self._claimed = None  # someone else's: nothing of ours to renew or release
            self.status.emit(self.tr("{editor} is reviewing this photo").format(editor=holder))

    @Slot()
    def active(self) -> None:
        """The editor did something: keep the claim (at most every RENEW_AFTER_S)."""
        if self._claimed is not None and time.monotonic() - self._renewed >= RENEW_AFTER_S:
            self._renewed = time.monotonic()
            self.service.renew()

    def _tick(self) -> None:
        if self._claimed is not None and self.window.isActiveWindow():
            self._renewed = time.monotonic()
            self.service.renew()
