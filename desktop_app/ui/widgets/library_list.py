"""The sidebar: the catalogue's libraries with their photo counts, and each library's folders below it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from desktop_app.catalogue.photos import display_path
from desktop_app.ui import wording
from desktop_app.ui.workers.backend import LibrarySummary

ID_ROLE = Qt.ItemDataRole.UserRole + 1
FOLDER_ROLE = Qt.ItemDataRole.UserRole + 2


class LibraryList(QTreeWidget):
    """Libraries by name, their folders as a tree below them, each with its photo count.

    ``location_selected(library_id, folder)`` fires when the choice changes: folder is None for the
    whole library, else a "/"-separated path inside it. The actions in ``context_actions`` (rescan,
    remove...) are offered on right-click; the window owns them.
    """

    location_selected = Signal(object, object)  # library id or None, folder or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels([self.tr("Library"), self.tr("Photos")])
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.setIndentation(14)
        # Styled in resources/styles/app.qss: no focus frame (the selection shows where the keyboard is).
        self.setObjectName("libraryList")
        self.setAccessibleName(self.tr("Libraries and folders"))
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.context_actions: list[QAction] = []
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self._libraries: dict[int, LibrarySummary] = {}
        self._emitted: tuple[int | None, str | None] | None = None
        self._pending: tuple[int, str] | None = None  # a folder to select once its library lists it
        self.itemSelectionChanged.connect(self._on_selection)

    # -- what is selected ---------------------------------------------------------------------------

    def selected_id(self) -> int | None:
        items = self.selectedItems()
        return items[0].data(0, ID_ROLE) if items else None

    def selected_folder(self) -> str | None:
        items = self.selectedItems()
        return items[0].data(0, FOLDER_ROLE) if items else None

    def library(self, library_id: int | None) -> LibrarySummary | None:
        return self._libraries.get(library_id) if library_id is not None else None

    def libraries(self) -> list[LibrarySummary]:
        return list(self._libraries.values())

    def select(self, library_id: int, folder: str | None = None) -> bool:
        """Select a library or one of its folders; False if it is not listed."""
        item = self._find(library_id, folder)
        if item is None:
            return False
        self.setCurrentItem(item)
        return True

    def select_when_listed(self, library_id: int, folder: str) -> None:
        """Select a library's folder as soon as it is listed (a folder just scanned, such as
        `gui FOLDER` of a folder inside a library, whose library's folders may not be shown yet)."""
        self._pending = (library_id, folder)
        if self.select(library_id, folder):
            self._pending = None

    # -- filling ------------------------------------------------------------------------------------

    def set_libraries(self, libraries: list[LibrarySummary], select: int | None = None) -> None:
        """Show ``libraries``, selecting ``select``, else the current choice if still there, else the
        first library. Folders already shown are kept until ``set_folders`` replaces them."""
        wanted = (select, None) if select is not None else (self.selected_id(), self.selected_folder())
        if self._pending is not None:
            wanted = self._pending
        folders = {library_id: self._folder_counts(item) for library_id, item in self._top_items().items()}
        expanded = {library_id for library_id, item in self._top_items().items() if item.isExpanded()}
        self.blockSignals(True)  # one location_selected for the whole refresh, below
        try:
            self.clear()
            self._libraries = {library.id: library for library in libraries}
            for library in libraries:
                name = self.tr("{name} (watched)").format(name=library.name) if bool(library.watch) \
                    else library.name  # new photos are scanned and captioned as they arrive
                item = QTreeWidgetItem([name, wording.number(library.photos)])
                item.setData(0, ID_ROLE, library.id)
                item.setData(0, FOLDER_ROLE, None)
                item.setToolTip(0, self._tooltip(library))
                item.setToolTip(1, self._tooltip(library))
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.addTopLevelItem(item)
                self._add_folders(item, folders.get(library.id, []))
                item.setExpanded(library.id in expanded)
            target = self._find(*wanted) if wanted[0] is not None else None
            if target is not None and wanted == self._pending:
                self._pending = None
            if target is None and wanted[0] is not None:
                target = self._find(wanted[0], None)
            if target is None and self.topLevelItemCount():
                target = self.topLevelItem(0)
            if target is not None:
                target.setSelected(True)
                self.setCurrentItem(target)
        finally:
            self.blockSignals(False)
        self._on_selection()

    def set_folders(self, library_id: int, folders: list[tuple[str, int]]) -> None:
        """Show a library's folders (from catalogue.photos.list_folders) below it."""
        top = self._top_items().get(library_id)
        if top is None:
            return
        wanted = (self.selected_id(), self.selected_folder())
        if self._pending is not None and self._pending[0] == library_id:
            wanted = self._pending
        self.blockSignals(True)
        try:
            top.takeChildren()
            self._add_folders(top, folders)
            if wanted[0] == library_id and wanted[1] is not None:
                found = self._find(library_id, wanted[1])
                if found is not None and wanted == self._pending:
                    self._pending = None
                item = found or top
                item.setSelected(True)
                self.setCurrentItem(item)
        finally:
            self.blockSignals(False)
        self._on_selection()

    # -- internals ----------------------------------------------------------------------------------

    def _top_items(self) -> dict[int, QTreeWidgetItem]:
        items = (self.topLevelItem(number) for number in range(self.topLevelItemCount()))
        return {item.data(0, ID_ROLE): item for item in items if item is not None}

    def _find(self, library_id: int | None, folder: str | None) -> QTreeWidgetItem | None:
        item = self._top_items().get(library_id) if library_id is not None else None
        if item is None or not folder:
            return item
        for part in range(len(folder.split("/"))):
            prefix = "/".join(folder.split("/")[:part + 1])
            children = (item.child(number) for number in range(item.childCount()))
            item = next((child for child in children if child.data(0, FOLDER_ROLE) == prefix), None)
            if item is None:
                return None
        return item

    @staticmethod
    def _folder_counts(top: QTreeWidgetItem) -> list[tuple[str, int]]:
        found: list[tuple[str, int]] = []
        pending = [top.child(number) for number in range(top.childCount())]
        while pending:
            item = pending.pop(0)
            found.append((item.data(0, FOLDER_ROLE), int(item.data(1, ID_ROLE) or 0)))
            pending.extend(item.child(number) for number in range(item.childCount()))
        return sorted(found)

    @staticmethod
    def _add_folders(top: QTreeWidgetItem, folders: list[tuple[str, int]]) -> None:
        library_id = top.data(0, ID_ROLE)
        parents = {"": top}
        for folder, count in sorted(folders, key=lambda entry: entry[0].split("/")):
            parent_path, _, name = folder.rpartition("/")
            parent = parents.get(parent_path, top)
            item = QTreeWidgetItem([display_path(name), wording.number(count)])
            item.setData(0, ID_ROLE, library_id)
            item.setData(0, FOLDER_ROLE, folder)
            item.setData(1, ID_ROLE, count)
            item.setToolTip(0, f"{display_path(folder)}\n{wording.photos(count)}")
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            parent.addChild(item)
            parents[folder] = item

    def _tooltip(self, library: LibrarySummary) -> str:
        lines = [display_path(library.root), wording.photos(library.photos)]
        if library.errors:
            lines.append(self.tr("{files} that cannot be read").format(files=wording.files(library.errors)))
        if library.missing:
            lines.append(self.tr("{count} missing").format(count=wording.number(library.missing)))
        if bool(library.watch):
            lines.append(self.tr("Watched: new photos are scanned and queued as they arrive"))
        if library.last_scan_at:
            lines.append(self.tr("Last scanned {time}").format(time=wording.date_time(library.last_scan_at)))
        return "\n".join(lines)

    @Slot(QPoint)
    def _context_menu(self, position: QPoint) -> None:
        if self.itemAt(position) is None or not self.context_actions:
            return
        menu = QMenu(self)
        menu.addActions(self.context_actions)
        menu.exec(self.viewport().mapToGlobal(position))

    @Slot()
    def _on_selection(self) -> None:
        current = (self.selected_id(), self.selected_folder())
        if current != self._emitted:
            self._emitted = current
            self.location_selected.emit(*current)
