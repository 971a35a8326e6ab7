"""Quality report benchmark: `photo-annotator quality` over a million review outcomes, against a naive
baseline measured in the same run.

Run from the repository root (no assertions: it measures and prints figures against the target)::

    .venv/bin/python -m tests.benchmarks.bench_quality [--rows 1000000] [--repeats 3] [--workdir DIR]

The catalogue (generated, the same in every run, kept in --workdir while --rows is unchanged): a million
decided AI drafts (review_outcomes rows, inserted with sqlite3's executemany after the catalogue was created
at the newest schema, so the weekly index is maintained as the app maintains it) over 52 weeks, by three
captioners and five model versions (two captioners change model during the year), with realistic shares
(about half approved unchanged, improving week by week and with each new version), word edit distances,
flags, and review times measured for 70% of them.

(a) naive: every row read into Python (sqlite3, the rows' columns only) and added up there: a dict per
    captioner, model version and ISO week, the review times kept in lists for their medians.
(b) the report: ``services.quality.quality_report`` (SQL GROUP BY over the weekly covering index, each
    group's median read from its middle rows).

Both give the same figures (checked: decided, shares, mean distance and median review time of every week).
Target: (b) under 2 s. Each is run --repeats times; the best and the median are printed.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_scan import machine_description, print_table, verdict

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-quality"
TARGET_S = 2.0
DATA_VERSION = 2  # bump when the generated catalogue changes
CAPTIONS = 1000  # outcomes are spread over this many captions (one draft revision each per row)
# (captioner, model id, revision, first week, last week (of 52), share of the volume, unchanged share at
# its start): a fine-tuned model replaces the base one in week 32, Florence-2's revision moves in week 40.
VERSIONS = [
    ("encoder-decoder", "nlpconnect/vit-gpt2-image-captioning", "dc68f91", 0, 31, 0.45, 0.40),
    ("encoder-decoder", "local/vit-gpt2-our-collection", "ft-2026-08", 32, 51, 0.45, 0.58),
    ("blip", "Salesforce/blip-image-captioning-base", "82a3776", 0, 51, 0.30, 0.50),
    ("florence-2", "microsoft/Florence-2-base", "ceaf371", 0, 39, 0.25, 0.46),
    ("florence-2", "microsoft/Florence-2-base", "5ca5edf", 40, 51, 0.25, 0.52),
]


def outcome_rows(count: int, *, weeks: int = 52, last_monday: date, seed: int = 1,
                 measured_share: float = 0.7) -> Any:
    """``count`` review_outcomes rows (tuples in INSERT order, see INSERT) over ``weeks`` weeks ending with
    the week of ``last_monday``: realistic and reproducible."""
    rnd = random.Random(seed)
    first_monday = last_monday - timedelta(weeks=weeks - 1)
    scale = weeks / 52
    timeline = [(captioner, model, revision, int(start * scale), int(end * scale) if end < 51 else weeks - 1,
                 volume, unchanged) for captioner, model, revision, start, end, volume, unchanged in VERSIONS]
    for number in range(count):
        week = rnd.randrange(weeks)
        live = [version for version in timeline if version[3] <= week <= version[4]]
        captioner, model, revision, start, _end, _volume, unchanged = rnd.choices(
            live, weights=[version[5] for version in live])[0]
        unchanged += 0.004 * (week - start)  # editors' corrections teach it, week by week
        draw = rnd.random()
        draft_words = rnd.randint(7, 22)
        if draw < unchanged:
            outcome, distance = "unchanged", 0
        elif draw < 0.88:
            outcome, distance = "edited", min(draft_words, 1 + int(rnd.expovariate(1 / (3.5 - 0.02 * week))))
        else:
            outcome, distance = "rejected", None
        flags = sum(rnd.random() < 0.04 for _flag in range(3))
        seconds = round(rnd.lognormvariate(2.6 if outcome != "unchanged" else 1.9, 0.6), 1) \
            if rnd.random() < measured_share else None
        decided = datetime.combine(first_monday + timedelta(weeks=week, days=rnd.randrange(7)),
                                   datetime.min.time(), UTC) + timedelta(seconds=rnd.randrange(86_400))
        drafted = decided - timedelta(hours=rnd.randrange(1, 240))
        caption = number % CAPTIONS + 1
        yield (caption, caption, "description", number // CAPTIONS + 1, captioner, model, revision, outcome,
               draft_words, distance, flags, seconds, "editor", _stamp(drafted), _stamp(decided))


INSERT = ("INSERT INTO review_outcomes (caption_id, photo_id, kind, draft_revision, captioner_id, model_id, "
          "model_revision, outcome, draft_words, edit_distance, flag_count, review_seconds, author, "
          "drafted_at, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # as UTCDateTime stores it on SQLite


def fill_catalogue(path: Path, rows: int, *, weeks: int = 52, last_monday: date, seed: int = 1,
                   measured_share: float = 0.7) -> None:
    """A new catalogue at ``path`` (the newest schema) holding ``rows`` decided drafts (see outcome_rows)."""
    from desktop_app.catalogue import open_catalogue

    with open_catalogue(path):
        pass  # created at the newest schema, the weekly index with it
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("INSERT INTO libraries (id, root, name, added_at) "
                           "VALUES (1, x'2f70686f746f73', 'photos', '2025-01-01')")
        connection.executemany(
            "INSERT INTO photos (id, library_id, rel_path, status, added_at, updated_at) "
            "VALUES (?, 1, ?, 'ok', '2025-01-01', '2025-01-01')",
            ((number, f"{number:05}.jpg".encode()) for number in range(1, CAPTIONS + 1)))
        connection.executemany(
            "INSERT INTO captions (id, photo_id, kind, text, origin, state, is_current, revision, "
            "created_at, updated_at) VALUES (?, ?, 'description', 'a caption', 'ai', 'approved', 1, 1, "
            "'2025-01-01', '2025-01-01')", ((number, number) for number in range(1, CAPTIONS + 1)))
        connection.executemany(INSERT, outcome_rows(rows, weeks=weeks, last_monday=last_monday, seed=seed,
                                                    measured_share=measured_share))
    connection.execute("ANALYZE")
    connection.close()


def naive_report(path: Path) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Every row read into Python and added up there, per captioner, model version and ISO week."""
    connection = sqlite3.connect(path)
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    mondays: dict[str, date] = {}
    for captioner, model, revision, decided, outcome, distance, words, seconds, flags in connection.execute(
            "SELECT captioner_id, model_id, model_revision, decided_at, outcome, edit_distance, draft_words, "
            "review_seconds, flag_count FROM review_outcomes"):
        day = decided[:10]
        monday = mondays.get(day)
        if monday is None:
            parsed = date.fromisoformat(day)
            monday = mondays[day] = parsed - timedelta(days=parsed.weekday())
        group = groups.get((captioner, model, revision, monday))
        if group is None:
            group = groups[(captioner, model, revision, monday)] = {
                "decided": 0, "unchanged": 0, "edited": 0, "rejected": 0, "distance": 0, "relative": 0.0,
                "seconds": [], "flags": 0}
        group["decided"] += 1
        group[outcome] += 1
        if distance is not None:
            group["distance"] += distance
            group["relative"] += distance / words if words else 0.0
        group["flags"] += flags
        if seconds is not None:
            group["seconds"].append(seconds)
    connection.close()
    for group in groups.values():
        approved = group["unchanged"] + group["edited"]
        group["mean_distance"] = group["distance"] / approved if approved else None
        group["mean_relative"] = group["relative"] / approved if approved else None
        group["median_seconds"] = statistics.median(group["seconds"]) if group["seconds"] else None
    return groups


def timed(function: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _run in range(repeats):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args()

    from desktop_app.catalogue import open_catalogue
    from desktop_app.services.quality import quality_report

    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / "quality.db"
    stamp = args.workdir / "stamp.txt"
    wanted = f"{DATA_VERSION} {args.rows}"
    if not (path.exists() and stamp.exists() and stamp.read_text() == wanted):
        for old in args.workdir.glob("quality.db*"):
            old.unlink()
        print(f"generating {args.rows:,} review outcomes in {path} ...", flush=True)
        started = time.perf_counter()
        fill_catalogue(path, args.rows, last_monday=date(2026, 11, 30))
        print(f"  inserted in {time.perf_counter() - started:.1f} s", flush=True)
        stamp.write_text(wanted)

    for line in machine_description():
        print(line)
    naive_times, naive = timed(lambda: naive_report(path), args.repeats)
    with open_catalogue(path) as catalogue:
        report_times, report = timed(lambda: quality_report(catalogue), args.repeats)

    same = len(naive) == len(report.weeks) and all(
        (group := naive[(week.version.captioner_id, week.version.model_id, week.version.model_revision,
                         week.week_start)])["decided"] == week.decided
        and group["unchanged"] == week.unchanged and group["rejected"] == week.rejected
        and _close(group["mean_distance"], week.mean_edit_distance)
        and _close(group["mean_relative"], week.mean_relative_distance)
        and _close(group["median_seconds"], week.median_review_seconds)
        for week in report.weeks)
    best_naive, best_report = min(naive_times), min(report_times)
    print(f"\n{args.rows:,} review outcomes; {len(report.weeks)} rows (a model version in a week) of "
          f"{len(report.versions())} model "
          f"versions; {args.repeats} runs each")
    print_table([
        ("(a) naive: rows into Python, best", f"{best_naive:.2f} s", "", ""),
        ("(a) naive, median", f"{statistics.median(naive_times):.2f} s", "", ""),
        ("(b) quality report, best", f"{best_report:.2f} s", f"< {TARGET_S:g} s",
         verdict(best_report < TARGET_S)),
        ("(b) quality report, median", f"{statistics.median(report_times):.2f} s", f"< {TARGET_S:g} s",
         verdict(statistics.median(report_times) < TARGET_S)),
        ("(a)/(b), best", f"{best_naive / best_report:.1f}x", "", ""),
        ("same figures", "yes" if same else "NO", "yes", verdict(same)),
    ])


def _close(left: float | None, right: float | None) -> bool:
    return (left is None and right is None) or (left is not None and right is not None
                                                  and abs(left - right) < 1e-9)


if __name__ == "__main__":
    main()
