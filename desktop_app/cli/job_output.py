"""How the CLI shows a captioning job running in the foreground: one line (or JSON object) per photo
on stdout, a progress bar and notices on stderr, Ctrl+C leaving the job resumable."""

from __future__ import annotations

import sys
from typing import Any

import click

from desktop_app.cli.common import echo, emit_json
from desktop_app.jobs.runner import ItemDone, ItemFailed, JobEvents, JobRunner, Progress
from desktop_app.jobs.store import JobSummary

INTERRUPTED_EXIT = 130  # the shell's code for a command stopped by Ctrl+C


class CaptionOutput(JobEvents):
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.bar: Any = None
        self.shown = 0
        self.interactive = sys.stderr.isatty()

    def job_started(self, job: JobSummary) -> None:
        if self.interactive and job.pending:
            self.bar = click.progressbar(length=job.total, label=f"Captioning (job {job.id})",
                                         file=sys.stderr, show_pos=True, show_eta=True)
            self.bar.__enter__()
            self._advance(job.finished_items)

    def progress(self, progress: Progress) -> None:
        self._advance(progress.done)

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

    def item_failed(self, item: ItemFailed) -> None:
        report_failure(item.path or f"photo {item.photo_id}", item.reason, self.as_json, item.photo_id)

    def notice(self, job_id: int, text: str) -> None:
        self._print(f"photo-annotator: {text}", err=True)

    def job_ended(self, job: JobSummary) -> None:
        self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None

    def _advance(self, done: int) -> None:
        if self.bar is not None and done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def _print(self, text: str, err: bool = False) -> None:
        # A line printed over the bar would leave the bar's remains on it: clear the line first.
        if self.bar is not None:
            sys.stderr.write("\r\033[K")
        echo(text, err=err)
        if self.bar is not None:
            self.bar.render_progress()


def report_failure(path: str, reason: str, as_json: bool, photo_id: int | None = None) -> None:
    from desktop_app.catalogue.photos import display_path

    if as_json:
        emit_json({"path": path, "photo_id": photo_id, "status": "error", "error": reason})
    else:
        echo(f"{display_path(path)}: failed: {reason}", err=True)


def run_in_foreground(runner: JobRunner, job_id: int) -> JobSummary:
    """Run a job with the CLI's output; Ctrl+C leaves it queued and exits 130 with how to resume it.
    A job that cannot run at all (its model does not load) ends the command with its error."""
    try:
        ended = runner.run(job_id)
    except KeyboardInterrupt:
        echo(f"photo-annotator: interrupted; job {job_id} is saved: `photo-annotator jobs resume "
             f"{job_id}` finishes it", err=True)
        sys.exit(INTERRUPTED_EXIT)
    if ended.error is not None:
        raise click.ClickException(ended.error)
    return ended
