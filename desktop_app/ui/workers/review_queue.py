"""The review queue's thread: the next photo in the "most useful first" order, the editor's claim on the
photo being reviewed, and whether a captioner has enough new approvals to suggest fine-tuning it
(services/review_queue.py, services/finetune.py). The order compares vectors and reads the catalogue:
never on the GUI thread. The queue keeps its vector index between calls."""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Signal

from desktop_app.catalogue import Catalogue
from desktop_app.services.finetune import fine_tune_suggestions
from desktop_app.services.review_queue import ReviewQueue, claim_owner
from desktop_app.ui.workers.threaded import Service, Worker, request


class ReviewQueueWorker(Worker):
    next_found = Signal(int, object)  # request id, the photo id to review next (None: none left)
    claimed = Signal(int, str)  # photo id, the editor holding it ("": this editor now)
    fine_tune_due = Signal(object)  # [FineTuneSuggestion]

    def __init__(self, editor: str | None = None) -> None:
        super().__init__()
        self.editor = editor
        self.owner = claim_owner(editor)
        self.queue: ReviewQueue | None = None

    @request(QT_TRANSLATE_NOOP("Worker", "cannot use the catalogue"))
    def open(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.queue = ReviewQueue(catalogue, self.owner)

    def _queue(self) -> ReviewQueue:
        if self.queue is None:
            self.queue = ReviewQueue(self.require_catalogue(), self.owner)
        return self.queue

    @request(QT_TRANSLATE_NOOP("Worker", "cannot find the next photo to review"))
    def next_photo(self, request_id: int, photo_ids: list[int], exclude: list[int]) -> None:
        """The most useful photo among ``photo_ids`` (the view's) but ``exclude``: ``next_found``."""
        entries = self._queue().entries(photo_ids=photo_ids, exclude=exclude, limit=1)
        self.next_found.emit(request_id, entries[0].photo_id if entries else None)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot find the next photo to review"))
    def prepare(self) -> None:
        """Load the vector index and the first distances ahead of the first Ctrl+Enter."""
        self._queue().entries(limit=1)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot claim photo {0} for review"))
    def claim(self, photo_id: int) -> None:
        holder = self._queue().claim(photo_id, self.editor)
        if holder:
            self._queue().release()  # another's photo: the editor left the one claimed before
        self.claimed.emit(photo_id, holder or "")

    @request(QT_TRANSLATE_NOOP("Worker", "cannot renew the review claim"))
    def renew(self) -> None:
        self._queue().renew()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot release the review claim"))
    def release(self, photo_id: int | None) -> None:
        self._queue().release(photo_id)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot count the approvals since the last fine-tune"))
    def check_fine_tune(self, after: int) -> None:
        self.fine_tune_due.emit(fine_tune_suggestions(self.require_catalogue(), after))

    def close(self) -> None:
        if self.queue is not None:
            with contextlib.suppress(Exception):  # a catalogue gone away: the claim lapses by itself
                self.queue.release()  # the window closes: nobody reviews here any more


class ReviewQueueService(Service):
    next_found = Signal(int, object)
    claimed = Signal(int, str)
    fine_tune_due = Signal(object)
    failed = Signal(str)

    def __init__(self, editor: str | None = None, parent: QObject | None = None) -> None:
        self.worker = ReviewQueueWorker(editor)
        super().__init__(self.worker, "review-queue", parent)
        self._request = 0

    def next_photo(self, photo_ids: list[int], exclude: list[int]) -> int:
        """Ask for the next photo to review; the answer's request id is the one returned."""
        self._request += 1
        self.call(self.worker.next_photo, self._request, photo_ids, exclude)
        return self._request

    def prepare(self) -> None:
        self.call(self.worker.prepare)

    def claim(self, photo_id: int) -> None:
        self.call(self.worker.claim, photo_id)

    def renew(self) -> None:
        self.call(self.worker.renew)

    def release(self, photo_id: int | None = None) -> None:
        self.call(self.worker.release, photo_id)

    def check_fine_tune(self, after: int) -> None:
        self.call(self.worker.check_fine_tune, after)
