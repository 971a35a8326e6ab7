"""Fine-tuning as the editors' work suggests it: after Settings.review.finetune_after new approved
captions of a captioner (counted on the review queue's thread, services/finetune.py) a bar offers to
fine-tune it; after a fine-tune, the new model's before/after table (the train job evaluated it) and the
offer to make it the captioner's model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QWidget

from desktop_app.settings import load_settings, save_settings
from desktop_app.ui.dialogs.new_model import NewModelDialog
from desktop_app.ui.dialogs.train import TRAINABLE, TrainDialog
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.widgets.suggestion_bar import SuggestionBar
from desktop_app.ui.workers.inference import InferenceService
from desktop_app.ui.workers.review_queue import ReviewQueueService

CHECK_DELAY_MS = 2_000  # approvals in a row count once, after the last


class FineTuneController(WindowController):
    def __init__(self, service: ReviewQueueService, inference: InferenceService, bar: SuggestionBar,
                 open_train_dialog: Callable[[], TrainDialog | None], captioner_name: Callable[[str], str],
                 window: QWidget) -> None:
        super().__init__(window)
        self.service, self.inference, self.bar, self.window = service, inference, bar, window
        self._open_train_dialog, self._name = open_train_dialog, captioner_name
        self._suggested: set[str] = set()  # captioners suggested in this session (acted on or dismissed)
        self._offered: str | None = None
        self.dialog: NewModelDialog | None = None
        self._check = QTimer(self)
        self._check.setSingleShot(True)
        self._check.setInterval(CHECK_DELAY_MS)
        self._check.timeout.connect(self.check)
        service.fine_tune_due.connect(self._on_due)
        inference.trained.connect(self._on_trained)
        bar.accepted.connect(self._fine_tune)

    @Slot()
    def reviewed(self) -> None:
        """A review action was written: count the approvals again shortly."""
        self._check.start()

    @Slot()
    def check(self) -> None:
        self.service.check_fine_tune(load_settings().review.finetune_after)

    @Slot(object)
    def _on_due(self, suggestions: list[Any]) -> None:
        # Only captioners the trainer can fine-tune (the Fine-tune dialog offers no other).
        due = next((found for found in suggestions
                    if found.captioner_id in TRAINABLE and found.captioner_id not in self._suggested), None)
        if due is None or self.bar.isVisible():
            return
        self._suggested.add(due.captioner_id)
        self._offered = due.captioner_id
        if due.since is not None:
            text = self.tr("Editors approved {count} captions of {captioner} since its last fine-tune: "
                           "fine-tuning it again teaches it their corrections.")
        else:
            text = self.tr("Editors approved {count} captions of {captioner}: fine-tuning it on them "
                           "teaches it your collection's words.")
        self.bar.suggest(text.format(count=due.approved, captioner=self._name(due.captioner_id)),
                         self.tr("Fine-tune…"))

    @Slot()
    def _fine_tune(self) -> None:
        dialog = self._open_train_dialog()
        if dialog is not None and self._offered is not None:
            index = dialog.captioner_combo.findData(self._offered)
            if index >= 0:
                dialog.captioner_combo.setCurrentIndex(index)

    @Slot(int, object)
    def _on_trained(self, _job_id: int, report: Any) -> None:
        if report.cancelled or not report.model_folder:
            return
        if report.evaluation is None:
            if report.evaluation_note:
                self.status.emit(self.tr("The fine-tuned model was not evaluated: {reason}").format(
                    reason=report.evaluation_note))
            return
        self.dialog = NewModelDialog(self._name(report.captioner_id), report.model_folder,
                                     report.evaluation.to_json(), self.window)
        self.dialog.accepted.connect(lambda: self._use(report.captioner_id, report.model_folder))
        self.dialog.open()  # window-modal, not blocking the event loop: jobs go on

    def _use(self, captioner_id: str, model_folder: str) -> None:
        settings = load_settings()
        save_settings(replace(settings, captioner_models={**settings.captioner_models,
                                                          captioner_id: model_folder}))
        self.inference.apply_settings()  # the next job captions with it
        self.status.emit(self.tr("{captioner} now captions with {model}").format(
            captioner=self._name(captioner_id), model=model_folder))
