"""The job queue as a person uses it: queue captioning and fine-tuning jobs, run them, resume, cancel and
list them; for the command line (one job in the foreground) and the app's inference worker alike.

The runner (jobs/runner.py) does the work and tells a ``JobEvents`` listener; these functions are the
operations around it, each written once. Errors are the queue's own: JobError (and its ModelFolderError
and OptionError), TrainingError, TrainingDataError, each one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import JobState
from desktop_app.catalogue.photos import display_path, readable_photo_ids_under
from desktop_app.jobs import leases, store
from desktop_app.jobs.checks import resolve_model
from desktop_app.jobs.cluster.connection import INSTALL_HINT, ClusterSpec
from desktop_app.jobs.runner import JobControl, JobEvents, JobRunner
from desktop_app.jobs.store import JobError, JobSummary
from desktop_app.jobs.tag_job import check_tag_job as check_tag_job_options
from desktop_app.services.flags import lazy_meaning_matcher
from desktop_app.services.models import with_model
from desktop_app.settings import Settings, load_settings
from desktop_app.training.dataset import approved_pairs, check_enough
from desktop_app.training.trainer import TrainSettings, trainable_model_type

DEFAULT_TAGGER = "caption-text"  # the built-in tagger of caption text (plugins/caption_tagger.py)


def make_runner(catalogue: Catalogue, engine: CaptionEngine, events: JobEvents | None = None,
                control: JobControl | None = None, cluster: ClusterSpec | None = None) -> JobRunner:
    """A runner of ``catalogue``'s queue on ``engine`` (services.engine.build_engine), telling ``events``.
    With ``cluster``, a cluster driver: its caption jobs run on that Ray cluster (jobs/cluster), the
    others here."""
    if cluster is not None:
        from desktop_app.jobs.cluster.runner import ClusterRunner

        runner: JobRunner = ClusterRunner(catalogue, engine, events, control, cluster)
    else:
        runner = JobRunner(catalogue, engine, events, control)
    settings = load_settings()
    if settings.review.flag_meanings:  # the drafts it stores are flagged by meaning too (services/flags.py)
        meanings = lazy_meaning_matcher(settings, engine.registry)
        for each in (runner, getattr(runner, "local", None)):
            if each is not None:
                each.meanings = meanings
    return runner


def cluster_spec(address: str | None, actors: int = 0, ship_bytes: bool = False) -> ClusterSpec | None:
    """Where caption jobs run: None (here) without an address, else through Ray (--cluster); JobError
    when Ray is not installed (the [cluster] extra)."""
    if not address:
        return None
    try:
        import ray  # noqa: F401  (checked before any job is queued)
    except ImportError:
        raise JobError(INSTALL_HINT) from None
    return ClusterSpec(address, actors, ship_bytes)


# -- listing and changing the queue --------------------------------------------------------------------

def list_jobs(catalogue: Catalogue, states: Sequence[JobState] | None = None) -> list[JobSummary]:
    """The jobs, oldest first; a job whose process died shows as queued (not as running forever), except
    in a catalogue opened read-only, which is listed as it is."""
    if not catalogue.read_only:
        with catalogue.write() as session:
            leases.recover_interrupted(session)
    with catalogue.read() as session:
        return store.summaries(session, states=states)


def unfinished_jobs(catalogue: Catalogue) -> list[int]:
    """The ids of the jobs still to run (queued, interrupted or paused), oldest first; not a cluster
    driver's (workers leave those alone), nor a standing job waiting for photos."""
    listed = list_jobs(catalogue, states=(JobState.QUEUED, JobState.PAUSED))
    with catalogue.read() as session:
        theirs = leases.cluster_jobs(session, [job.id for job in listed])
    return [job.id for job in listed if job.id not in theirs and not job.watching]


def open_jobs(catalogue: Catalogue, skip: Sequence[int] = ()) -> bool:
    """Whether any job a worker may run (not a cluster driver's), but those of ``skip``, is still queued
    or running: a worker with --once waits for those (a running job's photos come back to the queue
    when a worker dies)."""
    with catalogue.read() as session:
        return leases.open_jobs(session, skip=skip)


def cancel_job(catalogue: Catalogue, job_id: int) -> JobSummary:
    """Cancel a job: what it stored stays; one running in another process stops after its batch (a
    fine-tuning job: after its step, with a checkpoint)."""
    with catalogue.write() as session:
        return leases.cancel(session, job_id)


def job_summary(catalogue: Catalogue, job_id: int) -> JobSummary:
    """One job's state and counts (JobError when there is none)."""
    with catalogue.read() as session:
        return store.summary(session, job_id)


def pause_job(catalogue: Catalogue, job_id: int) -> JobSummary:
    """Pause a queued or running job (one running in another process stops after its batch); requeue_job
    puts it back."""
    with catalogue.write() as session:
        return store.pause(session, job_id)


def requeue_job(catalogue: Catalogue, job_id: int) -> JobSummary:
    """Put a paused or failed job back in the queue."""
    with catalogue.write() as session:
        return store.requeue(session, job_id)


def requeue_paused(catalogue: Catalogue) -> list[int]:
    """Put every paused job back in the queue (the app's Resume)."""
    with catalogue.write() as session:
        return store.requeue_paused(session)


def job_failures(catalogue: Catalogue, job_id: int) -> list[tuple[str, str]]:
    """A job's failed photos as (path, one-line reason)."""
    with catalogue.read() as session:
        return store.job_failures(session, job_id)


# -- queueing ----------------------------------------------------------------------------------------------

def queue_caption_job(runner: JobRunner, captioner_id: str, photo_ids: Sequence[int],
                      model: str | None = None, options: dict[str, Any] | None = None) -> JobSummary:
    """Queue captioning ``photo_ids``; the model and options are checked now (ModelFolderError,
    OptionError), a hub model when the job runs."""
    return runner.queue_caption_job(captioner_id, photo_ids, model, options)


def queue_folder_job(runner: JobRunner, captioner_id: str, folder: str, model: str | None = None,
                     options: dict[str, Any] | None = None) -> JobSummary:
    """Queue captioning every readable photo under ``folder`` (a library or a folder in one)."""
    with runner.catalogue.read() as session:
        photo_ids = readable_photo_ids_under(session, folder)
    if not photo_ids:
        raise JobError(f"no readable photos in {display_path(folder)}")
    return queue_caption_job(runner, captioner_id, photo_ids, model, options)


def queue_tag_job(runner: JobRunner, tagger_id: str, photo_ids: Sequence[int], model: str | None = None,
                  options: dict[str, Any] | None = None) -> JobSummary:
    """Queue suggesting keywords for ``photo_ids`` with ``tagger_id``; options: ``vocabularies`` (names;
    None: every imported vocabulary), ``top_n``, ``threshold`` (None: the tagger's defaults). The tagger,
    vocabularies and options are checked now (JobError)."""
    return runner.queue_tag_job(tagger_id, photo_ids, model, options)


def check_tag_job(runner: JobRunner, tagger_id: str, model: str | None,
                  options: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """What queueing a tagging job checks (the tagger, the vocabularies, the options), without one:
    JobError says what is wrong."""
    return check_tag_job_options(runner.catalogue, runner.engine.registry, tagger_id, model, options)


def queue_tag_folder_job(runner: JobRunner, tagger_id: str, folder: str, model: str | None = None,
                         options: dict[str, Any] | None = None) -> JobSummary:
    """Queue suggesting keywords for every readable photo under ``folder``."""
    with runner.catalogue.read() as session:
        photo_ids = readable_photo_ids_under(session, folder)
    if not photo_ids:
        raise JobError(f"no readable photos in {display_path(folder)}")
    return queue_tag_job(runner, tagger_id, photo_ids, model, options)


def default_tagger(registry: Any) -> str:
    """The tagger a run uses when none is named: the caption-text one when it is there, else the
    first registered (JobError when no plugin offers one)."""
    if DEFAULT_TAGGER in registry.taggers:
        return DEFAULT_TAGGER
    if not registry.taggers:
        raise JobError("no tagger is available (see `photo-annotator plugins`)")
    return sorted(registry.taggers)[0]


def queue_train_job(runner: JobRunner, captioner_id: str, output: str | Path, settings: TrainSettings,
                    model: str | None = None, library_ids: Sequence[int] | None = None,
                    app_settings: Settings | None = None) -> JobSummary:
    """Queue fine-tuning ``captioner_id``'s model (``model``, else the settings', else its default) on
    the approved captions (of ``library_ids``, else all) into the folder ``output``.

    What can be checked before any work is, so a mistake leaves no job: the model folder, that the model
    can be fine-tuned, the settings, enough approved captions (TrainingError, TrainingDataError,
    ModelFolderError). An unfinished job of the same captioner into the same folder (stopped by Ctrl+C,
    paused) is queued again instead of a new one: the trainer resumes from the checkpoint in ``output``,
    with the settings the run started with."""
    prototype = runner.engine.registry.get_captioner(captioner_id)
    model = resolve_model(model)
    folder = str(Path(output).expanduser().absolute())
    captioner = with_model(prototype, model, app_settings or load_settings())
    trainable_model_type(captioner, captioner.model)
    settings.check()
    check_enough(approved_pairs(runner.catalogue, library_ids or None))
    with runner.catalogue.write() as session:
        leases.recover_interrupted(session)  # a run broken off by a crash counts as unfinished
        job_id = store.unfinished_train_job(session, captioner_id, folder)
        if job_id is not None:
            return store.requeue(session, job_id)
    return runner.queue_train_job(captioner_id, folder, asdict(settings), model, library_ids)


# -- running -----------------------------------------------------------------------------------------------

def run_job(runner: JobRunner, job_id: int) -> JobSummary:
    """Run a job in this thread to its end (or until paused, cancelled or stopped), telling the runner's
    events; its summary after. Interrupted (Ctrl+C, a crash), it stays queued: resume it later."""
    return runner.run(job_id)


def jobs_to_resume(runner: JobRunner, job_id: int | None = None) -> list[int]:
    """The jobs `resume` runs: ``job_id``, else every unfinished one, oldest first (interrupted ones
    recovered first); a cluster driver's jobs only for a cluster driver."""
    runner.recover()
    if job_id is not None:
        return [job_id]
    listed = list_jobs(runner.catalogue, states=(JobState.QUEUED, JobState.PAUSED))
    if runner.runs == store.CLUSTER_RUNNER:
        return [job.id for job in listed]
    return unfinished_jobs(runner.catalogue)
