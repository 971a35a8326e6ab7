"""The "most useful first" review order: the arithmetic, on arrays (services/review_queue.py reads the
catalogue and calls it).

The rules:
- photos are taken in confidence buckets of CONFIDENCE_STEP (0.05): [0, 0.05), [0.05, 0.10)... lowest
  first (a bucket's edges are k / 20 as doubles, so 0.15 opens [0.15, 0.20)); a caption without a
  confidence (a person's or an imported draft) comes after every bucket;
- within a bucket, the photo least like anything already approved comes first: its novelty is the
  cosine distance (1 - cosine, 0..2) from its caption's vector to the nearest approved caption's vector;
- a photo without a vector (its caption not embedded yet, or edited since) comes after the photos of its
  bucket that have one: how novel it is is unknown;
- ties (equal novelty, or none known) go by confidence, then by the order the candidates came in (the
  review queue reads them in name order: library, then natural file order);
- with nothing approved (or embedded) yet, the order is lowest confidence first.

Buckets are taken one at a time, so asking for the first few photos (Ctrl+Enter, ``--limit``) compares
only the lowest bucket's photos with the approved ones; NearestApproved keeps the distances between calls
and brings them up to date with new approvals. No Qt, no torch: numpy's matrix product.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

STEPS = 20  # confidence steps per unit: [0, 0.05), [0.05, 0.10)...
CONFIDENCE_STEP = 1 / STEPS
CHUNK_ROWS = 4096  # candidates per matrix product: 4096 x 10,000 approved is 160 MB of float32
NO_CONFIDENCE = 1 << 40  # the bucket of a caption without a confidence: after every other


def edge(number: int) -> float:
    """Where bucket ``number`` starts: number / STEPS as the nearest double (0.15 for 3, exactly the
    literal 0.15), the same bound a database compares with."""
    return number / STEPS


def bucket(confidence: float | None) -> int:
    """One confidence's bucket: the ``number`` with edge(number) <= confidence < edge(number + 1)
    (NO_CONFIDENCE for None)."""
    if confidence is None or confidence != confidence:
        return NO_CONFIDENCE
    number = math.floor(confidence * STEPS)
    if confidence < edge(number):
        number -= 1
    elif confidence >= edge(number + 1):
        number += 1
    return number


def buckets(confidence: np.ndarray) -> np.ndarray:
    """Each confidence's bucket, as ``bucket`` numbers them (NaN, no confidence: after all others)."""
    values = np.asarray(confidence, dtype=np.float64)
    known = np.isfinite(values)
    numbers = np.floor(np.where(known, values, 0.0) * STEPS)
    numbers -= values < numbers / STEPS
    numbers += values >= (numbers + 1) / STEPS
    last = numbers[known].max() + 1 if known.any() else 0
    return np.where(known, numbers, last).astype(np.int64)


def nearest_similarity(candidates: np.ndarray, approved: np.ndarray,
                       chunk_rows: int = CHUNK_ROWS) -> np.ndarray:
    """Each candidate vector's cosine with its nearest approved vector (both normalised); -inf for all
    when ``approved`` is empty."""
    nearest = np.full(len(candidates), -np.inf, np.float32)
    if not len(approved) or not len(candidates):
        return nearest
    transposed = np.ascontiguousarray(approved.T, dtype=np.float32)
    for start in range(0, len(candidates), chunk_rows):
        block = np.asarray(candidates[start:start + chunk_rows], dtype=np.float32)
        nearest[start:start + len(block)] = (block @ transposed).max(axis=1)
    return nearest


def nearest_distance(candidates: np.ndarray, approved: np.ndarray) -> np.ndarray:
    """Cosine distance from each candidate vector to its nearest approved vector; NaN for all when nothing
    is approved."""
    if not len(approved):
        return np.full(len(candidates), np.nan, np.float32)
    return np.clip(1.0 - nearest_similarity(candidates, approved), 0.0, 2.0)


class NearestApproved:
    """Each candidate's nearest approved vector, kept between calls (the app asks again after every
    approval): a kept value is brought up to date with the approved vectors added since it was computed,
    so one approval costs one product per candidate instead of one per approved caption. Keys name what a
    vector was made from (a caption and its revision: an edited caption is a new key); when an approved
    key is gone (an approval undone, an approved caption edited) everything is computed again."""

    def __init__(self) -> None:
        self._log = np.zeros(0, np.int64)  # the approved keys, in the order they were taken in
        # Per candidate key (sorted): the cosine with its nearest approved vector, and how many entries
        # of the log that covers.
        self._keys = np.zeros(0, np.int64)
        self._best = np.zeros(0, np.float32)
        self._covered = np.zeros(0, np.int64)
        self._ordered = np.zeros((0, 0), np.float32)  # the approved vectors in log order

    def approve(self, approved_keys: np.ndarray, approved: np.ndarray) -> None:
        """The approved vectors now (``approved_keys`` naming each row of ``approved``), before asking for
        distances."""
        if not np.isin(self._log, approved_keys).all():
            self.__init__()  # type: ignore[misc]
        self._log = np.concatenate([self._log, approved_keys[~np.isin(approved_keys, self._log)]])
        sorter = np.argsort(approved_keys, kind="stable")
        self._ordered = approved[sorter[np.searchsorted(approved_keys, self._log, sorter=sorter)]]

    def distances(self, keys: np.ndarray, vectors: np.ndarray) -> np.ndarray:
        """Cosine distance from each candidate (``keys``, ``vectors``) to its nearest vector of those
        ``approve`` gave; NaN for all when none."""
        if not len(self._log):
            return np.full(len(keys), np.nan, np.float32)
        ordered = self._ordered
        best = np.full(len(keys), -np.inf, np.float32)
        covered = np.zeros(len(keys), np.int64)
        places = np.minimum(np.searchsorted(self._keys, keys), max(len(self._keys) - 1, 0))
        kept = self._keys[places] == keys if len(self._keys) else np.zeros(len(keys), bool)
        best[kept], covered[kept] = self._best[places[kept]], self._covered[places[kept]]
        for start in np.unique(covered).tolist():
            if start < len(self._log):
                members = np.flatnonzero(covered == start)
                closest = nearest_similarity(vectors[members], ordered[start:])
                best[members] = np.maximum(best[members], closest)
        self._best[places[kept]] = best[kept]
        self._covered[places[kept]] = len(self._log)
        if not kept.all():
            merged = np.concatenate([self._keys, keys[~kept]])
            order = np.argsort(merged, kind="stable")
            self._keys = merged[order]
            self._best = np.concatenate([self._best, best[~kept]])[order]
            added = np.full(int((~kept).sum()), len(self._log))
            self._covered = np.concatenate([self._covered, added])[order]
        return np.clip(1.0 - best, 0.0, 2.0)


# (positions of candidates with a vector) -> their distance to the nearest approved vector (NaN: unknown)
DistanceOf = Callable[[np.ndarray], np.ndarray]


def most_useful(confidence: np.ndarray, has_vector: np.ndarray, distance_of: DistanceOf,
                limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The candidates in the module's order: (their positions, best first; their novelty, NaN where
    unknown). ``confidence``: per candidate (NaN: none); ``has_vector``: whether it has one;
    ``distance_of(positions)``: those candidates' novelty (nearest_distance, or NearestApproved's). With
    ``limit``, only the first ``limit`` (and only their buckets' distances are computed)."""
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
        if with_vector.any():
            distance[with_vector] = distance_of(members[with_vector])
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
