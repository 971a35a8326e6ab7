"""What captioning jobs write: model captions stored beside what people wrote, never over it.

See store_ai_captions for the rules, which hold for each caption kind on its own (a model's alt-text
draft meets only the photo's alt text, never its description); every change is a revision
(captions.py), so a review based on the text before a regeneration is refused by the review contract.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue.caption_rules import CaptionConflict, cut_to_limit
from desktop_app.catalogue.captions import add_caption, append_revision, clean_text, current_caption
from desktop_app.catalogue.flags import default_rules, flag_caption
from desktop_app.catalogue.locking import lock_photos
from desktop_app.catalogue.models import (
    Caption,
    CaptionKind,
    CaptionOrigin,
    CaptionRevision,
    Photo,
    ReviewState,
    RevisionAction,
    utcnow,
)

if TYPE_CHECKING:
    from desktop_app.flagging import MeaningMatcher, RuleSet


@dataclass(frozen=True)
class AICaption:
    """One model output to store: the text and what produced it (``job_id``: the job that ran it), as a
    caption of ``kind`` (the captioner's ``caption_kind``)."""

    photo: Photo
    text: str
    model_id: str
    model_revision: str | None = None
    prompt: str | None = None
    confidence: float | None = None
    notice: str | None = None
    token_scores: list[list[Any]] | None = None
    job_id: int | None = None
    kind: CaptionKind = CaptionKind.DESCRIPTION

    def stored_text(self) -> tuple[str, str | None]:
        """The text as stored, cut to MAX_CAPTION_CHARS, and the revision's note (job, cut)."""
        text, cut = cut_to_limit(clean_text(self.text))
        note = "; ".join(part for part in (f"job {self.job_id}" if self.job_id else None, cut) if part)
        return text, note or None


def store_ai_caption(session: Session, caption: AICaption, *, captioner_id: str,
                     flag_rules: RuleSet | None = None, meanings: MeaningMatcher | None = None) -> Caption:
    """Record one model caption; see store_ai_captions for the rules."""
    return store_ai_captions(session, [caption], captioner_id=captioner_id, flag_rules=flag_rules,
                             meanings=meanings)[0]


def store_ai_captions(session: Session, outputs: Sequence[AICaption], *, captioner_id: str,
                      flag_rules: RuleSet | None = None,
                      meanings: MeaningMatcher | None = None) -> list[Caption]:
    """Record a batch of model captions without ever replacing what a person wrote or approved.

    Each output is a caption of its ``kind`` and meets only the photo's captions of that kind:
    - The photo's earlier caption of the kind from the same captioner, still as the model left it (AI origin,
      not approved), gets the new text as a revision: re-captioning adds history, deletes nothing.
    - Otherwise a new draft caption is added. It becomes current only if the photo has no current
      caption of the kind or only an unreviewed AI draft; a human-edited, imported or approved caption stays
      current until an editor chooses.
    - A text over MAX_CAPTION_CHARS is cut to it, noted on the revision; so is the job that wrote it.
      Every revision moves the caption's counter, so a review based on the text before is refused.
    - Each stored text is flagged (catalogue/flags.py) by ``flag_rules``, else the settings' rules, and
      by meaning where a caller with an embedder passes ``meanings``.

    Returns the stored captions in the order of ``outputs``. Photos without any caption of the kind (the
    usual case in a captioning job) are written with one INSERT per table for the whole batch.
    """
    rules = flag_rules or default_rules()
    wanted = {(output.photo.id, output.kind) for output in outputs}
    lock_photos(session, (photo_id for photo_id, _kind in wanted))  # an editor's first caption cannot slip in
    captioned = wanted & {(photo_id, kind) for photo_id, kind in session.execute(
        select(Caption.photo_id, Caption.kind).where(Caption.photo_id.in_({photo for photo, _kind in wanted}),
                                                     Caption.kind.in_({kind for _photo, kind in wanted}))
    )}
    fresh: dict[int, Caption] = {}
    notes: dict[int, str | None] = {}
    beside: list[int] = []
    for index, output in enumerate(outputs):
        key = (output.photo.id, output.kind)
        if key in captioned:
            beside.append(index)
            continue
        captioned.add(key)  # the same photo again in this batch is stored beside this one
        now = utcnow()
        text, notes[index] = output.stored_text()
        fresh[index] = Caption(
            photo_id=output.photo.id, kind=output.kind, text=text, origin=CaptionOrigin.AI,
            state=ReviewState.DRAFT, author=output.model_id, is_current=True, captioner_id=captioner_id,
            model_id=output.model_id, model_revision=output.model_revision, prompt=output.prompt,
            confidence=output.confidence, notice=output.notice, token_scores=output.token_scores,
            revision=1, created_at=now, updated_at=now,
        )
        flag_caption(fresh[index], rules, meanings)
    if fresh:
        session.add_all(fresh.values())
        session.flush()
        session.add_all(
            CaptionRevision(caption_id=caption.id, number=1, action=RevisionAction.CREATED, text=caption.text,
                            state=caption.state, origin=caption.origin, author=caption.author,
                            note=notes[index], flags=caption.flags, created_at=caption.created_at)
            for index, caption in fresh.items()
        )
        session.flush()
    stored = dict(fresh)
    for index in beside:
        stored[index] = _store_beside_retrying(session, outputs[index], captioner_id, rules, meanings)
    return [stored[index] for index in range(len(outputs))]


AI_STORE_ATTEMPTS = 3


def _store_beside_retrying(session: Session, output: AICaption, captioner_id: str, rules: RuleSet,
                           meanings: MeaningMatcher | None) -> Caption:
    """_store_beside in a savepoint, again from what the database holds when another writer changed
    the caption in between (a lost compare-and-set): a job's output must not fail the batch, and is
    stored by the same rules against the caption as it now is."""
    for attempt in range(AI_STORE_ATTEMPTS):
        try:
            with session.begin_nested():
                return _store_beside(session, output, captioner_id, rules, meanings)
        except CaptionConflict:
            if attempt == AI_STORE_ATTEMPTS - 1:
                raise
            session.expire_all()  # read the captions again as the other writer left them
    raise AssertionError("unreachable")


def _store_beside(session: Session, output: AICaption, captioner_id: str, rules: RuleSet,
                  meanings: MeaningMatcher | None) -> Caption:
    photo, author = output.photo, output.model_id
    text, note = output.stored_text()
    previous = session.scalar(
        select(Caption)
        .where(
            Caption.photo_id == photo.id,
            Caption.kind == output.kind,
            Caption.captioner_id == captioner_id,
            Caption.origin == CaptionOrigin.AI,
            Caption.state != ReviewState.APPROVED,
        )
        .order_by(Caption.id.desc())
    )
    if previous is not None:
        previous.text = text
        previous.state = ReviewState.DRAFT
        previous.model_id, previous.model_revision = output.model_id, output.model_revision
        previous.prompt, previous.confidence, previous.author = output.prompt, output.confidence, author
        previous.notice, previous.token_scores = output.notice, output.token_scores
        flag_caption(previous, rules, meanings)
        append_revision(session, previous, RevisionAction.REGENERATED, author, note=note)
        return previous
    current = current_caption(session, photo.id, output.kind)
    replaceable = current is None or (
        current.origin is CaptionOrigin.AI and current.state is not ReviewState.APPROVED
    )
    return add_caption(
        session, photo, text, origin=CaptionOrigin.AI, author=author, make_current=replaceable,
        captioner_id=captioner_id, model_id=output.model_id, model_revision=output.model_revision,
        prompt=output.prompt, confidence=output.confidence, notice=output.notice,
        token_scores=output.token_scores, note=note, kind=output.kind, flag_rules=rules, meanings=meanings,
    )


