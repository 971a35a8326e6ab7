"""Benchmark: changing the thumbnail size on a 100k-photo library, against a naive grid.

Run from the repository root (no assertions: it measures and prints figures)::

    .venv/bin/python -m tests.benchmarks.bench_thumbnail_size [--photos 100000] [--changes 12]
        [--workdir DIR]

The catalogue is bench_gui's (built once in the same work folder, reused): N photos, each with a
thumbnail file of its own. The app's window is built as ``photo-annotator gui`` builds it (its look, the
default 1400x900 size, the offscreen platform), opened on it, and waited for until settled and the grid
laid out to its last row. Then the size goes through ``--changes`` steps of the status bar's slider (what
a drag or Ctrl+wheel does: 168 → 200 → 240 → 280 → 320 → 280 … → 96 …), each timed:

    first screen   ``slider.setValue`` until the new first screenful is painted (``viewport().repaint()``
                   after the events queued by the change)
    laid out       until the grid has placed its last row again (its layout runs in batches while the
                   event loop idles, so the window answers meanwhile)
    longest stall  the longest the GUI thread went without a turn of its event loop (a 5 ms timer's
                   largest gap) between the change and "laid out": how long the window froze

Naive baseline, same process, same model and rows, same viewport size: a ``QListView`` in icon mode as
one would first write it: its items sized by the delegate's ``sizeHint`` (no uniform item size, no grid
size), laid out in one pass (Qt's default), the size change made by the delegate answering a new size and
``doItemsLayout()``. Every change measures every one of the N items again. Its first screen and stall are
the whole layout. Ratios compare medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-gui"  # bench_gui's: shared
SIZES = (200, 240, 280, 320, 280, 240, 200, 168, 136, 96, 136, 168)
LAYOUT_TIMEOUT_S = 120.0
TICK_MS = 5


class Stalls:
    """The largest gap between two ticks of a 5 ms timer on the GUI thread since ``reset``."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.reset()
        self.timer.start()

    def reset(self) -> None:
        self.last = time.perf_counter()
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def result(self) -> float:
        return max(self.longest, time.perf_counter() - self.last)


def _wait(app: Any, done: Any, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.001)
    return True


def _measure_app(app: Any, window: Any, stalls: Stalls, sides: list[int]) -> list[dict[str, float]]:
    grid, model = window.grid, window.model
    last = model.index(model.rowCount() - 1)
    results = []
    for side in sides:
        stalls.reset()
        started = time.perf_counter()
        window.thumbnail_size.setValue(side)
        app.processEvents()
        grid.viewport().repaint()
        first = time.perf_counter() - started
        laid = _wait(app, lambda: grid.visualRect(last).isValid()
                     and grid.visualRect(last).height() == grid.gridSize().height(), LAYOUT_TIMEOUT_S)
        laid_out = time.perf_counter() - started
        results.append({"side": side, "first_screen_s": first,
                        "laid_out_s": laid_out if laid else float("nan"), "stall_s": stalls.result()})
        _wait(app, window.is_settled, LAYOUT_TIMEOUT_S)  # the new screen's thumbnails, before the next
    return results


def _measure_naive(app: Any, window: Any, stalls: Stalls, sides: list[int]) -> list[dict[str, float]]:
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QListView, QStyledItemDelegate

    from desktop_app.ui.widgets.photo_grid import CELL_MARGINS, THUMBNAIL_BOX

    class SizedDelegate(QStyledItemDelegate):
        side = THUMBNAIL_BOX.width()

        def sizeHint(self, option: Any, index: Any) -> QSize:
            return QSize(self.side, self.side) + CELL_MARGINS

    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    delegate = SizedDelegate(view)
    view.setItemDelegate(delegate)
    view.setModel(window.model)
    view.resize(window.grid.size())
    view.show()
    last = window.model.index(window.model.rowCount() - 1)
    _wait(app, lambda: view.visualRect(last).isValid(), LAYOUT_TIMEOUT_S)
    results = []
    for side in sides:
        stalls.reset()
        started = time.perf_counter()
        delegate.side = side
        view.doItemsLayout()  # what a naive size change does: every item measured again
        app.processEvents()
        view.viewport().repaint()
        first = time.perf_counter() - started
        _wait(app, lambda: view.visualRect(last).isValid(), LAYOUT_TIMEOUT_S)
        results.append({"side": side, "first_screen_s": first, "laid_out_s": time.perf_counter() - started,
                        "stall_s": stalls.result()})
    view.close()
    return results


def _ms(value: float) -> str:
    return f"{value * 1000:8.1f} ms"


def _median(results: list[dict[str, float]], key: str) -> float:
    return statistics.median(result[key] for result in results)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100_000, help="catalogue size (default 100000)")
    parser.add_argument("--changes", type=int, default=len(SIZES),
                        help=f"size changes (default {len(SIZES)})")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where the catalogue and caches go (default {DEFAULT_WORKDIR})")
    args = parser.parse_args(argv)
    workdir: Path = args.workdir.expanduser().resolve()
    workdir.mkdir(parents=True, exist_ok=True)

    from tests.benchmarks.bench_gui import build_catalogue
    from tests.benchmarks.bench_scan import machine_description

    print("Photo Annotator thumbnail size benchmark")
    for line in machine_description():
        print(line)
    built = build_catalogue(workdir, args.photos)
    config = workdir / "config-thumbnail-size"
    (config / "window-state.ini").unlink(missing_ok=True)  # the default size to start from
    os.environ.update({
        "QT_QPA_PLATFORM": "offscreen", "HF_HUB_OFFLINE": "1", "PHOTO_ANNOTATOR_DATA": str(workdir / "data"),
        "PHOTO_ANNOTATOR_CACHE": str(workdir / "cache"), "PHOTO_ANNOTATOR_CONFIG": str(config),
    })
    from PySide6.QtWidgets import QApplication

    from desktop_app.ui.app import apply_look
    from desktop_app.ui.main_window.window import DEFAULT_SIZE, MainWindow
    from tests.benchmarks.bench_gui import _quiet_qt

    _quiet_qt()
    app = QApplication(sys.argv[:1])
    apply_look(app)
    window = MainWindow()
    window.resize(DEFAULT_SIZE)
    window.show()
    window.start(db=str(built["db"]))
    started = time.perf_counter()
    model, grid = window.model, window.grid
    if not _wait(app, lambda: window.is_settled() and model.rowCount() >= args.photos
                 and grid.visualRect(model.index(model.rowCount() - 1)).isValid(), LAYOUT_TIMEOUT_S):
        raise SystemExit("the window did not load the library in time")
    print(f"window usable and laid out: {model.rowCount():,} photos in {time.perf_counter() - started:.1f} s;"
          f" grid viewport {grid.viewport().width()}x{grid.viewport().height()}\n")

    sides = [SIZES[number % len(SIZES)] for number in range(args.changes)]
    stalls = Stalls()
    ours = _measure_app(app, window, stalls, sides)
    naive = _measure_naive(app, window, stalls, sides)
    print(f"{'size':>6} {'app first screen':>17} {'app laid out':>13} {'app stall':>12} "
          f"{'naive first screen':>19} {'naive stall':>12}")
    for mine, theirs in zip(ours, naive, strict=True):
        print(f"{mine['side']:>4}px {_ms(mine['first_screen_s']):>17} {_ms(mine['laid_out_s']):>13} "
              f"{_ms(mine['stall_s']):>12} {_ms(theirs['first_screen_s']):>19} {_ms(theirs['stall_s']):>12}")
    first, naive_first = _median(ours, "first_screen_s"), _median(naive, "first_screen_s")
    stall, naive_stall = _median(ours, "stall_s"), _median(naive, "stall_s")
    print(f"\nmedian per size change, {model.rowCount():,} photos:")
    print(f"  first screen at the new size: app {_ms(first)}, naive {_ms(naive_first)}: "
          f"{naive_first / first:.0f}x faster")
    print(f"  all rows laid out again:      app {_ms(_median(ours, 'laid_out_s'))} "
          f"(in batches, the window answering meanwhile), naive {_ms(_median(naive, 'laid_out_s'))}")
    print(f"  longest freeze:               app {_ms(stall)}, naive {_ms(naive_stall)}: "
          f"{naive_stall / stall:.0f}x shorter")
    window.close()


if __name__ == "__main__":
    main()
