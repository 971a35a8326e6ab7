"""Keyword suggestions as jobs: the Suggest keywords dialog (its vocabularies read on the inference
worker first) and its queueing; ``keywords_changed`` when a tagging job ends, so the keyword views
show the new suggestions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QWidget

from desktop_app.catalogue.photos import PhotoQuery
from desktop_app.jobs.store import TAG_JOB
from desktop_app.plugin_registry import PluginRegistry
from desktop_app.ui.dialogs.suggest_keywords import SuggestKeywordsDialog
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.workers.inference import InferenceService

NO_TAGGER = QT_TRANSLATE_NOOP("TagController", "No tagger is installed: see photo-annotator plugins")


class TagController(WindowController):
    """Opens the Suggest keywords dialog (``action``) on the selection (``selection()``) or the place the
    sidebar shows (``location()``) and queues the tagging job it asks for."""

    keywords_changed = Signal()

    def __init__(self, inference: InferenceService, registry: Callable[[], PluginRegistry],
                 location: Callable[[], tuple[PhotoQuery | None, str, str | None]],
                 selection: Callable[[], list[int]], jobs_dock: QDockWidget, action: QAction,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.inference, self._registry = inference, registry
        self._location, self._selection, self._jobs_dock = location, selection, jobs_dock
        self._parent = parent
        self._asked = False  # the dialog opens when the vocabularies asked for arrive
        self.dialog: SuggestKeywordsDialog | None = None
        action.triggered.connect(self.open_dialog)
        inference.vocabularies_loaded.connect(self._on_vocabularies)
        inference.job_finished.connect(self._on_job_ended)
        inference.job_cancelled.connect(self._on_job_ended)

    @Slot()
    def open_dialog(self) -> None:
        """Read the vocabularies on the worker; the dialog opens when they arrive."""
        if not self._registry().taggers:
            self.error.emit(self.tr(NO_TAGGER))
            return
        self._asked = True
        self.inference.load_vocabularies()

    @Slot(object)
    def _on_vocabularies(self, vocabularies: list[Any]) -> None:
        if not self._asked:
            return
        self._asked = False
        _query, label, folder = self._location()
        dialog = SuggestKeywordsDialog(list(self._registry().taggers.values()), vocabularies,
                                       photo_ids=self._selection(), folder=folder, folder_label=label or None,
                                       parent=self._parent)
        dialog.accepted.connect(lambda: self._queue(dialog))
        self.dialog = dialog
        dialog.open()

    def _queue(self, dialog: SuggestKeywordsDialog) -> None:
        self.inference.queue_tag_request(dialog.request())
        self._jobs_dock.show()

    @Slot(object)
    def _on_job_ended(self, job: Any) -> None:
        if job.kind == TAG_JOB:
            self.keywords_changed.emit()
