"""How the CLI shows long work: a progress bar with the time left on stderr (captioning and training jobs,
embed, evaluate); for a captioning job in the foreground one line (or JSON object) per photo on stdout,
notices on stderr and a closing summary; for a training job the bar (or one JSON object per optimizer
step) and the trainer's report. Ctrl+C leaves either job resumable."""

from __future__ import annotations

import shutil
import signal
import sys
import time
from typing import Any

import click

from desktop_app.catalogue.models import JobState
from desktop_app.cli.common import echo, emit_json
from desktop_app.jobs.runner import ItemDone, ItemFailed, JobEvents, JobRunner, Progress
from desktop_app.jobs.store import TAG_JOB, TRAIN_JOB, JobSummary
from desktop_app.jobs.tag_job import ItemTagged
from desktop_app.terminal import printable

INTERRUPTED_EXIT = 130  # the shell's code for a command stopped by Ctrl+C


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


class ProgressBar:
    """A bar with the count and the time left, redrawn in place on stderr: the one progress display
    of every long command. Drawn only on a terminal; with ``log_every`` (a fraction of the work), a
    pipe or a log gets a plain line each time that much more is done, else nothing."""

    WIDTH = 24

    def __init__(self, label: str, unit: str = "", log_every: float | None = None) -> None:
        self.label = label
        self.unit = unit  # before the count: "step " reads "step 4/10"
        self.log_every = log_every
        self.interactive = stderr_is_terminal()
        self.shown = False
        self.logged = 0
        self.done = self.total = 0
        self.detail = ""
        self.eta: float | None = None
        self._first: tuple[float, int] | None = None  # (clock, done) at the first update

    def update(self, done: int, total: int, detail: str = "", eta_seconds: float | None = None) -> None:
        """``done`` of ``total``; ``detail`` follows the count; the time left is ``eta_seconds``, else
        estimated from the rate since the first update."""
        now = time.monotonic()
        if self._first is None:
            self._first = (now, done)
        self.done, self.total, self.detail = done, total, detail
        self.eta = eta_seconds if eta_seconds is not None else self._estimate(now)
        if self.interactive:
            self._draw()
        elif self.log_every and total and (done >= total or done - self.logged >= self.log_every * total):
            self.logged = done
            echo(self.text(), err=True)

    def text(self, bar: bool = False) -> str:
        count = f"{self.unit}{self.done}/{self.total}"
        if bar:
            filled = int(self.WIDTH * min(self.done, self.total) / self.total) if self.total else 0
            count = f"[{'#' * filled}{'-' * (self.WIDTH - filled)}] {count}"
        left = f", {_duration(self.eta)} left" if self.eta is not None and self.done < self.total else ""
        label, rest = printable(self.label), printable(f"{' ' if bar else ': '}{count}{self.detail}{left}")
        room = shutil.get_terminal_size().columns - 1 - len(rest)
        if bar and len(label) > room:
            # A bar longer than the terminal wraps, and \r would redraw only its last part: the start of
            # the label (a long model path, say) gives way; the count and the time left stay.
            label = "…" + label[len(label) - room + 1:] if room > 1 else ""
        return label + rest

    def print(self, text: str, err: bool = False) -> None:
        """A line above the bar (the bar is cleared first, else its remains would stay on the line)."""
        if self.shown:
            sys.stderr.write("\r\033[K")
        echo(text, err=err)
        if self.shown:
            self._draw()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False

    def _estimate(self, now: float) -> float | None:
        assert self._first is not None
        since, first = self._first
        if self.done <= first or now <= since:
            return None
        return (self.total - self.done) * (now - since) / (self.done - first)

    def _draw(self) -> None:
        sys.stderr.write("\r\033[K" + self.text(bar=True))
        sys.stderr.flush()
        self.shown = True


def _duration(seconds: float) -> str:
    """1:02:03, 2:05, 0:07."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"{rest // 60}:{rest % 60:02}"


class JobOutput(JobEvents):
    """What a job run in the foreground shows: a captioning job's photos and a training job's steps."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.bar: ProgressBar | None = None
        self.kind: str | None = None
        self.report: Any = None  # a training job's TrainReport, once its trainer returned
        self.actors: dict[str, int] | None = None  # a cluster job's photos per captioner actor

    def job_started(self, job: JobSummary) -> None:
        self.close()
        self.kind, self.report, self.actors = job.kind, None, None
        if job.kind == TRAIN_JOB:
            self.bar = ProgressBar(f"Fine-tuning (job {job.id})", unit="step ", log_every=0.05)
        elif job.pending:
            doing = "Suggesting keywords" if job.kind == TAG_JOB else "Captioning"
            self.bar = ProgressBar(f"{doing} (job {job.id})")
            self.bar.update(job.finished_items, job.total)

    def progress(self, progress: Progress) -> None:
        self.actors = progress.actors or self.actors
        if self.kind == TRAIN_JOB:
            self._step(progress)
        elif self.bar is not None:
            self.bar.update(progress.done, progress.total, cluster_detail(progress),
                            eta_seconds=progress.eta_seconds)

    def _step(self, progress: Progress) -> None:
        if self.as_json:
            emit_json({"event": "progress", "step": progress.done, "total": progress.total,
                       "train_loss": progress.train_loss, "validation_loss": progress.validation_loss})
            sys.stdout.flush()  # a reader on a pipe sees each step as it ends
            return
        detail = f"  loss {progress.train_loss:.4f}" if progress.train_loss is not None else ""
        if progress.validation_loss is not None:
            detail += f"  validation loss {progress.validation_loss:.4f}"
        if self.bar is not None:
            self.bar.update(progress.done, progress.total, detail)

    def trained(self, job_id: int, report: Any) -> None:
        self.report = report

    def item_done(self, item: ItemDone) -> None:
        from desktop_app.catalogue.photos import display_path

        result = item.result
        if self.as_json:
            emit_json({"path": item.path, "photo_id": item.photo_id, "caption_id": item.caption_id,
                       "job": item.job_id, "status": "ok", "error": None, "text": result.text,
                       "current": item.is_current, "confidence": result.confidence,
                       "captioner": item.captioner_id, "model": result.model_id,
                       "model_revision": result.model_revision, "prompt": result.prompt,
                       "notice": result.notice, "seconds": round(result.seconds, 4)})
            return
        confidence = f" ({result.confidence:.0%} sure)" if result.confidence is not None else ""
        self._print(f"{display_path(item.path)}: {result.text}{confidence}")
        if result.notice:
            self._print(f"  [{result.notice}]")

    def tagged(self, item: ItemTagged) -> None:
        """A tagging job's photo: its new suggestions, best first (``--json``: one object per photo)."""
        from desktop_app.catalogue.photos import display_path

        if self.as_json:
            emit_json(item.to_json())
            return
        found = ", ".join(f"{s.label} ({s.score:.2f})" for s in item.suggestions) or "no suggestion"
        self._print(f"{display_path(item.path)}: {found}")

    def item_failed(self, item: ItemFailed) -> None:
        report_failure(item.path or f"photo {item.photo_id}", item.reason, self.as_json, item.photo_id)

    def notice(self, job_id: int, text: str) -> None:
        if self.kind != TRAIN_JOB:  # a training job's notice is its report, shown at its end
            self._print(f"photo-annotator: {text}", err=True)

    def job_ended(self, job: JobSummary) -> None:
        self.close()
        if self.actors:  # a cluster job: how the photos of this run spread over its actors
            counts = ", ".join(f"{name} {count}" for name, count in sorted(self.actors.items()))
            some = f"{len(self.actors)} actor{'' if len(self.actors) == 1 else 's'}"
            echo(f"photo-annotator: captioned by {some}: {counts}", err=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _print(self, text: str, err: bool = False) -> None:
        if self.bar is not None:
            self.bar.print(text, err=err)
        else:
            echo(text, err=err)


def cluster_detail(progress: Progress) -> str:
    """What a cluster job's bar adds after its count: the whole cluster's photos per second and its
    captioner actors ("  12.5 photos/s, 2 actors"); nothing for a job run here."""
    if not progress.actors:
        return ""
    rate = f"{progress.photos_per_second:.1f} photos/s, " if progress.photos_per_second else ""
    count = len(progress.actors)
    return f"  {rate}{count} actor{'' if count == 1 else 's'}"


def report_failure(path: str, reason: str, as_json: bool, photo_id: int | None = None) -> None:
    from desktop_app.catalogue.photos import display_path

    if as_json:
        emit_json({"path": path, "photo_id": photo_id, "status": "error", "error": reason})
    else:
        echo(f"{display_path(path)}: failed: {reason}", err=True)


def run_in_foreground(runner: JobRunner, job_id: int) -> JobSummary:
    """Run a job with the CLI's output (``runner.events``: a JobOutput) and a closing summary. Ctrl+C
    leaves it queued and exits 130 with how to resume it. A job that cannot run at all (its model does
    not load), or that is cancelled meanwhile (`jobs cancel` in another terminal, the app), ends the
    command with one error line (exit 1)."""
    from desktop_app.services.jobs import run_job

    if runner.summary(job_id).kind == TRAIN_JOB:
        return _train_in_foreground(runner, job_id)
    started = time.monotonic()
    try:
        ended = run_job(runner, job_id)
    except KeyboardInterrupt:
        echo(f"photo-annotator: interrupted; job {job_id} is saved: `photo-annotator jobs resume "
             f"{job_id}` finishes it", err=True)
        sys.exit(INTERRUPTED_EXIT)
    echo(run_summary(ended, time.monotonic() - started), err=True)
    if ended.error is not None:
        raise click.ClickException(ended.error)
    if ended.state is JobState.CANCELLED:
        raise click.ClickException(f"job {job_id} cancelled after {ended.finished_items} of {ended.total}")
    return ended


def run_summary(job: JobSummary, seconds: float) -> str:
    """The closing line of a run: how the job stands, its counts and how long the run took."""
    done = "tagged" if job.kind == TAG_JOB else "captioned"
    counts = f"{job.done} {done}, {job.failed} failed, {job.skipped} skipped"
    if job.pending:
        counts += f", {job.pending} still to do"
    state = "waiting for photos" if job.watching else job.state.value  # a watched library's standing job
    return f"job {job.id} {state}: {counts} of {job.total} in {seconds:.1f} s"


def _train_in_foreground(runner: JobRunner, job_id: int) -> JobSummary:
    """A training job: the first Ctrl+C stops it after the current optimizer step with a checkpoint
    (exit 130), a second one at once; the trainer's report closes the run (``--json``: a "done" object)."""
    from desktop_app.services.jobs import run_job

    output = runner.events
    assert isinstance(output, JobOutput)
    stopping = _CtrlC(runner)
    try:
        ended = run_job(runner, job_id)
    except KeyboardInterrupt:
        echo(f"photo-annotator: interrupted; job {job_id} is saved: `photo-annotator jobs resume {job_id}` "
             "continues it from its last checkpoint", err=True)
        sys.exit(INTERRUPTED_EXIT)
    finally:
        stopping.restore()
    if ended.error is not None:
        raise click.ClickException(ended.error)
    if ended.state is JobState.CANCELLED:
        raise click.ClickException(f"job {job_id} cancelled at step {ended.done} of {ended.total}")
    report = output.report
    if report is not None:
        if output.as_json:
            emit_json({"event": "done", **report.to_json()})
        else:
            echo(report.summary())
            _print_evaluation(report)
    if ended.state is not JobState.DONE:
        steps = f" at step {report.steps} of {report.total_steps}" if report is not None else ""
        echo(f"photo-annotator: interrupted{steps}; the same command resumes from the checkpoint in "
             f"{ended.options.get('output')}, as does `photo-annotator jobs resume {job_id}`", err=True)
        sys.exit(INTERRUPTED_EXIT)
    return ended


def _print_evaluation(report: Any) -> None:
    """The new model beside the one it started from, as `evaluate` prints it (after a finished run)."""
    if report.evaluation is not None:
        echo()
        echo(f"evaluated on {report.evaluation.pairs} held-out approved captions:")
        for line in report.evaluation.table().splitlines():  # echo shows a newline inside a line escaped
            echo(line)
    elif report.evaluation_note:
        echo(f"photo-annotator: the new model was not evaluated: {report.evaluation_note}", err=True)


class _CtrlC:
    """The first Ctrl+C asks the runner to stop after the current optimizer step (the trainer saves a
    checkpoint, the job stays queued); a second one interrupts at once."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner
        self.requested = False
        self._previous: Any = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        self.runner.control.close()
        echo("\nstopping after this step and saving a checkpoint (Ctrl+C again to quit at once)", err=True)

    def restore(self) -> None:
        signal.signal(signal.SIGINT, self._previous)
