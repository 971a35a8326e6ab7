"""Desktop-app benchmark: launch to a usable window, its memory, and scrolling the grid, on a big catalogue.

Run from the repository root (no assertions: it measures and prints figures against targets)::

    .venv/bin/python -m tests.benchmarks.bench_gui [--photos 100000] [--rounds 3] [--workdir DIR]
        [--naive-scroll-pages 600]

The catalogue (built once in the work folder with SQLAlchemy Core bulk inserts into a catalogue the
app's migrations created, then reused): one library of N photos in date folders
(``YYYY/YYYY-MM/IMG_nnnnnn.jpg``, about 700 a folder), each row with size, dates, camera and
dimensions; 85% with a current caption (55% AI drafts with a confidence, 25% approved AI captions,
5% written by a person), each caption with its revisions (created, then approved) and in the
full-text index; 0.5% of the photos missing, 0.2% unreadable. The photo files are hard links to 64
real JPEGs (1600 px variants of the bundled sample library), so every path opens. Every photo has a
content hash of its own, and its thumbnail in the app's ThumbnailCache is a hard link to the real
thumbnail (made by ``ThumbnailCache.make``, as the scanner does) of its JPEG: the grid reads and
decodes one thumbnail file per cell, as with a real library, not 64 cached ones.

Launch (``--rounds`` fresh processes, median): the app child builds the window as
``desktop_app.ui.app.run_app`` does for ``photo-annotator gui`` (QApplication, the app's look,
``MainWindow``, show, ``start(db=...)``) but at the default 1400x900 window size, the offscreen Qt
platform, and the PHOTO_ANNOTATOR_* locations in the work folder. It is driven directly rather than
through the CLI so it can time each stage; a 5 ms timer on the GUI thread polls the window. Times
are measured from just before the parent spawns the child (so interpreter start and imports count):

    first photos    the grid model holds its first chunk of rows
    first screen    first screenful laid out and each visible cell's thumbnail loaded
    usable          ``MainWindow.is_settled()``: catalogue open, libraries, folders and captioners
                    listed, all N rows in the grid model, the first photo's details and preview
                    loaded, the visible thumbnails ready. The 2 s target applies here.
    laid out        the grid's batched layout has placed the last row (the scroll bar is full length)

The longest gap between two ticks of the timer is the longest the window could not repaint or react
while loading. ``torch``/``transformers`` in ``sys.modules`` is checked at "usable" (FAIL if either was
imported: the text embedder may preload only once the window is usable, and only when the catalogue has
caption vectors) and after the scroll (this catalogue has no vectors, so still none expected). RSS
(VmRSS) is read after the QApplication exists but before the window is built, and again once laid out:
the difference is the window's with N photos.

Scroll (first round's processes): from the top, ``verticalScrollBar() += pageStep`` (a page is the
viewport's height), ``viewport().repaint()``, then ``processEvents()`` until the bottom, each step
timed. Repainting first paints the new page once (processing events first would paint it twice:
the scroll's own update, then the forced repaint); the events then deliver the thumbnails loaded
meanwhile, whose cells repaint. Thumbnails load off the GUI thread, so a step does not wait for them:
the share of visible cells still without their thumbnail after each step is printed too.

Naive baseline, measured in the same run (same catalogue, same rounds, alternating with the app): on
the GUI thread, ``session.scalars(select(Photo).options(selectinload(Photo.captions))).all()``
(selectinload: without it, one lazy query per photo takes minutes), then a ``QStandardItemModel``
with one ``QStandardItem(QIcon(thumbnail file), name)`` per photo, tooltip = current caption, in a
``QListView`` in icon mode with the app's cell size, whose viewport is given the app grid's size;
usable = shown and painted once. Its scroll is the same loop, capped at ``--naive-scroll-pages``
pages (QIcon decodes thumbnails on the GUI thread while painting, so a full pass takes many
minutes); ratios compare per-page times.
"""

from __future__ import annotations

import time

# First thing in a child process: what "driver start" means below.
DRIVER_START_WALL = time.time()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-gui"
DEFAULT_PHOTOS = 100_000
# Bump when the generated catalogue changes, so an old one is rebuilt rather than reused.
CATALOGUE_VERSION = 1
SOURCE_JPEGS = 64
SOURCE_SIDE = 1600
INSERT_BATCH = 10_000

LAUNCH_TARGET_S = 2.0
POLL_MS = 5
CHILD_TIMEOUT_S = 600
LOAD_TIMEOUT_S = 120.0
HEAVY_MODULES = ("torch", "transformers")

CAPTION_WORDS = (
    "a cat sitting on a wooden table next to a cup of coffee in the morning light "
    "two people walking along a sandy beach at sunset with mountains behind them "
    "an old stone bridge over a river surrounded by autumn trees and a small boat "
    "close up of a red flower with green leaves and drops of water after the rain "
    "a city street at night with cars lights and tall buildings reflected in puddles"
)


# --- measurements inside the child processes -----------------------------------------------------

def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _heavy_imported() -> dict[str, bool]:
    return {name: name in sys.modules for name in HEAVY_MODULES}


def _scroll(view: Any, app: Any, max_pages: int | None, placeholders: Any = None) -> dict[str, Any]:
    """Page from the top to the bottom (or ``max_pages``); each step: move, process events, repaint."""
    bar = view.verticalScrollBar()
    bar.setValue(0)
    app.processEvents()
    view.viewport().repaint()
    steps: list[float] = []
    empty = cells = 0
    started = time.perf_counter()
    while bar.value() < bar.maximum() and (max_pages is None or len(steps) < max_pages):
        step_started = time.perf_counter()
        bar.setValue(bar.value() + bar.pageStep())
        view.viewport().repaint()  # before processEvents: it clears the scroll's pending update
        app.processEvents()  # thumbnails that arrived, and their cells repainted
        steps.append(time.perf_counter() - step_started)
        if placeholders is not None:  # outside the step's clock
            shown, missing = placeholders()
            cells, empty = cells + shown, empty + missing
    return {
        "total_s": time.perf_counter() - started,
        "steps_ms": [s * 1000 for s in steps],
        "reached_bottom": bar.value() >= bar.maximum(),
        "page_px": bar.pageStep(),
        "height_px": bar.maximum() + bar.pageStep(),
        "placeholder_share": empty / cells if cells else None,
    }


def _quiet_qt() -> None:
    """Drop the offscreen platform's warning about every window, as the app's screenshot mode does."""
    from PySide6.QtCore import qInstallMessageHandler

    harmless = "This plugin does not support propagateSizeHints()"
    qInstallMessageHandler(lambda _kind, _context, message: None if message == harmless
                           else sys.stderr.write(message + "\n"))


def _child_app(config: dict[str, Any]) -> dict[str, Any]:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.app import apply_look
    from desktop_app.ui.main_window.window import DEFAULT_SIZE, MainWindow

    marks: dict[str, float] = {"imports": time.time()}
    _quiet_qt()
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Photo Annotator")
    app.setOrganizationName("photo-annotator")
    apply_look(app)
    rss_before = _rss_bytes()
    marks["window_start"] = time.time()
    cpu_start = (time.process_time(), time.thread_time())
    window = MainWindow()
    window.resize(DEFAULT_SIZE)
    window.show()
    window.start(db=config["db"])

    photos = config["photos"]
    grid, model = window.grid, window.model
    last_row = None
    loop = QEventLoop()
    state: dict[str, Any] = {"last_tick": time.perf_counter(), "max_gap": 0.0, "heavy": None, "rss": {}}
    deadline = time.monotonic() + LOAD_TIMEOUT_S

    def poll() -> None:
        nonlocal last_row
        tick = time.perf_counter()
        state["max_gap"] = max(state["max_gap"], tick - state["last_tick"])
        now = time.time()
        rows = model.rowCount()
        if "first_rows" not in marks and rows:
            marks["first_rows"] = now
        if "first_screen" not in marks and rows and grid.visible_rows() and grid.visible_thumbnails_ready():
            marks["first_screen"] = now
        if "all_rows" not in marks and rows >= photos:
            marks["all_rows"] = now
            last_row = model.index(rows - 1)
        if "usable" not in marks and window.is_settled():
            marks["usable"] = now
            state["cpu_at_usable"] = [time.process_time() - cpu_start[0], time.thread_time() - cpu_start[1]]
            state["heavy"] = _heavy_imported()
            state["rss"]["usable"] = _rss_bytes()
        if "usable" in marks and last_row is not None and "laid_out" not in marks \
                and grid.visualRect(last_row).isValid():
            marks["laid_out"] = now
            state["rss"]["laid_out"] = _rss_bytes()
            loop.quit()
        if time.monotonic() > deadline:
            loop.quit()
        state["last_tick"] = time.perf_counter()

    timer = QTimer()
    timer.setInterval(POLL_MS)
    timer.timeout.connect(poll)
    timer.start()
    loop.exec()
    timer.stop()

    result: dict[str, Any] = {
        "marks": marks, "rss_before": rss_before, "rss": state["rss"], "heavy_at_usable": state["heavy"],
        "max_gap_ms": state["max_gap"] * 1000, "rows": model.rowCount(), "errors": window.errors(),
        "cpu_at_usable": state.get("cpu_at_usable"),
        "viewport": [grid.viewport().width(), grid.viewport().height()],
    }
    if config["scroll"] and "laid_out" in marks:
        def placeholders() -> tuple[int, int]:
            visible = grid.visible_rows()
            rows = model.rows()
            missing = sum(1 for number in visible if rows[number].content_hash is not None
                          and rows[number].status.value != "error"
                          and window.thumbnails.pixmap(rows[number].content_hash) is None)
            return len(visible), missing

        result["scroll"] = _scroll(grid, app, None, placeholders)
        result["rss"]["after_scroll"] = _rss_bytes()
        result["heavy_after_scroll"] = _heavy_imported()
    window.close()
    return result


def _child_naive(config: dict[str, Any]) -> dict[str, Any]:
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QListView, QMainWindow
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Photo
    from desktop_app.library.thumbnails import ThumbnailCache

    marks: dict[str, float] = {"imports": time.time()}
    _quiet_qt()
    app = QApplication(sys.argv[:1])
    rss_before = _rss_bytes()
    marks["window_start"] = time.time()
    thumbnails = ThumbnailCache()
    catalogue = open_catalogue(config["db"])
    with catalogue.read() as session:
        photos = session.scalars(
            select(Photo).options(selectinload(Photo.captions), selectinload(Photo.library))
            .order_by(Photo.library_id, Photo.rel_path)
        ).all()
        marks["orm_loaded"] = time.time()
        model = QStandardItemModel()
        for photo in photos:
            item = QStandardItem(QIcon(str(thumbnails.path_for(photo.content_hash))) if photo.content_hash
                                 else QIcon(), os.path.basename(photo.rel_path))
            current = next((caption for caption in photo.captions if caption.is_current), None)
            if current is not None:
                item.setToolTip(current.text)
            item.setEditable(False)
            model.appendRow(item)
    marks["first_rows"] = marks["all_rows"] = time.time()
    window = QMainWindow()
    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setIconSize(QSize(168, 168))
    view.setGridSize(QSize(188, 230))
    # Without this, laying out asks every item its size, and QIcon decodes every thumbnail file to
    # answer: 2,000 photos cost 1 s and 270 MB, 100,000 would not fit in memory.
    view.setUniformItemSizes(True)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setWordWrap(True)
    view.setModel(model)
    window.setCentralWidget(view)
    width, height = config["viewport"]
    window.resize(width + view.verticalScrollBar().sizeHint().width(), height)
    window.show()
    app.processEvents()
    view.viewport().repaint()
    marks["first_screen"] = marks["usable"] = marks["laid_out"] = time.time()
    result: dict[str, Any] = {
        "marks": marks, "rss_before": rss_before, "rss": {"usable": _rss_bytes(), "laid_out": _rss_bytes()},
        "heavy_at_usable": _heavy_imported(), "rows": model.rowCount(), "errors": [],
        "viewport": [view.viewport().width(), view.viewport().height()],
        "max_gap_ms": (marks["usable"] - marks["window_start"]) * 1000,  # all of it on the GUI thread
    }
    if config["scroll"]:
        result["scroll"] = _scroll(view, app, config["naive_scroll_pages"])
        result["rss"]["after_scroll"] = _rss_bytes()
    window.close()
    catalogue.close()
    return result


def child_main(kind: str, config_json: str, out: str) -> None:
    config = json.loads(config_json)
    result = _child_app(config) if kind == "app" else _child_naive(config)
    result["driver_start"] = DRIVER_START_WALL
    Path(out).write_text(json.dumps(result))


# --- the catalogue --------------------------------------------------------------------------------

def _source_jpegs(folder: Path) -> list[Path]:
    """64 real photo-like JPEGs, variants (crop, mirror, tint) of the bundled sample photos."""
    import random

    from PIL import Image, ImageOps

    sources = sorted(p for p in (REPO_ROOT / "resources" / "sample-library").rglob("*")
                     if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(SOURCE_JPEGS):
        rng = random.Random(f"bench-gui-{number}")
        with Image.open(sources[number % len(sources)]) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
        width, height = image.size
        scale = rng.uniform(0.7, 1.0)
        crop_w, crop_h = int(width * scale), int(height * scale)
        left, top = rng.randrange(width - crop_w + 1), rng.randrange(height - crop_h + 1)
        image = image.crop((left, top, left + crop_w, top + crop_h))
        if rng.random() < 0.5:
            image = ImageOps.mirror(image)
        image.thumbnail((SOURCE_SIDE, SOURCE_SIDE), Image.Resampling.LANCZOS)
        gains = [rng.uniform(0.85, 1.15) for _ in range(3)]
        image = image.point([min(255, round(v * gain)) for gain in gains for v in range(256)])
        path = folder / f"source-{number:02d}.jpg"
        image.save(path, "JPEG", quality=88)
        paths.append(path)
    return paths


def _caption_text(rng: Any) -> str:
    words = CAPTION_WORDS.split()
    start = rng.randrange(len(words) - 16)
    return " ".join(words[start:start + rng.randrange(8, 16)]).capitalize()


def build_catalogue(workdir: Path, photos: int) -> dict[str, Any]:
    """The catalogue, library and thumbnail cache in ``workdir``; built once, reused when unchanged."""
    import hashlib
    import random
    import shutil
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import (
        Caption,
        CaptionOrigin,
        CaptionRevision,
        Library,
        Photo,
        PhotoStatus,
        ReviewState,
        RevisionAction,
    )
    from desktop_app.library.file_state import content_hash_of
    from desktop_app.library.images import open_image
    from desktop_app.library.thumbnails import ThumbnailCache

    manifest_path = workdir / "catalogue.json"
    wanted = {"version": CATALOGUE_VERSION, "photos": photos}
    db = workdir / "data" / "catalogue.db"
    if manifest_path.is_file() and json.loads(manifest_path.read_text()) == wanted and db.is_file():
        return {"db": db, "built_s": None}
    started = time.perf_counter()
    manifest_path.unlink(missing_ok=True)
    for name in ("data", "cache", "library", "sources"):
        shutil.rmtree(workdir / name, ignore_errors=True)
    print(f"building a catalogue of {photos:,} photos in {workdir} (once) ...", flush=True)
    sources = _source_jpegs(workdir / "sources")
    cache = ThumbnailCache(workdir / "cache" / "thumbnails")
    source_thumbnails = []
    for path in sources:
        with open(path, "rb") as fp:
            digest = content_hash_of(fp)
            fp.seek(0)
            source_thumbnails.append(cache.make(digest, open_image(fp)))

    root = workdir / "library"
    now = datetime.now(UTC)
    first_day = datetime(2012, 1, 1)
    library_rows = [{"id": 1, "root": str(root), "name": "Family archive", "added_at": now,
                     "last_scan_at": now}]
    photo_rows, caption_rows, revision_rows = [], [], []
    caption_id = 0
    for number in range(photos):
        rng = random.Random(number)
        taken = first_day + timedelta(seconds=number * (12 * 365 * 86_400 // max(photos, 1)))
        rel_path = f"{taken:%Y}/{taken:%Y-%m}/IMG_{number:06d}.jpg"
        digest = hashlib.blake2b(f"bench-gui-{number}".encode(), digest_size=16).hexdigest()
        roll = rng.random()
        status = (PhotoStatus.MISSING if roll < 0.005 else PhotoStatus.ERROR if roll < 0.007
                  else PhotoStatus.OK)
        source = number % SOURCE_JPEGS
        target = cache.path_for(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source_thumbnails[source], target)
        if status is not PhotoStatus.MISSING:
            photo_file = root / rel_path
            photo_file.parent.mkdir(parents=True, exist_ok=True)
            os.link(sources[source], photo_file)
        photo_rows.append({
            "id": number + 1, "library_id": 1, "rel_path": rel_path, "size": 400_000 + rng.randrange(600_000),
            "mtime_ns": int(taken.timestamp() * 1e9), "ctime_ns": int(taken.timestamp() * 1e9),
            "content_hash": digest, "width": 1600, "height": 1200, "format": "JPEG", "date_taken": taken,
            "camera_make": "Canon", "camera_model": "EOS R5", "orientation": 1, "status": status,
            "error": "cannot decode image: image file is truncated" if status is PhotoStatus.ERROR else None,
            "added_at": now, "updated_at": now,
        })
        kind = rng.random()
        if kind >= 0.85:
            continue  # no caption
        caption_id += 1
        text = _caption_text(rng)
        human = kind >= 0.80
        approved = kind >= 0.55
        origin = CaptionOrigin.HUMAN if human else CaptionOrigin.AI
        state = ReviewState.APPROVED if approved else ReviewState.DRAFT
        caption_rows.append({
            "id": caption_id, "photo_id": number + 1, "captioner_id": None if human else "blip",
            "model_id": None if human else "Salesforce/blip-image-captioning-base", "model_revision": None,
            "prompt": None, "text": text, "origin": origin, "state": state,
            "confidence": None if human else round(rng.uniform(0.3, 0.98), 3),
            "author": "anna" if human else None, "is_current": True, "notice": None, "token_scores": None,
            "created_at": now, "updated_at": now,
        })
        revision_rows.append({
            "caption_id": caption_id, "number": 1, "action": RevisionAction.CREATED, "text": text,
            "state": ReviewState.DRAFT, "origin": origin, "author": "anna" if human else "blip",
            "note": None, "created_at": now,
        })
        if approved:
            revision_rows.append({
                "caption_id": caption_id, "number": 2, "action": RevisionAction.APPROVED, "text": text,
                "state": ReviewState.APPROVED, "origin": origin, "author": "anna", "note": None,
                "created_at": now,
            })
    with open_catalogue(db) as catalogue, catalogue.engine.begin() as connection:
        connection.execute(insert(Library.__table__), library_rows)
        for table, rows in ((Photo.__table__, photo_rows), (Caption.__table__, caption_rows),
                            (CaptionRevision.__table__, revision_rows)):
            for first in range(0, len(rows), INSERT_BATCH):
                connection.execute(insert(table), rows[first:first + INSERT_BATCH])
    seconds = time.perf_counter() - started
    manifest_path.write_text(json.dumps(wanted))
    print(f"  built in {seconds:.1f} s: {photos:,} photos, {len(caption_rows):,} captions, "
          f"{len(revision_rows):,} revisions", flush=True)
    return {"db": db, "built_s": seconds}


# --- running the children -------------------------------------------------------------------------

def run_child(kind: str, workdir: Path, config: dict[str, Any]) -> dict[str, Any]:
    """One fresh process; its marks become seconds since just before it was spawned."""
    import psutil

    env = dict(os.environ)
    env.update({
        "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1",
        "PHOTO_ANNOTATOR_DB": str(config["db"]), "PHOTO_ANNOTATOR_DATA": str(workdir / "data"),
        "PHOTO_ANNOTATOR_CACHE": str(workdir / "cache"), "PHOTO_ANNOTATOR_CONFIG": str(workdir / "config"),
    })
    out = workdir / f"result-{kind}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "tests.benchmarks.bench_gui", "--child", kind,
               "--child-config", json.dumps(config, default=str), "--child-out", str(out)]
    spawned = time.time()
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    try:
        created = psutil.Process(process.pid).create_time()
    except psutil.Error:
        created = spawned
    if process.wait(CHILD_TIMEOUT_S) != 0 or not out.is_file():
        raise SystemExit(f"the {kind} child failed (exit status {process.returncode})")
    result = json.loads(out.read_text())
    result["since_spawn"] = {name: at - spawned for name, at in result["marks"].items()}
    result["driver_start_s"] = result["driver_start"] - spawned
    result["process_created_s"] = created - spawned  # /proc start time: 10 ms resolution
    return result


class OthersLoad:
    """CPUs that processes other than this one and its children kept busy (bench_scan's OtherLoad
    counts our children as others)."""

    @staticmethod
    def _ours() -> float:
        import resource

        return sum(usage.ru_utime + usage.ru_stime for usage in (
            resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))

    def __enter__(self) -> OthersLoad:
        from tests.benchmarks.bench_scan import machine_busy_seconds

        self.started, self.busy, self.own = time.perf_counter(), machine_busy_seconds(), self._ours()
        return self

    def __exit__(self, *_exc: object) -> None:
        from tests.benchmarks.bench_scan import machine_busy_seconds

        wall = time.perf_counter() - self.started
        others = machine_busy_seconds() - self.busy - (self._ours() - self.own)
        self.cpus = max(0.0, others / wall) if wall > 0 else 0.0


# --- report ---------------------------------------------------------------------------------------

def _median(results: list[dict[str, Any]], mark: str) -> float | None:
    values = [r["since_spawn"][mark] for r in results if mark in r["since_spawn"]]
    return statistics.median(values) if len(values) == len(results) else None


def _seconds(value: float | None) -> str:
    return "did not happen" if value is None else f"{value:.2f} s"


def _mb(value: float) -> str:
    return f"{value / 1e6:.0f} MB"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def describe_round(label: str, result: dict[str, Any]) -> None:
    marks = result["since_spawn"]
    order = ("imports", "window_start", "orm_loaded", "first_rows", "first_screen", "all_rows", "usable",
             "laid_out")
    parts = [f"{name} {marks[name]:.2f}" for name in order if name in marks]
    rss = result["rss"].get("laid_out", 0) - result["rss_before"]
    print(f"  {label}: driver {result['driver_start_s']:.2f}, " + ", ".join(parts)
          + f" s; window RSS +{rss / 1e6:.0f} MB; longest GUI stall {result['max_gap_ms']:.0f} ms"
          + (" ; CPU from window to usable: {:.2f} s all threads, {:.2f} s GUI thread".format(
              *result["cpu_at_usable"]) if result.get("cpu_at_usable") else "")
          + (f"; errors: {result['errors']}" if result["errors"] else ""), flush=True)


def describe_scroll(label: str, scroll: dict[str, Any]) -> None:
    steps = scroll["steps_ms"]
    placeholder = scroll.get("placeholder_share")
    print(f"  {label}: {len(steps):,} pages of {scroll['page_px']} px in {scroll['total_s']:.1f} s "
          f"({'to the bottom' if scroll['reached_bottom'] else 'stopped early'}); per page "
          f"p50 {statistics.median(steps):.2f} ms, p95 {_percentile(steps, 0.95):.2f} ms, "
          f"max {max(steps):.1f} ms"
          + (f"; {placeholder:.0%} of visible cells still without their thumbnail after a step"
             if placeholder is not None else ""), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=DEFAULT_PHOTOS, help="catalogue size (default 100000)")
    parser.add_argument("--rounds", type=int, default=3, help="launches of each window (default 3)")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where the catalogue and caches go (default {DEFAULT_WORKDIR})")
    parser.add_argument("--naive-scroll-pages", type=int, default=600,
                        help="pages the naive list scrolls (default 600; 0: to the bottom)")
    parser.add_argument("--child", choices=("app", "naive"), help=argparse.SUPPRESS)
    parser.add_argument("--child-config", help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child_main(args.child, args.child_config, args.child_out)
        return
    if args.photos < 1 or args.rounds < 1:
        parser.error("--photos and --rounds must be at least 1")

    from tests.benchmarks.bench_scan import machine_description, print_table, verdict, wait_for_quiet

    workdir: Path = args.workdir.expanduser().resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    print("Photo Annotator desktop-app benchmark")
    for line in machine_description():
        print(line)
    print(f"work folder: {workdir}\n")
    built = build_catalogue(workdir, args.photos)
    if built["built_s"] is None:
        print(f"reused the catalogue in {workdir}")
    config: dict[str, Any] = {"db": str(built["db"]), "photos": args.photos,
                              "naive_scroll_pages": args.naive_scroll_pages or None}

    print(f"machine: {wait_for_quiet(max_wait_s=120)}")
    print("launches (seconds since spawn; fresh processes, app then naive, alternating):", flush=True)
    apps: list[dict[str, Any]] = []
    naives: list[dict[str, Any]] = []
    with OthersLoad() as load:
        for round_number in range(args.rounds):
            scroll = round_number == 0
            app = run_child("app", workdir, {**config, "scroll": scroll})
            describe_round(f"round {round_number + 1} app  ", app)
            if scroll:
                describe_scroll("         app scroll", app["scroll"])
            naive = run_child("naive", workdir, {**config, "scroll": scroll, "viewport": app["viewport"]})
            describe_round(f"round {round_number + 1} naive", naive)
            if scroll:
                describe_scroll("         naive scroll", naive["scroll"])
            apps.append(app)
            naives.append(naive)

    usable, naive_usable = _median(apps, "usable"), _median(naives, "usable")
    first_screen = _median(apps, "first_screen")
    rows_ok = all(r["rows"] == args.photos for r in apps + naives)
    checked = all(r.get("heavy_at_usable") is not None for r in apps)
    heavy = any(r.get("heavy_at_usable") and any(r["heavy_at_usable"].values()) for r in apps)
    heavy_later = any(r.get("heavy_after_scroll") and any(r["heavy_after_scroll"].values()) for r in apps)
    window_mb = statistics.median(r["rss"]["laid_out"] - r["rss_before"]
                                  for r in apps if "laid_out" in r["rss"])
    naive_mb = statistics.median(r["rss"]["laid_out"] - r["rss_before"] for r in naives)
    app_scroll, naive_scroll = apps[0]["scroll"], naives[0]["scroll"]
    app_page = statistics.median(app_scroll["steps_ms"])
    naive_page = statistics.median(naive_scroll["steps_ms"])
    app_pages = len(app_scroll["steps_ms"])

    def ratio(naive_value: float | None, app_value: float | None) -> str:
        return f"{naive_value / app_value:.1f}x" if naive_value and app_value else "-"

    rows = [
        ("launch to first photos shown", _seconds(_median(apps, "first_rows")), "-", "-"),
        ("launch to first screen + thumbnails", _seconds(first_screen), "-", "-"),
        ("launch to usable window (is_settled)", _seconds(usable), f"< {LAUNCH_TARGET_S:g} s",
         verdict(usable is not None and usable < LAUNCH_TARGET_S)),
        ("launch to usable: naive", _seconds(naive_usable), "-", "-"),
        ("launch to usable: naive / app", ratio(naive_usable, usable), "-", "-"),
        ("launch to all rows in the model", _seconds(_median(apps, "all_rows")), "-", "-"),
        ("launch to grid fully laid out", _seconds(_median(apps, "laid_out")), "-", "-"),
        ("longest GUI stall while loading: app / naive",
         f"{statistics.median(r['max_gap_ms'] for r in apps):.0f} / "
         f"{statistics.median(r['max_gap_ms'] for r in naives):.0f} ms", "-", "-"),
        ("torch / transformers imported before usable",
         "yes" if heavy else "no" if checked else "not checked", "no", verdict(checked and not heavy)),
        ("torch / transformers imported after the scroll (no vectors: no preload)",
         "yes" if heavy_later else "no", "no", verdict(not heavy_later)),
        ("RSS of the process, laid out",
         _mb(statistics.median(r["rss"]["laid_out"] for r in apps if "laid_out" in r["rss"])), "-", "-"),
        ("window memory (RSS delta): app / naive", f"{_mb(window_mb)} / {_mb(naive_mb)}", "-", "-"),
        ("window memory: naive / app", ratio(naive_mb, window_mb), "-", "-"),
        ("RSS after scrolling to the bottom", _mb(apps[0]["rss"].get("after_scroll", 0)), "-", "-"),
        ("scroll top to bottom", f"{app_scroll['total_s']:.1f} s, {app_pages:,} pages", "-", "-"),
        ("scroll ms/page p50 / p95: app",
         f"{app_page:.2f} / {_percentile(app_scroll['steps_ms'], 0.95):.2f}", "-", "-"),
        ("scroll ms/page p50 / p95: naive",
         f"{naive_page:.2f} / {_percentile(naive_scroll['steps_ms'], 0.95):.2f}"
         + ("" if naive_scroll["reached_bottom"] else f" (first {len(naive_scroll['steps_ms']):,} pages)"),
         "-", "-"),
        ("scroll per page: naive / app (p50)", ratio(naive_page, app_page), "-", "-"),
        ("scroll: longest single step", f"{max(app_scroll['steps_ms']):.1f} ms", "-", "-"),
        ("rows shown: all N, both windows", "yes" if rows_ok else "NO", "yes", verdict(rows_ok)),
        ("CPUs used by other processes", f"{load.cpus:.2f}", "< 0.3",
         "OK" if load.cpus < 0.3 else "BUSY: figures unreliable"),
    ]
    print(f"\nsummary ({args.photos:,} photos, median of {args.rounds} launches, scroll from the first; "
          "MB = 10^6 bytes; app = MainWindow driven as run_app does, naive = ORM objects into a "
          "QStandardItemModel on the GUI thread)")
    for line in machine_description():
        print(line)
    print_table(rows)


if __name__ == "__main__":
    main()
