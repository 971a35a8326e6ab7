"""A person's review actions on captions (edit, approve, reject, revert, choose), their undo and redo, and
the text being typed (unsaved edits): written once for the command line, the app's review worker and
later an HTTP API. Qt-free: the app's worker runs a :class:`Reviewer` on its thread.

Every action follows the review contract of catalogue/captions.py: it may carry the caption and revision
it was based on (``BasedOn``); a caption changed since is refused with a CaptionConflict naming who
changed it, when and how, and a refused edit's text is kept beside the current caption
(``CaptionConflict.kept_caption_id``), never lost.

Undo and redo: revisions are append-only, so undoing a change writes a new revision that brings the
caption back to how it was before (text, review state, origin, the model's token scores), and redoing
writes one that brings the change back. The :class:`Reviewer` keeps those before/after snapshots under
the key its caller gave the change.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue, captions, outcomes
from desktop_app.catalogue.caption_rules import BasedOn, CaptionError, default_author
from desktop_app.catalogue.captions import CaptionSnapshot
from desktop_app.catalogue.locking import lock_photo
from desktop_app.catalogue.models import Caption, CaptionKind, Photo, ReviewState
from desktop_app.catalogue.photos import PhotoNotFoundError, absolute_path, find_photo
from desktop_app.services.flags import approval_note

EDIT, APPROVE, REJECT, REVERT, CHOOSE = "edit", "approve", "reject", "revert", "choose"
ACTIONS = (EDIT, APPROVE, REJECT, REVERT, CHOOSE)
UNDO_LIMIT = 500  # changes that can be undone; the snapshots of older ones are forgotten


@dataclass(frozen=True)
class Change:
    """One review action. ``text``: a new text (edit; approve or reject of edited text). ``caption_id``:
    the caption to choose, or to revert (None: the photo's current one). ``revision``: the revision a
    revert brings back. ``based_on``: the caption and revision the person saw, or None. ``kind``: which
    of the photo's current captions the action is about (a chosen or reverted caption keeps its own)."""

    action: str
    text: str | None = None
    caption_id: int | None = None
    revision: int | None = None
    based_on: BasedOn | None = None
    kind: CaptionKind = CaptionKind.DESCRIPTION
    # Seconds from the photo shown to this decision, when the front end measured it (the app does):
    # stored with the outcome of an approve or reject (catalogue/outcomes.py).
    review_seconds: float | None = None
    # An approval of a flagged caption (catalogue/flags.py) is refused (FlagsNotConfirmed) until the
    # editor confirms its flags, once per flagged text; the reason goes into the approval's note.
    confirm_flags: bool = False
    flags_reason: str | None = None


def apply_change(session: Session, photo: Photo, change: Change, *, author: str) -> Caption:
    """Write ``change`` to ``photo`` and return the caption it left; CaptionConflict when it was based
    on a revision that is no longer the newest (run it in ``captions.review_session``, which keeps a
    refused text), CaptionError for an action that cannot be done."""
    caption = _apply(session, photo, change, author=author)
    if change.review_seconds is not None and change.action in (APPROVE, REJECT):
        outcomes.set_review_time(session, caption, change.review_seconds)
    return caption


def _apply(session: Session, photo: Photo, change: Change, *, author: str) -> Caption:
    action, text, based_on, kind = change.action, change.text, change.based_on, change.kind
    if action == CHOOSE:
        if change.caption_id is None:
            raise CaptionError("choose needs the caption to make current")
        return captions.choose_caption(session, photo, change.caption_id, author=author, based_on=based_on)
    if action == REVERT:
        if change.revision is None:
            raise CaptionError("revert needs the revision to bring back")
        target = (session.get(Caption, change.caption_id) if change.caption_id is not None
                  else captions.current_caption(session, photo.id, kind))
        if target is None:
            raise CaptionError(f"caption {change.caption_id} no longer exists" if change.caption_id
                               is not None else f"photo {photo.id} has no caption to revert")
        if change.caption_id is None and based_on is not None and based_on.caption_id != target.id:
            # refused: another caption is current
            captions.check_current(session, photo, target, based_on, kind=kind)
        return captions.revert_caption(session, target, change.revision, author=author, based_on=based_on)
    if action not in ACTIONS:
        raise CaptionError(f"no review action {action!r}")
    note = None
    if action == APPROVE:  # a flagged text needs the editor's confirmation (services/flags.py)
        note = approval_note(session, captions.current_caption(session, photo.id, kind), text,
                             confirm=change.confirm_flags, reason=change.flags_reason)
    if text is not None and text.strip():
        caption = captions.edit_caption(session, photo, text, author=author, approve=action == APPROVE,
                                        based_on=based_on, kind=kind, note=note)
        if action == REJECT:  # of the text just written: no other base
            caption = captions.set_review_state(session, photo, ReviewState.REJECTED, author=author,
                                                kind=kind)
        return caption
    if action == EDIT:
        raise CaptionError("caption text is empty")
    state = ReviewState.APPROVED if action == APPROVE else ReviewState.REJECTED
    return captions.set_review_state(session, photo, state, author=author, based_on=based_on, kind=kind,
                                     note=note)


@dataclass(frozen=True)
class Reviewed:
    """What a command-line review action left: the photo's file and the caption it changed."""

    path: str
    caption_id: int
    state: ReviewState
    text: str
    kind: CaptionKind = CaptionKind.DESCRIPTION
    revision: int | None = None  # the caption's revision the action left (the HTTP API's new ETag)


def review(catalogue: Catalogue, photo_ref: str, change: Change, *, author: str | None = None,
           revision: int | None = None) -> Reviewed:
    """One action on the photo ``photo_ref`` names (a path or an id), as the command line does it.
    ``revision`` without ``change.based_on``: the revision the person saw of the caption the action is
    about (the one to choose, else the current one)."""
    with captions.review_session(catalogue) as session:
        photo = find_photo(session, photo_ref)
        if change.based_on is None and revision is not None:
            caption = (session.get(Caption, change.caption_id) if change.action == CHOOSE
                       else captions.current_caption(session, photo.id, change.kind))
            change = replace(change, based_on=BasedOn(caption.id if caption is not None else None, revision))
        caption = apply_change(session, photo, change, author=author or default_author())
        session.flush()
        return Reviewed(absolute_path(photo.library.root, photo.rel_path), caption.id, caption.state,
                        caption.text, caption.kind, caption.revision)


@dataclass(frozen=True)
class Done:
    """What a change did, kept for its undo and redo."""

    photo_id: int
    caption_id: int
    before: CaptionSnapshot | None  # None: the change created the photo's first caption
    after: CaptionSnapshot
    replaced: int | None = None  # a choice of current caption: the one current before (undo brings it back)
    revision: int | None = None  # the caption's revision the change left: what its undo is based on


class NothingToUndo(CaptionError):
    """An undo that cannot be done (the change added the photo's first caption); ``photo_id`` is its photo."""

    def __init__(self, message: str, photo_id: int) -> None:
        super().__init__(message)
        self.photo_id = photo_id


class Reviewer:
    """One editor's review actions on a catalogue, with their undo and redo. Not thread-safe: one
    thread (the app's review worker) calls it.

    The editor's own writes are remembered: a change based on what the editor saw before its own
    earlier change was written is based on that change's result, so the editor's own changes never
    conflict with each other; anyone else's do."""

    def __init__(self, catalogue: Catalogue, author: str | None = None) -> None:
        self.catalogue = catalogue
        self.author = author
        self._done: dict[Hashable, Done] = {}  # the caller's key of a change -> what it changed
        # (caption id, revision before) -> revision after; (photo id, kind, current caption id or None,
        # its revision) -> the current caption of that kind and its revision after.
        self._moved: dict[tuple[int, int], int] = {}
        self._replaced: dict[tuple[int, str, int | None, int], tuple[int, int]] = {}

    def recover(self) -> list[int]:
        """Commit the unsaved edits a crash left (as drafts noted "recovered", or beside the current
        caption when it changed since); returns their photos' ids."""
        with self.catalogue.write() as session:
            return captions.recover_unsaved_edits(session)

    def apply(self, key: Hashable, photo_id: int, change: Change) -> Caption:
        """Write ``change`` to the photo, remembered under ``key`` for :meth:`undo` and :meth:`redo`.
        The photo's unsaved edit goes: committed, or superseded by this change."""
        def write(session: Session) -> Caption:
            photo = _photo(session, photo_id)
            based_on = self._rebase(photo_id, change.based_on, current=change.action not in (CHOOSE, REVERT),
                                    kind=change.kind)
            moved = replace(change, based_on=based_on)
            if change.action == CHOOSE:
                chosen = session.get(Caption, change.caption_id) if change.caption_id is not None else None
                previous = captions.current_caption(session, photo_id, chosen.kind if chosen else change.kind)
                caption = apply_change(session, photo, moved, author=self._author())
                snapshot = CaptionSnapshot.of(caption)
                self._remember_done(key, Done(photo_id, caption.id, snapshot, snapshot,
                                              replaced=previous.id if previous is not None else None))
                return caption
            target = (session.get(Caption, change.caption_id) if change.action == REVERT
                      else captions.current_caption(session, photo_id, change.kind))
            before = CaptionSnapshot.of(target) if target is not None else None
            caption = apply_change(session, photo, moved, author=self._author())
            captions.drop_unsaved_edit(session, photo_id, caption.kind)
            self._remember_done(key, Done(photo_id, caption.id, before, CaptionSnapshot.of(caption),
                                          revision=caption.revision))
            return caption

        return self._write(photo_id, write)

    def undo(self, key: Hashable, label: str) -> int | None:
        """Bring the caption back to how it was before the change ``key``; its photo id, or None when
        that change was never written (it failed: nothing to bring back)."""
        return self._restore(key, undo=True, label=label)

    def redo(self, key: Hashable, label: str) -> int | None:
        """Write the change ``key`` again after its undo; its photo id, or None as for :meth:`undo`."""
        return self._restore(key, undo=False, label=label)

    def save_unsaved(self, photo_id: int, text: str, based_on: BasedOn | None = None,
                     kind: CaptionKind = CaptionKind.DESCRIPTION) -> None:
        """Keep the text being typed (into the caption of ``kind``) until it is committed or dropped."""
        with self.catalogue.write() as session:
            captions.save_unsaved_edit(session, photo_id, text, author=self._author(), based_on=based_on,
                                       kind=kind)

    def drop_unsaved(self, photo_id: int, kind: CaptionKind = CaptionKind.DESCRIPTION) -> None:
        with self.catalogue.write() as session:
            captions.drop_unsaved_edit(session, photo_id, kind)

    # -- helpers ---------------------------------------------------------------------------------------

    def _author(self) -> str:
        return self.author or default_author()

    def _remember_done(self, key: Hashable, done: Done) -> None:
        self._done[key] = done
        while len(self._done) > UNDO_LIMIT:
            del self._done[next(iter(self._done))]

    def _restore(self, key: Hashable, *, undo: bool, label: str) -> int | None:
        done = self._done.get(key)
        if done is None:
            return None
        if undo and done.before is None:
            raise NothingToUndo("cannot undo adding a caption: edit or reject it instead", done.photo_id)
        snapshot = done.before if undo else done.after
        assert snapshot is not None
        note = f"{'undo' if undo else 'redo'}: {label.lower()}"

        def write(session: Session) -> Caption:
            if done.replaced is not None:  # a choice of current caption: choose the other one again
                chosen = done.replaced if undo else done.caption_id
                return captions.choose_caption(session, _photo(session, done.photo_id), chosen,
                                               author=self._author())
            # Based on what the change left, moved on by this editor's later changes: an undo or redo
            # of a caption someone else changed since (a job regenerated a rejected draft) is refused.
            based_on = (self._rebase(done.photo_id, BasedOn(done.caption_id, done.revision), current=False,
                                     kind=CaptionKind.DESCRIPTION)
                        if done.revision is not None else None)
            return captions.restore_caption(session, done.caption_id, snapshot, author=self._author(),
                                            note=note, based_on=based_on)

        self._write(done.photo_id, write)
        return done.photo_id

    def _write(self, photo_id: int, write: Callable[[Session], Caption]) -> Caption:
        with captions.review_session(self.catalogue) as session:
            lock_photo(session, photo_id)  # what this editor's change moved is what it moved, not another's
            before = _revisions(session, photo_id)
            caption = write(session)
            session.flush()
            after = _revisions(session, photo_id)
        self._remember(photo_id, before, after)
        return caption

    def _remember(self, photo_id: int, before: tuple[dict[int, int], dict[str, int]],
                  after: tuple[dict[int, int], dict[str, int]]) -> None:
        (old, old_currents), (new, new_currents) = before, after
        for caption_id, revision in new.items():
            if caption_id in old and old[caption_id] != revision:
                self._moved[(caption_id, old[caption_id])] = revision
        for kind, new_current in new_currents.items():
            old_current = old_currents.get(kind)
            if old_current != new_current or old.get(new_current) != new.get(new_current):
                key = (photo_id, kind, old_current, old.get(old_current, 0) if old_current is not None else 0)
                self._replaced[key] = (new_current, new[new_current])
        for memory in (self._moved, self._replaced):
            while len(memory) > UNDO_LIMIT:
                del memory[next(iter(memory))]

    def _rebase(self, photo_id: int, based_on: BasedOn | None, *, current: bool,
                kind: CaptionKind) -> BasedOn | None:
        """``based_on`` moved past this editor's own later writes (see ``_moved``)."""
        if based_on is None:
            return None
        caption_id, revision = based_on.caption_id, based_on.revision
        for _step in range(UNDO_LIMIT):
            if current and (photo_id, kind.value, caption_id, revision) in self._replaced:
                caption_id, revision = self._replaced[(photo_id, kind.value, caption_id, revision)]
            elif caption_id is not None and (caption_id, revision) in self._moved:
                revision = self._moved[(caption_id, revision)]
            else:
                break
        return BasedOn(caption_id, revision)


def _revisions(session: Session, photo_id: int) -> tuple[dict[int, int], dict[str, int]]:
    """The photo's captions' revisions, and which is current of each kind."""
    rows = session.execute(select(Caption.id, Caption.revision, Caption.is_current, Caption.kind)
                           .where(Caption.photo_id == photo_id)).all()
    return ({row.id: row.revision for row in rows},
            {CaptionKind(row.kind).value: row.id for row in rows if row.is_current})


def _photo(session: Session, photo_id: int) -> Photo:
    photo = session.get(Photo, photo_id)
    if photo is None:
        raise PhotoNotFoundError(f"no photo with id {photo_id}")
    return photo

