"""Vocabularies: each file format read from fixtures (tests/vocabularies/), imported and re-imported
without losing a photo's keywords, listed, shown and removed from the command line, and completed as a
person types."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue, keywords
from desktop_app.catalogue.keyword_rules import KeywordError
from desktop_app.catalogue.models import (
    KeywordState,
    LabelVector,
    Library,
    Photo,
    PhotoStatus,
    Term,
    TermLabel,
)
from desktop_app.library.vocabulary_files import (
    CSV,
    LIGHTROOM,
    SKOS,
    TEXT,
    VocabularyFileError,
    guess_format,
    read_vocabulary,
)
from desktop_app.library.vocabulary_files.indented import NOT_EXPORTED_NOTE
from desktop_app.search.term_completion import EXACT, PREFIX, WORD_PREFIX, TermCompleter
from desktop_app.services.vocabularies import complete_terms, import_vocabulary_file
from tests.cli_helpers import Ran, cli_on, run_cli

FIXTURES = Path(__file__).parent / "vocabularies"
EX = "http://example.org/animals/"


def _by_label(path: Path, **options: str) -> dict[str, object]:
    parsed = read_vocabulary(path, **options)  # type: ignore[arg-type]
    labels = {term.ref: term.label for term in parsed.terms}
    return {term.label: (sorted(term.synonyms), sorted(labels[b] for b in term.broader), term.uri)
            for term in parsed.terms}


# -- reading the formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["animals.ttl", "animals.rdf"])
def test_skos_in_turtle_and_rdf_xml_reads_labels_synonyms_a_four_level_hierarchy_and_uris(name: str) -> None:
    parsed = read_vocabulary(FIXTURES / name)
    assert parsed.format == SKOS
    assert _by_label(FIXTURES / name) == {
        "Animals": ([], [], EX + "animals"),  # the concept scheme is not a term
        "Mammals": ([], ["Animals"], EX + "mammals"),  # skos:narrower read as the inverse of broader
        "Birds": (["Fowl"], ["Animals"], EX + "birds"),
        "Dogs": (["Doggies", "Hounds"], ["Mammals"], EX + "dogs"),  # the German altLabel left out
        "Puppies": ([], ["Dogs"], EX + "puppies"),
        "Cats": (["Kitties"], ["Mammals"], EX + "cats"),
        "Owls": ([], ["Birds"], EX + "owls"),
    }
    notes = {term.label: term.notes for term in parsed.terms}
    assert notes["Dogs"] == "Domestic dogs of any breed."
    assert notes["Owls"] == "Birds of prey of the order Strigiformes."


def test_skos_lang_picks_the_labels_of_that_language_and_notes_a_fallback() -> None:
    parsed = read_vocabulary(FIXTURES / "animals.ttl", language="de")
    assert parsed.language == "de"
    terms = {term.uri: term for term in parsed.terms}
    assert terms[EX + "dogs"].label == "Hunde"
    assert terms[EX + "dogs"].synonyms == ["Köter"]
    assert terms[EX + "dogs"].notes == "Haushunde jeder Rasse."
    assert terms[EX + "mammals"].label == "Säugetiere"
    assert terms[EX + "owls"].label == "Owls"  # no German label: the English one, and the notes say so
    assert "no de label; the en one is used" in (terms[EX + "owls"].notes or "")


def test_csv_with_a_bom_semicolons_synonyms_and_broader_by_label_or_uri() -> None:
    parsed = read_vocabulary(FIXTURES / "places.csv")
    assert parsed.format == CSV
    assert _by_label(FIXTURES / "places.csv") == {
        "Places": ([], [], None),
        "Europe": ([], ["Places"], None),
        "Germany": (["Deutschland", "Federal Republic of Germany"], ["Europe"], "https://example.org/places/de"),
        "Berlin": (["Berlin (city)"], ["Germany"], None),
        "France": (["République française"], ["Europe"], "https://example.org/places/fr"),
        "Paris": (["City of Light", "Ville Lumière"], ["France"], None),  # broader given by URI
    }
    assert {t.label: t.notes for t in parsed.terms}["Berlin"] == "Capital since 1990"


def test_lightroom_export_reads_synonyms_and_keeps_bracketed_categories_as_noted_terms() -> None:
    parsed = read_vocabulary(FIXTURES / "keywords_lightroom.txt")
    assert parsed.format == LIGHTROOM  # guessed from the {synonym} and [category] lines
    assert _by_label(FIXTURES / "keywords_lightroom.txt") == {
        "Animals": (["Fauna"], [], None),
        "Mammals": ([], ["Animals"], None),
        "Dogs": (["Doggies", "Hounds"], ["Mammals"], None),
        "Puppies": ([], ["Dogs"], None),
        "Cats": ([], ["Mammals"], None),
        "Places": ([], [], None),
        "Europe": ([], ["Places"], None),
        "France": ([], ["Europe"], None),
        "Paris": (["City of Light"], ["France"], None),
        "People": ([], [], None),
        "Family": ([], ["People"], None),
    }
    notes = {term.label: term.notes for term in parsed.terms}
    assert notes["Places"] == notes["People"] == NOT_EXPORTED_NOTE
    assert notes["Europe"] is None
    assert [term.label for term in parsed.terms][:3] == ["Animals", "Mammals", "Dogs"]  # file order


def test_indented_text_with_spaces_gives_the_hierarchy_and_skips_comments() -> None:
    parsed = read_vocabulary(FIXTURES / "subjects.txt")
    assert parsed.format == TEXT
    assert _by_label(FIXTURES / "subjects.txt") == {
        "Architecture": ([], [], None), "Buildings": ([], ["Architecture"], None),
        "Churches": ([], ["Buildings"], None), "Cathedrals": ([], ["Churches"], None),
        "Bridges": ([], ["Buildings"], None), "Interiors": ([], ["Architecture"], None),
        "Landscapes": ([], [], None), "Mountains": ([], ["Landscapes"], None),
    }


def test_the_format_is_guessed_from_the_extension_then_the_content(tmp_path: Path) -> None:
    assert guess_format(Path("a.ttl"), "") == SKOS
    assert guess_format(Path("a.skos"), "") == SKOS
    assert guess_format(Path("a.csv"), "") == CSV
    assert guess_format(Path("a.txt"), "Animals\n\tDogs\n") == LIGHTROOM
    assert guess_format(Path("a.txt"), "Animals\n  {Dogs}\n") == TEXT  # Lightroom indents by tabs
    assert guess_format(Path("a.txt"), "Animals\n  Dogs\n") == TEXT
    assert guess_format(Path("vocabulary"), "<?xml version='1.0'?>\n<rdf:RDF") == SKOS
    assert guess_format(Path("vocabulary"), "@prefix skos: <x> .") == SKOS
    turtle = tmp_path / "animals.skos"  # .skos in Turtle: the parser is chosen by the content
    turtle.write_bytes((FIXTURES / "animals.ttl").read_bytes())
    assert len(read_vocabulary(turtle).terms) == 7


@pytest.mark.parametrize(("name", "content", "message"), [
    ("bad.ttl", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> skos:prefLabel \"x\"\n<b> .\n",
     "bad.ttl:3: not valid Turtle"),
    ("bad.rdf", "<?xml version='1.0'?>\n<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
     "<x>\n</rdf:RDF>\n", "bad.rdf:4: not valid RDF/XML"),
    ("empty.ttl", "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n", "no skos:Concept"),
    ("bad.csv", "label,broader\nA,\nB,Zed\n", 'bad.csv:3: broader "Zed" is not a term of the file'),
    ("twice.csv", "label,broader\nParis,\nParis,\nFrance,Paris\n", 'twice.csv:3: label "Paris" is on line 2'),
    ("header_only.csv", "name;uri\n", "header_only.csv: no terms found (read as csv)"),
    ("header.csv", "term,parent,x\nA,\n", None),
    ("cols.csv", "broader,uri\nA,\n", "cols.csv:1: the header row has no label column"),
    ("cycle.csv", "label,broader\nA,B\nB,A\n", "broader than itself"),
    ("bad.txt", "A\n    B\n  C\n", "bad.txt:3: indentation matches no line above"),
    ("mixed.txt", "A\n\tB\n  C\n", "mixed.txt:3: indentation mixes tabs and spaces"),
    ("orphan.txt", "{Doggies}\nDogs\n", 'orphan.txt:1: synonym "{Doggies}" is not indented below a keyword'),
    ("latin1.txt", "Caf\xe9\n", "latin1.txt:1: not UTF-8 text"),
])
def test_a_bad_file_is_one_line_naming_the_file_and_line(tmp_path: Path, name: str, content: str,
                                                         message: str | None) -> None:
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1") if name.startswith("latin1") else content.encode())
    if message is None:  # a header naming the label column another way is read, not refused
        assert read_vocabulary(path).terms
        return
    with pytest.raises(VocabularyFileError) as raised:
        read_vocabulary(path)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)
    assert isinstance(raised.value, KeywordError)  # the command line's one-line errors


# -- importing and re-importing ---------------------------------------------------------------------------


@pytest.fixture
def photos(catalogue: Catalogue) -> list[int]:
    with catalogue.write() as session:
        library = Library(root="/photos", name="photos")
        session.add(library)
        session.flush()
        rows = [Photo(library_id=library.id, rel_path=f"{n}.jpg", status=PhotoStatus.OK) for n in range(2)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _tag(catalogue: Catalogue, photo_id: int, label: str, vocabulary: str = "animals") -> int:
    with catalogue.write() as session:
        term = keywords.resolve_term(session, label, vocabulary)
        photo = session.get(Photo, photo_id)
        assert photo is not None
        keywords.add_keyword(session, photo, term, author="librarian")
        return term.id


def _edited(tmp_path: Path, name: str, *changes: tuple[str, str]) -> Path:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reimport_matches_by_uri_renames_retires_and_restores_without_losing_keywords(
        catalogue: Catalogue, photos: list[int], tmp_path: Path) -> None:
    first = import_vocabulary_file(catalogue, FIXTURES / "animals.ttl", "animals")
    assert (first.created, first.added, first.terms) == (True, 7, 7)
    assert (first.synonyms, first.broader_links) == (4, 6)
    dogs = _tag(catalogue, photos[0], "Doggies")  # a synonym: the photo gets Dogs
    cats = _tag(catalogue, photos[1], "Cats")
    with catalogue.write() as session:  # cached vectors of two labels of Dogs
        ids = dict(session.execute(select(TermLabel.label, TermLabel.id)
                                   .where(TermLabel.term_id == dogs)).all())
        session.add_all([LabelVector(label_id=ids[label], model_id="m", vector=b"\0" * 4)
                         for label in ("Dogs", "Hounds")])

    # Dogs renamed (same URI), Hounds dropped as a synonym, Cats gone from the file.
    renamed = _edited(tmp_path, "animals.ttl", ('"Dogs"@en', '"Domestic dogs"@en'),
                      ('"Doggies"@en, "Hounds"@en', '"Doggies"@en'),
                      ('ex:cats a skos:Concept ;', 'ex:cats_gone a skos:Collection ;'))
    second = import_vocabulary_file(catalogue, renamed, "animals")
    assert (second.created, second.added, second.updated) == (False, 0, 1)
    assert (second.retired, second.restored) == (1, 0)
    assert second.unchanged == 5
    with catalogue.read() as session:
        assert keywords.accepted_labels(session, photos) == {photos[0]: ["Domestic dogs"],
                                                             photos[1]: ["Cats"]}
        term = session.get(Term, dogs)
        assert term is not None and term.label == "Domestic dogs" and term.id == dogs
        assert keywords.resolve_term(session, "doggies").id == dogs
        vectors = session.scalars(select(TermLabel.label)
                                  .join(LabelVector, LabelVector.label_id == TermLabel.id)
                                  .where(TermLabel.term_id == dogs)).all()
        assert vectors == []  # the renamed preferred label's vector dropped; Hounds deleted with its vector
        assert session.get(Term, cats).retired  # kept, with its photo
        assert keywords.keyword_of(session, photos[1], cats).state is KeywordState.ACCEPTED

    third = import_vocabulary_file(catalogue, FIXTURES / "animals.ttl", "animals")
    assert (third.added, third.updated, third.retired, third.restored, third.unchanged) == (0, 1, 0, 1, 5)
    with catalogue.read() as session:
        assert not session.get(Term, cats).retired
        assert keywords.term_path(session, session.get(Term, cats)) == ["Animals", "Mammals", "Cats"]
    again = import_vocabulary_file(catalogue, FIXTURES / "animals.rdf", "animals")  # the same in RDF/XML
    assert (again.added, again.updated, again.unchanged, again.retired) == (0, 0, 7, 0)


def test_a_label_vector_of_an_unchanged_label_survives_a_reimport(catalogue: Catalogue,
                                                                  tmp_path: Path) -> None:
    import_vocabulary_file(catalogue, FIXTURES / "places.csv", "places")
    with catalogue.write() as session:
        label_id = session.scalar(select(TermLabel.id).where(TermLabel.label == "Deutschland"))
        session.add(LabelVector(label_id=label_id, model_id="m", vector=b"\0" * 4))
    moved = _edited(tmp_path, "places.csv", ("Germany;Deutschland|Federal Republic of Germany;Europe",
                                             "Germany;Deutschland;Places"))
    report = import_vocabulary_file(catalogue, moved, "places")
    assert (report.updated, report.unchanged) == (1, 5)  # a synonym gone and a new broader term
    with catalogue.read() as session:
        assert session.scalar(select(LabelVector.label_id)) == label_id
        germany = keywords.resolve_term(session, "Germany")
        assert keywords.term_path(session, germany) == ["Places", "Germany"]


def test_a_synonym_swapped_with_the_preferred_label_keeps_both_label_rows(catalogue: Catalogue,
                                                                          tmp_path: Path) -> None:
    import_vocabulary_file(catalogue, FIXTURES / "places.csv", "places")
    with catalogue.read() as session:
        before = dict(session.execute(select(TermLabel.label, TermLabel.id)).all())
    swapped = _edited(tmp_path, "places.csv", ("Germany;Deutschland|", "Deutschland;germany|"),
                      ("Berlin (city);Germany", "Berlin (city);Deutschland"))
    report = import_vocabulary_file(catalogue, swapped, "places")  # matched by its URI
    assert (report.updated, report.unchanged, report.added) == (1, 5, 0)  # Berlin's broader: the same term
    with catalogue.read() as session:
        rows = {label: (label_id, preferred) for label, label_id, preferred in session.execute(
            select(TermLabel.label, TermLabel.id, TermLabel.preferred))}
        assert rows["Deutschland"] == (before["Deutschland"], True)
        assert rows["germany"] == (before["Germany"], False)  # the same row, its text's case changed
        assert keywords.resolve_term(session, "Deutschland").uri == "https://example.org/places/de"


def test_terms_without_uris_are_matched_by_label_under_the_same_broader_term(catalogue: Catalogue,
                                                                              tmp_path: Path) -> None:
    tree = tmp_path / "tree.txt"
    tree.write_text("France\n  Paris\nTexas\n  Paris\n", encoding="utf-8")
    import_vocabulary_file(catalogue, tree, "places")
    with catalogue.read() as session:
        before = {tuple(keywords.term_path(session, t)): t.id for t in session.scalars(select(Term))}
    tree.write_text("Texas\n  Paris\n  Austin\nFrance\n  Paris\n", encoding="utf-8")
    report = import_vocabulary_file(catalogue, tree, "places")
    assert (report.added, report.updated, report.unchanged) == (1, 0, 4)
    with catalogue.read() as session:
        after = {tuple(keywords.term_path(session, t)): t.id for t in session.scalars(select(Term))}
    assert {path: after[path] for path in before} == before


def test_the_from_files_vocabulary_cannot_be_imported_over(catalogue: Catalogue) -> None:
    with catalogue.write() as session:
        keywords.from_files_vocabulary(session)
    with pytest.raises(KeywordError, match="vocabulary of keywords read from files"):
        import_vocabulary_file(catalogue, FIXTURES / "subjects.txt", "From  Files")


# -- the command line -------------------------------------------------------------------------------------


def _photo_catalogue(db_path: Path) -> list[int]:
    from desktop_app.catalogue import open_catalogue

    with open_catalogue(db_path) as catalogue, catalogue.write() as session:
        library = Library(root="/photos", name="photos")
        session.add(library)
        session.flush()
        rows = [Photo(library_id=library.id, rel_path=f"{n}.jpg", status=PhotoStatus.OK) for n in range(2)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def test_vocab_import_list_and_show_from_the_command_line(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    db_path = tmp_path / "catalogue.db"
    run = cli_on(capsys, db_path)
    ran = run("vocab", "import", str(FIXTURES / "animals.rdf"), "--name", "Tiere", "--lang", "de")
    assert ran.code == 0, ran.err
    assert ran.out.strip() == ('imported "Tiere": 7 terms (7 added, 0 updated, 0 unchanged, 0 retired, '
                               '0 restored), 1 synonyms, 6 broader links')
    assert run("vocab", "import", str(FIXTURES / "keywords_lightroom.txt"), "--name", "lr").code == 0
    listed = run("vocab", "list", "--json").json_lines()
    assert [(v["name"], v["format"], v["language"], v["terms"], v["synonyms"]) for v in listed] == [
        ("lr", "lightroom", None, 11, 4), ("Tiere", "skos", "de", 7, 1)]
    shown = run("vocab", "show", "Tiere")
    assert shown.out.splitlines()[:4] == [
        f"Tiere <{EX}animals>", f"  Säugetiere <{EX}mammals>", f"    Hunde {{Köter}} <{EX}dogs>",
        f"      Welpen <{EX}puppies>"]
    data = run("vocab", "show", "Tiere", "--json").json()
    terms = {term["label"]: term for term in data["terms"]}
    ids = {term["id"]: term["label"] for term in data["terms"]}
    assert data["language"] == "de" and terms["Hunde"]["synonyms"] == ["Köter"]
    assert [ids[b] for b in terms["Welpen"]["broader"]] == ["Hunde"]
    assert terms["Hunde"]["uri"] == EX + "dogs" and terms["Hunde"]["notes"] == "Haushunde jeder Rasse."
    assert terms["Owls"]["retired"] is False
    lr = run("vocab", "show", "lr").out.splitlines()
    assert lr[:3] == ["Animals {Fauna}", "  Mammals", "    Dogs {Doggies, Hounds}"]


def test_show_marks_retired_terms_and_photo_counts(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path) -> None:
    db_path = tmp_path / "catalogue.db"
    photos = _photo_catalogue(db_path)
    run = cli_on(capsys, db_path)
    tree = tmp_path / "subjects.txt"
    tree.write_text("Architecture\n  Bridges\n  Towers\n", encoding="utf-8")
    assert run("vocab", "import", str(tree), "--name", "subjects").code == 0
    from desktop_app.catalogue import open_catalogue

    with open_catalogue(db_path) as catalogue:
        _tag(catalogue, photos[0], "Towers", "subjects")
    tree.write_text("Architecture\n  Bridges\n", encoding="utf-8")
    ran = run("vocab", "import", str(tree), "--name", "subjects", "--json")
    assert ran.json()["retired"] == 1
    assert run("vocab", "show", "subjects").out.splitlines() == [
        "Architecture", "  Bridges", "  Towers [1 photo] (retired)"]
    assert [(v["terms"], v["retired"], v["photos"]) for v in run("vocab", "list", "--json").json_lines()] \
        == [(2, 1, 1)]


@pytest.mark.parametrize(("args", "message"), [
    (("vocab", "import", "{bad}", "--name", "x"), "bad.ttl:2: not valid Turtle"),
    (("vocab", "import", "{fixtures}/animals.ttl", "--name", "from files"),
     '"from files" is the vocabulary of keywords read from files'),
    (("vocab", "import", "{fixtures}/places.csv", "--name", "x", "--format", "text"), None),
    (("vocab", "import", "{fixtures}/animals.ttl", "--name", "x", "--format", "csv"),
     "animals.ttl:1: the header row has no label column"),
    (("vocab", "show", "nothing"), 'no vocabulary named "nothing"'),
    (("vocab", "remove", "nothing"), 'no vocabulary named "nothing"'),
])
def test_vocab_errors_are_one_line_with_exit_status_1(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                     args: tuple[str, ...], message: str | None) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<a> skos:prefLabel .\n")
    run = cli_on(capsys, tmp_path / "catalogue.db")
    assert run("vocab", "import", str(FIXTURES / "subjects.txt"), "--name", "subjects").code == 0
    ran: Ran = run(*(a.format(bad=bad, fixtures=FIXTURES) for a in args))
    if message is None:  # CSV read as indented text: every line a term, no error
        assert ran.code == 0
        return
    assert ran.code == 1
    assert ran.err.startswith("photo-annotator: error: ") and message in ran.err
    assert len(ran.err.strip().splitlines()) == 1 and "Traceback" not in ran.err


def test_vocab_remove_keeps_a_photos_keyword_as_a_free_keyword(capsys: pytest.CaptureFixture[str],
                                                                tmp_path: Path) -> None:
    db_path = tmp_path / "catalogue.db"
    photos = _photo_catalogue(db_path)
    run = cli_on(capsys, db_path)
    assert run("vocab", "import", str(FIXTURES / "animals.ttl"), "--name", "animals").code == 0
    from desktop_app.catalogue import open_catalogue

    with open_catalogue(db_path) as catalogue:
        dogs = _tag(catalogue, photos[0], "Hounds")
    ran = run("vocab", "remove", "animals")
    assert ran.code == 0
    assert ran.out.splitlines() == [
        'removed "animals": 6 terms deleted, 1 kept as free keywords (photos have them)',
        "free keywords now: Dogs"]
    with open_catalogue(db_path) as catalogue, catalogue.read() as session:
        term = session.get(Term, dogs)
        assert term is not None and term.vocabulary_id is None
        assert keywords.term_path(session, term) == ["Dogs"]  # no broader terms left
        assert keywords.accepted_labels(session, photos) == {photos[0]: ["Dogs"]}
        assert session.scalars(select(Term.id)).all() == [dogs]
        assert keywords.resolve_term(session, "Doggies").id == dogs  # its synonyms stay with it
    assert run("vocab", "list", "--json").out == ""
    assert "no vocabularies" in run("vocab", "list").out


def test_vocab_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    ran = Ran(*run_cli(capsys, "vocab", "--help"))
    assert ran.code == 0
    for command in ("import", "list", "show", "remove"):
        assert f"  {command}" in ran.out


# -- completion -------------------------------------------------------------------------------------------


@pytest.mark.both_backends  # keyword completion reads the vocabularies: PostgreSQL too
def test_completion_puts_exact_then_prefix_then_word_matches_and_synonyms_complete_to_their_term(
        catalogue: Catalogue, tmp_path: Path) -> None:
    import_vocabulary_file(catalogue, FIXTURES / "animals.ttl", "animals")
    import_vocabulary_file(catalogue, FIXTURES / "places.csv", "places")
    doggies = complete_terms(catalogue, "dogg")
    assert [(c.label, c.matched, c.synonym, c.vocabulary, c.path) for c in doggies] == [
        ("Dogs", "Doggies", True, "animals", ("Animals", "Mammals", "Dogs"))]
    assert doggies[0].display == "Doggies → Dogs  (Animals › Mammals)"
    assert json.loads(json.dumps(doggies[0].to_json()))["path"] == ["Animals", "Mammals", "Dogs"]
    city = complete_terms(catalogue, "City")
    assert [(c.matched, c.label, c.rank) for c in city] == [
        ("City of Light", "Paris", PREFIX), ("Berlin (city)", "Berlin", WORD_PREFIX)]
    assert [(c.label, c.rank) for c in complete_terms(catalogue, "dogs")] == [("Dogs", EXACT)]
    # The preferred label before a synonym of another term; each term once.
    assert [(c.label, c.matched) for c in complete_terms(catalogue, "d")] == [
        ("Dogs", "Dogs"), ("Germany", "Deutschland")]
    assert [c.label for c in complete_terms(catalogue, "light", vocabulary="animals")] == []
    assert complete_terms(catalogue, "  ") == []
    assert len(complete_terms(catalogue, "e", limit=1)) == 1


@pytest.mark.both_backends  # keyword completion reads the vocabularies: PostgreSQL too
def test_completion_follows_reimports_and_leaves_retired_terms_out(catalogue: Catalogue,
                                                                   tmp_path: Path) -> None:
    tree = tmp_path / "tree.txt"
    tree.write_text("Vehicles\n  Cars\n  Carts\n", encoding="utf-8")
    import_vocabulary_file(catalogue, tree, "things")
    assert [c.label for c in complete_terms(catalogue, "car")] == ["Cars", "Carts"]
    tree.write_text("Vehicles\n  Cars\n  Caravans\n", encoding="utf-8")
    import_vocabulary_file(catalogue, tree, "things")
    assert [c.label for c in complete_terms(catalogue, "car")] == ["Cars", "Caravans"]  # Carts retired
    with catalogue.write() as session:  # a free keyword a person typed
        keywords.resolve_term(session, "Carpool", create_free=True)
    found = complete_terms(catalogue, "carp")
    assert [(c.label, c.vocabulary, c.path) for c in found] == [("Carpool", None, ("Carpool",))]


def test_the_completer_rebuilds_only_when_terms_change(catalogue: Catalogue) -> None:
    import_vocabulary_file(catalogue, FIXTURES / "subjects.txt", "subjects")
    completer = TermCompleter()
    with catalogue.read() as session:
        assert completer.refresh(session) is True
        assert completer.refresh(session) is False
    import_vocabulary_file(catalogue, FIXTURES / "places.csv", "places")
    with catalogue.read() as session:
        assert completer.refresh(session) is True
    assert [c.label for c in completer.lookup("cath")] == ["Cathedrals"]
