"""The running job in the status bar: what it does, how far it is, how fast, and pause / cancel."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from desktop_app.catalogue.models import JobState
from desktop_app.jobs.runner import Progress
from desktop_app.jobs.store import CAPTION_JOB, TRAIN_JOB, JobSummary
from desktop_app.ui.wording import plural
from desktop_app.ui.workers.inference import InferenceService


def duration(seconds: float) -> str:
    """'45 s', '12 min', '3 h 20 min': an ETA as people say it."""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02} min"


def progress_parts(progress: Progress, kind: str = CAPTION_JOB) -> list[str]:
    """'12/40', '1 failure', '3.1 photos/s', 'about 9 s left': what a running job's line says (a
    training job counts optimizer steps, not photos)."""
    training = kind == TRAIN_JOB
    count = f"{progress.done:,}/{progress.total:,}"
    parts = [f"step {count}" if training else count]
    if progress.failed:
        parts.append(f"{plural(progress.failed, 'failure')}")
    if progress.photos_per_second:
        parts.append(f"{progress.photos_per_second:.2f} steps/s" if training
                     else f"{progress.photos_per_second:.1f} photos/s")
    if progress.eta_seconds:
        parts.append(f"about {duration(progress.eta_seconds)} left")
    return parts


def progress_text(job_id: int, progress: Progress, kind: str = CAPTION_JOB) -> str:
    doing = "Fine-tuning" if kind == TRAIN_JOB else "Captioning"
    return f"{doing} (job {job_id}): " + " · ".join(progress_parts(progress, kind))


def ended_text(job: JobSummary) -> str:
    if job.state is JobState.FAILED:
        return f"Job {job.id} failed: {job.error}"
    if job.kind == TRAIN_JOB:
        if job.state is JobState.DONE:
            return f"Job {job.id} done: {job.notice}" if job.notice else f"Job {job.id} done"
        return f"Job {job.id} {job.state.value}: its checkpoint is kept; resume it to go on"
    if job.state is JobState.PAUSED:
        return f"Job {job.id} paused: {job.done:,} of {job.total:,} captioned"
    if job.state is JobState.CANCELLED:
        return f"Job {job.id} cancelled: {job.done:,} of {job.total:,} captioned"
    failed = f", {plural(job.failed, 'photo')} could not be captioned" if job.failed else ""
    return f"Job {job.id} done: {job.done:,} of {job.total:,} captioned{failed}"


class JobStatus(QWidget):
    """Hidden while no job runs."""

    def __init__(self, service: InferenceService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.job_id: int | None = None
        self.kind = CAPTION_JOB
        self.paused = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.pause_button = QToolButton()
        self.pause_button.setText("Pause")
        self.pause_button.setToolTip("Pause captioning (the GPU is free within a second)")
        self.pause_button.clicked.connect(self._toggle_pause)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setToolTip("Cancel this job; captions already made are kept")
        self.cancel_button.clicked.connect(self._cancel)
        for widget in (self.text, self.bar, self.pause_button, self.cancel_button):
            layout.addWidget(widget)
        self.hide()
        service.job_started.connect(self._on_started)
        service.progress.connect(self._on_progress)
        service.job_finished.connect(self._on_ended)
        service.job_cancelled.connect(self._on_ended)
        service.job_paused.connect(self._on_paused)

    @Slot(object)
    def _on_started(self, job: JobSummary) -> None:
        self.job_id, self.kind, self.paused = job.id, job.kind, False
        self.pause_button.setText("Pause")
        self.bar.setRange(0, max(job.total, 1))
        self.bar.setValue(job.finished_items)
        doing = "Fine-tuning" if job.kind == TRAIN_JOB else "Captioning"
        self.text.setText(f"{doing} (job {job.id}): loading the model…")
        self.show()

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        self.text.setText(progress_text(progress.job_id, progress, self.kind))

    @Slot(object)
    def _on_paused(self, job: JobSummary) -> None:
        self.paused = True
        self.pause_button.setText("Resume")
        self.text.setText(ended_text(job))

    @Slot(object)
    def _on_ended(self, job: JobSummary) -> None:
        if job.id == self.job_id:
            self.job_id = None
            self.hide()

    def _toggle_pause(self) -> None:
        if self.paused:
            self.paused = False
            self.pause_button.setText("Pause")
            self.service.resume()
        else:
            self.service.pause()

    def _cancel(self) -> None:
        if self.job_id is not None:
            self.service.cancel(self.job_id)
            if self.paused:  # the queue was paused for this job: let the rest run
                self.service.resume()
