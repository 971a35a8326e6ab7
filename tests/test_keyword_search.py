"""Keyword search: our query syntax translated to FTS5 and to PostgreSQL's tsquery, ranking, filters,
snippets, safety."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text as sa_text

from desktop_app.catalogue import Catalogue, fts_postgres, open_catalogue
from desktop_app.catalogue.captions import add_caption, edit_caption
from desktop_app.catalogue.fts import to_fts, translate
from desktop_app.catalogue.models import CaptionKind, CaptionOrigin, Library, Photo, PhotoStatus, ReviewState
from desktop_app.query_language import And, Not, Or, Term, excludes_only, for_meaning, parse
from desktop_app.search.keyword import SNIPPET_TOKENS, keyword_search
from desktop_app.search.results import Matched, SearchFilters, SearchHit
from tests.postgres_server import PostgresServer

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends

AI, HUMAN, IMPORTED = CaptionOrigin.AI, CaptionOrigin.HUMAN, CaptionOrigin.IMPORTED
DRAFT, APPROVED, REJECTED = ReviewState.DRAFT, ReviewState.APPROVED, ReviewState.REJECTED

# name: (library, rel_path, date taken, [(text, origin, state, captioner)...]); the first caption is the
# photo's current description, a second its current alt text (search covers both)
ALBUM = {
    "harbour": ("sea", "2021/coast/harbour.jpg", datetime(2021, 6, 1, 9),
                [("a red boat in the harbour at dawn", AI, DRAFT, "generic")]),
    "sails": ("sea", "2021/coast/sails.jpg", datetime(2021, 6, 2, 9),
              [("a boat with red sails moored far out beyond the harbour wall at dusk", AI, DRAFT,
                "florence")]),
    "dog": ("sea", "2021/beach/dog.jpg", datetime(2021, 7, 1, 12),
            [("a brown dog running on the grass", AI, APPROVED, "generic")]),
    "cat": ("home", "2022/cat.jpg", datetime(2022, 1, 5, 18),
            [("a grey cat sleeping on a sofa", HUMAN, APPROVED, None)]),
    "puppy": ("home", "2022/puppy.jpg", datetime(2022, 3, 1, 8),
              [("our puppy chewing a red ball", IMPORTED, REJECTED, None),
               ("a young dog with a red ball on the grass", AI, DRAFT, "generic")]),
    "café": ("home", "2023/cafe.jpg", None,
             [("breakfast at the café, coffee and croissants", HUMAN, DRAFT, None)]),
}


@pytest.fixture
def album(catalogue: Catalogue, tmp_path: Path) -> dict[str, int]:
    """Photos in two libraries, in folders, with dates, captions of every origin and state; ids by name."""
    with catalogue.write() as session:
        libraries = {}
        for name in ("sea", "home"):
            libraries[name] = Library(root=str(tmp_path / name), name=name)
            session.add(libraries[name])
        session.flush()
        ids = {}
        for name, (library, rel_path, taken, captions) in ALBUM.items():
            photo = Photo(library_id=libraries[library].id, rel_path=rel_path, status=PhotoStatus.OK,
                          date_taken=taken)
            session.add(photo)
            session.flush()
            for number, (text, origin, state, captioner) in enumerate(captions):
                add_caption(session, photo, text, origin=origin, author="ann", state=state,
                            captioner_id=captioner,
                            kind=CaptionKind.ALT_TEXT if number else CaptionKind.DESCRIPTION)
            ids[name] = photo.id
    return ids


def search(catalogue: Catalogue, album: dict[str, int], text: str, limit: int = 20,
           **filters: object) -> list[str]:
    """The names of the photos found, best first."""
    by_id = {photo_id: name for name, photo_id in album.items()}
    with catalogue.read() as session:
        return [by_id[hit.photo_id] for hit in keyword_search(session, text, SearchFilters(**filters), limit)]


def hits(catalogue: Catalogue, text: str, **filters: object) -> list[SearchHit]:
    with catalogue.read() as session:
        return keyword_search(session, text, SearchFilters(**filters))


def test_bm25_ranks_the_closest_caption_first(catalogue: Catalogue, album: dict[str, int]) -> None:
    # Both hold "red" and "boat"; the short caption with them side by side ranks first, and the
    # exact phrase finds only it.
    assert search(catalogue, album, "red boat") == ["harbour", "sails"]
    assert search(catalogue, album, '"red boat"') == ["harbour"]
    assert search(catalogue, album, '"boat red"') == []
    found = hits(catalogue, "harbour")
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)
    assert found[0].score > found[1].score  # the shorter caption: bm25 weighs a word by length


@pytest.mark.parametrize(("query", "expected"), [
    ("red", {"harbour", "sails", "puppy"}),
    ("red ball", {"puppy"}),
    ("red AND ball", {"puppy"}),
    ("boats", {"harbour", "sails"}),  # stemmed
    ("cafe", {"café"}),  # accents removed
    ("croiss*", {"café"}),
    ('"red bo"*', {"harbour"}),  # a phrase's last word is the prefix
    ('"re boat"*', set()),
    ("croiss", set()),  # a finished word matches whole
    ("cat OR dog", {"cat", "dog", "puppy"}),
    ("red -ball", {"harbour", "sails"}),
    ("red NOT ball", {"harbour", "sails"}),
    ('red -"red sails"', {"harbour", "puppy"}),
    ("red -(boat dusk)", {"harbour", "puppy"}),
    ("(dog OR cat) grass", {"dog", "puppy"}),
    ("dog OR cat grass", {"dog", "puppy"}),  # AND binds tighter than OR
    ("sofa and cat", set()),  # lower-case "and" is a word the captions do not hold
    ("sleeping and cat", set()),
    ("grey cat -", {"cat"}),
])
def test_query_syntax(catalogue: Catalogue, album: dict[str, int], query: str, expected: set[str]) -> None:
    assert set(search(catalogue, album, query)) == expected


def test_only_exclusions_find_nothing(catalogue: Catalogue, album: dict[str, int]) -> None:
    # FTS5 cannot list "every caption without X"
    assert search(catalogue, album, "-red") == []
    assert search(catalogue, album, "NOT red -dog") == []


def test_approved_only_and_filters(catalogue: Catalogue, album: dict[str, int]) -> None:
    with catalogue.read() as session:
        sea = session.query(Library).filter_by(name="sea").one().id
    assert set(search(catalogue, album, "a")) == {"harbour", "sails", "dog", "cat", "puppy"}
    assert set(search(catalogue, album, "a", approved_only=True)) == {"dog", "cat"}
    assert set(search(catalogue, album, "a", library_id=sea)) == {"harbour", "sails", "dog"}
    assert set(search(catalogue, album, "a", folder="2021/coast")) == {"harbour", "sails"}
    assert set(search(catalogue, album, "a", folder="2021/coast/")) == {"harbour", "sails"}
    assert set(search(catalogue, album, "a", taken_from=date(2021, 6, 2), taken_to=date(2022, 1, 5))) \
        == {"sails", "dog", "cat"}
    assert set(search(catalogue, album, "a", state=DRAFT)) == {"harbour", "sails", "puppy"}
    # the state of the caption that matched: the puppy's rejected caption says nothing of grass
    assert set(search(catalogue, album, "grass", state=REJECTED)) == set()
    assert set(search(catalogue, album, "grass", state=DRAFT)) == {"puppy"}
    assert set(search(catalogue, album, "red", state=REJECTED)) == {"puppy"}
    assert set(search(catalogue, album, "a", captioner="florence")) == {"sails"}
    assert set(search(catalogue, album, "red", origin=IMPORTED)) == {"puppy"}
    assert set(search(catalogue, album, "red", origin=HUMAN)) == set()


def test_one_hit_per_photo_through_its_best_caption(catalogue: Catalogue, album: dict[str, int],
                                                    tmp_path: Path) -> None:
    # The puppy photo holds two captions with "red ball": one hit, through the shorter caption.
    [hit] = hits(catalogue, "red ball")
    assert hit.photo_id == album["puppy"]
    assert hit.caption == "our puppy chewing a red ball"
    assert hit.path == os.path.join(str(tmp_path / "home"), "2022", "puppy.jpg")


def test_many_matching_captions_of_one_photo_leave_room_for_others(
    catalogue: Catalogue, album: dict[str, int]
) -> None:
    with catalogue.write() as session:
        photo = session.get(Photo, album["cat"])
        for _ in range(30):  # superseded drafts: all rank above the other photos' captions, none is searched
            add_caption(session, photo, "zebra zebra", origin=AI, author="m", make_current=False)
        add_caption(session, photo, "zebra zebra", origin=AI, author="m", kind=CaptionKind.ALT_TEXT)
        for name in ("dog", "harbour"):
            add_caption(session, session.get(Photo, album[name]),
                        f"a zebra near the {name} and many more words", origin=AI, author="m",
                        kind=CaptionKind.ALT_TEXT)
    assert search(catalogue, album, "zebra", limit=2)[0] == "cat"
    assert len(search(catalogue, album, "zebra", limit=2)) == 2
    assert sorted(search(catalogue, album, "zebra")) == ["cat", "dog", "harbour"]


def test_snippets_highlight_the_matched_words(catalogue: Catalogue, album: dict[str, int]) -> None:
    [hit] = hits(catalogue, '"red boat" dawn')
    assert hit.snippet == "a [red boat] in the harbour at [dawn]"
    [hit] = hits(catalogue, "croiss*")
    assert "[croissants]" in hit.snippet
    with catalogue.write() as session:
        long_text = " ".join(["word"] * 40 + ["lighthouse"] + ["word"] * 40)
        edit_caption(session, session.get(Photo, album["cat"]), long_text, author="ann")
    [hit] = hits(catalogue, "lighthouse")
    assert "[lighthouse]" in hit.snippet and "…" in hit.snippet
    assert len(hit.snippet) < len(long_text)


def test_a_huge_caption_gets_a_snippet_of_bounded_size(catalogue: Catalogue, album: dict[str, int]) -> None:
    # Catalogues from before the caption length limit can hold megabytes of caption (an 8.7 MB one made a
    # search take 100 s: FTS5's snippet() over the whole text). Only a bounded window is read for it.
    filler = "word " * 600_000  # 3 MB
    huge = {"cat": "a lighthouse on the cliff at dusk " + filler, "dog": filler + " a lighthouse at dawn"}
    with catalogue.write() as session:
        for name, text in huge.items():
            session.execute(sa_text("UPDATE captions SET text = :text WHERE photo_id = :photo"),
                            {"text": text, "photo": album[name]})
    by_id = {hit.photo_id: hit for hit in hits(catalogue, "lighthouse")}
    assert set(by_id) == {album["cat"], album["dog"]}
    near_start = by_id[album["cat"]]
    assert near_start.snippet.startswith("a [lighthouse] on the cliff at dusk word word")
    assert len(near_start.snippet) < 200 and near_start.snippet.endswith("…")
    # Its match lies past the window: its snippet is the caption's bounded opening.
    far = by_id[album["dog"]]
    assert far.snippet == " ".join(["word"] * SNIPPET_TOKENS) + "…"
    assert far.caption == huge["dog"]  # the hit itself carries the exact text


def test_scores_read_as_relevance_from_one_down(catalogue: Catalogue, album: dict[str, int]) -> None:
    found = hits(catalogue, "red")
    assert len(found) == 3 and found[0].score == 1.0
    assert all(0 < hit.score <= 1 for hit in found)
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)
    assert found[-1].score < 1  # the long "red sails" caption: less relevant than the best
    assert {hit.matched for hit in found} == {Matched.WORDS}
    [only] = hits(catalogue, "croissants")
    assert only.score == 1.0


def test_an_edit_updates_the_keyword_index(catalogue: Catalogue, album: dict[str, int]) -> None:
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, album["cat"]), "a tabby kitten on a windowsill",
                     author="ann")
    assert search(catalogue, album, "sofa") == []
    assert search(catalogue, album, "kitten windowsill") == ["cat"]


WEIRD = ['"', '""', '"unclosed phrase', "(", ")", "((dog", "dog))", "NEAR", "NEAR(a b)", "NEAR(dog grass, 2)",
         "*", "**", "-", "--", "- -", "AND", "OR", "NOT", "a OR", "OR b", "AND dog", "dog AND", "NOT dog",
         "NOT", "-dog -cat", "a OR -b", "", " ", "\t\n", "dog" * 3000, "red boat " * 1200, "(" * 5000 + "dog",
         "🐶", "🐶 dog", "猫の写真", "ß", "Ünïcödé façade", "dog\x00cat", "\x1b[31m", "\ud800", "text:dog",
         "^dog", "dog + cat", "{dog cat}", "col:*", "'single'", "\\", "a\"b\"c", "a (b OR (c -d)) -(e f)",
         "_", "___ dog"]


@pytest.mark.parametrize("query", WEIRD)
def test_any_query_is_safe(catalogue: Catalogue, album: dict[str, int], query: str) -> None:
    assert isinstance(search(catalogue, album, query), list)
    assert isinstance(search(catalogue, album, query, approved_only=True, folder="2021"), list)


def test_quotes_and_backslashes_are_text(catalogue: Catalogue, album: dict[str, int]) -> None:
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, album["cat"]), "o'brien's cat in c:\\photos\\", author="ann")
    assert search(catalogue, album, "o'brien's") == ["cat"]
    assert search(catalogue, album, '"o\'brien\'s cat" photos\\') == ["cat"]
    assert search(catalogue, album, "'cat' | c:* & !photos") == ["cat"]  # tsquery syntax is no syntax here


def test_without_unaccent_on_the_server_accents_must_match(postgres_server: PostgresServer,
                                                           tmp_path: Path) -> None:
    # A role that may not create extensions (a trusted one needs CREATE on the database) still gets a
    # working index from the migrations: unaccent left out of the configuration, accents matched as typed.
    name = f"plain_{os.getpid()}"
    postgres_server.execute(f"CREATE ROLE {name} LOGIN", f"CREATE DATABASE {name}")
    try:
        postgres_server.execute(f"GRANT ALL ON SCHEMA public TO {name}", database=name)
        with open_catalogue(postgres_server.url(name, user=name)) as catalogue, catalogue.write() as session:
            library = Library(root=str(tmp_path), name="home")
            session.add(library)
            session.flush()
            photo = Photo(library_id=library.id, rel_path="cafe.jpg", status=PhotoStatus.OK)
            session.add(photo)
            session.flush()
            add_caption(session, photo, "breakfast at the Café", origin=HUMAN, author="ann")
            session.flush()
            assert [hit.photo_id for hit in keyword_search(session, "café")] == [photo.id]
            assert keyword_search(session, "cafe") == []
    finally:
        postgres_server.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"DROP ROLE IF EXISTS {name}")


def test_a_query_without_operators_still_finds_words_in_weird_places(
    catalogue: Catalogue, album: dict[str, int]
) -> None:
    assert search(catalogue, album, "NEAR(dog grass)") == []  # NEAR is a word here, not in any caption
    assert search(catalogue, album, "(dog grass") == ["dog", "puppy"]
    assert search(catalogue, album, '"brown dog') == ["dog"]
    assert search(catalogue, album, "🐶 dog\x00brown") == ["dog"]


@pytest.mark.parametrize(("query", "expression"), [
    ("dog", '"dog"'),
    ("dog cat", '"dog" "cat"'),
    ('"red boat"', '"red boat"'),
    ('"red boat"*', '"red boat"*'),
    ("harb*", '"harb"*'),
    ("dog OR cat", '"dog" OR "cat"'),
    ("dog -cat", '"dog" NOT "cat"'),
    ("dog NOT cat -bird", '"dog" NOT ("cat" OR "bird")'),
    ("a b -c", '("a" "b") NOT "c"'),
    ("(dog OR cat) grass", '("dog" OR "cat") AND "grass"'),
    ("x -(a -b)", '"x" NOT ("a" NOT "b")'),
    ("x (-a -b)", '"x" NOT ("a" OR "b")'),
    ("a OR -b", '"a"'),
    ("dog and or not cat", '"dog" "and" "or" "not" "cat"'),
    ('say "hi', '"say" "hi"'),
    ("NEAR(a b)", '"NEAR" "a" "b"'),
    ("well-known", '"well-known"'),
    ("-dog", None),
    ("-dog -cat", None),
    ("NOT", None),
    ("* - ( )", None),
    ("", None),
])
def test_translation(query: str, expression: str | None) -> None:
    assert translate(query) == expression


@pytest.mark.parametrize(("query", "tsquery"), [
    ("dog", "'dog'"),
    ("dog cat", "('dog' & 'cat')"),
    ('"red boat"', "'red boat'"),  # to_tsquery splits a quoted lexeme into a phrase: 'red' <-> 'boat'
    ('"red boat"*', "('red' <-> 'boat':*)"),
    ("harb*", "'harb':*"),
    ("dog OR cat", "('dog' | 'cat')"),
    ("dog -cat", "('dog' & !'cat')"),
    ("dog NOT cat -bird", "('dog' & !('cat' | 'bird'))"),
    ("a b -c", "(('a' & 'b') & !'c')"),
    ("(dog OR cat) grass", "(('dog' | 'cat') & 'grass')"),
    ("x -(a -b)", "('x' & !('a' & !'b'))"),
    ("x (-a -b)", "('x' & !('a' | 'b'))"),
    ("a OR -b", "'a'"),
    ("-a OR -b x", "('x' & !'b')"),
    ("dog and or not cat", "('dog' & 'and' & 'or' & 'not' & 'cat')"),
    ("NEAR(a b)", "('NEAR' & 'a' & 'b')"),
    ("well-known", "'well-known'"),
    ("o'brien", "'o''brien'"),
    ("c:\\x's", "'c:\\\\x''s'"),
    ("a&b|!c:*<->", "'a&b|!c:*<->'"),
    ("-dog", None),
    ("NOT", None),
    ("", None),
])
def test_tsquery_translation(query: str, tsquery: str | None) -> None:
    # The same tree as FTS5's, the same reading of NOT and OR; every word a quoted lexeme.
    assert fts_postgres.translate(query) == tsquery


def test_tsquery_phrases_for_snippets() -> None:
    expression = fts_postgres.translate('"Red Boat" dawn "it\'s a \\ b"')
    assert expression is not None
    assert fts_postgres.phrases(expression) == ["red boat", "it's a \\ b"]


def test_parse_tree() -> None:
    assert parse('red "boat trip" OR -harb*') == Or((And((Term("red"), Term("boat trip", phrase=True))),
                                                      Not(Term("harb", prefix=True))))
    assert parse("((a))") == Term("a")
    assert parse("") is None


@pytest.mark.parametrize(("query", "wanted", "excluded", "exclusions_only"), [
    ("red boat -dog", "red boat", '"dog"', False),
    ("cat NOT (dog OR bird) -fish", "cat", '"dog" OR "bird" OR "fish"', False),
    ("-dog -cat", "", '"dog" OR "cat"', True),
    ("a OR -b", "a", None, False),  # an excluded alternative is dropped, as in keyword search
    ("-(-a)", "a", None, False),
    ("", "", None, False),
])
def test_meaning_query_splits_out_the_exclusions(query: str, wanted: str, excluded: str | None,
                                                 exclusions_only: bool) -> None:
    meaning = for_meaning(query)
    assert (meaning.text, to_fts(meaning.excluded), meaning.exclusions_only) == (wanted, excluded,
                                                                                exclusions_only)
    # What finds nothing by words finds nothing by meaning either: the one rule, from the query language.
    node = parse(query)
    assert (node is not None and excludes_only(node)) == (translate(query) is None and node is not None)


def test_long_queries_are_capped() -> None:
    expression = translate(" ".join(f"w{number}" for number in range(1000)))
    assert expression is not None
    assert expression.count('"') == 2 * 64
    # nesting deeper than the parser follows is flattened, never a RecursionError
    assert translate("(" * 20 + "dog OR cat" + ")" * 20 + " grass") == '("dog" OR "cat") AND "grass"'


def typed(text: str) -> str | None:
    """The grid's filter: a search box's text as it is being typed."""
    return translate(text, typing=True)


def test_typing_makes_only_a_last_plain_word_a_prefix() -> None:
    assert typed("red bo") == '"red" "bo"*'
    assert typed("red bo ") == '"red" "bo"'
    assert typed('red "bo') == '"red" "bo"'
    assert typed('red "bo"') == '"red" "bo"'
    assert typed("red -bo") == '"red" NOT "bo"'
    assert typed("red OR") == '"red"'
    assert typed("red OR b") == '"red" OR "b"*'
    assert typed("-bo") is None
