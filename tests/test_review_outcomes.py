"""The outcome of every AI draft (catalogue/outcomes.py): approved unchanged, edited (with the word edit
distance) or rejected, recorded with each decision, withdrawn by an undo, replaced by a later decision; and
migration 0014 filling it in from the history of an older catalogue."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from desktop_app.catalogue import Catalogue, migrate, open_catalogue, resolve_url
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import (
    add_caption,
    choose_caption,
    current_caption,
    edit_caption,
    revert_caption,
    set_review_state,
)
from desktop_app.catalogue.database import create_catalogue_engine
from desktop_app.catalogue.models import CaptionOrigin, Library, Photo, PhotoStatus, ReviewState
from desktop_app.catalogue.outcomes import ReviewOutcome, word_distance
from desktop_app.services.review import APPROVE, EDIT, REJECT, Change, Reviewer, apply_change
from tests.postgres_server import PostgresServer

DRAFT = "a brown dog runs on the grass"


def _photo(session, name: str = "a.jpg") -> Photo:
    library = session.scalar(select(Library))
    if library is None:
        library = Library(root="/photos", name="photos")
        session.add(library)
        session.flush()
    photo = Photo(library_id=library.id, rel_path=name, status=PhotoStatus.OK)
    session.add(photo)
    session.flush()
    return photo


def _drafted(catalogue: Catalogue, name: str = "a.jpg", draft: str = DRAFT, model: str = "org/model-a",
             model_revision: str | None = "r1", flags: list[dict] | None = None) -> int:
    """A photo with a model's draft caption; its id."""
    with catalogue.write() as session:
        photo = _photo(session, name)
        output = AICaption(photo, draft, model_id=model, model_revision=model_revision, confidence=0.4)
        caption = store_ai_caption(session, output, captioner_id="encoder-decoder")
        if flags is not None:  # what the flag rules found in the draft (desktop_app/flagging)
            caption.revisions[-1].flags = flags
        return photo.id


def _outcomes(catalogue: Catalogue) -> list[ReviewOutcome]:
    with catalogue.read() as session:
        rows = list(session.scalars(select(ReviewOutcome).order_by(ReviewOutcome.photo_id,
                                                                   ReviewOutcome.draft_revision)))
        session.expunge_all()
        return rows


def _apply(catalogue: Catalogue, photo_id: int, change: Change, author: str = "ann") -> None:
    with catalogue.write() as session:
        apply_change(session, session.get(Photo, photo_id), change, author=author)


def test_word_distance_counts_whole_words_inserted_deleted_or_replaced() -> None:
    assert word_distance("a dog on grass", "a dog on grass") == 0
    assert word_distance("a dog on grass", "a brown dog on green grass") == 2  # two inserted
    assert word_distance("a dog on grass", "a cat on grass") == 1  # one replaced
    assert word_distance("a dog on grass", "a dog") == 2  # two deleted
    assert word_distance("a dog on grass", "A dog on grass.") == 2  # a capital and a full stop: two words


def test_approving_the_draft_as_written_is_unchanged(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue, flags=[{"rule": "gender", "category": "person", "start": 0, "end": 1,
                                           "text": "a", "reason": "x"}] * 2)
    _apply(catalogue, photo_id, Change(APPROVE))
    [row] = _outcomes(catalogue)
    assert (row.outcome, row.edit_distance, row.draft_words, row.flag_count) == ("unchanged", 0, 7, 2)
    assert (row.captioner_id, row.model_id, row.model_revision, row.author) == (
        "encoder-decoder", "org/model-a", "r1", "ann")
    assert row.review_seconds is None  # not measured (the command line)
    assert row.decided_at >= row.drafted_at


def test_an_edit_approved_is_edited_with_its_word_distance(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    _apply(catalogue, photo_id, Change(APPROVE, text="a brown dog runs across the green grass",
                                       review_seconds=12.5))
    [row] = _outcomes(catalogue)
    # "on" replaced by "across", "green" inserted
    assert (row.outcome, row.edit_distance, row.draft_words, row.review_seconds) == ("edited", 2, 7, 12.5)


def test_an_edit_saved_as_a_draft_decides_nothing_until_approved(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    _apply(catalogue, photo_id, Change(EDIT, text="a dog runs on the grass"))
    assert _outcomes(catalogue) == []
    _apply(catalogue, photo_id, Change(APPROVE, review_seconds=3.0))
    [row] = _outcomes(catalogue)
    assert (row.outcome, row.edit_distance, row.review_seconds) == ("edited", 1, 3.0)


def test_a_rejected_draft_has_no_distance(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    _apply(catalogue, photo_id, Change(REJECT, review_seconds=4.0))
    [row] = _outcomes(catalogue)
    assert (row.outcome, row.edit_distance, row.review_seconds) == ("rejected", None, 4.0)


def test_undoing_an_approval_withdraws_its_outcome_and_redoing_brings_it_back(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    reviewer = Reviewer(catalogue, author="ann")
    reviewer.apply("approve", photo_id, Change(APPROVE, review_seconds=2.0))
    assert [row.outcome for row in _outcomes(catalogue)] == ["unchanged"]
    reviewer.undo("approve", "Approve caption")
    assert _outcomes(catalogue) == []  # a draft again: undecided
    reviewer.redo("approve", "Approve caption")
    assert [row.outcome for row in _outcomes(catalogue)] == ["unchanged"]


def test_a_later_decision_replaces_the_earlier_one(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    _apply(catalogue, photo_id, Change(APPROVE, review_seconds=2.0))
    _apply(catalogue, photo_id, Change(REJECT, review_seconds=5.0), author="bob")
    [row] = _outcomes(catalogue)
    assert (row.outcome, row.edit_distance, row.author, row.review_seconds) == ("rejected", None, "bob", 5.0)


def test_reverting_to_the_draft_withdraws_the_decision(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    _apply(catalogue, photo_id, Change(APPROVE, text="a dog"))
    with catalogue.write() as session:
        revert_caption(session, current_caption(session, photo_id), 1, author="ann")
    assert _outcomes(catalogue) == []


def test_making_a_decided_caption_current_again_keeps_its_decision_and_time(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    _apply(catalogue, photo_id, Change(REJECT, review_seconds=4.0))
    [before] = _outcomes(catalogue)
    with catalogue.write() as session:  # a person's caption becomes current, then the rejected draft again
        photo = session.get(Photo, photo_id)
        rejected = current_caption(session, photo_id)
        add_caption(session, photo, "my own caption", origin=CaptionOrigin.HUMAN, author="ann")
        choose_caption(session, photo, rejected.id, author="bob")
    [after] = _outcomes(catalogue)
    assert (after.outcome, after.author, after.decided_at, after.review_seconds) == (
        "rejected", "ann", before.decided_at, 4.0)


def test_each_draft_of_a_regenerated_caption_has_its_own_outcome_and_model(catalogue: Catalogue) -> None:
    photo_id = _drafted(catalogue)
    _apply(catalogue, photo_id, Change(REJECT))
    with catalogue.write() as session:  # the captioner's new model writes it again
        store_ai_caption(session, AICaption(session.get(Photo, photo_id), "a dog on grass",
                                            model_id="org/model-b", model_revision="r2"),
                         captioner_id="encoder-decoder")
    assert [row.outcome for row in _outcomes(catalogue)] == ["rejected"]
    _apply(catalogue, photo_id, Change(APPROVE))
    first, second = _outcomes(catalogue)
    assert (first.draft_revision, first.outcome, first.model_id, first.model_revision) == (
        1, "rejected", "org/model-a", "r1")
    assert (second.draft_revision, second.outcome, second.model_id, second.model_revision,
            second.draft_words) == (3, "unchanged", "org/model-b", "r2", 4)


def test_captions_no_model_wrote_have_no_outcome(catalogue: Catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        edit_caption(session, photo, "a person's caption", author="ann", approve=True)
        set_review_state(session, photo, ReviewState.REJECTED, author="ann")
    assert _outcomes(catalogue) == []


# --- migration 0014: outcomes filled in from the history --------------------------------------------------

# (caption id, origin, captioner, model id, model revision), then its history: (action, text, state, origin,
# author, created_at). Drafts are written by "ai" revisions created or regenerated.
OLD_HISTORY = {
    (1, "enc", "org/a", "r1"): [("created", "a dog on grass", "draft", "ai", "org/a", "2026-03-02 09:00"),
                                ("approved", "a dog on grass", "approved", "ai", "ann", "2026-03-03 10:00")],
    (2, "enc", "org/a", "r1"): [("created", "a dog on grass", "draft", "ai", "org/a", "2026-03-02 09:00"),
                                ("edited", "a brown dog on the grass", "draft", "human", "ann",
                                 "2026-03-04 10:00"),
                                ("approved", "a brown dog on the grass", "approved", "human", "ann",
                                 "2026-03-04 10:01")],
    (3, "enc", "org/a", "r1"): [("created", "a cat", "draft", "ai", "org/a", "2026-03-02 09:00"),
                                ("rejected", "a cat", "rejected", "ai", "bob", "2026-03-10 08:00")],
    # approved, then taken back (an undo): a draft again, undecided
    (4, "enc", "org/a", "r1"): [("created", "a cat", "draft", "ai", "org/a", "2026-03-02 09:00"),
                                ("approved", "a cat", "approved", "ai", "ann", "2026-03-03 10:00"),
                                ("reverted", "a cat", "draft", "ai", "ann", "2026-03-03 10:01")],
    # approved, then rejected: rejected
    (5, "enc", "org/a", "r1"): [("created", "a cat", "draft", "ai", "org/a", "2026-03-02 09:00"),
                                ("approved", "a cat", "approved", "ai", "ann", "2026-03-03 10:00"),
                                ("rejected", "a cat", "rejected", "ai", "bob", "2026-03-05 10:00")],
    # a person's caption: no draft
    (6, None, None, None): [("created", "my caption", "draft", "human", "ann", "2026-03-02 09:00"),
                            ("approved", "my caption", "approved", "human", "ann", "2026-03-02 09:05")],
    # model a's draft rejected, regenerated by model b (the caption now says b), approved as written
    (7, "enc", "org/b", "r2"): [("created", "a cat", "draft", "ai", "org/a", "2026-03-02 09:00"),
                                ("rejected", "a cat", "rejected", "ai", "bob", "2026-03-03 09:00"),
                                ("regenerated", "a small dog", "draft", "ai", "org/b", "2026-03-16 09:00"),
                                ("approved", "a small dog", "approved", "ai", "ann", "2026-03-17 09:00")],
}


@pytest.fixture
def old_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """Where no catalogue is yet: a new file for SQLite, an empty database (no tables) for PostgreSQL."""
    if backend == "sqlite":
        yield tmp_path / "old.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"old_{os.getpid()}_{next(_numbers)}"
    server.execute(f"CREATE DATABASE {name}")
    yield server.url(name)
    server.drop_database(server.url(name))


_numbers = itertools.count(1)


@pytest.mark.both_backends
def test_migration_0014_fills_in_the_outcomes_of_the_decisions_in_the_history(old_db: Path | str) -> None:
    db_path = old_db
    engine = create_catalogue_engine(resolve_url(db_path))
    migrate.upgrade_to_head(engine, "0013")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO libraries (id, root, name, added_at) "
                                "VALUES (1, :root, 'old', '2026-01-01')"), {"root": b"/old"})
        for (caption_id, captioner, model, revision), history in OLD_HISTORY.items():
            connection.execute(text(
                "INSERT INTO photos (id, library_id, rel_path, status, added_at, updated_at) "
                "VALUES (:id, 1, :path, 'ok', '2026-01-01', '2026-01-01')"),
                {"id": caption_id, "path": f"{caption_id}.jpg".encode()})
            last = history[-1]
            connection.execute(text(
                "INSERT INTO captions (id, photo_id, kind, captioner_id, model_id, model_revision, text, "
                "origin, state, is_current, revision, created_at, updated_at) "
                "VALUES (:id, :id, 'description', :captioner, :model, :revision, :text, :origin, :state, "
                ":yes, :number, '2026-03-01', '2026-03-01')"),
                {"id": caption_id, "captioner": captioner, "model": model, "revision": revision,
                 "text": last[1], "origin": last[3], "state": last[2], "yes": True, "number": len(history)})
            for number, (action, words, state, origin, author, at) in enumerate(history, 1):
                connection.execute(text(
                    "INSERT INTO caption_revisions (caption_id, number, action, text, state, origin, author, "
                    "created_at) VALUES (:caption, :number, :action, :text, :state, :origin, :author, :at)"),
                    {"caption": caption_id, "number": number, "action": action, "text": words, "state": state,
                     "origin": origin, "author": author, "at": f"{at}:00.000000"})
    engine.dispose()

    with open_catalogue(db_path) as catalogue:  # upgrades to the head
        rows = _outcomes(catalogue)
    found = {(row.caption_id, row.draft_revision): (row.outcome, row.edit_distance, row.draft_words,
                                                     row.model_id, row.model_revision, row.author,
                                                     row.decided_at.strftime("%Y-%m-%d %H:%M"))
             for row in rows}
    assert found == {
        (1, 1): ("unchanged", 0, 4, "org/a", "r1", "ann", "2026-03-03 10:00"),
        (2, 1): ("edited", 2, 4, "org/a", "r1", "ann", "2026-03-04 10:01"),  # "brown" and "the" inserted
        (3, 1): ("rejected", None, 2, "org/a", "r1", "bob", "2026-03-10 08:00"),
        (5, 1): ("rejected", None, 2, "org/a", "r1", "bob", "2026-03-05 10:00"),
        # the first draft was model a's, of a revision the history does not say
        (7, 1): ("rejected", None, 2, "org/a", None, "bob", "2026-03-03 09:00"),
        (7, 3): ("unchanged", 0, 3, "org/b", "r2", "ann", "2026-03-17 09:00"),
    }
    assert all(row.review_seconds is None and row.flag_count == 0 and row.captioner_id == "enc"
               for row in rows)
    assert {row.drafted_at.strftime("%Y-%m-%d") for row in rows} == {"2026-03-02", "2026-03-16"}
