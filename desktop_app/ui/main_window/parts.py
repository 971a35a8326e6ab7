"""The main window's fixed parts, built once: the sidebar, the centre (messages, header, grid), the
jobs dock, the toolbar and the menus. Controllers drive them; the window only places them."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QSplitter,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.accessibility import text_scale
from desktop_app.ui.main_window.actions import MainAction
from desktop_app.ui.widgets.detail.pane import DetailPane
from desktop_app.ui.widgets.grid_header import GridHeader
from desktop_app.ui.widgets.job_panel import JobPanel
from desktop_app.ui.widgets.keyword_panel import KeywordPanel
from desktop_app.ui.widgets.library_list import LibraryList
from desktop_app.ui.widgets.message_bar import MessageBar
from desktop_app.ui.widgets.photo_grid import PhotoGrid

translate = QCoreApplication.translate


def sidebar(libraries: LibraryList, keywords: KeywordPanel) -> QWidget:
    """The LIBRARIES heading over the library list, and below it (its height the user's to move) the
    KEYWORDS heading over the Keywords panel."""
    split = QSplitter(Qt.Orientation.Vertical)
    split.setObjectName("sidebarSplitter")
    split.setChildrenCollapsible(False)
    split.setHandleWidth(1)
    for number, (title, part) in enumerate(((translate("MainWindow", "LIBRARIES"), libraries),
                                            (translate("MainWindow", "KEYWORDS"), keywords))):
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 8, 0, 0 if number == 0 else 8)
        layout.setSpacing(4)
        heading = QLabel(title)
        heading.setContentsMargins(12, 4, 12, 4)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        heading.setFont(font)
        heading.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(heading)
        layout.addWidget(part, 1)
        split.addWidget(side)
    split.setStretchFactor(0, 1)
    split.setStretchFactor(1, 2)  # a vocabulary's tree needs more rows than the libraries do
    split.setMinimumWidth(round(180 * text_scale(split)))  # a library's name stays readable at large text
    return split


def centre(messages: MessageBar, header: GridHeader, grid: PhotoGrid, *bars: QWidget) -> QWidget:
    """Messages, then ``bars`` (suggestions), then the grid's header, then the grid."""
    middle = QWidget()
    # The grid's background (Base) behind the header too: one surface, framed by the side panes.
    middle.setBackgroundRole(QPalette.ColorRole.Base)
    middle.setAutoFillBackground(True)
    layout = QVBoxLayout(middle)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(messages)
    for bar in bars:
        layout.addWidget(bar)
    layout.addWidget(header)
    grid.setViewportMargins(8, 0, 0, 0)
    layout.addWidget(grid, 1)
    return middle


def jobs_dock(window: QMainWindow, panel: JobPanel) -> QDockWidget:
    """The captioning jobs panel, docked at the bottom; shown when a job is queued, or from View >
    Captioning Jobs. Its toggle action is the dock's own."""
    dock = QDockWidget(translate("MainWindow", "Captioning jobs"), window)
    dock.setObjectName("jobsDock")
    dock.setWidget(panel)
    dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                     | QDockWidget.DockWidgetFeature.DockWidgetMovable
                     | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
    window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
    dock.hide()
    action = dock.toggleViewAction()
    action.setText(translate("MainWindow", "Captioning Jobs"))
    action.setShortcut(QKeySequence("Ctrl+J"))
    action.setIcon(window.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView))
    action.setToolTip(translate("MainWindow", "Show the captioning jobs: progress, pause, cancel, failures "
                                        "(Ctrl+J)"))
    return dock


def toolbar(window: QMainWindow, actions: dict[MainAction, QAction], jobs_action: QAction,
            search_widgets: list[QWidget]) -> QToolBar:
    bar = QToolBar(translate("MainWindow", "Main toolbar"))
    bar.setObjectName("mainToolbar")
    bar.setMovable(False)
    bar.setIconSize(QSize(18, 18))
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    bar.addActions([actions[MainAction.ADD_FOLDER], actions[MainAction.RESCAN]])
    bar.addSeparator()
    bar.addActions([actions[MainAction.CAPTION], jobs_action])
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    for widget in search_widgets:
        bar.addWidget(widget)
    window.addToolBar(bar)
    window.addAction(actions[MainAction.FIND])
    return bar


def menus(window: QMainWindow, actions: dict[MainAction, QAction], jobs_action: QAction,
          detail: DetailPane) -> None:
    """File, Edit, View, Review and Captioning."""
    bar = window.menuBar()
    file_menu = bar.addMenu(translate("MainWindow", "&File"))
    file_menu.addActions([actions[name] for name in (MainAction.ADD_FOLDER, MainAction.RESCAN,
                                                     MainAction.REMOVE_LIBRARY, MainAction.WATCH_LIBRARY,
                                                     MainAction.STOP_WATCHING)])
    file_menu.addSeparator()
    file_menu.addActions([actions[MainAction.WRITE_METADATA], actions[MainAction.EXPORT]])
    file_menu.addSeparator()
    file_menu.addAction(actions[MainAction.SETTINGS])
    file_menu.addSeparator()
    file_menu.addAction(actions[MainAction.QUIT])

    find = actions[MainAction.FIND]
    edit_menu = bar.addMenu(translate("MainWindow", "&Edit"))
    edit_menu.addAction(find)
    view_menu = bar.addMenu(translate("MainWindow", "&View"))
    view_menu.addActions([actions[name] for name in (
        MainAction.LARGER_THUMBNAILS, MainAction.SMALLER_THUMBNAILS, MainAction.DEFAULT_THUMBNAILS)])
    view_menu.addSeparator()
    view_menu.addAction(actions[MainAction.FULL_PREVIEW])
    view_menu.addSeparator()
    view_menu.addAction(actions[MainAction.QUALITY])
    review_menu = bar.addMenu(translate("MainWindow", "&Review"))
    shortcuts = detail.review_box.shortcuts
    undo_redo = [shortcuts.undo, shortcuts.redo]
    review_menu.addActions([action for action in detail.review_actions() if action not in undo_redo])
    review_menu.addSeparator()
    review_menu.addActions(detail.review_box.kind_switch.actions)  # Ctrl+1/2/3
    review_menu.addSeparator()
    review_menu.addAction(detail.regenerate_action)  # named and enabled as the pane's button
    review_menu.addSeparator()
    review_menu.addActions(detail.keyword_box.actions_())  # K, Shift+K, Ctrl+Shift+K, Ctrl+K
    edit_menu.insertActions(find, undo_redo)
    edit_menu.insertSeparator(find)
    edit_menu.insertActions(find, [actions[MainAction.PASTE_IMAGE]])  # photos from the clipboard (issue 21)
    edit_menu.insertSeparator(find)

    captioning_menu = bar.addMenu(translate("MainWindow", "&Captioning"))
    captioning_menu.addActions([actions[MainAction.CAPTION], actions[MainAction.SUGGEST_KEYWORDS],
                                jobs_action, actions[MainAction.TRAIN]])
    captioning_menu.addSeparator()
    captioning_menu.addActions([actions[MainAction.EMBED], actions[MainAction.UNLOAD_MODELS]])
