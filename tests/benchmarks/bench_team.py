"""Team benchmark: several editors on one catalogue at once, PostgreSQL against SQLite on a local disk; and
search on PostgreSQL at 1,000,000 captions (tests/benchmarks/team_search.py).

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_team [--editors 1,4,16] [--edits 40] [--photos 2000]
        [--think-ms 1000] [--captions 1000000] [--skip-search] [--db URL] [--workdir DIR]

Editing: each editor client is a process of its own (multiprocessing "spawn") that opens the catalogue,
waits for the others, then makes --edits edits as ``photo-annotator edit`` / ``approve --text`` do them
(tests/team_clients.edit_once: it reads the photo's current caption, then writes through
services.review with that caption and revision as the base, a third of them approving); each on a
photo drawn at random from --photos captioned photos, so editors meet on a photo now and then (a
refused edit is counted, its text kept by the review contract). Two loads:
- flat out: no pause between edits, every client as fast as it can: edits/s of the whole team
  (the clients' own Python, on this machine's cores, is part of it);
- paced: each editor pauses a random 0.5-1.5 x --think-ms between edits (a person reads the photo
  first; one edit a second is already a fast one): the p50/p95 latency a person waits for.
Latency is the write alone (services.review: begin, lock, compare-and-set, revision, commit), not the
read of what the editor saw. The naive baseline is SQLite on a local disk, the catalogue for one person:
its writers take turns on the whole file (BEGIN IMMEDIATE). PostgreSQL runs with its defaults (every
commit flushed: tests.postgres_server.start_server(durable=True)) unless --db names a server; and, on a
throwaway server, again on a database with ``synchronous_commit = off``: what SQLite's WAL mode with
synchronous=NORMAL (the app's setting) promises too (a crash or power cut may lose the last commits of
the moment, never corrupts), without waiting for the disk at every commit.

Search: team_search.run(url, captions) on the same server (a database of its own), unless --skip-search.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if not __package__:  # run as a file: the repository's modules
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

P95_TARGET_MS = 100.0  # 16 editors, PostgreSQL, paced
BACKENDS = ("PostgreSQL", "PostgreSQL, commit not awaited", "SQLite")


def _editor(url: str, name: str, photo_ids: list[int], edits: int, seed: int, think: float,
            barrier: Any, results: Any) -> None:
    """One editor client (a process): ``edits`` edits after every client is ready; puts (start, end,
    write latencies in s, landed, refused) on ``results``."""
    from desktop_app.catalogue import open_catalogue
    from tests.team_clients import edit_once

    rng = random.Random(seed)
    latencies: list[float] = []
    landed = refused = 0
    with open_catalogue(url, upgrade=False) as catalogue:
        edit_once(catalogue, name, rng.choice(photo_ids), f"{name} warming up")  # connections, caches
        barrier.wait()
        start = time.monotonic()  # one clock for every process on this machine
        for number in range(edits):
            outcome = edit_once(catalogue, name, rng.choice(photo_ids), f"{name} wrote take {number}",
                                approve=rng.random() < 1 / 3)
            latencies.append(outcome.seconds)
            landed += outcome.landed
            refused += not outcome.landed
            if think:
                time.sleep(think * rng.uniform(0.5, 1.5))
        results.put((start, time.monotonic(), latencies, landed, refused))


def measure(url: str, photo_ids: list[int], editors: int, edits: int, think: float) -> dict[str, float]:
    """``editors`` clients at once; the team's edits/s, write latency p50/p95 (ms), refusals."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(editors), context.Queue()
    clients = [context.Process(target=_editor, args=(url, f"editor{number}", photo_ids, edits,
                                                     1000 * editors + number, think, barrier, results))
               for number in range(editors)]
    for client in clients:
        client.start()
    done = [results.get(timeout=900) for _client in clients]
    for client in clients:
        client.join()
    latencies = [value * 1000 for _start, _end, values, _landed, _refused in done for value in values]
    wall = max(end for _start, end, *_rest in done) - min(start for start, *_rest in done)
    ordered = sorted(latencies)
    return {"edits_per_s": len(latencies) / wall, "p50": statistics.median(latencies),
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            "refused": sum(item[4] for item in done), "edits": len(latencies)}


def prepare(url: str, photos: int) -> list[int]:
    from desktop_app.catalogue import open_catalogue
    from tests.team_clients import make_photos

    with open_catalogue(url) as catalogue:
        return make_photos(catalogue, photos, captioned=photos)


def editing(urls: dict[str, str], levels: Sequence[int], edits: int, photos: int,
            think: float) -> Figures:
    figures: Figures = {}
    for backend, url in urls.items():
        photo_ids = prepare(url, photos)
        for load, pause in (("flat out", 0.0), ("paced", think)):
            for editors in levels:
                print(f"{backend}, {load}, {editors} editors ...", flush=True)
                figures[(backend, load, editors)] = measure(url, photo_ids, editors, edits, pause)
    return figures


Figures = dict[tuple[str, str, int], dict[str, float]]


def report(figures: Figures, levels: Sequence[int], think: float) -> None:
    print(f"\nediting together; CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"paced: {think * 1000:.0f} ms mean pause between an editor's edits")
    header = ("load", "editors", "backend", "edits/s", "p50 ms", "p95 ms", "refused", "PG / SQLite edits/s")
    rows = [header]
    for load in ("flat out", "paced"):
        for editors in levels:
            for backend in BACKENDS:
                got = figures.get((backend, load, editors))
                if got is None:
                    continue
                other = figures.get(("SQLite", load, editors))
                ratio = (f"{got['edits_per_s'] / other['edits_per_s']:.2f}x"
                         if backend != "SQLite" and other else "")
                rows.append((load, str(editors), backend, f"{got['edits_per_s']:.1f}", f"{got['p50']:.1f}",
                             f"{got['p95']:.1f}", f"{got['refused']:.0f}/{got['edits']:.0f}", ratio))
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for backend in BACKENDS[:2]:
        target = figures.get((backend, "paced", 16))
        if target is not None:
            verdict = "PASS" if target["p95"] < P95_TARGET_MS else "FAIL"
            print(f"target: 16 editors on {backend}, paced, p95 < {P95_TARGET_MS:.0f} ms: "
                  f"{target['p95']:.1f} ms {verdict}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--editors", default="1,4,16", help="editor clients at once, comma-separated")
    parser.add_argument("--edits", type=int, default=40, help="edits per editor and run")
    parser.add_argument("--photos", type=int, default=2000, help="captioned photos the editors draw from")
    parser.add_argument("--think-ms", type=float, default=1000.0, help="paced: mean pause between edits")
    parser.add_argument("--captions", type=int, default=1_000_000, help="search: captions in the catalogue")
    parser.add_argument("--skip-search", action="store_true", help="editing only")
    parser.add_argument("--db", help="a PostgreSQL server's empty catalogue URL (default: a throwaway "
                                     "server); search then runs team_search.py on its own")
    parser.add_argument("--workdir", type=Path, help="where the SQLite catalogue goes (a local disk)")
    args = parser.parse_args(argv)
    levels = [int(part) for part in args.editors.split(",")]
    think = args.think_ms / 1000
    server = None
    if args.db is None:
        from tests.postgres_server import start_server

        server = start_server(durable=True)
    try:
        with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
            urls = {"PostgreSQL": args.db or server.new_database()}  # type: ignore[union-attr]
            if server is not None:
                relaxed = server.new_database()
                server.execute(f"ALTER DATABASE {relaxed.rsplit('/', 1)[1]} SET synchronous_commit = off")
                urls[BACKENDS[1]] = relaxed
            urls["SQLite"] = str(Path(folder) / "team.db")
            report(editing(urls, levels, args.edits, args.photos, think), levels, think)
        if not args.skip_search:
            from tests.benchmarks import team_search

            if server is None:
                raise SystemExit("search: run team_search.py --db URL with an empty database of its own")
            team_search.run(server.new_database(), args.captions)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
