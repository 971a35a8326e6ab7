"""The in-memory vector index, and search by meaning (captions) and by pixels (photos) with it.

``VectorIndex`` keeps one model's vectors in a float16 matrix (half of float32's memory: 768 MB at
1M x 384) and ranks by one matrix-vector product. numpy has no fast float16 product on a CPU (1.15 s
at 1M x 384 on this 2-core machine, against 20 ms for torch's; float32 in numpy takes 30 ms but twice
the memory; int8 in numpy 150 ms), so the product runs in torch on the same memory. The best
candidates are then rescored in float32, so rounding in the float16 product does not reorder the top
hits (recall@10 against float32: 1.0 on 40 queries at 1M).

``refresh()`` is incremental: new vectors come from embeddings ids above the last one loaded,
changed captions from caption revision ids above the last one seen (every text change appends a
revision), and every hit is checked against its caption's current text before it is returned.
No Qt here; torch is imported only when an index ranks.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from desktop_app.catalogue.models import Caption, CaptionKind, CaptionRevision, Embedding, Photo
from desktop_app.catalogue.photos import absolute_path, library_roots
from desktop_app.plugin_api.embedder import Embedder, Modality
from desktop_app.search.embedding import vectors_of
from desktop_app.search.results import (
    Matched,
    SearchFilters,
    SearchHit,
    filter_conditions,
    is_unfiltered,
    searched,
)
from desktop_app.search.vector_store import CAPTIONS, PHOTOS, chunks, normalised, owner_column, text_hash

log = logging.getLogger(__name__)

LOAD_PAGE = 20_000  # vectors read per query while an index loads
OVERFETCH = 4  # several captions of one photo can rank together: fetch more than the hits asked for
RESCORE_MIN = 64  # the float16 product's best candidates rescored in float32, at least this many
COMPACT_FRACTION = 0.25  # dropped rows beyond this share of the matrix are squeezed out


class VectorIndex:
    """One model's vectors of captions (``kind`` CAPTIONS) or photos (PHOTOS), in memory, ranked by one
    matrix product. Call ``refresh(session)`` before searching: the first loads everything, later ones
    only what changed. Not thread-safe: one thread refreshes and searches at a time."""

    def __init__(self, model_id: str, kind: str = CAPTIONS, dtype: Any = np.float16) -> None:
        if kind not in (CAPTIONS, PHOTOS):
            raise ValueError(f"an index holds {CAPTIONS} or {PHOTOS}, not {kind!r}")
        self.model_id = model_id
        self.kind = kind
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float16, np.float32):
            raise ValueError("an index stores float16 or float32 vectors")
        self._owner = owner_column(kind)
        # The owner's table, and what its vectors are made from: a caption's text, a photo's content hash.
        captions = kind == CAPTIONS
        self._table = Caption if captions else Photo
        self._content = Caption.text if captions else Photo.content_hash
        self._reset()

    def _reset(self) -> None:
        self.dimension: int | None = None
        self._matrix = np.zeros((0, 0), self.dtype)
        self._ids = np.zeros(0, np.int64)  # the caption or photo id of each row
        self._digests = np.zeros((0, 32), np.uint8)  # the sha256 each row's vector was made from
        self._live = np.zeros(0, bool)
        self._order: np.ndarray | None = None  # rows sorted by owner id, for _rows_of
        self._size = 0  # rows in use; rows past it are spare capacity
        self._dead = 0  # rows in use whose vector is stale or whose caption or photo is gone
        self._embedding_mark: tuple[int, int] | None = None  # (embeddings.id, owner) of the newest row loaded
        self._revision_mark: tuple[int, int] | None = None  # (caption_revisions.id, caption id) last seen
        self._pending: set[int] = set()  # owners with a stale stored vector: used again once re-embedded
        self._unembedded: set[int] = set()  # captions added since the load that have no vector yet

    def __len__(self) -> int:
        """Vectors that searches can use."""
        return self._size - self._dead

    def needs_embedding(self) -> set[int]:
        """Captions (or photos) this index knows to lack a current vector: edited since they were
        embedded, or added since the index loaded. Captions without a vector at the first load are not
        listed (finding them reads every caption): ``photo-annotator embed`` embeds those."""
        return self._pending | self._unembedded

    @property
    def nbytes(self) -> int:
        return self._matrix.nbytes + self._ids.nbytes + self._digests.nbytes + self._live.nbytes

    # -- refreshing --------------------------------------------------------------------------------------

    def refresh(self, session: Session) -> None:
        """Bring the index up to date with the catalogue, reading only what changed since the last
        refresh (everything, the first time)."""
        if self._embedding_mark is not None and not self._marks_hold(session):
            log.info("vector index of %s: rows were deleted under its marks, reloading", self.model_id)
            self._reset()
        if self._embedding_mark is None:
            self._load_all(session)
            return
        changed = set(self._pending)
        if self.kind == CAPTIONS:
            mark = self._revision_mark[0] if self._revision_mark else 0
            revisions = session.execute(
                select(CaptionRevision.id, CaptionRevision.caption_id).where(CaptionRevision.id > mark)
                .order_by(CaptionRevision.id)
            ).all()
            if revisions:
                changed.update(caption_id for _id, caption_id in revisions)
                self._revision_mark = tuple(revisions[-1])  # type: ignore[assignment]
        loaded = self._load_new(session)
        self._recheck(session, changed - loaded)
        if self._dead > COMPACT_FRACTION * max(1, self._size):
            self._compact()

    def _marks_hold(self, session: Session) -> bool:
        """Whether the newest rows this index saw are still there: SQLite reuses the ids of deleted
        newest rows, and rows reusing an id below a mark would never be seen."""
        assert self._embedding_mark is not None
        embedding_id, owner = self._embedding_mark
        if embedding_id and session.scalar(select(self._owner).where(Embedding.id == embedding_id)) != owner:
            return False
        if self._revision_mark is not None and self._revision_mark[0]:
            revision_id, caption_id = self._revision_mark
            found = session.scalar(
                select(CaptionRevision.caption_id).where(CaptionRevision.id == revision_id))
            if found != caption_id:
                return False
        return True

    def _load_all(self, session: Session) -> None:
        if self.kind == CAPTIONS:
            newest = session.execute(
                select(CaptionRevision.id, CaptionRevision.caption_id)
                .order_by(CaptionRevision.id.desc()).limit(1)
            ).first()
            self._revision_mark = tuple(newest) if newest else (0, 0)  # type: ignore[assignment]
        count = session.scalar(
            select(func.count(Embedding.id)).where(Embedding.model_id == self.model_id)) or 0
        self._embedding_mark = (0, 0)
        self._load_new(session, expected=count)

    def _load_new(self, session: Session, expected: int = 0) -> set[int]:
        """Add the embeddings rows above the mark whose hash matches their owner's current content;
        returns the owners seen (stale ones go to pending)."""
        seen: set[int] = set()
        assert self._embedding_mark is not None
        connection = session.connection()  # Core rows: the ORM's per-row work is a third of a load
        while True:
            rows = connection.execute(
                self._with_current(select(Embedding.id, self._owner, Embedding.content_hash,
                                          Embedding.dimension, Embedding.vector))
                .where(Embedding.model_id == self.model_id, Embedding.id > self._embedding_mark[0])
                .order_by(Embedding.id).limit(LOAD_PAGE)
            ).all()
            if not rows:
                return seen
            self._embedding_mark = (rows[-1][0], rows[-1][1])
            self._take([row[1:] for row in rows], expected, new=bool(expected))
            seen.update(row[1] for row in rows)

    def _recheck(self, session: Session, owners: set[int]) -> None:
        """Owners whose content may have changed: keep, replace, or drop their rows."""
        owner_id = self._table.id
        for chunk in chunks(sorted(owners)):
            rows = session.execute(
                select(owner_id, Embedding.content_hash, Embedding.dimension, Embedding.vector, self._content)
                .outerjoin(Embedding, and_(self._owner == owner_id, Embedding.model_id == self.model_id))
                .where(owner_id.in_(chunk))
            ).all()
            self._take([row for row in rows if row[1] is not None], 0)
            # Never embedded (a first vector is a new embeddings row, which _load_new sees), or gone.
            unembedded = {row[0] for row in rows if row[1] is None}
            gone = set(chunk) - {row[0] for row in rows if row[1] is not None}
            self._drop(gone)
            self._pending -= gone
            self._unembedded = (self._unembedded - gone) | unembedded

    def _with_current(self, statement: Select[Any]) -> Select[Any]:
        """Adds the owner's current content (caption text, photo hash) as the last column."""
        return statement.add_columns(self._content).outerjoin(self._table, self._table.id == self._owner)

    def _current_digest(self, content: str | None) -> str | None:
        if content is None:
            return None
        return text_hash(content) if self.kind == CAPTIONS else content

    def _take(self, rows: Sequence[Any], expected: int, new: bool = False) -> None:
        """Rows of (owner, content hash, dimension, vector blob, current content): current ones into
        the matrix (replacing the owner's row, if any), stale ones out of it and into pending.
        ``new``: owners not in the index yet (a first load), so no row is looked up."""
        current = [self._current_digest(row[4]) for row in rows]
        fresh = [row for row, digest in zip(rows, current, strict=True) if row[1] == digest]
        if len(fresh) < len(rows):
            stale = [row for row, digest in zip(rows, current, strict=True) if row[1] != digest]
            self._pending.update(row[0] for row in stale if row[4] is not None)  # gone ones: forgotten
            if not new:
                self._drop(row[0] for row in stale)
        if self._pending or self._unembedded:
            owners_fresh = {row[0] for row in fresh}
            self._pending -= owners_fresh
            self._unembedded -= owners_fresh
        if not fresh:
            return
        dimension = fresh[0][2]
        if self.dimension is None:
            self.dimension = dimension
            self._matrix = np.zeros((0, dimension), self.dtype)
        if any(row[2] != self.dimension for row in fresh):
            raise ValueError(f"vectors of {self.model_id} have different dimensions in the catalogue")
        owners = np.fromiter((row[0] for row in fresh), np.int64, len(fresh))
        vectors = np.frombuffer(b"".join(row[3] for row in fresh), dtype="<f4").reshape(len(fresh), dimension)
        digests = np.frombuffer(b"".join(_digest_key(row[1]) for row in fresh), np.uint8).reshape(-1, 32)
        rows_of = np.full(len(owners), -1, np.int64) if new else self._rows_of(owners)
        replace = rows_of >= 0
        if replace.any():
            targets = rows_of[replace]
            self._matrix[targets] = vectors[replace]
            self._digests[targets] = digests[replace]
            self._dead -= int((~self._live[targets]).sum())
            self._live[targets] = True
        add = ~replace
        count = int(add.sum())
        if count:
            self._grow(self._size + count, expected)
            end = self._size + count
            self._matrix[self._size:end] = vectors[add]
            self._ids[self._size:end] = owners[add]
            self._digests[self._size:end] = digests[add]
            self._live[self._size:end] = True
            self._size = end
            self._order = None

    def _rows_of(self, owners: np.ndarray) -> np.ndarray:
        """The row of each owner, -1 where it has none: a scan of the ids for a few owners, else a
        binary search in the rows sorted by id (sorted once, until rows are added)."""
        result = np.full(len(owners), -1, np.int64)
        if not self._size or not len(owners):
            return result
        ids = self._ids[:self._size]
        if len(owners) <= 16 and self._order is None:
            for index, owner in enumerate(owners):
                hits = np.flatnonzero(ids == owner)
                if hits.size:
                    result[index] = hits[0]
            return result
        if self._order is None:
            self._order = np.argsort(ids, kind="stable")
        positions = np.minimum(np.searchsorted(ids, owners, sorter=self._order), len(ids) - 1)
        found = ids[self._order[positions]] == owners
        result[found] = self._order[positions][found]
        return result

    def _drop(self, owners: Iterable[int]) -> None:
        rows = self._rows_of(np.fromiter(owners, np.int64))
        rows = rows[rows >= 0]
        rows = rows[self._live[rows]]
        if rows.size:
            self._live[rows] = False
            self._dead += int(rows.size)

    def _grow(self, needed: int, expected: int) -> None:
        capacity = len(self._ids)
        if needed <= capacity:
            return
        capacity = max(needed, expected, int(capacity * 1.25) + 1024)
        matrix = np.zeros((capacity, self.dimension or 0), self.dtype)
        matrix[:self._size] = self._matrix[:self._size]
        self._matrix = matrix
        self._ids = np.resize(self._ids, capacity)
        self._digests = np.resize(self._digests, (capacity, 32))
        self._live = np.resize(self._live, capacity)

    def _compact(self) -> None:
        keep = np.flatnonzero(self._live[:self._size])
        self._matrix = self._matrix[keep].copy()
        self._ids, self._digests, self._live = self._ids[keep], self._digests[keep], self._live[keep]
        self._size, self._dead, self._order = len(keep), 0, None

    def rows_for(self, owner_ids: Any) -> np.ndarray:
        """The row holding each caption's (or photo's) current vector; -1 where it has none (never
        embedded, stale or gone)."""
        rows = self._rows_of(np.asarray(owner_ids, dtype=np.int64))
        found = rows >= 0
        rows[found] = np.where(self._live[rows[found]], rows[found], -1)
        return rows

    def vectors_at(self, rows: np.ndarray) -> np.ndarray:
        """float32 copies of the vectors in ``rows`` (from rows_for; normalised when stored)."""
        return self._matrix[rows].astype(np.float32)

    # -- ranking -------------------------------------------------------------------------------------------

    def search(self, query_vector: Any, k: int = 10, allowed_ids: Any = None) -> list[tuple[int, float]]:
        """The ``k`` caption (or photo) ids whose vectors are nearest ``query_vector`` by cosine, best first,
        with their scores; ``allowed_ids``: only among these ids."""
        return [(int(self._ids[row]), score) for row, score in self._ranked(query_vector, k, allowed_ids)]

    def _ranked(self, query_vector: Any, k: int, allowed_ids: Any = None) -> list[tuple[int, float]]:
        """(row, cosine) of the ``k`` best live rows."""
        if k <= 0 or not len(self):
            return []
        query = normalised(query_vector)[0]
        if query.shape[0] != self.dimension:
            raise ValueError(f"a {query.shape[0]}-dimensional query for {self.dimension}-dimensional vectors")
        scores = self._product(query)
        excluded = None
        if self._dead:
            excluded = ~self._live[:self._size]
        if allowed_ids is not None:
            allowed = (allowed_ids if isinstance(allowed_ids, np.ndarray)
                       else np.fromiter(allowed_ids, np.int64))
            outside = ~np.isin(self._ids[:self._size], allowed)
            excluded = outside if excluded is None else excluded | outside
        candidates = self._size
        if excluded is not None:
            scores[excluded] = -np.inf
            candidates -= int(excluded.sum())
        k = min(k, candidates)
        if k <= 0:
            return []
        # The float16 product's best few, rescored in float32 from the same rows.
        fetch = min(candidates, max(k * 2, RESCORE_MIN)) if self.dtype == np.float16 else k
        rows = np.argpartition(-scores, fetch - 1)[:fetch] if fetch < self._size else np.arange(self._size)
        rows = rows[np.isfinite(scores[rows])]
        exact = self._matrix[rows].astype(np.float32) @ query if self.dtype == np.float16 else scores[rows]
        order = np.lexsort((self._ids[rows], -exact))[:k]
        return [(int(rows[i]), float(exact[i])) for i in order]

    def _product(self, query: np.ndarray) -> np.ndarray:
        """Cosine of every row in use with ``query``, float32: one matrix-vector product."""
        matrix = self._matrix[:self._size]
        if self.dtype == np.float32:
            return matrix @ query
        import torch

        product = torch.mv(torch.from_numpy(matrix), torch.from_numpy(query.astype(np.float16)))
        return product.numpy().astype(np.float32)

    def _made_from(self, row: int, content_hash: str | None) -> bool:
        """Whether the row's vector was made from content with this hash."""
        return content_hash is not None and self._digests[row].tobytes() == _digest_key(content_hash)

    def _stale(self, row: int) -> None:
        """A hit whose caption changed after the last refresh: out of the index until re-embedded."""
        if self._live[row]:
            self._live[row] = False
            self._dead += 1
        self._pending.add(int(self._ids[row]))


def _digest_key(content_hash: str) -> bytes:
    """32 bytes standing for a content hash in memory: a text's sha256 as is; a photo's (16-byte blake2b)
    zero-padded; any other form hashed."""
    try:
        raw = bytes.fromhex(content_hash)
    except ValueError:
        raw = b""
    return raw.ljust(32, b"\0") if 0 < len(raw) <= 32 else hashlib.sha256(content_hash.encode()).digest()


# -- searching ----------------------------------------------------------------------------------------------

def semantic_search(session: Session, index: VectorIndex, embedder: Embedder, text: str,
                    filters: SearchFilters = SearchFilters(), limit: int = 20) -> list[SearchHit]:  # noqa: B008
    """Photos whose current captions of ``filters.kinds`` mean what ``text`` says, best first: one hit
    per photo (its best caption), score = cosine. ``index`` must hold captions of ``embedder``'s model,
    refreshed by the caller."""
    if index.kind != CAPTIONS or index.model_id != embedder.model:
        raise ValueError(f"the index holds {index.kind} of {index.model_id}, "
                         f"not captions of {embedder.model}")
    if limit <= 0 or not text.strip():
        return []
    query = vectors_of(embedder, [text])[0]
    allowed = None if is_unfiltered(filters) else _filtered_caption_ids(session, filters)
    return caption_hits(session, index, query, limit, allowed, filters)


def caption_hits(session: Session, index: VectorIndex, query: np.ndarray, limit: int,
                 allowed: np.ndarray | None = None,
                 filters: SearchFilters = SearchFilters()) -> list[SearchHit]:  # noqa: B008
    """The ranking part of ``semantic_search``, for a query already embedded. The index holds every
    caption's vector: those that are not current captions of ``filters.kinds`` are passed over."""
    roots = library_roots(session)
    fetch = limit * OVERFETCH
    while True:
        ranked = index._ranked(query, fetch, allowed)
        rows = _rows_by_id(session, select(Caption.id, Caption.photo_id, Caption.text, Caption.kind,
                                           Photo.library_id, Photo.rel_path,
                                           searched(filters).label("eligible"))
                           .join(Photo, Photo.id == Caption.photo_id),
                           Caption.id, [int(index._ids[row]) for row, _score in ranked])
        hits: list[SearchHit] = []
        photos: set[int] = set()
        stale = False
        for row, score in ranked:
            caption = rows.get(int(index._ids[row]))
            if caption is None or not index._made_from(row, text_hash(caption.text)):
                index._stale(row)  # deleted, or edited since the last refresh
                stale = True
                continue
            if caption.photo_id in photos or not caption.eligible:
                continue
            photos.add(caption.photo_id)
            hits.append(SearchHit(photo_id=caption.photo_id, caption_id=caption.id,
                                  path=absolute_path(roots[caption.library_id], caption.rel_path),
                                  caption=caption.text, score=score, matched=Matched.MEANING,
                                  kind=caption.kind))
            if len(hits) == limit:
                return hits
        if len(ranked) < fetch and not stale:
            return hits
        fetch *= OVERFETCH


def image_search(session: Session, index: VectorIndex, embedder: Embedder, text: str,
                 filters: SearchFilters = SearchFilters(), limit: int = 20) -> list[SearchHit]:  # noqa: B008
    """Photos whose pixels match ``text`` through an image-text embedder (CLIP, SigLIP), best first,
    captioned or not. A hit carries the photo's current caption, if any (caption_id None and caption ""
    otherwise). Caption filters (state, captioner, origin) keep photos with a caption that passes."""
    if index.kind != PHOTOS or index.model_id != embedder.model:
        raise ValueError(f"the index holds {index.kind} of {index.model_id}, not photos of {embedder.model}")
    if Modality.IMAGE not in embedder.modalities:
        raise ValueError(f"embedder {embedder.id} does not embed photos")
    if limit <= 0 or not text.strip():
        return []
    query = vectors_of(embedder, [text])[0]
    allowed = None if is_unfiltered(filters) else _filtered_photo_ids(session, filters)
    roots = library_roots(session)
    fetch = limit
    while True:
        ranked = index._ranked(query, fetch, allowed)
        rows = _rows_by_id(
            session,
            select(Photo.id, Photo.library_id, Photo.rel_path, Photo.content_hash,
                   Caption.id.label("caption_id"), Caption.text)
            .outerjoin(Caption, and_(Caption.photo_id == Photo.id, Caption.is_current.is_(True),
                                     Caption.kind == CaptionKind.DESCRIPTION)),
            Photo.id, [int(index._ids[row]) for row, _score in ranked])
        hits: list[SearchHit] = []
        stale = False
        for row, score in ranked:
            photo = rows.get(int(index._ids[row]))
            if photo is None or not index._made_from(row, photo.content_hash):
                index._stale(row)  # deleted, or the file changed since it was embedded
                stale = True
                continue
            hits.append(SearchHit(photo_id=photo.id, caption_id=photo.caption_id,  # type: ignore[arg-type]
                                  path=absolute_path(roots[photo.library_id], photo.rel_path),
                                  caption=photo.text or "", score=score, matched=Matched.PIXELS,
                                  kind=CaptionKind.DESCRIPTION if photo.caption_id else None))
            if len(hits) == limit:
                return hits
        if len(ranked) < fetch and not stale:
            return hits
        fetch *= OVERFETCH


def _rows_by_id(session: Session, statement: Select[Any], key: Any, ids: Sequence[int]) -> dict[int, Any]:
    rows: dict[int, Any] = {}
    for chunk in chunks(ids):
        for row in session.execute(statement.where(key.in_(chunk))):
            rows[row[0]] = row
    return rows


def _filtered_caption_ids(session: Session, filters: SearchFilters) -> np.ndarray:
    statement = (select(Caption.id).join(Photo, Photo.id == Caption.photo_id)
                 .where(searched(filters), *filter_conditions(filters)))
    return np.fromiter(session.scalars(statement), np.int64)


def _filtered_photo_ids(session: Session, filters: SearchFilters) -> np.ndarray:
    caption_filters = (filters.approved_only, filters.state, filters.captioner, filters.origin)
    if any(caption_filters):
        statement = (select(Photo.id).join(Caption, Caption.photo_id == Photo.id)
                     .where(searched(filters), *filter_conditions(filters)).distinct())
    else:
        statement = select(Photo.id).where(*filter_conditions(filters))
    return np.fromiter(session.scalars(statement), np.int64)
