"""Search as users run it: hybrid fusion of keyword and semantic rankings, and `photo-annotator search`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.models import Caption, Embedding
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.search import service
from desktop_app.search.results import Matched, SearchHit
from desktop_app.search.service import RRF_K, fuse
from tests import cli_helpers, photo_files

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends


def hit(photo_id: int, snippet: str | None = None) -> SearchHit:
    matched = Matched.WORDS if snippet else Matched.MEANING
    return SearchHit(photo_id, photo_id * 10, f"/p/{photo_id}.jpg", f"caption {photo_id}", 0.0, snippet,
                     matched)


def test_fusion_favours_photos_both_modes_rank_well() -> None:
    keyword = [hit(1, "[dog]"), hit(2, "[dog]"), hit(3, "[dog]")]
    semantic = [hit(4), hit(3), hit(5)]
    fused = fuse([keyword, semantic], limit=5)
    # 3 is ranked by both (3rd and 2nd) and beats 1, which only keyword ranks first
    assert [h.photo_id for h in fused] == [3, 1, 4, 2, 5]
    # Scores read from 1.0 (first in both rankings) down: 3 is nearly there, 1 about half.
    best = 2 / (RRF_K + 1)
    assert fused[0].score == pytest.approx((1 / (RRF_K + 3) + 1 / (RRF_K + 2)) / best)
    assert fused[1].score == pytest.approx(1 / (RRF_K + 1) / best) == pytest.approx(0.5)
    assert fuse([[hit(7, "[dog]")], [hit(7)]], limit=1)[0].score == pytest.approx(1.0)
    assert [h.matched for h in fused] == [Matched.BOTH, Matched.WORDS, Matched.MEANING, Matched.WORDS,
                                          Matched.MEANING]
    assert fused[0].snippet == "[dog]"  # the keyword hit is the one shown, with its snippet
    assert [h.photo_id for h in fuse([keyword, semantic], limit=2)] == [3, 1]
    assert fuse([[], []], limit=3) == []


# --- `photo-annotator search`, end to end with the real MiniLM ------------------------------------------

CAPTIONS = {
    "dog.jpg": "a dog running on grass",
    "car.jpg": "a red car parked on a street",
    "city.jpg": "a city skyline at night",
    "boat.jpg": "a red boat in the harbour",
}


@pytest.fixture
def captioned(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    root = tmp_path / "shots"
    for number, name in enumerate(CAPTIONS):
        photo_files.jpeg(root / name, seed=number, size=(64, 48))
    scanner.scan(root)
    with catalogue.write() as session:
        for name, text in CAPTIONS.items():
            edit_caption(session, find_photo(session, str(root / name)), text, author="ann",
                         approve=name != "boat.jpg")
    return root


def run_cli(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, list[dict], str]:
    code, out, err = run_text(capsys, db_path, *args)
    return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")], err


def run_text(capsys: pytest.CaptureFixture[str], db_path: Path, *args: str) -> tuple[int, str, str]:
    return cli_helpers.run_cli(capsys, "--db", str(db_path), *args)  # first: a query may end with `-- -word`


def names(hits: list[dict]) -> list[str]:
    return [Path(hit["path"]).name for hit in hits]


def test_search_by_words_meaning_and_both(
    captioned: Path, db_path: Path, catalogue: Catalogue, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # keyword: ranked, one JSON object per photo with its snippet
    code, hits, _err = run_cli(capsys, db_path, "search", "red", "--mode", "keyword", "--json")
    assert code == 0 and set(names(hits)) == {"car.jpg", "boat.jpg"}
    snippets = {hit["snippet"] for hit in hits}
    assert snippets == {"a [red] car parked on a street", "a [red] boat in the harbour"}
    assert all(hit["score"] > 0 and hit["caption_id"] for hit in hits)
    code, hits, _err = run_cli(capsys, db_path, "search", "red", "--mode", "keyword", "--state", "approved",
                               "--json")
    assert names(hits) == ["car.jpg"]  # the boat's caption is not approved
    code, hits, _err = run_cli(capsys, db_path, "search", "red", "--mode", "keyword", "--state", "draft",
                               "--json")
    assert names(hits) == ["boat.jpg"]

    # hybrid before any vector exists, on a catalogue too large to embed before a query: keyword matches,
    # and a note saying why
    monkeypatch.setattr(service, "AUTO_EMBED_LIMIT", len(CAPTIONS) - 1)
    code, hits, err = run_cli(capsys, db_path, "search", "red -car", "--json")
    assert code == 0 and names(hits) == ["boat.jpg"] and "photo-annotator embed" in err
    monkeypatch.undo()

    assert run_cli(capsys, db_path, "embed")[0] == 0
    # semantic: no shared word with "puppy"
    code, hits, _err = run_cli(capsys, db_path, "search", "puppy", "--mode", "semantic", "--json")
    assert code == 0 and names(hits)[0] == "dog.jpg" and hits[0]["snippet"] is None

    # an edit is searched by its new text without running `embed` again (the query embeds it first)
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(captioned / "city.jpg")), "a kitten asleep on a sofa",
                     author="ann")
    code, hits, _err = run_cli(capsys, db_path, "search", "cat", "--json", "--limit", "2")
    assert code == 0 and names(hits)[0] == "city.jpg"
    with catalogue.read() as session:
        stored = session.scalars(select(Embedding).where(Embedding.caption_id.is_not(None))).all()
        assert len(stored) == len(CAPTIONS)  # re-embedded in place, no stale copy kept
    # a mistyped embedder is a usage error, not a reason to answer by keyword
    code, _hits, err = run_cli(capsys, db_path, "search", "anything", "--embedder", "nope")
    assert code == 2 and "no embedder 'nope' (available: clip, minilm)" in err


def test_new_captions_join_the_index_only_once_someone_searches_by_meaning(
    qtbot, captioned: Path, catalogue: Catalogue
) -> None:
    from desktop_app.ui.workers.search import SearchWorker

    worker = SearchWorker()
    worker.open(catalogue)
    try:
        with qtbot.assertNotEmitted(worker.embedded):
            worker.embed(only_if_loaded=True)  # nobody searched by meaning: no model load for nothing
        with catalogue.read() as session:
            assert session.scalars(select(Embedding)).first() is None
        assert worker.service is not None
        worker.service.embedder()  # a search by meaning loaded it
        with qtbot.waitSignal(worker.embedded) as done:
            worker.embed(only_if_loaded=True)
        assert done.args[0].startswith(f"Search by meaning is ready: {len(CAPTIONS)} captions embedded")
    finally:
        worker.service.close()


# --- hybrid search survives any embedder failure --------------------------------------------------------

@pytest.fixture
def broken_embedders(monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugins of tests/plugins/broken_embedders.py, loaded as the built-in ones are, and only they."""
    import plugins

    broken = "tests.plugins.broken_embedders"
    monkeypatch.setattr(plugins, "DEFAULT_PLUGINS", (*plugins.DEFAULT_PLUGINS, broken))
    monkeypatch.setenv("PHOTO_ANNOTATOR_PLUGINS", "broken-embedders")


@pytest.mark.parametrize(
    ("embedder", "reason"),
    [
        ("fails-to-load", "failed while loading builtin:broken: RuntimeError: weights file is corrupt"),
        ("exits-while-embedding", "failed while embedding text: SystemExit: 3"),
        ("needs-a-missing-module", "failed while loading builtin:broken: ModuleNotFoundError: "
                                   "No module named 'photo_annotator_no_such_dependency'"),
        ("not-downloaded", "failed while loading builtin:broken: model builtin:broken is not downloaded; "
                           "run it once online"),
        ("wrong-shape", "failed while embedding text: ValueError: returned (5, 8) vectors for 4 inputs"),
        ("raises-a-base-exception", "failed while loading builtin:broken: PluginAbort: giving up"),
    ],
)
def test_hybrid_search_answers_by_words_whatever_the_embedder_does(
    broken_embedders: None, captioned: Path, db_path: Path, capsys: pytest.CaptureFixture[str], embedder: str,
    reason: str
) -> None:
    code, hits, err = run_cli(capsys, db_path, "search", "red", "--embedder", embedder, "--json")
    assert code == 0 and set(names(hits)) == {"car.jpg", "boat.jpg"}
    assert {hit["matched"] for hit in hits} == {"words"}
    reason = f"embedder {embedder} {reason}"
    assert err == f"photo-annotator: note: {reason}; showing keyword matches only\n"
    # Asked for by meaning only, the same reason is the error, on one line; `embed` says it too.
    code, hits, err = run_cli(capsys, db_path, "search", "red", "--embedder", embedder, "--mode", "semantic")
    assert (code, hits, err) == (1, [], f"photo-annotator: error: {reason}\n")
    code, _hits, err = run_cli(capsys, db_path, "embed", "--embedder", embedder)
    assert code == 1 and err.startswith(f"photo-annotator: error: embedder {embedder} failed while ")
    assert err.count("\n") == 1


def test_a_broken_embedder_is_loaded_once_per_session(broken_embedders: None, captioned: Path,
                                                      catalogue: Catalogue) -> None:
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.search.results import SearchMode
    from desktop_app.search.service import SearchService
    from tests.plugins.broken_embedders import FailsToLoad

    loads = []
    original = FailsToLoad.load

    def counted(self: FailsToLoad, device: str) -> None:
        loads.append(device)
        original(self, device)

    search = SearchService(catalogue, load_plugins(), embedder_id="fails-to-load", device="cpu")
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(FailsToLoad, "load", counted)
            first = search.search("red")
            second = search.search("boat")  # the app searches on every keystroke
    finally:
        search.close()
    assert loads == ["cpu"]
    assert first.mode is second.mode is SearchMode.KEYWORD
    assert "weights file is corrupt" in second.notices[0]


# --- what a hybrid search says about how it found each photo ---------------------------------------------

def test_hybrid_search_says_when_no_caption_holds_the_words(
    captioned: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, hits, err = run_cli(capsys, db_path, "search", "puppy", "--json")
    assert code == 0 and names(hits)[0] == "dog.jpg" and len(hits) == len(CAPTIONS)
    assert {hit["matched"] for hit in hits} == {"meaning"}
    assert {hit["snippet"] for hit in hits} == {None}
    assert err == f"photo-annotator: note: {service.NO_WORD_MATCH}\n"
    assert all(0 < hit["score"] <= 0.5 for hit in hits)  # found by one ranking of two

    # Words and meaning: each line says how its photo was found.
    code, out, err = run_text(capsys, db_path, "search", "red", "boat")  # unquoted words: one query
    assert code == 0 and err == ""
    lines = [line.split(maxsplit=3) for line in out.splitlines()]
    assert lines[0][:2] == ["1.00", "both"] and Path(lines[0][2]).name == "boat.jpg"
    assert lines[0][3] == "a [red] [boat] in the harbour"
    assert {line[1] for line in lines[1:]} == {"meaning"}


# --- excluding words -------------------------------------------------------------------------------------

def test_excluding_a_word_from_a_shell(captioned: Path, db_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    # After --, a word starting with "-" is part of the query; NOT is the same without the --.
    code, hits, err = run_cli(capsys, db_path, "search", "--mode", "keyword", "--json", "--", "red", "-car")
    assert (code, names(hits), err) == (0, ["boat.jpg"], "")
    assert run_cli(capsys, db_path, "search", "--mode", "keyword", "--json", "red", "NOT", "car") == (
        0, hits, "")
    # Without --, the shell's "-car" reads as an option: the error says how to write it.
    code, out, err = run_text(capsys, db_path, "search", "red", "-car")
    assert code == 2 and out == ""
    assert "photo-annotator search -- WORDS -car" in err and "NOT car" in err and err.count("\n") == 1
    # Only exclusions: nothing to look up, and a note saying so, for -dog and NOT dog alike.
    expected = (0, [], f"photo-annotator: note: {service.EXCLUSIONS_ONLY}\n")
    assert run_cli(capsys, db_path, "search", "--json", "--", "-dog") == expected
    assert run_cli(capsys, db_path, "search", "--json", "NOT", "dog") == expected
    # By meaning too, an excluded word keeps its captions out (an embedder would read "-car" as "car").
    code, hits, _err = run_cli(capsys, db_path, "search", "--json", "--", "red", "-car")
    assert code == 0 and names(hits)[0] == "boat.jpg" and "car.jpg" not in names(hits)
    code, hits, _err = run_cli(capsys, db_path, "search", "--mode", "semantic", "--json", "--", "vehicle",
                               "-car")
    assert code == 0 and hits and "car.jpg" not in names(hits)


# --- a first search by meaning on a small catalogue just works ------------------------------------------

def test_a_small_catalogue_is_embedded_before_its_first_search_by_meaning(
    captioned: Path, db_path: Path, catalogue: Catalogue, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    # Above the limit: the advice to run `embed`, and nothing embedded.
    monkeypatch.setattr(service, "AUTO_EMBED_LIMIT", len(CAPTIONS) - 1)
    code, hits, err = run_cli(capsys, db_path, "search", "puppy", "--mode", "semantic")
    assert code == 1 and err.startswith("photo-annotator: error: no caption is embedded with ")
    assert "run `photo-annotator embed --embedder minilm`" in err
    with catalogue.read() as session:
        assert session.scalars(select(Embedding)).first() is None
    # Within it: embedded first, with progress on a terminal, then found.
    monkeypatch.setattr(service, "AUTO_EMBED_LIMIT", len(CAPTIONS))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code, hits, err = run_cli(capsys, db_path, "search", "puppy", "--mode", "semantic", "--json")
    assert code == 0 and names(hits)[0] == "dog.jpg"
    assert f"{len(CAPTIONS)}/{len(CAPTIONS)}" in err and "embed`" not in err
    with catalogue.read() as session:
        assert len(session.scalars(select(Embedding)).all()) == len(CAPTIONS)


def test_captions_too_many_to_embed_before_a_query_are_named(captioned: Path, catalogue: Catalogue) -> None:
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.search.results import SearchMode
    from desktop_app.search.service import SearchService

    search = SearchService(catalogue, load_plugins(), device="cpu")
    try:
        progress: list[tuple[int, int]] = []
        search.progress = lambda done, total: progress.append((done, total))
        assert search.search("puppy", SearchMode.SEMANTIC).notices == []
        assert progress[-1] == (len(CAPTIONS), len(CAPTIONS))
        with catalogue.write() as session:  # a new batch of captions, more than a query embeds first
            for name in ("dog.jpg", "car.jpg"):
                edit_caption(session, find_photo(session, str(captioned / name)), f"new {name}", author="ann")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(service, "AUTO_EMBED_LIMIT", 1)
            result = search.search("puppy", SearchMode.SEMANTIC)
        assert result.hits and result.notices == [
            "more than 1 captions have no vector yet and are not searched by meaning: run `photo-annotator "
            "embed --embedder minilm` (in the app: Captioning > Prepare Search by Meaning)"]
    finally:
        search.close()


def test_text_output_shows_control_characters_and_json_keeps_them(
    captioned: Path, db_path: Path, catalogue: Catalogue, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "a red kite \x1b]52;c;ZXZpbA==\x07 over the \u202eharbour\x1b[2J"
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(captioned / "city.jpg")), hostile, author="ann")
    code, out, _err = run_text(capsys, db_path, "search", "kite", "--mode", "keyword")
    assert code == 0 and "\x1b" not in out and "\u202e" not in out and "\x07" not in out
    assert "\\x1b]52;c;ZXZpbA==\\x07" in out and "\\u202eharbour" in out
    code, hits, _err = run_cli(capsys, db_path, "search", "kite", "--mode", "keyword", "--json")
    assert hits[0]["caption"] == hostile


def test_the_apps_first_search_by_meaning_embeds_a_small_catalogue_with_progress(
    qtbot, captioned: Path, catalogue: Catalogue
) -> None:
    from desktop_app.search.results import SearchFilters
    from desktop_app.ui.workers.search import SearchWorker

    worker = SearchWorker()
    worker.open(catalogue)
    progress: list[tuple[int, int]] = []
    worker.embed_progress.connect(lambda done, total: progress.append((done, total)))
    try:
        worker.latest = 1
        with qtbot.waitSignal(worker.results) as found:
            worker.search(1, "puppy", "semantic", SearchFilters())
        request_id, photo_ids, mode, notices = found.args
        with catalogue.read() as session:
            dog = find_photo(session, str(captioned / "dog.jpg")).id
        assert (request_id, photo_ids[0], mode, notices) == (1, dog, "semantic", [])
        assert progress[-1] == (len(CAPTIONS), len(CAPTIONS))  # shown in the status bar
    finally:
        worker.service.close()


def test_hybrid_search_says_why_the_default_embedders_plugin_is_missing(
    captioned: Path, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "plugins.minilm", None)  # its import fails, as with a missing dependency
    code, hits, err = run_cli(capsys, db_path, "search", "red", "--json")
    assert code == 0 and set(names(hits)) == {"car.jpg", "boat.jpg"}
    assert err == ("photo-annotator: note: no embedder 'minilm' (available: clip); plugin minilm did not "
                   "load: cannot be imported: ModuleNotFoundError: import of plugins.minilm halted; None in "
                   "sys.modules; showing keyword matches only\n")


def test_an_embedder_failing_to_unload_does_not_undo_the_search(
    broken_embedders: None, captioned: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, hits, err = run_cli(capsys, db_path, "search", "red", "--embedder", "exits-while-unloading",
                              "--json")
    assert code == 0 and err == "" and {"car.jpg", "boat.jpg"} <= set(names(hits))
    assert {hit["matched"] for hit in hits} == {"both", "meaning"}


def test_an_edit_is_embedded_before_a_query_even_when_a_collection_waits_for_embed(
    captioned: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.search.embedding import embed_captions
    from desktop_app.search.results import SearchMode
    from desktop_app.search.service import SearchService

    search = SearchService(catalogue, load_plugins(), device="cpu")
    try:
        with catalogue.read() as session:
            photos = [find_photo(session, str(captioned / name)).id for name in ("dog.jpg", "car.jpg")]
            first = session.scalars(select(Caption.id).where(Caption.photo_id.in_(photos))).all()
        embed_captions(catalogue, search.embedder(), caption_ids=first)  # the other two wait for `embed`
        with catalogue.write() as session:
            dog = find_photo(session, str(captioned / "dog.jpg"))
            edit_caption(session, dog, "a kitten asleep on a sofa", author="ann")
        monkeypatch.setattr(service, "AUTO_EMBED_LIMIT", 1)
        result = search.search("cat", SearchMode.SEMANTIC)
        assert names([hit.to_json() for hit in result.hits])[0] == "dog.jpg"  # by its new text
        assert result.notices[0].startswith("more than 1 captions have no vector yet")
    finally:
        search.close()
