"""The review worker: every caption change an editor makes (edit, approve, reject, revert, undo, redo,
the unsaved text saved while typing) is written on its own QThread ("review"), never on the GUI thread,
by the review service (desktop_app/services/review.py), which the command line uses too.

The window and the detail pane talk to ``ReviewService`` only: its methods queue calls to the worker
(threaded.py) and return at once; after each write the worker sends the photo's fresh details
(``photo_json``) back as ``changed``. Requests run in the order they were made, so an undo asked for
before its change has been written still applies to it.

Undo and redo: each change is a command on ``ReviewService.undo_stack``. Revisions are append-only,
so undoing a change writes a new revision that brings the caption back to how it was before (text,
review state, origin, the model's token scores), and redoing writes one that brings the change back.
The worker's Reviewer keeps those before/after snapshots; the GUI keeps only the command.

The review contract (catalogue/captions.py): every change carries the caption and revision the pane
showed (``BasedOn``). A change to a caption that changed since (a job regenerated it, another editor
approved it) is refused: ``conflict`` carries the one line saying who changed it, when and how, and the
photo's fresh details follow, showing both texts; a refused edit's text is kept as another caption
of the photo, with a Use This Caption button.

Crash safety: the text being typed is saved as the photo's *unsaved edit* (a row of its own, see
``captions.save_unsaved_edit``) and committed as an edit revision when the editor moves on. Unsaved
edits left behind by a crash are committed at the next ``open`` as draft edits noted "recovered"
(``recovered`` lists their photos), so what a person typed is never lost and the text it replaced
stays one revert away.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import count

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.caption_rules import BasedOn, CaptionConflict
from desktop_app.catalogue.models import CaptionKind
from desktop_app.catalogue.photos import photo_json, photo_with_history
from desktop_app.services.review import (
    APPROVE,
    CHOOSE,
    EDIT,
    REJECT,
    REVERT,
    UNDO_LIMIT,
    Change,
    NothingToUndo,
    Reviewer,
)
from desktop_app.ui.workers.threaded import Service, Worker, request

log = logging.getLogger(__name__)


class ReviewWorker(Worker):
    changed = Signal(int, object)  # photo id, photo_json() of the photo after a write
    finished = Signal(int, int, bool)  # request token, photo id, whether it was written
    conflict = Signal(int, str, object)  # photo id, the one line (the caption changed since), kept caption id
    recovered = Signal(object)  # [photo id]: unsaved edits a crash left, committed at open

    def __init__(self) -> None:
        super().__init__()
        self.reviewer: Reviewer | None = None

    @request(QT_TRANSLATE_NOOP("Worker", "cannot recover unsaved caption edits"))
    def open(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.reviewer = Reviewer(catalogue)  # a new editor: the undo history was the other catalogue's
        photo_ids = self.reviewer.recover()
        if photo_ids:
            log.info("recovered unsaved caption edits of %d photos", len(photo_ids))
            self.recovered.emit(photo_ids)
            for photo_id in photo_ids:
                self._send_details(photo_id)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot change the caption"))
    def apply(self, token: int, photo_id: int, change: Change) -> None:
        """One change, remembered under ``token`` for its undo and redo."""
        def write(reviewer: Reviewer) -> int:
            reviewer.apply(token, photo_id, change)
            return photo_id

        self._write(token, photo_id, write, self.tr(_FAILURES[change.action]))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot undo {2}"))
    def undo(self, undo_token: int, token: int, label: str) -> None:
        self._write(undo_token, None, lambda reviewer: reviewer.undo(token, label),
                    self.tr("cannot undo “{change}”").format(change=label))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot redo {2}"))
    def redo(self, redo_token: int, token: int, label: str) -> None:
        self._write(redo_token, None, lambda reviewer: reviewer.redo(token, label),
                    self.tr("cannot redo “{change}”").format(change=label))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot save the caption being edited"))
    def save_unsaved(self, photo_id: int, text: str, based_on: BasedOn | None, kind: CaptionKind) -> None:
        """The text being typed, kept until it is committed or dropped (no `changed`: nothing shown moves)."""
        if self.reviewer is not None:  # none yet: the pane shows no photo of this catalogue
            self.reviewer.save_unsaved(photo_id, text, based_on, kind=kind)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot drop the unsaved edit"))
    def drop_unsaved(self, photo_id: int, kind: CaptionKind) -> None:
        if self.reviewer is not None:
            self.reviewer.drop_unsaved(photo_id, kind=kind)

    # -- helpers ---------------------------------------------------------------------------------------

    def _reviewer(self) -> Reviewer:
        if self.reviewer is None:
            self.require_catalogue()  # says that none is open
        assert self.reviewer is not None
        return self.reviewer

    def _write(self, token: int, photo_id: int | None, write: Callable[[Reviewer], int | None],
               what: str) -> None:
        """Run ``write``, which returns the photo it wrote to (None: nothing to write, the change being
        undone having failed); ``finished`` answers whatever happens, after the photo's fresh details."""
        try:
            written = write(self._reviewer())
        except CaptionConflict as exc:
            # Refused: the photo's fresh details show what changed (and the editor's text kept beside).
            log.info("%s: %s", what, exc)
            photo_id = exc.photo_id if exc.photo_id is not None else photo_id or 0
            self.conflict.emit(photo_id, str(exc), exc.kept_caption_id)
            self.failed.emit(f"{what}: {exc}")
            self._send_details(photo_id)
            self.finished.emit(token, photo_id, False)
            return
        except NothingToUndo as exc:
            self.failed.emit(str(exc))
            self.finished.emit(token, exc.photo_id, False)
            return
        except Exception as exc:
            self.report(what, exc)
            self.finished.emit(token, photo_id or 0, False)
            return
        if written is None:
            self.finished.emit(token, 0, False)
            return
        self._send_details(written)
        self.finished.emit(token, written, True)

    def _send_details(self, photo_id: int) -> None:
        try:
            with self.require_catalogue().read() as session:
                details = photo_json(photo_with_history(session, photo_id))
        except Exception as exc:
            self.report(self.tr("cannot read the photo"), exc)
            return
        self.changed.emit(photo_id, details)


class _ChangeCommand(QUndoCommand):
    """One catalogue change on the undo stack; the worker's Reviewer holds its before/after snapshots."""

    def __init__(self, service: ReviewService, token: int, photo_id: int, change: Change) -> None:
        label = QCoreApplication.translate("ReviewService", _LABELS[change.action]).format(
            revision=change.revision)
        if change.kind is not CaptionKind.DESCRIPTION:  # "Approve caption: alt text"
            label = QCoreApplication.translate("ReviewService", "{change}: {kind}").format(
                change=label, kind=QCoreApplication.translate("ReviewService", _KINDS[change.kind]))
        super().__init__(label)
        self.service, self.token, self.photo_id, self.change = service, token, photo_id, change
        self._applied = False

    def redo(self) -> None:
        worker = self.service.worker
        if not self._applied:  # QUndoStack.push runs redo(): the change itself
            self._applied = True
            self.service.call(worker.apply, self.token, self.photo_id, self.change)
        else:
            self.service.call(worker.redo, self.service.token(), self.token, self.text())

    def undo(self) -> None:
        self.service.call(self.service.worker.undo, self.service.token(), self.token, self.text())


# The undo stack's names of the changes (Undo Approve caption), marked for lupdate.
_LABELS = {EDIT: QT_TRANSLATE_NOOP("ReviewService", "Edit caption"),
           APPROVE: QT_TRANSLATE_NOOP("ReviewService", "Approve caption"),
           REJECT: QT_TRANSLATE_NOOP("ReviewService", "Reject caption"),
           REVERT: QT_TRANSLATE_NOOP("ReviewService", "Revert to revision {revision}"),
           CHOOSE: QT_TRANSLATE_NOOP("ReviewService", "Use another caption")}
_KINDS = {CaptionKind.ALT_TEXT: QT_TRANSLATE_NOOP("ReviewService", "alt text"),
          CaptionKind.EXTENDED_DESCRIPTION: QT_TRANSLATE_NOOP("ReviewService", "extended description")}
_FAILURES = {EDIT: QT_TRANSLATE_NOOP("ReviewWorker", "cannot edit the caption"),
             APPROVE: QT_TRANSLATE_NOOP("ReviewWorker", "cannot approve the caption"),
             REJECT: QT_TRANSLATE_NOOP("ReviewWorker", "cannot reject the caption"),
             REVERT: QT_TRANSLATE_NOOP("ReviewWorker", "cannot revert the caption"),
             CHOOSE: QT_TRANSLATE_NOOP("ReviewWorker", "cannot choose the caption")}


class ReviewService(Service):
    """The window's handle on the review worker and its thread, with the undo stack of caption changes.
    Its signals are the worker's, delivered on the GUI thread. Each change method returns the request's
    token, which ``finished`` carries back once the change is written (or failed). ``shutdown`` finishes
    the writes already asked for."""

    changed = Signal(int, object)  # photo id, photo_json() after a write: refresh the grid row and pane
    finished = Signal(int, int, bool)  # token, photo id, written
    failed = Signal(str)  # one line for the message bar
    conflict = Signal(int, str, object)  # photo id, why a change was refused, the caption keeping its text
    recovered = Signal(object)  # [photo id] whose unsaved edits a crash left (committed, noted)

    def __init__(self, parent: QObject | None = None) -> None:
        worker = ReviewWorker()
        super().__init__(worker, "review", parent)
        self.worker = worker
        self._tokens = count(1)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)

    def open(self, catalogue: Catalogue) -> None:
        """Use ``catalogue``; unsaved edits a crash left there are committed (see ``recovered``)."""
        self.undo_stack.clear()  # its changes belong to the previous catalogue
        super().open(catalogue)

    # -- changes (undoable) -------------------------------------------------------------------------------

    # ``based_on``: the caption and revision the editor saw (the pane always says; see the module doc).

    def edit(self, photo_id: int, text: str, based_on: BasedOn | None = None,
             kind: CaptionKind = CaptionKind.DESCRIPTION) -> int:
        """Commit ``text`` as the photo's current caption of ``kind`` (a draft again), dropping its unsaved
        edit."""
        return self._push(photo_id, Change(EDIT, text=text, based_on=based_on, kind=kind))

    def approve(self, photo_id: int, text: str | None = None, based_on: BasedOn | None = None,
                kind: CaptionKind = CaptionKind.DESCRIPTION, *, confirm_flags: bool = False,
                flags_reason: str | None = None, review_seconds: float | None = None) -> int:
        """Approve the current caption of ``kind``; with ``text``, approve that text (saved as an edit).
        ``confirm_flags``: the editor confirmed its flags (``flags_reason`` kept in the note).
        ``review_seconds``: from the photo shown to this decision, stored with the draft's outcome."""
        return self._push(photo_id, Change(APPROVE, text=text, based_on=based_on, kind=kind,
                                           confirm_flags=confirm_flags, flags_reason=flags_reason,
                                           review_seconds=review_seconds))

    def reject(self, photo_id: int, text: str | None = None, based_on: BasedOn | None = None,
               kind: CaptionKind = CaptionKind.DESCRIPTION, review_seconds: float | None = None) -> int:
        return self._push(photo_id, Change(REJECT, text=text, based_on=based_on, kind=kind,
                                           review_seconds=review_seconds))

    def revert(self, photo_id: int, caption_id: int, revision: int, based_on: BasedOn | None = None,
               kind: CaptionKind = CaptionKind.DESCRIPTION) -> int:
        """Bring back revision ``revision``'s text of ``caption_id`` (a caption of ``kind``) as a new draft
        revision."""
        change = Change(REVERT, caption_id=caption_id, revision=revision, based_on=based_on, kind=kind)
        return self._push(photo_id, change)

    def choose(self, photo_id: int, caption_id: int, based_on: BasedOn | None = None,
               kind: CaptionKind = CaptionKind.DESCRIPTION) -> int:
        """Make ``caption_id`` (a caption of ``kind``) the photo's current one of its kind (say, a model's
        draft beside a person's)."""
        return self._push(photo_id, Change(CHOOSE, caption_id=caption_id, based_on=based_on, kind=kind))

    # -- the text being typed (not undoable: the editor's own undo covers typing) -------------------------

    def save_unsaved(self, photo_id: int, text: str, based_on: BasedOn | None = None,
                     kind: CaptionKind = CaptionKind.DESCRIPTION) -> None:
        self.call(self.worker.save_unsaved, photo_id, text, based_on, kind)

    def drop_unsaved(self, photo_id: int, kind: CaptionKind = CaptionKind.DESCRIPTION) -> None:
        self.call(self.worker.drop_unsaved, photo_id, kind)

    def kind_to_undo(self) -> CaptionKind | None:
        """The caption kind the next undo changes (None: nothing to undo)."""
        return self._kind_at(self.undo_stack.index() - 1)

    def kind_to_redo(self) -> CaptionKind | None:
        return self._kind_at(self.undo_stack.index())

    def _kind_at(self, index: int) -> CaptionKind | None:
        command = self.undo_stack.command(index) if 0 <= index < self.undo_stack.count() else None
        return command.change.kind if isinstance(command, _ChangeCommand) else None

    def token(self) -> int:
        """A new request token (each change, undo and redo has its own)."""
        return next(self._tokens)

    def _push(self, photo_id: int, change: Change) -> int:
        token = self.token()
        self.undo_stack.push(_ChangeCommand(self, token, photo_id, change))
        return token
