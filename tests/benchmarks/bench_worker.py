"""Inference worker benchmark: a captioning job through the GUI's worker against the engine called directly.

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_worker [--photos 500] [--batch-size 8] [--workdir DIR]
        [--rounds 2] [--device auto|cpu|cuda] [--dtype auto|float32|bfloat16]

What it answers: how much throughput the worker costs (the job queue's writes, one transaction per
batch, the signals to the window, running on a QThread) and whether the window stays responsive.

The model is a ViT + GPT-2 ``VisionEncoderDecoderModel`` with random weights, loaded by the app's
"encoder-decoder" captioner from a folder saved with ``save_pretrained`` (built once in the work folder
and reused): ViT encoder at 224 px, patch 16, hidden 256, 4 layers, 4 heads; GPT-2 decoder n_embd 256,
4 layers, 4 heads, cross-attention, the tests' word-level tokenizer; 7.7M parameters. Its
``generation_config`` has ``min_new_tokens = max_new_tokens`` (``--new-tokens``, 16), so every
caption is equally long and both sides do identical model work. It is small so that 500 photos take
seconds, not an hour, on a 2-core CPU (about 20 ms per photo there, in bfloat16); the model still takes
most of each photo's time (the JPEG decoding is overlapped in the engine's pool), but far less than a
real captioning model's (hundreds of ms per photo on a CPU), so the worker's fixed per-photo costs weigh
more here than in real use: a ratio that passes here passes with real models.

The photos are the scan benchmark's synthetic camera JPEGs (60% 0.3-2 MP, 30% 5 MP, 10% 12 MP, EXIF
orientation on a quarter), built once in the work folder (about 20 s for 500 on 2 cores).

(a) engine: ``list(CaptionEngine.run(...))`` over the photos' paths (on a thread of its own, see below).
(b) worker: the same photos scanned into a fresh catalogue (before the clock), an ``InferenceService``
    in an offscreen ``QApplication`` whose engine factory returns the same engine, model loaded; the
    clock runs from ``queue_caption_job`` to the ``job_finished`` signal on the GUI thread, so it counts
    queueing the job's items, claiming it, each batch's transaction (captions, token scores, item
    states), the signals, and the job's end. A 5 ms QTimer on the GUI thread records the longest gap
    between its ticks: the longest time the window could not repaint or react.

Both use the one engine object, hence the same device, number format (the app's automatic choice:
bfloat16 on CPUs that compute it natively, else float32; or ``--dtype``), batch size, decoding pool and
loaded model. Before each round the model is loaded (unless the engine still holds it) and run on one
batch, outside both clocks.

Every torch call, (a) included, runs on a short-lived thread of its own, never on the main (GUI)
thread: as in the app, where only the worker thread runs models. torch's CPU kernels use OpenMP
(libgomp), which keeps a pool of threads for each calling thread for as long as that thread lives.
With the main thread's pool alive beside the worker's, libgomp manages more threads than there are
CPUs and its idle threads sleep at once instead of spinning between parallel regions: the same engine
run then took 10-25% longer on 2 CPUs (about 68,000 voluntary context switches per 300 photos instead
of 1,300; ``OMP_WAIT_POLICY=PASSIVE`` does the same to a lone pool), a cost the benchmark would add,
not the worker.

Each round runs (a) then (b); ``--rounds`` rounds (default 2) are run and the fastest time of each
side kept, which filters out other programs' bursts on a shared machine; the stall figure is the worst
of all rounds. After each worker job the catalogue must hold exactly one caption per photo. Also
printed: the time the worker spent in catalogue transactions, the rate the worker reports itself (from
its first batch to its last write), and the CPUs other processes used during each measurement.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tests.benchmarks.bench_scan import OtherLoad, build_library, machine_description, print_table, verdict
from tests.stall_meter import StallMeter

T = TypeVar("T")

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-worker"
MODEL_VERSION = 2  # bump when the generated model folder changes
CAPTIONER = "encoder-decoder"
RATIO_TARGET = 0.95
STALL_TARGET_MS = 100
JOB_TIMEOUT_S = 1800


def build_vit_gpt2(folder: Path, new_tokens: int) -> Path:
    """A ViT + GPT-2 VisionEncoderDecoder folder with random weights, saved like a hub download: the
    tests' builder at benchmark size (built once, reused while the stamp matches)."""
    from tests.tiny_models.vision_encoder_decoder import vit_gpt2

    stamp = folder / "bench-model.txt"
    if stamp.is_file() and stamp.read_text() == f"{MODEL_VERSION} {new_tokens}":
        return folder
    print(f"building a random-weight ViT + GPT-2 model in {folder} ...", flush=True)
    folder.mkdir(parents=True, exist_ok=True)
    vit_gpt2(folder, image_size=224, min_new_tokens=new_tokens, max_new_tokens=new_tokens, hidden_size=256,
             layers=4, heads=4, patch_size=16, intermediate_size=1024)
    stamp.write_text(f"{MODEL_VERSION} {new_tokens}")
    return folder


# --- the catalogue -------------------------------------------------------------------------------------

def scan_catalogue(library_root: Path, catalogue_path: Path, thumbnails: Path) -> tuple[list[int], list[str]]:
    """Scan the library into a new catalogue; (photo ids, absolute paths) ordered by path."""
    from sqlalchemy import select

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import Photo
    from desktop_app.catalogue.photos import absolute_path
    from desktop_app.library.scanner import Scanner
    from desktop_app.library.thumbnails import ThumbnailCache

    with open_catalogue(catalogue_path) as catalogue:
        report = Scanner(catalogue, ThumbnailCache(thumbnails)).scan(library_root)
        if report.errors:
            raise SystemExit(f"the scan failed for {len(report.errors)} photos: {report.errors[:3]}")
        with catalogue.read() as session:
            photos = list(session.scalars(select(Photo).order_by(Photo.rel_path)))
            return [p.id for p in photos], [absolute_path(p.library.root, p.rel_path) for p in photos]


def copy_catalogue(template: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, target.with_name(target.name + suffix))
    return target


@contextmanager
def timed_transactions(catalogue: Any, seconds: list[float]) -> Iterator[None]:
    """Add the time spent inside each of ``catalogue``'s sessions (commit included) to seconds[0]."""
    originals = catalogue.read, catalogue.write

    def timed(open_session: Any) -> Any:
        @contextmanager
        def session() -> Iterator[Any]:
            started = time.perf_counter()
            try:
                with open_session() as opened:
                    yield opened
            finally:
                seconds[0] += time.perf_counter() - started
        return session

    catalogue.read, catalogue.write = timed(originals[0]), timed(originals[1])
    try:
        yield
    finally:
        catalogue.read, catalogue.write = originals


def captions_by_photo(catalogue: Any) -> dict[int, list[str]]:
    from sqlalchemy import select

    from desktop_app.catalogue.models import Caption

    found: dict[int, list[str]] = {}
    with catalogue.read() as session:
        for photo_id, text in session.execute(select(Caption.photo_id, Caption.text)):
            found.setdefault(photo_id, []).append(text)
    return found


# --- the two sides -------------------------------------------------------------------------------------

def on_own_thread(function: Callable[[], T]) -> T:
    """``function()`` on a new thread that ends with it, and so does its OpenMP pool (see above)."""
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(function())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, name="torch-caller")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return results[0]


def prepare(engine: Any, model_dir: Path, paths: list[str], new_tokens: int) -> float:
    """Load the model (cached by the engine) and run one batch: seconds the load took."""
    from desktop_app.captioning.engine import WorkItem

    started = time.perf_counter()
    engine.captioner(CAPTIONER, str(model_dir))
    loaded = time.perf_counter() - started
    items = [WorkItem(-1 - i, path) for i, path in enumerate(paths[:engine.batch_size])]
    list(engine.run(CAPTIONER, items, model=str(model_dir), options={"max_new_tokens": new_tokens}))
    return loaded


@dataclass
class DirectRun:
    seconds: float
    captions: dict[int, str]
    errors: list[str]
    other_cpus: float


def engine_direct(engine: Any, model_dir: Path, photo_ids: list[int], paths: list[str],
                  new_tokens: int) -> DirectRun:
    from desktop_app.captioning.engine import WorkItem

    items = [WorkItem(photo_id, path) for photo_id, path in zip(photo_ids, paths, strict=True)]
    with OtherLoad() as load:
        started = time.perf_counter()
        outcomes = list(engine.run(CAPTIONER, items, model=str(model_dir),
                                   options={"max_new_tokens": new_tokens}))
        seconds = time.perf_counter() - started
    captions = {o.item.key: o.result.text for o in outcomes if o.result is not None}
    errors = [f"{o.item.path}: {o.error}" for o in outcomes if o.error is not None]
    return DirectRun(seconds, captions, errors, load.cpus)


@dataclass
class WorkerRun:
    seconds: float
    state: str
    done: int
    failed: int
    error: str | None
    reported_rate: float | None  # the worker's own photos/s, from its first batch to its last write
    db_seconds: float
    longest_stall_ms: int
    ticks: int
    batches: int
    captions: dict[int, list[str]]
    other_cpus: float
    failures: list[str] = field(default_factory=list)
    thread_info: str = ""


def run_event_loop_until(*signals: Any, timeout_s: float) -> bool:
    """Run the GUI thread's event loop until one of ``signals`` is emitted; False on timeout."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    fired: list[bool] = []

    def quit_loop(*_args: Any) -> None:
        fired.append(True)
        loop.quit()

    for signal in signals:
        signal.connect(quit_loop)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(loop.quit)
    timer.start(int(timeout_s * 1000))
    if not fired:
        loop.exec()
    timer.stop()
    for signal in signals:
        signal.disconnect(quit_loop)
    return bool(fired)


def through_worker(engine: Any, model_dir: Path, catalogue_path: Path, photo_ids: list[int],
                   new_tokens: int) -> WorkerRun:
    import torch
    from PySide6.QtCore import QThread

    from desktop_app.catalogue import open_catalogue
    from desktop_app.ui.workers.inference import InferenceService

    thread_info: list[str] = []

    def engine_factory() -> Any:  # called on the worker thread
        thread_info.append(f"QThread '{QThread.currentThread().objectName()}', "
                           f"{torch.get_num_threads()} torch threads")
        return engine

    with open_catalogue(catalogue_path) as catalogue:
        db_seconds = [0.0]
        with timed_transactions(catalogue, db_seconds):
            service = InferenceService(engine_factory)
            try:
                seen: dict[str, list[Any]] = {"progress": [], "finished": [], "failed": [], "item_failed": []}
                service.progress.connect(seen["progress"].append)
                service.job_finished.connect(seen["finished"].append)
                service.failed.connect(seen["failed"].append)
                service.item_failed.connect(seen["item_failed"].append)
                service.open(catalogue)
                if not run_event_loop_until(service.idle, service.failed, timeout_s=60):
                    raise SystemExit("the worker did not open the catalogue within 60 s")
                meter = StallMeter()
                with OtherLoad() as load:
                    meter.start()
                    db_seconds[0] = 0.0
                    started = time.perf_counter()
                    service.queue_caption_job(CAPTIONER, photo_ids, model=str(model_dir),
                                              options={"max_new_tokens": new_tokens})
                    finished = run_event_loop_until(service.job_finished, service.failed,
                                                    timeout_s=JOB_TIMEOUT_S)
                    seconds = time.perf_counter() - started
                    meter.stop()
                spent_in_db = db_seconds[0]
            finally:
                service.shutdown()
        if not finished or not seen["finished"]:
            raise SystemExit(f"the job did not finish: {seen['failed'] or 'timed out'}")
        job = seen["finished"][-1]
        progress = seen["progress"]
        return WorkerRun(
            seconds=seconds, state=job.state.value, done=job.done, failed=job.failed, error=job.error,
            reported_rate=progress[-1].photos_per_second if progress else None, db_seconds=spent_in_db,
            longest_stall_ms=meter.longest_ms, ticks=meter.ticks, batches=len(progress),
            captions=captions_by_photo(catalogue), other_cpus=load.cpus,
            failures=[f"{item.path}: {item.reason}" for item in seen["item_failed"]],
            thread_info=thread_info[0] if thread_info else "",
        )


# --- report --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=8, help="the engine's batch size")
    parser.add_argument("--new-tokens", type=int, default=16, help="tokens generated per photo (fixed)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (a) then (b); the fastest kept")
    parser.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda...")
    parser.add_argument("--dtype", default="auto",
                        help="auto (the app's choice: bfloat16 where the hardware computes it natively), "
                             "float32, bfloat16; both sides use it")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where the photos, model and catalogues go (default {DEFAULT_WORKDIR})")
    args = parser.parse_args(argv)
    if args.photos < 1 or args.rounds < 1:
        parser.error("--photos and --rounds must be at least 1")
    workdir: Path = args.workdir.expanduser().resolve()
    run_dir = workdir / "run"
    shutil.rmtree(run_dir, ignore_errors=True)  # fresh catalogues, thumbnails and settings every run
    run_dir.mkdir(parents=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported
    # The app's data, cache and settings in the work folder: the user's own are never touched.
    for name, sub in (("PHOTO_ANNOTATOR_DATA", "data"), ("PHOTO_ANNOTATOR_CACHE", "cache"),
                      ("PHOTO_ANNOTATOR_CONFIG", "config")):
        os.environ[name] = str(run_dir / "home" / sub)
    os.environ.pop("PHOTO_ANNOTATOR_DB", None)

    import torch
    import transformers
    from PySide6 import __version__ as pyside_version
    from PySide6.QtWidgets import QApplication

    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.plugin_api.hf import quiet_transformers, resolve_device, resolve_dtype
    from desktop_app.plugin_registry import load_plugins

    app = QApplication.instance() or QApplication([])
    quiet_transformers()
    device = resolve_device(args.device)
    dtype_name = str(resolve_dtype(device, args.dtype)).removeprefix("torch.")

    print("Photo Annotator inference worker benchmark")
    print(f"work folder: {workdir}\n")
    library = build_library(workdir, args.photos, processes=max(1, os.cpu_count() or 1))
    model_dir = build_vit_gpt2(workdir / "vit-gpt2-random", args.new_tokens)
    template = run_dir / "scanned.db"
    started = time.perf_counter()
    photo_ids, paths = scan_catalogue(library.root, template, run_dir / "thumbnails")
    scan_s = time.perf_counter() - started

    print()
    for line in machine_description():
        print(line)
    gpu = f", GPU: {torch.cuda.get_device_name()}" if device.startswith("cuda") else ""
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads on the main thread{gpu}), "
          f"transformers {transformers.__version__}, PySide6 {pyside_version} "
          f"(QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}); device {device}, dtype {dtype_name}")
    engine = CaptionEngine(load_plugins(), device=device, dtype=None if args.dtype == "auto" else args.dtype,
                           batch_size=args.batch_size)
    load_s = [on_own_thread(lambda: prepare(engine, model_dir, paths, args.new_tokens))]
    network = engine.captioner(CAPTIONER, str(model_dir)).network  # cached: nothing runs here
    parameters = sum(p.numel() for p in network.parameters())
    megapixels = sorted(plan.width * plan.height / 1e6 for plan in library.plans)
    print(f"{len(paths)} photos, {megapixels[0]:.1f}-{megapixels[-1]:.1f} MP "
          f"({library.total_bytes / 1e6:.0f} MB), scanned into a catalogue in {scan_s:.1f} s; "
          f"ViT + GPT-2 random weights ({parameters / 1e6:.1f}M parameters), {args.new_tokens} new "
          f"tokens per photo; engine batch size {args.batch_size}; {args.rounds} rounds")

    direct_runs: list[DirectRun] = []
    worker_runs: list[WorkerRun] = []
    for number in range(1, args.rounds + 1):
        if number > 1:  # loads the model again if the worker unloaded it
            load_s.append(on_own_thread(lambda: prepare(engine, model_dir, paths, args.new_tokens)))
        print(f"\nround {number}: (a) engine directly ...", flush=True)
        direct = on_own_thread(lambda: engine_direct(engine, model_dir, photo_ids, paths, args.new_tokens))
        direct_runs.append(direct)
        print(f"  {len(paths) / direct.seconds:.2f} photos/s ({direct.seconds:.1f} s), "
              f"{len(direct.errors)} errors; other processes used {direct.other_cpus:.2f} CPUs")
        for error in direct.errors[:5]:
            print(f"  failed: {error}")
        print(f"round {number}: (b) through the worker ...", flush=True)
        catalogue_path = copy_catalogue(template, run_dir / f"worker-{number}.db")
        worker = through_worker(engine, model_dir, catalogue_path, photo_ids, args.new_tokens)
        worker_runs.append(worker)
        reported = f"{worker.reported_rate:.2f}" if worker.reported_rate else "-"
        print(f"  {len(paths) / worker.seconds:.2f} photos/s ({worker.seconds:.1f} s), job {worker.state}: "
              f"{worker.done} done, {worker.failed} failed; worker thread: {worker.thread_info}; "
              f"{worker.batches} batches; {worker.db_seconds:.2f} s in catalogue transactions; "
              f"the worker's own rate {reported} photos/s; longest GUI stall {worker.longest_stall_ms} ms "
              f"({worker.ticks} ticks); other processes used {worker.other_cpus:.2f} CPUs")
        for failure in worker.failures[:5]:
            print(f"  failed: {failure}")

    count = len(paths)
    best_direct = min(direct_runs, key=lambda run: run.seconds)
    best_worker = min(worker_runs, key=lambda run: run.seconds)
    direct_rate, worker_rate = count / best_direct.seconds, count / best_worker.seconds
    ratio = worker_rate / direct_rate
    stall = max(run.longest_stall_ms for run in worker_runs)
    one_each = all(sorted(run.captions) == sorted(photo_ids)
                   and all(len(texts) == 1 for texts in run.captions.values())
                   and run.state == "done" and run.done == count for run in worker_runs)
    same_text = sum(best_worker.captions.get(pid, [None])[0] == best_direct.captions.get(pid)
                    for pid in photo_ids)
    captions_held = " / ".join(f"{sum(len(c) for c in run.captions.values())} captions on "
                               f"{len(run.captions)} photos" for run in worker_runs)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rounds = " / ".join(f"{(count / w.seconds) / (count / d.seconds):.3f}"
                        for d, w in zip(direct_runs, worker_runs, strict=True))
    others = " / ".join(f"{d.other_cpus:.2f}, {w.other_cpus:.2f}" for d, w in zip(direct_runs, worker_runs,
                                                                                    strict=True))
    print(f"\nsummary ({count} photos, fastest of {args.rounds} rounds for each side)")
    for line in machine_description():
        print(line)
    print(f"torch {torch.__version__}, transformers {transformers.__version__}; device {device}, "
          f"dtype {dtype_name}, batch size {args.batch_size}")
    print_table([
        ("(a) engine directly", f"{direct_rate:.2f} photos/s ({best_direct.seconds:.1f} s)", "-", "-"),
        ("(b) through the worker", f"{worker_rate:.2f} photos/s ({best_worker.seconds:.1f} s)", "-", "-"),
        ("(b)/(a), worker throughput ratio", f"{ratio:.3f}", f">= {RATIO_TARGET}",
         verdict(ratio >= RATIO_TARGET)),
        ("(b)/(a) in each round", rounds, "-", "-"),
        ("longest GUI event-loop stall", f"{stall} ms (worst of {args.rounds} jobs)",
         f"< {STALL_TARGET_MS} ms", verdict(stall < STALL_TARGET_MS)),
        ("one caption per photo after each job", f"{'yes' if one_each else 'NO'} ({captions_held})", "yes",
         verdict(one_each)),
        ("(b) time in catalogue transactions", f"{best_worker.db_seconds:.2f} s "
         f"({best_worker.db_seconds / count * 1000:.2f} ms/photo)", "-", "-"),
        ("(b) rate the worker reports itself", f"{best_worker.reported_rate or 0:.2f} photos/s", "-", "-"),
        ("captions equal to (a)'s", f"{same_text}/{count}", "-", "-"),
        ("model load, first (outside the clocks)", f"{load_s[0]:.2f} s", "-", "-"),
        ("peak RSS", f"{peak_mb:.0f} MB", "-", "-"),
        ("CPUs used by others: (a), (b) per round", others, "-", "-"),
    ])
    app.processEvents()


if __name__ == "__main__":
    main()
