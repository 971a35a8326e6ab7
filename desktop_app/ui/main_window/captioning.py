"""Captioning jobs: the caption dialog and its queueing (with a captioner's disclaimer), regenerating
one photo's caption, the fine-tune dialog, and what the window does when a job stores a caption or ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QWidget

from desktop_app.catalogue.models import CaptionKind, JobState
from desktop_app.catalogue.photos import PhotoQuery
from desktop_app.jobs.store import CAPTION_JOB
from desktop_app.plugin_registry import PluginRegistry
from desktop_app.settings import load_settings
from desktop_app.ui.dialogs.caption import CaptionDialog
from desktop_app.ui.dialogs.disclaimer import confirm_disclaimer, needs_acknowledgement
from desktop_app.ui.dialogs.train import TrainDialog
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.widgets.job_status import ended_text
from desktop_app.ui.wording import sentence
from desktop_app.ui.workers.inference import CaptionRequest, InferenceService
from desktop_app.ui.workers.search import SearchRunner

NO_CAPTIONER = QT_TRANSLATE_NOOP("CaptionController",
                                 "No captioner is installed: see photo-annotator plugins")


class CaptionController(WindowController):
    """Opens the captioning dialogs and queues what they ask for. ``location()`` and ``selection()``
    give the sidebar's library or folder (query, label, folder on disk) and the grid's selected photos;
    ``captions_changed`` asks the grid to list again after a job."""

    captions_changed = Signal()

    def __init__(self, inference: InferenceService, searches: SearchRunner,
                 registry: Callable[[], PluginRegistry],
                 location: Callable[[], tuple[PhotoQuery | None, str, str | None]],
                 selection: Callable[[], list[int]], jobs_dock: QDockWidget, caption_action: QAction,
                 train_action: QAction, unload_action: QAction, parent: QWidget) -> None:
        super().__init__(parent)
        self.inference, self._searches, self._registry = inference, searches, registry
        self._location, self._selection, self._jobs_dock = location, selection, jobs_dock
        self._parent = parent
        caption_action.triggered.connect(self.open_dialog)
        train_action.triggered.connect(self.open_train_dialog)
        unload_action.triggered.connect(inference.unload_models)
        inference.job_finished.connect(self._on_job_ended)
        inference.job_cancelled.connect(self._on_job_ended)
        inference.notice.connect(lambda _job, text: self.status.emit(sentence(text)))
        inference.failed.connect(self.error)

    @Slot()
    def open_dialog(self) -> CaptionDialog | None:
        """Ask what to caption with which captioner; queue the job when the user accepts."""
        _query, label, folder = self._location()
        captioners = list(self._registry().captioners.values())
        if not captioners:
            self.error.emit(self.tr(NO_CAPTIONER))
            return None
        dialog = CaptionDialog(captioners, load_settings(), photo_ids=self._selection(),
                               folder=folder, folder_label=label or None, parent=self._parent)
        dialog.accepted.connect(lambda: self._queue(dialog.request()))
        dialog.open()
        return dialog

    @Slot()
    def open_train_dialog(self) -> TrainDialog | None:
        """Ask which captioner to fine-tune on the approved captions; queue the training job on accept."""
        query, label, _folder = self._location()
        captioners = list(self._registry().captioners.values())
        if not captioners:
            self.error.emit(self.tr(NO_CAPTIONER))
            return None
        dialog = TrainDialog(captioners, load_settings(), query.library_id if query else None, label,
                             parent=self._parent)
        dialog.accepted.connect(lambda: self._queue_training(dialog.request()))
        dialog.open()
        return dialog

    @Slot(int, object, object)
    def regenerate(self, photo_id: int, captioner_id: str | None,
                   kind: CaptionKind = CaptionKind.DESCRIPTION) -> None:
        """Caption one photo again with the captioner of its caption of ``kind`` (the model from the
        settings); a photo without a model's caption of that kind opens the caption dialog instead, on
        the first captioner that writes that kind (the alt-text captioner for alt text)."""
        if captioner_id is None or captioner_id not in self._registry().captioners:
            dialog = self.open_dialog()
            writers = [captioner.id for captioner in self._registry().captioners.values()
                       if captioner.caption_kind == kind.value]
            if dialog is not None and writers and dialog.captioner() is not None \
                    and dialog.captioner().caption_kind != kind.value:
                dialog.set_captioner(writers[0])
            return
        captioner = self._registry().get_captioner(captioner_id)
        self._queue(CaptionRequest(captioner_id, None, photo_ids=(photo_id,),
                                   needs_disclaimer=needs_acknowledgement(captioner)))

    def _queue(self, request: CaptionRequest) -> None:
        if request.needs_disclaimer:
            if not confirm_disclaimer(self._parent, self._registry().get_captioner(request.captioner_id)):
                self.status.emit(self.tr("Not queued: the disclaimer was not acknowledged"))
                return
            request = request.acknowledged()
        self.inference.queue_request(request)
        self._jobs_dock.show()

    def _queue_training(self, request: dict[str, Any]) -> None:
        self.inference.queue_train_job(**request)
        self._jobs_dock.show()

    @Slot(object)
    def _on_job_ended(self, job: Any) -> None:
        if job.state is JobState.FAILED:
            self.error.emit(ended_text(job))
        else:
            self.status.emit(ended_text(job))
        self.captions_changed.emit()  # the grid shows the new captions
        if job.kind == CAPTION_JOB and job.done:
            self._searches.embed(only_if_loaded=True)  # searches by meaning find the new captions too
