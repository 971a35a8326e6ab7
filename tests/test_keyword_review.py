"""A photo's keywords under the review contract: terms resolve from labels and synonyms, suggestions
never undo a person's decision, every change is a revision, stale actions are refused, and undo/redo
of an editor's actions (one photo or a selection) write new revisions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.keyword_rules import (
    AmbiguousTerm,
    KeywordBasedOn,
    KeywordConflict,
    KeywordError,
    UnknownTerm,
)
from desktop_app.catalogue.models import (
    KeywordAction,
    KeywordState,
    Library,
    Photo,
    PhotoKeywordRevision,
    PhotoStatus,
    Term,
)
from desktop_app.services.keywords import ADD, REJECT, REMOVE, KeywordReviewer, photo_keyword_views
from tests.keyword_vocab import vocabulary

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends

ANIMALS = {"Animals": (None, []), "Mammals": ("Animals", []), "Dogs": ("Mammals", ["Doggies", "hounds"]),
           "Puppies": ("Dogs", []), "Cats": ("Mammals", ["kitties"])}


@pytest.fixture
def photos(catalogue: Catalogue) -> list[int]:
    with catalogue.write() as session:
        library = Library(root="/photos", name="photos")
        session.add(library)
        session.flush()
        rows = [Photo(library_id=library.id, rel_path=f"{n}.jpg", status=PhotoStatus.OK) for n in range(3)]
        session.add_all(rows)
        session.flush()
        vocabulary(session, "everyday", ANIMALS)
        return [row.id for row in rows]


def _term(catalogue: Catalogue, label: str, vocabulary: str | None = None) -> int:
    with catalogue.read() as session:
        return keywords.resolve_term(session, label, vocabulary).id


def test_a_synonym_resolves_to_its_term_and_a_label_in_two_vocabularies_is_ambiguous(
        catalogue: Catalogue, photos: list[int]) -> None:
    with catalogue.write() as session:
        assert keywords.resolve_term(session, "doggies").label == "Dogs"
        assert keywords.resolve_term(session, "  HOUNDS ").label == "Dogs"
        vocabulary(session, "lcsh", {"Dogs": (None, [])})
        with pytest.raises(AmbiguousTerm, match="everyday, lcsh"):
            keywords.resolve_term(session, "Dogs")
        assert keywords.resolve_term(session, "Dogs", "lcsh").vocabulary.name == "lcsh"
        with pytest.raises(UnknownTerm):
            keywords.resolve_term(session, "Zebras")
        free = keywords.resolve_term(session, "Zebras", create_free=True)
        assert free.vocabulary_id is None
        assert keywords.resolve_term(session, "zebras").id == free.id  # found again, not made twice


def test_narrower_terms_are_found_at_any_depth(catalogue: Catalogue, photos: list[int]) -> None:
    with catalogue.read() as session:
        ids = {term.label: term.id for term in session.scalars(select(Term))}
        assert keywords.narrower_term_ids(session, [ids["Animals"]]) == set(ids.values())
        assert keywords.narrower_term_ids(session, [ids["Dogs"]]) == {ids["Dogs"], ids["Puppies"]}
        assert keywords.term_path(session, session.get(Term, ids["Puppies"])) == [
            "Animals", "Mammals", "Dogs", "Puppies"]


def _suggest(catalogue: Catalogue, photo_id: int, term_id: int, score: float) -> KeywordState | None:
    with catalogue.write() as session:
        keyword = keywords.suggest_keyword(session, photo_id, term_id, confidence=score, tagger_id="t",
                                           model_id="m", evidence=["dog"], author="m")
        return keyword.state if keyword is not None else None


def test_a_suggestion_never_undoes_a_persons_decision(catalogue: Catalogue, photos: list[int]) -> None:
    dogs, cats = _term(catalogue, "Dogs"), _term(catalogue, "Cats")
    assert _suggest(catalogue, photos[0], dogs, 0.8) is KeywordState.SUGGESTED
    assert _suggest(catalogue, photos[0], cats, 0.6) is KeywordState.SUGGESTED
    reviewer = KeywordReviewer(catalogue, author="editor")
    reviewer.apply("reject cats", [photos[0]], cats, REJECT)
    reviewer.apply("accept dogs", [photos[0]], dogs, ADD)
    # A later run suggests both again, with other scores: neither changes.
    assert _suggest(catalogue, photos[0], dogs, 0.3) is None
    assert _suggest(catalogue, photos[0], cats, 0.99) is None
    views = {view.label: view for view in photo_keyword_views(catalogue, photos[0])}
    assert views["Dogs"].state is KeywordState.ACCEPTED and views["Dogs"].author == "editor"
    assert views["Cats"].state is KeywordState.REJECTED
    assert views["Dogs"].confidence == pytest.approx(0.8)  # the score it was accepted with
    with catalogue.read() as session:
        actions = list(session.scalars(select(PhotoKeywordRevision.action)
                                       .where(PhotoKeywordRevision.keyword_id == views["Dogs"].keyword_id)
                                       .order_by(PhotoKeywordRevision.number)))
    assert actions == [KeywordAction.SUGGESTED, KeywordAction.ACCEPTED]


def test_a_suggestion_made_again_is_rescored_only_when_its_score_moved(
        catalogue: Catalogue, photos: list[int]) -> None:
    dogs = _term(catalogue, "Dogs")
    _suggest(catalogue, photos[1], dogs, 0.5)
    _suggest(catalogue, photos[1], dogs, 0.5)
    _suggest(catalogue, photos[1], dogs, 0.7)
    (view,) = photo_keyword_views(catalogue, photos[1])
    assert view.revision == 2 and view.confidence == pytest.approx(0.7)


def test_an_action_based_on_a_stale_revision_is_refused_and_says_who_changed_it(
        catalogue: Catalogue, photos: list[int]) -> None:
    dogs = _term(catalogue, "Dogs")
    _suggest(catalogue, photos[0], dogs, 0.8)
    (seen,) = photo_keyword_views(catalogue, photos[0])
    KeywordReviewer(catalogue, author="alice").apply("a", [photos[0]], dogs, REJECT)
    bob = KeywordReviewer(catalogue, author="bob")
    with pytest.raises(KeywordConflict, match="rejected by alice"):
        bob.apply("b", [photos[0]], dogs, ADD, based_on={photos[0]: seen.based_on})
    (now,) = photo_keyword_views(catalogue, photos[0])
    assert now.state is KeywordState.REJECTED and now.author == "alice"
    # Based on what is there now, the action goes through.
    bob.apply("c", [photos[0]], dogs, ADD, based_on={photos[0]: now.based_on})
    with pytest.raises(KeywordConflict):  # the photo had no such keyword when the person looked
        bob.apply("d", [photos[0]], dogs, REMOVE, based_on={photos[0]: KeywordBasedOn(None, 0)})


def test_tagging_a_selection_is_one_undo_step_and_undo_of_an_addition_withdraws_it(
        catalogue: Catalogue, photos: list[int]) -> None:
    dogs = _term(catalogue, "Dogs")
    _suggest(catalogue, photos[2], dogs, 0.4)
    reviewer = KeywordReviewer(catalogue, author="editor")
    reviewer.apply("tag", photos, dogs, ADD)
    assert all(v.state is KeywordState.ACCEPTED for p in photos for v in photo_keyword_views(catalogue, p))
    assert sorted(reviewer.undo("tag", "Add keyword")) == sorted(photos)
    states = {p: photo_keyword_views(catalogue, p)[0].state for p in photos}
    assert states == {photos[0]: KeywordState.WITHDRAWN, photos[1]: KeywordState.WITHDRAWN,
                      photos[2]: KeywordState.SUGGESTED}
    reviewer.redo("tag", "Add keyword")  # this editor's own later writes never make it conflict
    assert all(photo_keyword_views(catalogue, p)[0].state is KeywordState.ACCEPTED for p in photos)
    reviewer.undo("tag", "Add keyword")
    # A withdrawn keyword is as if never added: a tagger may suggest it, and then a redo is refused.
    assert _suggest(catalogue, photos[0], dogs, 0.9) is KeywordState.SUGGESTED
    with pytest.raises(KeywordConflict, match="suggested by m"):
        reviewer.redo("tag", "Add keyword")


def test_an_undo_after_another_editor_changed_the_keyword_is_refused(catalogue: Catalogue,
                                                                     photos: list[int]) -> None:
    cats = _term(catalogue, "Cats")
    mine = KeywordReviewer(catalogue, author="me")
    mine.apply("add", [photos[0]], cats, ADD)
    KeywordReviewer(catalogue, author="other").apply("rm", [photos[0]], cats, REMOVE)
    with pytest.raises(KeywordConflict, match="other"):
        mine.undo("add", "Add keyword")
    assert photo_keyword_views(catalogue, photos[0])[0].state is KeywordState.REJECTED


def test_an_empty_or_over_long_keyword_is_refused_in_one_line(catalogue: Catalogue,
                                                              photos: list[int]) -> None:
    with catalogue.write() as session:
        with pytest.raises(KeywordError, match="empty"):
            keywords.resolve_term(session, "   ", create_free=True)
        with pytest.raises(KeywordError, match="at most 255"):
            keywords.resolve_term(session, "x" * 300, create_free=True)
