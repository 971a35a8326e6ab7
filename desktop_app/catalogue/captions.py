"""Caption changes, each recorded as a revision: the one way the CLI, the GUI and the worker change text.

The rules users rely on:
- every change (text or review state) appends a CaptionRevision; nothing is updated without one,
  and revisions are never modified or deleted;
- a revert is a new revision carrying the old text;
- a photo has at most one current caption (a partial unique index enforces it).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    CaptionRevision,
    Photo,
    ReviewState,
    RevisionAction,
    UnsavedEdit,
    utcnow,
)

USER_ENV = "PHOTO_ANNOTATOR_USER"

# The longest caption the catalogue keeps, in characters. A caption describes a photo; a longer text
# (an 8 MB "description" pasted from elsewhere) made keyword search crawl. A longer edit is refused;
# a longer imported description is cut here with a note (see cut_to_limit).
MAX_CAPTION_CHARS = 20_000


class CaptionError(Exception):
    """A caption change that cannot be made; the message says why in one line."""


class CaptionTooLong(CaptionError):
    """A person's text longer than MAX_CAPTION_CHARS: refused, never cut (the editor keeps it)."""


def cut_to_limit(text: str) -> tuple[str, str | None]:
    """``text`` cut to MAX_CAPTION_CHARS characters, with a note saying so (None when it fit). For text
    no person is typing here: a model's output, an imported description."""
    if len(text) <= MAX_CAPTION_CHARS:
        return text, None
    return text[:MAX_CAPTION_CHARS], f"cut to {MAX_CAPTION_CHARS:,} characters from {len(text):,}"


def check_length(text: str) -> None:
    """Refuse a person's text longer than MAX_CAPTION_CHARS (CaptionTooLong)."""
    if len(text) > MAX_CAPTION_CHARS:
        raise CaptionTooLong(
            f"caption is {len(text):,} characters; the most a caption can hold is {MAX_CAPTION_CHARS:,}"
        )


def default_author() -> str:
    """Who a human edit is attributed to: $PHOTO_ANNOTATOR_USER, else the login name."""
    name = os.environ.get(USER_ENV)
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers and services
        return "unknown"


def current_caption(session: Session, photo_id: int) -> Caption | None:
    return session.scalar(
        select(Caption).where(Caption.photo_id == photo_id, Caption.is_current.is_(True))
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
) -> Caption:
    """A new caption of ``photo`` with its first revision."""
    text = _clean(text)
    if make_current:
        _clear_current(session, photo.id)
    caption = Caption(
        photo_id=photo.id,
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
    )
    session.add(caption)
    session.flush()
    _append_revision(session, caption, RevisionAction.CREATED, author)
    return caption


def edit_caption(
    session: Session, photo: Photo, text: str, *, author: str, approve: bool = False,
    note: str | None = None,
) -> Caption:
    """A person's new text for the photo's current caption (a new human caption if it has none).

    An edited caption is a draft again unless ``approve`` is given: the editor's approval is of
    the text as it now reads. ``note`` goes on the edit's revision.
    """
    caption = current_caption(session, photo.id)
    state = ReviewState.APPROVED if approve else ReviewState.DRAFT
    if caption is None:
        return add_caption(session, photo, text, origin=CaptionOrigin.HUMAN, author=author, state=state)
    text = _clean(text)
    if text == caption.text and caption.state == state:
        return caption  # nothing changed: no empty revision
    if text == caption.text:
        return set_review_state(session, photo, state, author=author)
    caption.text = text
    caption.origin = CaptionOrigin.HUMAN
    caption.state = state
    caption.author = author
    caption.confidence = None  # the model's confidence and token scores were about its own text
    caption.token_scores = None
    _append_revision(session, caption, RevisionAction.EDITED, author, note=note)
    return caption


def set_review_state(
    session: Session, photo: Photo, state: ReviewState, *, author: str
) -> Caption:
    """Approve, reject, or send back to draft the photo's current caption."""
    caption = current_caption(session, photo.id)
    if caption is None:
        raise CaptionError(f"photo {photo.id} has no caption to {_verb(state)}")
    if caption.state == state:
        return caption
    caption.state = state
    action = {
        ReviewState.APPROVED: RevisionAction.APPROVED,
        ReviewState.REJECTED: RevisionAction.REJECTED,
        ReviewState.DRAFT: RevisionAction.EDITED,
    }[state]
    _append_revision(session, caption, action, author)
    return caption


def choose_caption(session: Session, photo: Photo, caption_id: int, *, author: str) -> Caption:
    """Make another caption of ``photo`` its current one: a model's draft stored beside a person's
    caption stays beside it until an editor chooses it here. Recorded as a revision of the chosen
    caption (its text unchanged, noted with the caption it replaces)."""
    caption = session.get(Caption, caption_id)
    if caption is None or caption.photo_id != photo.id:
        raise CaptionError(f"photo {photo.id} has no caption {caption_id}")
    if caption.is_current:
        return caption
    previous = current_caption(session, photo.id)
    _clear_current(session, photo.id)
    caption.is_current = True
    note = f"made current in place of caption {previous.id}" if previous is not None else "made current"
    _append_revision(session, caption, RevisionAction.EDITED, author, note=note)
    return caption


def revert_caption(session: Session, caption: Caption, number: int, *, author: str) -> Caption:
    """Bring back the text of revision ``number`` as a new draft revision."""
    old = session.scalar(
        select(CaptionRevision).where(
            CaptionRevision.caption_id == caption.id, CaptionRevision.number == number
        )
    )
    if old is None:
        raise CaptionError(f"caption {caption.id} has no revision {number}")
    caption.text = old.text
    caption.origin = old.origin
    caption.confidence = caption.token_scores = None  # scores are kept per text only while it is current
    caption.state = ReviewState.DRAFT
    caption.author = author
    _append_revision(session, caption, RevisionAction.REVERTED, author, note=f"to revision {number}")
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

    @classmethod
    def of(cls, caption: Caption) -> CaptionSnapshot:
        return cls(caption.text, caption.state, caption.origin, caption.author, caption.confidence,
                   caption.token_scores)


def restore_caption(
    session: Session, caption_id: int, snapshot: CaptionSnapshot, *, author: str, note: str | None = None
) -> Caption:
    """Bring ``caption_id`` back to ``snapshot`` (an undo or redo) as a new revision; none if it is
    there already. Unlike revert_caption, the state and the model's scores come back too."""
    caption = session.get(Caption, caption_id)
    if caption is None:
        raise CaptionError(f"caption {caption_id} no longer exists")
    if (caption.text, caption.state, caption.origin) == (snapshot.text, snapshot.state, snapshot.origin):
        return caption
    caption.text, caption.state, caption.origin = snapshot.text, snapshot.state, snapshot.origin
    caption.author, caption.confidence = snapshot.author, snapshot.confidence
    caption.token_scores = snapshot.token_scores
    _append_revision(session, caption, RevisionAction.REVERTED, author, note=note)
    return caption


# -- unsaved edits: what a person is typing, saved as they type, committed when they move on ------------


def unsaved_edit(session: Session, photo_id: int) -> UnsavedEdit | None:
    return session.scalar(select(UnsavedEdit).where(UnsavedEdit.photo_id == photo_id))


def save_unsaved_edit(session: Session, photo_id: int, text: str, *, author: str) -> UnsavedEdit | None:
    """Keep ``text`` (exactly as typed) as the photo's unsaved edit of its current caption. Text equal
    to the caption's is no edit: any unsaved edit is dropped and None returned."""
    caption = current_caption(session, photo_id)
    edit = unsaved_edit(session, photo_id)
    if (caption is not None and text.strip() == caption.text) or (caption is None and not text.strip()):
        if edit is not None:
            session.delete(edit)
            session.flush()
        return None
    if edit is None:
        edit = UnsavedEdit(photo_id=photo_id, text=text)
        session.add(edit)
    edit.text, edit.author, edit.updated_at = text, author, utcnow()
    edit.caption_id = caption.id if caption is not None else None
    edit.base_revision = _last_revision(session, caption.id) if caption is not None else None
    session.flush()
    return edit


def drop_unsaved_edit(session: Session, photo_id: int) -> bool:
    """Forget the photo's unsaved edit; whether there was one."""
    edit = unsaved_edit(session, photo_id)
    if edit is None:
        return False
    session.delete(edit)
    session.flush()
    return True


def recover_unsaved_edits(session: Session) -> list[int]:
    """Commit every unsaved edit left behind (by a crash, a kill, a power cut) as a draft edit of its
    photo's current caption, noted as recovered; returns the photos' ids. The text it replaces stays
    in the history, one revert away."""
    recovered = []
    for edit in session.scalars(select(UnsavedEdit).order_by(UnsavedEdit.id)).all():
        photo = session.get(Photo, edit.photo_id)
        caption = current_caption(session, edit.photo_id)
        if photo is not None and edit.text.strip() and (caption is None or edit.text.strip() != caption.text):
            when = edit.updated_at.astimezone().strftime("%Y-%m-%d %H:%M")
            edit_caption(session, photo, edit.text, author=edit.author or default_author(),
                         note=f"unsaved edit from {when}, recovered after the app closed unexpectedly")
            recovered.append(edit.photo_id)
        session.delete(edit)
    session.flush()
    return recovered


@dataclass(frozen=True)
class AICaption:
    """One model output to store: the text and what produced it."""

    photo: Photo
    text: str
    model_id: str
    model_revision: str | None = None
    prompt: str | None = None
    confidence: float | None = None
    notice: str | None = None
    token_scores: list[list[Any]] | None = None


def store_ai_caption(session: Session, caption: AICaption, *, captioner_id: str) -> Caption:
    """Record one model caption; see store_ai_captions for the rules."""
    return store_ai_captions(session, [caption], captioner_id=captioner_id)[0]


def store_ai_captions(session: Session, outputs: Sequence[AICaption], *, captioner_id: str) -> list[Caption]:
    """Record a batch of model captions without ever replacing what a person wrote or approved.

    - The photo's earlier caption from the same captioner, still as the model left it (AI origin,
      not approved), gets the new text as a revision: re-captioning adds history, deletes nothing.
    - Otherwise a new draft caption is added. It becomes current only if the photo has no current
      caption or only an unreviewed AI draft; a human-edited, imported or approved caption stays
      current until an editor chooses.

    Returns the stored captions in the order of ``outputs``. Photos without any caption (the usual
    case in a captioning job) are written with one INSERT per table for the whole batch.
    """
    photo_ids = {output.photo.id for output in outputs}
    captioned = set(session.scalars(select(Caption.photo_id).where(Caption.photo_id.in_(photo_ids))))
    fresh: dict[int, Caption] = {}
    beside: list[int] = []
    for index, output in enumerate(outputs):
        if output.photo.id in captioned:
            beside.append(index)
            continue
        captioned.add(output.photo.id)  # the same photo again in this batch is stored beside this one
        now = utcnow()
        fresh[index] = Caption(
            photo_id=output.photo.id, text=_clean(output.text), origin=CaptionOrigin.AI,
            state=ReviewState.DRAFT, author=output.model_id, is_current=True, captioner_id=captioner_id,
            model_id=output.model_id, model_revision=output.model_revision, prompt=output.prompt,
            confidence=output.confidence, notice=output.notice, token_scores=output.token_scores,
            created_at=now, updated_at=now,
        )
    if fresh:
        session.add_all(fresh.values())
        session.flush()
        session.add_all(
            CaptionRevision(caption_id=caption.id, number=1, action=RevisionAction.CREATED, text=caption.text,
                            state=caption.state, origin=caption.origin, author=caption.author,
                            created_at=caption.created_at)
            for caption in fresh.values()
        )
        session.flush()
    stored = dict(fresh)
    for index in beside:
        stored[index] = _store_beside(session, outputs[index], captioner_id)
    return [stored[index] for index in range(len(outputs))]


def _store_beside(session: Session, output: AICaption, captioner_id: str) -> Caption:
    photo, author = output.photo, output.model_id
    previous = session.scalar(
        select(Caption)
        .where(
            Caption.photo_id == photo.id,
            Caption.captioner_id == captioner_id,
            Caption.origin == CaptionOrigin.AI,
            Caption.state != ReviewState.APPROVED,
        )
        .order_by(Caption.id.desc())
    )
    if previous is not None:
        previous.text = _clean(output.text)
        previous.state = ReviewState.DRAFT
        previous.model_id, previous.model_revision = output.model_id, output.model_revision
        previous.prompt, previous.confidence, previous.author = output.prompt, output.confidence, author
        previous.notice, previous.token_scores = output.notice, output.token_scores
        _append_revision(session, previous, RevisionAction.REGENERATED, author)
        return previous
    current = current_caption(session, photo.id)
    replaceable = current is None or (
        current.origin is CaptionOrigin.AI and current.state is not ReviewState.APPROVED
    )
    return add_caption(
        session, photo, output.text, origin=CaptionOrigin.AI, author=author, make_current=replaceable,
        captioner_id=captioner_id, model_id=output.model_id, model_revision=output.model_revision,
        prompt=output.prompt, confidence=output.confidence, notice=output.notice,
        token_scores=output.token_scores,
    )


def _append_revision(
    session: Session,
    caption: Caption,
    action: RevisionAction,
    author: str | None,
    note: str | None = None,
) -> CaptionRevision:
    caption.updated_at = utcnow()
    last = _last_revision(session, caption.id)
    revision = CaptionRevision(
        caption_id=caption.id,
        number=(last or 0) + 1,
        action=action,
        text=caption.text,
        state=caption.state,
        origin=caption.origin,
        author=author,
        note=note,
    )
    session.add(revision)
    session.flush()
    return revision


def _last_revision(session: Session, caption_id: int) -> int | None:
    return session.scalar(
        select(func.max(CaptionRevision.number)).where(CaptionRevision.caption_id == caption_id)
    )


def _clear_current(session: Session, photo_id: int) -> None:
    previous = current_caption(session, photo_id)
    if previous is not None:
        previous.is_current = False
        session.flush()  # before the new current one: the unique index allows one at a time


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise CaptionError("caption text is empty")
    return text


def _verb(state: ReviewState) -> str:
    return {ReviewState.APPROVED: "approve", ReviewState.REJECTED: "reject"}.get(state, "change")
