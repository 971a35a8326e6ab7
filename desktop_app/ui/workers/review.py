"""The review worker: every caption change an editor makes (edit, approve, reject, revert, undo, redo,
the unsaved text saved while typing) is written on its own QThread ("review"), never on the GUI thread.

The window and the detail pane talk to ``ReviewService`` only: its methods emit queued signals and
return at once; after each write the worker sends the photo's fresh details (``photo_json``) back as
``changed``. Requests run in the order they were made, so an undo asked for before its change has been
written still applies to it.

Undo and redo: each change is a command on ``ReviewService.undo_stack``. Revisions are append-only,
so undoing a change writes a new revision that brings the caption back to how it was before (text,
review state, origin, the model's token scores), and redoing writes one that brings the change back.
The worker keeps those before/after snapshots; the GUI keeps only the command.

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
from dataclasses import dataclass
from itertools import count
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue, captions
from desktop_app.catalogue.caption_rules import BasedOn, CaptionConflict, CaptionError
from desktop_app.catalogue.captions import CaptionSnapshot
from desktop_app.catalogue.models import Caption, Photo, ReviewState
from desktop_app.catalogue.photos import PhotoNotFoundError, photo_json, photo_with_history
from desktop_app.errors import one_line

log = logging.getLogger(__name__)

EDIT, APPROVE, REJECT, REVERT, CHOOSE = "edit", "approve", "reject", "revert", "choose"
UNDO_LIMIT = 500  # changes that can be undone; the worker forgets the snapshots of older ones


@dataclass(frozen=True)
class _Done:
    """What a change did, kept by the worker for its undo and redo."""

    photo_id: int
    caption_id: int
    before: CaptionSnapshot | None  # None: the change created the photo's first caption
    after: CaptionSnapshot
    replaced: int | None = None  # a choice of current caption: the one current before (undo brings it back)
    revision: int | None = None  # the caption's revision the change left: what its undo is based on


class ReviewWorker(QObject):
    changed = Signal(int, object)  # photo id, photo_json() of the photo after a write
    finished = Signal(int, int, bool)  # request token, photo id, whether it was written
    failed = Signal(str)  # one line for the user
    conflict = Signal(int, str, object)  # photo id, the one line (the caption changed since), kept caption id
    recovered = Signal(object)  # [photo id]: unsaved edits a crash left, committed at open

    def __init__(self) -> None:
        super().__init__()
        self.catalogue: Catalogue | None = None
        self._done: dict[int, _Done] = {}  # request token -> what it changed
        # This editor's own writes: (caption id, revision before) -> revision after, and (photo id,
        # current caption id or None, its revision) -> the current caption and revision after. A change
        # the pane based on what it showed before its own earlier change was written is based on that
        # change's result: the editor's own changes never conflict with each other, anyone else's do.
        self._moved: dict[tuple[int, int], int] = {}
        self._replaced: dict[tuple[int, int | None, int], tuple[int, int]] = {}

    @Slot(object)
    def open(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._done.clear()
        self._moved.clear()
        self._replaced.clear()
        try:
            with catalogue.write() as session:
                photo_ids = captions.recover_unsaved_edits(session)
        except Exception as exc:
            self._report("cannot recover unsaved caption edits", exc)
            return
        if photo_ids:
            log.info("recovered unsaved caption edits of %d photos", len(photo_ids))
            self.recovered.emit(photo_ids)
            for photo_id in photo_ids:
                self._send_details(photo_id)

    @Slot(int, int, object)
    def apply(self, token: int, photo_id: int, change: dict[str, Any]) -> None:
        """One change: {"action": edit|approve|reject|revert|choose, "text": str | None, "caption_id",
        "revision": for a revert, "based_on": the BasedOn the pane showed, or None}. A given text is saved
        first (approve and reject of edited text)."""
        def write(session: Session) -> None:
            photo = self._photo(session, photo_id)
            author = captions.default_author()
            action, text, based_on = change["action"], change.get("text"), change.get("based_on")
            based_on = self._rebase(photo_id, based_on, current=action not in (CHOOSE, REVERT))
            if action == CHOOSE:
                previous = captions.current_caption(session, photo_id)
                caption = captions.choose_caption(session, photo, change["caption_id"], author=author,
                                                  based_on=based_on)
                snapshot = CaptionSnapshot.of(caption)
                self._done[token] = _Done(photo_id, caption.id, snapshot, snapshot,
                                          replaced=previous.id if previous is not None else None)
                return
            target = (session.get(Caption, change["caption_id"]) if action == REVERT
                      else captions.current_caption(session, photo_id))
            before = CaptionSnapshot.of(target) if target is not None else None
            if action == REVERT:
                if target is None:
                    raise CaptionError(f"caption {change['caption_id']} no longer exists")
                caption = captions.revert_caption(session, target, change["revision"], author=author,
                                                  based_on=based_on)
            elif text is not None and text.strip():
                caption = captions.edit_caption(session, photo, text, author=author,
                                                approve=action == APPROVE, based_on=based_on)
                if action == REJECT:  # of the text just written: no other base
                    caption = captions.set_review_state(session, photo, ReviewState.REJECTED, author=author)
            elif action == EDIT:
                raise CaptionError("caption text is empty")
            else:
                state = ReviewState.APPROVED if action == APPROVE else ReviewState.REJECTED
                caption = captions.set_review_state(session, photo, state, author=author, based_on=based_on)
            captions.drop_unsaved_edit(session, photo_id)  # committed, or superseded by this change
            self._done[token] = _Done(photo_id, caption.id, before, CaptionSnapshot.of(caption),
                                      revision=caption.revision)
            while len(self._done) > UNDO_LIMIT:
                del self._done[next(iter(self._done))]

        self._write(token, photo_id, write, f"cannot {change['action']} the caption")

    @Slot(int, int, str)
    def undo(self, undo_token: int, token: int, label: str) -> None:
        self._restore(undo_token, token, undo=True, label=label)

    @Slot(int, int, str)
    def redo(self, redo_token: int, token: int, label: str) -> None:
        self._restore(redo_token, token, undo=False, label=label)

    @Slot(int, str, object)
    def save_unsaved(self, photo_id: int, text: str, based_on: BasedOn | None) -> None:
        """The text being typed, kept until it is committed or dropped (no `changed`: nothing shown moves)."""
        if self.catalogue is None:
            return
        try:
            with self.catalogue.write() as session:
                captions.save_unsaved_edit(session, photo_id, text, author=captions.default_author(),
                                           based_on=based_on)
        except Exception as exc:
            self._report("cannot save the caption being edited", exc)

    @Slot(int)
    def drop_unsaved(self, photo_id: int) -> None:
        if self.catalogue is None:
            return
        try:
            with self.catalogue.write() as session:
                captions.drop_unsaved_edit(session, photo_id)
        except Exception as exc:
            self._report("cannot drop the unsaved edit", exc)

    @Slot()
    def shutdown(self) -> None:
        # Quit from here, not from the GUI thread, so the writes queued before this one are all done.
        self.thread().quit()

    # -- helpers ---------------------------------------------------------------------------------------

    def _restore(self, token: int, done_token: int, *, undo: bool, label: str) -> None:
        done = self._done.get(done_token)
        if done is None:
            self.finished.emit(token, 0, False)  # the change itself failed: nothing to bring back
            return
        if undo and done.before is None:
            self.failed.emit("cannot undo adding a caption: edit or reject it instead")
            self.finished.emit(token, done.photo_id, False)
            return
        snapshot = done.before if undo else done.after
        assert snapshot is not None
        note = f"{'undo' if undo else 'redo'}: {label.lower()}"

        def write(session: Session) -> None:
            author = captions.default_author()
            if done.replaced is not None:  # a choice of current caption: choose the other one again
                chosen = done.replaced if undo else done.caption_id
                captions.choose_caption(session, self._photo(session, done.photo_id), chosen, author=author)
                return
            # Based on what the change left, moved on by this editor's later changes: an undo or redo
            # of a caption someone else changed since (a job regenerated a rejected draft) is refused.
            based_on = (self._rebase(done.photo_id, BasedOn(done.caption_id, done.revision), current=False)
                        if done.revision is not None else None)
            captions.restore_caption(session, done.caption_id, snapshot, author=author, note=note,
                                     based_on=based_on)

        self._write(token, done.photo_id, write, f"cannot {'undo' if undo else 'redo'} {label.lower()}")

    def _write(self, token: int, photo_id: int, write: Callable[[Session], None], what: str) -> None:
        if self.catalogue is None:
            self.failed.emit("no catalogue is open")
            self.finished.emit(token, photo_id, False)
            return
        try:
            with captions.review_session(self.catalogue) as session:
                before = self._revisions(session, photo_id)
                write(session)
                session.flush()
                after = self._revisions(session, photo_id)
        except CaptionConflict as exc:
            # Refused: the photo's fresh details show what changed (and the editor's text kept beside).
            log.info("%s: %s", what, exc)
            self.conflict.emit(photo_id, str(exc), exc.kept_caption_id)
            self.failed.emit(f"{what}: {exc}")
            self._send_details(photo_id)
            self.finished.emit(token, photo_id, False)
            return
        except Exception as exc:
            self._report(what, exc)
            self.finished.emit(token, photo_id, False)
            return
        self._remember(photo_id, before, after)
        self._send_details(photo_id)
        self.finished.emit(token, photo_id, True)

    @staticmethod
    def _revisions(session: Session, photo_id: int) -> tuple[dict[int, int], int | None]:
        """The photo's captions' revisions, and which is current."""
        rows = session.execute(select(Caption.id, Caption.revision, Caption.is_current)
                               .where(Caption.photo_id == photo_id)).all()
        return {row.id: row.revision for row in rows}, next((row.id for row in rows if row.is_current), None)

    def _remember(self, photo_id: int, before: tuple[dict[int, int], int | None],
                  after: tuple[dict[int, int], int | None]) -> None:
        (old, old_current), (new, new_current) = before, after
        for caption_id, revision in new.items():
            if caption_id in old and old[caption_id] != revision:
                self._moved[(caption_id, old[caption_id])] = revision
        if new_current is not None and (old_current != new_current
                                        or old.get(new_current) != new.get(new_current)):
            key = (photo_id, old_current, old.get(old_current, 0) if old_current is not None else 0)
            self._replaced[key] = (new_current, new[new_current])
        for memory in (self._moved, self._replaced):
            while len(memory) > UNDO_LIMIT:
                del memory[next(iter(memory))]

    def _rebase(self, photo_id: int, based_on: BasedOn | None, *, current: bool) -> BasedOn | None:
        """``based_on`` moved past this editor's own later writes (see ``_moved``)."""
        if based_on is None:
            return None
        caption_id, revision = based_on.caption_id, based_on.revision
        for _step in range(UNDO_LIMIT):
            if current and (photo_id, caption_id, revision) in self._replaced:
                caption_id, revision = self._replaced[(photo_id, caption_id, revision)]
            elif caption_id is not None and (caption_id, revision) in self._moved:
                revision = self._moved[(caption_id, revision)]
            else:
                break
        return BasedOn(caption_id, revision)

    def _send_details(self, photo_id: int) -> None:
        assert self.catalogue is not None
        try:
            with self.catalogue.read() as session:
                details = photo_json(photo_with_history(session, photo_id))
        except Exception as exc:
            self._report("cannot read the photo", exc)
            return
        self.changed.emit(photo_id, details)

    @staticmethod
    def _photo(session: Session, photo_id: int) -> Photo:
        photo = session.get(Photo, photo_id)
        if photo is None:
            raise PhotoNotFoundError(f"no photo with id {photo_id}")
        return photo

    def _report(self, what: str, exc: Exception) -> None:
        log.warning("%s: %s", what, one_line(exc))
        self.failed.emit(f"{what}: {one_line(exc)}")


class _ChangeCommand(QUndoCommand):
    """One catalogue change on the undo stack; the worker holds its before/after snapshots."""

    def __init__(self, service: ReviewService, token: int, photo_id: int, change: dict[str, Any],
                 label: str) -> None:
        super().__init__(label)
        self.service, self.token, self.photo_id, self.change = service, token, photo_id, change
        self._applied = False

    def redo(self) -> None:
        if not self._applied:  # QUndoStack.push runs redo(): the change itself
            self._applied = True
            self.service._apply_requested.emit(self.token, self.photo_id, self.change)
        else:
            self.service._redo_requested.emit(self.service._token(), self.token, self.text())

    def undo(self) -> None:
        self.service._undo_requested.emit(self.service._token(), self.token, self.text())


class ReviewService(QObject):
    """The window's handle on the review worker and its thread, with the undo stack of caption changes.
    Its signals are the worker's, delivered on the GUI thread. Each change method returns the request's
    token, which ``finished`` carries back once the change is written (or failed)."""

    changed = Signal(int, object)  # photo id, photo_json() after a write: refresh the grid row and pane
    finished = Signal(int, int, bool)  # token, photo id, written
    failed = Signal(str)  # one line for the message bar
    conflict = Signal(int, str, object)  # photo id, why a change was refused, the caption keeping its text
    recovered = Signal(object)  # [photo id] whose unsaved edits a crash left (committed, noted)

    _open_requested = Signal(object)
    _apply_requested = Signal(int, int, object)
    _undo_requested = Signal(int, int, str)
    _redo_requested = Signal(int, int, str)
    _save_requested = Signal(int, str, object)
    _drop_requested = Signal(int)
    _shutdown_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tokens = count(1)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.thread = QThread(self)
        self.thread.setObjectName("review")
        self.worker = ReviewWorker()
        self.worker.moveToThread(self.thread)
        self.thread.finished.connect(self.worker.deleteLater)
        self._open_requested.connect(self.worker.open)
        self._apply_requested.connect(self.worker.apply)
        self._undo_requested.connect(self.worker.undo)
        self._redo_requested.connect(self.worker.redo)
        self._save_requested.connect(self.worker.save_unsaved)
        self._drop_requested.connect(self.worker.drop_unsaved)
        self._shutdown_requested.connect(self.worker.shutdown)
        for name in ("changed", "finished", "failed", "conflict", "recovered"):
            getattr(self.worker, name).connect(getattr(self, name))  # queued: listeners run on this thread
        self.thread.start()

    def open(self, catalogue: Catalogue) -> None:
        """Use ``catalogue``; unsaved edits a crash left there are committed (see ``recovered``)."""
        self.undo_stack.clear()  # its changes belong to the previous catalogue
        self._open_requested.emit(catalogue)

    # -- changes (undoable) -------------------------------------------------------------------------------

    # ``based_on``: the caption and revision the editor saw (the pane always says; see the module doc).

    def edit(self, photo_id: int, text: str, based_on: BasedOn | None = None) -> int:
        """Commit ``text`` as the photo's current caption (a draft again), dropping its unsaved edit."""
        return self._push(photo_id, {"action": EDIT, "text": text, "based_on": based_on}, "Edit caption")

    def approve(self, photo_id: int, text: str | None = None, based_on: BasedOn | None = None) -> int:
        """Approve the current caption; with ``text``, approve that text (saved as an edit)."""
        change = {"action": APPROVE, "text": text, "based_on": based_on}
        return self._push(photo_id, change, "Approve caption")

    def reject(self, photo_id: int, text: str | None = None, based_on: BasedOn | None = None) -> int:
        return self._push(photo_id, {"action": REJECT, "text": text, "based_on": based_on}, "Reject caption")

    def revert(self, photo_id: int, caption_id: int, revision: int, based_on: BasedOn | None = None) -> int:
        """Bring back revision ``revision``'s text of ``caption_id`` as a new draft revision."""
        change = {"action": REVERT, "caption_id": caption_id, "revision": revision, "based_on": based_on}
        return self._push(photo_id, change, f"Revert to revision {revision}")

    def choose(self, photo_id: int, caption_id: int, based_on: BasedOn | None = None) -> int:
        """Make ``caption_id`` the photo's current caption (say, a model's draft beside a person's)."""
        change = {"action": CHOOSE, "caption_id": caption_id, "based_on": based_on}
        return self._push(photo_id, change, "Use another caption")

    # -- the text being typed (not undoable: the editor's own undo covers typing) -------------------------

    def save_unsaved(self, photo_id: int, text: str, based_on: BasedOn | None = None) -> None:
        self._save_requested.emit(photo_id, text, based_on)

    def drop_unsaved(self, photo_id: int) -> None:
        self._drop_requested.emit(photo_id)

    def shutdown(self) -> None:
        """Finish the writes already asked for, then stop the thread."""
        if not self.thread.isRunning():
            return
        self._shutdown_requested.emit()
        self.thread.wait()

    def _push(self, photo_id: int, change: dict[str, Any], label: str) -> int:
        token = self._token()
        self.undo_stack.push(_ChangeCommand(self, token, photo_id, change, label))
        return token

    def _token(self) -> int:
        return next(self._tokens)
