"""Runs queued jobs through the captioning engine and writes their results (no Qt).

The CLI and the GUI's inference worker share this: the CLI loops over :meth:`JobRunner.steps` in the
foreground, the worker advances it one batch per event-loop turn on its own thread. Each batch's
captions and item states are committed in one transaction by this single writer; events are sent
after the commit, so what a listener is told is always already on disk.

Pause and cancel come through :class:`JobControl` from any thread. The engine checks it between
batches and inside ``generate``, so either takes effect within about a second; an interrupted batch is
not written and its items are captioned when the job resumes.

Every caption a job writes is of its captioner's ``caption_kind`` (the description unless the captioner
says otherwise). A job of an alt-text captioner runs no model for a photo whose current description is
approved: its alt-text draft is that description by the alt-text rules (plugin_api.alt_text), stored
like a model's draft (model "alt-text rules", no token scores) in the transaction that finishes the
photo's item, so it is written exactly once however often the job is resumed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Collection, Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.captioning.engine import CaptionEngine, Outcome, WorkItem
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_captions
from desktop_app.catalogue.models import Caption, CaptionKind, Job, JobState, ReviewState
from desktop_app.catalogue.photos import absolute_path
from desktop_app.errors import one_line
from desktop_app.flagging import MeaningMatcher
from desktop_app.jobs import leases, store, tag_job
from desktop_app.jobs.checks import check_caption_job, resolve_model
from desktop_app.jobs.leases import LeaseKeeper
from desktop_app.jobs.store import ANY_RUNNER, JobSummary, PendingItem
from desktop_app.jobs.tag_job import ItemTagged, TagWork, check_tag_job
from desktop_app.plugin_api.alt_text import alt_text_from
from desktop_app.plugin_api.captioner import CaptionResult

log = logging.getLogger(__name__)

_DERIVED_BATCH = 500  # alt-text drafts from approved descriptions written per transaction
ALT_TEXT_RULES = "alt-text rules"  # the model_id of an alt-text draft made from an approved description


class JobControl:
    """Pause, resume and cancel requests, safe to call from any thread (they only set flags)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paused = False
        self._closing = False
        self._cancelled: set[int] = set()

    def close(self) -> None:
        """Break off whatever runs (the app is closing): the job stays queued, to resume later."""
        with self._lock:
            self._closing = True

    def pause(self) -> None:
        with self._lock:
            self._paused = True

    def resume(self) -> None:
        with self._lock:
            self._paused = False

    def cancel(self, job_id: int) -> None:
        with self._lock:
            self._cancelled.add(job_id)

    @property
    def paused(self) -> bool:
        with self._lock:
            return self._paused

    def is_cancelled(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._cancelled

    @property
    def closing(self) -> bool:
        with self._lock:
            return self._closing

    def should_stop(self, job_id: int) -> bool:
        with self._lock:
            return self._paused or self._closing or job_id in self._cancelled

    def forget(self, job_id: int) -> None:
        with self._lock:
            self._cancelled.discard(job_id)


@dataclass(frozen=True)
class Progress:
    job_id: int
    done: int  # items finished, captioned or failed, including earlier runs of the job
    failed: int
    total: int
    photos_per_second: float | None  # in this run, model loading excluded (a train job: steps per second)
    eta_seconds: float | None
    train_loss: float | None = None  # a train job: the optimizer step's loss
    validation_loss: float | None = None  # a train job: the last epoch's
    actors: dict[str, int] | None = None  # a cluster job: photos captioned by each actor in this run


@dataclass(frozen=True)
class ItemDone:
    job_id: int
    photo_id: int
    path: str
    caption_id: int
    is_current: bool  # False when a caption a person wrote or approved stays current
    captioner_id: str
    result: CaptionResult
    flagged: bool = False  # the stored draft has flags for a second look (the grid's badge)


@dataclass(frozen=True)
class ItemFailed:
    job_id: int
    photo_id: int
    path: str
    reason: str


class JobEvents:
    """What a runner tells its listener; every method is called on the runner's thread."""

    def job_started(self, job: JobSummary) -> None:
        """The job is running (models may still be loading)."""

    def progress(self, progress: Progress) -> None:
        """After each batch is written."""

    def item_done(self, item: ItemDone) -> None:
        """A photo's caption is stored."""

    def item_failed(self, item: ItemFailed) -> None:
        """A photo could not be captioned; the job goes on."""

    def tagged(self, item: ItemTagged) -> None:
        """A tagging job stored a photo's suggestions (none, when nothing scored enough)."""

    def notice(self, job_id: int, text: str) -> None:
        """The job changed course: smaller batches, the CPU instead of the GPU."""

    def trained(self, job_id: int, report: Any) -> None:
        """A train job's trainer returned: ``report`` (training.trainer.TrainReport) says whether it
        finished (the model's folder) or stopped at a checkpoint."""

    def job_ended(self, job: JobSummary) -> None:
        """The run is over: job.state says how (done, failed, cancelled, paused or queued when the
        run was broken off and can be resumed)."""


class JobRunner:
    runs = ANY_RUNNER  # the jobs it queues and joins: any worker's (a cluster driver: the cluster's)

    def __init__(self, catalogue: Catalogue, engine: CaptionEngine, events: JobEvents | None = None,
                 control: JobControl | None = None) -> None:
        self.catalogue = catalogue
        self.engine = engine
        self.events = events or JobEvents()
        self.control = control or JobControl()
        self.owner = store.this_process()
        # Jobs another process paused, failed or finished meanwhile: this run stops taking part.
        self._left: set[int] = set()
        # Why a job's run here failed (its model does not load on this machine, say), by job id: the
        # job may go on with other workers.
        self.failures: dict[int, str] = {}
        # Flags by meaning on the drafts it stores (Settings.review.flag_meanings; services/jobs.py).
        self.meanings: MeaningMatcher | None = None

    # -- the queue ------------------------------------------------------------------------------------

    def queue_caption_job(self, captioner_id: str, photo_ids: Sequence[int], model: str | None = None,
                          options: dict[str, Any] | None = None) -> JobSummary:
        """Queue a captioning job. The captioner, a model folder and the options are checked now (a
        mistake is one error, before any work), a hub model when the job runs."""
        prototype = self.engine.registry.get_captioner(captioner_id)
        model, options = check_caption_job(prototype, model, options or {},
                                           self.engine.models.get(captioner_id))
        with self.catalogue.write() as session:
            job = store.create_caption_job(session, captioner_id, model, options, photo_ids, runner=self.runs)
            session.flush()
            return store.summary(session, job.id)

    def queue_tag_job(self, tagger_id: str, photo_ids: Sequence[int], model: str | None = None,
                      options: dict[str, Any] | None = None) -> JobSummary:
        """Queue suggesting keywords for ``photo_ids`` with a tagger; the tagger, the vocabularies and
        the options are checked now (JobError), the model when the job runs."""
        model, options = check_tag_job(self.catalogue, self.engine.registry, tagger_id, model, options or {})
        with self.catalogue.write() as session:
            job = store.create_tag_job(session, tagger_id, model, options, photo_ids)
            session.flush()
            return store.summary(session, job.id)

    def recover(self) -> list[int]:
        """Free the items of workers that are gone and put jobs nobody works on back in the queue."""
        with self.catalogue.write() as session:
            recovered = leases.recover_interrupted(session)
        for job_id in recovered:
            log.info("job %d was interrupted; it is queued again", job_id)
        return recovered

    def next_job(self, skip: Collection[int] = ()) -> int | None:
        """The oldest job this worker can take part in (queued, or running with items to take), but
        those of ``skip``."""
        with self.catalogue.read() as session:
            return leases.next_claimable(session, skip=skip)

    def run(self, job_id: int) -> JobSummary:
        """Run a job to its end (or until paused or cancelled) and return its summary."""
        for _progress in self.steps(job_id):
            pass
        return self.summary(job_id)

    def summary(self, job_id: int) -> JobSummary:
        with self.catalogue.read() as session:
            return store.summary(session, job_id)

    # -- one job ----------------------------------------------------------------------------------------

    def queue_train_job(self, captioner_id: str, output: str, settings: dict[str, Any],
                        model: str | None = None, library_ids: Sequence[int] | None = None) -> JobSummary:
        """Queue fine-tuning ``captioner_id`` on the approved captions into ``output`` (a folder)."""
        self.engine.registry.get_captioner(captioner_id)
        model = resolve_model(model)
        with self.catalogue.write() as session:
            job = store.create_train_job(session, captioner_id, model, output, settings, library_ids)
            session.flush()
            return store.summary(session, job.id)

    def steps(self, job_id: int) -> Iterator[Progress]:
        """Run a job, yielding after each batch is written. Closing the iterator early leaves the job
        queued, to resume later; store.JobError if the job cannot run (unknown, done, a cluster's, a
        train job elsewhere). Other workers may run the same job at once: each takes a batch of items
        at a time, under a lease this run renews (jobs/leases.py)."""
        self._left.discard(job_id)
        with self.catalogue.write() as session:
            job = leases.join(session, job_id, self.owner, self.runs)
            kind, captioner_id, model = job.kind, job.captioner_id, job.model_id
            options = dict(job.options or {})
            session.flush()
            started = store.summary(session, job_id)
        self.events.job_started(started)
        with LeaseKeeper(self.catalogue, self.owner):
            if kind == store.TRAIN_JOB:
                yield from self._train_steps(job_id, captioner_id or "", model, options)
            elif kind == store.TAG_JOB:
                yield from self._tag_steps(job_id, captioner_id or "", model, options, started)
            else:
                yield from self._caption_steps(job_id, captioner_id, model, options, started)

    def _caption_steps(self, job_id: int, captioner_id: str | None, model: str | None,
                       options: dict[str, Any], started: JobSummary) -> Iterator[Progress]:
        run = _Run(job_id, started.total, started.finished_items, started.failed)
        # Unless the run completes or fails, it was broken off (Ctrl+C, the app closing): it stays
        # queued and resumes later.
        state, error = JobState.QUEUED, None
        self.engine.on_notice = lambda text: self._notice(job_id, text)
        try:
            if captioner_id is None:
                raise store.JobError(f"job {job_id} names no captioner")
            first: list[WorkItem] = []
            while not first and not self._should_stop(job_id):
                claimed = self._claim(job_id, self.engine.batch_size)
                if not claimed:
                    break
                first = yield from self._without_model(job_id, run, captioner_id, claimed)
            if first:  # a job with nothing left for the model loads none
                ahead = [first]

                def take(size: int) -> Sequence[WorkItem]:
                    run.clock = run.clock or time.perf_counter()  # the model is loaded: the rate starts
                    return ahead.pop() if ahead else self._take(job_id, run, captioner_id, size)

                for batch in self.engine.run_batches(captioner_id, take, model, options,
                                                     should_stop=lambda: self._should_stop(job_id)):
                    yield self._write(job_id, run, batch, run.kind or CaptionKind.DESCRIPTION)
            state = self._state_after_run(job_id)
        except Exception as exc:
            state, error = self._failure(job_id, exc)
        finally:
            self.engine.on_notice = None
            self._end(job_id, state, error)

    def _should_stop(self, job_id: int) -> bool:
        return job_id in self._left or self.control.should_stop(job_id)

    def _claim(self, job_id: int, size: int) -> list[WorkItem]:
        """Take up to ``size`` of the job's pending items (leased to this run), with their photos' paths."""
        with self.catalogue.write() as session:
            items = leases.claim_items(session, job_id, self.owner, max(1, size))
            return self._work_items(session, items)

    def _take(self, job_id: int, run: _Run, captioner_id: str, size: int) -> list[WorkItem]:
        """The next batch for the model, claimed (see _without_model); empty when nothing is left to
        take, or the run should stop."""
        while not self._should_stop(job_id):
            claimed = self._claim(job_id, size)
            if not claimed:
                return []
            written = self._without_model(job_id, run, captioner_id, claimed)
            while True:  # written here, between the model's batches
                try:
                    next(written)
                except StopIteration as left:
                    if left.value:
                        return left.value
                    break
        return []

    def _without_model(self, job_id: int, run: _Run, captioner_id: str,
                       work: list[WorkItem]) -> Generator[Progress, None, list[WorkItem]]:
        """Write the claimed items that need no model, yielding after each write: a removed photo fails;
        an alt-text job's photo whose description is approved gets its draft by the rules, a
        transaction per _DERIVED_BATCH. Returns the rest, for the model."""
        gone = [item for item in work if not item.path]
        if gone:
            yield self._write(job_id, run, [Outcome(item, error="the photo was removed from the catalogue")
                                            for item in gone])
        work = [item for item in work if item.path]
        if work and run.kind is None:
            run.kind = CaptionKind(self.engine.registry.get_captioner(captioner_id).caption_kind)
        if work and run.kind is CaptionKind.ALT_TEXT:
            derived = self._from_approved_descriptions(work)
            done = {outcome.item.key.item_id for outcome in derived}
            for start in range(0, len(derived), _DERIVED_BATCH):
                if self._should_stop(job_id):
                    return []  # paused or cancelled: the rest waits, and no model loads
                yield self._write(job_id, run, derived[start:start + _DERIVED_BATCH], run.kind)
            work = [item for item in work if item.key.item_id not in done]
        return work

    def _train_steps(self, job_id: int, captioner_id: str, model: str | None,
                     options: dict[str, Any]) -> Iterator[Progress]:
        """Fine-tune as a job: the trainer runs its whole course inside this one step (it checks the
        job's pause and cancel flags between optimizer steps and leaves a checkpoint, from which the
        job resumes), reporting each optimizer step as progress."""
        clock = time.perf_counter()
        state, error = JobState.QUEUED, None

        first: list[int] = []  # the step this run started from: the rate counts this run's steps

        def progress(step: int, total: int, train_loss: float | None, val_loss: float | None) -> None:
            with self.catalogue.write() as session:
                if store.record_steps(session, job_id, step, total) is JobState.CANCELLED:
                    self.control.cancel(job_id)  # `jobs cancel` from another process: stop after this step
            first[:] = first or [step - 1]
            elapsed = time.perf_counter() - clock
            rate = (step - first[0]) / elapsed if elapsed > 0 and step > first[0] else None
            eta = (total - step) / rate if rate else None
            self.events.progress(Progress(job_id, step, 0, total, rate, eta, train_loss, val_loss))

        try:
            report = self._train(captioner_id, model, options, progress,
                                 lambda: self.control.should_stop(job_id))
            self.events.trained(job_id, report)
            if not report.cancelled:
                state = JobState.DONE
                self._notice(job_id, report.summary())
            elif self._state_after_run(job_id) is JobState.CANCELLED:
                state = JobState.CANCELLED
            elif self.control.paused and not self.control.closing:
                state = JobState.PAUSED  # resumes from the checkpoint the trainer left
        except Exception as exc:
            state, error = self._failure(job_id, exc)
        finally:
            self._end(job_id, state, error)
        yield Progress(job_id, 0, 0, 0, None, None)

    def _tag_steps(self, job_id: int, tagger_id: str, model: str | None, options: dict[str, Any],
                   started: JobSummary) -> Iterator[Progress]:
        """A tagging job (jobs/tag_job.py), one claimed batch per step. A job with nothing left loads
        no model."""
        run = _Run(job_id, started.total, started.finished_items, started.failed)
        state, error = JobState.QUEUED, None  # broken off unless it completes or fails (see steps)
        tagging: TagWork | None = None
        try:
            first = [] if self._should_stop(job_id) else self._claim(job_id, tag_job.batch_size())
            if first:
                ahead = [first]

                def claimed() -> Iterator[list[WorkItem]]:
                    while batch := ahead.pop() if ahead else (
                            [] if self._should_stop(job_id) else self._claim(job_id, tag_job.batch_size())):
                        yield batch

                device = None if self.engine.device in ("auto", None) else self.engine.device
                tagging = TagWork(self.catalogue, self.engine.registry, tagger_id, model, options, device,
                                  self.engine.decode_workers, owner=self.owner)
                tagging.load()
                run.clock = time.perf_counter()  # the tagger is loaded: the rate starts here
                batches = tagging.batches(claimed(), lambda: self._should_stop(job_id))
                for batch in batches:
                    outcome = tagging.tag(job_id, batch)
                    run.this_run += len(outcome.results)
                    self._after_write(job_id, outcome.state, outcome.counts, run)
                    for item in outcome.tagged:
                        self.events.tagged(item)
                    for item, reason in outcome.failed:
                        self.events.item_failed(ItemFailed(job_id, item.key.photo_id, item.path, reason))
                    progress = run.progress()
                    self.events.progress(progress)
                    yield progress
            state = self._state_after_run(job_id)
        except Exception as exc:
            state, error = self._failure(job_id, exc)
        finally:
            if tagging is not None:
                tagging.unload()
            self._end(job_id, state, error)

    def _failure(self, job_id: int, exc: Exception) -> tuple[JobState, str]:
        error = one_line(exc)
        self.failures[job_id] = error
        log.info("job %d failed: %s", job_id, error)
        log.debug("job %d failed", job_id, exc_info=True)
        return JobState.FAILED, error

    def _end(self, job_id: int, state: JobState, error: str | None) -> None:
        """Leave the job (the items this run holds back to pending; the last worker sets how it ended)
        and tell the listeners."""
        self.control.forget(job_id)
        self._left.discard(job_id)
        with self.catalogue.write() as session:
            leases.leave(session, job_id, self.owner, state, error)
            session.flush()
            ended = store.summary(session, job_id)
        self.events.job_ended(ended)

    def _train(self, captioner_id: str, model: str | None, options: dict[str, Any], progress: Any,
               stop: Any) -> Any:
        from pathlib import Path

        from desktop_app.training.dataset import approved_pairs
        from desktop_app.training.evaluate import evaluate_fine_tune
        from desktop_app.training.trainer import TrainSettings, train

        prototype = self.engine.registry.get_captioner(captioner_id)
        captioner = type(prototype)(model=self.engine.model_for(captioner_id, model))
        self.engine.unload()  # one model at a time on the GPU: the captioning models make room
        pairs = approved_pairs(self.catalogue, options.get("library_ids") or None)
        device = None if self.engine.device in ("auto", None) else self.engine.device
        try:
            settings = TrainSettings(**options.get("settings", {}))
            report = train(captioner, pairs, Path(options["output"]), settings, device=device,
                           progress=progress, stop=stop)
        finally:
            captioner.unload()
        if not report.cancelled and settings.evaluate:  # the new model beside its base: training/evaluate.py
            evaluate_fine_tune(self.catalogue, self.engine, report)
        return report

    def _work_items(self, session: Any, pending: list[PendingItem]) -> list[WorkItem]:
        photos = store.photos_of(session, pending)
        work = []
        for item in pending:
            photo = photos.get(item.photo_id)
            path = absolute_path(photo.library.root, photo.rel_path) if photo is not None else ""
            work.append(WorkItem(item, path))
        return work

    def _from_approved_descriptions(self, work: list[WorkItem]) -> list[Outcome]:
        """Those of an alt-text job's photos whose current description is approved, each as an outcome
        whose text is that description by the alt-text rules (no model runs for them)."""
        with self.catalogue.read() as session:
            approved = _approved_descriptions(session, [item.key.photo_id for item in work])
        outcomes = []
        for item in work:
            text = alt_text_from(approved.get(item.key.photo_id) or "")
            if text:
                outcomes.append(Outcome(item, CaptionResult(text, None, ALT_TEXT_RULES, None, None, 0.0)))
        return outcomes

    def _write(self, job_id: int, run: _Run, batch: list[Outcome],
               kind: CaptionKind = CaptionKind.DESCRIPTION) -> Progress:
        done: list[ItemDone] = []
        failed: list[ItemFailed] = []
        results: list[store.ItemResult] = []
        outputs: list[tuple[WorkItem, CaptionResult, AICaption]] = []
        with self.catalogue.write() as session:
            captioner_id = session.scalar(select(Job.captioner_id).where(Job.id == job_id)) or ""
            # Only items this run still holds: after a lapsed lease another worker has the rest.
            held = leases.held_items(session, self.owner, [outcome.item.key.item_id for outcome in batch])
            batch = [outcome for outcome in batch if outcome.item.key.item_id in held]
            photos = store.photos_of(session, [outcome.item.key for outcome in batch])
            for outcome in batch:
                pending: PendingItem = outcome.item.key
                photo = photos.get(pending.photo_id)
                error = outcome.error or (None if photo is not None else "the photo was removed")
                if error is not None or outcome.result is None or photo is None:
                    reason = error or "no result"
                    results.append(store.ItemResult(pending.item_id, error=reason))
                    failed.append(ItemFailed(job_id, pending.photo_id, outcome.item.path, reason))
                    continue
                result = outcome.result
                outputs.append((outcome.item, result, AICaption(
                    photo, result.text, model_id=result.model_id, model_revision=result.model_revision,
                    prompt=result.prompt, confidence=result.confidence, notice=result.notice,
                    # None, not [], where no model wrote the text (an alt-text draft by the rules)
                    token_scores=[[t.token, round(t.probability, 4)] for t in result.token_scores] or None,
                    job_id=job_id, kind=kind,
                )))
            captions = store_ai_captions(session, [output for _item, _result, output in outputs],
                                         captioner_id=captioner_id, meanings=self.meanings)
            for (item, result, output), caption in zip(outputs, captions, strict=True):
                results.append(store.ItemResult(item.key.item_id, caption_id=caption.id))
                done.append(ItemDone(job_id, output.photo.id, item.path, caption.id, caption.is_current,
                                     captioner_id, result, bool(caption.flags)))
            store.finish_items(session, results)
            stored = session.scalar(select(Job.state).where(Job.id == job_id))
            counts = store.item_counts(session, job_id)
        run.this_run += len(batch)
        for item in done:
            self.events.item_done(item)
        for failure in failed:
            self.events.item_failed(failure)
        return self._after_write(job_id, stored, counts, run)

    def _after_write(self, job_id: int, stored: JobState | None, counts: tuple[int, int],
                     run: _Run) -> Progress:
        """Progress after a batch is written (the counts of every worker), and stop taking part when
        another process cancelled, paused or ended the job meanwhile."""
        self._follow(job_id, stored)
        run.finished, run.failed = counts
        progress = run.progress()
        self.events.progress(progress)
        return progress

    def _follow(self, job_id: int, stored: JobState | None) -> None:
        """Stop taking part in a job whose stored state another process changed: cancelled (or deleted),
        or paused, failed or done."""
        if stored is None or stored is JobState.CANCELLED:
            self.control.cancel(job_id)  # `jobs cancel` from another process: stop here
        elif stored is not JobState.RUNNING:
            self._left.add(job_id)

    def _state_after_run(self, job_id: int) -> JobState:
        """How this run ended, for leases.leave: cancelled, paused, broken off (queued) or nothing left
        to take (done, unless items are still pending or held by others)."""
        if self.control.is_cancelled(job_id):
            return JobState.CANCELLED
        if self.control.paused and not self.control.closing:
            return JobState.PAUSED
        if self.control.closing:
            return JobState.QUEUED
        return JobState.DONE

    def _notice(self, job_id: int, text: str) -> None:
        with self.catalogue.write() as session:
            store.add_notice(session, job_id, text)
        self.events.notice(job_id, text)


def _approved_descriptions(session: Session, photo_ids: Sequence[int]) -> dict[int, str]:
    """photo id -> the text of its current description, for those of ``photo_ids`` whose is approved."""
    rows = session.execute(
        select(Caption.photo_id, Caption.text).where(
            Caption.photo_id.in_(photo_ids), Caption.kind == CaptionKind.DESCRIPTION,
            Caption.is_current.is_(True), Caption.state == ReviewState.APPROVED)
    )
    return {photo_id: text for photo_id, text in rows}


@dataclass
class _Run:
    job_id: int
    total: int
    finished: int
    failed: int
    this_run: int = 0
    clock: float | None = None
    kind: CaptionKind | None = None  # of the captions written: the captioner's, once it is looked up
    actors: dict[str, int] | None = None  # a cluster job's photos per captioner actor

    def progress(self) -> Progress:
        rate = eta = None
        if self.clock is not None and self.this_run:
            elapsed = time.perf_counter() - self.clock
            if elapsed > 0:
                rate = self.this_run / elapsed
                eta = (self.total - self.finished) / rate
        return Progress(self.job_id, self.finished, self.failed, self.total, rate, eta,
                        actors=dict(self.actors) if self.actors is not None else None)
