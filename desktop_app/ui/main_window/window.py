"""The main window: libraries on the left, the thumbnail grid in the middle, the selected photo on the right.

The window only places parts and wires them: each area is run by a small controller of this package
(browsing, search, scanning, captioning, file tasks, settings), the actions are made in actions.py and
the fixed parts in parts.py. Work runs on the workers' threads; every answer carries the id of its
request, so one that arrives after the user moved on is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QGuiApplication, QPalette, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QSplitter, QStackedWidget, QWidget

from desktop_app.catalogue.models import CaptionKind
from desktop_app.catalogue.photos import display_path
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from desktop_app.services.changes import Changes
from desktop_app.ui import wording
from desktop_app.ui.accessibility import text_scale
from desktop_app.ui.main_window import layout_state, parts
from desktop_app.ui.main_window.actions import NEEDS_CATALOGUE, MainAction, create_actions
from desktop_app.ui.main_window.browsing import BrowseController
from desktop_app.ui.main_window.captioning import CaptionController
from desktop_app.ui.main_window.file_tasks import FileTaskController
from desktop_app.ui.main_window.fine_tuning import FineTuneController
from desktop_app.ui.main_window.importing import ImportController
from desktop_app.ui.main_window.keywording import KeywordController
from desktop_app.ui.main_window.quality import QualityController
from desktop_app.ui.main_window.reviewing import ReviewQueueController
from desktop_app.ui.main_window.scanning import ScanController
from desktop_app.ui.main_window.search import SEARCH_MODES, SearchController
from desktop_app.ui.main_window.settings import SettingsController
from desktop_app.ui.main_window.tagging import TagController
from desktop_app.ui.main_window.viewing import ViewController
from desktop_app.ui.main_window.watching import WatchController
from desktop_app.ui.widgets.detail.pane import DetailPane
from desktop_app.ui.widgets.full_preview import FullPreview
from desktop_app.ui.widgets.grid_header import REVIEW_FILTERS, SORT_KEYS, GridHeader
from desktop_app.ui.widgets.image_loading import PreviewLoader, ThumbnailLoader
from desktop_app.ui.widgets.job_panel import JobPanel
from desktop_app.ui.widgets.job_status import JobStatus
from desktop_app.ui.widgets.keyword_panel import KeywordPanel
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.widgets.message_bar import MessageBar
from desktop_app.ui.widgets.photo_grid import MAX_THUMBNAIL, PhotoGrid, PhotoListModel
from desktop_app.ui.widgets.status_message import StatusMessage
from desktop_app.ui.widgets.suggestion_bar import SuggestionBar
from desktop_app.ui.widgets.thumbnail_size import ThumbnailSizeSlider
from desktop_app.ui.wording import sentence
from desktop_app.ui.workers.backend import Backend, LibrarySummary
from desktop_app.ui.workers.changes import ChangeService
from desktop_app.ui.workers.file_tasks import FileTasks
from desktop_app.ui.workers.importing import ImportService
from desktop_app.ui.workers.inference import InferenceService
from desktop_app.ui.workers.keywords import KeywordService
from desktop_app.ui.workers.review import ReviewService
from desktop_app.ui.workers.review_queue import ReviewQueueService
from desktop_app.ui.workers.search import SearchRunner
from desktop_app.ui.workers.watching import WatchService

APP_TITLE = "Photo Annotator"
DEFAULT_SIZE = QSize(1400, 900)
SIDEBAR_WIDTH, DETAIL_WIDTH = 230, 470  # the review buttons fit without scrolling sideways
CATALOGUE_LABEL_WIDTH = 320  # the most the status bar's catalogue path takes, at the usual text size
# Thumbnails are decoded at the largest size the slider offers, so a size change needs no new decoding;
# fewer of them fit the memory that 1,000 default-sized ones took (about 120 MB at 320 px).
THUMBNAILS_IN_MEMORY = 400


class MainWindow(QMainWindow):
    """The photo browser. Call ``start()`` to open a catalogue; ``shutdown()`` runs on close."""

    unexpected_error = Signal(str)  # from any thread: a one-line message the window shows

    def __init__(self, thumbnails: ThumbnailCache | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(APP_TITLE)
        self.resize(DEFAULT_SIZE)
        self._started = False
        self._startup_folder: str | None = None
        self._closed = False
        self._plugins: PluginRegistry | None = None

        # The workers: each runs its work on a thread of its own.
        self.backend = Backend(thumbnails, self)
        screen = QGuiApplication.primaryScreen()
        ratio = screen.devicePixelRatio() if screen is not None else 1.0
        self._ratio = ratio
        self.thumbnails = ThumbnailLoader(self.backend.thumbnails, QSize(MAX_THUMBNAIL, MAX_THUMBNAIL), ratio,
                                          memory_items=THUMBNAILS_IN_MEMORY, parent=self)
        self.previews = PreviewLoader(parent=self)
        self.inference = InferenceService(parent=self)
        self.review = ReviewService(parent=self)
        self.keyword_service = KeywordService(self.review.undo_stack, parent=self)  # one undo stack for both
        self.searches = SearchRunner(parent=self)
        self.file_tasks = FileTasks(parent=self)
        self.changes = ChangeService(parent=self)  # other editors' changes, shown within seconds
        self.review_queue = ReviewQueueService(parent=self)  # the most useful photo next, claims
        self.imports = ImportService(self.backend.thumbnails, parent=self)  # dropped and pasted photos
        self.watch_service = WatchService(parent=self)  # watched libraries, while the app is open

        self.main_actions = create_actions(self)
        self._layout = layout_state.load()  # the layout of the last session, or the defaults
        self._shown_once = False
        self._build_parts()
        self._restore_header()  # before the controllers listen: no listing for it
        # Before the BrowseController connects: the remembered library is chosen in the first listing.
        self.backend.libraries_loaded.connect(self._restore_library)
        self._build_controllers()
        self._connect()
        self._restore_view()
        self.grid.setFocus()  # arrow keys move through the photos from the start

    # -- building ------------------------------------------------------------------------------

    def _build_parts(self) -> None:
        self.model = PhotoListModel(self.thumbnails, self)
        self.libraries = LibraryList()
        self.messages = MessageBar()
        self.header = GridHeader()
        self.grid = PhotoGrid()
        self.grid.setModel(self.model)
        self.detail = DetailPane(review=self.review, keywords=self.keyword_service)
        self.keyword_panel = KeywordPanel(self.keyword_service)
        self.detail.setMinimumWidth(360)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)
        splitter.addWidget(parts.sidebar(self.libraries, self.keyword_panel))
        self.suggestions = SuggestionBar()
        splitter.addWidget(parts.centre(self.messages, self.header, self.grid, self.suggestions))
        splitter.addWidget(self.detail)
        for number, stretch in enumerate((0, 1, 0)):
            splitter.setStretchFactor(number, stretch)
        splitter.setSizes(self._default_pane_widths())
        self.splitter = splitter
        # The panes, or the full-window preview in their place.
        self.central = QStackedWidget()
        self.central.addWidget(splitter)
        self.full_preview = FullPreview()
        self.central.addWidget(self.full_preview)
        self.setCentralWidget(self.central)

        self.job_panel = JobPanel(self.inference)
        self.jobs_dock = parts.jobs_dock(self, self.job_panel)

        status = self.statusBar()
        self.status_text = StatusMessage()  # elided to fit; the whole text behind Details…
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
        # At the right, as in digiKam and Lightroom; sharp up to the made size at this pixel ratio.
        self.thumbnail_size = ThumbnailSizeSlider(sharp_up_to=int(MAX_THUMBNAIL / self._ratio))
        status.addPermanentWidget(self.thumbnail_size)

    def _build_controllers(self) -> None:
        actions = self.main_actions
        self.search = SearchController(self.searches, self.libraries, self.header, actions[MainAction.FIND],
                                       actions[MainAction.EMBED], self)
        self.browse = BrowseController(self.backend, self.libraries, self.header, self.grid, self.model,
                                       self.detail, self.previews, self.search, self._writes_descriptions,
                                       self)
        self.scanning = ScanController(self.backend, self.libraries, self.thumbnails, self.progress,
                                       actions[MainAction.ADD_FOLDER], actions[MainAction.RESCAN],
                                       actions[MainAction.REMOVE_LIBRARY], self)
        self.watching = WatchController(self.watch_service, self.inference, self.libraries, self._registry,
                                        actions[MainAction.WATCH_LIBRARY], actions[MainAction.STOP_WATCHING],
                                        self)
        self.captioning = CaptionController(
            self.inference, self.searches, self._registry, self.browse.location,
            self.browse.selected_photo_ids, self.jobs_dock, actions[MainAction.CAPTION],
            actions[MainAction.TRAIN], actions[MainAction.UNLOAD_MODELS], self)
        self.tagging = TagController(self.inference, self._registry, self.browse.location,
                                     self.browse.selected_photo_ids, self.jobs_dock,
                                     actions[MainAction.SUGGEST_KEYWORDS], self)
        self.files = FileTaskController(self.file_tasks, self.backend.thumbnails, self.browse.location,
                                        self.browse.selected_photo_ids, actions[MainAction.WRITE_METADATA],
                                        actions[MainAction.EXPORT], self)
        self.keywords = KeywordController(self.keyword_service, self.keyword_panel, self.detail.keyword_box,
                                          self.browse, self)
        self.settings = SettingsController(self.backend, self.inference, self._registry,
                                           actions[MainAction.SETTINGS], self)
        self.quality = QualityController(self.backend, actions[MainAction.QUALITY], self)
        self.view = ViewController(self.browse, self.grid, self.model, self.detail, self.central,
                                   self.full_preview, self.thumbnail_size, actions, self)
        self.reviewing = ReviewQueueController(self.review_queue, self.browse, self, activity=[
            self.detail.review_box.editor.textChanged, self.review.changed])
        self.fine_tuning = FineTuneController(self.review_queue, self.inference, self.suggestions,
                                              self.captioning.open_train_dialog, self._captioner_name, self)
        self.importing = ImportController(self.imports, self.libraries, self.grid, self._import_target,
                                          self.progress, actions[MainAction.PASTE_IMAGE], self)
        jobs_action = self.jobs_dock.toggleViewAction()
        self.toolbar = parts.toolbar(self, actions, jobs_action, [self.search.box, self.search.mode])
        parts.menus(self, actions, jobs_action, self.detail)

    def _connect(self) -> None:
        controllers = (self.search, self.browse, self.scanning, self.captioning, self.files, self.settings,
                       self.view, self.keywords, self.tagging, self.reviewing, self.fine_tuning,
                       self.importing, self.watching)
        for controller in controllers:
            controller.status.connect(self._set_status)
            controller.error.connect(self._on_error)
        self.backend.catalogue_opened.connect(self._on_catalogue_opened)
        self.backend.error.connect(self._on_error)
        self.unexpected_error.connect(self._on_error)
        self.browse.title_changed.connect(
            lambda title: self.setWindowTitle(f"{title} — {APP_TITLE}" if title else APP_TITLE))
        self.browse.sample_wanted.connect(self.scanning.add_sample_library)
        self.scanning.library_wanted.connect(self.browse.want_library)
        self.scanning.photos_changed.connect(self.browse.mark_stale)
        self.importing.photos_changed.connect(self.browse.mark_stale)
        self.importing.photos_changed.connect(lambda _library: self.backend.load_libraries())
        self.importing.caption_wanted.connect(self.inference.queue_caption_job)
        self.watching.photos_arrived.connect(self.browse.mark_stale)  # a watched library's new photos
        self.watching.photos_arrived.connect(lambda _library: self.backend.load_libraries())
        self.watching.libraries_changed.connect(self.backend.load_libraries)
        self.backend.libraries_loaded.connect(self.watching.libraries_loaded)
        self.scanning.warning.connect(lambda text: self.messages.show_error(sentence(text)))
        self.captioning.captions_changed.connect(self._on_captions_changed)
        self.files.files_changed.connect(lambda: self.browse.load_photos(keep_selection=True))
        self.files.files_changed.connect(self.keywords.refresh)  # written back: in the file now
        self.tagging.keywords_changed.connect(self.keywords.refresh)  # a tagging job's suggestions
        self.scanning.photos_changed.connect(lambda _library: self.keywords.refresh())
        self.job_panel.new_job_requested.connect(self.captioning.open_dialog)
        self.detail.regenerate_requested.connect(self.captioning.regenerate)
        self.detail.explain_requested.connect(self.inference.explain)  # where the model looked (issue 20)
        self.inference.explained.connect(self.detail.show_explanation)
        self.inference.item_done.connect(self.browse.on_caption_stored)
        self.review.changed.connect(self.browse.on_photo_changed)
        self.review.changed.connect(self.fine_tuning.reviewed)
        self.settings.applied.connect(self.reviewing.apply_settings)
        self.changes.changed.connect(self._on_changed_elsewhere)
        self.review.failed.connect(self._on_error)
        self.review.recovered.connect(
            lambda ids: self._set_status(self.tr("Recovered unsaved caption edits of {photos}; see their "
                                                 "history").format(photos=wording.photos(len(ids)))))

    def _registry(self) -> PluginRegistry:
        if self._plugins is None:
            self._plugins = load_plugins()  # plugins only, no torch: a few tens of milliseconds
        return self._plugins

    def _import_target(self) -> tuple[int, str] | None:
        """The library and folder on disk the grid shows: where dropped and pasted photos go."""
        query, _label, folder = self.browse.location()
        return (query.library_id, folder) if query is not None and query.library_id and folder else None

    def _captioner_name(self, captioner_id: str) -> str:
        captioner = self._registry().captioners.get(captioner_id)
        return captioner.name if captioner is not None else captioner_id

    def _writes_descriptions(self, captioner_id: str) -> bool:
        captioner = self._registry().captioners.get(captioner_id)
        return captioner is None or captioner.caption_kind == CaptionKind.DESCRIPTION.value

    # -- public --------------------------------------------------------------------------------

    def start(self, db: str | None = None, folder: str | None = None) -> None:
        """Open the catalogue (off this thread); then scan ``folder``, or the sample library into an
        empty catalogue; then show the libraries."""
        self._started = True
        self._startup_folder = folder
        self.browse.offer_sample = folder is None
        self._set_status(self.tr("Opening the catalogue…"))
        self.backend.open_catalogue(db)

    def is_settled(self) -> bool:
        """Everything asked for has arrived and the visible thumbnails are painted-ready."""
        if not self._started or self.backend.busy or self.scanning.busy() or self.previews.busy:
            return False
        if self.search.busy():
            return False  # a search by meaning is still running
        if not self.browse.is_complete():
            return False
        if self.model.rowCount() and not self.grid.visible_rows():
            return False  # laid out in batches: not placed on screen yet
        return self.grid.visible_thumbnails_ready()

    def errors(self) -> list[str]:
        """The error messages the window shows."""
        return self.messages.messages()

    def restore_geometry(self) -> bool:
        """Put the window where and as large (or maximised) as it was at the last close; False when
        nothing is remembered (the caller sizes it)."""
        return self._layout.geometry is not None and self.restoreGeometry(self._layout.geometry)

    def shutdown(self) -> None:
        if self._closed:
            return
        self._closed = True
        layout_state.save(self._current_layout())
        self.detail.flush()  # typed text becomes a revision before the review thread stops
        self.review.shutdown()
        self.review_queue.shutdown()  # releases this editor's claim
        self.changes.shutdown()
        self.watch_service.shutdown()  # the watchers stop; what they queued stays queued
        self.keyword_service.shutdown()
        self.searches.shutdown()
        self.imports.shutdown()  # a download stops at its next chunk; a file being saved is finished
        self.file_tasks.shutdown()  # a file being written is finished, never cut in half
        self.inference.shutdown()  # a running job stays queued and resumes at the next start
        self.previews.shutdown()
        self.thumbnails.shutdown()
        self.backend.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._layout.splitter is not None and not self._shown_once:
            # Now that the window has its size: restored earlier, the panes' widths would be scaled
            # from the width the splitter had before the window was laid out.
            self.splitter.restoreState(self._layout.splitter)
        elif not self._shown_once:
            self.splitter.setSizes(self._default_pane_widths())  # shared out again at the window's width
        self._shown_once = True

    def _default_pane_widths(self) -> list[int]:
        """The panes as much wider as the desktop's text is larger (the window opens larger too), within
        the splitter's width once shown (Qt would take what they lack from the widest first: the grid)."""
        scale = text_scale(self)
        centre = DEFAULT_SIZE.width() - SIDEBAR_WIDTH - DETAIL_WIDTH
        widths = [width * scale for width in (SIDEBAR_WIDTH, centre, DETAIL_WIDTH)]
        room = self.splitter.width() if self.isVisible() else 0
        share = room / sum(widths) if 0 < room < sum(widths) else 1.0
        return [round(width * share) for width in widths]

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    # -- the layout between sessions ------------------------------------------------------------

    def _current_layout(self) -> layout_state.LayoutState:
        library = self.libraries.library(self.libraries.selected_id())
        review = self.header.review()
        return layout_state.LayoutState(
            geometry=self.saveGeometry(), window_state=self.saveState(), splitter=self.splitter.saveState(),
            sort=self.header.sort().value, descending=self.header.descending(),
            review_filter=review.value if review is not None else "",
            thumbnail_side=self.grid.thumbnail_side(), search_mode=self.search.mode_value().value,
            review_kind=self.detail.review_box.kind.value,
            library_root=library.root if library is not None else None,
            folder=self.libraries.selected_folder() if library is not None else None,
        )

    def _restore_header(self) -> None:
        remembered = self._layout
        sort_keys = [key.value for _label, key in SORT_KEYS]
        if remembered.sort in sort_keys:
            self.header.sort_key.setCurrentIndex(sort_keys.index(remembered.sort))
        self.header.sort_descending.setChecked(remembered.descending)
        filters = [review.value if review is not None else "" for _label, review in REVIEW_FILTERS]
        if remembered.review_filter in filters:
            self.header.review_filter.setCurrentIndex(filters.index(remembered.review_filter))
        if remembered.window_state is not None:
            self.restoreState(remembered.window_state)

    def _restore_view(self) -> None:
        remembered = self._layout
        if remembered.review_kind in {kind.value for kind in CaptionKind}:
            self.detail.review_box.set_kind(CaptionKind(remembered.review_kind))
        if remembered.thumbnail_side is not None:
            self.grid.set_thumbnail_side(remembered.thumbnail_side)  # the slider follows
        modes = [mode.value for _label, mode in SEARCH_MODES]
        if remembered.search_mode in modes:
            self.search.mode.blockSignals(True)  # nothing typed yet: nothing to search again
            self.search.mode.setCurrentIndex(modes.index(remembered.search_mode))
            self.search.mode.blockSignals(False)

    @Slot(object)
    def _restore_library(self, libraries: list[LibrarySummary]) -> None:
        self.backend.libraries_loaded.disconnect(self._restore_library)  # the first listing only
        root = self._layout.library_root
        if root is None or self._startup_folder is not None:
            return  # `gui FOLDER` shows that folder; else the first library, as before
        found = next((library for library in libraries if library.root == root), None)
        if found is not None:  # gone (removed, another catalogue): the first library
            self.libraries.select_when_listed(found.id, self._layout.folder or "")

    # -- what the window itself answers ---------------------------------------------------------

    @Slot(str)
    def _on_catalogue_opened(self, location: str) -> None:
        whole = self.tr("Catalogue: {path}").format(path=display_path(location))
        # Elided in the middle, so that a long path cannot widen the window past the screen at large text
        # sizes: the whole of it is in the tooltip, the accessible name and Settings > Catalogue.
        room = round(CATALOGUE_LABEL_WIDTH * text_scale(self))
        metrics = self.catalogue_label.fontMetrics()
        self.catalogue_label.setText(metrics.elidedText(whole, Qt.TextElideMode.ElideMiddle, room))
        self.catalogue_label.setAccessibleName(whole)
        self.catalogue_label.setToolTip(display_path(location))
        catalogue = self.backend.catalogue
        read_only = catalogue is not None and catalogue.read_only  # a database role that may only read
        for name in NEEDS_CATALOGUE:
            self.main_actions[name].setEnabled(not read_only or name is MainAction.EXPORT)
        self._set_status("")
        self.detail.set_read_only(read_only)
        self.scanning.read_only = self.importing.read_only = read_only
        if catalogue is not None and read_only:
            self.messages.show_error(self.tr(
                "This catalogue is read-only for the database role {role}: photos, captions and keywords "
                "can be browsed, searched and exported, not changed.").format(
                role=catalogue.read_only_role or "?"))
        if catalogue is not None:
            if not read_only:
                self.review.open(catalogue)  # commits edits a crash left unsaved
            self.keywords.open(catalogue)
            self.searches.open(catalogue)
            self.search.preload_when_idle(self.is_settled)  # the text embedder, once the window is usable
            self.file_tasks.open(catalogue)
            self.imports.open(catalogue)
            if not read_only:
                self.inference.open(catalogue)  # resumes jobs a crash or close interrupted
            self.changes.watch(catalogue)
            self.reviewing.open(catalogue, read_only)
            self.watching.open(catalogue, read_only)  # watched libraries, caught up first
        if self._startup_folder is not None:
            self.scanning.scan(self._startup_folder)
        self.backend.load_libraries()

    @Slot()
    def _on_captions_changed(self) -> None:
        self.browse.load_photos(keep_selection=True)  # the grid shows the new captions
        self.backend.load_captioners()

    @Slot(object)
    def _on_changed_elsewhere(self, changes: Changes) -> None:
        """Captions or keywords changed by anyone (another editor, a captioning machine, this window):
        the grid rows and the pane of those photos show them; typed text is never replaced."""
        self.browse.on_changed_elsewhere(changes.photo_ids, everything=changes.everything)
        if changes.keywords or changes.everything:
            self.keywords.refresh()

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.messages.show_error(sentence(message))
        self._set_status(sentence(message))

    @Slot(str)
    def _set_status(self, text: str) -> None:
        self.status_text.setText(text)
