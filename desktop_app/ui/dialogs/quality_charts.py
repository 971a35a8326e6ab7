"""The Quality view's two charts, drawn by matplotlib's Qt backend (FigureCanvasQTAgg: the same Qt, no second
chart package to keep in step). matplotlib is imported only when the view first draws, so the app and the
command line start without it.

Each model version is a series of its own (its weeks), so a chart shows where one version ends and the next
begins; a dashed vertical line, labelled, marks the first week of each new model version. Series are told
apart by line style and marker as well as by colour (themes.chart_colours: readable on the dark and
high-contrast themes too)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_app.services.quality import WeekQuality
from desktop_app.ui import themes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

translate = QCoreApplication.translate


def make_canvas(name: str) -> QWidget:
    """An empty chart: a FigureCanvasQTAgg named ``name`` for screen readers (the table beside it holds the
    same numbers, as text)."""
    os.environ.setdefault("QT_API", "pyside6")  # matplotlib's Qt binding: the app's own (PySide6)
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

    canvas = FigureCanvasQTAgg(Figure(figsize=(6.4, 3.4), layout="constrained"))
    canvas.setAccessibleName(name)
    canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    canvas.setMinimumSize(360, 240)
    canvas.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # nothing to operate: the table beside it takes focus
    return canvas


def draw_outcomes(canvas: Any, weeks: Sequence[WeekQuality], palette: QPalette) -> None:
    """Lines: the shares approved unchanged, edited and rejected per week (left axis, %), and the mean edit
    distance of the approved drafts (right axis, words)."""
    background, text, series = themes.chart_colours(palette)
    figure = canvas.figure
    figure.clear()
    axes = figure.add_subplot()
    _style(figure, axes, background, text)
    distance_axes = axes.twinx()
    _style(figure, distance_axes, background, text)
    lines = (("unchanged_share", translate("QualityCharts", "Approved unchanged"), "-", "o"),
             ("edited_share", translate("QualityCharts", "Edited"), "--", "s"),
             ("rejected_share", translate("QualityCharts", "Rejected"), ":", "^"))
    handles = []
    for number, (field, label, style, marker) in enumerate(lines):
        for index, (_version, version_weeks) in enumerate(_by_version(weeks)):
            found = axes.plot([week.week_start for week in version_weeks],
                              [100 * getattr(week, field) for week in version_weeks], style, marker=marker,
                              color=series[number], linewidth=2, markersize=5,
                              label=label if index == 0 else None)
            if index == 0:
                handles += found
    distance_label = translate("QualityCharts", "Mean edit distance (words)")
    for index, (_version, version_weeks) in enumerate(_by_version(weeks)):
        measured = [week for week in version_weeks if week.mean_edit_distance is not None]
        found = distance_axes.plot([week.week_start for week in measured],
                                   [week.mean_edit_distance for week in measured], "-.", marker="D",
                                   color=series[3], linewidth=2, markersize=5,
                                   label=distance_label if index == 0 else None)
        if index == 0:
            handles += found
    axes.set_ylim(0, 100)
    axes.set_ylabel(translate("QualityCharts", "Share of drafts decided (%)"), color=text)
    distance_axes.set_ylabel(translate("QualityCharts", "Words changed"), color=text)
    distance_axes.set_ylim(bottom=0)
    _mark_new_versions(axes, weeks, text, background)
    legend = figure.legend(handles=handles, loc="outside lower center", ncols=4, fontsize="small")
    _style_legend(legend, background, text)
    canvas.draw_idle()


def draw_volume(canvas: Any, weeks: Sequence[WeekQuality], palette: QPalette) -> None:
    """Bars: the drafts decided per week (left axis); a line: the flags per 100 captions (right axis)."""
    background, text, series = themes.chart_colours(palette)
    figure = canvas.figure
    figure.clear()
    axes = figure.add_subplot()
    _style(figure, axes, background, text)
    flags_axes = axes.twinx()
    _style(figure, flags_axes, background, text)
    handles = []
    decided_label = translate("QualityCharts", "Drafts decided")
    flags_label = translate("QualityCharts", "Flags per 100 captions")
    for index, (_version, version_weeks) in enumerate(_by_version(weeks)):
        bars = axes.bar([week.week_start for week in version_weeks], [week.decided for week in version_weeks],
                        width=5, color=series[0], edgecolor=text, linewidth=0.5,
                        hatch="//" if index % 2 else None,  # the next version's bars: hatched
                        label=decided_label if index == 0 else None)
        found = flags_axes.plot([week.week_start for week in version_weeks],
                                [week.flags_per_100 for week in version_weeks], "--", marker="o",
                                color=series[1], linewidth=2, markersize=5,
                                label=flags_label if index == 0 else None)
        if index == 0:
            handles += [bars, *found]
    axes.set_ylabel(decided_label, color=text)
    flags_axes.set_ylabel(flags_label, color=text)
    flags_axes.set_ylim(bottom=0)
    _mark_new_versions(axes, weeks, text, background)
    legend = figure.legend(handles=handles, loc="outside lower center", ncols=4, fontsize="small")
    _style_legend(legend, background, text)
    canvas.draw_idle()


def _by_version(weeks: Sequence[WeekQuality]) -> list[tuple[Any, list[WeekQuality]]]:
    grouped: dict[Any, list[WeekQuality]] = {}
    for week in weeks:
        grouped.setdefault(week.version, []).append(week)
    return list(grouped.items())


def _mark_new_versions(axes: Axes, weeks: Sequence[WeekQuality], text: str, background: str) -> None:
    """A dashed vertical line, labelled with the model, at the first week of each new model version; and
    the weeks' dates along the bottom, half a week to spare at either end."""
    if not weeks:
        axes.set_xticks([])
        return
    import matplotlib.dates as mdates

    starts = [week.week_start for week in weeks]
    axes.set_xlim(min(starts) - timedelta(days=4), max(starts) + timedelta(days=4))
    locator = mdates.AutoDateLocator(minticks=2, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for week in weeks:
        if not week.new_version:
            continue
        where = week.week_start - timedelta(days=3)  # between the week before and this one
        axes.axvline(where, color=text, linestyle=(0, (4, 3)), linewidth=1.2)
        version = week.version
        model = (version.model_id or "?").rsplit("/", 1)[-1]  # the table beside it names it in full
        if version.model_revision:
            model = f"{model} @ {version.model_revision[:12]}"
        label = translate("QualityCharts", "new: {model}").format(model=model)
        # Along the line, inside the plot (cut at its edge): no room taken from the plot by the layout.
        marker = axes.annotate(label, (where, 1), xycoords=("data", "axes fraction"), xytext=(2, -4),
                               textcoords="offset points", rotation=90, va="top", ha="left",
                               fontsize="x-small", color=text, annotation_clip=False, clip_on=True,
                               bbox={"boxstyle": "square,pad=0.15", "facecolor": background,
                                     "edgecolor": "none", "alpha": 0.85})
        marker.set_in_layout(False)


def _style(figure: Any, axes: Axes, background: str, text: str) -> None:
    figure.set_facecolor(background)
    axes.set_facecolor(background)
    axes.tick_params(colors=text, labelsize="small")
    for spine in axes.spines.values():
        spine.set_color(text)
    axes.grid(True, axis="y", color=text, alpha=0.2)


def _style_legend(legend: Any, background: str, text: str) -> None:
    legend.get_frame().set_facecolor(background)
    legend.get_frame().set_edgecolor(text)
    for label in legend.get_texts():
        label.set_color(text)
