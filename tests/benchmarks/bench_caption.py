"""Captioning benchmark: the naive per-photo loop against the app's batched engine, in one run.

Run from the repository root (no assertions: it measures and prints figures against the target)::

    .venv/bin/python -m tests.benchmarks.bench_caption [--photos 64] [--new-tokens 20]
        [--batch-size 8] [--device auto|cpu|cuda] [--workdir DIR]

The model is BLIP-base (``Salesforce/blip-image-captioning-base``'s architecture: a ViT-B/16 vision
encoder at 384 px and a 12-layer BERT-base text decoder with cross-attention, 224M parameters) with
random weights: the same compute as the real model, no download. Its ``generation_config`` forces
exactly ``--new-tokens`` new tokens per photo (min = max), so both sides do identical decoder work.
The photos are the scan benchmark's synthetic camera JPEGs (60% 0.3-2 MP, 30% 5 MP, 10% 12 MP,
EXIF orientation on a quarter).

(a) naive: per photo, ``Image.open(...).convert("RGB")``, the processor, ``generate``, ``batch_decode``
    (what a model card's example does, in a loop), under ``torch.inference_mode``.
(b) engine: ``CaptionEngine.run`` through the generic captioner plugin, loading the same folder the way
    users' model folders load: batches, decoding of the next batch in a thread pool while the model
    works, JPEG draft decoding at the model's input size, token scores and confidence for each photo.

Both load the model before the clock starts; load times are printed separately. Target: (b)/(a) at
least 1.5x on a 2-core CPU, at least 4x on a CUDA GPU with bf16. Both sides use the same number format:
the app's automatic choice (bfloat16 on GPUs and CPUs that compute it natively, else float32) or
``--dtype``.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_scan import build_library, machine_description, print_table, verdict

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-caption"
MODEL_VERSION = 2  # bump when the generated model folder changes
CPU_TARGET, CUDA_TARGET = 1.5, 4.0


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


def engine_run(model_dir: Path, paths: list[Path], device: str, dtype: Any, batch_size: int,
               new_tokens: int) -> tuple[float, float, list[str], list[str]]:
    """(load seconds, caption seconds, captions, errors) through the app's engine and generic plugin."""
    from desktop_app.captioning.engine import CaptionEngine, WorkItem
    from desktop_app.plugin_registry import load_plugins

    engine = CaptionEngine(load_plugins(), device=device, dtype=str(dtype).removeprefix("torch."),
                           batch_size=batch_size)
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
    return loaded, time.perf_counter() - started, captions, errors


def _sync(device: str) -> None:
    if str(device).startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=64)
    parser.add_argument("--new-tokens", type=int, default=20, help="tokens generated per photo (fixed)")
    parser.add_argument("--batch-size", type=int, default=8, help="the engine's batch size")
    parser.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda...")
    parser.add_argument("--dtype", default="auto",
                        help="auto (the app's choice: bfloat16 where the hardware computes it natively), "
                             "float32, bfloat16; both sides use it")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch
    import transformers

    from desktop_app.plugin_api.hf import quiet_transformers, resolve_device, resolve_dtype

    quiet_transformers()
    device = resolve_device(args.device)
    dtype = resolve_dtype(device, args.dtype)
    args.workdir.mkdir(parents=True, exist_ok=True)
    library = build_library(args.workdir, args.photos, processes=max(1, os.cpu_count() or 1))
    paths = [library.root / plan.rel_path for plan in library.plans]
    model_dir = build_blip_base(args.workdir / "blip-base-random", args.new_tokens)

    print()
    for line in machine_description():
        print(line)
    gpu = f", GPU: {torch.cuda.get_device_name()}" if device.startswith("cuda") else ""
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads{gpu}), transformers "
          f"{transformers.__version__}; device {device}, dtype {str(dtype).removeprefix('torch.')}")
    megapixels = sorted(plan.width * plan.height / 1e6 for plan in library.plans)
    print(f"{len(paths)} photos, {megapixels[0]:.1f}-{megapixels[-1]:.1f} MP "
          f"({library.total_bytes / 1e6:.0f} MB); BLIP-base random weights, {args.new_tokens} new tokens "
          f"per photo; engine batch size {args.batch_size}")

    # Warm-up (kernel selection, allocator, lazy imports) outside both clocks.
    naive_load, _warm, _ = naive_loop(model_dir, paths[:1], device, dtype, args.new_tokens)
    print("\n(a) naive loop ...", flush=True)
    _load, naive_s, naive_captions = naive_loop(model_dir, paths, device, dtype, args.new_tokens)
    print("(b) engine ...", flush=True)
    engine_load, engine_s, engine_captions, errors = engine_run(model_dir, paths, device, dtype,
                                                                args.batch_size, args.new_tokens)
    for error in errors:
        print(f"  failed: {error}")

    naive_rate = len(naive_captions) / naive_s
    engine_rate = len(engine_captions) / engine_s
    ratio = engine_rate / naive_rate
    target = CUDA_TARGET if device.startswith("cuda") else CPU_TARGET
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print_table([
        ("(a) naive loop", f"{naive_rate:.2f} photos/s ({naive_s:.1f} s)", "", ""),
        ("(b) engine", f"{engine_rate:.2f} photos/s ({engine_s:.1f} s)", "", ""),
        ("(b)/(a)", f"{ratio:.2f}x", f">= {target}x", verdict(ratio >= target)),
        ("model load (a) / (b)", f"{naive_load:.1f} s / {engine_load:.1f} s", "", ""),
        ("peak RSS", f"{peak_mb:.0f} MB", "", ""),
    ])
    if errors or len(engine_captions) != len(paths):
        print(f"the engine captioned {len(engine_captions)} of {len(paths)} photos")


if __name__ == "__main__":
    main()
