"""The Quality view (View > Quality…): whether the AI drafts are getting better, per captioner and model
version, week by week. Two charts, each with a table beside it holding the same numbers as text (for screen
readers, keyboard users and translation): the outcomes (shares approved unchanged, edited and rejected; mean
edit distance) and the volume (drafts decided; flags per 100 captions; review times). A new model version is
marked in both. The report (services/quality.py) is read on the view's own worker thread."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, Qt, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.catalogue import Catalogue
from desktop_app.services.quality import ModelVersion, QualityReport, WeekQuality
from desktop_app.ui import wording
from desktop_app.ui.dialogs import quality_charts
from desktop_app.ui.widgets.detail.style import heading
from desktop_app.ui.workers.quality import QualityService

# The periods offered: weeks back from this one (None: every week).
# Texts marked for lupdate; translated where they are shown.
PERIODS = ((12, QT_TRANSLATE_NOOP("QualityDialog", "Last 12 weeks")),
           (26, QT_TRANSLATE_NOOP("QualityDialog", "Last 26 weeks")),
           (52, QT_TRANSLATE_NOOP("QualityDialog", "Last 52 weeks")),
           (None, QT_TRANSLATE_NOOP("QualityDialog", "All time")))
DEFAULT_PERIOD = 1
INDENT = "    "
CAPTIONER, VERSION = "captioner", "version"  # what a selector item shows: a captioner's versions, or one
OUTCOME_COLUMNS = (QT_TRANSLATE_NOOP("QualityDialog", "Week"),
                   QT_TRANSLATE_NOOP("QualityDialog", "Model version"),
                   QT_TRANSLATE_NOOP("QualityDialog", "Decided"),
                   QT_TRANSLATE_NOOP("QualityDialog", "Approved unchanged"),
                   QT_TRANSLATE_NOOP("QualityDialog", "Edited"),
                   QT_TRANSLATE_NOOP("QualityDialog", "Rejected"),
                   QT_TRANSLATE_NOOP("QualityDialog", "Mean edit distance (words)"),
                   QT_TRANSLATE_NOOP("QualityDialog", "New model version"))
VOLUME_COLUMNS = (QT_TRANSLATE_NOOP("QualityDialog", "Week"),
                  QT_TRANSLATE_NOOP("QualityDialog", "Model version"),
                  QT_TRANSLATE_NOOP("QualityDialog", "Drafts decided"),
                  QT_TRANSLATE_NOOP("QualityDialog", "Flags per 100 captions"),
                  QT_TRANSLATE_NOOP("QualityDialog", "Mean review time (s)"),
                  QT_TRANSLATE_NOOP("QualityDialog", "Median review time (s)"),
                  QT_TRANSLATE_NOOP("QualityDialog", "Review times measured"))


def _tr(text: str) -> str:
    """A text marked with QT_TRANSLATE_NOOP above, translated."""
    return QCoreApplication.translate("QualityDialog", text)


class QualityDialog(QDialog):
    """The Quality view over ``catalogue``; its data is read on a worker thread (``service``)."""

    def __init__(self, catalogue: Catalogue | None, parent: QWidget | None = None,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Quality over Time"))
        self.report: QualityReport | None = None
        self._today = today
        self._token = 0
        self.service = QualityService(self)
        self.service.loaded.connect(self._on_loaded)
        self.service.failed.connect(self._on_failed)
        if catalogue is not None:
            self.service.open(catalogue)

        layout = QVBoxLayout(self)
        layout.addLayout(self._build_choices())
        self.status = QLabel()
        self.status.setObjectName("qualityStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        body = QWidget()
        sections = QVBoxLayout(body)
        sections.setContentsMargins(0, 0, 0, 0)
        self.outcome_chart = quality_charts.make_canvas(self.tr(
            "Chart: shares approved unchanged, edited and rejected, and mean edit distance, per week"))
        self.outcome_table = self._table(OUTCOME_COLUMNS, self.tr("Review outcomes per week"))
        sections.addWidget(heading(self.tr("Review outcomes per week")))
        sections.addLayout(self._side_by_side(self.outcome_chart, self.outcome_table))
        self.volume_chart = quality_charts.make_canvas(self.tr("Chart: drafts decided and flags per 100 "
                                                               "captions, per week"))
        self.volume_table = self._table(VOLUME_COLUMNS, self.tr("Drafts, flags and review time per week"))
        sections.addWidget(heading(self.tr("Drafts, flags and review time per week")))
        sections.addLayout(self._side_by_side(self.volume_chart, self.volume_table))
        notes = QLabel(self.tr(
            "Only AI drafts an editor approved or rejected count, in the ISO week (UTC) of the last "
            "decision. Edit distance: words inserted, deleted or replaced, over the approved drafts. Review "
            "time: from the photo shown to the decision, measured in the app only. Flags per 100 captions: "
            "the flags the decided drafts carried, per 100 of them. A dashed line marks a new model "
            "version's first week."))
        notes.setWordWrap(True)
        notes.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        sections.addWidget(notes)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(scroll, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1200, 860)
        self.load()

    # -- data --------------------------------------------------------------------------------------

    def since(self) -> date | None:
        """The first day of the period chosen (None: all time)."""
        weeks = self.period.currentData()
        return None if weeks is None else self._today() - timedelta(weeks=weeks - 1)

    @Slot()
    def load(self) -> None:
        """Read the report of the period chosen (on the worker thread)."""
        self.status.setText(self.tr("Loading…"))
        self._token = self.service.load(self.since())

    def shown_weeks(self) -> list[WeekQuality]:
        """The weeks the charts and tables show: the chosen captioner's, or one model version's."""
        if self.report is None:
            return []
        chosen = self.selector.currentData()
        if chosen is None:
            return []
        kind, value = chosen
        if kind == VERSION:
            return self.report.of(value)
        return [week for week in self.report.weeks if week.version.captioner_id == value]

    @Slot(int, object)
    def _on_loaded(self, token: int, report: QualityReport) -> None:
        if token != self._token:
            return  # an older period's answer
        self.report = report
        self._fill_selector(report)
        self.status.setText("" if report.weeks else self.tr(
            "No AI drafts were approved or rejected in this period."))
        self.status.setVisible(not report.weeks)
        self._show()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.status.setText(message)
        self.status.show()

    def _fill_selector(self, report: QualityReport) -> None:
        before = self.selector.currentData()
        self.selector.blockSignals(True)
        self.selector.clear()
        captioners: dict[str | None, list[ModelVersion]] = {}
        for version in report.versions():
            captioners.setdefault(version.captioner_id, []).append(version)
        for captioner, versions in sorted(captioners.items(), key=lambda item: item[0] or ""):
            name = captioner or self.tr("unknown captioner")
            self.selector.addItem(self.tr("{captioner}: every model version").format(captioner=name),
                                  (CAPTIONER, captioner))
            for version in versions:  # under their captioner
                self.selector.addItem(INDENT + version.model_label(), (VERSION, version))
        found = self.selector.findData(before) if before is not None else -1
        self.selector.setCurrentIndex(max(found, 0))
        self.selector.setEnabled(self.selector.count() > 0)
        self.selector.blockSignals(False)

    @Slot()
    def _show(self) -> None:
        weeks = self.shown_weeks()
        self._fill_table(self.outcome_table, [self._outcome_cells(week) for week in weeks])
        self._fill_table(self.volume_table, [self._volume_cells(week) for week in weeks])
        palette = self.palette()
        quality_charts.draw_outcomes(self.outcome_chart, weeks, palette)
        quality_charts.draw_volume(self.volume_chart, weeks, palette)

    def _outcome_cells(self, week: WeekQuality) -> list[str]:
        distance = week.mean_edit_distance
        return [week.week, week.version.model_label(), wording.number(week.decided),
                wording.percent(week.unchanged_share), wording.percent(week.edited_share),
                wording.percent(week.rejected_share),
                wording.number(distance, 2) if distance is not None else "–",
                self.tr("new") if week.new_version else ""]

    def _volume_cells(self, week: WeekQuality) -> list[str]:
        def seconds(value: float | None) -> str:
            return wording.number(value, 1) if value is not None else "–"

        return [week.week, week.version.model_label(), wording.number(week.decided),
                wording.number(week.flags_per_100, 1),
                seconds(week.mean_review_seconds), seconds(week.median_review_seconds),
                wording.number(week.measured)]

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.report is not None:
            self._show()  # the theme changed: the charts' colours follow

    # -- closing -----------------------------------------------------------------------------------------

    def done(self, result: int) -> None:
        self.service.shutdown()  # the worker's thread ends with the view
        super().done(result)

    def closeEvent(self, event: Any) -> None:
        self.service.shutdown()
        super().closeEvent(event)

    # -- building ------------------------------------------------------------------------------------------

    def _build_choices(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.selector = QComboBox()
        self.selector.setAccessibleName(self.tr("Captioner or model version"))
        self.selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.selector.currentIndexChanged.connect(self._show)
        label = QLabel(self.tr("&Show:"))
        label.setBuddy(self.selector)
        self.period = QComboBox()
        self.period.setAccessibleName(self.tr("Period"))
        for weeks, text in PERIODS:
            self.period.addItem(_tr(text), weeks)
        self.period.setCurrentIndex(DEFAULT_PERIOD)
        self.period.currentIndexChanged.connect(self.load)
        period_label = QLabel(self.tr("&Period:"))
        period_label.setBuddy(self.period)
        for widget in (label, self.selector, period_label, self.period):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    @staticmethod
    def _side_by_side(chart: QWidget, table: QTableWidget) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(chart, 3)
        row.addWidget(table, 2)
        return row

    def _table(self, columns: tuple[str, ...], name: str) -> QTableWidget:
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels([_tr(column) for column in columns])
        table.setAccessibleName(name)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setTabKeyNavigation(False)  # Tab moves on to the next control
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setMinimumWidth(320)
        return table

    @staticmethod
    def _fill_table(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, cell in enumerate(cells):
                item = QTableWidgetItem(cell)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)

