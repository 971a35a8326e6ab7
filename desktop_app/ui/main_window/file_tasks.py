"""Photo files: writing captions into the photos' metadata and exporting captions, each asked in a
dialog, run on the file-task thread through the services, and reported in a dialog that lists each file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from desktop_app.catalogue.photos import PhotoQuery, display_path
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.ui.dialogs.files import ExportDialog, ReportDialog, WriteMetadataDialog
from desktop_app.ui.main_window.base import WindowController
from desktop_app.ui.wording import sentence
from desktop_app.ui.workers.file_tasks import FileTasks

REPORT_TITLES = {"preview": QT_TRANSLATE_NOOP("FileTaskController", "What would change"),
                 "write-metadata": QT_TRANSLATE_NOOP("FileTaskController", "Captions written to files")}


def outcome_line(outcome: Any) -> str:
    """One file of a metadata write: what happened, and why or what changed."""
    none = QCoreApplication.translate("FileTaskController", "(none)")
    # The status and reason are the metadata service's words, in English like the command line's.
    detail = outcome.reason or "; ".join([f"{change.field}: {change.old or none} → {change.new}"
                                          for change in outcome.changes] + list(outcome.notes))
    return f"{display_path(outcome.target)}: {outcome.status.value}" + (f" ({detail})" if detail else "")


class FileTaskController(WindowController):
    """``location()`` and ``selection()`` give the sidebar's library or folder and the grid's selected
    photos; ``files_changed`` asks the grid to list again (a write changed the files' sizes and dates)."""

    files_changed = Signal()

    def __init__(self, file_tasks: FileTasks, thumbnails: ThumbnailCache,
                 location: Callable[[], tuple[PhotoQuery | None, str, str | None]],
                 selection: Callable[[], list[int]], write_metadata_action: QAction, export_action: QAction,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.file_tasks, self._thumbnails = file_tasks, thumbnails
        self._location, self._selection, self._parent = location, selection, parent
        self.last_report: ReportDialog | None = None  # what the last file task did, while it is shown
        write_metadata_action.triggered.connect(self.open_write_metadata)
        export_action.triggered.connect(self.open_export)
        file_tasks.finished.connect(self._on_finished)
        file_tasks.failed.connect(lambda _name, message: self.error.emit(message))

    @Slot()
    def open_write_metadata(self) -> WriteMetadataDialog:
        location, label, _folder = self._location()
        dialog = WriteMetadataDialog(self._selection(), location, label, parent=self._parent)
        dialog.accepted.connect(lambda: self._write_metadata(dialog))
        dialog.open()
        return dialog

    @Slot()
    def open_export(self) -> ExportDialog:
        location, label, _folder = self._location()
        dialog = ExportDialog(self._selection(), location, label, parent=self._parent)
        dialog.accepted.connect(lambda: self._export(dialog))
        dialog.open()
        return dialog

    def _write_metadata(self, dialog: WriteMetadataDialog) -> None:
        from desktop_app.services.metadata import write_metadata  # pyexiv2: loaded when first needed

        query, mode, force = dialog.query(), dialog.mode(), dialog.force_box.isChecked()
        remove_rejected = dialog.remove_rejected_box.isChecked()
        thumbnails = self._thumbnails  # a rewritten file's thumbnail follows its new hash
        if query is None:
            return
        dry_run = dialog.preview_requested
        self.status.emit(self.tr("Checking what would change…") if dry_run
                         else self.tr("Writing captions to files…"))
        self.file_tasks.run("preview" if dry_run else "write-metadata",
                            lambda catalogue: write_metadata(catalogue, query, mode=mode, dry_run=dry_run,
                                                             force=force, thumbnails=thumbnails,
                                                             remove_rejected_keywords=remove_rejected))

    def _export(self, dialog: ExportDialog) -> None:
        from desktop_app.services.exports import export

        fmt, output, query = dialog.format(), dialog.output(), dialog.query()
        approved_only, force = dialog.approved_box.isChecked(), dialog.force_box.isChecked()
        link = dialog.link()
        self.status.emit(self.tr("Exporting captions to {path}…").format(path=display_path(str(output))))
        self.file_tasks.run("export", lambda catalogue: export(catalogue, fmt, output, query,
                                                               approved_only=approved_only, force=force,
                                                               link=link))

    @Slot(str, object)
    def _on_finished(self, name: str, report: Any) -> None:
        summary = sentence(report.summary())
        self.status.emit(summary)
        lines = [outcome_line(outcome) for outcome in getattr(report, "outcomes", [])] + [
            f"{display_path(str(path))}: {reason}" for path, reason in getattr(report, "skipped_files", [])]
        if name in REPORT_TITLES or lines:
            self.last_report = ReportDialog(self.tr(REPORT_TITLES[name]) if name in REPORT_TITLES
                                            else self.tr("Export"), summary, lines,
                                            parent=self._parent)
            self.last_report.open()
        if name == "write-metadata":
            self.files_changed.emit()
