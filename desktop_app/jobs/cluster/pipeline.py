"""What runs on the cluster's machines: the pipeline, the photos' read-and-decode tasks, the captioner actors
and the ledger of attempts (imported by Ray in its worker processes: the same install and plugins as the
driver).

``Pipeline`` is an actor on the cluster that runs a round of a job's photos through Ray Data and hands the
results to the driver batch by batch (Ray Data's executor does not run under Ray Client, so a driver
joined through ray://HOST:PORT could not run it itself; one way for every kind of address). The photos flow
through ``decode`` (parallel tasks) reads each photo (by its path under this
machine's folder for its library, or from the bytes the driver sent) and decodes it as the desktop engine
does; ``CaptionActor`` (an actor pool over ``map_batches``) rebuilds the captioner plugin from the registry
by id, loads it once and captions batch after batch through the same CaptionEngine as the desktop worker.

Ray retries a batch whose actor died on another actor, without end. The ledger (one small actor per job)
counts, for each photo, the runs that started and never finished: a batch coming back after a death is
captioned photo by photo, so a photo that kills its actor is found, and one that killed it MAX_ATTEMPTS
times fails with that reason instead of being retried for ever.
"""

from __future__ import annotations

import json
import math
import os
import queue
import re
import socket
import threading
from typing import Any

import numpy as np

from desktop_app.jobs.store import MAX_ATTEMPTS

# Column names of the rows flowing through the pipeline.
ITEM, PHOTO, ROOT, REL, DATA, NAME = "item", "photo", "root", "rel", "data", "name"
IMAGE, ERROR = "image", "error"
KILLED = (f"the captioning process on the cluster ended unexpectedly {MAX_ATTEMPTS} times while working on "
          "this photo")
_NO_IMAGE = np.zeros((0, 0, 3), np.uint8)  # a failed photo's image: the column keeps one type


def decode(batch: dict[str, Any], captioner: Any) -> dict[str, Any]:
    """Read and decode a batch of photos for ``captioner`` (a prototype: its id, inputs and largest side).

    A photo is read by path (its library's folder on this machine: ``library set-root``) or from the bytes
    the driver sent (--ship-bytes); each comes out as an upright RGB array, or an empty one and a reason.
    """
    from desktop_app.captioning.engine import input_check
    from desktop_app.catalogue import roots
    from desktop_app.library.decoding import decode_file

    check = input_check(captioner)
    images, errors = [], []
    for index in range(len(batch[ITEM])):
        if DATA in batch:
            data = batch[DATA][index]
            image, error = (decode_file(bytes(data), captioner.max_image_side, check) if len(data)
                            else (None, "the photo could not be read on the machine that started the job"))
        else:
            image, error = decode_file(roots.join(str(batch[ROOT][index]), str(batch[REL][index])),
                                       captioner.max_image_side, check)
        images.append(_NO_IMAGE if image is None else np.asarray(image))
        errors.append(error or "")
    return {ITEM: batch[ITEM], PHOTO: batch[PHOTO], IMAGE: images, ERROR: errors}


class Ledger:
    """Per photo (job item id): runs started and runs finished, across every actor of the job. Runs as a
    Ray actor owned by the driver, so it outlives the captioner actors that die."""

    def __init__(self) -> None:
        self.started: dict[int, int] = {}
        self.finished: dict[int, int] = {}
        self.load_failures: list[str] = []

    def load_failed(self, reason: str) -> None:
        """A captioner actor could not load the model (``reason``: where and why, one line)."""
        self.load_failures.append(reason)

    def load_failure(self) -> str | None:
        return self.load_failures[0] if self.load_failures else None

    def deaths(self, items: list[int]) -> list[int]:
        """For each item, the runs that started and never finished (their actor died)."""
        return [self.started.get(item, 0) - self.finished.get(item, 0) for item in items]

    def start(self, items: list[int]) -> None:
        for item in items:
            self.started[item] = self.started.get(item, 0) + 1

    def finish(self, items: list[int]) -> None:
        for item in items:
            self.finished[item] = self.finished.get(item, 0) + 1


class CaptionActor:
    """One loaded copy of the captioner (one per GPU, or one using the cores of a CPU-only machine),
    built as the desktop worker builds it: ``captioner`` arrives pickled by class and model (the plugin
    API's construction contract), is rebuilt here as ``type(captioner)(model=...)``, loaded with
    ``load(device, dtype)`` and run through a CaptionEngine, with the job's options."""

    def __init__(self, captioner: Any, options: dict[str, Any], device: str, dtype: str | None,
                 batch_size: int, threads: int, ledger: Any, environment: dict[str, str]) -> None:
        os.environ.update(environment)  # offline hub, log level: as on the driver
        import torch

        from desktop_app.captioning.engine import CaptionEngine
        from desktop_app.plugin_registry import PluginRegistry

        if threads > 0:
            torch.set_num_threads(threads)
        self.captioner_id, self.model, self.options = captioner.id, captioner.model, options
        self.ledger = ledger
        registry = PluginRegistry([], {captioner.id: captioner}, {})
        self.engine = CaptionEngine(registry, device=device, dtype=dtype, batch_size=batch_size)
        try:
            loaded = self.engine.captioner(self.captioner_id, self.model)
        except Exception as exc:
            # Ray reports a failed actor start as its traceback wrapped in its own words: the ledger
            # keeps the reason in ours (a model not downloaded on that machine) for the driver.
            import ray

            from desktop_app.errors import one_line

            ray.get(ledger.load_failed.remote(
                f"the captioner could not load on {socket.gethostname()}: {one_line(exc)}"))
            raise
        gpu = os.environ.get("CUDA_VISIBLE_DEVICES", "")
        where = f"gpu {gpu}" if str(getattr(loaded, "device", "")).startswith("cuda") and gpu else "cpu"
        self.name = f"{socket.gethostname()}:{os.getpid()} ({where})"

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import ray

        from desktop_app.captioning.engine import WorkItem
        from desktop_app.library.decoding import Decoded

        items = [int(item) for item in batch[ITEM]]
        decoded = [Decoded(WorkItem(item, ""), error=str(error)) if error
                   else Decoded(WorkItem(item, ""), _pil(image))
                   for item, image, error in zip(items, batch[IMAGE], batch[ERROR], strict=True)]
        deaths = ray.get(self.ledger.deaths.remote(items))
        if not any(deaths):
            ray.get(self.ledger.start.remote(items))
            outcomes = self._caption(decoded)
            ray.get(self.ledger.finish.remote(items))
        else:
            # Back after an actor died on this batch: one photo at a time, so the one at fault is found.
            outcomes = []
            for entry, died in zip(decoded, deaths, strict=True):
                if died >= MAX_ATTEMPTS:
                    outcomes.append((entry.item.key, None, KILLED))
                    continue
                ray.get(self.ledger.start.remote([entry.item.key]))
                outcomes.extend(self._caption([entry]))
                ray.get(self.ledger.finish.remote([entry.item.key]))
        return _columns(outcomes, self.name)

    def _caption(self, decoded: list[Any]) -> list[tuple[int, Any, str | None]]:
        outcomes = self.engine.caption_decoded(self.captioner_id, decoded, self.model, self.options)
        return [(outcome.item.key, outcome.result, outcome.error) for outcome in outcomes]


def _pil(array: Any) -> Any:
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(array, dtype=np.uint8), "RGB")


def _columns(outcomes: list[tuple[int, Any, str | None]], actor: str) -> dict[str, Any]:
    """Outcomes as the columns the driver reads back (plain types: Arrow carries them)."""
    columns: dict[str, list[Any]] = {name: [] for name in (
        ITEM, ERROR, "text", "confidence", "model_id", "model_revision", "prompt", "seconds", "notice",
        "tokens", "actor")}
    for item, result, error in outcomes:
        columns[ITEM].append(item)
        columns[ERROR].append(error or "")
        columns["actor"].append(actor)
        columns["text"].append(result.text if result else "")
        columns["confidence"].append(float("nan") if result is None or result.confidence is None
                                     else float(result.confidence))
        columns["model_id"].append(result.model_id if result else "")
        columns["model_revision"].append((result.model_revision or "") if result else "")
        columns["prompt"].append((result.prompt or "") if result else "")
        columns["seconds"].append(float(result.seconds) if result else 0.0)
        columns["notice"].append((result.notice or "") if result else "")
        columns["tokens"].append(json.dumps([[t.token, t.probability] for t in result.token_scores])
                                 if result else "[]")
    return columns


def result_of(row: dict[str, Any]) -> Any:
    """The CaptionResult a row of ``_columns`` carries (None for a failed photo)."""
    import math

    from desktop_app.plugin_api.captioner import CaptionResult, TokenScore

    if row[ERROR]:
        return None
    confidence = float(row["confidence"])
    return CaptionResult(
        text=str(row["text"]), confidence=None if math.isnan(confidence) else confidence,
        model_id=str(row["model_id"]), model_revision=str(row["model_revision"]) or None,
        prompt=str(row["prompt"]) or None, seconds=float(row["seconds"]),
        token_scores=tuple(TokenScore(str(token), float(p)) for token, p in json.loads(str(row["tokens"]))),
        notice=str(row["notice"]) or None)


class Pipeline:
    """One round of a job on the cluster: ``rows`` (item, photo and root + path, or the photo's bytes)
    through the decode tasks and the captioner actor pool; ``next`` hands the driver each result batch."""

    def __init__(self, rows: list[dict[str, Any]], prototype: Any, actor: dict[str, Any], actors: int,
                 gpus_per_actor: float) -> None:
        import ray

        self.results: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=4)
        self.ledger = ray.remote(num_cpus=0)(Ledger).remote()
        actor = {**actor, "captioner": prototype, "ledger": self.ledger}
        dataset = self._dataset(rows, prototype, actor, actors, gpus_per_actor)
        threading.Thread(target=self._pump, args=(dataset,), name="pipeline", daemon=True).start()

    @staticmethod
    def _dataset(rows: list[dict[str, Any]], prototype: Any, actor: dict[str, Any], actors: int,
                 gpus_per_actor: float) -> Any:
        import ray
        from ray.data import ActorPoolStrategy, DataContext

        context = DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        size = int(actor["batch_size"])
        blocks = min(2000, max(1, math.ceil(len(rows) / size)))
        dataset = ray.data.from_items(rows, override_num_blocks=blocks)
        # Half a core per decoding task (they wait on the disk too): unlike the actors' whole core, so Ray
        # keeps decoding in tasks of their own beside the model instead of fusing it into the actor.
        decoded = dataset.map_batches(decode, fn_kwargs={"captioner": prototype}, batch_size=size,
                                      batch_format="numpy", num_cpus=0.5)
        return decoded.map_batches(CaptionActor, batch_size=size, batch_format="numpy", num_cpus=1,
                                   compute=ActorPoolStrategy(size=actors), num_gpus=gpus_per_actor,
                                   fn_constructor_kwargs=actor)

    def _pump(self, dataset: Any) -> None:
        try:
            # No prefetch: with Ray Data's default of one batch, each result reached the driver only when
            # the next was done (a batch late: progress lagged, more photos out at a stop).
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy", prefetch_batches=0):
                self.results.put(("batch", {name: list(column) for name, column in batch.items()}))
            self.results.put(("end", None))
        except BaseException as exc:  # the driver fails the job with it, in one line
            import ray

            from desktop_app.errors import one_line

            try:
                reason = ray.get(self.ledger.load_failure.remote(), timeout=10)
            except Exception:
                reason = None
            # Ray's messages colour the names of its processes (terminal escapes): not in a job's error.
            self.results.put(("error", reason or re.sub(r"\x1b\[[0-9;]*m", "",
                                                        f"the cluster failed: {one_line(exc)}")))

    def next(self, wait: float) -> tuple[str, Any]:
        """("batch", columns), ("end", None), ("error", one line), or ("wait", None) after ``wait`` s."""
        try:
            return self.results.get(timeout=wait)
        except queue.Empty:
            return ("wait", None)
