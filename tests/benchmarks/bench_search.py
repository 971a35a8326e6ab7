"""Search benchmark: keyword, semantic and hybrid search over N captions, each beside a naive baseline.

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_search [--captions 1000000] [--queries 200]
        [--workdir DIR] [--dtype float16|float32]

The catalogue (built once in the work folder, reused while --captions and the generator version match):
one library of N photos, each with one current caption of 6-14 words drawn from a 5,000-word
vocabulary with Zipf-like frequencies (so some words are in half the captions and most are rare), 60%
of them approved; and for each caption a random L2-normalised 384-dimension float32 vector stored as
the app stores them (model id, content hash). The rows go in with SQLAlchemy Core bulk inserts into a
catalogue the app's migrations created; the FTS5 index triggers are dropped during the load and the
index is rebuilt at the end (timed: "keyword index build"), then the triggers are put back.

Measured, each on the same catalogue in this process:
- keyword: ``keyword_search(session, query, limit=20)`` for --queries queries of 1-3 vocabulary words
  (a third with a phrase or an OR), p50/p95 ms; naive: ``caption.text LIKE '%w%'`` for each word,
  LIMIT 20 (no ranking at all), on the first 20 queries.
- semantic: the app's VectorIndex built from the stored vectors (timed: "vector index build"), then
  ``search(query_vector, k=10)`` for random unit query vectors, p50/p95 ms; naive: every stored vector
  decoded and dotted in a Python loop (per-row cosine), on the first 3 queries. Recall@10 of the index
  (its number format) against exact float32 ranking, over all queries.
- hybrid: keyword top-100 and semantic top-100 fused by reciprocal rank (the app's ``fuse``), p50 ms.
  The query's embedding by the text model is not in these figures: the model is loaded once and embeds
  a short query in a few milliseconds (printed separately when the embedder is installed).
- peak memory: the process's maximum RSS (ru_maxrss) after the measurements.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-search"
GENERATOR_VERSION = 1
DIMENSION = 384
MODEL_ID = "bench/random-384"
VOCABULARY = 5_000
INSERT_BATCH = 20_000
SEED = 7

KEYWORD_TARGET_MS = 30.0
SEMANTIC_TARGET_MS = 100.0
MEMORY_TARGET_MB = 2_000
RECALL_TARGET = 0.99
NAIVE_KEYWORD_QUERIES = 20
NAIVE_SEMANTIC_QUERIES = 3


def vocabulary() -> list[str]:
    """VOCABULARY distinct pronounceable words, the same in every run."""
    rng = random.Random(SEED)
    syllables = ["ba", "ko", "ri", "mu", "te", "la", "no", "si", "da", "fe", "go", "pu", "zi", "ve", "ha"]
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def caption_texts(count: int, words: Sequence[str]) -> list[str]:
    rng = random.Random(SEED + 1)
    weights = [1.0 / (rank + 1) for rank in range(len(words))]  # Zipf: a few common words, many rare
    return [" ".join(rng.choices(words, weights, k=rng.randint(6, 14))) for _ in range(count)]


def unit_vectors(count: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).standard_normal((count, DIMENSION), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


# --- the catalogue ---------------------------------------------------------------------------------------

def build(db: Path, count: int) -> dict[str, float]:
    """Fill a new catalogue at ``db``; returns timings of its stages in seconds."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, text

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Caption, Embedding, Library, Photo

    timings: dict[str, float] = {}
    catalogue = open_catalogue(db)
    words = vocabulary()
    texts = caption_texts(count, words)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    with catalogue.engine.begin() as connection:
        triggers = [sql for (sql,) in connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'captions_fts_%'")]
        for name in ("insert", "delete", "update"):
            connection.exec_driver_sql(f"DROP TRIGGER captions_fts_{name}")
        connection.execute(insert(Library.__table__), [{"id": 1, "root": "/archive", "name": "archive",
                                                         "added_at": now}])
        for first in range(0, count, INSERT_BATCH):
            last = min(first + INSERT_BATCH, count)
            connection.execute(insert(Photo.__table__), [
                {"id": n + 1, "library_id": 1, "rel_path": f"{n // 1000:04}/IMG_{n:07}.jpg".encode(),
                 "content_hash": f"{n:064x}", "status": "ok", "added_at": now, "updated_at": now}
                for n in range(first, last)])
            connection.execute(insert(Caption.__table__), [
                {"id": n + 1, "photo_id": n + 1, "text": texts[n], "origin": "ai",
                 "state": "approved" if n % 5 < 3 else "draft", "is_current": True, "captioner_id": "bench",
                 "model_id": "bench", "created_at": now, "updated_at": now}
                for n in range(first, last)])
    timings["rows"] = time.perf_counter() - started

    started = time.perf_counter()
    with catalogue.engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO captions_fts(captions_fts) VALUES ('rebuild')")
        for sql in triggers:
            connection.exec_driver_sql(sql)
    timings["keyword_index"] = time.perf_counter() - started

    started = time.perf_counter()
    with catalogue.engine.begin() as connection:
        for first in range(0, count, INSERT_BATCH):
            last = min(first + INSERT_BATCH, count)
            vectors = unit_vectors(last - first, SEED + first)
            connection.execute(insert(Embedding.__table__), [
                {"caption_id": n + 1, "model_id": MODEL_ID, "dimension": DIMENSION,
                 "vector": vectors[n - first].astype("<f4").tobytes(),
                 "content_hash": hashlib.sha256(texts[n].encode()).hexdigest(), "created_at": now}
                for n in range(first, last)])
    timings["vectors"] = time.perf_counter() - started
    with catalogue.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    catalogue.close()
    return timings


# --- measuring ---------------------------------------------------------------------------------------------

def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return (time.perf_counter() - started) * 1000, result


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def keyword_queries(count: int) -> list[str]:
    rng = random.Random(SEED + 2)
    words = vocabulary()
    common, rare = words[:200], words[200:]
    queries = []
    for number in range(count):
        picked = [rng.choice(common if rng.random() < 0.5 else rare) for _ in range(rng.randint(1, 3))]
        if number % 3 == 1 and len(picked) > 1:
            queries.append(f'"{picked[0]} {picked[1]}"' + "".join(f" {w}" for w in picked[2:]))
        elif number % 3 == 2 and len(picked) > 1:
            queries.append(" OR ".join(picked))
        else:
            queries.append(" ".join(picked))
    return queries


def naive_keyword(session: Any, query: str) -> list[int]:
    from sqlalchemy import and_, select

    from desktop_app.catalogue.models import Caption

    words = [w for w in query.replace('"', " ").split() if w not in ("OR", "AND", "NOT")]
    matching = and_(*[Caption.text.like(f"%{word}%") for word in words])
    return list(session.scalars(select(Caption.photo_id).where(matching).limit(20)))


def naive_semantic(session: Any, query: np.ndarray) -> list[int]:
    from sqlalchemy import select

    from desktop_app.catalogue.models import Embedding

    scored = []
    rows = session.execute(select(Embedding.caption_id, Embedding.vector)
                           .where(Embedding.model_id == MODEL_ID).execution_options(yield_per=10_000))
    for caption_id, blob in rows:
        vector = np.frombuffer(blob, dtype="<f4")
        scored.append((float(np.dot(vector, query)), caption_id))
    scored.sort(reverse=True)
    return [caption_id for _score, caption_id in scored[:10]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captions", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--dtype", choices=("float16", "float32"), default="float16",
                        help="the vector index's number format (the app's: float16)")
    args = parser.parse_args()
    run(args.captions, args.queries, args.workdir, args.dtype)


def run(count: int, queries: int, workdir: Path, dtype: str) -> None:
    import json
    import os
    import platform
    import sqlite3

    from desktop_app.catalogue import open_catalogue
    from desktop_app.search.keyword import keyword_search
    from desktop_app.search.service import fuse
    from desktop_app.search.vector_index import VectorIndex, caption_hits

    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"catalogue-{count}-v{GENERATOR_VERSION}.db"
    built = db.with_suffix(".json")
    if not db.exists() or not built.exists():
        for stale in workdir.glob(f"catalogue-{count}-*"):
            stale.unlink()
        print(f"building a catalogue of {count:,} captions in {db} ...", flush=True)
        built.write_text(json.dumps(build(db, count)))
    build_times = json.loads(built.read_text())
    catalogue = open_catalogue(db)
    texts_queries = keyword_queries(queries)
    vectors_queries = unit_vectors(queries, SEED + 99)
    table: list[tuple[str, str, str, str]] = []

    with catalogue.read() as session:
        # keyword
        keyword_search(session, texts_queries[0])  # warm the page cache and the statement cache
        keyword_ms = [timed(lambda q=q: keyword_search(session, q, limit=20))[0] for q in texts_queries]
        naive_keyword_ms = [timed(lambda q=q: naive_keyword(session, q))[0]
                            for q in texts_queries[:NAIVE_KEYWORD_QUERIES]]

        # semantic: the index, then queries
        build_ms, index = timed(lambda: _built_index(VectorIndex, session, dtype))
        index.search(vectors_queries[0], k=10)
        semantic_ms, found = [], []
        for query in vectors_queries:
            elapsed, top = timed(lambda query=query: index.search(query, k=10))
            semantic_ms.append(elapsed)
            found.append({item_id for item_id, _score in top})
        truths = exact_top10(session, vectors_queries)
        recalls = [len(truth & got) / 10 for truth, got in zip(truths, found, strict=True)]
        naive_semantic_ms = [timed(lambda query=query: naive_semantic(session, query))[0]
                             for query in vectors_queries[:NAIVE_SEMANTIC_QUERIES]]

        # hybrid: both rankings at fusion depth, fused (the query's embedding excluded, see above)
        hybrid_ms = []
        for text, query in zip(texts_queries, vectors_queries, strict=True):
            def hybrid(text: str = text, query: np.ndarray = query) -> Any:
                keyword = keyword_search(session, text, limit=100)
                semantic = caption_hits(session, index, query, 100)
                return fuse([keyword, semantic], 20)
            hybrid_ms.append(timed(hybrid)[0])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def ms(values: Sequence[float]) -> str:
        return f"p50 {percentile(values, 0.5):.1f} ms, p95 {percentile(values, 0.95):.1f} ms"

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    keyword_p50, semantic_p50 = percentile(keyword_ms, 0.5), percentile(semantic_ms, 0.5)
    recall = statistics.mean(recalls)
    table += [
        ("catalogue load: rows (Core bulk inserts)", f"{build_times['rows']:.1f} s", "-", "-"),
        ("keyword index build (FTS5 rebuild)", f"{build_times['keyword_index']:.1f} s", "-", "-"),
        (f"vector index build ({count:,} x {DIMENSION}, {dtype})", f"{build_ms / 1000:.2f} s", "-", "-"),
        ("keyword search, limit 20", ms(keyword_ms), f"p50 < {KEYWORD_TARGET_MS:.0f} ms",
         verdict(keyword_p50 < KEYWORD_TARGET_MS)),
        (f"  naive: LIKE per word, LIMIT 20 (first {NAIVE_KEYWORD_QUERIES})", ms(naive_keyword_ms), "-", "-"),
        ("  naive / app (p50)", f"{percentile(naive_keyword_ms, 0.5) / keyword_p50:.1f}x", "-", "-"),
        ("semantic top-10", ms(semantic_ms), f"p50 < {SEMANTIC_TARGET_MS:.0f} ms",
         verdict(semantic_p50 < SEMANTIC_TARGET_MS)),
        (f"  recall@10 vs exact float32 ({dtype})", f"{recall:.4f}", f">= {RECALL_TARGET}",
         verdict(recall >= RECALL_TARGET)),
        (f"  naive: per-row Python cosine (first {NAIVE_SEMANTIC_QUERIES})", ms(naive_semantic_ms), "-", "-"),
        ("  naive / app (p50)", f"{percentile(naive_semantic_ms, 0.5) / semantic_p50:.0f}x", "-", "-"),
        ("hybrid (keyword 100 + semantic 100, fused)", ms(hybrid_ms), "-", "-"),
        ("peak memory (max RSS of this process)", f"{peak_mb:,.0f} MB", f"< {MEMORY_TARGET_MB:,} MB",
         verdict(peak_mb < MEMORY_TARGET_MB)),
    ]
    print(f"\nsummary ({count:,} captions, {queries} queries; {db.stat().st_size / 1e9:.2f} GB catalogue)")
    print(f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}, numpy {np.__version__}")
    widths = [max(len(row[column]) for row in [("measure", "value", "target", "result"), *table])
              for column in range(4)]
    for row in [("measure", "value", "target", "result"), *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def _built_index(index_class: Any, session: Any, dtype: str) -> Any:
    index = index_class(MODEL_ID, dtype=getattr(np, dtype))
    index.refresh(session)
    return index


def exact_top10(session: Any, queries: np.ndarray) -> list[set[int]]:
    """The true top 10 of each query by float32 cosine over the stored vectors, read in slices (so the
    check holds no second copy of the matrix)."""
    from sqlalchemy import select

    from desktop_app.catalogue.models import Embedding

    best_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    best_ids = np.zeros((len(queries), 10), dtype=np.int64)
    rows = session.execute(select(Embedding.caption_id, Embedding.vector)
                           .where(Embedding.model_id == MODEL_ID).execution_options(yield_per=50_000))
    for part in rows.partitions():
        ids = np.fromiter((caption_id for caption_id, _blob in part), np.int64, len(part))
        blobs = b"".join(blob for _id, blob in part)
        matrix = np.frombuffer(blobs, dtype="<f4").reshape(len(part), DIMENSION)
        scores = queries @ matrix.T  # (queries, slice)
        merged_scores = np.concatenate([best_scores, scores], axis=1)
        merged_ids = np.concatenate([best_ids, np.broadcast_to(ids, scores.shape)], axis=1)
        top = np.argpartition(-merged_scores, 9, axis=1)[:, :10]
        best_scores = np.take_along_axis(merged_scores, top, axis=1)
        best_ids = np.take_along_axis(merged_ids, top, axis=1)
    return [set(map(int, row)) for row in best_ids]


if __name__ == "__main__":
    main()
