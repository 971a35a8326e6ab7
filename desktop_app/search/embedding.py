"""Embedding: the embedder's vectors of texts or photos, and the runs that embed a catalogue's captions
(``embed_captions``) and photos (``embed_photos``), batch by batch, each batch written in one
transaction (search/vector_store.py). Photos decode ahead of the embedder as they do for the captioning
engine (library/decoding.py). No Qt; torch is the embedder plugin's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import and_, func, select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Embedding, Photo, PhotoStatus
from desktop_app.catalogue.photos import absolute_path, library_roots
from desktop_app.library.decoding import decode_ahead
from desktop_app.plugin_api.embedder import Embedder, Modality, plugin_failures
from desktop_app.search.vector_store import CAPTIONS, IN_CHUNK, PHOTOS, normalised, store_vectors, text_hash

DEFAULT_BATCH_SIZE = 64
DEFAULT_PHOTO_BATCH_SIZE = 16
PAGE = 2000  # captions or photos read per query while embedding: never all texts at once

Progress = Callable[[int, int], None]  # (done, total)
Stop = Callable[[], bool]


@dataclass
class EmbedReport:
    """What one ``embed_captions`` or ``embed_photos`` run did."""

    model_id: str
    kind: str = CAPTIONS
    embedded: int = 0  # vectors written: new, or replacing a stale one
    current: int = 0  # already had a vector of the current text (or pixels)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (photo id, one-line reason)
    stopped: bool = False
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"model_id": self.model_id, "kind": self.kind, "embedded": self.embedded,
                "current": self.current, "failed": [{"photo_id": photo_id, "error": reason}
                                                    for photo_id, reason in self.failed],
                "stopped": self.stopped, "seconds": round(self.seconds, 3)}


def vectors_of(embedder: Embedder, inputs: Sequence[Any], images: bool = False) -> np.ndarray:
    """The embedder's normalised vectors of ``inputs`` (texts, or photos with ``images``); whatever goes
    wrong in the plugin, vectors of the wrong shape included, is an EmbedderError."""
    with plugin_failures(embedder, "embedding photos" if images else "embedding text"):
        vectors = embedder.embed_images(inputs) if images else embedder.embed_texts(inputs)
        array = np.asarray(vectors, dtype=np.float32)
        if array.ndim != 2 or array.shape[0] != len(inputs):
            raise ValueError(f"returned {array.shape} vectors for {len(inputs)} inputs")
    return normalised(array)  # the contract says normalised; stored vectors must be, whatever a plugin does


def embed_captions(catalogue: Catalogue, embedder: Embedder, batch_size: int = DEFAULT_BATCH_SIZE,
                   progress: Progress | None = None, stop: Stop | None = None,
                   caption_ids: Iterable[int] | None = None) -> EmbedReport:
    """Embed every caption that has no current vector of ``embedder``'s model (none yet, or its text
    was edited since), ``batch_size`` at a time, each batch written in one transaction. The loaded
    ``embedder`` is the caller's. ``stop`` is asked between batches. ``caption_ids``: only these (such
    as ``VectorIndex.needs_embedding()``, the captions edited or added since an index loaded), without
    reading the others."""
    model_id = embedder.model
    report = EmbedReport(model_id, CAPTIONS)
    started = time.perf_counter()
    chosen = None if caption_ids is None else sorted(set(caption_ids))
    if chosen is None:
        with catalogue.read() as session:
            total = session.scalar(select(func.count(Caption.id))) or 0
    else:
        total = len(chosen)
    done = 0
    work: list[tuple[int, str, str]] = []  # (caption id, text, its hash)

    def flush(batch: list[tuple[int, str, str]]) -> None:
        nonlocal done
        vectors = vectors_of(embedder, [text for _id, text, _hash in batch])
        store_vectors(catalogue, CAPTIONS, model_id,
                      [(caption_id, digest) for caption_id, _text, digest in batch], vectors)
        report.embedded += len(batch)
        done += len(batch)

    current = (select(Caption.id, Caption.text, Embedding.content_hash)
               .outerjoin(Embedding, and_(Embedding.caption_id == Caption.id, Embedding.model_id == model_id))
               .order_by(Caption.id))
    last_id = 0
    pages_left = True
    while pages_left or work:
        if pages_left:
            with catalogue.read() as session:
                if chosen is None:
                    rows = session.execute(current.where(Caption.id > last_id).limit(PAGE)).all()
                    pages_left = len(rows) == PAGE
                else:
                    page, chosen = chosen[:IN_CHUNK], chosen[IN_CHUNK:]
                    rows = session.execute(current.where(Caption.id.in_(page))).all()
                    pages_left = bool(chosen)
                    done += len(page) - len(rows)  # deleted since
            if rows:
                last_id = rows[-1][0]
            for caption_id, text, stored in rows:
                digest = text_hash(text)
                if stored == digest:
                    report.current += 1
                    done += 1
                else:
                    work.append((caption_id, text, digest))
        # Full batches while pages remain; then the rest.
        while len(work) >= batch_size or (work and not pages_left):
            if stop is not None and stop():
                report.stopped = True
                report.seconds = time.perf_counter() - started
                return report
            batch, work = work[:batch_size], work[batch_size:]
            flush(batch)
            if progress is not None:
                progress(done, total)
        if progress is not None:
            progress(done, total)
    report.seconds = time.perf_counter() - started
    return report


def embed_photos(catalogue: Catalogue, embedder: Embedder, batch_size: int = DEFAULT_PHOTO_BATCH_SIZE,
                 progress: Progress | None = None, stop: Stop | None = None,
                 decode_workers: int = 2) -> EmbedReport:
    """Embed the pixels of every readable photo that has no vector of ``embedder``'s model for its
    current content (an image-text embedder only). Files that cannot be decoded are reported, one
    line each, and left without a vector. The next batch decodes while the embedder works on this one."""
    if Modality.IMAGE not in embedder.modalities:
        raise ValueError(f"embedder {embedder.id} embeds text only, not photos")
    model_id = embedder.model
    report = EmbedReport(model_id, PHOTOS)
    started = time.perf_counter()
    ok = and_(Photo.status == PhotoStatus.OK, Photo.content_hash.is_not(None))
    with catalogue.read() as session:
        total = session.scalar(select(func.count(Photo.id)).where(ok)) or 0
        roots = library_roots(session)
    done = 0

    def batches() -> Iterator[list[tuple[int, str, str]]]:
        """(photo id, path, content hash) of the photos to embed, a page read at a time; those whose
        vector is current are counted as done."""
        nonlocal done
        last_id = 0
        while True:
            with catalogue.read() as session:
                rows = session.execute(
                    select(Photo.id, Photo.library_id, Photo.rel_path, Photo.content_hash,
                           Embedding.content_hash)
                    .outerjoin(Embedding, and_(Embedding.photo_id == Photo.id,
                                               Embedding.model_id == model_id))
                    .where(Photo.id > last_id, ok).order_by(Photo.id).limit(PAGE)
                ).all()
            if not rows:
                return
            last_id = rows[-1][0]
            work = [(photo_id, absolute_path(roots[library_id], rel_path), digest)
                    for photo_id, library_id, rel_path, digest, stored in rows if stored != digest]
            report.current += len(rows) - len(work)
            done += len(rows) - len(work)
            for start in range(0, len(work), batch_size):
                yield work[start:start + batch_size]

    def stopping() -> bool:
        report.stopped = stop is not None and stop()
        return report.stopped

    max_side = getattr(embedder, "max_image_side", None)
    for ready in decode_ahead(batches(), lambda item: item[1], max_side=max_side, workers=decode_workers,
                              stop=stopping, thread_name_prefix="embed-decode"):
        good = [entry for entry in ready.decoded if entry.error is None]
        report.failed += [(entry.item[0], entry.error) for entry in ready.decoded if entry.error is not None]
        if good:
            vectors = vectors_of(embedder, [entry.image for entry in good], images=True)
            store_vectors(catalogue, PHOTOS, model_id, [(entry.item[0], entry.item[2]) for entry in good],
                          vectors)
            report.embedded += len(good)
        done += len(ready.items)
        if progress is not None:
            progress(done, total)
    if progress is not None and not report.stopped:
        progress(done, total)
    report.seconds = time.perf_counter() - started
    return report
