"""GUI responsiveness while a tagging job runs: the app's inference worker running a tag job, a 5 ms timer
on the GUI thread measuring the longest time the window could not repaint or react.

Run from the repository root (no assertions: it measures and prints figures against the target)::

    .venv/bin/python -m tests.benchmarks.bench_tagging_gui [--photos 300] [--terms 2000] [--workdir DIR]
        [--taggers caption-text,clip-zero-shot]

Each tagger runs twice through an ``InferenceService`` (the window's worker on its QThread, in an
offscreen ``QApplication``): a cold job, whose tagger embeds every label of the vocabulary into the
catalogue's cache inside the job, and a warm job (the labels cached; what a librarian's later runs cost).
The clock runs from queueing the job to the ``job_finished`` signal on the GUI thread.

- ``caption-text``, the built-in caption tagger (plugins/caption_tagger.py) with the offline MiniLM: each
  photo's caption against every label, its phrases and lemmas.
- ``clip-zero-shot`` (plugins/clip.py) on a random-weight CLIP built here like the tests' tiny one but at
  224 px with 4-layer, 128-wide towers (the real ViT-B/32 is 12 layers, 768 wide: this measures the app's
  costs around the model, the photos decoded on the worker's pool, not a real model's speed).

Before the clocks, on the main thread, torch and transformers are imported and simplemma's English
dictionary is read (the caption tagger's lemmas): the first job of an app session pays these once, on
the worker thread, and they hold the GIL in long C calls (importing torch's extension modules, unpickling
the dictionary), so the window stalls while they run whatever the job. Their time is printed apart
(``first-job imports``); the jobs' figures are what every job costs the window.

The photos are synthetic JPEGs (1024 x 768, each with a caption of everyday words), scanned into a fresh
catalogue; the vocabulary holds ``--terms`` terms: about 60 everyday ones with synonyms and a hierarchy,
the rest generated ("subject 17", "place 4"...), each with one synonym.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.bench_scan import OtherLoad, machine_description, print_table, verdict, wait_for_quiet
from tests.benchmarks.bench_worker import run_event_loop_until
from tests.stall_meter import StallMeter

DEFAULT_WORKDIR = Path(tempfile.gettempdir()) / "photo-annotator-bench-tagging-gui"
STALL_TARGET_MS = 100
JOB_TIMEOUT_S = 1800
CAPTIONS = ["a dog running on grass", "a cat sleeping on a sofa", "a red car parked on a street",
            "people walking on a beach at sunset", "a tall tree in a park", "a white building near water",
            "two children playing football", "a bowl of fruit on a wooden table",
            "a mountain under a blue sky", "a horse in a field", "a bicycle leaning against a wall",
            "boats in a harbour"]
EVERYDAY = {"Animals": ["animal"], "Dogs": ["dog", "puppy"], "Cats": ["cat", "kitten"], "Horses": ["horse"],
            "Vehicles": ["vehicle"], "Cars": ["car", "automobile"], "Bicycles": ["bicycle", "bike"],
            "Boats": ["boat"], "Beaches": ["beach"], "Sunsets": ["sunset"], "Trees": ["tree"],
            "Parks": ["park"], "Buildings": ["building"], "Water": ["lake"], "Children": ["child", "kids"],
            "Football": ["soccer"], "Fruit": ["fruits"], "Tables": ["table"], "Mountains": ["mountain"],
            "Sky": ["skies"], "Fields": ["meadow"], "Walls": ["wall"], "Harbours": ["harbor", "port"],
            "Streets": ["street", "road"], "People": ["person", "crowd"], "Sofas": ["couch"]}
BROADER = {"Dogs": "Animals", "Cats": "Animals", "Horses": "Animals", "Cars": "Vehicles",
           "Bicycles": "Vehicles", "Boats": "Vehicles"}
KINDS = ("subject", "place", "object", "event", "style", "material", "period", "technique")


def build_photos(folder: Path, count: int) -> None:
    from tests import photo_files

    stamp = folder / "photos.txt"
    if stamp.is_file() and stamp.read_text() == str(count):
        return
    shutil.rmtree(folder, ignore_errors=True)
    print(f"making {count} photos in {folder} ...", flush=True)
    for number in range(count):
        photo_files.jpeg(folder / f"{number:05}.jpg", seed=number, size=(1024, 768))
    stamp.write_text(str(count))


def build_clip(folder: Path) -> Path:
    from tests.tiny_models.clip import clip

    if not (folder / "config.json").is_file():
        print(f"building a random-weight CLIP in {folder} ...", flush=True)
        clip(folder, image_size=224, projection_dim=128)
    return folder


def make_catalogue(path: Path, photos: Path, thumbnails: Path, terms: int) -> list[int]:
    """Scan, caption every photo, add the vocabulary; the photo ids."""
    from sqlalchemy import select

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
    from desktop_app.catalogue.models import Photo
    from desktop_app.library.scanner import Scanner
    from desktop_app.library.thumbnails import ThumbnailCache
    from tests.tagging_samples import make_vocabulary

    with open_catalogue(path) as catalogue:
        Scanner(catalogue, ThumbnailCache(thumbnails)).scan(photos)
        with catalogue.write() as session:
            found = list(session.scalars(select(Photo).order_by(Photo.rel_path)))
            for number, photo in enumerate(found):
                store_ai_caption(session, AICaption(photo, CAPTIONS[number % len(CAPTIONS)], model_id="m"),
                                 captioner_id="encoder-decoder")
            ids = [photo.id for photo in found]
        generated = [(f"{KINDS[n % len(KINDS)]} {n}", [f"{KINDS[n % len(KINDS)]} number {n}"], None)
                     for n in range(max(0, terms - len(EVERYDAY)))]
        everyday = [(label, synonyms, BROADER.get(label)) for label, synonyms in EVERYDAY.items()]
        # broader terms first: make_vocabulary links a term to a broader one made before it
        everyday.sort(key=lambda term: term[2] is not None)
        make_vocabulary(catalogue, "everyday", everyday + generated)
    return ids


def run_job(catalogue_path: Path, tagger: str, model: str | None, photo_ids: list[int]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.models import PhotoKeyword
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.ui.workers.inference import InferenceService, TagRequest

    registry = load_plugins(entry_points=False)
    with open_catalogue(catalogue_path) as catalogue:
        service = InferenceService(lambda: CaptionEngine(registry, device="cpu"))
        try:
            ended: list[Any] = []
            failed: list[str] = []
            service.job_finished.connect(ended.append)
            service.failed.connect(failed.append)
            service.open(catalogue)
            if not run_event_loop_until(service.idle, service.failed, timeout_s=60):
                raise SystemExit("the worker did not open the catalogue within 60 s")
            gc.collect()
            print(f"  {wait_for_quiet(max_wait_s=120)}", flush=True)
            meter = StallMeter()
            load = OtherLoad().__enter__()
            meter.start()
            started = time.perf_counter()
            # The random CLIP's cosines are noise: threshold 0 so that its job stores suggestions too.
            options = {"threshold": 0.0, "top_n": 5} if tagger == "clip-zero-shot" else {}
            service.queue_tag_request(TagRequest(tagger, model, options, photo_ids=tuple(photo_ids)))
            finished = run_event_loop_until(service.job_finished, service.failed, timeout_s=JOB_TIMEOUT_S)
            seconds = time.perf_counter() - started
            meter.stop()
            load.__exit__()
        finally:
            service.shutdown()
        if not finished or not ended:
            raise SystemExit(f"the {tagger} job did not finish: {failed or 'timed out'}")
        with catalogue.read() as session:
            stored = session.scalar(select(func.count(PhotoKeyword.id))
                                    .where(PhotoKeyword.tagger_id == tagger))
    job = ended[-1]
    return {"seconds": seconds, "state": job.state.value, "done": job.done, "failed": job.failed,
            "error": job.error, "stall_ms": meter.longest_ms, "ticks": meter.ticks, "stored": stored,
            "other_cpus": round(load.cpus, 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=300)
    parser.add_argument("--terms", type=int, default=2000)
    parser.add_argument("--taggers", default="caption-text,clip-zero-shot")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    workdir: Path = args.workdir.expanduser().resolve()
    run_dir = workdir / "run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    for name, sub in (("PHOTO_ANNOTATOR_DATA", "data"), ("PHOTO_ANNOTATOR_CACHE", "cache"),
                      ("PHOTO_ANNOTATOR_CONFIG", "config")):
        os.environ[name] = str(run_dir / "home" / sub)
    os.environ.pop("PHOTO_ANNOTATOR_DB", None)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    print("Photo Annotator tagging GUI responsiveness benchmark")
    build_photos(workdir / "photos", args.photos)
    clip_folder = build_clip(workdir / "clip-random-224")
    catalogue_path = run_dir / "catalogue.db"
    photo_ids = make_catalogue(catalogue_path, workdir / "photos", run_dir / "thumbnails", args.terms)
    started = time.perf_counter()
    import simplemma
    import torch  # noqa: F401
    import transformers  # noqa: F401

    imports_s = time.perf_counter() - started
    started = time.perf_counter()
    simplemma.lemmatize("dogs", lang="en")
    lemmas_s = time.perf_counter() - started
    for line in machine_description():
        print(line)
    print(f"{len(photo_ids)} photos (1024 x 768 JPEG, captioned), a vocabulary of {args.terms} terms with "
          "synonyms; each tagger: a cold job (labels embedded in it), then a warm one")
    rows = []
    worst = 0
    for tagger in [name.strip() for name in args.taggers.split(",") if name.strip()]:
        model = str(clip_folder) if tagger == "clip-zero-shot" else None
        for run in ("cold", "warm"):
            print(f"{tagger}, {run} ...", flush=True)
            result = run_job(catalogue_path, tagger, model, photo_ids)
            worst = max(worst, result["stall_ms"])
            print(f"  {result}", flush=True)
            rate = result["done"] / result["seconds"]
            rows.append((f"{tagger}, {run}: job {result['state']}",
                         f"{result['done']} photos in {result['seconds']:.1f} s, model load included "
                         f"({rate:.1f} photos/s); {result['stored']} suggestions stored", "-", "-"))
            rows.append((f"{tagger}, {run}: longest GUI stall",
                         f"{result['stall_ms']} ms ({result['ticks']} ticks; other processes used "
                         f"{result['other_cpus']} CPUs)", f"< {STALL_TARGET_MS} ms",
                         verdict(result["stall_ms"] < STALL_TARGET_MS)))
    print()
    rows.append(("first-job imports (outside the clocks)",
                 f"torch + transformers {imports_s:.1f} s, simplemma's English dictionary {lemmas_s:.1f} s",
                 "-", "-"))
    print_table([*rows, ("longest GUI event-loop stall, all jobs", f"{worst} ms", f"< {STALL_TARGET_MS} ms",
                         verdict(worst < STALL_TARGET_MS))])
    app.processEvents()


if __name__ == "__main__":
    main()
