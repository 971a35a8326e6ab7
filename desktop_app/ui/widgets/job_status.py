"""The running job in the status bar: what it does, how far it is, how fast, and pause / cancel."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from desktop_app.catalogue.models import JobState
from desktop_app.jobs.runner import Progress
from desktop_app.jobs.store import CAPTION_JOB, CLUSTER_RUNNER, TAG_JOB, TRAIN_JOB, JobSummary
from desktop_app.ui import wording
from desktop_app.ui.accessibility import announce
from desktop_app.ui.workers.inference import InferenceService

translate = QCoreApplication.translate


def duration(seconds: float) -> str:
    """'45 s', '12 min', '3 h 20 min': an ETA as people say it."""
    if seconds < 60:
        return translate("JobStatus", "{seconds} s").format(seconds=max(1, round(seconds)))
    minutes = round(seconds / 60)
    if minutes < 60:
        return translate("JobStatus", "{minutes} min").format(minutes=minutes)
    return translate("JobStatus", "{hours} h {minutes} min").format(hours=minutes // 60,
                                                                    minutes=f"{minutes % 60:02}")


def progress_parts(progress: Progress, kind: str = CAPTION_JOB, actors: bool = True) -> list[str]:
    """'12/40', '1 failure', '3.1 photos/s', 'about 9 s left', '2 actors': what a running job's line says
    (a training job counts optimizer steps, not photos; photos/s of a cluster job are the whole
    cluster's). ``actors``: the count of a cluster job's captioner actors, last."""
    training = kind == TRAIN_JOB
    done, total = wording.number(progress.done), wording.number(progress.total)
    parts = [translate("JobStatus", "step {done}/{total}").format(done=done, total=total) if training
             else f"{done}/{total}"]
    if progress.failed:
        parts.append(wording.failures(progress.failed))
    if progress.photos_per_second:
        parts.append(translate("JobStatus", "{rate} steps/s").format(
            rate=wording.number(progress.photos_per_second, 2)) if training
            else translate("JobStatus", "{rate} photos/s").format(
                rate=wording.number(progress.photos_per_second, 1)))
    if progress.eta_seconds:
        parts.append(translate("JobStatus", "about {time} left").format(time=duration(progress.eta_seconds)))
    if actors and progress.actors:
        parts.append(wording.actors(len(progress.actors)))
    return parts


def actor_counts(progress: Progress) -> str:
    """'2 actors: host:41 (gpu 0) 120, host:42 (gpu 1) 118': the photos each captioner actor of a cluster
    job captioned in this run; empty for a job in the app."""
    if not progress.actors:
        return ""
    counts = ", ".join(f"{name} {wording.number(count)}" for name, count in sorted(progress.actors.items()))
    return f"{wording.actors(len(progress.actors))}: {counts}"


def progress_text(job_id: int, progress: Progress, kind: str = CAPTION_JOB) -> str:
    text = translate("JobStatus", "Fine-tuning (job {job}): {progress}") if kind == TRAIN_JOB \
        else translate("JobStatus", "Suggesting keywords (job {job}): {progress}") if kind == TAG_JOB \
        else translate("JobStatus", "Captioning (job {job}): {progress}")
    return text.format(job=job_id, progress=" · ".join(progress_parts(progress, kind)))


def ended_text(job: JobSummary) -> str:
    """How a job ended, for the status bar. A failure's reason and a training job's notice are the job
    runner's words (English, like the command line's)."""
    done, total = wording.number(job.done), wording.number(job.total)
    if job.state is JobState.FAILED:
        return translate("JobStatus", "Job {job} failed: {reason}").format(job=job.id, reason=job.error)
    if job.kind == TRAIN_JOB:
        if job.state is JobState.DONE:
            return translate("JobStatus", "Job {job} done: {notice}").format(job=job.id, notice=job.notice) \
                if job.notice else translate("JobStatus", "Job {job} done").format(job=job.id)
        if job.state is JobState.PAUSED:
            return translate("JobStatus", "Job {job} paused: its checkpoint is kept; resume it to go "
                                          "on").format(job=job.id)
        return translate("JobStatus", "Job {job} cancelled: its checkpoint is kept; resume it to go "
                                      "on").format(job=job.id)
    if job.watching:  # a watched library's standing job: it never ends, it waits for the next photos
        return translate("JobStatus", "Job {job} waiting for photos: {done} of {total} done").format(
            job=job.id, done=done, total=total)
    if job.kind == TAG_JOB:
        return _tag_job_ended(job, done, total)
    if job.state is JobState.PAUSED:
        return translate("JobStatus", "Job {job} paused: {done} of {total} captioned").format(
            job=job.id, done=done, total=total)
    if job.state is JobState.CANCELLED:
        return translate("JobStatus", "Job {job} cancelled: {done} of {total} captioned").format(
            job=job.id, done=done, total=total)
    if job.failed:
        return translate("JobStatus", "Job {job} done: {done} of {total} captioned, {photos} could not be "
                                      "captioned").format(job=job.id, done=done, total=total,
                                                          photos=wording.photos(job.failed))
    return translate("JobStatus", "Job {job} done: {done} of {total} captioned").format(
        job=job.id, done=done, total=total)


def _tag_job_ended(job: JobSummary, done: str, total: str) -> str:
    if job.state is JobState.PAUSED:
        return translate("JobStatus", "Job {job} paused: keywords suggested for {done} of {total} "
                                      "photos").format(job=job.id, done=done, total=total)
    if job.state is JobState.CANCELLED:
        return translate("JobStatus", "Job {job} cancelled: keywords suggested for {done} of {total} "
                                      "photos").format(job=job.id, done=done, total=total)
    if job.failed:
        return translate("JobStatus", "Job {job} done: keywords suggested for {done} of {total} photos, "
                                      "{photos} could not be read").format(
            job=job.id, done=done, total=total, photos=wording.photos(job.failed))
    return translate("JobStatus", "Job {job} done: keywords suggested for {done} of {total} photos").format(
        job=job.id, done=done, total=total)


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
        self.pause_button.setText(self.tr("Pause"))
        self.pause_button.setToolTip(self.tr("Pause captioning (the GPU is free within a second)"))
        self.pause_button.clicked.connect(self._toggle_pause)
        self.cancel_button = QToolButton()
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Cancel this job; captions already made are kept"))
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
        self.pause_button.setText(self.tr("Pause"))
        self.bar.setRange(0, max(job.total, 1))
        self.bar.setValue(job.finished_items)
        self.text.setToolTip("")
        self.text.setText((self.tr("Fine-tuning (job {job}): loading the model…") if job.kind == TRAIN_JOB
                           else self.tr("Suggesting keywords (job {job}): loading the model…")
                           if job.kind == TAG_JOB
                           else self.tr("Captioning (job {job}): starting on the cluster…")
                           if job.runner == CLUSTER_RUNNER
                           else self.tr("Captioning (job {job}): loading the model…")).format(job=job.id))
        self.show()

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        self.text.setText(progress_text(progress.job_id, progress, self.kind))
        self.text.setToolTip(actor_counts(progress))

    @Slot(object)
    def _on_paused(self, job: JobSummary) -> None:
        self.paused = True
        self.pause_button.setText(self.tr("Resume"))
        self.text.setText(ended_text(job))

    @Slot(object)
    def _on_ended(self, job: JobSummary) -> None:
        announce(self, ended_text(job), assertive=job.state is JobState.FAILED)
        if job.id == self.job_id:
            self.job_id = None
            self.hide()

    def _toggle_pause(self) -> None:
        if self.paused:
            self.paused = False
            self.pause_button.setText(self.tr("Pause"))
            self.service.resume()
        else:
            self.service.pause()

    def _cancel(self) -> None:
        if self.job_id is not None:
            self.service.cancel(self.job_id)
            if self.paused:  # the queue was paused for this job: let the rest run
                self.service.resume()
