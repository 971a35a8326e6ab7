"""A tagging job's work (no Qt): the tagger loaded, its vocabulary set, and each batch of photos
tagged and written. The runner (jobs/runner.py) drives it like a captioning job: one batch per step,
pause and cancel between batches, each batch's suggestions and item states in one transaction, so a
photo's item is done exactly when its suggestions are stored and a resumed job tags only the rest.

The suggestions are computed outside any write transaction (the model may take seconds; the app's
own writes must not wait for it); the write then stores them through ``suggest_keyword``, which
checks again that no person decided the keyword meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from desktop_app.captioning.engine import WorkItem
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Job, JobState
from desktop_app.errors import isolated, one_line
from desktop_app.jobs import store
from desktop_app.jobs.checks import resolve_model
from desktop_app.jobs.leases import held_items
from desktop_app.jobs.store import JobError
from desktop_app.library.decoding import decode_ahead
from desktop_app.plugin_api.tagger import Tagger, TaggerInput
from desktop_app.plugin_registry import PluginRegistry
from desktop_app.tagging.label_vectors import CatalogueLabelVectors
from desktop_app.tagging.run import (
    MAX_IMAGE_SIDE,
    TAG_BATCH,
    StoredSuggestion,
    TaggingError,
    Vocabularies,
    decided_terms,
    load_vocabularies,
    store_suggestions,
    suggest,
    tag_items,
)

OPTION_NAMES = ("vocabularies", "top_n", "threshold")
Ready = tuple[WorkItem, Any, str | None]  # a photo of a batch: its decoded image (pixel taggers), or why not


@dataclass(frozen=True)
class ItemTagged:
    """A photo tagged: the suggestions stored for it (none is possible: nothing scored enough)."""

    job_id: int
    photo_id: int
    path: str
    tagger_id: str
    model_id: str | None
    suggestions: tuple[StoredSuggestion, ...]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "photo_id": self.photo_id, "job": self.job_id, "status": "ok",
                "error": None, "tagger": self.tagger_id, "model": self.model_id,
                "suggestions": [s.to_json() | {"tagger": self.tagger_id} for s in self.suggestions]}


@dataclass(frozen=True)
class BatchOutcome:
    """One batch written: the items' results for the queue, the photos tagged and the failures."""

    results: list[store.ItemResult]
    tagged: list[ItemTagged]
    failed: list[tuple[WorkItem, str]]
    state: JobState | None  # the job's as stored now (another process may have cancelled it)
    counts: tuple[int, int]  # the job's items finished and failed, by every worker


def batch_size() -> int:
    """Photos a tagging job claims and tags at once."""
    return TAG_BATCH


def check_tag_job(catalogue: Catalogue, registry: PluginRegistry, tagger_id: str, model: str | None,
                  options: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """The model and options a tagging job is stored with, checked now (an unknown tagger or
    vocabulary, a threshold outside 0..1), so a mistake is one line before any work: JobError."""
    try:
        prototype = registry.get_tagger(tagger_id)
    except KeyError as exc:
        raise JobError(str(exc)) from None
    unknown = [name for name in options if name not in OPTION_NAMES]
    if unknown:
        raise JobError(f"a tagging job has no option {unknown[0]} (it takes {', '.join(OPTION_NAMES)})")
    checked: dict[str, Any] = {}
    vocabularies = options.get("vocabularies") or None
    try:
        with catalogue.read() as session:
            checked["vocabularies"] = load_vocabularies(session, vocabularies).names if vocabularies else None
            if not vocabularies:
                load_vocabularies(session, None)  # says when there is none to suggest from
    except TaggingError as exc:
        raise JobError(str(exc)) from None
    top_n = options.get("top_n")
    if top_n is not None and (isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1):
        raise JobError(f"top_n must be a whole number of at least 1, not {top_n!r}")
    threshold = options.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int | float)
                                  or not 0 <= threshold <= 1):
        raise JobError(f"the threshold must be a number from 0 to 1, not {threshold!r}")
    checked["top_n"] = top_n if top_n is not None else prototype.default_top_n
    checked["threshold"] = float(threshold) if threshold is not None else prototype.default_threshold
    return resolve_model(model), checked


class TagWork:
    """A tagging job's run: its loaded tagger and vocabulary."""

    def __init__(self, catalogue: Catalogue, registry: PluginRegistry, tagger_id: str, model: str | None,
                 options: dict[str, Any], device: str | None, decode_workers: int = 2,
                 owner: str | None = None) -> None:
        self.catalogue = catalogue
        self.owner = owner or store.this_process()  # the holder of the items it tags (jobs/leases.py)
        self.tagger_id = tagger_id
        prototype = registry.get_tagger(tagger_id)
        self.tagger: Tagger = type(prototype)(model=model or prototype.model)
        self.options = options
        self.device = device
        self.decode_workers = decode_workers
        self.vocabularies: Vocabularies | None = None
        self.author = f"tagger:{tagger_id}"

    @property
    def model_id(self) -> str | None:
        return self.tagger.model

    def load(self) -> None:
        """Load the tagger and hand it the vocabulary (label vectors from the catalogue's cache)."""
        from desktop_app.plugin_api.hf import resolve_device

        device = resolve_device(self.device)
        with self.catalogue.read() as session:
            self.vocabularies = load_vocabularies(session, self.options.get("vocabularies") or None)
        # A model load makes about a million long-lived objects; a full garbage collection among them
        # holds the GIL for 100-300 ms, freezing a window that shares this process. No collection runs
        # while the tagger loads, and after it (as the captioning engine does) they are frozen out of
        # the collector's sight.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.tagger.load(device)
            self.tagger.set_vocabulary(self.vocabularies.terms, CatalogueLabelVectors(self.catalogue))
        except BaseException as exc:
            failure = isolated(exc)  # plugin code: its sys.exit() fails the job, a Ctrl+C still stops
            if failure is not exc:
                raise failure from exc
            raise
        finally:
            gc.freeze()
            if collecting:
                gc.enable()

    def unload(self) -> None:
        with suppress(Exception):  # freeing a model that failed half-way: nothing more to do
            self.tagger.unload()

    def batches(self, batches: Iterable[Sequence[WorkItem]],
                should_stop: Callable[[], bool]) -> Iterator[list[Ready]]:
        """``batches`` (claimed one ahead) as lists of (item, decoded image or None, why it failed or
        None). Pixel taggers get the photos decoded ahead on a thread pool while the model works on the
        previous batch."""
        if TaggerInput.PIXELS not in self.tagger.inputs:
            for batch in batches:
                if should_stop():
                    return
                yield [(item, None, None) for item in batch]
            return
        with closing(decode_ahead(batches, lambda item: item.path, max_side=MAX_IMAGE_SIDE,
                                  workers=self.decode_workers, stop=should_stop,
                                  thread_name_prefix="tag-decode")) as ready_batches:
            for ready in ready_batches:
                yield [(d.item, d.image, d.error) for d in ready.decoded]

    def tag(self, job_id: int, batch: list[Ready]) -> BatchOutcome:
        """Tag one batch and write its suggestions and item states in one transaction."""
        assert self.vocabularies is not None
        failed = [(item, error or "the photo was removed from the catalogue")
                  for item, _image, error in batch if error is not None or not item.path]
        ready = [(item, image) for item, image, error in batch if error is None and item.path]
        photo_ids = [item.key.photo_id for item, _image in ready]
        suggestions: list[Any] = []
        if ready:
            with self.catalogue.read() as session:
                items = tag_items(session, self.tagger, photo_ids,
                                  {item.key.photo_id: image for item, image in ready if image is not None})
                decided = decided_terms(session, photo_ids)
            try:
                suggestions = suggest(self.tagger, items, decided, top_n=int(self.options["top_n"]),
                                      threshold=float(self.options["threshold"]))
            except BaseException as exc:
                failure = isolated(exc)
                if failure is not exc or not isinstance(exc, Exception):
                    raise failure from exc
                reason = f"the tagger failed: {one_line(exc)}"
                failed += [(item, reason) for item, _image in ready]
                ready, suggestions = [], []
        results: list[store.ItemResult] = []
        tagged: list[ItemTagged] = []
        with self.catalogue.write() as session:
            # Only items this worker still holds: after a lapsed lease another worker has the rest.
            held = held_items(session, self.owner, [item.key.item_id for item, _image, _error in batch])
            found_for = [(item, found) for (item, _image), found in zip(ready, suggestions, strict=True)
                         if item.key.item_id in held]
            failed = [(item, reason) for item, reason in failed if item.key.item_id in held]
            present = store.photos_of(session, [item.key for item, _found in found_for])
            for item, found in found_for:
                if item.key.photo_id not in present:
                    failed.append((item, "the photo was removed from the catalogue"))
                    continue
                stored = store_suggestions(session, item.key.photo_id, found, self.vocabularies,
                                           tagger_id=self.tagger_id, model_id=self.model_id,
                                           author=self.author)
                results.append(store.ItemResult(item.key.item_id))
                tagged.append(ItemTagged(job_id, item.key.photo_id, item.path, self.tagger_id, self.model_id,
                                         tuple(stored)))
            results += [store.ItemResult(item.key.item_id, error=reason) for item, reason in failed]
            store.finish_items(session, results)
            state = session.scalar(select(Job.state).where(Job.id == job_id))
            counts = store.item_counts(session, job_id)
        return BatchOutcome(results, tagged, failed, state, counts)
