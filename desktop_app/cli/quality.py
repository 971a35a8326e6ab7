"""`photo-annotator quality`: what became of the AI drafts, per captioner, model version and week
(services/quality.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db

if TYPE_CHECKING:
    from desktop_app.services.quality import QualityReport, WeekQuality

NEW_VERSION_MARK = "*"
COLUMNS = ("week", "decided", "unchanged", "edited", "rejected", "edit dist.", "review s mean/median (n)",
           "flags/100")


@click.command()
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only the weeks from the one holding this day on (whole ISO weeks, UTC).")
@click.option("--captioner", "captioner_id", metavar="ID", help="Only this captioner's drafts.")
@json_option
@db_option
def quality(since: datetime | None, captioner_id: str | None, as_json: bool, db: str | None) -> None:
    """How the AI drafts fared, per captioner, model version and ISO week of the decision: drafts decided,
    the shares approved unchanged, edited and rejected, the mean word edit distance of the approved ones,
    the review time (from the photo shown in the app to the decision: mean, median and how many were
    measured) and the flags per 100 decided drafts. The first week of a new model version is marked "*".

    Only drafts a person approved or rejected count; the figures are stored with each decision. With
    --json: one JSON object, with the definitions.
    """
    from desktop_app.services.quality import quality_report

    report = quality_report(open_db(db), since=since.date() if since else None, captioner_id=captioner_id)
    if as_json:
        emit_json(report.to_json())
        return
    for line in table(report):
        echo(line)


def table(report: QualityReport) -> list[str]:
    """The report as text: one block per captioner and model version, a row per week."""
    if not report.weeks:
        scope = f" by {report.captioner_id}" if report.captioner_id else ""
        since = f" since the week of {report.since.isoformat()}" if report.since else ""
        return [f"No AI drafts{scope} have been approved or rejected{since}."]
    lines: list[str] = []
    for version in report.versions():
        weeks = report.of(version)
        rows = [COLUMNS, *(_cells(week) for week in weeks)]
        widths = [max(len(row[index]) for row in rows) for index in range(len(COLUMNS))]
        if lines:
            lines.append("")
        lines.append(version.label())
        for row in rows:
            cells = [cell.ljust(width) if index == 0 else cell.rjust(width)
                     for index, (cell, width) in enumerate(zip(row, widths, strict=True))]
            lines.append("  ".join(cells).rstrip())
    if report.new_versions():
        lines += ["", f"{NEW_VERSION_MARK} the first week of a new model version"]
    return lines


def _cells(week: WeekQuality) -> tuple[str, ...]:
    if week.measured:
        review = f"{week.mean_review_seconds:.1f} / {week.median_review_seconds:.1f} ({week.measured})"
    else:
        review = "- (0)"
    return (
        week.week + (f" {NEW_VERSION_MARK}" if week.new_version else ""),
        str(week.decided),
        f"{week.unchanged_share:.0%}", f"{week.edited_share:.0%}", f"{week.rejected_share:.0%}",
        f"{week.mean_edit_distance:.2f}" if week.mean_edit_distance is not None else "-",
        review,
        f"{week.flags_per_100:.1f}",
    )
