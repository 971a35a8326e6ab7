"""Search on PostgreSQL: keyword and semantic search over N captions in a team's catalogue, beside naive
baselines. Imported by bench_team.py (``run(url, captions)``); also runnable alone::

    .venv/bin/python tests/benchmarks/team_search.py [--captions 1000000] [--queries 200] [--db URL]

Without --db it starts a throwaway server (tests/postgres_server.py). The catalogue is bench_search's
(the same generated captions, 60% approved, random 384-dimension vectors, and its queries): built once
per database and reused while it holds exactly N captions. Rows go in with COPY (psycopg);
the GIN index of the generated tsvector column is dropped during the load and made again at the end
(timed: "keyword index build", the column itself is computed as rows go in).

Measured:
- keyword: ``keyword_search(session, query, limit=20)`` for bench_search's queries, p50/p95 ms; naive:
  ``caption.text ILIKE '%w%'`` for each word, LIMIT 20 (no ranking), on the first 20 queries.
- ranking bound: the app ranks the first keyword.RANK_BOUND matches; the top-20 overlap of the hits with
  those of a full ranking (the bound lifted), mean and worst over the first 30 queries, and its times.
- semantic: the app's VectorIndex loaded from PostgreSQL (timed), then ``search(vector, k=10)`` p50/p95
  ms for random unit vectors; naive: every vector read from the server and dotted in Python (first 3).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

if not __package__:  # run as a file (python tests/benchmarks/team_search.py): the repository's modules
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.bench_search import (
    DIMENSION,
    INSERT_BATCH,
    MODEL_ID,
    SEED,
    caption_texts,
    keyword_queries,
    naive_semantic,
    percentile,
    timed,
    unit_vectors,
    vocabulary,
)

KEYWORD_TARGET_MS = 50.0
SEMANTIC_TARGET_MS = 100.0
NAIVE_KEYWORD_QUERIES = 20
NAIVE_SEMANTIC_QUERIES = 3
FULL_RANK_QUERIES = 30  # ranking every match of a word in half the captions takes seconds


def build(url: str, count: int) -> dict[str, float]:
    """Fill the (new, empty) catalogue at ``url`` with bench_search's corpus; timings in seconds."""
    from datetime import datetime

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import natural_key

    catalogue = open_catalogue(url)  # migrated by the app; then plain COPY, the fastest way in
    catalogue.close()
    texts = caption_texts(count, vocabulary())
    now = datetime(2026, 1, 1)  # the catalogue stores UTC without a zone
    timings: dict[str, float] = {}
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as connection:
        started = time.perf_counter()
        connection.execute("DROP INDEX ix_captions_text_search")
        connection.execute("INSERT INTO libraries (id, root, name, added_at) "
                           "VALUES (1, '/archive', 'archive', %s)", (now,))
        with connection.cursor().copy("COPY photos (id, library_id, rel_path, name_key, content_hash, "
                                      "status, added_at, updated_at) FROM STDIN") as copy:
            for n in range(count):
                path = f"{n // 1000:04}/IMG_{n:07}.jpg"
                copy.write_row((n + 1, 1, path.encode(), natural_key(path), f"{n:064x}", "ok", now, now))
        with connection.cursor().copy("COPY captions (id, photo_id, text, origin, state, is_current, "
                                      "captioner_id, model_id, created_at, updated_at) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row((n + 1, n + 1, texts[n], "ai", "approved" if n % 5 < 3 else "draft", True,
                                "bench", "bench", now, now))
        connection.commit()
        timings["rows"] = time.perf_counter() - started
        started = time.perf_counter()
        connection.execute("SET maintenance_work_mem = '1GB'")
        connection.execute("CREATE INDEX ix_captions_text_search ON captions USING gin (text_search)")
        connection.commit()
        timings["keyword_index"] = time.perf_counter() - started
        started = time.perf_counter()
        with connection.cursor().copy("COPY embeddings (id, caption_id, model_id, dimension, vector, "
                                      "content_hash, created_at) FROM STDIN") as copy:
            for first in range(0, count, INSERT_BATCH):
                vectors = unit_vectors(min(INSERT_BATCH, count - first), SEED + first).astype("<f4")
                for offset, vector in enumerate(vectors):
                    n = first + offset
                    copy.write_row((n + 1, n + 1, MODEL_ID, DIMENSION, vector.tobytes(),
                                    hashlib.sha256(texts[n].encode()).hexdigest(), now))
        for table in ("libraries", "photos", "captions", "embeddings"):
            connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # type: ignore[arg-type]
                               f"(SELECT max(id) FROM {table}))")
        connection.commit()
        timings["vectors"] = time.perf_counter() - started
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")
    return timings


def naive_keyword(session: Any, query: str) -> list[int]:
    from sqlalchemy import and_, select

    from desktop_app.catalogue.models import Caption

    words = [w for w in query.replace('"', " ").split() if w not in ("OR", "AND", "NOT")]
    matching = and_(*[Caption.text.ilike(f"%{word}%") for word in words])
    return list(session.scalars(select(Caption.photo_id).where(matching).limit(20)))


def run(url: str, captions: int, queries: int = 200) -> dict[str, Any]:
    """Build (or reuse) the catalogue at ``url`` with ``captions`` captions, measure, print, and return
    the figures (times in ms unless named _s)."""
    from sqlalchemy import func, select

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Caption
    from desktop_app.search import keyword
    from desktop_app.search.keyword import keyword_search
    from desktop_app.search.vector_index import VectorIndex

    catalogue = open_catalogue(url)
    with catalogue.read() as session:
        held = session.scalar(select(func.count(Caption.id)))
    catalogue.close()
    figures: dict[str, Any] = {"captions": captions}
    if held != captions:
        if held:
            raise SystemExit(f"{url} holds {held:,} captions, not {captions:,}: give an empty database")
        print(f"building a catalogue of {captions:,} captions ...", flush=True)
        figures.update({f"load_{name}_s": value for name, value in build(url, captions).items()})
    catalogue = open_catalogue(url)
    texts = keyword_queries(queries)
    vectors = unit_vectors(queries, SEED + 99)
    with catalogue.read() as session:
        keyword_search(session, texts[0])  # warm the caches
        keyword_ms, bounded = [], []
        for text in texts:
            elapsed, hits = timed(lambda text=text: keyword_search(session, text, limit=20))
            keyword_ms.append(elapsed)
            bounded.append([hit.photo_id for hit in hits])
        naive_ms = [timed(lambda text=text: naive_keyword(session, text))[0]
                    for text in texts[:NAIVE_KEYWORD_QUERIES]]
        bound, keyword.RANK_BOUND = keyword.RANK_BOUND, captions + 1
        try:
            full_ms, overlaps = [], []
            for text, got in zip(texts[:FULL_RANK_QUERIES], bounded, strict=False):
                elapsed, hits = timed(lambda text=text: keyword_search(session, text, limit=20))
                full_ms.append(elapsed)
                truth = [hit.photo_id for hit in hits]
                overlaps.append(len(set(truth) & set(got)) / len(truth) if truth else 1.0)
        finally:
            keyword.RANK_BOUND = bound
        load_ms, index = timed(lambda: _loaded(VectorIndex, session))
        index.search(vectors[0], k=10)
        semantic_ms = [timed(lambda vector=vector: index.search(vector, k=10))[0] for vector in vectors]
        naive_semantic_ms = [timed(lambda vector=vector: naive_semantic(session, vector))[0]
                             for vector in vectors[:NAIVE_SEMANTIC_QUERIES]]
    catalogue.close()
    figures.update({
        "keyword_p50": percentile(keyword_ms, 0.5), "keyword_p95": percentile(keyword_ms, 0.95),
        "keyword_naive_p50": percentile(naive_ms, 0.5),
        "keyword_full_rank_p50": percentile(full_ms, 0.5), "keyword_full_rank_p95": percentile(full_ms, 0.95),
        "rank_bound": keyword.RANK_BOUND, "top20_overlap_mean": sum(overlaps) / len(overlaps),
        "top20_overlap_min": min(overlaps),
        "vector_index_load_s": load_ms / 1000,
        "semantic_p50": percentile(semantic_ms, 0.5), "semantic_p95": percentile(semantic_ms, 0.95),
        "semantic_naive_p50": percentile(naive_semantic_ms, 0.5),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    })
    report(figures)
    return figures


def _loaded(index_class: Any, session: Any) -> Any:
    index = index_class(MODEL_ID)
    index.refresh(session)
    return index


def report(figures: dict[str, Any]) -> None:
    def ms(name: str) -> str:
        return f"p50 {figures[name + '_p50']:.1f} ms, p95 {figures[name + '_p95']:.1f} ms"

    rows: list[tuple[str, str, str]] = []
    if "load_rows_s" in figures:
        rows += [("load: rows (COPY, tsvector computed)", f"{figures['load_rows_s']:.0f} s", "-"),
                 ("load: GIN index build", f"{figures['load_keyword_index_s']:.0f} s", "-"),
                 ("load: vectors", f"{figures['load_vectors_s']:.0f} s", "-")]
    keyword_ok = figures["keyword_p50"] < KEYWORD_TARGET_MS
    semantic_ok = figures["semantic_p50"] < SEMANTIC_TARGET_MS
    rows += [
        ("keyword search, limit 20", ms("keyword"),
         f"p50 < {KEYWORD_TARGET_MS:.0f} ms: {'PASS' if keyword_ok else 'FAIL'}"),
        (f"  naive: ILIKE per word, LIMIT 20 (first {NAIVE_KEYWORD_QUERIES})",
         f"p50 {figures['keyword_naive_p50']:.1f} ms", "-"),
        ("  naive / app (p50)", f"{figures['keyword_naive_p50'] / figures['keyword_p50']:.1f}x", "-"),
        (f"  every match ranked, no bound (first {FULL_RANK_QUERIES})", ms("keyword_full_rank"), "-"),
        (f"  top-20 overlap: first {figures['rank_bound']:,} matches ranked vs all",
         f"mean {figures['top20_overlap_mean']:.3f}, worst {figures['top20_overlap_min']:.2f}", "-"),
        (f"vector index load from PostgreSQL ({figures['captions']:,} x {DIMENSION})",
         f"{figures['vector_index_load_s']:.1f} s", "-"),
        ("semantic top-10", ms("semantic"),
         f"p50 < {SEMANTIC_TARGET_MS:.0f} ms: {'PASS' if semantic_ok else 'FAIL'}"),
        (f"  naive: per-row Python cosine (first {NAIVE_SEMANTIC_QUERIES})",
         f"p50 {figures['semantic_naive_p50']:.0f} ms", "-"),
        ("  naive / app (p50)", f"{figures['semantic_naive_p50'] / figures['semantic_p50']:.0f}x", "-"),
        ("peak memory (max RSS of this process)", f"{figures['peak_rss_mb']:,.0f} MB", "-"),
    ]
    print(f"\nsearch on PostgreSQL ({figures['captions']:,} captions); CPU: "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captions", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", help="a PostgreSQL catalogue URL (default: a throwaway server)")
    parser.add_argument("--rank-bound", type=int, help="rank this many matches (default: the app's)")
    args = parser.parse_args(argv)
    if args.rank_bound:
        from desktop_app.search import keyword

        keyword.RANK_BOUND = args.rank_bound
    if args.db:
        run(args.db, args.captions, args.queries)
        return
    from tests.postgres_server import start_server

    server = start_server()
    try:
        run(server.new_database(), args.captions, args.queries)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
