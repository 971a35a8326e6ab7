"""Cluster benchmark: a caption job in this process against the same job through Ray (`--cluster local`).

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_cluster [--photos 32] [--new-tokens 20] [--batch-size 8]
        [--device auto|cpu|cuda] [--dtype auto|float32|bfloat16] [--rounds 2] [--quiet-wait 120]
        [--workdir DIR]

What it answers: how much captioning speed a job loses by running through Ray Data on the machine it
was started on (decode tasks, the captioner actor pool, the results streamed back to the driver) instead
of in the job runner's own engine, and, with several GPUs, how it scales from one captioner actor to one
per GPU.

The model and photos are bench_caption's: BLIP-base with random weights (``--new-tokens`` forced per
photo) and the scan benchmark's synthetic camera JPEGs (60% 0.3-2 MP, 30% 5 MP, 10% 12 MP), scanned
into a fresh catalogue (before any clock).

(a) in process: ``JobRunner`` (what `photo-annotator caption` runs): the engine's decode threads and
    prefetch (the app's defaults), the model in this process.
(b) cluster: ``ClusterRunner`` with ``ClusterSpec("local")`` (what `--cluster local` runs): a local Ray
    instance over this machine, decode tasks, captioner actors (one per GPU, or one using every core),
    the results written by this process.

Both run a caption job over the same photos into their own copy of the catalogue. Ray's start and the
model loads are left out the same way on both sides: each is timed from the moment its first batch of
results is written to the moment its last is, over the photos written after the first batch (the first
batch also carries kernel selection and, on the cluster, the pipeline's start). Also printed: the rate
each runner reports itself (photos/s from its first result on) and the photos each actor captioned.
Target on a CPU: (b) at least 0.9x of (a). With N > 1 GPUs, (b) with one actor against (b) with N: at
least 0.8 x N.

Before each run it waits (``--quiet-wait``) for other programs to leave the CPUs and says what it found;
the rounds alternate the sides and the fastest run of each is kept. On a machine shared with other
programs every figure is still an upper bound on the time: the load average is printed with each.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_caption import _load_average, build_blip_base
from tests.benchmarks.bench_scan import (
    build_library,
    machine_description,
    print_table,
    verdict,
    wait_for_quiet,
)
from tests.benchmarks.bench_worker import copy_catalogue, scan_catalogue

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-cluster"
CPU_TARGET = 0.9  # (b)/(a)
SCALING_TARGET = 0.8  # N actors / (1 actor x N)


@dataclass
class Run:
    """One job's figures."""

    label: str
    photos: int = 0  # captioned
    failed: int = 0
    marks: list[tuple[float, int]] = field(default_factory=list)  # (clock, photos written) per write
    reported: float | None = None  # photos/s as the runner reports it (its last progress)
    actors: dict[str, int] | None = None
    notices: list[str] = field(default_factory=list)
    load_average: str = ""

    @property
    def rate(self) -> float:
        """Photos/s from the first write to the last, over the photos written after the first."""
        if len(self.marks) < 2:
            return 0.0
        (first_at, first_done), (last_at, last_done) = self.marks[0], self.marks[-1]
        return (last_done - first_done) / (last_at - first_at) if last_at > first_at else 0.0

    @property
    def measured(self) -> str:
        if len(self.marks) < 2:
            return "one batch only: no rate"
        photos = self.marks[-1][1] - self.marks[0][1]
        seconds = self.marks[-1][0] - self.marks[0][0]
        return f"{self.rate:.2f} photos/s ({photos} photos in {seconds:.1f} s)"


def run_job(catalogue_path: Path, photo_ids: list[int], model_dir: Path, device: str, dtype: str,
            batch_size: int, new_tokens: int, cluster: Any, label: str) -> Run:
    """A caption job over ``photo_ids`` in this process (``cluster`` None) or on ``cluster`` (a
    ClusterSpec), timed as the module says."""
    from desktop_app.catalogue import open_catalogue
    from desktop_app.jobs.runner import JobEvents, Progress
    from desktop_app.services import jobs
    from desktop_app.services.engine import build_engine

    run = Run(label)

    class Clock(JobEvents):
        def progress(self, progress: Progress) -> None:
            run.marks.append((time.perf_counter(), progress.done))
            run.reported, run.actors = progress.photos_per_second, progress.actors

        def notice(self, job_id: int, text: str) -> None:
            run.notices.append(text)

    engine = build_engine(device=device, dtype=dtype, batch_size=batch_size)
    with open_catalogue(catalogue_path) as catalogue:
        runner = jobs.make_runner(catalogue, engine, Clock(), cluster=cluster)
        job = jobs.queue_caption_job(runner, "generic", photo_ids, model=str(model_dir),
                                     options={"max_new_tokens": new_tokens})
        ended = jobs.run_job(runner, job.id)
    engine.unload()
    run.photos, run.failed, run.load_average = ended.done, ended.failed, _load_average()
    if ended.error:
        run.notices.append(f"job error: {ended.error}")
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=32)
    parser.add_argument("--new-tokens", type=int, default=20, help="tokens generated per photo (fixed)")
    parser.add_argument("--batch-size", type=int, default=8, help="photos per model batch, both sides")
    parser.add_argument("--device", default="auto", help="auto (CUDA, then CPU), cpu, cuda")
    parser.add_argument("--dtype", default="auto",
                        help="auto (the app's choice: bfloat16 on GPUs and CPUs that compute it natively), "
                             "float32, bfloat16")
    parser.add_argument("--rounds", type=int, default=2,
                        help="rounds of (a) then (b); the fastest run of each side is kept")
    parser.add_argument("--quiet-wait", type=float, default=120.0,
                        help="seconds to wait, before each run, for other programs to leave the CPUs")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.pop("RAY_ADDRESS", None)  # "local": a Ray instance of its own, not a running one

    import ray
    import torch

    from desktop_app.jobs.cluster.connection import ClusterSpec
    from desktop_app.plugin_api.hf import quiet_transformers, resolve_device, resolve_dtype

    quiet_transformers()
    device = resolve_device(args.device)
    dtype = str(resolve_dtype(device, args.dtype)).removeprefix("torch.")
    gpus = torch.cuda.device_count() if device.startswith("cuda") else 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    library = build_library(args.workdir, args.photos, processes=max(1, os.cpu_count() or 1))
    model_dir = build_blip_base(args.workdir / "blip-base-random", args.new_tokens)
    template = args.workdir / "template.db"
    for suffix in ("", "-wal", "-shm"):
        template.with_name(template.name + suffix).unlink(missing_ok=True)
    shutil.rmtree(args.workdir / "thumbnails", ignore_errors=True)
    photo_ids, _paths = scan_catalogue(library.root, template, args.workdir / "thumbnails")

    print()
    for line in machine_description():
        print(line)
    print(f"torch {torch.__version__}, Ray {ray.__version__}; device {device}"
          f"{f' ({gpus} GPUs: {torch.cuda.get_device_name()})' if gpus else ''}, {dtype}; "
          f"load average {_load_average()}")
    megapixels = sorted(plan.width * plan.height / 1e6 for plan in library.plans)
    print(f"{len(photo_ids)} photos, {megapixels[0]:.1f}-{megapixels[-1]:.1f} MP "
          f"({library.total_bytes / 1e6:.0f} MB); BLIP-base random weights, {args.new_tokens} new tokens "
          f"per photo; batch size {args.batch_size}")

    sides: list[tuple[str, Any]] = [("(a) in process", None), ("(b) cluster local", ClusterSpec("local"))]
    if gpus > 1:
        sides.insert(1, ("(b1) cluster local, 1 actor", ClusterSpec("local", actors=1)))
    best: dict[str, Run] = {}
    for round_number in range(args.rounds):
        for label, spec in sides:
            print(f"\n{label}, round {round_number + 1}: machine {wait_for_quiet(args.quiet_wait)} ...",
                  flush=True)
            copy = copy_catalogue(template, args.workdir / "job.db")
            run = run_job(copy, photo_ids, model_dir, device, dtype, args.batch_size, args.new_tokens, spec,
                          label)
            for notice in run.notices:
                print(f"  {notice}")
            print(f"  {run.photos} captioned, {run.failed} failed; {run.measured}; the runner reports "
                  f"{run.reported or 0:.2f} photos/s; load average {run.load_average}", flush=True)
            if run.actors:
                print(f"  photos per actor: {run.actors}")
            if label not in best or run.rate > best[label].rate:
                best[label] = run

    rows: list[tuple[str, str, str, str]] = []
    failures = [f"{run.label}: {run.photos} of {len(photo_ids)} captioned" for run in best.values()
                if run.photos != len(photo_ids)]
    for run in best.values():
        rows.append((f"{run.label}", run.measured, "", ""))
    local, cluster = best["(a) in process"], best["(b) cluster local"]
    if local.rate and cluster.rate:
        ratio = cluster.rate / local.rate
        target = CPU_TARGET if not gpus else None
        rows.append(("(b)/(a)", f"{ratio:.2f}x", f">= {target}x" if target else "",
                     verdict(ratio >= target) if target else ""))
    if gpus > 1:
        single = best["(b1) cluster local, 1 actor"]
        if single.rate and cluster.rate:
            scaling = cluster.rate / single.rate
            goal = SCALING_TARGET * gpus
            rows.append((f"(b) {gpus} actors / (b1) 1 actor", f"{scaling:.2f}x", f">= {goal:.1f}x",
                         verdict(scaling >= goal)))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS (this process)", f"{peak_mb:.0f} MB", "", ""))
    print()
    print_table(rows)
    print(f"load average at the end: {_load_average()}")
    for failure in failures:
        print(f"  failed: {failure}")


if __name__ == "__main__":
    main()
