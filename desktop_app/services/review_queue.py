"""The review queue: the photos needing review in the "most useful first" order (search/review_order.py
has the rules), without those another editor has claimed; and the claims themselves (one editor, one
photo at a time; catalogue/claims.py). `photo-annotator review-queue` prints it; the app's Ctrl+Enter
follows it when Settings.review.order is "most-useful". No Qt.

The vectors are the caption text vectors that `photo-annotator embed` stores: of the embedder model with
the most caption vectors in the catalogue when the queue first looks, unless one is named. A ReviewQueue
keeps that model's vector index between calls (refreshed with what changed), and each draft's distance to
the nearest approved caption (brought up to date with new approvals), as the app's worker does.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import func, select

from desktop_app.catalogue import Catalogue, claims
from desktop_app.catalogue.caption_rules import default_author
from desktop_app.catalogue.models import Caption, CaptionKind, Embedding, ReviewState
from desktop_app.catalogue.photos import library_roots, path_under, review_candidates
from desktop_app.jobs.store import this_process
from desktop_app.search.review_order import NearestApproved, edge, most_useful
from desktop_app.search.vector_index import VectorIndex
from desktop_app.search.vector_store import CAPTIONS


class QueueEntry(NamedTuple):
    """One photo of the queue (a tuple: a whole queue of 100,000 is made in a blink)."""

    photo_id: int
    caption_id: int
    path: str
    captioner_id: str | None
    confidence: float | None
    novelty: float | None  # cosine distance to the nearest approved caption; None: unknown

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (``review-queue --json``): add keys, never rename or remove them."""
        return {"photo_id": self.photo_id, "caption_id": self.caption_id, "path": self.path,
                "captioner": self.captioner_id, "confidence": self.confidence,
                "novelty": None if self.novelty is None else round(self.novelty, 4)}


def claim_owner(editor: str | None = None) -> str:
    """Who holds a claim: the editor and this process ("ana@host:pid:start", as a job lease's holder)."""
    return f"{editor or default_author()}@{this_process()}"


def most_embedded_model(session: Any) -> str | None:
    """The embedder model with the most caption vectors in the catalogue (what `embed` made); None: none."""
    return session.scalar(
        select(Embedding.model_id).where(Embedding.caption_id.is_not(None)).group_by(Embedding.model_id)
        .order_by(func.count(Embedding.id).desc(), Embedding.model_id).limit(1))


# With a limit, the candidates are read a few confidence steps at a time (lowest first, each part twice
# the steps of the one before), as far as the parts holding the first ``limit``: a page of the queue
# reads a twentieth of a catalogue's drafts, not all of them.
PARTS = ((None, 1), (1, 3), (3, 7), (7, None))


def _reading(limit: int | None) -> list[dict[str, Any]]:
    """The parts to read candidates in (review_candidates' arguments): everything at once without a limit."""
    if limit is None:
        return [{}]
    return [{"confidence": (None if low is None else edge(low), None if high is None else edge(high))}
            for low, high in PARTS] + [{"unscored": True}]


def _keys(caption_ids: np.ndarray, revisions: np.ndarray) -> np.ndarray:
    """What each caption's vector was made from, as one number: the caption and its revision (every
    change of its text is a new revision)."""
    return (caption_ids << 24) | (revisions & 0xFFFFFF)


class ReviewQueue:
    """The queue over one catalogue, for one editor (``owner``: claim_owner()). Not thread-safe: one
    thread asks at a time (the app's catalogue worker)."""

    def __init__(self, catalogue: Catalogue, owner: str | None = None, model_id: str | None = None) -> None:
        self.catalogue = catalogue
        self.owner = owner or claim_owner()
        self.model_id = model_id
        self._index: VectorIndex | None = None
        self._nearest = NearestApproved()

    def entries(self, *, library_id: int | None = None, photo_ids: Collection[int] | None = None,
                exclude: Collection[int] = (), limit: int | None = None) -> list[QueueEntry]:
        """The photos needing review, most useful first: of ``library_id`` (None: all), only ``photo_ids``
        when given (the app's view), without ``exclude`` and photos other editors have claimed. With
        ``limit``, the candidates are read lowest confidence first only as far as the confidence steps
        that hold the first ``limit``."""
        with self.catalogue.read() as session:
            taken = claims.claimed_by_others(session, self.owner)
            skipped = set(exclude) | set(taken)
            wanted = None if photo_ids is None else set(photo_ids)
            rows: list[Any] = []
            for part in _reading(limit):
                rows += [row for row in review_candidates(session, library_id, **part)
                         if row[0] not in skipped and (wanted is None or row[0] in wanted)]
                if limit is not None and len(rows) >= limit:
                    break  # the confidence steps holding the first ``limit`` are all read
            paths = {library: path_under(root) for library, root in library_roots(session).items()}
            approved = session.execute(select(Caption.id, Caption.revision).where(
                Caption.is_current.is_(True), Caption.kind == CaptionKind.DESCRIPTION,
                Caption.state == ReviewState.APPROVED)).all()
            index = self._vectors(session)
        if not rows:
            return []
        count = len(rows)
        confidence = np.fromiter((np.nan if row[2] is None else row[2] for row in rows), np.float64, count)
        if index is None:
            vector_rows = np.full(count, -1, np.int64)
            order, novelty = most_useful(confidence, vector_rows >= 0, lambda _positions: np.zeros(0), limit)
        else:
            caption_ids = np.fromiter((row[1] for row in rows), np.int64, count)
            vector_rows = index.rows_for(caption_ids)
            keys = _keys(caption_ids, np.fromiter((row[6] for row in rows), np.int64, count))
            approved_ids = np.array([caption_id for caption_id, _revision in approved], np.int64)
            approved_rows = index.rows_for(approved_ids)
            found = approved_rows >= 0
            approved_keys = _keys(approved_ids, np.array([revision for _id, revision in approved], np.int64))
            self._nearest.approve(approved_keys[found], index.vectors_at(approved_rows[found]))

            def distance_of(positions: np.ndarray) -> np.ndarray:
                return self._nearest.distances(keys[positions], index.vectors_at(vector_rows[positions]))

            order, novelty = most_useful(confidence, vector_rows >= 0, distance_of, limit)
        entries = []
        for position, distance in zip(order.tolist(), novelty.tolist(), strict=True):
            photo_id, caption_id, conf, captioner_id, library, rel_path = rows[position][:6]
            entries.append(QueueEntry(photo_id, caption_id, paths[library](rel_path), captioner_id, conf,
                                      None if distance != distance else distance))  # NaN: unknown
        return entries

    def _vectors(self, session: Any) -> VectorIndex | None:
        """The caption vector index, loaded the first time and refreshed after; None without vectors."""
        # The model is found once: a queue keeps comparing the vectors it started with.
        model_id = self.model_id = self.model_id or most_embedded_model(session)
        if model_id is None:
            return None
        if self._index is None or self._index.model_id != model_id:
            self._index = VectorIndex(model_id, CAPTIONS)
            self._nearest = NearestApproved()  # distances of another model's vectors
        self._index.refresh(session)
        return self._index

    # -- claims ------------------------------------------------------------------------------------------

    def claim(self, photo_id: int, editor: str | None = None) -> str | None:
        """Claim the photo being reviewed (and release this editor's other claim); None when it is ours,
        else the editor who holds it."""
        with self.catalogue.write() as session:
            claims.clean_expired(session)
            return claims.claim(session, photo_id, self.owner, editor or default_author())

    def renew(self) -> int:
        """The editor is active: push back the lapse of their claim."""
        with self.catalogue.write() as session:
            return claims.renew(session, self.owner)

    def release(self, photo_id: int | None = None) -> int:
        """The editor left the photo (None: every photo, as the app closes)."""
        with self.catalogue.write() as session:
            return claims.release(session, self.owner, photo_id)
