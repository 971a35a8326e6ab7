"""`photo-annotator tags`: a photo's keywords shown, added, removed, accepted and rejected from the
command line, by a preferred label or a synonym, with --vocab where a label is in several vocabularies,
under the review contract (--revision)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.models import KeywordState
from desktop_app.library.scanner import Scanner
from tests.cli_helpers import Ran, cli_on
from tests.keyword_vocab import tagged_album


@pytest.fixture
def album(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> dict[str, int]:
    return tagged_album(scanner, catalogue, tmp_path / "album")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path) -> Callable[..., Ran]:
    return cli_on(capsys, db_path)


def _states(catalogue: Catalogue, photo_id: int) -> dict[str, KeywordState]:
    with catalogue.read() as session:
        return {keyword.term.label: keyword.state for keyword in keywords.photo_keywords(session, photo_id)}


def _suggest(catalogue: Catalogue, photo_id: int, label: str, vocabulary: str = "everyday") -> None:
    with catalogue.write() as session:
        term = keywords.resolve_term(session, label, vocabulary)
        keywords.suggest_keyword(session, photo_id, term.id, confidence=0.83, tagger_id="caption-text",
                                 model_id="minilm", evidence=["dog", "grass"], author="caption-text")


def test_add_by_a_synonym_to_several_photos_names_the_term_and_goes_on_past_a_missing_photo(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int], tmp_path: Path) -> None:
    grass, boat = album["grass.jpg"], album["boat.jpg"]
    ran = cli("tags", "add", str(tmp_path / "album" / "grass.jpg"), "999", str(boat), "--term", "doggies",
              "--vocab", "everyday", "--author", "bob")
    assert ran.code == 1
    assert "doggies -> Dogs" in ran.out.splitlines()
    assert f"{tmp_path / 'album' / 'grass.jpg'}: Dogs: accepted" in ran.out
    assert ran.err.strip() == "photo-annotator: error: 999: no photo with id 999"  # one line, the others done
    assert _states(catalogue, grass)["Dogs"] is KeywordState.ACCEPTED
    assert _states(catalogue, boat)["Dogs"] is KeywordState.ACCEPTED
    with catalogue.read() as session:
        assert keywords.photo_keywords(session, boat)[0].term.vocabulary.name == "everyday"
        assert keywords.photo_keywords(session, boat)[0].author == "bob"


def test_a_label_in_two_vocabularies_needs_vocab_and_the_error_lists_them(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int]) -> None:
    ran = cli("tags", "add", str(album["boat.jpg"]), "--term", "Dogs")
    assert ran.code == 1 and ran.out == ""
    assert ran.err == ('photo-annotator: error: "Dogs" is in several vocabularies (everyday, museum); '
                       "name one with --vocab\n")
    assert "Dogs" not in _states(catalogue, album["boat.jpg"])
    assert cli("tags", "add", str(album["boat.jpg"]), "--term", "Dogs", "--vocab", "museum").code == 0
    ran = cli("tags", "add", str(album["boat.jpg"]), "--term", "Dogs", "--vocab", "nowhere")
    assert ran.code == 1 and ran.err == 'photo-annotator: error: no vocabulary named "nowhere"\n'


def test_a_label_no_vocabulary_has_becomes_a_free_keyword_and_cannot_be_removed_unknown(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int]) -> None:
    ran = cli("tags", "add", str(album["boat.jpg"]), "--term", "Sunset glow")
    assert ran.code == 0 and '"Sunset glow" is in no vocabulary: added as a free keyword' in ran.out
    assert _states(catalogue, album["boat.jpg"]) == {"Sunset glow": KeywordState.ACCEPTED}
    ran = cli("tags", "remove", str(album["boat.jpg"]), "--term", "Moonrise")
    assert ran.code == 1 and len(ran.err.splitlines()) == 1 and "Moonrise" in ran.err
    assert "Traceback" not in ran.err


def test_remove_accept_and_reject(cli: Callable[..., Ran], catalogue: Catalogue,
                                  album: dict[str, int]) -> None:
    cat, grass = album["cat.jpg"], album["grass.jpg"]
    ran = cli("tags", "remove", str(cat), "--term", "kitties")
    assert ran.code == 0 and "kitties -> Cats" in ran.out and ": Cats: rejected" in ran.out
    assert _states(catalogue, cat)["Cats"] is KeywordState.REJECTED
    _suggest(catalogue, grass, "Dogs")
    _suggest(catalogue, grass, "Puppies")
    assert cli("tags", "accept", str(grass), "--term", "hounds", "--vocab", "everyday").code == 0
    assert cli("tags", "reject", str(grass), "--term", "Puppies").code == 0
    assert _states(catalogue, grass) == {"Dogs": KeywordState.ACCEPTED, "Puppies": KeywordState.REJECTED}
    # accepting what the photo does not have says so, in one line
    ran = cli("tags", "accept", str(grass), "--term", "Boats")
    assert ran.code == 1 and ran.err.count("\n") == 1 and '"Boats"' in ran.err


def test_a_stale_revision_is_refused_naming_who_changed_the_keyword(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int]) -> None:
    grass = album["grass.jpg"]
    _suggest(catalogue, grass, "Dogs")  # revision 1
    seen = cli("tags", "show", str(grass), "--json").json()["keywords"][0]["revision"]
    assert cli("tags", "reject", str(grass), "--term", "Dogs", "--vocab", "everyday", "--author", "carol",
               "--revision", str(seen)).code == 0
    ran = cli("tags", "accept", str(grass), "--term", "Dogs", "--vocab", "everyday", "--revision", str(seen))
    assert ran.code == 1 and len(ran.err.splitlines()) == 1
    assert f"changed since revision {seen}: rejected by carol" in ran.err
    assert _states(catalogue, grass)["Dogs"] is KeywordState.REJECTED  # nothing written
    ran = cli("tags", "accept", str(grass), "--term", "Dogs", "--vocab", "everyday",
              "--revision", str(seen + 1))
    assert ran.code == 0 and _states(catalogue, grass)["Dogs"] is KeywordState.ACCEPTED


def test_tags_show_groups_keywords_by_state_and_json_carries_their_history(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int]) -> None:
    puppy = album["puppy.jpg"]
    _suggest(catalogue, puppy, "Cats")
    _suggest(catalogue, puppy, "Boats")
    assert cli("tags", "reject", str(puppy), "--term", "Boats").code == 0
    ran = cli("tags", "show", str(puppy))
    assert ran.code == 0
    lines = ran.out.splitlines()
    assert lines[0].endswith("puppy.jpg")
    accepted, suggested, rejected = (lines.index(heading) for heading in
                                     ("  Accepted (1):", "  Suggested (1):", "  Rejected (1):"))
    assert accepted < suggested < rejected
    assert lines[accepted + 1] == ("    Animals > Mammals > Dogs > Puppies  "
                                   "(everyday; human, by ann, revision 1)")
    assert lines[suggested + 1] == ('    Animals > Mammals > Cats  (everyday; ai, 83%, caption-text, '
                                    'by caption-text, revision 1)  from: "dog", "grass"')
    record = cli("tags", "show", str(puppy), "--json").json()
    assert record["id"] == puppy and record["path"].endswith("puppy.jpg")
    by_label = {keyword["label"]: keyword for keyword in record["keywords"]}
    assert by_label["Puppies"]["path"] == ["Animals", "Mammals", "Dogs", "Puppies"]
    assert by_label["Cats"] | {"updated_at": None, "history": None, "id": None, "term_id": None} == {
        "id": None, "term_id": None, "label": "Cats", "vocabulary": "everyday",
        "path": ["Animals", "Mammals", "Cats"], "uri": None, "state": "suggested", "origin": "ai",
        "confidence": pytest.approx(0.83), "tagger": "caption-text", "model": "minilm",
        "evidence": ["dog", "grass"], "author": "caption-text", "in_file": False, "revision": 1,
        "updated_at": None, "history": None}
    assert [(step["revision"], step["action"], step["state"]) for step in by_label["Boats"]["history"]] == [
        (1, "suggested", "suggested"), (2, "rejected", "rejected")]
    assert cli("tags", "show", str(album["boat.jpg"])).out.splitlines()[1:] == ["  no keywords"]
    ran = cli("tags", "show", "12345")
    assert ran.code == 1 and ran.err == "photo-annotator: error: no photo with id 12345\n"
