"""Pages chosen from a list at the side: the Settings dialog's sections. A row of tabs stopped fitting
at ten sections (it scrolled, hiding some); a list shows every section at any width and text size, and
reads as one list to a screen reader. Offers the tab widget's calls the dialog and its tests use."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QWidget,
)


class SectionPages(QWidget):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        """``name``: what a screen reader calls the list of sections (e.g. "Settings sections")."""
        super().__init__(parent)
        self.sections = QListWidget()
        self.sections.setAccessibleName(name)
        self.sections.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sections.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sections.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.sections.setSpacing(2)
        self.pages = QStackedWidget()
        self.sections.currentRowChanged.connect(self.pages.setCurrentIndex)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.sections)
        layout.addWidget(self.pages, 1)

    def addTab(self, page: QWidget, text: str) -> int:  # QTabWidget's names, so callers need no change
        item = QListWidgetItem(text)
        # Rows a little taller than the text: an easy target for the mouse, and as airy as a tab row.
        item.setSizeHint(QSize(0, round(self.sections.fontMetrics().height() * 1.8)))
        self.sections.addItem(item)
        index = self.pages.addWidget(page)
        if self.sections.currentRow() < 0:
            self.sections.setCurrentRow(0)
        self._fit()
        return index

    def setCurrentIndex(self, index: int) -> None:
        self.sections.setCurrentRow(index)

    def currentIndex(self) -> int:
        return self.pages.currentIndex()

    def indexOf(self, page: QWidget) -> int:
        return self.pages.indexOf(page)

    def tabText(self, index: int) -> str:
        item = self.sections.item(index)
        return item.text() if item is not None else ""

    def count(self) -> int:
        return self.pages.count()

    def widget(self, index: int) -> QWidget | None:
        return self.pages.widget(index)

    def _fit(self) -> None:
        """As wide as its longest section name, so none is cut whatever the language or text size."""
        frame = 2 * self.sections.frameWidth()
        widest = max((self.sections.fontMetrics().horizontalAdvance(self.tabText(row))
                      for row in range(self.count())), default=0)
        self.sections.setFixedWidth(widest + frame + 2 * self.sections.spacing() + 24)

    def changeEvent(self, event: QEvent) -> None:  # a font or style change: fit again
        super().changeEvent(event)
        self._fit()
