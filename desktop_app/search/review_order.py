"""The "most useful first" review order: the arithmetic, on arrays (services/review_queue.py reads the
catalogue and calls it).

The rules:
- photos are taken in confidence buckets of CONFIDENCE_STEP (0.05): [0, 0.05), [0.05, 0.10)... lowest
  first; a caption without a confidence (a person's or an imported draft) comes after every bucket;
- within a bucket, the photo least like anything already approved comes first: its novelty is the
  cosine distance (1 - cosine, 0..2) from its caption's vector to the nearest approved caption's vector;
- a photo without a vector (its caption not embedded yet, or edited since) comes after the photos of its
  bucket that have one: how novel it is is unknown;
- ties (equal novelty, or none known) go by confidence, then by the order the candidates came in (the
  grid's name order);
- with nothing approved (or embedded) yet, the order is lowest confidence first.

Buckets are taken one at a time, so asking for the first few photos (Ctrl+Enter, ``--limit``) compares
only the lowest bucket's photos with the approved ones. No Qt, no torch: numpy's matrix product.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

CONFIDENCE_STEP = 0.05
CHUNK_ROWS = 4096  # candidates per matrix product: 4096 x 10,000 approved is 160 MB of float32

# (rows of candidates) -> their vectors, float32 and normalised, one row each
VectorsOf = Callable[[np.ndarray], np.ndarray]


def buckets(confidence: np.ndarray) -> np.ndarray:
    """Each confidence's bucket number (NaN, no confidence: after all others). Rounded first, so 0.15 is
    in the bucket [0.15, 0.20) although 0.15 / 0.05 is 2.9999999999999996 in binary."""
    values = np.asarray(confidence, dtype=np.float64)
    numbers = np.floor(np.round(values / CONFIDENCE_STEP, 6))
    known = np.isfinite(numbers)
    last = numbers[known].max() + 1 if known.any() else 0
    return np.where(known, numbers, last).astype(np.int64)


def nearest_distance(candidates: np.ndarray, approved: np.ndarray,
                     chunk_rows: int = CHUNK_ROWS) -> np.ndarray:
    """Cosine distance from each candidate vector to its nearest approved vector (both normalised); NaN
    for all when nothing is approved."""
    if not len(approved):
        return np.full(len(candidates), np.nan, np.float32)
    nearest = np.empty(len(candidates), np.float32)
    transposed = np.ascontiguousarray(approved.T, dtype=np.float32)
    for start in range(0, len(candidates), chunk_rows):
        block = np.asarray(candidates[start:start + chunk_rows], dtype=np.float32)
        nearest[start:start + len(block)] = (block @ transposed).max(axis=1)
    return np.clip(1.0 - nearest, 0.0, 2.0)


def most_useful(confidence: np.ndarray, has_vector: np.ndarray, vectors_of: VectorsOf, approved: np.ndarray,
                limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The candidates in the module's order: (their positions, best first; their novelty, NaN where
    unknown). ``confidence``: per candidate (NaN: none); ``has_vector``: whether it has one;
    ``vectors_of(positions)``: those candidates' vectors; ``approved``: the approved captions' vectors.
    With ``limit``, only the first ``limit`` (and only their buckets' distances are computed)."""
    confidence = np.asarray(confidence, dtype=np.float64)
    count = len(confidence)
    wanted = count if limit is None else min(max(limit, 0), count)
    numbers = buckets(confidence)
    by_bucket = np.argsort(numbers, kind="stable")  # stable: the candidates' own order within a bucket
    edges = np.flatnonzero(np.diff(numbers[by_bucket])) + 1
    order: list[np.ndarray] = []
    novelty: list[np.ndarray] = []
    taken = 0
    for members in np.split(by_bucket, edges) if count else []:
        if taken >= wanted:
            break
        distance = np.full(len(members), np.nan, np.float32)
        with_vector = has_vector[members]
        if with_vector.any() and len(approved):
            distance[with_vector] = nearest_distance(vectors_of(members[with_vector]), approved)
        known = np.isfinite(distance)
        # lexsort: the last key first. Unknown novelty last, then most novel, then lowest confidence.
        ranked = np.lexsort((np.arange(len(members)), confidence[members],
                             -np.where(known, distance, 0.0), ~known))
        order.append(members[ranked])
        novelty.append(distance[ranked])
        taken += len(members)
    if not order:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    return np.concatenate(order)[:wanted], np.concatenate(novelty)[:wanted]
