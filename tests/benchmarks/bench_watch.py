"""Watched folders benchmark: how soon a photo dropped into a watched library is queued for captioning.

Run from the repository root (no assertions: it measures and prints figures against the target)::

    .venv/bin/python -m tests.benchmarks.bench_watch [--photos 10000] [--files 20] [--stability 1.5]
        [--poll-interval 1] [--workdir DIR]

A library of ``--photos`` small JPEGs is made and scanned once (kept in ``--workdir`` for the next
run). Then ``--files`` new photos are dropped into it one at a time, and for each the latency from its
last write (the file closed) to its item existing in the library's standing caption job is taken:

(a) events: the watcher (services/watching.py) on file-system events (inotify here);
(b) polling: the same watcher polling every ``--poll-interval`` seconds (network shares);
(c) naive baseline: a full rescan of the library on a timer (back to back, the best a timer can do),
    the new photo queued when a rescan finds it.

Latency is reported whole and without the stability wait (a file is scanned only after its size and
times stayed the same for ``--stability`` seconds: that wait is a setting, not work). The process's CPU
use over each run is printed too: the watcher idles, a rescan loop does not. Target: median under 3 s
plus the stability wait, in both watcher modes; the ratio is (c) over (a).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_scan import machine_description, print_table, verdict

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-watch"
TARGET_S = 3.0  # median latency, on top of the stability wait


def build(workdir: Path, photos: int) -> tuple[Any, Path]:
    """The library of ``photos`` small JPEGs, scanned into a catalogue (both kept for the next run)."""
    from desktop_app.catalogue import open_catalogue
    from desktop_app.library.scanner import Scanner
    from desktop_app.library.thumbnails import ThumbnailCache
    from tests import photo_files

    root = workdir / "library"
    stamp = workdir / "library.txt"
    if not (stamp.is_file() and stamp.read_text() == str(photos)):
        shutil.rmtree(workdir, ignore_errors=True)
        print(f"writing {photos:,} photos ...", flush=True)
        source = photo_files.jpeg(workdir / "source.jpg", seed=1, size=(64, 48)).read_bytes()
        for index in range(photos):
            path = root / f"{index // 500:03}" / f"{index:06}.jpg"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(source[:-2] + index.to_bytes(4, "big") + source[-2:])  # distinct content
    for old in root.glob("incoming-*"):  # an earlier run's drops: gone before the library is scanned
        shutil.rmtree(old)
    catalogue = open_catalogue(workdir / "catalogue.db")
    scanner = Scanner(catalogue, ThumbnailCache(workdir / "thumbnails"))
    started = time.perf_counter()
    report = scanner.scan(root)
    seconds = time.perf_counter() - started
    print(f"library: {report.found:,} photos ({report.new:,} scanned in {seconds:.1f} s)", flush=True)
    stamp.write_text(str(photos))
    return catalogue, root


class Drops:
    """Drops photos into the library one at a time and times each until it is queued."""

    def __init__(self, root: Path, label: str) -> None:
        from tests import photo_files

        self.folder = root / f"incoming-{label}-{os.getpid()}-{int(time.time())}"
        self.folder.mkdir()
        self.photo_files = photo_files
        self.seed = time.time_ns() % 1_000_000_000
        self.written: dict[str, float] = {}  # rel path -> time.time() of its last write
        self.queued: dict[str, float] = {}
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    def saw(self, rel_paths: Sequence[str], when: float) -> None:
        with self.lock:
            for rel_path in rel_paths:
                self.queued.setdefault(rel_path, when)
            self.arrived.notify_all()

    def run(self, files: int, root: Path, timeout: float = 120.0) -> list[float]:
        latencies = []
        for number in range(files):
            path = self.folder / f"drop{number:03}.jpg"
            # New content every run: a photo of an earlier run's content would be that photo moved
            self.photo_files.jpeg(path, seed=self.seed + number, size=(640, 480))
            rel = str(path.relative_to(root))
            written = time.time()
            with self.lock:
                if not self.arrived.wait_for(lambda rel=rel: rel in self.queued, timeout):
                    raise SystemExit(f"{rel} was not queued within {timeout:g} s")
                latencies.append(self.queued[rel] - written)
        return latencies


def watcher_run(catalogue: Any, root: Path, files: int, stability: float, poll: float | None) -> list[float]:
    from sqlalchemy import select

    from desktop_app.catalogue.models import Photo
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.services.libraries import WatchSettings, set_watch
    from desktop_app.services.watching import LibraryWatcher

    drops = Drops(root, "polling" if poll else "events")
    with catalogue.read() as session:
        library_id = session.scalar(select(Photo.library_id).limit(1))
    set_watch(catalogue, library_id, WatchSettings(caption="encoder-decoder", poll_interval=poll))
    ready = threading.Event()

    def on_report(report: Any) -> None:
        when = time.time()  # after the standing job's items are committed
        if report.catch_up:
            ready.set()
        if report.queued:
            with catalogue.read() as session:
                paths = list(session.scalars(select(Photo.rel_path).where(Photo.id.in_(report.photo_ids))))
            drops.saw(paths, when)

    watcher = LibraryWatcher(catalogue, load_plugins(), on_report, stability=stability)
    watcher.start()
    ready.wait(600)
    try:
        return drops.run(files, root)
    finally:
        watcher.stop()


def naive_run(catalogue: Any, root: Path, files: int) -> tuple[list[float], list[float]]:
    """A full rescan on a timer, back to back; the latencies and the rescans' durations."""
    from desktop_app.library.scanner import Scanner
    from desktop_app.library.thumbnails import ThumbnailCache

    drops = Drops(root, "naive")
    scanner = Scanner(catalogue, ThumbnailCache(root.parent / "thumbnails"))
    stop = threading.Event()
    durations: list[float] = []

    def loop() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            report = scanner.scan(root)
            durations.append(time.perf_counter() - started)
            drops.saw(report.new_paths, time.time())

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        return drops.run(files, root), durations
    finally:
        stop.set()
        thread.join()


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    """``run()`` and the share of one CPU core this process used meanwhile."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = run()
    return result, (time.process_time() - cpu) / max(time.perf_counter() - wall, 1e-9)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    """Run the benchmark; the figures printed, by name (bench_api.py calls this)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--stability", type=float, default=1.5)
    parser.add_argument("--poll-interval", type=float, default=1.0)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("PHOTO_ANNOTATOR_CONFIG", str(args.workdir / "config"))
    os.environ.setdefault("PHOTO_ANNOTATOR_CACHE", str(args.workdir / "cache"))
    args.workdir.mkdir(parents=True, exist_ok=True)
    for line in machine_description():
        print(line)
    catalogue, root = build(args.workdir, args.photos)
    print(f"{args.files} photos dropped one at a time; stability wait {args.stability:g} s", flush=True)
    events, events_cpu = timed(lambda: watcher_run(catalogue, root, args.files, args.stability, None))
    polling, polling_cpu = timed(lambda: watcher_run(catalogue, root, args.files, args.stability,
                                                     args.poll_interval))
    (naive, rescans), naive_cpu = timed(lambda: naive_run(catalogue, root, args.files))
    figures = {
        "events_median_s": statistics.median(events), "events_p95_s": p95(events),
        "polling_median_s": statistics.median(polling), "polling_p95_s": p95(polling),
        "naive_median_s": statistics.median(naive), "naive_p95_s": p95(naive),
        "rescan_median_s": statistics.median(rescans),
        "events_cpu": events_cpu, "polling_cpu": polling_cpu, "naive_cpu": naive_cpu,
    }
    wait = args.stability
    rows = []
    for label, values, cpu in (("(a) events", events, events_cpu),
                               (f"(b) polling every {args.poll_interval:g} s", polling, polling_cpu),
                               ("(c) naive full rescan", naive, naive_cpu)):
        median, high = statistics.median(values), p95(values)
        watcher = not label.startswith("(c)")
        rows.append((f"{label}: latency median / p95", f"{median:.2f} / {high:.2f} s",
                     f"< {TARGET_S + wait:g} s" if watcher else "", verdict(median < TARGET_S + wait)
                     if watcher else ""))
        if watcher:
            rows.append((f"{label}: without the stability wait", f"{median - wait:.2f} / {high - wait:.2f} s",
                         f"< {TARGET_S:g} s", verdict(median - wait < TARGET_S)))
        rows.append((f"{label}: CPU use while watching", f"{cpu * 100:.0f}% of a core", "", ""))
    rows.append(("(c) one full rescan, median", f"{figures['rescan_median_s']:.2f} s", "", ""))
    ratio = figures["naive_median_s"] / figures["events_median_s"]
    ratio_work = figures["naive_median_s"] / max(figures["events_median_s"] - wait, 1e-3)
    figures["ratio"], figures["ratio_without_wait"] = ratio, ratio_work
    rows.append(("ratio (c)/(a), latency", f"{ratio:.2f}x", "", ""))
    rows.append(("ratio (c)/(a), without the stability wait", f"{ratio_work:.1f}x", "", ""))
    print(f"library of {args.photos:,} photos")
    print_table(rows)
    return figures


if __name__ == "__main__":
    main()
