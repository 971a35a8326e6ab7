"""The inference worker: one long-lived QObject on its own QThread that runs the job queue.

It keeps loaded models cached between jobs (unloading them on request, or after a job when memory
runs short) and runs one job at a time, one batch per turn of its thread's event loop, so requests
from the window (queue a job, cancel one that waits, unload models) are handled between batches.
Pause and cancel also set flags that the engine checks inside ``generate``: they take effect within
about a second even in the middle of a batch, without waiting for the worker's event loop.

The window talks to ``InferenceService`` only: its methods queue calls (or set those flags) and return
at once; results come back as signals carrying plain values (JobSummary, Progress...). Every change to
the queue is an operation of services/jobs.py, as on the command line; the engine is built from the
settings by services/engine.py. Torch and transformers are imported on the worker thread, when the first
job needs a model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Signal, Slot

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import JobState
from desktop_app.errors import one_line
from desktop_app.jobs.cluster.connection import ClusterSpec
from desktop_app.jobs.runner import ItemDone, ItemFailed, JobControl, JobEvents, JobRunner, Progress
from desktop_app.jobs.store import JobError, JobSummary
from desktop_app.jobs.tag_job import ItemTagged
from desktop_app.services import jobs
from desktop_app.services.engine import build_engine
from desktop_app.training.trainer import TrainSettings
from desktop_app.ui.workers.threaded import Service, Worker, request

log = logging.getLogger(__name__)

# Below this share of free memory (GPU memory on a GPU, RAM on the CPU) after a job, cached models
# are unloaded so the next job, or another program, has room.
LOW_MEMORY_SHARE = 0.15

# The job panel lists this many of the latest jobs; older ones are in `photo-annotator jobs`.
JOB_LIST_LIMIT = 200

EngineFactory = Callable[[], Any]  # () -> CaptionEngine, called on the worker thread
ClusterFactory = Callable[[], ClusterSpec | None]  # where caption jobs run (None: here), on the worker thread


def cluster_from_settings() -> ClusterSpec | None:
    """Where the app's caption jobs run, as the settings say (engine.cluster, engine.cluster_actors):
    None in the app; JobError when a cluster is set and Ray is not installed."""
    from desktop_app.settings import load_settings

    engine = load_settings().engine
    return jobs.cluster_spec(engine.cluster, engine.cluster_actors)


@dataclass(frozen=True)
class CaptionRequest:
    """A captioning job as the caption dialog asks for it: plain values, ready to cross threads.

    Exactly one of ``photo_ids`` (the selection) and ``folder`` (every readable photo under it, found
    on the worker thread) is set. ``needs_disclaimer``: the captioner's disclaimer (medical reports)
    is not acknowledged yet; the window asks, then queues ``request.acknowledged()``."""

    captioner_id: str
    model: str | None  # a hub id or a local folder; None: the settings' model or the default
    options: dict[str, Any] = field(default_factory=dict)
    photo_ids: tuple[int, ...] | None = None
    folder: str | None = None
    needs_disclaimer: bool = False

    def acknowledged(self) -> CaptionRequest:
        return CaptionRequest(self.captioner_id, self.model, dict(self.options), self.photo_ids,
                              self.folder, needs_disclaimer=False)


@dataclass(frozen=True)
class ExplainAnswer:
    """Where the model looked for a word, for the detail pane: ``key`` as asked (photo id, kind, word,
    occurrence); ``heat`` the map's colours ((rows, columns, 4) uint8 RGBA, ``services.explain.heat_colours``)
    or None with ``reason`` (why there is no map, one line)."""

    key: tuple[Any, ...]
    heat: Any = None
    word: str = ""
    method: str = ""
    reason: str = ""


@dataclass(frozen=True)
class TagRequest:
    """A tagging job as the Suggest keywords dialog asks for it: plain values, ready to cross threads.

    Exactly one of ``photo_ids`` (the selection) and ``folder`` (every readable photo under it) is set.
    ``options``: vocabularies (names; None: every imported one), top_n, threshold."""

    tagger_id: str
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    photo_ids: tuple[int, ...] | None = None
    folder: str | None = None


class _SignalEvents(JobEvents):
    """Runner events as the worker's signals (emitted on the worker thread, queued to the window)."""

    def __init__(self, worker: InferenceWorker) -> None:
        self.worker = worker

    def job_started(self, job: JobSummary) -> None:
        self.worker.job_started.emit(job)

    def progress(self, progress: Progress) -> None:
        self.worker.progress.emit(progress)

    def item_done(self, item: ItemDone) -> None:
        self.worker.item_done.emit(item)

    def item_failed(self, item: ItemFailed) -> None:
        self.worker.item_failed.emit(item)

    def tagged(self, item: ItemTagged) -> None:
        self.worker.item_tagged.emit(item)

    def notice(self, job_id: int, text: str) -> None:
        self.worker.notice.emit(job_id, text)

    def trained(self, job_id: int, report: Any) -> None:
        self.worker.trained.emit(job_id, report)

    def job_ended(self, job: JobSummary) -> None:
        signal = {JobState.DONE: self.worker.job_finished, JobState.FAILED: self.worker.job_finished,
                  JobState.CANCELLED: self.worker.job_cancelled,
                  JobState.PAUSED: self.worker.job_paused}.get(job.state)
        if job.watching:  # a watched library's standing job captioned what it had: it waits for photos
            signal = self.worker.job_finished
        if signal is not None:
            signal.emit(job)


class InferenceWorker(Worker):
    job_queued = Signal(object)  # JobSummary
    job_started = Signal(object)  # JobSummary
    progress = Signal(object)  # Progress: done, total, photos/s, ETA
    item_done = Signal(object)  # ItemDone
    item_failed = Signal(object)  # ItemFailed: the photo and the one-line reason
    item_tagged = Signal(object)  # ItemTagged: a tagging job stored a photo's suggestions
    vocabularies_loaded = Signal(object)  # list[VocabularySummary], for the Suggest keywords dialog
    notice = Signal(int, str)  # job id, what changed (smaller batches, the CPU)
    trained = Signal(int, object)  # job id, TrainReport (with the new model's evaluation, if it ran)
    job_finished = Signal(object)  # JobSummary, state done or failed (with its error)
    job_cancelled = Signal(object)  # JobSummary
    job_paused = Signal(object)  # JobSummary
    idle = Signal()  # nothing left to run
    jobs_loaded = Signal(object)  # list[JobSummary], the latest first
    failures_loaded = Signal(int, object)  # job id, list[(path, reason)]
    explained = Signal(object)  # ExplainAnswer
    _next = Signal()  # queued to itself: the next batch runs after pending requests are handled

    def __init__(self, control: JobControl, engine_factory: EngineFactory,
                 cluster_factory: ClusterFactory = cluster_from_settings) -> None:
        super().__init__()
        self.control = control
        self.engine_factory = engine_factory
        self.cluster_factory = cluster_factory
        self.runner: JobRunner | None = None
        self.current_job: int | None = None
        self._steps: Iterator[Progress] | None = None
        self._scheduled = False
        self._engine_stale = False
        self._explainer: Any = None  # services.explain.Explainer on the runner's engine, when first asked
        # A queued connection to itself, not a loop: each batch is one event, behind the calls waiting.
        self._next.connect(self._step, Qt.ConnectionType.QueuedConnection)

    # -- calls (run on the worker thread) --------------------------------------------------------------

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read the job queue"))
    def open(self, catalogue: Catalogue) -> None:
        """Use ``catalogue``; jobs a crash or kill interrupted go back in the queue and run."""
        self.catalogue = catalogue
        # Building the engine loads the plugins but no model: torch comes with the first job.
        self.runner = self._make_runner(self.engine_factory())
        recovered = self.runner.recover()
        if recovered:
            log.info("resuming %d interrupted jobs", len(recovered))
        self.load_jobs()
        self._schedule()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot queue the job"))
    def queue_caption_job(self, captioner_id: str, photo_ids: list[int], model: str | None,
                          options: dict[str, Any] | None) -> None:
        self._queued(jobs.queue_caption_job(self._runner(), captioner_id, photo_ids, model, options))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot queue the training job"))
    def queue_train_job(self, captioner_id: str, output: str, settings: dict[str, Any], model: str | None,
                        library_ids: list[int] | None) -> None:
        """Queue fine-tuning a captioner on the approved captions (runs like any job, one at a time)."""
        job = jobs.queue_train_job(self._runner(), captioner_id, output, TrainSettings(**settings), model,
                                   library_ids)
        self._queued(job)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot queue the job"))
    def queue_folder_job(self, captioner_id: str, folder: str, model: str | None,
                         options: dict[str, Any] | None) -> None:
        """Queue a job over every readable photo under ``folder`` (a library or a folder in one)."""
        self._queued(jobs.queue_folder_job(self._runner(), captioner_id, folder, model, options))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot queue the keyword suggestions"))
    def queue_tag_job(self, tagger_id: str, photo_ids: list[int] | None, folder: str | None,
                      model: str | None, options: dict[str, Any] | None) -> None:
        """Queue suggesting keywords for ``photo_ids``, or every readable photo under ``folder``."""
        if folder is not None:
            self._queued(jobs.queue_tag_folder_job(self._runner(), tagger_id, folder, model, options))
        else:
            self._queued(jobs.queue_tag_job(self._runner(), tagger_id, photo_ids or [], model, options))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read the vocabularies"))
    def load_vocabularies(self) -> None:
        """Emit vocabularies_loaded with the catalogue's vocabularies (names, kinds, term counts)."""
        from desktop_app.services.vocabularies import vocabulary_summaries

        self.vocabularies_loaded.emit(vocabulary_summaries(self.require_catalogue()))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read the job queue"))
    def load_jobs(self) -> None:
        """Emit jobs_loaded with the latest JOB_LIST_LIMIT jobs, the latest first."""
        if self.catalogue is not None:
            self.jobs_loaded.emit(jobs.list_jobs(self.catalogue)[::-1][:JOB_LIST_LIMIT])

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read the failures of job {0}"))
    def load_failures(self, job_id: int) -> None:
        if self.catalogue is not None:
            self.failures_loaded.emit(job_id, jobs.job_failures(self.catalogue, job_id))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot resume job {0}"))
    def resume_job(self, job_id: int) -> None:
        """Queue a paused or failed job again (one left from an earlier run, say) and run the queue."""
        if self.catalogue is not None and job_id != self.current_job:
            self._queued(jobs.requeue_job(self.catalogue, job_id))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read the job queue"))
    def wake(self) -> None:
        """Look at the queue again: photos were appended to a standing job (a watched library's)."""
        self._schedule()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot resume"))
    def resume(self) -> None:
        """Run again: the paused jobs first (they are the oldest), then the queue."""
        if self.catalogue is not None:
            jobs.requeue_paused(self.catalogue)
            self._schedule()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot cancel job {0}"))
    def cancel(self, job_id: int) -> None:
        """Cancel a job that waits; a running one is stopped by the control flag and ends itself."""
        if job_id == self.current_job or self.catalogue is None:
            return
        job = jobs.cancel_job(self.catalogue, job_id)
        self.control.forget(job_id)
        self.job_cancelled.emit(job)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot show where the model looked"))
    def explain(self, key: tuple[Any, ...]) -> None:
        """Emit explained with the map for ``key`` = (photo id, caption kind value, word, occurrence): one
        teacher-forced pass of the model that wrote the caption's AI draft, on this thread, between the
        batches of a running job; maps are kept (the explainer's cache)."""
        from desktop_app.catalogue.models import CaptionKind
        from desktop_app.services.explain import Explainer, heat_colours

        runner = self._runner()
        if self._explainer is None or self._explainer.engine is not runner.engine:
            self._explainer = Explainer(self.require_catalogue(), runner.engine)
        photo_id, kind, word, occurrence = key
        try:
            found = self._explainer.explain(photo_id, word, occurrence, kind=CaptionKind(kind))
        except Exception as exc:  # not available, the model is gone...: the pane says why, in one line
            log.debug("no map for %s", key, exc_info=True)
            self.explained.emit(ExplainAnswer(key, reason=one_line(exc)))
            return
        self.explained.emit(ExplainAnswer(key, heat_colours(found.grid), found.word, found.method))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot unload the models"))
    def unload_models(self) -> None:
        if self.runner is not None and self.current_job is None:
            self.runner.engine.unload()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot apply the new settings"))
    def renew_engine(self) -> None:
        """The settings changed: the next job runs on an engine built from them (the running one
        finishes as it started). Without a running job the runner is renewed now, so a job queued next
        is queued where the settings now say jobs run (the app or a cluster)."""
        self._engine_stale = True
        if self.current_job is None and self.runner is not None:
            self._renew()

    def close(self) -> None:
        """Break off the running job (it stays queued for the next start) and free the models."""
        if self._steps is not None:
            self._steps.close()  # the runner records the job as queued
            self._steps = None
        self.current_job = None
        if self.runner is not None:
            self.runner.engine.unload()

    # -- the run loop ----------------------------------------------------------------------------------

    def _renew(self) -> None:
        assert self.runner is not None
        self._engine_stale = False
        self.runner.engine.unload()
        try:
            self.runner = self._make_runner(self.engine_factory())
        except Exception as exc:
            self.report(self.tr("cannot apply the new settings"), exc)

    def _make_runner(self, engine: Any) -> JobRunner:
        """A runner on ``engine``: a cluster driver when the settings name a cluster (its caption jobs
        run through Ray; keyword and fine-tuning jobs here), else one that runs every job here."""
        try:
            cluster = self.cluster_factory()
        except JobError as exc:  # Ray is not installed: the jobs run here, and the window says why
            self.report(self.tr("caption jobs run in the app"), exc)
            cluster = None
        return jobs.make_runner(self.require_catalogue(), engine, _SignalEvents(self), self.control,
                                cluster=cluster)

    def _next_job(self) -> int | None:
        """The next job to run (a cluster driver also takes the caption jobs queued for a cluster)."""
        assert self.runner is not None
        return self.runner.next_job()

    def _runner(self) -> JobRunner:
        if self.runner is None:
            self.require_catalogue()  # says that none is open
            raise RuntimeError(self.tr("the job queue could not be read when the catalogue opened"))
        return self.runner

    def _queued(self, job: JobSummary) -> None:
        self.job_queued.emit(job)
        self._schedule()

    def _schedule(self) -> None:
        if not self._scheduled and not self.control.closing:
            self._scheduled = True
            self._next.emit()

    @Slot()
    def _step(self) -> None:
        """One batch of the current job, or the start of the next one; then yield to the event loop."""
        self._scheduled = False
        if self.runner is None or self.control.closing:
            return
        if self._steps is None and (self.control.paused or not self._start_next()):
            return
        assert self._steps is not None
        try:
            next(self._steps)
        except StopIteration:
            self._job_over()
        except Exception as exc:  # the runner records job failures itself; this is the catalogue
            self.report(self.tr("the captioning job stopped"), exc)
            self._job_over()
        self._schedule()

    def _start_next(self) -> bool:
        assert self.runner is not None
        try:
            job_id = self._next_job()
        except Exception as exc:
            self.report(self.tr("cannot read the job queue"), exc)
            return False
        if job_id is None:
            self.idle.emit()
            return False
        if self._engine_stale:
            self._renew()
        self.current_job = job_id
        self._steps = self.runner.steps(job_id)
        return True

    def _job_over(self) -> None:
        self._steps = None
        self.current_job = None
        if self.runner is not None and memory_is_short(self.runner.engine):
            log.info("memory is short: unloading cached models")
            self.runner.engine.unload()


def memory_is_short(engine: Any) -> bool:
    """Whether free memory on the engine's device is below LOW_MEMORY_SHARE."""
    device = str(getattr(engine, "device", "cpu"))
    try:
        if device.startswith("cuda"):
            import torch

            free, total = torch.cuda.mem_get_info()
        else:
            import psutil

            memory = psutil.virtual_memory()
            free, total = memory.available, memory.total
    except Exception:
        return False
    return total > 0 and free / total < LOW_MEMORY_SHARE


class InferenceService(Service):
    """The window's handle on the inference worker and its thread. Its signals are the worker's,
    delivered on the GUI thread. ``shutdown`` breaks a running job off within about a second; it stays
    queued and resumes at the next start."""

    job_queued = Signal(object)
    job_started = Signal(object)
    progress = Signal(object)
    item_done = Signal(object)
    item_failed = Signal(object)
    item_tagged = Signal(object)
    vocabularies_loaded = Signal(object)
    notice = Signal(int, str)
    trained = Signal(int, object)
    job_finished = Signal(object)
    job_cancelled = Signal(object)
    job_paused = Signal(object)
    idle = Signal()
    failed = Signal(str)
    jobs_loaded = Signal(object)
    failures_loaded = Signal(int, object)
    explained = Signal(object)

    def __init__(self, engine_factory: EngineFactory = build_engine,
                 cluster_factory: ClusterFactory = cluster_from_settings,
                 parent: QObject | None = None) -> None:
        control = JobControl()
        worker = InferenceWorker(control, engine_factory, cluster_factory)
        super().__init__(worker, "inference", parent)
        self.worker = worker
        self.control = control  # its flags are read by the engine inside a batch: set from here directly

    def queue_caption_job(self, captioner_id: str, photo_ids: Sequence[int], model: str | None = None,
                          options: dict[str, Any] | None = None) -> None:
        self.call(self.worker.queue_caption_job, captioner_id, list(photo_ids), model, options)

    def queue_folder_job(self, captioner_id: str, folder: str, model: str | None = None,
                         options: dict[str, Any] | None = None) -> None:
        """Queue a job over every readable photo under ``folder``; ``failed`` says if there is none."""
        self.call(self.worker.queue_folder_job, captioner_id, folder, model, options)

    def queue_train_job(self, captioner_id: str, output: str, settings: dict[str, Any],
                        model: str | None = None, library_ids: Sequence[int] | None = None) -> None:
        """Fine-tune ``captioner_id`` into ``output``; the job's progress is its optimizer steps."""
        self.call(self.worker.queue_train_job, captioner_id, output, dict(settings), model,
                  list(library_ids) if library_ids else None)

    def queue_request(self, request: CaptionRequest) -> None:
        """Queue what the caption dialog asked for (its disclaimer, if any, acknowledged first)."""
        if request.needs_disclaimer:
            self.failed.emit(self.tr("cannot queue the job: the {captioner} captioner's disclaimer must be "
                                     "acknowledged first").format(captioner=request.captioner_id))
            return
        if request.folder is not None:
            self.queue_folder_job(request.captioner_id, request.folder, request.model, request.options)
        else:
            self.queue_caption_job(request.captioner_id, request.photo_ids or (), request.model,
                                   request.options)

    def queue_tag_request(self, request: TagRequest) -> None:
        """Queue what the Suggest keywords dialog asked for; ``failed`` says why when it cannot be."""
        self.call(self.worker.queue_tag_job, request.tagger_id,
                  list(request.photo_ids) if request.photo_ids is not None else None, request.folder,
                  request.model, dict(request.options))

    def load_vocabularies(self) -> None:
        """Ask for the vocabularies; they come back through ``vocabularies_loaded``."""
        self.call(self.worker.load_vocabularies)

    def load_jobs(self) -> None:
        """Ask for the job list; it comes back through ``jobs_loaded``."""
        self.call(self.worker.load_jobs)

    def load_failures(self, job_id: int) -> None:
        """Ask for a job's failed photos; they come back through ``failures_loaded``."""
        self.call(self.worker.load_failures, job_id)

    def resume_job(self, job_id: int) -> None:
        """Run a paused or failed job again, and let the queue run."""
        self.control.resume()
        self.call(self.worker.resume_job, job_id)

    def pause(self) -> None:
        self.control.pause()  # the running batch stops within about a second

    def resume(self) -> None:
        self.control.resume()
        self.call(self.worker.resume)

    def wake(self) -> None:
        """Photos were queued by another part of the app (the watcher): run them unless paused."""
        self.call(self.worker.wake)

    def cancel(self, job_id: int) -> None:
        self.control.cancel(job_id)  # a running job stops within about a second
        self.call(self.worker.cancel, job_id)

    def unload_models(self) -> None:
        self.call(self.worker.unload_models)

    def explain(self, key: tuple[Any, ...]) -> None:
        """Ask where the model looked for a word: key = (photo id, caption kind value, word, occurrence);
        the answer comes back through ``explained`` (an ExplainAnswer)."""
        self.call(self.worker.explain, tuple(key))

    def apply_settings(self) -> None:
        """Run the next job with the device, number format, batch size, models and cluster now in the
        settings."""
        self.call(self.worker.renew_engine)

    def stop(self) -> None:
        self.control.close()  # the running batch stops within about a second; no next one starts
