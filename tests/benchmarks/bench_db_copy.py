"""`db copy` benchmark: a catalogue of N photos moved from SQLite to PostgreSQL and back, beside a naive copy.

Run from the repository root, as root or as a user who may run PostgreSQL's initdb (no assertions: it
measures and prints figures)::

    .venv/bin/python -m tests.benchmarks.bench_db_copy [--photos 100000] [--naive 5000]

The source: an SQLite catalogue the app's migrations made, with one library of N photos (real-looking rows:
path, size, times, hash, EXIF fields, file fields JSON), each with one current caption, its first
revision, and a 384-dimension float32 vector (1.5 kB): 4N + 1 rows, loaded with Core bulk inserts.
A throwaway PostgreSQL cluster (tests/postgres_server.py) receives the copy.

Measured:
- SQLite -> PostgreSQL and PostgreSQL -> SQLite with the app's ``copy_catalogue`` (streamed batches, COPY
  into PostgreSQL, both sides hashed, text index checked): seconds, rows/s, and the growth of the
  process's peak RSS during each copy (the source is built in another process; the batches bound it, where
  the whole catalogue's rows would be several hundred MB).
- naive: the same copy one row per INSERT statement (each row a round trip), for the first --naive photos
  with their caption, revision and vector into an empty PostgreSQL catalogue; rows/s and the ratio.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import multiprocessing
import random
import resource
import struct
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

DIMENSION = 384
BATCH = 10_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(db: Path, count: int) -> int:
    """The source catalogue; returns its number of rows."""
    from sqlalchemy import insert

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Caption, CaptionRevision, Embedding, Library, Photo, natural_key

    rng = random.Random(3)
    words = ["harbour", "boat", "dog", "lighthouse", "children", "market", "street", "snow", "bridge",
             "portrait", "train", "church", "field", "river", "crowd", "festival"]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    catalogue = open_catalogue(db)
    with catalogue.engine.begin() as connection:
        connection.execute(insert(Library.__table__), [{"id": 1, "root": "/archive", "name": "archive",
                                                        "added_at": now}])
        for start in range(0, count, BATCH):
            ids = range(start + 1, min(count, start + BATCH) + 1)
            connection.execute(insert(Photo.__table__), [{
                "id": i, "library_id": 1, "rel_path": f"box{i // 1000}/scan{i:06}.jpg",
                "name_key": natural_key(f"box{i // 1000}/scan{i:06}.jpg"), "size": 3_000_000 + i,
                "mtime_ns": 1_700_000_000_000_000_000 + i, "ctime_ns": 1_700_000_000_000_000_000 + i,
                "inode": 10_000 + i, "content_hash": hashlib.sha256(str(i).encode()).hexdigest(),
                "width": 4000, "height": 3000, "format": "JPEG", "camera_make": "Nikon",
                "gps_latitude": 52.5 + i / 1e6, "file_fields": {"title": f"scan {i}", "creator": ["ann"]},
                "status": "ok", "added_at": now, "updated_at": now} for i in ids])
            texts = {i: " ".join(rng.choices(words, k=rng.randint(5, 12))) for i in ids}
            connection.execute(insert(Caption.__table__), [{
                "id": i, "photo_id": i, "kind": "description", "text": texts[i], "origin": "ai",
                "state": "draft", "is_current": True, "revision": 1, "confidence": 0.5,
                "token_scores": [["a", 0.25]], "created_at": now, "updated_at": now} for i in ids])
            connection.execute(insert(CaptionRevision.__table__), [{
                "id": i, "caption_id": i, "number": 1, "action": "created", "text": texts[i],
                "state": "draft", "origin": "ai", "author": "model", "created_at": now} for i in ids])
            connection.execute(insert(Embedding.__table__), [{
                "id": i, "caption_id": i, "model_id": "bench/random-384", "dimension": DIMENSION,
                "vector": struct.pack(f"<{DIMENSION}f", *(rng.random() for _ in range(DIMENSION))),
                "content_hash": "0" * 64, "created_at": now} for i in ids])
    catalogue.close()
    return 4 * count + 1


def timed_copy(source_db: Path | str, target: Path | str) -> tuple[float, float, bool]:
    from desktop_app.catalogue import open_catalogue
    from desktop_app.services.catalogue_copy import copy_catalogue

    before = peak_rss_mb()
    with open_catalogue(source_db) as source:
        started = time.perf_counter()
        report = copy_catalogue(source, target)
        seconds = time.perf_counter() - started
    return seconds, peak_rss_mb() - before, report.verified


def naive_copy(source_db: Path, target_url: str, photos: int) -> tuple[int, float]:
    """One INSERT per row, as a hand-written loop over the ORM tables would do it."""
    from sqlalchemy import select

    from desktop_app.catalogue import copying, open_catalogue

    rows = 0
    with open_catalogue(source_db) as source, open_catalogue(target_url) as target:
        started = time.perf_counter()
        with source.engine.connect() as reading, target.engine.begin() as writing:
            for table in copying.tables():
                key = table.c.get("id")  # photo i has caption, revision and vector i here
                query = select(table).order_by(*table.primary_key.columns)
                if key is not None:
                    query = query.where(key <= photos)
                for row in reading.execute(query).mappings():
                    writing.execute(table.insert().values(**row))
                    rows += 1
        return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--naive", type=int, default=5_000, help="photos the naive copy carries")
    args = parser.parse_args()

    from tests.postgres_server import start_server

    workdir = Path(tempfile.mkdtemp(prefix="bench-db-copy-"))
    source = workdir / "source.db"
    started = time.perf_counter()
    # Built in a process of its own, so that this one's peak RSS is the copies' own.
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        rows = pool.submit(build, source, args.photos).result()
    print(f"source: {args.photos} photos, {rows} rows, {source.stat().st_size / 2**20:.0f} MB "
          f"(built in {time.perf_counter() - started:.1f} s)")
    server = start_server()
    try:
        postgres = server.new_database()
        seconds, rss, verified = timed_copy(source, postgres)
        print(f"SQLite -> PostgreSQL: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak RSS +{rss:.0f} MB, "
              f"verified {verified}")
        fast_rate = rows / seconds
        seconds, rss, verified = timed_copy(postgres, workdir / "back.db")
        print(f"PostgreSQL -> SQLite: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak RSS +{rss:.0f} MB, "
              f"verified {verified}")
        naive_rows, naive_seconds = naive_copy(source, server.new_database(), args.naive)
        naive_rate = naive_rows / naive_seconds
        print(f"naive SQLite -> PostgreSQL (one INSERT per row, {naive_rows} rows): {naive_seconds:.1f} s, "
              f"{naive_rate:,.0f} rows/s; db copy is {fast_rate / naive_rate:.1f}x faster "
              "(and hashes both sides besides)")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
