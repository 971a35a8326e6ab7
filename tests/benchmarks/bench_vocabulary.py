"""Vocabulary benchmark: importing a large vocabulary (CSV and SKOS Turtle), re-importing it, and
type-ahead completion, each beside a naive baseline.

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_vocabulary [--terms 50000] [--queries 2000]
        [--workdir DIR]

The vocabulary (generated, the same in every run): --terms terms in 4 levels (20 top terms, 10 below
each, 25 below each of those, the rest spread below the third level), preferred labels of one to three
pronounceable words, 0-3 synonyms each (about 1.5 on average), every term with a URI. Written as a CSV
file (label, synonyms, broader by URI, uri) and as SKOS Turtle (prefLabel and altLabel in English,
skos:broader). Each format is imported into its own new catalogue with ``vocab import``'s service.

Measured:
- import: reading the file (parse) and writing the catalogue (write), for each format, in wall and
  CPU seconds (on a busy machine the CPU time is the figure that repeats); then a
  re-import of the same file (nothing changes) and one of a changed file (1% of the preferred labels
  renamed, 1% of the terms gone, 1% new): what the report says and how long it takes.
- completion: the app's index (``TermCompleter``) built once (timed), then ``lookup`` for --queries
  prefixes of 1-6 characters taken from the labels (both from their start and from a later word),
  p50/p95 ms; also ``complete_terms``, which checks the catalogue's fingerprint before each lookup
  (what the app's keyword entry calls); naive: ``term_labels.key LIKE 'prefix%'`` joined to the terms,
  ordered and limited in SQL (no word matches), and a linear Python scan over every label, on the first
  200 prefixes.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-vocabulary"
SEED = 17
IMPORT_TARGET_S = 10.0  # "a 50,000-term vocabulary imports in seconds"
COMPLETION_TARGET_MS = 20.0  # p95
NAIVE_QUERIES = 200
LIMIT = 10
URI = "http://example.org/bench/"


def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return (time.perf_counter() - started) * 1000, result


def timed_cpu(run: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds: on a shared machine the CPU time is the figure that repeats."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# --- the vocabulary ---------------------------------------------------------------------------------------

def words(rng: random.Random, count: int) -> list[str]:
    syllables = ["ba", "ko", "ri", "mu", "te", "la", "no", "si", "da", "fe", "go", "pu", "zi", "ve", "ha",
                 "lo", "ne", "ta", "mi", "su"]
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return sorted(found)


def generate(count: int) -> list[dict[str, Any]]:
    """``count`` terms: id, label, synonyms, broader id (None at the top), in tree order."""
    rng = random.Random(SEED)
    vocabulary = words(rng, 8_000)
    used: set[str] = set()

    def label() -> str:
        while True:
            text = " ".join(rng.choice(vocabulary) for _ in range(rng.choice((1, 1, 2, 2, 3)))).capitalize()
            if text.lower() not in used:
                used.add(text.lower())
                return text

    levels = [20, 200, 5_000]
    terms: list[dict[str, Any]] = []
    parents: list[int | None] = [None]
    for size in [*levels, max(0, count - sum(levels))]:
        size = min(size, count - len(terms))
        level = []
        for number in range(size):
            term = {"id": len(terms), "label": label(), "broader": parents[number % len(parents)],
                    "synonyms": [label() for _ in range(rng.choice((0, 1, 1, 2, 2, 3)))]}
            terms.append(term)
            level.append(term["id"])
        parents = level or parents
    return terms


def write_csv(terms: list[dict[str, Any]], path: Path) -> None:
    import csv

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["label", "synonyms", "broader", "uri"])
        for term in terms:
            broader = f"{URI}{term['broader']}" if term["broader"] is not None else ""
            writer.writerow([term["label"], "|".join(term["synonyms"]), broader, f"{URI}{term['id']}"])


def write_turtle(terms: list[dict[str, Any]], path: Path) -> None:
    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@en'

    with path.open("w", encoding="utf-8") as out:
        out.write(f"@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n@prefix t: <{URI}> .\n\n")
        for term in terms:
            lines = [f"t:{term['id']} a skos:Concept", f"skos:prefLabel {quoted(term['label'])}"]
            if term["synonyms"]:
                lines.append("skos:altLabel " + ", ".join(quoted(s) for s in term["synonyms"]))
            if term["broader"] is not None:
                lines.append(f"skos:broader t:{term['broader']}")
            out.write(" ;\n    ".join(lines) + " .\n")


def changed(terms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """1% renamed, 1% of the leaves gone, 1% new leaves."""
    rng = random.Random(SEED + 1)
    edited = [dict(term) for term in terms]
    count = max(1, len(terms) // 100)
    for term in rng.sample(edited[5_220:] or edited, count):
        term["label"] = term["label"] + " renamed"
    gone = set(rng.sample(range(5_220, len(edited)), min(count, max(0, len(edited) - 5_220))))
    kept = [term for term in edited if term["id"] not in gone]
    top = len(terms)
    kept += [{"id": top + n, "label": f"Added term {n}", "synonyms": [], "broader": n % 20}
             for n in range(count)]
    return kept


# --- measures -------------------------------------------------------------------------------------------

def prefixes(terms: list[dict[str, Any]], count: int) -> list[str]:
    rng = random.Random(SEED + 2)
    found = []
    for _ in range(count):
        term = rng.choice(terms)
        text = rng.choice([term["label"], *term["synonyms"]])
        parts = text.split()
        start = rng.choice(parts) if rng.random() < 0.3 else text  # a third from a later word
        found.append(start[: rng.randint(1, 6)])
    return found


def naive_like(session: Any, prefix: str) -> list[tuple[int, str]]:
    from sqlalchemy import select

    from desktop_app.catalogue.models import Term, TermLabel, label_key

    key = label_key(prefix).replace("%", "").replace("_", "")
    rows = session.execute(select(Term.id, Term.label).join(TermLabel, TermLabel.term_id == Term.id)
                           .where(TermLabel.key.like(f"{key}%"), Term.retired.is_(False))
                           .order_by(TermLabel.key).limit(LIMIT))
    return list(rows)


def naive_scan(labels: list[tuple[int, str, str]], prefix: str) -> list[tuple[int, str]]:
    from desktop_app.catalogue.models import label_key

    key = label_key(prefix)
    hits = []
    for term_id, label, text in labels:
        words = text.split()
        if text.startswith(key):
            hits.append((0 if text == key else 1, text, term_id, label))
        elif any(word.startswith(key) for word in words[1:]):
            hits.append((2, text, term_id, label))
    hits.sort()
    return [(term_id, label) for _rank, _text, term_id, label in hits[:LIMIT]]


def import_run(db: Path, path: Path, format: str) -> dict[str, float]:
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue import vocabularies as store
    from desktop_app.library.vocabulary_files import read_vocabulary

    catalogue = open_catalogue(db)
    parse_s, parse_cpu, parsed = timed_cpu(lambda: read_vocabulary(path, format))

    def write() -> Any:
        with catalogue.write() as session:
            return store.import_vocabulary(session, "bench", parsed.terms, format=parsed.format,
                                           source=str(path))

    write_s, write_cpu, report = timed_cpu(write)
    again_s, again_cpu, again = timed_cpu(write)
    catalogue.close()
    return {"parse": parse_s, "parse_cpu": parse_cpu, "write": write_s, "write_cpu": write_cpu,
            "again": again_s, "again_cpu": again_cpu, "added": report.added,
            "again_unchanged": again.unchanged, "terms": report.terms, "synonyms": report.synonyms}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terms", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args()
    from sqlalchemy import select

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Term, TermLabel
    from desktop_app.search.term_completion import TermCompleter
    from desktop_app.services.vocabularies import complete_terms, import_vocabulary_file

    args.workdir.mkdir(parents=True, exist_ok=True)
    terms = generate(args.terms)
    csv_path, ttl_path = args.workdir / "bench.csv", args.workdir / "bench.ttl"
    edited_path = args.workdir / "bench-changed.csv"
    write_csv(terms, csv_path)
    write_turtle(terms, ttl_path)
    write_csv(changed(terms), edited_path)
    for stale in args.workdir.glob("*.db*"):
        stale.unlink()
    print(f"{len(terms):,} terms, {sum(len(t['synonyms']) for t in terms):,} synonyms; CSV "
          f"{csv_path.stat().st_size / 1e6:.1f} MB, Turtle {ttl_path.stat().st_size / 1e6:.1f} MB",
          flush=True)

    results = {}
    for format, path in (("csv", csv_path), ("skos", ttl_path)):
        print(f"importing {path.name} ...", flush=True)
        results[format] = import_run(args.workdir / f"{format}.db", path, format)
    db = args.workdir / "csv.db"
    catalogue = open_catalogue(db)
    changed_s, changed_cpu, changed_report = timed_cpu(
        lambda: import_vocabulary_file(catalogue, edited_path, "bench"))

    queries = prefixes(terms, args.queries)
    completer = TermCompleter()
    with catalogue.read() as session:
        build_ms, _ = timed(lambda: completer.refresh(session))
        completer.lookup(queries[0])
        lookup_ms = [timed(lambda q=q: completer.lookup(q, LIMIT))[0] for q in queries]
        complete_terms(catalogue, queries[0])  # builds the service's own index once
        service_ms = [timed(lambda q=q: complete_terms(catalogue, q, LIMIT))[0] for q in queries]
        like_ms = [timed(lambda q=q: naive_like(session, q))[0] for q in queries[:NAIVE_QUERIES]]
        labels = [(term_id, label, key) for term_id, label, key in session.execute(
            select(TermLabel.term_id, Term.label, TermLabel.key)
            .join(Term, Term.id == TermLabel.term_id).where(Term.retired.is_(False)))]
        scan_ms = [timed(lambda q=q: naive_scan(labels, q))[0] for q in queries[:NAIVE_QUERIES]]
    catalogue.close()

    def ms(values: Sequence[float]) -> str:
        return f"p50 {percentile(values, 0.5):.2f} ms, p95 {percentile(values, 0.95):.2f} ms"

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    table: list[tuple[str, str, str, str]] = []
    for format, figures in results.items():
        total, total_cpu = figures["parse"] + figures["write"], figures["parse_cpu"] + figures["write_cpu"]
        table += [
            (f"{format} import: parse + write, wall", f"{figures['parse']:.1f} s + {figures['write']:.1f} s "
             f"= {total:.1f} s ({figures['added']:,.0f} terms added)", f"< {IMPORT_TARGET_S:.0f} s",
             verdict(total < IMPORT_TARGET_S)),
            ("  the same, CPU time", f"{figures['parse_cpu']:.1f} s + {figures['write_cpu']:.1f} s = "
             f"{total_cpu:.1f} s", f"< {IMPORT_TARGET_S:.0f} s", verdict(total_cpu < IMPORT_TARGET_S)),
            (f"{format} re-import, unchanged (write only)",
             f"{figures['again']:.1f} s, CPU {figures['again_cpu']:.1f} s "
             f"({figures['again_unchanged']:,.0f} unchanged)", "-", "-"),
        ]
    table.append(("csv re-import of a changed file (parse + write)",
                  f"{changed_s:.1f} s, CPU {changed_cpu:.1f} s ({changed_report.added} added, "
                  f"{changed_report.updated} updated, {changed_report.retired} retired)", "-", "-"))
    lookup_p95 = percentile(lookup_ms, 0.95)
    service_p95 = percentile(service_ms, 0.95)
    table += [
        ("completion index build", f"{build_ms / 1000:.2f} s", "-", "-"),
        (f"completion lookup, limit {LIMIT} ({len(queries)} prefixes)", ms(lookup_ms),
         f"p95 < {COMPLETION_TARGET_MS:.0f} ms", verdict(lookup_p95 < COMPLETION_TARGET_MS)),
        ("complete_terms (fingerprint check + lookup)", ms(service_ms),
         f"p95 < {COMPLETION_TARGET_MS:.0f} ms", verdict(service_p95 < COMPLETION_TARGET_MS)),
        (f"  naive: key LIKE 'prefix%' in SQL (first {NAIVE_QUERIES})", ms(like_ms), "-", "-"),
        ("  naive LIKE / complete_terms (p95)", f"{percentile(like_ms, 0.95) / service_p95:.0f}x", "-", "-"),
        (f"  naive: linear Python scan (first {NAIVE_QUERIES})", ms(scan_ms), "-", "-"),
        ("  naive scan / lookup (p95)", f"{percentile(scan_ms, 0.95) / lookup_p95:.0f}x", "-", "-"),
    ]
    print(f"\nsummary ({len(terms):,} terms, 4 levels; load average {os.getloadavg()[0]:.1f})")
    print(f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; Python "
          f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}")
    header = ("measure", "value", "target", "result")
    widths = [max(len(row[column]) for row in [header, *table]) for column in range(4)]
    for row in [header, *table]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
