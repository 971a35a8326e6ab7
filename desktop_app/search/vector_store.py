"""Vectors as the catalogue stores them: their form, writing them, and finding what has none.

One ``embeddings`` row per (caption or photo, model id): the L2-normalised vector as little-endian
float32 bytes, and ``content_hash``, the sha256 of the exact text embedded (a photo's own content hash
for photos). A caption whose text no longer hashes to its vector's hash is stale: embedding runs
(search/embedding.py) embed it again, and until then no search uses the old vector. Vectors of
different model ids live side by side and are never compared: an index (search/vector_index.py) holds
one model's vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Embedding, Photo, utcnow

CAPTIONS = "captions"
PHOTOS = "photos"
IN_CHUNK = 500  # ids per IN (...) list: well under SQLite's bound-parameter limit
_OWNER_TABLES: dict[str, Any] = {CAPTIONS: Caption, PHOTOS: Photo}


def text_hash(text: str) -> str:
    """The content hash of a caption's text: sha256 of its exact UTF-8 bytes, hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def normalised(vectors: Any) -> np.ndarray:
    """Rows scaled to unit length, float32 (an all-zero row stays zero)."""
    array = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.maximum(norms, 1e-12)


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes, dimension: int) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4", count=dimension)


def owner_column(kind: str) -> Any:
    """The embeddings column that says what a vector is of: a caption (CAPTIONS) or a photo (PHOTOS)."""
    return Embedding.caption_id if kind == CAPTIONS else Embedding.photo_id


def store_vectors(catalogue: Catalogue, kind: str, model_id: str, items: Sequence[tuple[int, str]],
                  vectors: np.ndarray) -> None:
    """Insert or replace the vectors of ``items`` (caption or photo id, by ``kind``; content hash) in one
    write transaction. A replaced vector keeps its row (and id): indexes learn of it from the owner's
    change."""
    owner, owner_table = owner_column(kind), _OWNER_TABLES[kind]
    now = utcnow()
    with catalogue.write() as session:
        # A caption or photo deleted while its batch was being embedded: nothing to store for it.
        ids = [owner_id for owner_id, _digest in items]
        existing = {row for chunk in chunks(ids) for row in
                    session.scalars(select(owner_table.id).where(owner_table.id.in_(chunk)))}
        rows = [{owner.key: owner_id, "model_id": model_id, "dimension": int(vectors.shape[1]),
                 "vector": to_blob(vector), "content_hash": digest, "created_at": now}
                for (owner_id, digest), vector in zip(items, vectors, strict=True) if owner_id in existing]
        if not rows:
            return
        insert = _dialect_insert(session)
        statement = insert(Embedding)
        statement = statement.on_conflict_do_update(
            index_elements=[owner.key, "model_id"],
            set_={column: statement.excluded[column]
                  for column in ("dimension", "vector", "content_hash", "created_at")},
        )
        # Core INSERT of converted values: the UTC type's bind conversion applies to created_at.
        session.execute(statement, rows)


def unembedded_captions(session: Session, model_id: str, limit: int) -> list[int]:
    """Up to ``limit`` ids of captions that have no vector of ``model_id`` at all (a stale one is the
    index's to find). Two counts first: a catalogue where every caption has one costs no scan."""
    captions = session.scalar(select(func.count(Caption.id))) or 0
    vectors = session.scalar(select(func.count(Embedding.id)).where(
        Embedding.model_id == model_id, Embedding.caption_id.is_not(None))) or 0
    if vectors >= captions:
        return []
    missing = (select(Caption.id)
               .outerjoin(Embedding, and_(Embedding.caption_id == Caption.id, Embedding.model_id == model_id))
               .where(Embedding.id.is_(None)).order_by(Caption.id).limit(limit))
    return list(session.scalars(missing))


def _dialect_insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def chunks(ids: Sequence[int] | Iterable[int], size: int = IN_CHUNK) -> Iterator[list[int]]:
    """``ids`` in lists of at most ``size``, for IN (...) conditions."""
    items = list(ids)
    for start in range(0, len(items), size):
        yield items[start:start + size]

