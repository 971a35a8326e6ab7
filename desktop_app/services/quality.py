"""Quality over time: per captioner and model version (model id and revision), per ISO week of the decision
(UTC), what became of the AI drafts editors decided: the report behind `photo-annotator quality` and the
app's Quality view. Qt-free.

It only adds up what catalogue/outcomes.py stored with each decision, in the database (GROUP BY), never
row by row in Python: a million decisions take well under 2 s on SQLite, whose weekly covering index
(migration 0014) hands the rows over already grouped.

The figures of a week (one captioner, model and revision):
- decided: drafts approved or rejected that week (a draft decided again later counts in the week of its
  last decision, once);
- the shares of them approved unchanged, edited (approved after a change) and rejected;
- mean edit distance: the words inserted, deleted or replaced between draft and approved text, averaged
  over the approved drafts (unchanged ones count as 0); relative: the same per word of the draft;
- review time: seconds from the photo shown in the app to the decision, mean and median over the
  decisions measured (``measured`` of them: the app measures from this version on, the command line
  never);
- flags per 100 captions: the flags the decided drafts carried (catalogue/outcomes.py ``flag_count``),
  summed, per 100 decided drafts: 3 drafts with 2 flags each in 100 decided is 6;
- a new model version: the first week in which a decision on that captioner's model and revision was
  made (whatever ``since`` shows).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.outcomes import SQLITE_WEEK

# The Monday of a decision's week, as a date, per database. SQLite's must read as its index does.
_WEEK = {"sqlite": SQLITE_WEEK, "postgresql": "CAST(date_trunc('week', decided_at) AS DATE)"}
_SUMS = """count(*) AS decided,
    sum(CASE WHEN outcome = 'unchanged' THEN 1 ELSE 0 END) AS unchanged,
    sum(CASE WHEN outcome = 'edited' THEN 1 ELSE 0 END) AS edited,
    sum(CASE WHEN outcome = 'rejected' THEN 1 ELSE 0 END) AS rejected,
    sum(edit_distance) AS distance,
    sum(CASE WHEN outcome <> 'rejected' AND draft_words > 0
             THEN CAST(edit_distance AS REAL) / draft_words END) AS relative,
    count(review_seconds) AS measured,
    sum(review_seconds) AS seconds,
    sum(flag_count) AS flags"""


@dataclass(frozen=True)
class ModelVersion:
    """A captioner's model at one revision: what wrote the drafts."""

    captioner_id: str | None
    model_id: str | None
    model_revision: str | None

    def sort_key(self) -> tuple[str, str, str]:
        return self.captioner_id or "", self.model_id or "", self.model_revision or ""

    def label(self) -> str:
        """``captioner · model @ revision``, with "?" for what is not known."""
        return f"{self.captioner_id or '?'} · {self.model_label()}"

    def model_label(self) -> str:
        """``model @ revision`` (the revision's first 12 characters), with "?" for what is not known."""
        model = self.model_id or "?"
        return f"{model} @ {self.model_revision[:12]}" if self.model_revision else model


@dataclass(frozen=True)
class WeekQuality:
    """One model version's figures for one week (see the module's definitions)."""

    version: ModelVersion
    week_start: date  # the Monday
    decided: int
    unchanged: int
    edited: int
    rejected: int
    mean_edit_distance: float | None  # words, over the approved drafts; None: none approved
    mean_relative_distance: float | None  # edit distance per draft word, over the approved drafts
    measured: int  # decisions whose review time the app measured
    mean_review_seconds: float | None
    median_review_seconds: float | None
    flags: int
    new_version: bool = False  # the version's first week

    @property
    def week(self) -> str:
        """The ISO week: ``2026-W10``."""
        year, number, _day = self.week_start.isocalendar()
        return f"{year}-W{number:02}"

    def share(self, count: int) -> float:
        return count / self.decided if self.decided else 0.0

    @property
    def unchanged_share(self) -> float:
        return self.share(self.unchanged)

    @property
    def edited_share(self) -> float:
        return self.share(self.edited)

    @property
    def rejected_share(self) -> float:
        return self.share(self.rejected)

    @property
    def flags_per_100(self) -> float:
        return 100 * self.flags / self.decided if self.decided else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "captioner": self.version.captioner_id, "model": self.version.model_id,
            "model_revision": self.version.model_revision, "week": self.week,
            "week_start": self.week_start.isoformat(), "new_model_version": self.new_version,
            "decided": self.decided, "unchanged": self.unchanged, "edited": self.edited,
            "rejected": self.rejected, "unchanged_share": _round(self.unchanged_share),
            "edited_share": _round(self.edited_share), "rejected_share": _round(self.rejected_share),
            "mean_edit_distance": _round(self.mean_edit_distance),
            "mean_relative_edit_distance": _round(self.mean_relative_distance),
            "review_times_measured": self.measured, "mean_review_seconds": _round(self.mean_review_seconds),
            "median_review_seconds": _round(self.median_review_seconds), "flags": self.flags,
            "flags_per_100": _round(self.flags_per_100),
        }


@dataclass(frozen=True)
class QualityReport:
    """The weeks of each model version, oldest first, versions in order of their first week."""

    weeks: list[WeekQuality]
    since: date | None = None
    captioner_id: str | None = None
    first_weeks: dict[ModelVersion, date] = field(default_factory=dict)  # of every version, since or not

    def versions(self) -> list[ModelVersion]:
        """The model versions the report shows, in order of their first week."""
        seen: dict[ModelVersion, None] = {}
        for week in self.weeks:
            seen.setdefault(week.version)
        return list(seen)

    def of(self, version: ModelVersion | None = None) -> list[WeekQuality]:
        """The weeks of ``version`` (None: every version)."""
        return [week for week in self.weeks if version is None or week.version == version]

    def new_versions(self) -> list[WeekQuality]:
        """The weeks a model version first appeared in (its markers)."""
        return [week for week in self.weeks if week.new_version]

    def to_json(self) -> dict[str, Any]:
        return {"since": self.since.isoformat() if self.since else None, "captioner": self.captioner_id,
                "weeks": [week.to_json() for week in self.weeks],
                "definitions": {
                    "week": "ISO week of the decision, UTC",
                    "mean_edit_distance": "words inserted, deleted or replaced between draft and approved "
                                          "text, over approved drafts",
                    "review_seconds": "from the photo shown in the app to the decision, over the measured "
                                      "decisions",
                    "flags_per_100": "flags on the decided drafts per 100 decided drafts"}}


def week_start(day: date | datetime) -> date:
    """The Monday of the ISO week holding ``day``."""
    day = day.date() if isinstance(day, datetime) else day
    return day - timedelta(days=day.weekday())


def quality_report(catalogue: Catalogue, *, since: date | None = None,
                   captioner_id: str | None = None) -> QualityReport:
    """The report over the decisions of the weeks from the one holding ``since`` on (None: all), of one
    captioner or all."""
    with catalogue.read() as session:
        return report_in(session, since=since, captioner_id=captioner_id)


def report_in(session: Session, *, since: date | None = None,
              captioner_id: str | None = None) -> QualityReport:
    dialect = session.get_bind().dialect.name
    week = _WEEK.get(dialect, _WEEK["postgresql"])
    where, params = ["1 = 1"], {}
    if captioner_id is not None:
        where.append("captioner_id = :captioner")
        params["captioner"] = captioner_id
    # Without ``since`` the rows below hold every version's first week; with it, they are read apart.
    first_weeks = _first_weeks(session, week, where, params) if since is not None else {}
    if since is not None:
        where.append(f"{week} >= :since")
        params["since"] = week_start(since) if dialect == "postgresql" else week_start(since).isoformat()
    rows = session.execute(text(
        f"SELECT captioner_id, model_id, model_revision, {week} AS week, {_SUMS} FROM review_outcomes "
        f"WHERE {' AND '.join(where)} GROUP BY captioner_id, model_id, model_revision, {week}"), params).all()
    medians = (_sqlite_medians(session, week, rows) if dialect == "sqlite"
               else _percentile_medians(session, week, where, params))
    if since is None:
        for row in rows:
            version = ModelVersion(row.captioner_id, row.model_id, row.model_revision)
            first_weeks[version] = min(_date(row.week), first_weeks.get(version, _date(row.week)))
    weeks = []
    for row in rows:
        version, monday = ModelVersion(row.captioner_id, row.model_id, row.model_revision), _date(row.week)
        approved = row.unchanged + row.edited
        weeks.append(WeekQuality(
            version=version, week_start=monday, decided=row.decided, unchanged=row.unchanged,
            edited=row.edited, rejected=row.rejected,
            mean_edit_distance=(row.distance or 0) / approved if approved else None,
            mean_relative_distance=(row.relative or 0.0) / approved if approved else None,
            measured=row.measured, mean_review_seconds=row.seconds / row.measured if row.measured else None,
            median_review_seconds=medians.get((version, monday)), flags=row.flags or 0,
            new_version=first_weeks.get(version) == monday))
    weeks.sort(key=lambda item: (first_weeks.get(item.version, item.week_start), item.version.sort_key(),
                                 item.week_start))
    return QualityReport(weeks, since, captioner_id, first_weeks)


def _first_weeks(session: Session, week: str, where: list[str],
                 params: dict[str, Any]) -> dict[ModelVersion, date]:
    rows = session.execute(text(
        f"SELECT captioner_id, model_id, model_revision, min({week}) AS first FROM review_outcomes "
        f"WHERE {' AND '.join(where)} GROUP BY captioner_id, model_id, model_revision"), params)
    return {ModelVersion(row.captioner_id, row.model_id, row.model_revision): _date(row.first)
            for row in rows}


def _sqlite_medians(session: Session, week: str,
                    rows: Iterable[Any]) -> dict[tuple[ModelVersion, date], float]:
    """Each group's median review time: its one or two middle values, read from the weekly index (which
    orders a group's review times), never the whole group."""
    medians = {}
    for row in rows:
        if not row.measured:
            continue
        middle = session.execute(text(
            "SELECT review_seconds FROM review_outcomes "
            "WHERE captioner_id IS :captioner AND model_id IS :model "
            f"AND model_revision IS :revision AND {week} = :week AND review_seconds IS NOT NULL "
            "ORDER BY review_seconds LIMIT :count OFFSET :skip"),
            {"captioner": row.captioner_id, "model": row.model_id, "revision": row.model_revision,
             "week": row.week, "count": 2 - row.measured % 2, "skip": (row.measured - 1) // 2},
        ).scalars().all()
        version = ModelVersion(row.captioner_id, row.model_id, row.model_revision)
        medians[(version, _date(row.week))] = sum(middle) / len(middle)
    return medians


def _percentile_medians(session: Session, week: str, where: list[str],
                        params: dict[str, Any]) -> dict[tuple[ModelVersion, date], float]:
    rows = session.execute(text(
        f"SELECT captioner_id, model_id, model_revision, {week} AS week, "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY review_seconds) AS median FROM review_outcomes "
        f"WHERE {' AND '.join([*where, 'review_seconds IS NOT NULL'])} "
        f"GROUP BY captioner_id, model_id, model_revision, {week}"), params)
    return {(ModelVersion(row.captioner_id, row.model_id, row.model_revision), _date(row.week)): row.median
            for row in rows}


def _date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
