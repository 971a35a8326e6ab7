"""Decisions on AI drafts made at known times, for the quality report's tests and the Quality view's: eight
drafts of three model versions of two captioners, decided in ISO weeks 2026-W10 (from Monday 2 March) and
2026-W11 (from Monday 9 March), by known edits, with known review times and flags."""

from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from desktop_app.catalogue import Catalogue, outcomes
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.models import Library, Photo, PhotoStatus
from desktop_app.services.quality import ModelVersion
from desktop_app.services.review import APPROVE, REJECT, Change, apply_change

MODEL_A = ModelVersion("encoder-decoder", "org/model-a", "r1")
MODEL_B = ModelVersion("encoder-decoder", "org/model-b", "r2")
BLIP = ModelVersion("blip", "org/blip", None)
DRAFT = "a brown dog runs on the grass"  # 7 words
FLAG = {"rule": "age", "category": "person", "start": 0, "end": 1, "text": "a", "reason": "a guess"}
# (model, decided at, the change, flags on the draft)
DECISIONS = [
    (MODEL_A, datetime(2026, 3, 2, 9, 0, tzinfo=UTC), Change(APPROVE, review_seconds=10.0), 0),
    # "on" replaced by "across", "green" inserted: 2 words
    (MODEL_A, datetime(2026, 3, 4, 9, 0, tzinfo=UTC),
     Change(APPROVE, text="a brown dog runs across the green grass", review_seconds=20.0), 0),
    # four words deleted
    (MODEL_A, datetime(2026, 3, 6, 9, 0, tzinfo=UTC),
     Change(APPROVE, text="a brown dog", review_seconds=30.0), 2),
    (MODEL_A, datetime(2026, 3, 8, 23, 59, tzinfo=UTC), Change(REJECT), 1),  # Sunday: still W10, unmeasured
    (MODEL_A, datetime(2026, 3, 9, 0, 1, tzinfo=UTC), Change(APPROVE, review_seconds=5.0), 0),  # W11
    (MODEL_A, datetime(2026, 3, 12, 9, 0, tzinfo=UTC), Change(APPROVE, review_seconds=15.0), 0),
    (MODEL_B, datetime(2026, 3, 13, 9, 0, tzinfo=UTC), Change(REJECT, review_seconds=8.0), 3),
    (BLIP, datetime(2026, 3, 3, 9, 0, tzinfo=UTC), Change(APPROVE, text="a dog", review_seconds=4.0), 0),
]


def decide_samples(catalogue: Catalogue, decisions: list = DECISIONS, root: str = "/quality-samples") -> None:
    """Each of ``decisions`` on a model's draft of a photo of its own, decided at its time as an editor
    would (through the review service)."""
    with catalogue.write() as session:
        library = Library(root=root, name="quality samples")
        session.add(library)
        session.flush()
        photo_ids = []
        for number, (version, _at, _change, flags) in enumerate(decisions):
            photo = Photo(library_id=library.id, rel_path=f"{number}.jpg", status=PhotoStatus.OK)
            session.add(photo)
            session.flush()
            caption = store_ai_caption(session, AICaption(photo, DRAFT, model_id=version.model_id,
                                                          model_revision=version.model_revision),
                                       captioner_id=version.captioner_id)
            caption.revisions[-1].flags = [FLAG] * flags or None  # what the flag rules found in the draft
            photo_ids.append(photo.id)
    for photo_id, (_version, at, change, _flags) in zip(photo_ids, decisions, strict=True):
        with mock.patch.object(outcomes, "utcnow", lambda at=at: at), catalogue.write() as session:
            apply_change(session, session.get(Photo, photo_id), change, author="ann")
