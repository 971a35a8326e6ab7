"""The captioning engine: batches, devices, model cache, decoding ahead of the model, errors.

The GPU (or CPU) works on one batch while a small thread pool (``decode_workers``) decodes and orients
the next ``prefetch`` batches' files (library/decoding.py) and runs the captioner's ``prepare`` on them
(the built-in captioners' Hugging Face processor step), so the model never waits on disk, JPEG
decoding or preprocessing. Models are cached by (captioner, model,
device). One bad file or one failing image fails that item with a one-line reason; the rest go on.
Out of memory on a GPU halves the batch and retries; out of memory for a single image on a GPU moves
the work to the CPU and says so. A stop request ends the run between batches, or inside ``generate``
for captioners that honour ``Captioner.interrupt``; the interrupted batch yields nothing.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from PIL import Image

from desktop_app.errors import isolated, one_line
from desktop_app.library.decoding import Check, Decoded, decode_ahead, decode_file, prepared_batch
from desktop_app.library.images import DICOM_FORMAT, OpenedImage
from desktop_app.plugin_api.captioner import Captioner, CaptionInterrupted, CaptionResult, InputKind
from desktop_app.plugin_registry import PluginRegistry

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 8


@dataclass(frozen=True)
class WorkItem:
    key: Any  # the caller's handle: a photo id, a path...
    path: str


@dataclass(frozen=True)
class Outcome:
    item: WorkItem
    result: CaptionResult | None = None
    error: str | None = None


def is_out_of_memory(exc: BaseException) -> bool:
    try:
        import torch
    except ImportError:
        return False
    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()


class CaptionEngine:
    def __init__(self, registry: PluginRegistry, device: str = "auto", dtype: str | None = None,
                 batch_size: int = DEFAULT_BATCH_SIZE, decode_workers: int = 2, prefetch: int = 1,
                 models: dict[str, str] | None = None,
                 on_notice: Callable[[str], None] | None = None) -> None:
        """``models``: per captioner id, the model to use when a call names none (from settings).
        ``on_notice``: told, in one line, when the engine changes course (smaller batches, the CPU)."""
        self.registry = registry
        self.models = models or {}
        self.device = device
        self.dtype = dtype
        self.batch_size = max(1, batch_size)
        # What the caller asked for: each run starts from these again, after a run had to shrink its
        # batches or move to the CPU (the next model may fit, or the GPU may have room again).
        self._configured = (device, dtype, self.batch_size)
        self.decode_workers = max(1, decode_workers)
        self.prefetch = max(1, prefetch)  # batches decoded and prepared ahead of the model's
        self.on_notice = on_notice
        self._models: dict[tuple[str, str, str], Captioner] = {}

    # -- models ---------------------------------------------------------------------------------------

    def model_for(self, captioner_id: str, model: str | None = None) -> str:
        """The model a run of ``captioner_id`` uses: ``model``, else the settings' choice for it, else the
        captioner's default."""
        return model or self.models.get(captioner_id) or self.registry.get_captioner(captioner_id).model

    def captioner(self, captioner_id: str, model: str | None = None) -> Captioner:
        """A loaded captioner, from the cache when this (captioner, model, device) was loaded before."""
        prototype = self.registry.get_captioner(captioner_id)
        source = self.model_for(captioner_id, model)
        if self.device in ("auto", None):
            from desktop_app.plugin_api.hf import resolve_device

            self.device = resolve_device(self.device)
        key = (captioner_id, source, self.device)
        if key not in self._models:
            try:
                captioner = type(prototype)(model=source)
                captioner.load(self.device, self.dtype)
            except BaseException as exc:
                # Plugin code: its sys.exit() fails this load like any error (a Ctrl+C still stops).
                failure = isolated(exc)
                if failure is not exc:
                    raise failure from exc
                if not (is_out_of_memory(exc) and self._models):
                    raise
                # Memory is short: free the other cached models and try once more.
                log.warning("out of memory loading %s; unloading %d cached models", source, len(self._models))
                self.unload()
                captioner.load(self.device, self.dtype)
            self._models[key] = captioner
            # torch, transformers and a model leave about a million long-lived objects; a full
            # garbage collection scanning them holds the GIL for 100-300 ms, long enough to freeze
            # a window sharing this process. Freezing moves them out of the collector's sight.
            gc.freeze()
        return self._models[key]

    def unload(self) -> None:
        if not self._models:
            return  # nothing to free (and no full garbage collection to pay for)
        for captioner in self._models.values():
            captioner.unload()
        self._models.clear()
        self._free_memory()

    @property
    def loaded_models(self) -> list[tuple[str, str, str]]:
        """(captioner id, model, device) of each cached model."""
        return list(self._models)

    # -- running --------------------------------------------------------------------------------------

    def run(self, captioner_id: str, items: Sequence[WorkItem], model: str | None = None,
            options: dict[str, Any] | None = None,
            should_stop: Callable[[], bool] | None = None) -> Iterator[Outcome]:
        """Caption ``items``, yielding one Outcome per item in order as batches finish."""
        for batch in self.run_batches(captioner_id, items, model, options, should_stop):
            yield from batch

    def run_batches(
        self,
        captioner_id: str,
        items: Sequence[WorkItem] | Callable[[int], Sequence[WorkItem]],
        model: str | None = None,
        options: dict[str, Any] | None = None,
        should_stop: Callable[[], bool] | None = None,
        before_batch: Callable[[Sequence[WorkItem]], bool] | None = None,
    ) -> Iterator[list[Outcome]]:
        """Caption ``items`` in batches, yielding each batch's Outcomes (in item order) as it finishes.
        ``items`` may be a function that takes the next batch, of up to the size it is given (a job's
        worker claims them from a shared queue), ``prefetch`` batches ahead of the model's; an empty one
        ends the run.

        ``should_stop`` is checked between batches and, for captioners that honour it, inside
        generation: the run then ends and the interrupted batch yields nothing. ``before_batch`` is
        called with each batch before the model gets it: the first before any work, each following
        one just before the previous batch's outcomes are yielded. Returning False ends the run
        after that yield.
        """
        self.device, self.dtype, self.batch_size = self._configured
        captioner = self.captioner(captioner_id, model)
        options = {**captioner.option_defaults(), **(options or {})}
        stop = should_stop or (lambda: False)

        def sized() -> Iterator[Sequence[WorkItem]]:
            if callable(items):
                while batch := items(self.batch_size):
                    yield batch
                return
            position = 0
            while position < len(items):
                # Sized when taken, so a batch size halved by out-of-memory applies to the rest.
                batch = items[position:position + self.batch_size]
                position += len(batch)
                yield batch

        def prepare(images: list[Any]) -> Sequence[Any]:
            # The captioner's own CPU preprocessing, on the decode threads (plugin API version 1).
            return captioner.prepare(images, options)

        # Closed on any way out, so that the decode pool is shut down before the run returns.
        with closing(decode_ahead(sized(), lambda item: item.path, max_side=captioner.max_image_side,
                                  check=input_check(captioner), prepare=prepare, workers=self.decode_workers,
                                  prefetch=self.prefetch, stop=stop, started=before_batch)) as batches:
            for ready in batches:
                captioner = self.captioner(captioner_id, model)  # the CPU one after a fallback
                captioner.interrupt = stop
                try:
                    outcomes = list(self._caption_decoded(captioner_id, model, captioner, ready.decoded,
                                                          options))
                except CaptionInterrupted:
                    return
                finally:
                    captioner.interrupt = None
                # The following batch is announced before this one's outcomes are handed over, so
                # that a caller can record both in one transaction.
                go_on = not ready.following or before_batch is None or before_batch(ready.following)
                yield outcomes
                if not go_on:
                    return

    def caption_decoded(self, captioner_id: str, decoded: list[Decoded[WorkItem]], model: str | None = None,
                        options: dict[str, Any] | None = None) -> list[Outcome]:
        """Outcomes for a batch decoded elsewhere (a cluster's read tasks decode with ``decode_file``):
        the captioner's ``prepare`` on this thread, then the model, with the same handling of memory
        and of failing images as ``run_batches``."""
        self.device, self.dtype, self.batch_size = self._configured
        captioner = self.captioner(captioner_id, model)
        options = {**captioner.option_defaults(), **(options or {})}
        ready = prepared_batch(decoded, lambda images: captioner.prepare(images, options))
        return list(self._caption_decoded(captioner_id, model, captioner, ready, options))

    def _caption_decoded(self, captioner_id: str, model: str | None, captioner: Captioner,
                         decoded: list[Decoded[WorkItem]], options: dict[str, Any]) -> Iterator[Outcome]:
        ready = [d for d in decoded if d.error is None]
        results = dict(zip((id(d) for d in ready),
                           self._caption_images(captioner_id, model, captioner, ready, options),
                           strict=True)) if ready else {}
        for entry in decoded:
            if entry.error is not None:
                yield Outcome(entry.item, error=entry.error)
                continue
            result = results[id(entry)]
            if isinstance(result, str):
                yield Outcome(entry.item, error=result)
            elif not result.text:
                yield Outcome(entry.item, error="the model returned an empty caption")
            else:
                yield Outcome(entry.item, result=result)

    def _caption_images(self, captioner_id: str, model: str | None, captioner: Captioner,
                        ready: list[Decoded[WorkItem]], options: dict[str, Any]) -> list[CaptionResult | str]:
        """Results (or one-line errors) for a batch: halves on out-of-memory, isolates a failing image,
        moves to the CPU when one image does not fit on the GPU."""
        images = [entry.image for entry in ready]
        if all(cached is not captioner for cached in self._models.values()):
            # Moved to the CPU while this batch was being split: the rest goes to the CPU copy.
            interrupt, captioner = captioner.interrupt, self.captioner(captioner_id, model)
            captioner.interrupt = interrupt
        try:
            return list(captioner.caption(images, options))
        except CaptionInterrupted:
            raise
        except BaseException as caught:
            exc = isolated(caught)  # a captioner's sys.exit() fails its images, not the program
            out_of_memory = is_out_of_memory(exc)
            if len(images) == 1:
                if out_of_memory and self._on_gpu():
                    cpu = self._fall_back_to_cpu(captioner_id, model, captioner)
                    return self._caption_images(captioner_id, model, cpu, ready, options)
                log.debug("captioning %s failed", ready[0].item.path, exc_info=True)
                if out_of_memory:
                    return [f"out of memory even for one image on {self.device}"]
                return [f"captioning failed: {one_line(exc)}"]
            if out_of_memory:
                self._free_memory()
                self.batch_size = min(self.batch_size, (len(images) + 1) // 2)
                self._notice(f"out of memory with {len(images)} images at once on {self.device}; "
                             f"batch size is now {self.batch_size}")
            # Split the batch: a smaller one fits in memory, and a bad image fails on its own.
            middle = (len(ready) + 1) // 2
            return (self._caption_images(captioner_id, model, captioner, ready[:middle], options)
                    + self._caption_images(captioner_id, model, captioner, ready[middle:], options))

    def _fall_back_to_cpu(self, captioner_id: str, model: str | None, gpu: Captioner) -> Captioner:
        """Unload the GPU copy and continue on the CPU (slower, but the job finishes)."""
        gpu_device = self.device
        for key in [key for key, cached in self._models.items() if cached is gpu]:
            del self._models[key]
        gpu.unload()
        self._free_memory(gpu_device)
        self.device, self.dtype = "cpu", None
        self._notice(f"out of memory on {gpu_device} even for one image: continuing on the CPU, "
                     "which is slower")
        cpu = self.captioner(captioner_id, model)
        cpu.interrupt = gpu.interrupt
        return cpu

    def _on_gpu(self) -> bool:
        return str(self.device).startswith(("cuda", "mps"))

    def _notice(self, text: str) -> None:
        log.warning("%s", text)
        if self.on_notice is not None:
            self.on_notice(text)

    def _free_memory(self, device: str | None = None) -> None:
        # Unloaded models may sit in reference cycles among frozen objects: hand those back to the
        # collector so that their memory (GPU memory too) is freed.
        gc.unfreeze()
        gc.collect()
        if str(device or self.device).startswith("cuda"):
            import torch

            torch.cuda.empty_cache()


def input_check(captioner: Captioner) -> Check:
    """The per-file check for ``captioner``: DICOM files only for a captioner that reads them, photos
    only for one that reads photos."""

    def check(opened: OpenedImage) -> str | None:
        if opened.format == DICOM_FORMAT and InputKind.DICOM not in captioner.inputs:
            return f"captioner {captioner.id} does not read DICOM files"
        if opened.format != DICOM_FORMAT and InputKind.PHOTO not in captioner.inputs:
            return f"captioner {captioner.id} reads DICOM files only"
        return None

    return check


def decode_for(captioner: Captioner, path: str) -> tuple[Image.Image | None, str | None]:
    """One file decoded as the engine decodes it for ``captioner``: (image, None) or (None, a reason)."""
    return decode_file(path, captioner.max_image_side, input_check(captioner))
