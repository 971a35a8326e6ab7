"""The captioning engine: batches, devices, model cache, decoding ahead of the model, errors.

The GPU (or CPU) works on one batch while a small thread pool decodes and orients the next batch's
files, so the model never waits on disk or JPEG decoding. Models are cached by (captioner, model,
device). One bad file or one failing image fails that item with a one-line reason; the rest go on.
Out of memory on a GPU halves the batch and retries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from desktop_app.captioning.captioner import Captioner, CaptionResult, InputKind
from desktop_app.errors import one_line
from desktop_app.library.images import DICOM_FORMAT, UnsupportedImageError, decode, open_image
from desktop_app.library.scanner import os_error_reason
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


@dataclass
class _Decoded:
    item: WorkItem
    image: Any = None
    error: str | None = None


def is_out_of_memory(exc: BaseException) -> bool:
    try:
        import torch
    except ImportError:
        return False
    return isinstance(exc, torch.OutOfMemoryError) or "out of memory" in str(exc).lower()


class CaptionEngine:
    def __init__(self, registry: PluginRegistry, device: str = "auto", dtype: str | None = None,
                 batch_size: int = DEFAULT_BATCH_SIZE, decode_workers: int = 2,
                 models: dict[str, str] | None = None) -> None:
        """``models``: per captioner id, the model to use when a call names none (from settings)."""
        self.registry = registry
        self.models = models or {}
        self.device = device
        self.dtype = dtype
        self.batch_size = max(1, batch_size)
        self.decode_workers = max(1, decode_workers)
        self._models: dict[tuple[str, str, str], Captioner] = {}

    # -- models ---------------------------------------------------------------------------------------

    def captioner(self, captioner_id: str, model: str | None = None) -> Captioner:
        """A loaded captioner, from the cache when this (captioner, model, device) was loaded before."""
        prototype = self.registry.get_captioner(captioner_id)
        source = model or self.models.get(captioner_id) or prototype.model
        key = (captioner_id, source, self.device)
        if key not in self._models:
            captioner = type(prototype)(model=source)
            captioner.load(self.device, self.dtype)
            self._models[key] = captioner
        return self._models[key]

    def unload(self) -> None:
        for captioner in self._models.values():
            captioner.unload()
        self._models.clear()

    # -- running --------------------------------------------------------------------------------------

    def run(
        self,
        captioner_id: str,
        items: Sequence[WorkItem],
        model: str | None = None,
        options: dict[str, Any] | None = None,
        stop: threading.Event | None = None,
    ) -> Iterator[Outcome]:
        """Caption ``items`` in batches, yielding one Outcome per item in order as batches finish."""
        captioner = self.captioner(captioner_id, model)
        options = {**captioner.option_defaults(), **(options or {})}
        batches = [items[i:i + self.batch_size] for i in range(0, len(items), self.batch_size)]
        with ThreadPoolExecutor(self.decode_workers, thread_name_prefix="decode") as pool:
            ahead = self._decode_batch(pool, captioner, batches[0]) if batches else []
            for number in range(len(batches)):
                if stop is not None and stop.is_set():
                    return
                current = [future.result() for future in ahead]
                # Start decoding the next batch before the model starts on this one.
                ahead = (self._decode_batch(pool, captioner, batches[number + 1])
                         if number + 1 < len(batches) else [])
                yield from self._caption_decoded(captioner, current, options)

    def _decode_batch(self, pool: ThreadPoolExecutor, captioner: Captioner,
                      batch: Sequence[WorkItem]) -> list[Future[_Decoded]]:
        return [pool.submit(load_for, captioner, item) for item in batch]

    def _caption_decoded(self, captioner: Captioner, decoded: list[_Decoded],
                         options: dict[str, Any]) -> Iterator[Outcome]:
        ready = [d for d in decoded if d.error is None]
        results = dict(zip((id(d) for d in ready), self._caption_images(captioner, ready, options),
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

    def _caption_images(self, captioner: Captioner, ready: list[_Decoded],
                        options: dict[str, Any]) -> list[CaptionResult | str]:
        """Results (or one-line errors) for a batch: halves on out-of-memory, isolates a failing image."""
        images = [entry.image for entry in ready]
        try:
            return list(captioner.caption(images, options))
        except Exception as exc:
            if len(images) == 1:
                log.debug("captioning %s failed", ready[0].item.path, exc_info=True)
                if is_out_of_memory(exc):
                    return [f"out of memory even for one image on {self.device}"]
                return [f"captioning failed: {one_line(exc)}"]
            if is_out_of_memory(exc):
                self._free_memory()
                self.batch_size = (len(images) + 1) // 2
                log.warning("out of memory with %d images; batch size is now %d", len(images),
                            self.batch_size)
            # Split the batch: a smaller one fits in memory, and a bad image fails on its own.
            middle = (len(ready) + 1) // 2
            return (self._caption_images(captioner, ready[:middle], options)
                    + self._caption_images(captioner, ready[middle:], options))

    def _free_memory(self) -> None:
        if str(self.device).startswith("cuda"):
            import torch

            torch.cuda.empty_cache()


def load_for(captioner: Captioner, item: WorkItem) -> _Decoded:
    """Open, check and decode one file for ``captioner`` (runs in the decode pool)."""
    try:
        with open(item.path, "rb") as file:
            opened = open_image(file)
            if opened.format == DICOM_FORMAT and InputKind.DICOM not in captioner.inputs:
                return _Decoded(item, error=f"captioner {captioner.id} does not read DICOM files")
            if opened.format != DICOM_FORMAT and InputKind.PHOTO not in captioner.inputs:
                return _Decoded(item, error=f"captioner {captioner.id} reads DICOM files only")
            return _Decoded(item, image=decode(opened, max_side=captioner.max_image_side))
    except UnsupportedImageError as exc:
        return _Decoded(item, error=str(exc))
    except OSError as exc:
        return _Decoded(item, error=os_error_reason(exc))
    except Exception as exc:
        return _Decoded(item, error=f"cannot decode image: {one_line(exc)}")
