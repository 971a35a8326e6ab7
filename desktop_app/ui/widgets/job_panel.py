"""The job panel: every captioning job, the latest first, with its progress, pause / resume and cancel,
and the photos the selected job could not caption with the reason for each.

It never reads the catalogue itself: the job list and a job's failures come from the inference worker
(``load_jobs`` / ``load_failures``, answered by ``jobs_loaded`` / ``failures_loaded``). While a job runs
the panel updates from the worker's signals alone: counts, photos/s and ETA from ``progress``, new
failures from ``item_failed``; the list is read again only when a job starts or ends.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.catalogue.models import JobState
from desktop_app.jobs.runner import ItemFailed, Progress
from desktop_app.jobs.store import CAPTION_JOB, CLUSTER_RUNNER, TAG_JOB, TRAIN_JOB, JobSummary
from desktop_app.ui import wording
from desktop_app.ui.widgets.job_status import actor_counts, ended_text, progress_parts
from desktop_app.ui.workers.inference import InferenceService

STATE_WORDS = {
    JobState.QUEUED: QT_TRANSLATE_NOOP("JobPanel", "Queued"),
    JobState.RUNNING: QT_TRANSLATE_NOOP("JobPanel", "Running"),
    JobState.PAUSED: QT_TRANSLATE_NOOP("JobPanel", "Paused"),
    JobState.DONE: QT_TRANSLATE_NOOP("JobPanel", "Done"),
    JobState.FAILED: QT_TRANSLATE_NOOP("JobPanel", "Failed"),
    JobState.CANCELLED: QT_TRANSLATE_NOOP("JobPanel", "Cancelled"),
}
JOB_ID_ROLE = Qt.ItemDataRole.UserRole


def muted(label: QLabel) -> QLabel:
    """Muted text that stays readable in light and dark themes."""
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText))
    label.setPalette(palette)
    return label


class JobRow(QFrame):
    """One job: title and state, a progress bar, a line of counts, and its buttons."""

    def __init__(self, job_id: int) -> None:
        super().__init__()
        self.setObjectName("jobRow")
        self.job_id = job_id
        layout = QGridLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(4)
        self.title = QLabel()
        bold = QFont(self.title.font())
        bold.setBold(True)
        self.title.setFont(bold)
        self.state = QLabel()
        self.state.setObjectName("jobState")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        self.detail = muted(QLabel())
        self.detail.setWordWrap(True)
        self.pause_button = QToolButton()
        self.cancel_button = QToolButton()
        self.cancel_button.setText(self.tr("Cancel"))
        self.cancel_button.setToolTip(self.tr("Cancel this job; captions already made are kept"))
        buttons = QHBoxLayout()
        buttons.setSpacing(4)
        buttons.addWidget(self.pause_button)
        buttons.addWidget(self.cancel_button)
        layout.addWidget(self.title, 0, 0)
        layout.addWidget(self.state, 0, 1, Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.bar, 1, 0, 1, 2)
        layout.addWidget(self.detail, 2, 0)
        layout.addLayout(buttons, 2, 1, Qt.AlignmentFlag.AlignRight)
        layout.setColumnStretch(0, 1)


class JobPanel(QWidget):
    """Dock it in the window. ``captioner_names``: captioner id -> name, for the job titles."""

    new_job_requested = Signal()  # "Caption photos…" pressed: the window opens the caption dialog

    def __init__(self, service: InferenceService, captioner_names: Mapping[str, str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobPanel")
        self.service = service
        self.captioner_names = dict(captioner_names or {})
        self.jobs: dict[int, JobSummary] = {}
        self.rows: dict[int, JobRow] = {}
        self.progress: dict[int, Progress] = {}  # the running job's latest, for photos/s and ETA
        # What the runner said about a job in this session (a cluster job: where it runs, the Ray
        # dashboard's address), for the row's tooltip: such notices are not all stored with the job.
        self.notices: dict[int, str] = {}
        self.running_job: int | None = None
        self.failures_job: int | None = None  # whose failures the list shows

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        header = QHBoxLayout()
        heading = QLabel(self.tr("Captioning jobs"))
        font = QFont(heading.font())
        font.setBold(True)
        heading.setFont(font)
        header.addWidget(heading, 1)
        self.new_button = QPushButton(self.tr("Caption photos…"))
        self.new_button.setToolTip(self.tr("Choose a captioner, a model and the photos, and queue a job"))
        self.new_button.clicked.connect(self.new_job_requested)
        header.addWidget(self.new_button)
        layout.addLayout(header)

        splitter = QSplitter(Qt.Orientation.Vertical)
        jobs_box = QWidget()
        jobs_layout = QVBoxLayout(jobs_box)
        jobs_layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("jobList")
        self.list.setAccessibleName(self.tr("Captioning jobs"))
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setSpacing(2)
        self.list.setMinimumHeight(140)
        self.list.currentItemChanged.connect(self._on_selected)
        self.empty = muted(QLabel(self.tr("No captioning jobs yet. Select photos or a folder and press "
                                          "“Caption photos…”.")))
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        jobs_layout.addWidget(self.empty)
        jobs_layout.addWidget(self.list)
        splitter.addWidget(jobs_box)

        failures_box = QWidget()
        failures_layout = QVBoxLayout(failures_box)
        failures_layout.setContentsMargins(0, 4, 0, 0)
        self.failures_title = QLabel()
        failures_layout.addWidget(self.failures_title)
        self.failures = QTreeWidget()
        self.failures.setObjectName("jobFailures")
        self.failures.setAccessibleName(self.tr("Photos that failed"))
        self.failures.setHeaderLabels([self.tr("Photo"), self.tr("Reason")])
        self.failures.setRootIsDecorated(False)
        self.failures.setUniformRowHeights(True)
        self.failures.setAlternatingRowColors(True)
        self.failures.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.failures.header().setStretchLastSection(True)
        failures_layout.addWidget(self.failures)
        splitter.addWidget(failures_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([360, 120])
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self._show_failures_of(None)
        self._update_empty()

        service.jobs_loaded.connect(self._on_jobs_loaded)
        service.failures_loaded.connect(self._on_failures_loaded)
        service.job_queued.connect(self._on_job_changed)
        service.job_started.connect(self._on_job_started)
        service.job_finished.connect(self._on_job_ended)
        service.job_cancelled.connect(self._on_job_ended)
        service.job_paused.connect(self._on_job_ended)
        service.progress.connect(self._on_progress)
        service.notice.connect(self._on_notice)
        service.item_failed.connect(self._on_item_failed)

    def refresh(self) -> None:
        """Read the job list again (the worker answers with jobs_loaded)."""
        self.service.load_jobs()

    def selected_job(self) -> int | None:
        item = self.list.currentItem()
        return item.data(JOB_ID_ROLE) if item is not None else None

    def select_job(self, job_id: int) -> None:
        for index in range(self.list.count()):
            if self.list.item(index).data(JOB_ID_ROLE) == job_id:
                self.list.setCurrentRow(index)
                return

    # -- the worker's answers and events --------------------------------------------------------------

    @Slot(object)
    def _on_jobs_loaded(self, jobs: list[JobSummary]) -> None:
        listed = {job.id for job in jobs}
        for job_id in [job_id for job_id in self.rows if job_id not in listed]:
            self._remove(job_id)
        for job in jobs:
            self._upsert(job)
        if self.selected_job() is None and self.list.count():
            self.list.setCurrentRow(0)

    @Slot(int, object)
    def _on_failures_loaded(self, job_id: int, failures: list[tuple[str, str]]) -> None:
        if job_id != self.selected_job():
            return
        self.failures.clear()
        for path, reason in failures:
            self._add_failure(path, reason)
        self._show_failures_of(job_id)

    @Slot(object)
    def _on_job_changed(self, job: JobSummary) -> None:
        self._upsert(job)

    @Slot(object)
    def _on_job_started(self, job: JobSummary) -> None:
        self.running_job = job.id
        self.progress.pop(job.id, None)
        self._upsert(job)
        self.refresh()  # other jobs may have changed state meanwhile (queued again, cancelled)

    @Slot(object)
    def _on_job_ended(self, job: JobSummary) -> None:
        if job.id == self.running_job:
            self.running_job = None
        self.progress.pop(job.id, None)
        self._upsert(job)
        self.refresh()
        if job.id == self.selected_job():
            self.service.load_failures(job.id)  # the finished job's failures, in queue order

    @Slot(object)
    def _on_progress(self, progress: Progress) -> None:
        self.progress[progress.job_id] = progress
        row = self.rows.get(progress.job_id)
        if self.running_job != progress.job_id:  # the panel was made while the job ran
            self.running_job = progress.job_id
            job = self.jobs.get(progress.job_id)
            if row is not None and job is not None:
                self._fill(row, job)
        if row is not None:
            row.bar.setRange(0, max(progress.total, 1))
            row.bar.setValue(progress.done)
            kind = self.jobs[progress.job_id].kind if progress.job_id in self.jobs else CAPTION_JOB
            lines = row.detail.text().count("\n")
            row.detail.setText(_progress_detail(progress, kind))
            item = self._item(progress.job_id)
            if item is not None and row.detail.text().count("\n") != lines:  # the actors' line came
                item.setSizeHint(row.sizeHint())

    @Slot(int, str)
    def _on_notice(self, job_id: int, text: str) -> None:
        self.notices[job_id] = text
        row, job = self.rows.get(job_id), self.jobs.get(job_id)
        if row is not None and job is not None:
            row.setToolTip(self._tooltip(job))

    @Slot(object)
    def _on_item_failed(self, item: ItemFailed) -> None:
        if item.job_id == self.failures_job:
            self._add_failure(item.path, item.reason)
            self._show_failures_of(item.job_id)

    # -- rows ------------------------------------------------------------------------------------------

    def _upsert(self, job: JobSummary) -> None:
        self.jobs[job.id] = job
        row = self.rows.get(job.id)
        if row is None:
            row = self._insert(job.id)
        self._fill(row, job)

    def _insert(self, job_id: int) -> JobRow:
        row = JobRow(job_id)
        row.pause_button.clicked.connect(lambda: self._pause_or_resume(job_id))
        row.cancel_button.clicked.connect(lambda: self._cancel(job_id))
        position = 0  # the latest (highest id) first
        while position < self.list.count() and self.list.item(position).data(JOB_ID_ROLE) > job_id:
            position += 1
        item = QListWidgetItem()
        item.setData(JOB_ID_ROLE, job_id)
        self.list.insertItem(position, item)
        self.list.setItemWidget(item, row)
        item.setSizeHint(row.sizeHint())
        self.rows[job_id] = row
        self._update_empty()
        return row

    def _remove(self, job_id: int) -> None:
        self.rows.pop(job_id)
        self.jobs.pop(job_id, None)
        for index in range(self.list.count()):
            if self.list.item(index).data(JOB_ID_ROLE) == job_id:
                self.list.takeItem(index)
                break
        self._update_empty()

    def _fill(self, row: JobRow, job: JobSummary) -> None:
        running = job.state is JobState.RUNNING and job.id == self.running_job
        queue_paused = self.service.control.paused
        name = self.captioner_names.get(job.captioner_id or "", job.captioner_id or self.tr("captioning"))
        row.title.setText((self.tr("Job {job} · fine-tuning {captioner}") if job.kind == TRAIN_JOB
                           else self.tr("Job {job} · suggesting keywords with {captioner}")
                           if job.kind == TAG_JOB
                           else self.tr("Job {job} · {captioner}")).format(job=job.id, captioner=name))
        state = self.tr(STATE_WORDS[job.state]) if job.state in STATE_WORDS else job.state.value.capitalize()
        if running and queue_paused:
            state = self.tr("Pausing…")
        elif job.state is JobState.QUEUED and queue_paused:
            state = self.tr("Queued · queue paused")
        elif job.watching:  # a watched library's standing job with nothing to do: it waits for photos
            state = self.tr("Watching · waiting for photos")
        row.state.setText(state)
        row.state.setProperty("state", job.state.value)  # for the style sheet: #jobState[state=...]
        row.state.style().unpolish(row.state)
        row.state.style().polish(row.state)
        row.bar.setRange(0, max(job.total, 1))
        row.bar.setValue(job.finished_items)
        row.detail.setText(self._detail(job))
        row.setToolTip(self._tooltip(job))

        # Pause while it runs; Resume a paused job, a queued one while the queue is paused, or retry a
        # failed one (its model could not load, say); Cancel whatever is unfinished.
        if running:
            row.pause_button.setText(self.tr("Pause"))
            row.pause_button.setToolTip(self.tr("Pause captioning: the model stops within a second, and jobs "
                                                "waiting in the queue wait too"))
            row.pause_button.setEnabled(not queue_paused)
            row.pause_button.show()
        elif job.state is JobState.PAUSED or (job.state is JobState.QUEUED and queue_paused):
            row.pause_button.setText(self.tr("Resume"))
            row.pause_button.setToolTip(self.tr("Go on captioning where this job stopped"))
            row.pause_button.setEnabled(True)
            row.pause_button.show()
        elif job.state is JobState.FAILED:
            row.pause_button.setText(self.tr("Retry"))
            row.pause_button.setToolTip(self.tr("Run this job again; photos already captioned are kept"))
            row.pause_button.setEnabled(True)
            row.pause_button.show()
        else:
            row.pause_button.hide()
        row.cancel_button.setVisible(job.state in (JobState.QUEUED, JobState.RUNNING, JobState.PAUSED))
        item = self._item(job.id)
        if item is not None:
            item.setSizeHint(row.sizeHint())

    def _detail(self, job: JobSummary) -> str:
        if job.id == self.running_job:
            progress = self.progress.get(job.id)
            if progress is not None:
                return _progress_detail(progress, job.kind)
            return (self.tr("{done}/{total} · starting on the cluster…") if job.runner == CLUSTER_RUNNER
                    else self.tr("{done}/{total} · loading the model…")).format(
                done=wording.number(job.finished_items), total=wording.number(job.total))
        if job.kind == TRAIN_JOB:
            if job.state is JobState.QUEUED:
                return self.tr("waiting")
            return ended_text(job).split(": ", 1)[-1]
        parts = [(self.tr("{done} of {photos} tagged") if job.kind == TAG_JOB
                  else self.tr("{done} of {photos} captioned")).format(done=wording.number(job.done),
                                                                       photos=wording.photos(job.total))]
        if job.failed:
            parts.append(wording.failures(job.failed))
        if job.state is JobState.CANCELLED and job.skipped:
            parts.append(self.tr("{count} skipped").format(count=wording.number(job.skipped)))
        if job.state is JobState.FAILED and job.error:
            parts.append(job.error)
        if job.runner == CLUSTER_RUNNER and job.state in (JobState.QUEUED, JobState.PAUSED):
            parts.append(self.tr("runs on a cluster"))  # only while Settings > Cluster names one
        if job.standing is not None:
            parts.append(self.tr("new photos of library {library} are added").format(
                library=job.standing.split(":")[1]))
        return " · ".join(parts)

    def _tooltip(self, job: JobSummary) -> str:
        lines = [self.tr("Model: {model}").format(model=job.model_id or self.tr("the default for this "
                                                                                "captioner")),
                 self.tr("Queued: {time}").format(time=wording.date_time(job.created_at))]
        if job.finished_at is not None:
            lines.append(self.tr("Finished: {time}").format(time=wording.date_time(job.finished_at)))
        if job.notice:
            lines.append(self.tr("Note: {notice}").format(notice=job.notice))
        if self.notices.get(job.id) and self.notices[job.id] != job.notice:
            lines.append(self.tr("Note: {notice}").format(notice=self.notices[job.id]))
        if job.error:
            lines.append(self.tr("Error: {error}").format(error=job.error))
        return "\n".join(lines)

    def _item(self, job_id: int) -> QListWidgetItem | None:
        for index in range(self.list.count()):
            item = self.list.item(index)
            if item.data(JOB_ID_ROLE) == job_id:
                return item
        return None

    def _update_empty(self) -> None:
        self.empty.setVisible(not self.rows)
        self.list.setVisible(bool(self.rows))

    # -- buttons and selection -------------------------------------------------------------------------

    def _pause_or_resume(self, job_id: int) -> None:
        job = self.jobs.get(job_id)
        if job is None:
            return
        if job.id == self.running_job and job.state is JobState.RUNNING:
            self.service.pause()
        else:
            self.service.resume_job(job_id)
        self._fill(self.rows[job_id], job)  # "Pausing…" at once; the worker's signal follows

    def _cancel(self, job_id: int) -> None:
        job = self.jobs.get(job_id)
        self.service.cancel(job_id)
        if job is not None and job.id == self.running_job and self.service.control.paused:
            # Pausing stopped the whole queue for this job; without it the others may run on.
            self.service.control.resume()

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_selected(self, current: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        self.failures.clear()
        job_id = current.data(JOB_ID_ROLE) if current is not None else None
        self._show_failures_of(job_id)
        if job_id is not None:
            self.service.load_failures(job_id)

    def _add_failure(self, path: str, reason: str) -> None:
        item = QTreeWidgetItem([os.path.basename(path), reason])
        item.setToolTip(0, path)
        item.setToolTip(1, reason)
        self.failures.addTopLevelItem(item)

    def _show_failures_of(self, job_id: int | None) -> None:
        self.failures_job = job_id
        count = self.failures.topLevelItemCount()
        if job_id is None:
            self.failures_title.setText(self.tr("Failures"))
        elif count:
            self.failures_title.setText(self.tr("Job {job}: {photos} could not be captioned").format(
                job=job_id, photos=wording.photos(count)))
        else:
            self.failures_title.setText(self.tr("Job {job}: no failures").format(job=job_id))


def _progress_detail(progress: Progress, kind: str) -> str:
    """A running job's counts, rate and time left; a cluster job's photos per actor on a line below."""
    text = " · ".join(progress_parts(progress, kind, actors=False))
    actors = actor_counts(progress)
    return f"{text}\n{actors}" if actors else text
