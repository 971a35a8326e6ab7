"""Fine-tuning benchmark: training samples/s and peak memory of a base-size model, batched against a
batch-of-one baseline, in one run.

Run from the repository root (no assertions: it measures and prints figures)::

    .venv/bin/python -m tests.benchmarks.bench_train [--steps 3] [--batch-size 8] [--device auto|cpu|cuda]
        [--workdir DIR]

The model is BLIP-base with random weights (``bench_caption``'s folder: ViT-B/16 at 384 px and a
12-layer BERT-base decoder, 224M parameters; the real model's compute, no download), fine-tuned
through ``training.trainer.train`` (the code path `photo-annotator train` runs: photo decoding with
EXIF orientation, the processor, forward and backward, gradient clipping, AdamW, the schedule). The
photos are 640x480 JPEGs with 12-word captions.

(a) baseline: the same trainer at batch size 1, no accumulation: one optimizer step per photo (the
    naive per-example loop).
(b) batched: ``--batch-size`` photos per step.

Each runs in a fresh process (so each peak RSS is its own), with one warm-up step untimed; samples/s
is over the timed steps only (validation and saving excluded). On a GPU the forward pass runs under
bf16 autocast, as the trainer does there.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_caption import build_blip_base
from tests.benchmarks.bench_scan import in_fresh_process, machine_description

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-train"


def make_pairs(workdir: Path, count: int) -> list[Any]:
    from desktop_app.training.dataset import Pair
    from tests import photo_files

    pairs = []
    for number in range(count):
        path = workdir / "photos" / f"photo{number:03d}.jpg"
        if not path.is_file():
            photo_files.jpeg(path, seed=number, size=(640, 480))
        words = " ".join(f"w{(number * 7 + i * 13) % 3000}" for i in range(12))
        pairs.append(Pair(number + 1, str(path), words))
    return pairs


def run(model: str, pairs: list[Any], output: str, batch_size: int, steps: int,
        device: str) -> dict[str, Any]:
    """Train one epoch of ``(steps + 1) * batch_size`` photos; time the steps after the first."""
    import torch

    from desktop_app.training.trainer import TrainSettings, train
    from plugins.generic import GenericCaptioner

    stamps: list[float] = []

    def progress(step: int, total: int, loss: float | None, val: float | None) -> None:
        if len(stamps) <= steps:
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            stamps.append(time.perf_counter())

    settings = TrainSettings(epochs=1, batch_size=batch_size, lr=1e-5, warmup_steps=0, patience=None,
                             validation_share=0.01)
    report = train(GenericCaptioner(model=model), pairs, Path(output), settings, device=device,
                   progress=progress)
    seconds = stamps[steps] - stamps[0]
    peak_gpu = torch.cuda.max_memory_allocated() / 2**30 if device.startswith("cuda") else None
    return {"samples_per_s": steps * batch_size / seconds, "seconds_per_step": seconds / steps,
            "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
            "peak_gpu_gib": peak_gpu, "device": report.device, "precision": report.precision,
            "train_loss": report.train_loss[-1]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3, help="Timed optimizer steps (after one warm-up).")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)

    for line in machine_description():
        print(line)
    model = str(build_blip_base(args.workdir / "blip-base", new_tokens=20))
    from desktop_app.plugin_api.hf import resolve_device

    device = resolve_device(args.device)
    results = {}
    # The baseline times more steps than the batched run so both see a similar amount of work.
    for label, batch, steps in (("batch 1 (baseline)", 1, max(args.steps, 6)),
                                (f"batch {args.batch_size}", args.batch_size, args.steps)):
        pairs = make_pairs(args.workdir, (steps + 1) * batch + 1)  # + 1: the validation photo
        output = tempfile.mkdtemp(prefix="run-", dir=args.workdir)
        print(f"training {label}: {steps} timed steps on {device} ...", flush=True)
        results[label] = in_fresh_process(run, model, pairs, output, batch, steps, device)

    print(f"\nBLIP-base (224M parameters, random weights), {device}, "
          f"{next(iter(results.values()))['precision']}:")
    for label, result in results.items():
        gpu = f", peak GPU {result['peak_gpu_gib']:.2f} GiB" if result["peak_gpu_gib"] is not None else ""
        print(f"  {label:20} {result['samples_per_s']:7.2f} samples/s  "
              f"({result['seconds_per_step']:.2f} s a step)  peak RSS {result['peak_rss_gib']:.2f} GiB{gpu}")
    base, batched = results.values()
    print(f"  ratio batched / baseline: {batched['samples_per_s'] / base['samples_per_s']:.2f}x")


if __name__ == "__main__":
    main()
