"""HTTP API benchmark: a page of 100 photos and a keyword search over HTTP (a real uvicorn server on
127.0.0.1, a keep-alive httpx client) against the same service calls in this process, at 100,000 photos,
beside naive baselines.

Run from the repository root (no assertions: it measures and prints figures against the target)::

    .venv/bin/python -m tests.benchmarks.bench_api [--photos 100000] [--requests 200]

The catalogue (built in a temporary folder, timed): one library of N photos in folders of 1,000, each
with one current AI caption of 6 to 12 words drawn from 40 words (a few common, most rarer), 60%
approved; rows go in with SQLAlchemy Core bulk inserts into a catalogue the app's migrations created,
the keyword index rebuilt once after.

The server runs as `photo-annotator serve` in a process of its own (as a collection system meets it).
Measured, p50 and p95 of --requests requests each (an HTTP figure and its in-process twin in turns,
request by request, so a busy machine slows both alike):
- photo listing, a page of 100 at a random offset (the name order, with the total): in process
  (services.photos.photo_page, what GET /photos calls) and over HTTP (GET /photos?limit=100&offset=K);
- keyword search, 20 hits for a random two-word query: in process (the search session's search, what
  GET /search calls) and over HTTP (GET /search?mode=keyword);
- the HTTP overhead: HTTP p50 / in-process p50;
- naive baselines: the same pages over HTTP with a new connection per request (no keep-alive), and a
  page cut from the whole listing loaded in Python (every row read, then sliced);
- then watched folders' latency, from a file's last write to its caption job item (bench_watch.py's
  figures; --no-watch leaves them out).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.benchmarks import bench_watch

INSERT_BATCH = 20_000
SEED = 21
PAGE = 100
HITS = 20
TARGET_MS = 30.0
WORDS = ["harbour", "boat", "dawn", "street", "market", "child", "dog", "bridge", "river", "church",
         "tower", "garden", "train", "station", "snow", "beach", "portrait", "crowd", "festival", "horse",
         "farm", "window", "lamp", "rain", "fog", "mountain", "lake", "forest", "road", "car", "bicycle",
         "shop", "sign", "clock", "statue", "fountain", "square", "cathedral", "ship", "lighthouse"]


def caption_texts(count: int) -> list[str]:
    rng = random.Random(SEED)
    weights = [1.0 / (rank + 1) for rank in range(len(WORDS))]  # Zipf-like: a few common words
    return [" ".join(rng.choices(WORDS, weights, k=rng.randint(6, 12))) for _ in range(count)]


def build(db: Path, count: int) -> float:
    """Fill a new catalogue at ``db`` (see the module's docstring); seconds taken."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Caption, Library, Photo

    started = time.perf_counter()
    catalogue = open_catalogue(db)
    texts = caption_texts(count)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with catalogue.engine.begin() as connection:
        triggers = [sql for (sql,) in connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'captions_fts_%'")]
        for name in ("insert", "delete", "update"):  # one index rebuild instead of a trigger per row
            connection.exec_driver_sql(f"DROP TRIGGER captions_fts_{name}")
        connection.execute(insert(Library.__table__), [{"id": 1, "root": "/archive", "name": "archive",
                                                         "added_at": now}])
        for first in range(0, count, INSERT_BATCH):
            last = min(first + INSERT_BATCH, count)
            connection.execute(insert(Photo.__table__), [
                {"id": n + 1, "library_id": 1, "rel_path": f"{n // 1000:04}/IMG_{n:07}.jpg".encode(),
                 "content_hash": f"{n:064x}", "status": "ok", "format": "JPEG", "width": 4000,
                 "height": 3000, "added_at": now, "updated_at": now}
                for n in range(first, last)])
            connection.execute(insert(Caption.__table__), [
                {"id": n + 1, "photo_id": n + 1, "text": texts[n], "origin": "ai",
                 "state": "approved" if n % 5 < 3 else "draft", "is_current": True, "captioner_id": "bench",
                 "model_id": "bench", "confidence": (n % 100) / 100, "created_at": now, "updated_at": now}
                for n in range(first, last)])
        connection.exec_driver_sql("INSERT INTO captions_fts(captions_fts) VALUES ('rebuild')")
        for sql in triggers:
            connection.exec_driver_sql(sql)
    catalogue.close()
    return time.perf_counter() - started


@contextmanager
def serving(db: Path) -> Iterator[str]:
    """`photo-annotator serve` on ``db`` on a free port of 127.0.0.1; its address."""
    process = subprocess.Popen([sys.executable, "-m", "desktop_app", "serve", "--port", "0", "--db", str(db)],
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        url = next(line.split()[5] for line in process.stderr if line.startswith("serving the HTTP API on"))
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def timed(call: Callable[[int], object], runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls (``call(i)``), after two warm-up calls."""
    call(0)
    call(1)
    times = []
    for run in range(runs):
        started = time.perf_counter()
        call(run)
        times.append((time.perf_counter() - started) * 1000)
    return times


def timed_pair(first: Callable[[int], object], second: Callable[[int], object],
               runs: int) -> tuple[list[float], list[float]]:
    """timed() of two calls in turns: ``first(i)`` then ``second(i)`` for each i."""
    times: tuple[list[float], list[float]] = ([], [])
    for call in (first, second):
        call(0)
        call(1)
    for run in range(runs):
        for call, into in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            call(run)
            into.append((time.perf_counter() - started) * 1000)
    return times


def p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def line(label: str, times: list[float], target: bool = False) -> float:
    p50, p95 = p50_p95(times)
    verdict = f" (target {TARGET_MS:.0f} ms p50: {'met' if p50 < TARGET_MS else 'MISSED'})" if target else ""
    print(f"  {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms{verdict}")
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-watch", dest="watch", action="store_false",
                        help="leave out the watch latency (bench_watch.py)")
    args = parser.parse_args()

    import httpx

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.photos import PhotoQuery, list_photos
    from desktop_app.search.results import SearchFilters, SearchMode
    from desktop_app.services.photos import PhotoFilters, Totals, photo_page
    from desktop_app.services.search import open_search
    from desktop_app.services.tokens import create_token

    rng = random.Random(SEED + 1)
    offsets = [rng.randrange(0, max(1, args.photos - PAGE)) for _ in range(args.requests + 2)]
    queries = [" ".join(rng.sample(WORDS[:20], 2)) for _ in range(args.requests + 2)]
    print(f"HTTP API: {args.photos:,} photos, {args.requests} requests per figure, pages of {PAGE}, "
          f"{HITS} search hits")
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "catalogue.db"
        print(f"  catalogue built in {build(db, args.photos):.1f} s")
        with open_catalogue(db) as catalogue:
            headers = {"Authorization": f"Bearer {create_token(catalogue, 'bench')[1]}"}
            totals = Totals()  # as the server keeps them: counted once while nothing changes
            search = open_search(catalogue)
            # The server as a collection system meets it: `photo-annotator serve`, a process of its own.
            with serving(db) as url, httpx.Client(base_url=url, headers=headers) as client:
                def page(i: int, get: Callable[..., httpx.Response] = client.get) -> None:
                    response = get("/photos", params={"limit": PAGE, "offset": offsets[i]})
                    assert response.status_code == 200 and len(response.json()["items"]) == PAGE

                def find(i: int) -> None:
                    response = client.get("/search", params={"q": queries[i], "mode": "keyword",
                                                             "limit": HITS})
                    assert response.status_code == 200 and response.json()["items"]

                # Each figure and its in-process twin measured in turns, request by request: a busy
                # machine slows both alike.
                local_times, http_times = timed_pair(
                    lambda i: photo_page(catalogue, PhotoFilters(), limit=PAGE, offset=offsets[i],
                                         totals=totals), page, args.requests)
                local_page = line("photo page, in process (services.photos.photo_page)", local_times)
                http_page = line("photo page over HTTP (keep-alive)", http_times, target=True)
                local_times, http_times = timed_pair(
                    lambda i: search.search(queries[i], SearchMode.KEYWORD, SearchFilters(), HITS + 1), find,
                    args.requests)
                local_search = line("keyword search, in process (the search session)", local_times)
                http_search = line("keyword search over HTTP (keep-alive)", http_times)
                fresh = line("naive: photo page over HTTP, a new connection per request", timed(
                    lambda i: page(i, lambda path, **kw: httpx.get(url + path, headers=headers, **kw)),
                    args.requests))
            search.close()

            def whole_listing(i: int) -> None:  # every row read, then the page cut out in Python
                with catalogue.read() as session:
                    rows = list(list_photos(session, PhotoQuery()))
                assert len(rows[offsets[i]:offsets[i] + PAGE]) == PAGE

            naive_rows = line("naive: photo page cut from the whole listing, in process",
                              timed(whole_listing, max(3, args.requests // 40)))
    print(f"  HTTP overhead: photo page {http_page / local_page:.2f}x in-process "
          f"(+{http_page - local_page:.1f} ms), keyword search {http_search / local_search:.2f}x "
          f"(+{http_search - local_search:.1f} ms)")
    print(f"  ratio: a new connection per request {fresh / http_page:.2f}x keep-alive; the whole listing "
          f"sliced {naive_rows / local_page:.0f}x a page query")
    if args.watch:
        # The other figure: watch latency, from a file's last write to its caption job item (median
        # under 3 s plus the stability wait), measured by bench_watch against a full rescan on a timer.
        print("\nWatched folders (tests/benchmarks/bench_watch.py):", flush=True)
        bench_watch.main([])


if __name__ == "__main__":
    main()
