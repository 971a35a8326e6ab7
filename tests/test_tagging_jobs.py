"""Tagging as a job: the vocabulary a run suggests from, suggestions stored for review with their tagger,
model, score and evidence, decided keywords never touched, exactly once per photo across an interrupted
run, and the CLIP zero-shot tagger end to end with a tiny random CLIP on real scanned photos."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.keywords import accept_keyword, reject_keyword
from desktop_app.catalogue.models import (
    Job,
    JobItem,
    JobItemState,
    JobState,
    KeywordState,
    LabelVector,
    Photo,
    PhotoKeyword,
    PhotoKeywordRevision,
    Term,
    VocabularyKind,
)
from desktop_app.jobs import tag_job
from desktop_app.jobs.runner import ItemFailed, JobEvents
from desktop_app.jobs.store import TAG_JOB, JobError
from desktop_app.jobs.tag_job import ItemTagged
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import load_plugins
from desktop_app.services import jobs
from desktop_app.tagging.run import load_vocabularies
from tests import photo_files
from tests.cli_helpers import cli_on
from tests.tagging_samples import ANIMALS, CLIP_WORDS, keywords, make_vocabulary, scan_photos

PLUGINS = ("plugins.clip", "tests.plugins.good_tagger")


@pytest.fixture
def photos(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> list[int]:
    """Six scanned photos; the first four captioned."""
    return scan_photos(scanner, catalogue, tmp_path / "shoot")


@pytest.fixture
def runner_for(catalogue: Catalogue) -> Callable[..., jobs.JobRunner]:
    registry = load_plugins(PLUGINS, entry_points=False)

    def make(events: JobEvents | None = None) -> jobs.JobRunner:
        return jobs.make_runner(catalogue, CaptionEngine(registry, device="cpu", dtype="float32"), events)

    return make


class Collected(JobEvents):
    def __init__(self) -> None:
        self.items: list[ItemTagged] = []
        self.failures: list[ItemFailed] = []

    def tagged(self, item: ItemTagged) -> None:
        self.items.append(item)

    def item_failed(self, item: ItemFailed) -> None:
        self.failures.append(item)


def revisions(catalogue: Catalogue) -> int:
    with catalogue.read() as session:
        return session.scalar(select(func.count(PhotoKeywordRevision.id))) or 0


# -- the vocabulary ---------------------------------------------------------------------------------------


def test_a_run_suggests_from_the_imported_vocabularies_with_labels_and_paths(catalogue: Catalogue) -> None:
    make_vocabulary(catalogue, "animals", ANIMALS)
    make_vocabulary(catalogue, "from files", [("holiday", [], None)], kind=VocabularyKind.FROM_FILES)
    with catalogue.write() as session:
        session.execute(Term.__table__.update().where(Term.label == "Trees").values(retired=True))
    with catalogue.read() as session:
        default = load_vocabularies(session, None)
        named = load_vocabularies(session, ["from files", "animals"])
        with pytest.raises(ValueError, match="no vocabulary named 'plants'"):
            load_vocabularies(session, ["plants"])
    assert default.names == ["animals"]
    by_label = {term.labels[0]: term for term in default.terms}
    assert sorted(by_label) == ["Animals", "Beaches", "Cars", "Cats", "Dogs", "Mammals"]  # Trees retired
    assert by_label["Dogs"].labels == ("Dogs", "dog", "puppy")
    assert by_label["Dogs"].path == ("Animals", "Mammals") and by_label["Animals"].path == ()
    assert named.names == ["from files", "animals"] and "holiday" in {t.labels[0] for t in named.terms}


def test_without_an_imported_vocabulary_a_tag_job_is_refused_in_one_line(
        catalogue: Catalogue, photos: list[int], runner_for: Callable[..., jobs.JobRunner]) -> None:
    runner = runner_for()
    with pytest.raises(JobError, match="no vocabulary to suggest keywords from: import one"):
        jobs.queue_tag_job(runner, "caption-words", photos)
    make_vocabulary(catalogue, "animals", ANIMALS)
    for options, message in (({"threshold": 1.5}, "threshold must be a number from 0 to 1"),
                             ({"top_n": 0}, "top_n must be a whole number"),
                             ({"vocabularies": ["plants"]}, "no vocabulary named 'plants'"),
                             ({"colour": "red"}, "has no option colour")):
        with pytest.raises(JobError, match=message):
            jobs.queue_tag_job(runner, "caption-words", photos, options=options)
    with pytest.raises(JobError, match="no tagger 'nope'"):
        jobs.queue_tag_job(runner, "nope", photos)
    with catalogue.read() as session:
        assert session.scalar(select(func.count(Job.id))) == 0


# -- a job of caption words: storing, decided keywords, exactly once ---------------------------------------


def test_a_tag_job_stores_suggestions_and_never_touches_decided_keywords(
        catalogue: Catalogue, photos: list[int], runner_for: Callable[..., jobs.JobRunner]) -> None:
    terms = make_vocabulary(catalogue, "animals", ANIMALS)
    events = Collected()
    runner = runner_for(events)
    job = jobs.queue_tag_job(runner, "caption-words", photos)
    assert job.kind == TAG_JOB and job.captioner_id == "caption-words"
    assert job.to_json()["tagger"] == "caption-words"
    assert job.options == {"vocabularies": None, "top_n": 5, "threshold": 0.5}
    ended = jobs.run_job(runner, job.id)
    assert ended.state is JobState.DONE and (ended.done, ended.failed) == (6, 0)
    first = keywords(catalogue)
    assert first == [
        (photos[0], "Dogs", KeywordState.SUGGESTED, 0.7, "caption-words", ("dog",)),
        (photos[1], "Cats", KeywordState.SUGGESTED, 0.7, "caption-words", ("cat",)),
        (photos[1], "Trees", KeywordState.SUGGESTED, 0.7, "caption-words", ("tree",)),
        (photos[2], "Cars", KeywordState.SUGGESTED, 0.7, "caption-words", ("car",)),
        (photos[3], "Beaches", KeywordState.SUGGESTED, 0.7, "caption-words", ("beach",)),
        (photos[3], "Cats", KeywordState.SUGGESTED, 0.7, "caption-words", ("cat",)),
        (photos[3], "Dogs", KeywordState.SUGGESTED, 0.7, "caption-words", ("dog",)),
    ]
    assert sorted(item.photo_id for item in events.items) == sorted(photos)
    (item,) = [item for item in events.items if item.photo_id == photos[0]]
    assert item.to_json()["suggestions"] == [{"term": "Dogs", "term_id": terms["Dogs"],
                                              "vocabulary": "animals", "score": 0.7, "evidence": ["dog"],
                                              "tagger": "caption-words"}]
    with catalogue.read() as session:
        stored = session.scalar(select(PhotoKeyword).where(PhotoKeyword.term_id == terms["Dogs"]).limit(1))
        assert stored.model_id == "builtin:caption-words" and stored.origin.value == "ai"
        # the labels went through the catalogue's cache, once per label and model key
        assert session.scalar(select(func.count(LabelVector.id))) == 14

    # A person rejects one suggestion and accepts another; the next run leaves both alone and stores
    # nothing new (the same scores again: no revision either).
    with catalogue.write() as session:
        photo = session.get(Photo, photos[0])
        reject_keyword(session, photo, session.get(Term, terms["Dogs"]), author="editor")
        accept_keyword(session, session.get(Photo, photos[1]), session.get(Term, terms["Cats"]),
                       author="editor")
    before = revisions(catalogue)
    second = jobs.run_job(runner, jobs.queue_tag_job(runner, "caption-words", photos).id)
    assert second.state is JobState.DONE
    assert revisions(catalogue) == before
    states = {(p, label): state for p, label, state, *_rest in keywords(catalogue)}
    assert states[(photos[0], "Dogs")] is KeywordState.REJECTED
    assert states[(photos[1], "Cats")] is KeywordState.ACCEPTED


def test_an_interrupted_tag_job_resumes_with_only_the_photos_left(
        catalogue: Catalogue, photos: list[int], runner_for: Callable[..., jobs.JobRunner],
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_vocabulary(catalogue, "animals", ANIMALS)
    monkeypatch.setattr(tag_job, "TAG_BATCH", 2)
    runner = runner_for()
    job = jobs.queue_tag_job(runner, "caption-words", photos)
    steps = runner.steps(job.id)
    first = next(steps)
    assert (first.done, first.total) == (2, 6)
    steps.close()  # Ctrl+C, or the app closing: the job stays queued
    with catalogue.read() as session:
        assert session.get(Job, job.id).state is JobState.QUEUED
    assert revisions(catalogue) == 3  # the first batch: Dogs; Cats and Trees

    # Then a run is killed while its batch is with the tagger: items running, the process gone.
    with catalogue.write() as session:
        pending = list(session.scalars(select(JobItem).where(JobItem.job_id == job.id,
                                                             JobItem.state == JobItemState.PENDING)
                                       .order_by(JobItem.id)))
        for item in pending[:2]:
            item.state, item.attempts = JobItemState.RUNNING, 1
        stored = session.get(Job, job.id)
        stored.state, stored.owner = JobState.RUNNING, f"{socket.gethostname()}:{2**22 + 7}:0.00"
    listed = {j.id: j for j in jobs.list_jobs(catalogue)}  # `jobs` finds it interrupted
    assert listed[job.id].state is JobState.QUEUED and listed[job.id].pending == 4

    events = Collected()
    resumed = runner_for(events)
    assert jobs.jobs_to_resume(resumed) == [job.id]
    ended = jobs.run_job(resumed, job.id)
    assert ended.state is JobState.DONE and (ended.done, ended.failed) == (6, 0)
    assert sorted(item.photo_id for item in events.items) == sorted(photos[2:])  # only those left
    assert revisions(catalogue) == 7  # each suggestion stored once
    with catalogue.read() as session:
        assert session.scalar(select(func.count(PhotoKeyword.id))) == 7


def test_jobs_lists_resumes_and_cancels_a_tag_job(
        catalogue: Catalogue, photos: list[int], runner_for: Callable[..., jobs.JobRunner],
        capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    make_vocabulary(catalogue, "animals", ANIMALS)
    runner = runner_for()
    waiting = jobs.queue_tag_job(runner, "caption-words", photos[:2], options={"top_n": 1})
    other = jobs.queue_tag_job(runner, "caption-words", photos)
    run = cli_on(capsys, db_path)
    listed = run("jobs", "--json").json_lines()
    assert [(j["id"], j["kind"], j["tagger"], j["state"]) for j in listed] == [
        (waiting.id, "tag", "caption-words", "queued"), (other.id, "tag", "caption-words", "queued")]
    lines = run("jobs").out.splitlines()
    assert lines[0].startswith(f"job {waiting.id}: queued, suggesting keywords with caption-words, "
                               "0 of 2 tagged, queued ")
    cancelled = run("jobs", "cancel", str(other.id), "--json").json()
    assert cancelled["state"] == "cancelled" and cancelled["skipped"] == 6
    ended = jobs.run_job(runner, waiting.id)
    assert ended.state is JobState.DONE and ended.done == 2


# -- the CLIP zero-shot tagger, end to end with a tiny random CLIP -------------------------------------------

@pytest.fixture
def all_photos(photos: list[int], scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> list[int]:
    """The six photos and a file that is no photo (it fails alone)."""
    photo_files.text_as_jpeg(tmp_path / "shoot" / "zz-notes.jpg")
    scanner.scan(tmp_path / "shoot")
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id).order_by(Photo.rel_path)))


def test_the_clip_tagger_suggests_from_the_pixels_with_or_without_a_caption(
        catalogue: Catalogue, all_photos: list[int], runner_for: Callable[..., jobs.JobRunner],
        clip_folder: Path) -> None:
    terms = make_vocabulary(catalogue, "things", CLIP_WORDS)
    events = Collected()
    runner = runner_for(events)
    options = {"threshold": 0.0, "top_n": 3}
    job = jobs.queue_tag_job(runner, "clip-zero-shot", all_photos, model=str(clip_folder), options=options)
    ended = jobs.run_job(runner, job.id)
    assert ended.state is JobState.DONE and (ended.done, ended.failed) == (6, 1)
    (failure,) = events.failures
    assert failure.path.endswith("zz-notes.jpg") and failure.reason
    first = keywords(catalogue)
    labels = {label: [label, *synonyms] for label, synonyms, _broader in CLIP_WORDS}
    by_photo: dict[int, list[str]] = {}
    for photo_id, label, state, score, tagger, evidence in first:
        assert state is KeywordState.SUGGESTED and tagger == "clip-zero-shot"
        assert score is not None and 0.0 <= score <= 1.0
        assert len(evidence) == 1 and evidence[0] in labels[label]
        by_photo.setdefault(photo_id, []).append(label)
    assert sorted(by_photo) == sorted(all_photos[:6])  # captioned or not, the broken file aside
    assert all(len(found) == 3 for found in by_photo.values())
    with catalogue.read() as session:
        keys = set(session.scalars(select(LabelVector.model_id)))
        assert keys == {f"{clip_folder}|a photo of {{label}}."}
        assert session.scalar(select(func.count(LabelVector.id))) == 10  # 8 terms, 2 synonyms
        stored = session.scalar(select(PhotoKeyword).limit(1))
        assert stored.model_id == str(clip_folder)

    # The editor rejects each photo's best suggestion; the same job again gives the same scores
    # (deterministic: no revision for them), the rejected keywords stay rejected and each photo gets
    # the next best term instead.
    best = {}
    for item in events.items:
        best[item.photo_id] = item.suggestions[0].term_id
        scores = [s.score for s in item.suggestions]
        assert scores == sorted(scores, reverse=True)
    with catalogue.write() as session:
        for photo_id, term_id in best.items():
            reject_keyword(session, session.get(Photo, photo_id), session.get(Term, term_id), author="editor")
    before = revisions(catalogue)
    again = Collected()
    second = runner_for(again)
    jobs.run_job(second, jobs.queue_tag_job(second, "clip-zero-shot", all_photos, model=str(clip_folder),
                                            options=options).id)
    assert revisions(catalogue) == before + len(best)  # one new suggestion per photo, nothing rescored
    after = {(p, label): (state, score) for p, label, state, score, *_rest in keywords(catalogue)}
    rejected = {(p, label) for (p, label), (state, _score) in after.items() if state is KeywordState.REJECTED}
    assert rejected == {(p, label) for p, term in best.items() for label, tid in terms.items() if tid == term}
    for item in again.items:
        assert best[item.photo_id] not in {s.term_id for s in item.suggestions} and len(item.suggestions) == 3
    for photo_id, label, _state, score, *_rest in first:
        assert after[(photo_id, label)][1] == score


def test_an_interrupted_clip_job_resumes_and_tags_each_photo_once(
        catalogue: Catalogue, photos: list[int], runner_for: Callable[..., jobs.JobRunner], clip_folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    make_vocabulary(catalogue, "things", CLIP_WORDS)
    monkeypatch.setattr(tag_job, "TAG_BATCH", 2)
    runner = runner_for()
    job = jobs.queue_tag_job(runner, "clip-zero-shot", photos, model=str(clip_folder),
                             options={"threshold": 0.0, "top_n": 2})
    steps = runner.steps(job.id)
    assert next(steps).done == 2
    steps.close()
    with catalogue.read() as session:
        assert session.scalar(select(func.count(PhotoKeyword.id))) == 4
    events = Collected()
    ended = jobs.run_job(runner_for(events), job.id)
    assert ended.state is JobState.DONE and ended.done == 6
    assert sorted(item.photo_id for item in events.items) == sorted(photos[2:])
    with catalogue.read() as session:
        assert session.scalar(select(func.count(PhotoKeyword.id))) == 12
        assert session.scalar(select(func.count(PhotoKeywordRevision.id))) == 12


def test_tags_suggest_runs_a_tag_job_in_the_foreground_and_prints_the_suggestions(
        catalogue: Catalogue, photos: list[int], clip_folder: Path, db_path: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from desktop_app.cli.tag_suggest import suggest

    make_vocabulary(catalogue, "things", CLIP_WORDS)
    make_vocabulary(catalogue, "colours", [("red", [], None), ("blue", [], None)])
    cli = CliRunner()
    base = [str(tmp_path / "shoot"), "--tagger", "clip-zero-shot", "--model", str(clip_folder),
            "--device", "cpu", "--db", str(db_path)]
    ran = cli.invoke(suggest, [*base, "--vocab", "colours", "--top", "1", "--threshold", "0", "--json"])
    assert ran.exit_code == 0, ran.output
    lines = [json.loads(line) for line in ran.stdout.splitlines()]
    assert len(lines) == 6 and {line["photo_id"] for line in lines} == set(photos)
    for line in lines:
        (found,) = line["suggestions"]
        assert found["term"] in ("red", "blue") and found["vocabulary"] == "colours"
        assert 0 <= found["score"] <= 1 and found["evidence"] == [found["term"]]
        assert found["tagger"] == "clip-zero-shot" and line["tagger"] == "clip-zero-shot"
    assert "job 1 done: 6 tagged, 0 failed, 0 skipped of 6" in ran.stderr

    text = cli.invoke(suggest, [*base, "--top", "2", "--threshold", "0"])
    assert text.exit_code == 0
    assert len(text.stdout.splitlines()) == 6 and all("(" in line for line in text.stdout.splitlines())

    unknown = cli.invoke(suggest, [*base, "--vocab", "plants"])
    assert unknown.exit_code == 2 and "no vocabulary named 'plants'" in unknown.stderr
    nobody = cli.invoke(suggest, [*base[:1], "--tagger", "nope", "--db", str(db_path)])
    assert nobody.exit_code == 2 and "no tagger 'nope'" in nobody.stderr
    with catalogue.read() as session:
        assert session.scalar(select(func.count(Job.id))) == 2  # the refused ones queued nothing
