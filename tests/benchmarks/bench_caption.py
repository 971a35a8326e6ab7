"""Captioning benchmark: the naive per-photo loop against the app's batched engine, in one run.

Run from the repository root (no assertions: it measures and prints figures against the targets)::

    .venv/bin/python -m tests.benchmarks.bench_caption [--photos 64] [--new-tokens 20]
        [--batch-size 8] [--device auto|cpu|cuda] [--dtype both|auto|float32|bfloat16]
        [--decode-workers 2[,4...]] [--prefetch 1[,2...]] [--workdir DIR]

The model is BLIP-base (``Salesforce/blip-image-captioning-base``'s architecture: a ViT-B/16 vision
encoder at 384 px and a 12-layer BERT-base text decoder with cross-attention, 224M parameters) with
random weights: the same compute as the real model, no download. Its ``generation_config`` forces
exactly ``--new-tokens`` new tokens per photo (min = max), so both sides do identical decoder work.
The photos are the scan benchmark's synthetic camera JPEGs (60% 0.3-2 MP, 30% 5 MP, 10% 12 MP,
EXIF orientation on a quarter).

(a) naive: per photo, ``Image.open(...).convert("RGB")``, the processor, ``generate``, ``batch_decode``
    (what a model card's example does, in a loop), under ``torch.inference_mode``.
(b) engine: ``CaptionEngine.run`` through the generic captioner plugin, loading the same folder the way
    users' model folders load: batches, decoding and the processor's work (the captioner's
    ``prepare``) on ``--decode-workers`` threads, ``--prefetch`` batches ahead of the model, JPEG draft
    decoding at the model's input size, token scores and confidence for each photo. Several values
    (``--decode-workers 1,2,4``) run the engine once per combination, against the same naive run.

Both sides use the same number format in each pair, and load the model before the clock starts
(load times are printed separately). ``--dtype both`` (the default) runs a float32 pair, then a
bfloat16 pair; a single value runs one pair ("auto": the app's choice, bfloat16 on GPUs and CPUs that
compute it natively, else float32). Targets: on a CPU (b)/(a) at least 1.5x in float32 and 2x in
bfloat16 (emulated on CPUs without AVX512-BF16 or AMX: slow in both loops); on a CUDA GPU 4x in
bfloat16.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_scan import build_library, machine_description, print_table, verdict

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-caption"
MODEL_VERSION = 2  # bump when the generated model folder changes
# (b)/(a) targets by device kind and number format; None: no target (measured all the same).
TARGETS: dict[tuple[str, str], float | None] = {
    ("cpu", "float32"): 1.5, ("cpu", "bfloat16"): 2.0, ("cuda", "bfloat16"): 4.0, ("cuda", "float32"): None,
}


def build_blip_base(folder: Path, new_tokens: int) -> Path:
    """A BLIP-base model folder with random weights, saved like a hub download (safetensors): the tests'
    builder at BLIP-base size (built once, reused while the stamp matches)."""
    from tests.tiny_models.blip import blip

    stamp = folder / "bench-model.txt"
    if stamp.is_file() and stamp.read_text() == f"{MODEL_VERSION} {new_tokens}":
        return folder
    print(f"building a random-weight BLIP-base model in {folder} ...", flush=True)
    blip(folder, image_size=384, min_new_tokens=new_tokens, max_new_tokens=new_tokens, base_size=True)
    stamp.write_text(f"{MODEL_VERSION} {new_tokens}")
    return folder


def naive_loop(model_dir: Path, paths: list[Path], device: str, dtype: Any,
               new_tokens: int) -> tuple[float, float, list[str]]:
    """(load seconds, caption seconds, captions) of the model card's one-photo example in a loop."""
    import torch
    from PIL import Image
    from transformers import BlipForConditionalGeneration, BlipProcessor

    started = time.perf_counter()
    processor = BlipProcessor.from_pretrained(model_dir)
    model = BlipForConditionalGeneration.from_pretrained(model_dir, dtype=dtype).to(device).eval()
    loaded = time.perf_counter() - started
    captions = []
    started = time.perf_counter()
    with torch.inference_mode():
        for path in paths:
            image = Image.open(path).convert("RGB")
            inputs = processor(images=image, return_tensors="pt").to(device)
            inputs["pixel_values"] = inputs["pixel_values"].to(dtype)
            output = model.generate(**inputs, max_new_tokens=new_tokens, min_new_tokens=new_tokens)
            captions.append(processor.batch_decode(output, skip_special_tokens=True)[0])
    _sync(device)
    return loaded, time.perf_counter() - started, captions


def engine_run(model_dir: Path, paths: list[Path], device: str, dtype: Any, batch_size: int, new_tokens: int,
               decode_workers: int, prefetch: int) -> tuple[float, float, list[str], list[str]]:
    """(load seconds, caption seconds, captions, errors) through the app's engine and generic plugin."""
    from desktop_app.captioning.engine import CaptionEngine, WorkItem
    from desktop_app.plugin_registry import load_plugins

    engine = CaptionEngine(load_plugins(), device=device, dtype=str(dtype).removeprefix("torch."),
                           batch_size=batch_size, decode_workers=decode_workers, prefetch=prefetch)
    started = time.perf_counter()
    captioner = engine.captioner("generic", str(model_dir))
    loaded = time.perf_counter() - started
    items = [WorkItem(index, str(path)) for index, path in enumerate(paths)]
    captions, errors = [], []
    started = time.perf_counter()
    for outcome in engine.run("generic", items, model=str(model_dir),
                              options={"max_new_tokens": new_tokens}):
        if outcome.result is not None:
            captions.append(outcome.result.text)
        else:
            errors.append(f"{outcome.item.path}: {outcome.error}")
    _sync(captioner.device)
    engine.unload()
    return loaded, time.perf_counter() - started, captions, errors


def _sync(device: str) -> None:
    if str(device).startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def _numbers(text: str) -> list[int]:
    return [int(value) for value in text.split(",") if value.strip()]


def main(argv: list[str] | None = None) -> None:
    from desktop_app import locations

    # The app's defaults (not this user's settings): what a new install runs with.
    engine_defaults = json.loads((locations.resources_dir() / "default-settings.json").read_text())["engine"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=64)
    parser.add_argument("--new-tokens", type=int, default=20, help="tokens generated per photo (fixed)")
    parser.add_argument("--batch-size", type=int, default=8, help="the engine's batch size")
    parser.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda...")
    parser.add_argument("--dtype", default="both",
                        help="both (a float32 pair, then a bfloat16 pair), or one of auto (the app's "
                             "choice: bfloat16 where the hardware computes it natively), float32, bfloat16; "
                             "each pair uses it on both sides")
    parser.add_argument("--decode-workers", type=_numbers, default=[engine_defaults["decode_workers"]],
                        help="the engine's decode threads; a list (1,2,4) runs the engine once for each")
    parser.add_argument("--prefetch", type=_numbers, default=[engine_defaults["prefetch_batches"]],
                        help="batches the engine prepares ahead of the model; a list runs each")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch
    import transformers

    from desktop_app.plugin_api.hf import (
        cpu_has_native_bf16,
        quiet_transformers,
        resolve_device,
        resolve_dtype,
    )

    quiet_transformers()
    device = resolve_device(args.device)
    dtypes = [resolve_dtype(device, name) for name in
              (("float32", "bfloat16") if args.dtype == "both" else (args.dtype,))]
    args.workdir.mkdir(parents=True, exist_ok=True)
    library = build_library(args.workdir, args.photos, processes=max(1, os.cpu_count() or 1))
    paths = [library.root / plan.rel_path for plan in library.plans]
    model_dir = build_blip_base(args.workdir / "blip-base-random", args.new_tokens)

    print()
    for line in machine_description():
        print(line)
    gpu = f", GPU: {torch.cuda.get_device_name()}" if device.startswith("cuda") else ""
    bf16 = "native" if device == "cpu" and cpu_has_native_bf16() else "emulated" if device == "cpu" else ""
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads{gpu}), transformers "
          f"{transformers.__version__}; device {device}"
          f"{f', bfloat16 {bf16} on this CPU' if bf16 else ''}; load average {_load_average()}")
    megapixels = sorted(plan.width * plan.height / 1e6 for plan in library.plans)
    print(f"{len(paths)} photos, {megapixels[0]:.1f}-{megapixels[-1]:.1f} MP "
          f"({library.total_bytes / 1e6:.0f} MB); BLIP-base random weights, {args.new_tokens} new tokens "
          f"per photo; engine batch size {args.batch_size}")

    rows: list[tuple[str, str, str, str]] = []
    failures: list[str] = []
    for dtype in dtypes:
        name = str(dtype).removeprefix("torch.")
        target = TARGETS.get(("cuda" if device.startswith("cuda") else device, name))
        # Warm-up (kernel selection, allocator, lazy imports) outside both clocks.
        naive_load, _warm, _ = naive_loop(model_dir, paths[:1], device, dtype, args.new_tokens)
        print(f"\n{name}: (a) naive loop ...", flush=True)
        _load, naive_s, naive_captions = naive_loop(model_dir, paths, device, dtype, args.new_tokens)
        naive_rate = len(naive_captions) / naive_s
        rows.append((f"{name} (a) naive loop", f"{naive_rate:.2f} photos/s ({naive_s:.1f} s)", "", ""))
        print(f"  {rows[-1][1]}; load average {_load_average()}", flush=True)
        for workers in args.decode_workers:
            for prefetch in args.prefetch:
                label = f"{name} (b) engine, {workers} decode threads, prefetch {prefetch}"
                print(f"{label} ...", flush=True)
                engine_load, engine_s, captions, errors = engine_run(
                    model_dir, paths, device, dtype, args.batch_size, args.new_tokens, workers, prefetch)
                failures += errors
                if len(captions) != len(paths):
                    failures.append(f"{label}: captioned {len(captions)} of {len(paths)} photos")
                ratio = len(captions) / engine_s / naive_rate
                rows.append((label, f"{len(captions) / engine_s:.2f} photos/s ({engine_s:.1f} s)", "", ""))
                print(f"  {rows[-1][1]}, {ratio:.2f}x; load average {_load_average()}", flush=True)
                rows.append((f"{name} (b)/(a), {workers} threads, prefetch {prefetch}", f"{ratio:.2f}x",
                             f">= {target}x" if target else "", verdict(ratio >= target) if target else ""))
        rows.append((f"{name} model load (a) / (b)", f"{naive_load:.1f} s / {engine_load:.1f} s", "", ""))

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS", f"{peak_mb:.0f} MB", "", ""))
    print()
    print_table(rows)
    print(f"load average at the end: {_load_average()}")
    for failure in failures:
        print(f"  failed: {failure}")


def _load_average() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
