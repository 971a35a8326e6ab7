"""Finding photos by their keywords: `photos --keyword` (narrower terms included) and
`--keyword-state`, the keywords in `photos --json` and `show --json`, search by a keyword the caption
does not say (keyword and hybrid), and `search --keyword` in every mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.models import KeywordState
from desktop_app.catalogue.photos import PhotoQuery, SortKey, find_photo, list_photos
from desktop_app.library.scanner import Scanner
from desktop_app.search.keyword import keyword_search
from desktop_app.search.results import Matched, SearchFilters, SearchHit
from tests.cli_helpers import Ran, cli_on
from tests.keyword_vocab import tagged_album


@pytest.fixture
def album(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> dict[str, int]:
    return tagged_album(scanner, catalogue, tmp_path / "album")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path) -> Callable[..., Ran]:
    return cli_on(capsys, db_path)


def names(ran: Ran) -> list[str]:
    assert ran.code == 0, ran.err
    return [Path(line["path"]).name for line in ran.json_lines()]


def _term(catalogue: Catalogue, label: str) -> int:
    with catalogue.read() as session:
        return keywords.resolve_term(session, label, "everyday").id


# -- photos --keyword, --keyword-state, and the PhotoQuery the app's Keywords panel uses -------------------

def test_photos_keyword_includes_narrower_terms_four_levels_down(cli: Callable[..., Ran],
                                                                 album: dict[str, int]) -> None:
    def listed(*args: str) -> set[str]:
        return set(names(cli("photos", "--json", *args)))

    dogs = {"puppy.jpg", "bare.jpg", "retriever.jpg"}
    assert listed("--keyword", "Animals", "--vocab", "everyday") == dogs | {"cat.jpg"}
    assert listed("--keyword", "mammals") == dogs | {"cat.jpg"}
    assert listed("--keyword", "Doggies") == dogs  # a synonym: its term and below
    assert listed("--keyword", "Puppies") == {"puppy.jpg"}
    assert listed("--keyword", "Mammals", "--keyword", "Puppies") == {"puppy.jpg"}  # AND
    assert listed("--keyword", "kitties", "--keyword", "Puppies") == set()
    assert listed("--keyword", "Boats") == set()
    assert listed("--keyword", "Dogs", "--vocab", "museum") == set()
    ran = cli("photos", "--keyword", "Dogs")
    assert ran.code == 1 and "several vocabularies (everyday, museum)" in ran.err
    ran = cli("photos", "--keyword", "Unicorns")
    assert ran.code == 1 and len(ran.err.splitlines()) == 1 and "Unicorns" in ran.err
    # with the other filters, and in text output
    assert listed("--keyword", "Dogs", "--vocab", "everyday", "--state", "none") == {"bare.jpg"}
    text = cli("photos", "--keyword", "Puppies").out.splitlines()
    assert len(text) == 2 and text[1].split()[3].endswith("puppy.jpg")


def test_keyword_state_lists_suggestions_to_review_and_keywords_removed_in_files(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int]) -> None:
    with catalogue.write() as session:
        keywords.suggest_keyword(session, album["grass.jpg"], _term(catalogue, "Dogs"), confidence=0.9,
                                 tagger_id="caption-text", model_id=None, evidence=["dog"], author="t")
        boat = find_photo(session, str(album["boat.jpg"]))
        keywords.sync_file_keywords(session, boat, ["Boats"])  # read from the file...
        keywords.sync_file_keywords(session, boat, [])  # ...and gone after another program changed it

    def listed(*args: str) -> set[str]:
        return set(names(cli("photos", "--json", *args)))

    assert listed("--keyword-state", "suggested") == {"grass.jpg"}
    assert listed("--keyword-state", "removed-in-file") == {"boat.jpg"}
    assert listed("--keyword", "Mammals", "--keyword-state", "suggested") == {"grass.jpg"}
    assert listed("--keyword", "Cats", "--keyword-state", "suggested") == set()
    assert "grass.jpg" not in listed("--keyword", "Dogs", "--vocab", "everyday")  # a suggestion is not one
    # the same filter for the app's grid
    with catalogue.read() as session:
        dogs = PhotoQuery(keyword_terms=(_term(catalogue, "Dogs"),))
        found = {row.id for row in list_photos(session, dogs)}
        assert found == {album["puppy.jpg"], album["bare.jpg"], album["retriever.jpg"]}
        found = {row.id for row in list_photos(session, PhotoQuery(keyword_state=KeywordState.SUGGESTED))}
        assert found == {album["grass.jpg"]}


def test_photos_json_and_show_json_carry_the_accepted_keywords(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int]) -> None:
    assert cli("tags", "add", str(album["puppy.jpg"]), "--term", "kitties").code == 0
    assert cli("tags", "add", str(album["puppy.jpg"]), "--term", "vessels").code == 0
    assert cli("tags", "remove", str(album["puppy.jpg"]), "--term", "vessels").code == 0
    lines = {Path(line["path"]).name: line for line in cli("photos", "--json").json_lines()}
    assert lines["puppy.jpg"]["keywords"] == ["Cats", "Puppies"]  # accepted only, by label
    assert lines["boat.jpg"]["keywords"] == []
    assert lines["bare.jpg"]["keywords"] == ["Dogs"]
    assert cli("show", str(album["puppy.jpg"]), "--json").json()["keywords"] == ["Cats", "Puppies"]


def test_photos_json_reads_keywords_in_batches(cli: Callable[..., Ran], album: dict[str, int],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.cli import photos

    monkeypatch.setattr(photos, "JSON_BATCH", 4)  # six photos: two batches, one partial
    lines = {Path(line["path"]).name: line["keywords"] for line in cli("photos", "--json").json_lines()}
    assert lines == {"bare.jpg": ["Dogs"], "boat.jpg": [], "cat.jpg": ["Cats"], "grass.jpg": [],
                     "puppy.jpg": ["Puppies"], "retriever.jpg": ["Golden retrievers"]}


# -- search by a keyword the caption does not say ----------------------------------------------------------

def found(catalogue: Catalogue, album: dict[str, int], text: str, **filters: object) -> list[SearchHit]:
    with catalogue.read() as session:
        return keyword_search(session, text, SearchFilters(**filters))  # type: ignore[arg-type]


def found_names(catalogue: Catalogue, album: dict[str, int], text: str, **filters: object) -> list[str]:
    by_id = {photo_id: name for name, photo_id in album.items()}
    return [by_id[hit.photo_id] for hit in found(catalogue, album, text, **filters)]


@pytest.mark.parametrize(("query", "expected"), [
    ("dogs", {"grass.jpg", "bare.jpg", "puppy.jpg", "retriever.jpg"}),  # caption "dog", keyword, narrower
    ("dog", {"grass.jpg", "bare.jpg", "puppy.jpg", "retriever.jpg"}),  # the singular names Dogs too
    ("doggies", {"bare.jpg", "puppy.jpg", "retriever.jpg"}),  # a synonym
    ("animals", {"bare.jpg", "puppy.jpg", "retriever.jpg", "cat.jpg"}),  # four levels down
    ("animal", {"bare.jpg", "puppy.jpg", "retriever.jpg", "cat.jpg"}),  # and the caption's "animal"
    ("kitties", {"cat.jpg"}),
    ('"golden retriever"', {"retriever.jpg"}),  # a multi-word label, as a phrase
    ("golden retriever", {"retriever.jpg"}),  # or as plain words
    ("dog grass", {"grass.jpg", "puppy.jpg"}),  # the keyword and the caption's word together
    ("dog sofa", set()),
    ("grass -dog", set()),  # the puppy's keyword excludes it too
    ("cat OR puppies", {"cat.jpg", "puppy.jpg"}),
    ("harbour -dogs", {"boat.jpg"}),
    ("puppi*", {"puppy.jpg"}),  # a prefix matches captions only
])
def test_a_query_word_naming_a_keyword_finds_its_photos(catalogue: Catalogue, album: dict[str, int],
                                                         query: str, expected: set[str]) -> None:
    assert set(found_names(catalogue, album, query)) == expected


@pytest.mark.both_backends  # search by a keyword, fused with caption hits: PostgreSQL too
def test_keyword_matches_rank_with_caption_matches_and_say_which_keyword(catalogue: Catalogue,
                                                                         album: dict[str, int]) -> None:
    hits = found(catalogue, album, "dogs")
    by_name = {name: hit for name, hit in zip(found_names(catalogue, album, "dogs"), hits, strict=True)}
    # The first by caption and the first by keyword (a term the query names before a narrower one) tie;
    # the caption hit comes first, the scores read from 1.0 down.
    assert [name for name in by_name][:2] == ["grass.jpg", "bare.jpg"]
    assert hits[0].score == hits[1].score == 1.0 and hits[-1].score < 1.0
    grass = by_name["grass.jpg"]
    assert grass.matched is Matched.WORDS and grass.snippet == "a [dog] on the grass"
    bare = by_name["bare.jpg"]
    assert (bare.matched, bare.snippet, bare.caption, bare.caption_id, bare.kind) == (
        Matched.KEYWORD, "keyword: Dogs", "", None, None)
    puppy = by_name["puppy.jpg"]
    assert puppy.snippet == "keyword: Puppies" and puppy.caption == "a puppy running on grass"
    assert puppy.caption_id is not None
    # A photo found both ways ranks above either alone.
    assert found_names(catalogue, album, "puppy")[0] == "puppy.jpg"
    with catalogue.read() as session:  # a query naming no keyword ranks as before: bm25 alone
        assert [hit.matched for hit in keyword_search(session, "red")] == [Matched.WORDS]


@pytest.mark.both_backends  # search by a keyword, fused with caption hits: PostgreSQL too
def test_keyword_matches_keep_the_filters(catalogue: Catalogue, album: dict[str, int]) -> None:
    assert set(found_names(catalogue, album, "dogs", folder="nowhere")) == set()
    # a caption filter keeps photos with a caption that passes: the bare photo has none
    assert "bare.jpg" not in found_names(catalogue, album, "dogs", approved_only=True)
    assert "puppy.jpg" in found_names(catalogue, album, "dogs", approved_only=True)
    assert set(found_names(catalogue, album, "animals", keyword_terms=(_term(catalogue, "Cats"),))) \
        == {"cat.jpg"}


# -- `search`: by keyword in keyword and hybrid search; --keyword in every mode ----------------------------

def test_search_command_finds_a_photo_by_a_keyword_its_caption_lacks(cli: Callable[..., Ran],
                                                                     album: dict[str, int]) -> None:
    ran = cli("search", "doggies", "--mode", "keyword", "--json")
    assert names(ran)[0] == "bare.jpg" and set(names(ran)) == {"bare.jpg", "puppy.jpg", "retriever.jpg"}
    assert ran.json_lines()[0]["matched"] == "keyword" and ran.json_lines()[0]["snippet"] == "keyword: Dogs"
    text = cli("search", "doggies", "--mode", "keyword").out.splitlines()
    assert text[0].startswith("1.00  ") and text[0].endswith("bare.jpg  keyword: Dogs")
    # hybrid (the real MiniLM; a small catalogue is embedded before the query)
    ran = cli("search", "hounds", "--json")
    assert {"bare.jpg", "puppy.jpg", "retriever.jpg"} <= set(names(ran))
    assert names(ran)[0] in {"bare.jpg", "puppy.jpg"}


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_search_keyword_filters_every_text_mode(cli: Callable[..., Ran], album: dict[str, int],
                                                mode: str) -> None:
    ran = cli("search", "animal on grass", "--mode", mode, "--keyword", "hounds", "--json")
    assert set(names(ran)) <= {"bare.jpg", "puppy.jpg", "retriever.jpg"} and "puppy.jpg" in names(ran)
    ran = cli("search", "a", "--mode", mode, "--keyword", "Puppies", "--keyword", "Mammals", "--json")
    assert set(names(ran)) == {"puppy.jpg"}
    ran = cli("search", "a", "--mode", mode, "--keyword", "Dogs")
    assert ran.code == 1 and "several vocabularies" in ran.err


def test_search_keyword_filters_image_search(cli: Callable[..., Ran], album: dict[str, int],
                                             clip_folder: Path) -> None:
    clip = ["--embedder", "clip", "--model", str(clip_folder), "--device", "cpu"]
    assert cli("embed", "--photos", *clip).code == 0
    assert len(names(cli("search", "a dog", "--mode", "image", *clip, "--json"))) == len(album)
    ran = cli("search", "a dog", "--mode", "image", *clip, "--keyword", "Dogs", "--vocab", "everyday",
              "--json")
    assert set(names(ran)) == {"bare.jpg", "puppy.jpg", "retriever.jpg"}


def test_the_grids_words_search_finds_photos_by_a_keyword_the_query_names(
        cli: Callable[..., Ran], catalogue: Catalogue, album: dict[str, int]) -> None:
    def grid(text: str) -> list[str]:
        by_id = {photo_id: name for name, photo_id in album.items()}
        with catalogue.read() as session:
            query = PhotoQuery(text=text, sort=SortKey.RELEVANCE)
            return [by_id[row.id] for row in list_photos(session, query)]

    assert set(grid("doggies")) == {"bare.jpg", "puppy.jpg", "retriever.jpg"}
    assert set(grid("dog")) == {"grass.jpg", "bare.jpg", "puppy.jpg", "retriever.jpg"}  # as typed: dog*
    assert grid("puppy")[0] == "puppy.jpg"
    assert set(grid("golden retriever")) == {"retriever.jpg"}
    assert set(grid("dog grass")) == {"grass.jpg"}  # several words that make no label: captions only
    assert set(grid("harbour")) == {"boat.jpg"}
    assert set(names(cli("photos", "--search", "kitties", "--json"))) == {"cat.jpg"}


@pytest.mark.both_backends  # search by a keyword, fused with caption hits: PostgreSQL too
def test_caption_hits_a_keyword_excludes_are_made_up_for(catalogue: Catalogue, album: dict[str, int]) -> None:
    with catalogue.read() as session:
        for limit in (1, 2):
            hits = keyword_search(session, "a -dogs", SearchFilters(), limit)
            by_id = {photo_id: name for name, photo_id in album.items()}
            assert len(hits) == limit and {by_id[hit.photo_id] for hit in hits} <= {"cat.jpg", "boat.jpg"}
