"""Quality over time (services/quality.py, `photo-annotator quality`): on a catalogue whose drafts were
decided in the test (tests/quality_samples.py), in known weeks, by known edits, the report's shares, edit
distances, review times, flags per 100 captions, weeks and new-model-version markers are exactly those of
the decisions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue, outcomes
from desktop_app.catalogue.models import Photo
from desktop_app.services.quality import ModelVersion, QualityReport, quality_report
from desktop_app.services.review import REJECT, Change, apply_change
from tests.cli_helpers import Ran, cli_on
from tests.quality_samples import BLIP, MODEL_A, MODEL_B, decide_samples

pytestmark = pytest.mark.both_backends


@pytest.fixture
def decided(catalogue: Catalogue) -> Catalogue:
    """The sample DECISIONS (tests/quality_samples.py), each made at its time."""
    decide_samples(catalogue)
    return catalogue


def _row(report: QualityReport, version: ModelVersion, week: str) -> dict:
    [found] = [item.to_json() for item in report.of(version) if item.week == week]
    return found


def test_the_report_adds_up_each_model_versions_decisions_per_iso_week(decided: Catalogue) -> None:
    report = quality_report(decided)
    # Versions in order of their first week (then by name); weeks oldest first.
    assert [(week.version, week.week, week.new_version) for week in report.weeks] == [
        (BLIP, "2026-W10", True), (MODEL_A, "2026-W10", True), (MODEL_A, "2026-W11", False),
        (MODEL_B, "2026-W11", True)]
    first = _row(report, MODEL_A, "2026-W10")
    assert first == {
        "captioner": "encoder-decoder", "model": "org/model-a", "model_revision": "r1", "week": "2026-W10",
        "week_start": "2026-03-02", "new_model_version": True, "decided": 4, "unchanged": 1, "edited": 2,
        "rejected": 1, "unchanged_share": 0.25, "edited_share": 0.5, "rejected_share": 0.25,
        "mean_edit_distance": 2.0,  # (0 + 2 + 4) / 3 approved
        "mean_relative_edit_distance": round((0 + 2 / 7 + 4 / 7) / 3, 4),
        "review_times_measured": 3, "mean_review_seconds": 20.0, "median_review_seconds": 20.0,
        "flags": 3, "flags_per_100": 75.0}  # 3 flags on 4 decided drafts
    second = _row(report, MODEL_A, "2026-W11")
    keys = ("decided", "unchanged_share", "mean_edit_distance", "flags_per_100", "review_times_measured",
            "mean_review_seconds", "median_review_seconds")
    # an even count of review times: the median is the mean of the middle two
    assert [second[key] for key in keys] == [2, 1.0, 0.0, 0.0, 2, 10.0, 10.0]
    new_model = _row(report, MODEL_B, "2026-W11")
    assert (new_model["decided"], new_model["rejected_share"], new_model["mean_edit_distance"],
            new_model["flags_per_100"], new_model["median_review_seconds"]) == (1, 1.0, None, 300.0, 8.0)
    blip = _row(report, BLIP, "2026-W10")
    assert (blip["model_revision"], blip["edited_share"], blip["mean_edit_distance"]) == (None, 1.0, 5.0)
    assert [week.version for week in report.new_versions()] == [BLIP, MODEL_A, MODEL_B]


def test_since_and_captioner_narrow_it_and_markers_stay_with_a_versions_first_week(
        decided: Catalogue) -> None:
    report = quality_report(decided, since=date(2026, 3, 10))  # a Tuesday: from its whole week on
    assert [(week.version, week.week, week.new_version) for week in report.weeks] == [
        (MODEL_A, "2026-W11", False), (MODEL_B, "2026-W11", True)]
    only = quality_report(decided, captioner_id="blip")
    assert [(week.version, week.decided) for week in only.weeks] == [(BLIP, 1)]
    assert quality_report(decided, captioner_id="nobody").weeks == []


def test_a_draft_decided_again_counts_once_in_the_week_of_its_last_decision(
        decided: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outcomes, "utcnow", lambda: datetime(2026, 3, 10, 9, 0, tzinfo=UTC))
    with decided.write() as session:  # the first photo's approval (W10) turned into a rejection in W11
        photo = session.scalar(select(Photo).where(Photo.rel_path == "0.jpg"))
        apply_change(session, photo, Change(REJECT, review_seconds=2.0), author="bob")
    report = quality_report(decided)
    assert _row(report, MODEL_A, "2026-W10")["decided"] == 3
    later = _row(report, MODEL_A, "2026-W11")
    assert [later[key] for key in ("decided", "rejected", "review_times_measured", "median_review_seconds")] \
        == [3, 1, 3, 5.0]


# --- the command line -----------------------------------------------------------------------------------

@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path, decided: Catalogue) -> Callable[..., Ran]:
    return cli_on(capsys, db_path)


def test_quality_json_is_the_report(cli: Callable[..., Ran], decided: Catalogue) -> None:
    ran = cli("quality", "--json")
    assert ran.code == 0, ran.err
    assert ran.json() == quality_report(decided).to_json()
    assert ran.json()["weeks"][1]["flags_per_100"] == 75.0


def test_quality_since_and_captioner(cli: Callable[..., Ran]) -> None:
    ran = cli("quality", "--since", "2026-03-09", "--captioner", "encoder-decoder", "--json")
    weeks = ran.json()["weeks"]
    assert [(week["model"], week["week"], week["new_model_version"]) for week in weeks] == [
        ("org/model-a", "2026-W11", False), ("org/model-b", "2026-W11", True)]


def test_quality_prints_a_table_per_model_version_with_its_markers(cli: Callable[..., Ran]) -> None:
    ran = cli("quality")
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    block = lines.index("encoder-decoder · org/model-a @ r1")
    assert lines[0] == "blip · org/blip"
    assert lines[block + 1].split()[:5] == ["week", "decided", "unchanged", "edited", "rejected"]
    assert lines[block + 2].split() == ["2026-W10", "*", "4", "25%", "50%", "25%", "2.00", "20.0", "/",
                                        "20.0", "(3)", "75.0"]
    assert lines[block + 3].split() == ["2026-W11", "2", "100%", "0%", "0%", "0.00", "10.0", "/", "10.0",
                                        "(2)", "0.0"]
    assert "encoder-decoder · org/model-b @ r2" in lines
    assert lines[-1] == "* the first week of a new model version"


def test_quality_with_nothing_decided_says_so(cli: Callable[..., Ran]) -> None:
    ran = cli("quality", "--since", "2027-01-01")
    assert (ran.code, ran.out) == (0, "No AI drafts have been approved or rejected since the week of "
                                      "2027-01-01.\n")


@pytest.mark.parametrize("bad", ["2026-13-01", "last week", "03/09/2026"])
def test_quality_refuses_a_bad_date_in_one_line(cli: Callable[..., Ran], bad: str) -> None:
    ran = cli("quality", "--since", bad)
    assert ran.code == 2 and ran.out == ""
    assert ran.err.startswith("photo-annotator: error: Invalid value for '--since': ")
    assert ran.err.count("\n") == 1 and "Traceback" not in ran.err
