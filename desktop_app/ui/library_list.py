"""The sidebar: the catalogue's libraries with their photo counts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from desktop_app.catalogue.photos import display_path
from desktop_app.ui.backend import LibrarySummary
from desktop_app.ui.wording import plural

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class LibraryList(QTreeWidget):
    """Libraries by name with their photo counts; emits ``library_selected`` when the choice changes."""

    library_selected = Signal(object)  # library id, or None when there is none

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(2)
        self.setHeaderLabels(["Library", "Photos"])
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setFrameShape(QTreeWidget.Shape.NoFrame)
        self.setIndentation(0)
        # Styled in resources/styles/app.qss: no focus frame (the selection shows where the keyboard is).
        self.setObjectName("libraryList")
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self._libraries: dict[int, LibrarySummary] = {}
        self._emitted: int | None = None
        self.itemSelectionChanged.connect(self._on_selection)

    def selected_id(self) -> int | None:
        items = self.selectedItems()
        return items[0].data(0, ID_ROLE) if items else None

    def library(self, library_id: int | None) -> LibrarySummary | None:
        return self._libraries.get(library_id) if library_id is not None else None

    def libraries(self) -> list[LibrarySummary]:
        return list(self._libraries.values())

    def set_libraries(self, libraries: list[LibrarySummary], select: int | None = None) -> None:
        """Show ``libraries``, selecting ``select``, else the current one if still there, else the first."""
        wanted = select if select is not None else self.selected_id()
        self.blockSignals(True)  # one library_selected for the whole refresh, below
        try:
            self.clear()
            self._libraries = {library.id: library for library in libraries}
            target: QTreeWidgetItem | None = None
            for library in libraries:
                item = QTreeWidgetItem([library.name, f"{library.photos:,}"])
                item.setData(0, ID_ROLE, library.id)
                item.setToolTip(0, self._tooltip(library))
                item.setToolTip(1, self._tooltip(library))
                item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.addTopLevelItem(item)
                if library.id == wanted or target is None:
                    target = item
            if target is not None:
                target.setSelected(True)
                self.setCurrentItem(target)
        finally:
            self.blockSignals(False)
        self._on_selection()

    @staticmethod
    def _tooltip(library: LibrarySummary) -> str:
        lines = [display_path(library.root), plural(library.photos, "photo")]
        if library.errors:
            lines.append(plural(library.errors, "file") + " that cannot be read")
        if library.missing:
            lines.append(f"{library.missing:,} missing")
        if library.last_scan_at:
            lines.append(f"Last scanned {library.last_scan_at.astimezone():%Y-%m-%d %H:%M}")
        return "\n".join(lines)

    @Slot()
    def _on_selection(self) -> None:
        current = self.selected_id()
        if current != self._emitted:
            self._emitted = current
            self.library_selected.emit(current)
