"""What `photo-annotator worker` prints, and how it stops on a signal (imported when the command runs, not
for `--help`: the job runner brings the engine and image libraries with it)."""

from __future__ import annotations

import signal
import time
from typing import Any

from desktop_app.cli.common import echo, emit_json
from desktop_app.jobs.runner import JobEvents, JobRunner
from desktop_app.jobs.store import JobSummary


class WorkerOutput(JobEvents):
    """One line (or JSON object) per job started and ended; notices on stderr."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self.clock = time.monotonic()

    def job_started(self, job: JobSummary) -> None:
        self.clock = time.monotonic()
        if self.as_json:
            emit_json({"event": "started", **job.to_json()})
        else:
            echo(f"job {job.id} started: {job.kind} with {job.captioner_id}, "
                 f"{job.finished_items} of {job.total} finished so far")

    def notice(self, job_id: int, text: str) -> None:
        echo(f"job {job_id}: {text}", err=True)

    def job_ended(self, job: JobSummary) -> None:
        from desktop_app.cli.job_output import run_summary

        if self.as_json:
            emit_json({"event": "ended", **job.to_json()})
        else:
            echo(run_summary(job, time.monotonic() - self.clock))


class Stopping:
    """SIGINT and SIGTERM: the first stops the worker after giving back the photos it holds (the run
    stops within about a second; they are not counted as attempts); a second one quits at once."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner
        self._previous = {number: signal.signal(number, self._handle)
                          for number in (signal.SIGINT, signal.SIGTERM)}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.runner.control.closing:
            raise KeyboardInterrupt
        self.runner.control.close()
        echo("stopping: giving back the photos this worker holds (again to quit at once)", err=True)

    def restore(self) -> None:
        for number, previous in self._previous.items():
            signal.signal(number, previous)
