"""The header above the photo grid: the library's title and photo count, the review and captioner
filters, and the sort order; on two rows when one lacks the width (large text, a narrow grid)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, Qt, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QToolButton,
    QWidget,
)

from desktop_app.catalogue.photos import ReviewFilter, SortKey
from desktop_app.ui.widgets.elided_label import ElidedLabel

REVIEW_FILTERS: list[tuple[str, ReviewFilter | None]] = [
    (QT_TRANSLATE_NOOP("GridHeader", "All photos"), None),
    (QT_TRANSLATE_NOOP("GridHeader", "Needs review"), ReviewFilter.NEEDS_REVIEW),
    (QT_TRANSLATE_NOOP("GridHeader", "AI drafts"), ReviewFilter.AI_DRAFT),
    (QT_TRANSLATE_NOOP("GridHeader", "Flagged"), ReviewFilter.FLAGGED),  # drafts with words to check
    (QT_TRANSLATE_NOOP("GridHeader", "Approved"), ReviewFilter.APPROVED),
    (QT_TRANSLATE_NOOP("GridHeader", "Rejected"), ReviewFilter.REJECTED),
    (QT_TRANSLATE_NOOP("GridHeader", "Edited by a person"), ReviewFilter.EDITED),
    (QT_TRANSLATE_NOOP("GridHeader", "No caption"), ReviewFilter.NO_CAPTION),
    (QT_TRANSLATE_NOOP("GridHeader", "Cannot be read"), ReviewFilter.ERRORS),
    (QT_TRANSLATE_NOOP("GridHeader", "Missing"), ReviewFilter.MISSING),
]
SORT_KEYS: list[tuple[str, SortKey]] = [
    (QT_TRANSLATE_NOOP("GridHeader", "Name"), SortKey.NAME),
    (QT_TRANSLATE_NOOP("GridHeader", "Date taken"), SortKey.DATE_TAKEN),
    (QT_TRANSLATE_NOOP("GridHeader", "Confidence"), SortKey.CONFIDENCE),
    (QT_TRANSLATE_NOOP("GridHeader", "Last changed"), SortKey.CHANGED),
    (QT_TRANSLATE_NOOP("GridHeader", "Best match"), SortKey.RELEVANCE),
]
ALL_CAPTIONERS = QT_TRANSLATE_NOOP("GridHeader", "All captioners")


class GridHeader(QWidget):
    """Title, count, filters and order of the photos the grid shows; ``changed`` when the user changes
    a filter or the order."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The title and count, then the filters and sort: side by side, or the second below the first
        # when both do not fit (``_reflow``), so that the count is never cut and the title only when it
        # does not fit even a row of its own.
        self.rows = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.rows.setContentsMargins(16, 10, 12, 8)
        self.rows.setSpacing(8)
        self._situation: tuple[int, str, str, bool] | None = None  # what the rows were last chosen for
        title_row = QWidget()
        layout = QHBoxLayout(title_row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.rows.addWidget(title_row, 1)
        self.library_title = ElidedLabel()  # never widens the window past the screen at large text
        title_font = self.library_title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.35)
        title_font.setBold(True)
        self.library_title.setFont(title_font)
        layout.addWidget(self.library_title)
        self.photo_count = QLabel()  # information: never elided (the title gives way to it)
        self.photo_count.setTextFormat(Qt.TextFormat.PlainText)
        self.photo_count.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addSpacing(8)
        layout.addWidget(self.photo_count, 0, Qt.AlignmentFlag.AlignBaseline)
        # Busy while a listing or a search by meaning runs: the photos shown stay until the answer.
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # no steps to count: Qt's moving busy bar, in the palette's colours
        self.busy.setTextVisible(False)
        self.busy.setFixedSize(72, 8)
        self.busy.setAccessibleName(self.tr("Busy"))
        self.busy.setAccessibleDescription(self.tr("The photos shown are being listed or searched again"))
        policy = self.busy.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # showing it moves nothing else in the header
        self.busy.setSizePolicy(policy)
        self.busy.hide()
        layout.addSpacing(8)
        layout.addWidget(self.busy, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addStretch(1)
        self.controls = QWidget()
        layout = QHBoxLayout(self.controls)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addStretch(1)  # on a row of their own, they keep to the right
        self.rows.addWidget(self.controls)
        self.review_filter = QComboBox()
        self.review_filter.setToolTip(self.tr("Which photos to show"))
        for label, _review in REVIEW_FILTERS:
            self.review_filter.addItem(self.tr(label))
        layout.addWidget(self.review_filter)
        self.captioner_filter = QComboBox()
        self.captioner_filter.setToolTip(self.tr("Only photos whose current caption this captioner wrote"))
        self.captioner_filter.addItem(self.tr(ALL_CAPTIONERS))
        self.captioner_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout.addWidget(self.captioner_filter)
        layout.addSpacing(8)
        layout.addWidget(QLabel(self.tr("Sort:")))
        self.sort_key = QComboBox()
        for label, _key in SORT_KEYS:
            self.sort_key.addItem(self.tr(label))
        layout.addWidget(self.sort_key)
        self.sort_descending = QToolButton()
        self.sort_descending.setCheckable(True)
        self.sort_descending.setAutoRaise(True)
        self.sort_descending.setArrowType(Qt.ArrowType.UpArrow)
        self.sort_descending.setToolTip(self.tr("Ascending; click for descending"))
        layout.addWidget(self.sort_descending)
        # What each control chooses, for screen readers (Qt would read a combo box's current item only).
        self.review_filter.setAccessibleName(self.tr("Review filter"))
        self.captioner_filter.setAccessibleName(self.tr("Captioner filter"))
        self.sort_key.setAccessibleName(self.tr("Sort by"))
        self.sort_descending.setAccessibleName(self.tr("Sort descending"))
        for combo in (self.review_filter, self.captioner_filter, self.sort_key):
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
            # As wide as their longest item when there is room, down to a dozen characters (the current
            # item elided) when there is not: long translations and large text keep the window on screen.
            combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance("M" * 8) + 32)
        self.sort_descending.toggled.connect(self._on_sort_direction)

    def two_rows(self) -> bool:
        """Whether the filters and sort are on a row below the title and count."""
        return self.rows.direction() == QBoxLayout.Direction.TopToBottom

    def one_row_width(self, whole: bool = True) -> int:
        """The width the title, count and controls need side by side: each whole, or at the least
        (the title elided, the filters' items elided)."""
        margins = self.rows.contentsMargins()
        title_row = self.rows.itemAt(0).widget()
        if whole:
            parts = title_row.sizeHint().width() + self.controls.sizeHint().width()
        else:
            parts = title_row.minimumSizeHint().width() + self.controls.minimumSizeHint().width()
        return parts + self.rows.spacing() + margins.left() + margins.right()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._reflow()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # a new title or count, or a captioner filter shown
            self._reflow()
        return super().event(event)

    def _reflow(self) -> None:
        """One row when the title, count and controls fit side by side, each whole, else two. While busy,
        a longer count ("searching by meaning…") alone changes nothing: the title gives it room for the
        while, and the grid below does not move down and up at every search."""
        situation = (self.width(), self.library_title.text(), self.font().key(),
                     self.captioner_filter.isVisibleTo(self))
        if situation == self._situation and not self.busy.isHidden() and (
                self.two_rows() or self.one_row_width(whole=False) <= self.width()):
            return
        self._situation = situation
        fits = self.one_row_width() <= self.width()
        direction = QBoxLayout.Direction.LeftToRight if fits else QBoxLayout.Direction.TopToBottom
        if direction != self.rows.direction():
            self.rows.setDirection(direction)
            # The title's row takes the width left beside the controls; on two rows, no height to spare.
            self.rows.setStretch(0, 1 if direction == QBoxLayout.Direction.LeftToRight else 0)

    def review(self) -> ReviewFilter | None:
        return REVIEW_FILTERS[max(0, self.review_filter.currentIndex())][1]

    def captioner(self) -> str | None:
        captioner = self.captioner_filter.currentText()
        return None if self.captioner_filter.currentIndex() <= 0 else captioner  # the first: all

    def sort(self) -> SortKey:
        return SORT_KEYS[max(0, self.sort_key.currentIndex())][1]

    def descending(self) -> bool:
        return self.sort_descending.isChecked()

    def show_busy(self, busy: bool) -> None:
        """Show or hide the busy mark beside the photo count."""
        self.busy.setVisible(busy)

    def set_sort(self, key: SortKey) -> None:
        """Show ``key`` as the order without ``changed``: the caller reloads once."""
        self.sort_key.blockSignals(True)
        self.sort_key.setCurrentIndex(next(number for number, (_label, each) in enumerate(SORT_KEYS)
                                           if each is key))
        self.sort_key.blockSignals(False)

    def set_captioners(self, captioner_ids: list[str]) -> bool:
        """Offer these captioners to filter on; True when the one filtered on is gone (shown: all)."""
        chosen = self.captioner_filter.currentText()
        self.captioner_filter.blockSignals(True)
        try:
            self.captioner_filter.clear()
            self.captioner_filter.addItems([self.tr(ALL_CAPTIONERS), *captioner_ids])
            self.captioner_filter.setCurrentIndex(max(0, self.captioner_filter.findText(chosen)))
        finally:
            self.captioner_filter.blockSignals(False)
        self.captioner_filter.setVisible(bool(captioner_ids))
        return self.captioner_filter.currentText() != chosen

    def _on_sort_direction(self, descending: bool) -> None:
        self.sort_descending.setArrowType(Qt.ArrowType.DownArrow if descending else Qt.ArrowType.UpArrow)
        self.sort_descending.setToolTip(self.tr("Descending; click for ascending") if descending
                                        else self.tr("Ascending; click for descending"))
        self.changed.emit()
