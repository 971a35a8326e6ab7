"""Editors on one catalogue at once, in separate processes: every edit, approval and keyword change
either lands as the revision after the one it was based on or is refused with the conflict message,
its text kept as a draft; revision numbers never collide or skip (tests/team_clients.py)."""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.catalogue.caption_rules import BasedOn, CaptionConflict
from desktop_app.catalogue.captions import edit_caption, review_session, save_unsaved_edit
from desktop_app.catalogue.keywords import add_keyword, resolve_term
from desktop_app.catalogue.models import Caption, Photo, PhotoKeyword, Term, UnsavedEdit
from tests.team_clients import Outcome, check_outcomes, make_photos, make_terms, run_editor

EDITORS, ACTIONS = 4, 25
LABELS = ["dog", "beach", "harbour"]


def test_four_editor_processes_on_the_same_photos_lose_nothing(postgres_url: str) -> None:
    with open_catalogue(postgres_url) as catalogue:
        # Six photos for 100 actions: most actions race; two photos start without a caption, so
        # their first captions race too.
        photo_ids = make_photos(catalogue, 6, captioned=4)
        make_terms(catalogue, LABELS)
    context = multiprocessing.get_context("spawn")
    with context.Pool(EDITORS) as pool:
        runs = pool.starmap(run_editor, [(postgres_url, f"editor{number}", photo_ids, ACTIONS, number, LABELS)
                                         for number in range(EDITORS)])
    outcomes = [Outcome(**outcome) for run in runs for outcome in run]
    assert len(outcomes) == EDITORS * ACTIONS
    with open_catalogue(postgres_url) as catalogue:
        assert check_outcomes(catalogue, outcomes) == []
    captions = [outcome for outcome in outcomes if outcome.kind == "caption"]
    # Both happen: the race is real and edits still land.
    assert any(outcome.landed for outcome in captions) and any(not outcome.landed for outcome in captions)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_checks_find_a_lost_edit(catalogue: Catalogue) -> None:
    """check_outcomes is no rubber stamp: an edit reported landed that is not in the history is found."""
    [photo_id] = make_photos(catalogue, 1, captioned=1)
    lost = Outcome("ann", "caption", "edit", photo_id, 1, 1, "never written", landed=True, caption_id=1)
    refused = Outcome("bo", "caption", "edit", photo_id, 1, 1, "not kept", landed=False, caption_id=None,
                      message="caption 1 changed since revision 1")
    assert [problem.split(":")[0] for problem in check_outcomes(catalogue, [lost, refused])] == [
        "landed edit not revision 2 of its caption", "refused edit's text not kept as a draft"]


def _first_caption(session: Session, photo: Photo, who: str) -> None:
    edit_caption(session, photo, f"{who}'s first caption", author=who, based_on=BasedOn(None, 0))


def _unsaved(session: Session, photo: Photo, who: str) -> None:
    save_unsaved_edit(session, photo.id, f"{who} is typing", author=who, based_on=BasedOn(None, 0))


def _keyword(session: Session, photo: Photo, who: str) -> None:
    add_keyword(session, photo, resolve_term(session, "dog", create_free=True), author=who)


def _free_keyword(session: Session, photo: Photo, who: str) -> None:
    add_keyword(session, photo, resolve_term(session, "lighthouse", create_free=True), author=who)


@pytest.mark.parametrize("write", [_first_caption, _unsaved, _keyword, _free_keyword])
def test_a_second_writer_of_a_photo_waits_and_then_sees_the_first(
        postgres_url: str, write: Callable[[Session, Photo, str], None]) -> None:
    """Read-then-write on READ COMMITTED: while Ann's transaction (a photo's first caption, its unsaved
    edit, a new keyword) is open, Bo's waits for the photo's lock and then acts on what Ann wrote (a
    conflict, his text kept; an update; the same keyword, the same free term) instead of failing on a
    unique index or making a second term."""
    with open_catalogue(postgres_url) as catalogue:
        [photo_id] = make_photos(catalogue, 1)
        make_terms(catalogue, ["dog"])
        errors: list[BaseException] = []

        def bo() -> None:
            with open_catalogue(postgres_url) as own:
                try:
                    with review_session(own) as session:
                        write(session, session.get(Photo, photo_id), "bo")
                except CaptionConflict:
                    pass  # the first caption: Bo's is kept beside Ann's (checked below)
                except Exception as error:  # an IntegrityError without the photo's lock
                    errors.append(error)

        with catalogue.write() as ann:
            write(ann, ann.get(Photo, photo_id), "ann")
            other = threading.Thread(target=bo)
            other.start()
            with catalogue.engine.connect() as watcher:  # until Bo waits on a lock Ann holds
                waiting = text("SELECT count(*) FROM pg_locks WHERE NOT granted")
                for _poll in range(2000):
                    if watcher.execute(waiting).scalar():
                        break
                    threading.Event().wait(0.005)
        other.join(30)
        assert errors == []
        with catalogue.read() as session:
            counts = [session.scalar(select(func.count()).select_from(table))
                      for table in (Caption, UnsavedEdit, PhotoKeyword)]
            terms = session.scalar(select(func.count()).where(Term.label == "lighthouse"))
            current = session.scalars(select(Caption.text).where(Caption.is_current.is_(True))).all()
    expected = {_first_caption: [2, 0, 0], _unsaved: [0, 1, 0], _keyword: [0, 0, 1],
                _free_keyword: [0, 0, 1]}[write]
    assert counts == expected
    assert terms == (1 if write is _free_keyword else 0)
    if write is _first_caption:
        assert current == ["ann's first caption"]
