"""Caption changes, each recorded as a revision: the one way the CLI, the GUI and the worker change text.

The rules users rely on:
- every change (text or review state) appends a CaptionRevision; nothing is updated without one,
  and revisions are never modified or deleted;
- a revert is a new revision carrying the old text;
- a photo has at most one current caption of each kind (description, alt text, extended description;
  a partial unique index enforces it). Every function here acts on one kind, the description unless
  told; a caption's own kind goes with it (choose, revert, restore).

The review contract, for every front end (the app, the command line, later an HTTP API and other
editors on a shared catalogue):
- a caption's ``revision`` counter is the number of its newest revision. Every revision is numbered
  from it with a compare-and-set (UPDATE ... SET revision = revision + 1 WHERE id = ? AND revision = ?),
  so two writers can never give out the same number, whatever isolation the database offers; the one
  that loses the race gets a CaptionConflict (the unique (caption_id, number) constraint backs it up);
- a review action (edit, approve, reject, revert, choose) may carry the caption and revision it was
  based on (``BasedOn``: what the person saw). The app always sends it; on the command line it is
  optional. When that caption has changed since, or another caption has become current, the action is
  refused with a CaptionConflict saying who changed it, when and how;
- nothing is lost: a refused edit's text is kept as a new, non-current human draft caption of the photo
  (noted "kept after a conflict"), beside the current one, for the editor to choose. Run review actions
  in ``review_session`` for that: the refused transaction is rolled back and the text is kept in one of
  its own. An unsaved edit recovered after a crash whose base is stale is kept beside the same way;
- it holds between processes and machines on a shared PostgreSQL catalogue too: every change first
  takes the photo's write lock (locking.lock_photo) and reads after it, so which caption is current,
  a photo's first caption and its unsaved edit are decided by one writer at a time; a writer that lost
  the compare-and-set anyway (an object kept from before its lock) is refused like any stale edit, its
  text kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from desktop_app.catalogue import flags, outcomes
from desktop_app.catalogue.caption_rules import (
    KEPT_NOTE,
    MAX_CAPTION_CHARS,
    BasedOn,
    CaptionConflict,
    CaptionError,
    check_length,
    default_author,
)
from desktop_app.catalogue.locking import lock_photo, lock_photos
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    CaptionOrigin,
    CaptionRevision,
    Photo,
    ReviewState,
    RevisionAction,
    UnsavedEdit,
    utcnow,
)

if TYPE_CHECKING:
    from desktop_app.catalogue.database import Catalogue
    from desktop_app.flagging import MeaningMatcher, RuleSet


DESCRIPTION = CaptionKind.DESCRIPTION


def current_caption(session: Session, photo_id: int, kind: CaptionKind = DESCRIPTION) -> Caption | None:
    """The photo's current caption of ``kind``, if it has one."""
    return session.scalar(
        select(Caption).where(Caption.photo_id == photo_id, Caption.kind == kind,
                              Caption.is_current.is_(True))
    )


def add_caption(
    session: Session,
    photo: Photo,
    text: str,
    *,
    origin: CaptionOrigin,
    author: str | None,
    state: ReviewState = ReviewState.DRAFT,
    make_current: bool = True,
    captioner_id: str | None = None,
    model_id: str | None = None,
    model_revision: str | None = None,
    prompt: str | None = None,
    confidence: float | None = None,
    notice: str | None = None,
    token_scores: list[list[Any]] | None = None,
    note: str | None = None,
    kind: CaptionKind = DESCRIPTION,
    flag_rules: RuleSet | None = None,
    meanings: MeaningMatcher | None = None,
) -> Caption:
    """A new caption of ``photo`` of ``kind`` with its first revision (noted ``note``). A text over
    MAX_CAPTION_CHARS is refused (CaptionTooLong): text from elsewhere is cut first, with cut_to_limit.
    A model's or an imported text is flagged (catalogue/flags.py) by ``flag_rules`` or the settings'."""
    text = clean_text(text)
    check_length(text)
    lock_photo(session, photo.id)
    if make_current:
        _clear_current(session, photo.id, kind)
    caption = Caption(
        photo_id=photo.id,
        kind=kind,
        text=text,
        origin=origin,
        state=state,
        author=author,
        is_current=make_current,
        captioner_id=captioner_id,
        model_id=model_id,
        model_revision=model_revision,
        prompt=prompt,
        confidence=confidence,
        notice=notice,
        token_scores=token_scores,
        revision=0,
    )
    flags.flag_caption(caption, flag_rules, meanings)
    session.add(caption)
    session.flush()
    append_revision(session, caption, RevisionAction.CREATED, author, note=note)
    return caption


def edit_caption(
    session: Session, photo: Photo, text: str, *, author: str, approve: bool = False,
    note: str | None = None, based_on: BasedOn | None = None, kind: CaptionKind = DESCRIPTION,
) -> Caption:
    """A person's new text for the photo's current caption of ``kind`` (a new human caption if it has
    none).

    An edited caption is a draft again unless ``approve`` is given: the editor's approval is of
    the text as it now reads. ``note`` goes on the edit's revision. A text longer than
    MAX_CAPTION_CHARS is refused (CaptionTooLong); so is an edit whose ``based_on`` is stale
    (CaptionConflict, carrying the text for ``review_session`` to keep).
    """
    cleaned = clean_text(text)
    check_length(cleaned)
    lock_photo(session, photo.id)
    caption = current_caption(session, photo.id, kind)
    if based_on is not None:
        check_current(session, photo, caption, based_on, text=cleaned, author=author, kind=kind)
    state = ReviewState.APPROVED if approve else ReviewState.DRAFT
    if caption is None:
        return add_caption(session, photo, cleaned, origin=CaptionOrigin.HUMAN, author=author, state=state,
                           note=note, kind=kind)
    if cleaned == caption.text and caption.state == state:
        return caption  # nothing changed: no empty revision
    if cleaned == caption.text:
        return set_review_state(session, photo, state, author=author, kind=kind, note=note)
    caption.text = cleaned
    caption.origin = CaptionOrigin.HUMAN
    caption.state = state
    caption.author = author
    caption.confidence = None  # the model's confidence and token scores were about its own text
    caption.token_scores = None
    caption.flags = None  # the editor wrote this text: nothing left for a second look (catalogue/flags.py)
    try:
        append_revision(session, caption, RevisionAction.EDITED, author, note=note)
    except CaptionConflict as conflict:  # lost the compare-and-set: the text is kept all the same
        conflict.text, conflict.author, conflict.kind = cleaned, author, kind.value
        raise
    return caption


def set_review_state(
    session: Session, photo: Photo, state: ReviewState, *, author: str, based_on: BasedOn | None = None,
    kind: CaptionKind = DESCRIPTION, note: str | None = None,
) -> Caption:
    """Approve, reject, or send back to draft the photo's current caption of ``kind`` (the revision
    noted ``note``: an approval of flags confirmed says so)."""
    lock_photo(session, photo.id)
    caption = current_caption(session, photo.id, kind)
    if based_on is not None:
        check_current(session, photo, caption, based_on, kind=kind)
    if caption is None:
        raise CaptionError(f"photo {photo.id} has no {_kind_noun(kind)} to {_verb(state)}")
    if caption.state == state:
        return caption
    caption.state = state
    action = {
        ReviewState.APPROVED: RevisionAction.APPROVED,
        ReviewState.REJECTED: RevisionAction.REJECTED,
        ReviewState.DRAFT: RevisionAction.EDITED,
    }[state]
    append_revision(session, caption, action, author, note=note)
    return caption


def choose_caption(
    session: Session, photo: Photo, caption_id: int, *, author: str, based_on: BasedOn | None = None
) -> Caption:
    """Make another caption of ``photo`` its current one: a model's draft stored beside a person's
    caption stays beside it until an editor chooses it here. Recorded as a revision of the chosen
    caption (its text unchanged, noted with the caption it replaces). ``based_on`` is the chosen
    caption as the person saw it."""
    lock_photo(session, photo.id)
    caption = session.get(Caption, caption_id)
    if caption is None or caption.photo_id != photo.id:
        raise CaptionError(f"photo {photo.id} has no caption {caption_id}")
    if based_on is not None:
        _check_revision(session, caption, based_on)
    if caption.is_current:
        return caption
    previous = current_caption(session, photo.id, caption.kind)
    _clear_current(session, photo.id, caption.kind)
    caption.is_current = True
    note = f"made current in place of caption {previous.id}" if previous is not None else "made current"
    append_revision(session, caption, RevisionAction.EDITED, author, note=note)
    return caption


def revert_caption(
    session: Session, caption: Caption, number: int, *, author: str, based_on: BasedOn | None = None
) -> Caption:
    """Bring back the text of revision ``number`` as a new draft revision. ``based_on`` is the
    caption's revision the person compared it with."""
    lock_photo(session, caption.photo_id)
    if based_on is not None:
        _check_revision(session, caption, based_on)
    old = session.scalar(
        select(CaptionRevision).where(
            CaptionRevision.caption_id == caption.id, CaptionRevision.number == number
        )
    )
    if old is None:
        raise CaptionError(f"caption {caption.id} has no revision {number}")
    caption.text = old.text
    caption.origin = old.origin
    caption.flags = old.flags if old.origin in flags.FLAGGED_ORIGINS else None  # the text's own flags
    caption.confidence = caption.token_scores = None  # scores are kept per text only while it is current
    caption.state = ReviewState.DRAFT
    caption.author = author
    append_revision(session, caption, RevisionAction.REVERTED, author, note=f"to revision {number}")
    return caption


@dataclass(frozen=True)
class CaptionSnapshot:
    """What a caption says and how it stands, as plain values: what an undo brings back."""

    text: str
    state: ReviewState
    origin: CaptionOrigin
    author: str | None
    confidence: float | None
    token_scores: list[list[Any]] | None
    flags: list[dict[str, Any]] | None = None

    @classmethod
    def of(cls, caption: Caption) -> CaptionSnapshot:
        return cls(caption.text, caption.state, caption.origin, caption.author, caption.confidence,
                   caption.token_scores, caption.flags)


def restore_caption(
    session: Session, caption_id: int, snapshot: CaptionSnapshot, *, author: str, note: str | None = None,
    based_on: BasedOn | None = None,
) -> Caption:
    """Bring ``caption_id`` back to ``snapshot`` (an undo or redo) as a new revision; none if it is
    there already. Unlike revert_caption, the state and the model's scores come back too. ``based_on``:
    the revision the change being undone or redone left."""
    caption = session.get(Caption, caption_id)
    if caption is None:
        raise CaptionError(f"caption {caption_id} no longer exists")
    lock_photo(session, caption.photo_id)
    if (caption.text, caption.state, caption.origin) == (snapshot.text, snapshot.state, snapshot.origin):
        return caption
    if based_on is not None:
        _check_revision(session, caption, based_on)
    caption.text, caption.state, caption.origin = snapshot.text, snapshot.state, snapshot.origin
    caption.author, caption.confidence = snapshot.author, snapshot.confidence
    caption.token_scores, caption.flags = snapshot.token_scores, snapshot.flags
    append_revision(session, caption, RevisionAction.REVERTED, author, note=note)
    return caption


# -- conflicts: an action based on a revision that is no longer the newest ---------------------------------


@contextmanager
def review_session(catalogue: Catalogue) -> Iterator[Session]:
    """A write transaction for review actions. On a CaptionConflict it is rolled back and a refused
    edit's text is kept beside the current caption in a transaction of its own (``kept_caption_id``);
    then the conflict goes on up to the front end, which says so."""
    try:
        with catalogue.write() as session:
            yield session
    except CaptionConflict as conflict:
        if conflict.text is not None and conflict.photo_id is not None:
            with catalogue.write() as session:
                photo = session.get(Photo, conflict.photo_id)
                if photo is not None:
                    kind = CaptionKind(conflict.kind)
                    kept = keep_beside(session, photo, conflict.text, author=conflict.author,
                                       based_on=conflict.based_on, kind=kind)
                    conflict.kept_caption_id = kept.id
                    saved = unsaved_edit(session, photo.id, kind)
                    if saved is not None and saved.text.strip() == conflict.text:
                        drop_unsaved_edit(session, photo.id, kind)  # kept: a recovery must not keep it twice
        raise


def keep_beside(session: Session, photo: Photo, text: str, *, author: str | None, based_on: BasedOn,
                note: str | None = None, kind: CaptionKind = DESCRIPTION) -> Caption:
    """Keep a person's text that could not be applied as a new, non-current human draft caption of
    ``photo``, noted with the revision it was based on."""
    base = (f"based on revision {based_on.revision} of caption {based_on.caption_id}"
            if based_on.caption_id is not None else "written when the photo had no caption")
    kept_note = "; ".join(part for part in (note, f"{KEPT_NOTE} ({base})") if part)
    return add_caption(session, photo, text, origin=CaptionOrigin.HUMAN, author=author, make_current=False,
                       note=kept_note, kind=kind)


def check_current(session: Session, photo: Photo, caption: Caption | None, based_on: BasedOn, *,
                  text: str | None = None, author: str | None = None,
                  kind: CaptionKind = DESCRIPTION) -> None:
    """Refuse (CaptionConflict) unless ``caption``, the photo's current one of ``kind``, is ``based_on``."""
    if caption is not None and caption.id == based_on.caption_id and caption.revision == based_on.revision:
        return
    if caption is None and based_on.caption_id is None:
        return
    extra = {"photo_id": photo.id, "text": text, "author": author, "kind": kind.value}
    if caption is None:
        raise CaptionConflict(f"caption {based_on.caption_id} is no longer the current caption of photo "
                              f"{photo.id}, which has none now", based_on=based_on, caption_id=None,
                              revision=None, **extra)
    newest = _newest_revision(session, caption.id)
    if caption.id == based_on.caption_id:
        reason = f"caption {caption.id} changed since revision {based_on.revision}: {_describe(newest)}"
    elif based_on.caption_id is None:
        reason = f"photo {photo.id} has a caption now (caption {caption.id}): {_describe(newest)}"
    else:
        reason = (f"caption {based_on.caption_id} is no longer the current caption of photo {photo.id}; "
                  f"caption {caption.id} is: {_describe(newest)}")
    raise CaptionConflict(reason, based_on=based_on, caption_id=caption.id, revision=caption.revision,
                          action=newest.action if newest else None,
                          changed_by=newest.author if newest else None,
                          changed_at=newest.created_at if newest else None, **extra)


def _check_revision(session: Session, caption: Caption, based_on: BasedOn) -> None:
    """Refuse (CaptionConflict) unless ``caption`` is ``based_on`` and still at its revision."""
    if caption.id != based_on.caption_id:
        raise CaptionError(f"the action is for caption {caption.id}, not caption {based_on.caption_id}")
    if caption.revision == based_on.revision:
        return
    newest = _newest_revision(session, caption.id)
    raise CaptionConflict(
        f"caption {caption.id} changed since revision {based_on.revision}: {_describe(newest)}",
        based_on=based_on, caption_id=caption.id, revision=caption.revision,
        action=newest.action if newest else None, changed_by=newest.author if newest else None,
        changed_at=newest.created_at if newest else None, photo_id=caption.photo_id, kind=caption.kind.value)


_JOB_NOTE = re.compile(r"^job (\d+)(?:; )?")
_HOW = {RevisionAction.CREATED: "written", RevisionAction.EDITED: "edited",
        RevisionAction.APPROVED: "approved", RevisionAction.REJECTED: "rejected",
        RevisionAction.REVERTED: "reverted", RevisionAction.REGENERATED: "regenerated"}


def _describe(revision: CaptionRevision | None) -> str:
    """How, by whom and when: "regenerated by job 7 (model X) at 2026-12-03 10:42 (revision 4)"."""
    if revision is None:
        return "changed by another writer"
    note = revision.note or ""
    job = _JOB_NOTE.match(note)
    if revision.origin is CaptionOrigin.AI and revision.action in (RevisionAction.CREATED,
                                                                   RevisionAction.REGENERATED):
        who = f"job {job.group(1)} (model {revision.author})" if job else f"model {revision.author}"
        note = note[job.end():] if job else note
    else:
        who = revision.author or "unknown"
    when = revision.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
    rest = f" ({note})" if note else ""
    return f"{_HOW.get(revision.action, revision.action.value)} by {who} at {when}{rest}, now revision " \
           f"{revision.number}"


def _newest_revision(session: Session, caption_id: int) -> CaptionRevision | None:
    return session.scalar(select(CaptionRevision).where(CaptionRevision.caption_id == caption_id)
                          .order_by(CaptionRevision.number.desc()).limit(1))


# -- unsaved edits: what a person is typing, saved as they type, committed when they move on ------------


def unsaved_edit(session: Session, photo_id: int, kind: CaptionKind = DESCRIPTION) -> UnsavedEdit | None:
    return session.scalar(select(UnsavedEdit).where(UnsavedEdit.photo_id == photo_id,
                                                    UnsavedEdit.kind == kind))


def save_unsaved_edit(session: Session, photo_id: int, text: str, *, author: str,
                      based_on: BasedOn | None = None, kind: CaptionKind = DESCRIPTION) -> UnsavedEdit | None:
    """Keep ``text`` (exactly as typed) as the photo's unsaved edit of its current caption of ``kind``.
    Text equal to the caption's is no edit: any unsaved edit is dropped and None returned.

    ``based_on`` is what the person started from (the app always says); without it the edit keeps
    the base it had, or takes the current caption's revision when it is new. Never rebased silently:
    a crash recovery checks it like any edit."""
    lock_photo(session, photo_id)
    caption = current_caption(session, photo_id, kind)
    edit = unsaved_edit(session, photo_id, kind)
    if (caption is not None and text.strip() == caption.text) or (caption is None and not text.strip()):
        if edit is not None:
            session.delete(edit)
            session.flush()
        return None
    if edit is None:
        edit = UnsavedEdit(photo_id=photo_id, kind=kind, text=text)
        session.add(edit)
        if based_on is None:
            based_on = BasedOn.of(caption)
    edit.text, edit.author, edit.updated_at = text, author, utcnow()
    if based_on is not None:
        edit.caption_id, edit.base_revision = based_on.caption_id, based_on.revision
    session.flush()
    return edit


def drop_unsaved_edit(session: Session, photo_id: int, kind: CaptionKind = DESCRIPTION) -> bool:
    """Forget the photo's unsaved edit of ``kind``; whether there was one."""
    lock_photo(session, photo_id)
    edit = unsaved_edit(session, photo_id, kind)
    if edit is None:
        return False
    session.delete(edit)
    session.flush()
    return True


def recover_unsaved_edits(session: Session) -> list[int]:
    """Commit every unsaved edit left behind (by a crash, a kill, a power cut) as a draft edit of its
    photo's current caption, noted as recovered; returns the photos' ids. The text it replaces stays
    in the history, one revert away. An edit whose caption changed since it was begun is kept beside
    the current caption instead (see keep_beside), like any edit refused for a conflict. A text over
    MAX_CAPTION_CHARS stays an unsaved edit (nothing is lost; it cannot become a caption)."""
    recovered = []
    lock_photos(session, session.scalars(select(UnsavedEdit.photo_id)).all())
    for edit in session.scalars(select(UnsavedEdit).order_by(UnsavedEdit.id)).all():
        photo = session.get(Photo, edit.photo_id)
        caption = current_caption(session, edit.photo_id, edit.kind)
        text = edit.text.strip()
        if len(text) > MAX_CAPTION_CHARS:
            continue
        if photo is not None and text and (caption is None or text != caption.text):
            when = edit.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            note = f"unsaved edit from {when}, recovered after the app closed unexpectedly"
            author = edit.author or default_author()
            based_on = BasedOn(edit.caption_id, edit.base_revision or 0)
            try:
                check_current(session, photo, caption, based_on, kind=edit.kind)
            except CaptionConflict:
                keep_beside(session, photo, text, author=author, based_on=based_on, note=note, kind=edit.kind)
            else:
                edit_caption(session, photo, text, author=author, note=note, kind=edit.kind)
            recovered.append(edit.photo_id)
        session.delete(edit)
    session.flush()
    return recovered


def append_revision(
    session: Session,
    caption: Caption,
    action: RevisionAction,
    author: str | None,
    note: str | None = None,
) -> CaptionRevision:
    caption.updated_at = utcnow()
    revision = CaptionRevision(
        caption_id=caption.id,
        number=_next_number(session, caption),
        action=action,
        text=caption.text,
        state=caption.state,
        origin=caption.origin,
        author=author,
        note=note,
        flags=caption.flags,
    )
    session.add(revision)
    session.flush()
    outcomes.record(session, caption, action, author)
    return revision


def _next_number(session: Session, caption: Caption) -> int:
    """Move the caption's counter on from the value this session read, if no one else has: a
    compare-and-set that is correct at any isolation level (SQLite's BEGIN IMMEDIATE aside). The loser
    of a race is refused with a CaptionConflict; its transaction must roll back."""
    expected = caption.revision
    session.flush()  # the caption's own pending changes first
    moved = session.execute(
        update(Caption).where(Caption.id == caption.id, Caption.revision == expected)
        .values(revision=expected + 1).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        based_on = BasedOn(caption.id, expected)
        newest = _newest_revision(session, caption.id)
        raise CaptionConflict(
            f"caption {caption.id} changed since revision {expected} while this change was being "
            f"written: {_describe(newest)}", based_on=based_on, caption_id=caption.id,
            revision=newest.number if newest else None, action=newest.action if newest else None,
            changed_by=newest.author if newest else None, changed_at=newest.created_at if newest else None,
            photo_id=caption.photo_id)
    set_committed_value(caption, "revision", expected + 1)
    return expected + 1


def _clear_current(session: Session, photo_id: int, kind: CaptionKind) -> None:
    previous = current_caption(session, photo_id, kind)
    if previous is not None:
        previous.is_current = False
        session.flush()  # before the new current one: the unique index allows one at a time


def clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise CaptionError("caption text is empty")
    return text


def _kind_noun(kind: CaptionKind) -> str:
    """How a message names a caption of ``kind``: "caption", "alt text", "extended description"."""
    return {CaptionKind.ALT_TEXT: "alt text", CaptionKind.EXTENDED_DESCRIPTION: "extended description"}.get(
        kind, "caption")


def _verb(state: ReviewState) -> str:
    return {ReviewState.APPROVED: "approve", ReviewState.REJECTED: "reject"}.get(state, "change")
