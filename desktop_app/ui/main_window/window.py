"""The main window: libraries on the left, the thumbnail grid in the middle, the selected photo on the right.

The window only asks and draws. It sends requests to the Backend (catalogue and scan threads), the
ThumbnailLoader and the PreviewLoader, and updates widgets when their answers arrive; every answer
carries the id of its request, so one that arrives after the user moved on is dropped.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app import locations
from desktop_app.catalogue.models import CaptionOrigin, JobState, PhotoStatus, ReviewState
from desktop_app.catalogue.photos import PhotoQuery, ReviewFilter, SortKey, display_path
from desktop_app.jobs.runner import ItemDone
from desktop_app.jobs.store import CAPTION_JOB
from desktop_app.library.scanner import ScanReport
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.search.results import SearchFilters, SearchMode
from desktop_app.settings import Settings, load_settings
from desktop_app.ui.dialogs.caption import CaptionDialog
from desktop_app.ui.dialogs.disclaimer import confirm_disclaimer, needs_acknowledgement
from desktop_app.ui.dialogs.files import ExportDialog, ReportDialog, WriteMetadataDialog
from desktop_app.ui.dialogs.settings import SettingsDialog
from desktop_app.ui.widgets.detail_pane import DetailPane
from desktop_app.ui.widgets.image_loading import PreviewLoader, ThumbnailLoader
from desktop_app.ui.widgets.job_panel import JobPanel
from desktop_app.ui.widgets.job_status import JobStatus, ended_text
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.widgets.message_bar import MessageBar
from desktop_app.ui.widgets.photo_grid import THUMBNAIL_BOX, PhotoGrid, PhotoListModel
from desktop_app.ui.wording import plural, sentence
from desktop_app.ui.workers.backend import Backend, LibrarySummary, PhotoRow
from desktop_app.ui.workers.file_tasks import FileTasks
from desktop_app.ui.workers.inference import CaptionRequest, InferenceService
from desktop_app.ui.workers.review import ReviewService
from desktop_app.ui.workers.search import SearchRunner

APP_TITLE = "Photo Annotator"
DEFAULT_SIZE = QSize(1400, 900)
REVIEW_FILTERS: list[tuple[str, ReviewFilter | None]] = [
    ("All photos", None),
    ("Needs review", ReviewFilter.NEEDS_REVIEW),
    ("AI drafts", ReviewFilter.AI_DRAFT),
    ("Approved", ReviewFilter.APPROVED),
    ("Rejected", ReviewFilter.REJECTED),
    ("Edited by a person", ReviewFilter.EDITED),
    ("No caption", ReviewFilter.NO_CAPTION),
    ("Cannot be read", ReviewFilter.ERRORS),
    ("Missing", ReviewFilter.MISSING),
]
SORT_KEYS: list[tuple[str, SortKey]] = [
    ("Name", SortKey.NAME),
    ("Date taken", SortKey.DATE_TAKEN),
    ("Confidence", SortKey.CONFIDENCE),
    ("Last changed", SortKey.CHANGED),
    ("Best match", SortKey.RELEVANCE),
]
SEARCH_MODES: list[tuple[str, SearchMode]] = [
    ("Words and meaning", SearchMode.HYBRID),
    ("Exact words", SearchMode.KEYWORD),
    ("Meaning", SearchMode.SEMANTIC),
]
ALL_CAPTIONERS = "All captioners"
SEARCH_DELAY_MS = 250  # typing pauses this long before the grid follows the search box


def _folder_name(folder: str) -> str:
    return display_path(os.path.basename(os.path.normpath(folder)) or folder)


def scan_summary(report: ScanReport) -> str:
    """One status-bar line: what a scan found and changed."""
    parts = [plural(report.found, "file")]
    for count, word in ((report.new, "new"), (report.updated, "updated"), (report.moved, "moved"),
                        (report.missing, "missing")):
        if count:
            parts.append(f"{count:,} {word}")
    if report.imported:
        parts.append(f"{plural(report.imported, 'caption')} imported from the files")
    if report.errors:
        parts.append(f"{len(report.errors):,} cannot be read")
    if report.skipped_folders:
        parts.append(plural(len(report.skipped_folders), "folder") + " skipped")
    verb = "Scan of {} stopped" if report.cancelled else "Scanned {}"
    return f"{verb.format(_folder_name(report.root))}: {', '.join(parts)} ({report.seconds:.1f} s)"


def _outcome_line(outcome: Any) -> str:
    """One file of a metadata write: what happened, and why or what changed."""
    detail = outcome.reason or "; ".join([f"{change.field}: {change.old or '(none)'} → {change.new}"
                                          for change in outcome.changes] + list(outcome.notes))
    return f"{display_path(outcome.target)}: {outcome.status.value}" + (f" ({detail})" if detail else "")


class MainWindow(QMainWindow):
    """The photo browser. Call ``start()`` to open a catalogue; ``shutdown()`` runs on close."""

    unexpected_error = Signal(str)  # from any thread: a one-line message the window shows

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_TITLE)
        self.resize(DEFAULT_SIZE)
        self.backend = Backend(thumbnails, self)
        screen = QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
        self.thumbnails = ThumbnailLoader(self.backend.thumbnails, THUMBNAIL_BOX, ratio, parent=self)
        self.previews = PreviewLoader(parent=self)
        self.model = PhotoListModel(self.thumbnails, self)
        self.inference = InferenceService(parent=self)
        self.review = ReviewService(parent=self)
        self.searches = SearchRunner(parent=self)
        self.file_tasks = FileTasks(parent=self)
        self._search_request = 0  # the semantic or hybrid search the grid waits for; 0: none
        self._search_ids: tuple[int, ...] | None = None  # its results, best first

        self._startup_folder: str | None = None
        self._started = False
        self._first_libraries = True
        self._select_after_scan: set[str] = set()
        self._scans_pending = 0
        self._wanted_library: int | None = None
        self._photos_stale = False
        self._photos_request = 0
        self._photos_complete = True
        self._photos_first_chunk = False
        self._reselect: int | None = None
        self._detail_request = 0
        self._closed = False
        self._plugins: PluginRegistry | None = None
        self.last_report: ReportDialog | None = None  # what the last file task did, while it is shown

        self._build_actions()
        self._build_widgets()
        self._build_captioning()
        self._build_menus()
        self._connect()
        self.grid.setFocus()  # arrow keys move through the photos from the start

    # -- building ------------------------------------------------------------------------------

    def _build_actions(self) -> None:
        style = self.style()
        self.add_folder_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder),
                                         "Add Folder…", self)
        self.add_folder_action.setShortcut(QKeySequence.StandardKey.Open)
        self.add_folder_action.setToolTip("Add a folder of photos as a library (Ctrl+O)")
        self.add_folder_action.triggered.connect(self._choose_folder)
        self.rescan_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_BrowserReload),
                                     "Rescan", self)
        self.rescan_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.rescan_action.setToolTip("Look for new, changed and deleted files in this library (F5)")
        self.rescan_action.triggered.connect(self._rescan_current)
        self.remove_library_action = QAction(style.standardIcon(QStyle.StandardPixmap.SP_TrashIcon),
                                             "Remove Library…", self)
        self.remove_library_action.setToolTip("Forget this library and its captions; no file is touched")
        self.remove_library_action.triggered.connect(self._remove_current_library)
        for action in (self.add_folder_action, self.rescan_action, self.remove_library_action):
            action.setEnabled(False)  # until the catalogue is open

        toolbar = QToolBar("Main")
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.addAction(self.add_folder_action)
        toolbar.addAction(self.rescan_action)
        toolbar.addSeparator()
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar = toolbar
        self.toolbar_spacer = toolbar.addWidget(spacer)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText("Search captions")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(280)
        self.search_box.setToolTip("Photos whose captions hold all these words (Ctrl+F)")
        self.search_box.addAction(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
                                  QLineEdit.ActionPosition.LeadingPosition)
        toolbar.addWidget(self.search_box)
        self.search_mode = QComboBox()
        self.search_mode.setToolTip("Exact words: the words themselves (\"phrases\", prefix*, OR, -word). "
                                    "Meaning: captions that say the same in other words. Both: fused.")
        for label, _mode in SEARCH_MODES:
            self.search_mode.addItem(label)
        toolbar.addWidget(self.search_mode)
        self.addToolBar(toolbar)
        self.find_action = QAction("Search Captions", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(lambda: (self.search_box.setFocus(), self.search_box.selectAll()))
        self.addAction(self.find_action)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search)

    def _build_captioning(self) -> None:
        style = self.style()
        play = style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self.caption_action = QAction(play, "Caption…", self)
        self.caption_action.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.caption_action.setToolTip("Caption the selected photos, or a whole folder, with an AI model "
                                       "(Ctrl+Shift+C)")
        self.caption_action.setEnabled(False)  # until the catalogue is open
        self.caption_action.triggered.connect(self.open_caption_dialog)
        self.unload_action = QAction("Unload Models", self)
        self.unload_action.setToolTip("Free the memory the captioning models hold (they load again "
                                      "when needed)")
        self.unload_action.triggered.connect(self.inference.unload_models)
        self.job_panel = JobPanel(self.inference)
        self.job_panel.new_job_requested.connect(self.open_caption_dialog)
        self.jobs_dock = QDockWidget("Captioning jobs", self)
        self.jobs_dock.setObjectName("jobsDock")
        self.jobs_dock.setWidget(self.job_panel)
        self.jobs_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                   | QDockWidget.DockWidgetFeature.DockWidgetMovable
                                   | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)
        self.jobs_dock.hide()  # shown when a job is queued, or from View > Captioning Jobs
        self.jobs_action = self.jobs_dock.toggleViewAction()
        self.jobs_action.setText("Captioning Jobs")
        self.jobs_action.setShortcut(QKeySequence("Ctrl+J"))
        self.jobs_action.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
        self.jobs_action.setToolTip("Show the captioning jobs: progress, pause, cancel, failures (Ctrl+J)")
        self.toolbar.insertAction(self.toolbar_spacer, self.caption_action)
        self.toolbar.insertAction(self.toolbar_spacer, self.jobs_action)

    def _build_menus(self) -> None:
        self.settings_action = QAction("Settings…", self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self.open_settings)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.close)
        menus = self.menuBar()
        self.file_menu = menus.addMenu("&File")
        self.file_menu.addActions([self.add_folder_action, self.rescan_action, self.remove_library_action])
        self.file_menu.addSeparator()
        self.write_metadata_action = QAction("Write Captions to Files…", self)
        self.write_metadata_action.setToolTip("Write approved captions into the photos' metadata (XMP, IPTC, "
                                              "EXIF) or XMP sidecars, for digiKam, Lightroom and others")
        self.write_metadata_action.triggered.connect(self.open_write_metadata)
        self.export_action = QAction("Export Captions…", self)
        self.export_action.setToolTip("Export captions as CSV, JSON Lines, COCO or a Hugging Face dataset")
        self.export_action.triggered.connect(self.open_export)
        for action in (self.write_metadata_action, self.export_action):
            action.setEnabled(False)  # until the catalogue is open
        self.file_menu.addActions([self.write_metadata_action, self.export_action])
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.settings_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(quit_action)
        self.edit_menu = menus.addMenu("&Edit")
        self.edit_menu.addAction(self.find_action)
        self.review_menu = menus.addMenu("&Review")
        review_actions = self.detail.review_actions()
        undo_redo = [self.detail.undo_action, self.detail.redo_action]
        self.review_menu.addActions([action for action in review_actions if action not in undo_redo])
        self.review_menu.addSeparator()
        self.regenerate_action = self.detail.regenerate_action  # named and enabled as the pane's button
        self.review_menu.addAction(self.regenerate_action)
        self.edit_menu.insertActions(self.find_action, undo_redo)
        self.edit_menu.insertSeparator(self.find_action)
        self.captioning_menu = menus.addMenu("&Captioning")
        self.captioning_menu.addActions([self.caption_action, self.jobs_action])
        self.captioning_menu.addSeparator()
        self.embed_action = QAction("Prepare Search by Meaning", self)
        self.embed_action.setToolTip("Embed every caption not embedded yet, so that searches by meaning "
                                     "find it (captions edited later are embedded as you search)")
        self.embed_action.triggered.connect(self._embed_captions)
        self.embed_action.setEnabled(False)  # until the catalogue is open
        self.captioning_menu.addAction(self.embed_action)
        self.captioning_menu.addAction(self.unload_action)

    def _build_widgets(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)

        sidebar = QWidget()
        sidebar_layout = QVBoxLayout(sidebar)
        sidebar_layout.setContentsMargins(0, 8, 0, 0)
        sidebar_layout.setSpacing(4)
        heading = QLabel("LIBRARIES")
        heading.setContentsMargins(12, 4, 12, 4)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        heading.setFont(font)
        heading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        sidebar_layout.addWidget(heading)
        self.libraries = LibraryList()
        sidebar_layout.addWidget(self.libraries, 1)
        sidebar.setMinimumWidth(180)

        centre = QWidget()
        # The grid's background (Base) behind the header too: one surface, framed by the side panes.
        centre.setBackgroundRole(QPalette.ColorRole.Base)
        centre.setAutoFillBackground(True)
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(0)
        self.messages = MessageBar()
        centre_layout.addWidget(self.messages)

        header = QWidget()
        header_layout = QHBoxLayout(header)
        header_layout.setContentsMargins(16, 10, 12, 8)
        self.library_title = QLabel()
        title_font = self.library_title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.library_title.setFont(title_font)
        header_layout.addWidget(self.library_title)
        self.photo_count = QLabel()
        self.photo_count.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        header_layout.addSpacing(8)
        header_layout.addWidget(self.photo_count, 0, Qt.AlignmentFlag.AlignBaseline)
        header_layout.addStretch(1)
        self.review_filter = QComboBox()
        self.review_filter.setToolTip("Which photos to show")
        for label, _review in REVIEW_FILTERS:
            self.review_filter.addItem(label)
        header_layout.addWidget(self.review_filter)
        self.captioner_filter = QComboBox()
        self.captioner_filter.setToolTip("Only photos whose current caption this captioner wrote")
        self.captioner_filter.addItem(ALL_CAPTIONERS)
        self.captioner_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        header_layout.addWidget(self.captioner_filter)
        header_layout.addSpacing(8)
        header_layout.addWidget(QLabel("Sort:"))
        self.sort_key = QComboBox()
        for label, _key in SORT_KEYS:
            self.sort_key.addItem(label)
        header_layout.addWidget(self.sort_key)
        self.sort_descending = QToolButton()
        self.sort_descending.setCheckable(True)
        self.sort_descending.setAutoRaise(True)
        self.sort_descending.setArrowType(Qt.ArrowType.UpArrow)
        self.sort_descending.setToolTip("Ascending; click for descending")
        header_layout.addWidget(self.sort_descending)
        centre_layout.addWidget(header)

        self.grid = PhotoGrid()
        self.grid.setViewportMargins(8, 0, 0, 0)
        self.grid.setModel(self.model)
        centre_layout.addWidget(self.grid, 1)

        self.detail = DetailPane(review=self.review)
        self.detail.setMinimumWidth(360)

        splitter.addWidget(sidebar)
        splitter.addWidget(centre)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([230, DEFAULT_SIZE.width() - 230 - 440, 440])
        self.setCentralWidget(splitter)

        status = self.statusBar()
        self.status_text = QLabel()
        status.addWidget(self.status_text, 1)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.progress.hide()
        status.addPermanentWidget(self.progress)
        self.job_status = JobStatus(self.inference)
        status.addPermanentWidget(self.job_status)
        self.catalogue_label = QLabel()
        self.catalogue_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        status.addPermanentWidget(self.catalogue_label)

    def _connect(self) -> None:
        backend = self.backend
        backend.catalogue_opened.connect(self._on_catalogue_opened)
        backend.libraries_loaded.connect(self._on_libraries_loaded)
        backend.photos_loaded.connect(self._on_photos_loaded)
        backend.photo_loaded.connect(self._on_photo_loaded)
        backend.folders_loaded.connect(self.libraries.set_folders)
        backend.captioners_loaded.connect(self._on_captioners_loaded)
        backend.library_removed.connect(self._on_library_removed)
        backend.scan_started.connect(self._on_scan_started)
        backend.scan_progress.connect(self._on_scan_progress)
        backend.scan_finished.connect(self._on_scan_finished)
        backend.scan_failed.connect(self._on_scan_failed)
        backend.error.connect(self._on_error)
        self.unexpected_error.connect(self._on_error)
        self.review.changed.connect(self._on_photo_changed)
        self.review.failed.connect(self._on_error)
        self.review.recovered.connect(
            lambda ids: self._set_status(f"Recovered unsaved caption edits of {plural(len(ids), 'photo')}; "
                                         "see their history"))
        self.detail.advance_requested.connect(self.select_next_needing_review)
        self.detail.move_requested.connect(self.select_neighbour)
        self.detail.regenerate_requested.connect(self.regenerate)
        inference = self.inference
        inference.item_done.connect(self._on_caption_stored)
        inference.job_finished.connect(self._on_job_ended)
        inference.job_cancelled.connect(self._on_job_ended)
        inference.notice.connect(lambda _job, text: self._set_status(sentence(text)))
        inference.failed.connect(self._on_error)
        self.previews.loaded.connect(self._on_preview)
        self.libraries.location_selected.connect(self._on_location_selected)
        self.libraries.context_actions = [self.rescan_action, self.remove_library_action]
        for combo in (self.review_filter, self.captioner_filter, self.sort_key):
            combo.currentIndexChanged.connect(lambda _index: self._load_photos(keep_selection=True))
        self.sort_descending.toggled.connect(self._on_sort_direction)
        self.search_box.textChanged.connect(lambda _text: self._search_timer.start())
        self.search_box.returnPressed.connect(self._on_search)
        self.search_mode.currentIndexChanged.connect(lambda _index: self._on_search())
        self.searches.results.connect(self._on_search_results)
        self.searches.failed.connect(self._on_search_failed)
        self.searches.embed_progress.connect(
            lambda done, total: self._set_status(f"Preparing search by meaning… {done:,}/{total:,} captions"))
        self.searches.embedded.connect(self._on_embedded)
        self.file_tasks.finished.connect(self._on_file_task_finished)
        self.file_tasks.failed.connect(lambda _name, message: self._on_error(message))
        # The detail pane follows the current photo; several may be selected (to caption them).
        self.grid.selectionModel().currentChanged.connect(self._on_photo_selected)

    # -- public --------------------------------------------------------------------------------

    def start(self, db: str | None = None, folder: str | None = None) -> None:
        """Open the catalogue (off this thread); then scan ``folder``, or the sample library into an
        empty catalogue; then show the libraries."""
        self._started = True
        self._startup_folder = folder
        self._set_status("Opening the catalogue…")
        self.backend.open_catalogue(db)

    def scan(self, folder: str, select: bool = True) -> None:
        """Add or refresh ``folder`` in the background; with ``select``, show it when done."""
        self._scans_pending += 1
        if select:
            self._select_after_scan.add(folder)
        self.backend.scan(folder)

    def is_settled(self) -> bool:
        """Everything asked for has arrived and the visible thumbnails are painted-ready."""
        if not self._started or self.backend.busy or self._scans_pending or self.previews.busy:
            return False
        if self._search_request:
            return False  # a search by meaning is still running
        if not self._photos_complete:
            return False
        if self.model.rowCount() and not self.grid.visible_rows():
            return False  # laid out in batches: not placed on screen yet
        return self.grid.visible_thumbnails_ready()

    def errors(self) -> list[str]:
        """The error messages the window shows."""
        return self.messages.messages()

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.detail.flush()  # typed text becomes a revision before the review thread stops
        self.review.shutdown()
        self.searches.shutdown()
        self.file_tasks.shutdown()  # a file being written is finished, never cut in half
        self.inference.shutdown()  # a running job stays queued and resumes at the next start
        self.previews.shutdown()
        self.thumbnails.shutdown()
        self.backend.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # -- catalogue and libraries ----------------------------------------------------------------

    @Slot(str)
    def _on_catalogue_opened(self, location: str) -> None:
        self.catalogue_label.setText(f"Catalogue: {display_path(location)}")
        self.catalogue_label.setToolTip(display_path(location))
        self.add_folder_action.setEnabled(True)
        self.caption_action.setEnabled(True)
        self.embed_action.setEnabled(True)
        self.write_metadata_action.setEnabled(True)
        self.export_action.setEnabled(True)
        self._set_status("")
        if self.backend.catalogue is not None:
            self.review.open(self.backend.catalogue)  # commits edits a crash left unsaved
            self.searches.open(self.backend.catalogue)
            self.file_tasks.open(self.backend.catalogue)
            self.inference.open(self.backend.catalogue)  # resumes jobs a crash or close interrupted
        if self._startup_folder is not None:
            self.scan(self._startup_folder)
        self.backend.load_libraries()

    @Slot(object)
    def _on_libraries_loaded(self, libraries: list[LibrarySummary]) -> None:
        first, self._first_libraries = self._first_libraries, False
        if first and not libraries and self._startup_folder is None:
            self._add_sample_library()
        previous = self.libraries.selected_id()
        wanted, self._wanted_library = self._wanted_library, None
        self.libraries.set_libraries(libraries, select=wanted)
        self.rescan_action.setEnabled(bool(libraries))
        self.remove_library_action.setEnabled(bool(libraries))
        for library in libraries:
            self.backend.load_folders(library.id)
        self.backend.load_captioners()
        if self.libraries.selected_id() == previous and (self._photos_stale or not libraries):
            self._load_photos(keep_selection=True)
        self._photos_stale = False
        self._update_header()

    def _add_sample_library(self) -> None:
        try:
            sample = locations.sample_library_dir()
        except FileNotFoundError as exc:
            self._on_error(str(exc))
            return
        self._set_status("Adding the sample library…")
        self.scan(str(sample))

    @Slot(object, object)
    def _on_location_selected(self, _library_id: int | None, _folder: str | None) -> None:
        if self._searching_by_meaning():
            self._search_ids = None
            self._start_search()  # its filters changed: the ranking too
        self._load_photos(keep_selection=False)

    @Slot()
    def _remove_current_library(self) -> None:
        library = self.libraries.library(self.libraries.selected_id())
        if library is None:
            return
        answer = QMessageBox.question(
            self, "Remove library",
            f"Remove “{library.name}” from the catalogue?\n\nIts {plural(library.photos, 'photo')} and all "
            "their captions and caption history leave the catalogue, including captions people wrote "
            "or approved that were not written into the files. The photo files themselves are not "
            "touched; adding the folder again scans them anew.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.backend.remove_library(library.id)

    @Slot(str, int, int)
    def _on_library_removed(self, name: str, photos: int, by_people: int) -> None:
        removed = plural(photos, "photo")
        if by_people:
            removed += f" and {plural(by_people, 'caption')} by people"
        self._set_status(f"Removed {display_path(name)} from the catalogue ({removed})")
        self._photos_stale = True
        self.backend.load_libraries()

    @Slot(object)
    def _on_captioners_loaded(self, captioner_ids: list[str]) -> None:
        chosen = self.captioner_filter.currentText()
        self.captioner_filter.blockSignals(True)
        try:
            self.captioner_filter.clear()
            self.captioner_filter.addItems([ALL_CAPTIONERS, *captioner_ids])
            self.captioner_filter.setCurrentIndex(max(0, self.captioner_filter.findText(chosen)))
        finally:
            self.captioner_filter.blockSignals(False)
        self.captioner_filter.setVisible(bool(captioner_ids))
        if self.captioner_filter.currentText() != chosen:
            self._load_photos(keep_selection=True)  # the captioner filtered on has no captions now

    @Slot()
    def _on_search(self) -> None:
        self._search_timer.stop()
        searching = bool(self.search_text())
        key = SORT_KEYS[self.sort_key.currentIndex()][1]
        # Best matches first while searching, unless the user chose an order; name order after.
        wanted = (SortKey.RELEVANCE if searching and key is SortKey.NAME
                  else SortKey.NAME if not searching and key is SortKey.RELEVANCE else key)
        self.sort_key.blockSignals(True)  # one reload, below
        self.sort_key.setCurrentIndex(self._sort_index(wanted))
        self.sort_key.blockSignals(False)
        self._search_ids = None
        if self._searching_by_meaning():
            self._start_search()
        else:
            self._search_request = 0
        self._load_photos(keep_selection=True)

    def search_mode_value(self) -> SearchMode:
        return SEARCH_MODES[max(0, self.search_mode.currentIndex())][1]

    def _searching_by_meaning(self) -> bool:
        return bool(self.search_text()) and self.search_mode_value() is not SearchMode.KEYWORD

    def _start_search(self) -> None:
        """Run a semantic or hybrid search on the search thread; the grid shows its photos when it ends."""
        filters = SearchFilters(library_id=self.libraries.selected_id(),
                                folder=self.libraries.selected_folder())
        self._search_request = self.searches.search(self.search_text(), self.search_mode_value(), filters)
        self._set_status("Searching…")

    @Slot(int, object, str, object)
    def _on_search_results(self, request_id: int, photo_ids: list[int], mode: str,
                           notices: list[str]) -> None:
        if request_id != self._search_request:
            return
        self._search_request = 0
        self._search_ids = tuple(photo_ids)
        self._set_status(sentence(notices[0]) if notices else f"{plural(len(photo_ids), 'photo')} found")
        self._load_photos(keep_selection=False)

    @Slot()
    def _embed_captions(self) -> None:
        self.embed_action.setEnabled(False)  # one run at a time
        self._set_status("Preparing search by meaning…")
        self.searches.embed()

    @Slot(str)
    def _on_embedded(self, message: str) -> None:
        self.embed_action.setEnabled(True)
        if message.startswith("cannot"):
            self._on_error(message)
        else:
            self._set_status(message)

    @Slot(int, str)
    def _on_search_failed(self, request_id: int, message: str) -> None:
        if request_id == self._search_request:
            self._search_request = 0
            self._search_ids = ()
            self._on_error(message)
            self._load_photos(keep_selection=False)

    @Slot(bool)
    def _on_sort_direction(self, descending: bool) -> None:
        self.sort_descending.setArrowType(Qt.ArrowType.DownArrow if descending else Qt.ArrowType.UpArrow)
        self.sort_descending.setToolTip("Descending; click for ascending" if descending
                                        else "Ascending; click for descending")
        self._load_photos(keep_selection=True)

    def search_text(self) -> str:
        return self.search_box.text().strip()

    @staticmethod
    def _sort_index(key: SortKey) -> int:
        return next(number for number, (_label, each) in enumerate(SORT_KEYS) if each is key)

    def photo_query(self) -> PhotoQuery:
        """What the grid shows: the sidebar's library or folder, the filters, the search and the order."""
        captioner = self.captioner_filter.currentText()
        by_meaning = self._searching_by_meaning()
        return PhotoQuery(
            library_id=self.libraries.selected_id(),
            folder=self.libraries.selected_folder(),
            review=REVIEW_FILTERS[max(0, self.review_filter.currentIndex())][1],
            captioner=None if captioner in ("", ALL_CAPTIONERS) else captioner,
            # Exact words filter the listing itself; a search by meaning lists the photos it found
            # (none while it runs).
            text=None if by_meaning else self.search_text() or None,
            photo_ids=(self._search_ids or ()) if by_meaning else None,
            sort=SORT_KEYS[max(0, self.sort_key.currentIndex())][1],
            descending=self.sort_descending.isChecked(),
        )

    # -- photos --------------------------------------------------------------------------------

    def _load_photos(self, keep_selection: bool) -> None:
        library_id = self.libraries.selected_id()
        self._reselect = self._selected_row().id if keep_selection and self._selected_row() else None
        if library_id is None:
            self._photos_request = 0  # no request has id 0: answers to earlier ones are dropped
            self._photos_complete = True
            self.model.set_rows([])
            self.detail.clear("No photos yet.\n\nAdd a folder of photos: File > Add Folder… (Ctrl+O)")
            self._update_header()
            return
        self._photos_complete = False
        self._photos_first_chunk = True
        self._photos_request = self.backend.load_photos(self.photo_query())
        self._update_header()

    @Slot(int, object, bool)
    def _on_photos_loaded(self, request_id: int, rows: list[PhotoRow], last: bool) -> None:
        if request_id != self._photos_request:
            return
        offset = 0
        if self._photos_first_chunk:
            self._photos_first_chunk = False
            self.model.set_rows(rows)
        else:
            offset = self.model.rowCount()
            self.model.append_rows(rows)
        if self._reselect is not None:
            found = next((number for number, row in enumerate(rows) if row.id == self._reselect), None)
            if found is not None:
                self._reselect = None
                self._select_row(offset + found)
        if last:
            self._photos_complete = True
            if not self._selected_row():
                self._reselect = None
                if self.model.rowCount():
                    self._select_row(0)
                else:
                    self.detail.clear("No photos to show here.\n\nChoose another filter, search or folder.")
        elif self._reselect is None and not self._selected_row() and self.model.rowCount():
            self._select_row(0)
        self._update_header()

    def _select_row(self, number: int) -> None:
        index = self.model.index(number)
        self.grid.setCurrentIndex(index)
        self.grid.scrollTo(index)

    def _selected_row(self) -> PhotoRow | None:
        """The current photo (the one the detail pane shows)."""
        index = self.grid.currentIndex()
        if not index.isValid() or index.row() >= self.model.rowCount():
            return None
        return self.model.rows()[index.row()]

    def selected_photo_ids(self) -> list[int]:
        """The photos selected in the grid, in grid order."""
        rows = self.model.rows()
        ranges = self.grid.selectionModel().selection()
        return sorted({rows[number].id: number for selected in ranges
                       for number in range(selected.top(), selected.bottom() + 1)},
                      key=lambda photo_id: self.model.row_number(photo_id) or 0)

    def select_next_needing_review(self) -> bool:
        """Move to the next photo in the grid whose current caption awaits review (a draft); False,
        with a word in the status bar, when none is left after the current one."""
        rows = self.model.rows()
        current = self.grid.currentIndex().row() if self.grid.currentIndex().isValid() else -1
        for number in range(current + 1, len(rows)):
            row = rows[number]
            if row.caption_state is ReviewState.DRAFT and row.status is PhotoStatus.OK:  # others: read-only
                self._select_row(number)
                return True
        self._set_status("No photo after this one needs review in this view")
        return False

    def select_neighbour(self, step: int) -> None:
        """Move to the previous (-1) or next (+1) photo in the grid."""
        current = self.grid.currentIndex().row() if self.grid.currentIndex().isValid() else -1
        number = min(max(current + step, 0), self.model.rowCount() - 1)
        if number >= 0 and number != current:
            self._select_row(number)

    @Slot(int, object)
    def _on_photo_changed(self, _photo_id: int, details: dict[str, Any]) -> None:
        """A caption of a photo changed (a review, an edit): repaint its cell and, if shown, its details."""
        number = self.model.row_number(details["id"])
        if number is not None:
            old = self.model.rows()[number]
            current = next((caption for caption in details["captions"] if caption["current"]), None)
            self.model.update_row(replace(
                old,
                caption=current["text"] if current else None,
                caption_state=ReviewState(current["state"]) if current else None,
                caption_origin=CaptionOrigin(current["origin"]) if current else None,
                captioner_id=current["captioner"] if current else None,
                confidence=current["confidence"] if current else None,
            ))
        row = self._selected_row()
        if row is not None and row.id == details["id"] and not self.detail.is_editing():
            self.detail.show_photo(details)

    @Slot()
    def _on_photo_selected(self) -> None:
        row = self._selected_row()
        if row is None:
            self.previews.cancel()
            return
        self.detail.show_loading(row.name)
        self._detail_request = self.backend.load_photo(row.id)
        if row.status is PhotoStatus.OK:
            self.previews.request(row.path)
        else:
            self.previews.cancel()

    @Slot(int, object)
    def _on_photo_loaded(self, request_id: int, details: dict[str, Any]) -> None:
        if request_id == self._detail_request:
            self.detail.show_photo(details)

    @Slot(int, QImage, str)
    def _on_preview(self, request_id: int, image: QImage, reason: str) -> None:
        if self.previews.accept(request_id):
            self.detail.show_preview(image, reason)

    def _update_header(self) -> None:
        library = self.libraries.library(self.libraries.selected_id())
        if library is None:
            self.library_title.setText("No library" if not self.libraries.libraries() else "")
            self.photo_count.setText("")
            self.setWindowTitle(APP_TITLE)
            return
        folder = self.libraries.selected_folder()
        title = f"{library.name} / {display_path(folder)}" if folder else library.name
        self.library_title.setText(title)
        self.setWindowTitle(f"{title} — {APP_TITLE}")
        shown = self.model.rowCount()
        query = self.photo_query()
        if not self._photos_complete and not shown:
            count = "Loading…"
        elif query.review is None and query.captioner is None and query.text is None and not folder:
            count = plural(shown, "photo")
        else:
            count = f"{shown:,} of {plural(library.photos, 'photo')}"
        problems = []
        if library.errors:
            problems.append(f"{library.errors:,} cannot be read")
        if library.missing:
            problems.append(f"{library.missing:,} missing")
        self.photo_count.setText(" · ".join([count, *problems]))

    # -- scanning ------------------------------------------------------------------------------

    @Slot()
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", str(Path.home()))
        if folder:
            self.scan(folder)

    @Slot()
    def _rescan_current(self) -> None:
        library = self.libraries.library(self.libraries.selected_id())
        if library is not None:
            self.scan(library.root, select=False)

    @Slot(str)
    def _on_scan_started(self, folder: str) -> None:
        self.progress.setRange(0, 0)  # busy until the walk has counted the files
        self.progress.show()
        self._set_status(f"Scanning {_folder_name(folder)}…")

    @Slot(str, int, int)
    def _on_scan_progress(self, folder: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done if total else 1)
        progress = f"{done:,}/{total:,}" if total else "no new or changed files"
        self._set_status(f"Scanning {_folder_name(folder)}… {progress}")

    @Slot(str, object)
    def _on_scan_finished(self, folder: str, report: ScanReport) -> None:
        self._scan_ended()
        self._set_status(scan_summary(report))
        if report.thumbnail_warning:  # the photos are fine: one message per scan, not one per photo
            self.messages.show_error(sentence(report.thumbnail_warning))
        self.thumbnails.forget_failures()
        if folder in self._select_after_scan:
            self._select_after_scan.discard(folder)
            inside = os.path.relpath(os.path.realpath(folder), report.root)
            if os.path.isdir(folder) and inside != "." and not inside.startswith(".."):
                # A folder inside a library: show that folder, not the whole library.
                self.libraries.select_when_listed(report.library_id, inside.replace(os.sep, "/"))
            else:
                self._wanted_library = report.library_id
        if report.library_id == self.libraries.selected_id():
            self._photos_stale = True
        self.backend.load_libraries()

    @Slot(str, str)
    def _on_scan_failed(self, folder: str, message: str) -> None:
        self._scan_ended()
        self._select_after_scan.discard(folder)
        self._on_error(message)

    def _scan_ended(self) -> None:
        self._scans_pending -= 1
        if not self._scans_pending:
            self.progress.hide()

    # -- captioning jobs -------------------------------------------------------------------------

    @Slot(object)
    def _on_caption_stored(self, item: ItemDone) -> None:
        number = self.model.row_number(item.photo_id)
        if number is not None and item.is_current:  # the grid shows the new draft at once
            self.model.update_row(replace(
                self.model.rows()[number], caption=item.result.text, caption_state=ReviewState.DRAFT,
                caption_origin=CaptionOrigin.AI, captioner_id=item.captioner_id,
                confidence=item.result.confidence))
        row = self._selected_row()
        if row is not None and row.id == item.photo_id and not self.detail.is_editing():
            self._detail_request = self.backend.load_photo(row.id)

    @Slot(object)
    def _on_job_ended(self, job: Any) -> None:
        if job.state is JobState.FAILED:
            self._on_error(ended_text(job))
        else:
            self._set_status(ended_text(job))
        self._load_photos(keep_selection=True)  # the grid shows the new captions
        self.backend.load_captioners()
        if job.kind == CAPTION_JOB and job.done:
            self.searches.embed(only_if_loaded=True)  # searches by meaning find the new captions too

    def _registry(self) -> PluginRegistry:
        if self._plugins is None:
            self._plugins = load_plugins()  # plugins only, no torch: a few tens of milliseconds
        return self._plugins

    @Slot()
    def open_caption_dialog(self) -> CaptionDialog | None:
        """Ask what to caption with which captioner; queue the job when the user accepts."""
        library = self.libraries.library(self.libraries.selected_id())
        folder, label = None, None
        if library is not None:
            inside = self.libraries.selected_folder()
            folder = os.path.join(library.root, *inside.split("/")) if inside else library.root
            label = f"{library.name} / {display_path(inside)}" if inside else library.name
        captioners = list(self._registry().captioners.values())
        if not captioners:
            self._on_error("no captioner is installed: see photo-annotator plugins")
            return None
        dialog = CaptionDialog(captioners, load_settings(), photo_ids=self.selected_photo_ids(),
                               folder=folder, folder_label=label, parent=self)
        dialog.accepted.connect(lambda: self._queue(dialog.request()))
        dialog.open()
        return dialog

    def _queue(self, request: CaptionRequest) -> None:
        if request.needs_disclaimer:
            if not confirm_disclaimer(self, self._registry().get_captioner(request.captioner_id)):
                self._set_status("Not queued: the disclaimer was not acknowledged")
                return
            request = request.acknowledged()
        self.inference.queue_request(request)
        self.jobs_dock.show()

    @Slot(int, object)
    def regenerate(self, photo_id: int, captioner_id: str | None) -> None:
        """Caption one photo again with the captioner of its caption (the model from the settings);
        a photo without a model's caption opens the caption dialog instead."""
        if captioner_id is None or captioner_id not in self._registry().captioners:
            self.open_caption_dialog()
            return
        captioner = self._registry().get_captioner(captioner_id)
        self._queue(CaptionRequest(captioner_id, None, photo_ids=(photo_id,),
                                   needs_disclaimer=needs_acknowledgement(captioner)))

    # -- photo files: metadata write-back and exports ---------------------------------------------

    def _location(self) -> tuple[PhotoQuery | None, str]:
        """The sidebar's library or folder, as a selection of photos and a label."""
        library = self.libraries.library(self.libraries.selected_id())
        if library is None:
            return None, ""
        folder = self.libraries.selected_folder()
        label = f"{library.name} / {display_path(folder)}" if folder else library.name
        return PhotoQuery(library_id=library.id, folder=folder), label

    @Slot()
    def open_write_metadata(self) -> WriteMetadataDialog:
        location, label = self._location()
        dialog = WriteMetadataDialog(self.selected_photo_ids(), location, label, parent=self)
        dialog.accepted.connect(lambda: self._write_metadata(dialog))
        dialog.open()
        return dialog

    def _write_metadata(self, dialog: WriteMetadataDialog) -> None:
        from desktop_app.library.metadata.write import write_metadata

        query, mode, force = dialog.query(), dialog.mode(), dialog.force_box.isChecked()
        thumbnails = self.backend.thumbnails  # a rewritten file's thumbnail follows its new hash
        if query is None:
            return
        dry_run = dialog.preview_requested
        self._set_status("Checking what would change…" if dry_run else "Writing captions to files…")
        self.file_tasks.run("preview" if dry_run else "write-metadata",
                            lambda catalogue: write_metadata(catalogue, query, mode=mode, dry_run=dry_run,
                                                             force=force, thumbnails=thumbnails))

    @Slot()
    def open_export(self) -> ExportDialog:
        location, label = self._location()
        dialog = ExportDialog(self.selected_photo_ids(), location, label, parent=self)
        dialog.accepted.connect(lambda: self._export(dialog))
        dialog.open()
        return dialog

    def _export(self, dialog: ExportDialog) -> None:
        from desktop_app.exports import export

        fmt, output, query = dialog.format(), dialog.output(), dialog.query()
        approved_only, force = dialog.approved_box.isChecked(), dialog.force_box.isChecked()
        link = dialog.link()
        self._set_status(f"Exporting captions to {display_path(str(output))}…")
        self.file_tasks.run("export", lambda catalogue: export(catalogue, fmt, output, query,
                                                               approved_only=approved_only, force=force,
                                                               link=link))

    @Slot(str, object)
    def _on_file_task_finished(self, name: str, report: Any) -> None:
        summary = sentence(report.summary())
        self._set_status(summary)
        lines = [_outcome_line(outcome) for outcome in getattr(report, "outcomes", [])] + [
            f"{display_path(str(path))}: {reason}" for path, reason in getattr(report, "skipped_files", [])]
        if name in ("preview", "write-metadata") or lines:
            title = {"preview": "What would change", "write-metadata": "Captions written to files"}.get(
                name, "Export")
            self.last_report = ReportDialog(title, summary, lines, parent=self)
            self.last_report.open()
        if name == "write-metadata":
            self._load_photos(keep_selection=True)  # the files' sizes and dates changed

    # -- settings ---------------------------------------------------------------------------------

    @Slot()
    def open_settings(self) -> SettingsDialog:
        location = self.backend.catalogue.location if self.backend.catalogue else None
        # The window's plugin registry, loaded once, rather than the dialog loading the plugins again.
        dialog = SettingsDialog(captioners=list(self._registry().captioners.values()),
                                current_catalogue=location, parent=self)
        dialog.settings_changed.connect(self._apply_settings)
        dialog.open()
        return dialog

    @Slot(object)
    def _apply_settings(self, settings: Settings) -> None:
        # Thumbnails made from now on use the new size; captioning picks its settings up at the next job.
        self.backend.thumbnails.size = settings.library.thumbnail_size
        self.inference.apply_settings()
        self._set_status("Settings saved")

    # -- messages ------------------------------------------------------------------------------

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.messages.show_error(sentence(message))
        self._set_status(sentence(message))

    def _set_status(self, text: str) -> None:
        self.status_text.setText(text)
