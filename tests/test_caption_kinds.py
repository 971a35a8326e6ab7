"""Caption kinds (description, alt text, extended description) through the command line, search, model
drafts and exports: each kind has its own current caption, history and review, and an action on one
leaves the others as they were."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_captions
from desktop_app.catalogue.captions import add_caption, current_caption
from desktop_app.catalogue.models import CaptionKind, CaptionOrigin, Photo, ReviewState
from desktop_app.search.keyword import keyword_search
from desktop_app.search.results import SearchFilters
from tests import photo_files
from tests.cli_helpers import Ran, cli_on

DESCRIPTION, ALT, EXTENDED = CaptionKind.DESCRIPTION, CaptionKind.ALT_TEXT, CaptionKind.EXTENDED_DESCRIPTION


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path) -> Callable[..., Ran]:
    return cli_on(capsys, db_path)


@pytest.fixture
def photo(cli: Callable[..., Ran], tmp_path: Path) -> str:
    """A scanned photo with a description and an alt text written by a person (drafts, revision 1)."""
    path = photo_files.jpeg(tmp_path / "shoot" / "harbour.jpg", seed=3)
    assert cli("scan", str(path.parent)).code == 0
    assert cli("edit", str(path), "--text", "Fishing boats in the harbour at dawn, Whitby 1998").code == 0
    alt = "Fishing boats moored in a harbour."
    assert cli("edit", str(path), "--kind", "alt-text", "--text", alt).code == 0
    return str(path)


def captions_of(cli: Callable[..., Ran], photo: str) -> dict[str, list[dict]]:
    """The photo's captions as `show --json` gives them, by kind."""
    grouped: dict[str, list[dict]] = {}
    for caption in cli("show", photo, "--json").json()["captions"]:
        grouped.setdefault(caption["kind"], []).append(caption)
    return grouped


def current(cli: Callable[..., Ran], photo: str, kind: str) -> dict:
    [caption] = [c for c in captions_of(cli, photo)[kind] if c["current"]]
    return caption


# -- review on the command line, one kind at a time --------------------------------------------------------

def test_each_review_action_on_alt_text_leaves_the_description_as_it_was(cli, photo: str) -> None:
    description = current(cli, photo, "description")
    ran = cli("approve", photo, "--kind", "alt-text")
    assert ran.code == 0 and "alt text" in ran.out and "approved" in ran.out
    assert current(cli, photo, "alt-text")["state"] == "approved"
    assert cli("edit", photo, "--kind", "alt-text", "--text", "Boats in a harbour at dawn.").code == 0
    assert cli("reject", photo, "--kind", "alt-text").code == 0
    assert cli("revert", photo, "--kind", "alt-text", "--to", "1").code == 0
    alt = current(cli, photo, "alt-text")
    assert alt["text"] == "Fishing boats moored in a harbour." and alt["state"] == "draft"
    assert [h["action"] for h in alt["history"]] == ["created", "approved", "edited", "rejected", "reverted"]
    assert current(cli, photo, "description") == description  # untouched: same text, revision, history


def test_each_review_action_on_the_description_leaves_the_alt_text_as_it_was(cli, photo: str) -> None:
    alt = current(cli, photo, "alt-text")
    assert cli("approve", photo).code == 0
    assert cli("edit", photo, "--text", "Boats in Whitby harbour").code == 0
    assert cli("reject", photo, "--kind", "description").code == 0
    assert cli("revert", photo, "--to", "1").code == 0
    assert current(cli, photo, "description")["text"] == "Fishing boats in the harbour at dawn, Whitby 1998"
    assert current(cli, photo, "alt-text") == alt


def test_a_stale_revision_of_the_alt_text_is_refused_and_the_edit_kept_beside_it(cli, photo: str) -> None:
    alt = current(cli, photo, "alt-text")
    assert cli("edit", photo, "--kind", "alt-text", "--text", "Boats at dawn.").code == 0  # someone else
    refused = cli("edit", photo, "--kind", "alt-text", "--text", "Moored boats.",
                  "--revision", str(alt["revision"]))
    assert refused.code == 1 and "changed since revision 1" in refused.err and "Traceback" not in refused.err
    kinds = captions_of(cli, photo)
    kept = [c for c in kinds["alt-text"] if not c["current"]]
    assert [c["text"] for c in kept] == ["Moored boats."]  # nothing lost, kept as alt text
    assert current(cli, photo, "alt-text")["text"] == "Boats at dawn."
    assert len(kinds["description"]) == 1  # the description's list has nothing new
    # A revision of the alt text says nothing about the description: based on its own, the edit goes in.
    description = current(cli, photo, "description")
    ran = cli("edit", photo, "--text", "Whitby harbour", "--revision", str(description["revision"]))
    assert ran.code == 0


def test_choose_makes_a_kept_alt_text_current_without_touching_the_description(cli, photo: str) -> None:
    alt = current(cli, photo, "alt-text")
    cli("edit", photo, "--kind", "alt-text", "--text", "Boats at dawn.")
    cli("edit", photo, "--kind", "alt-text", "--text", "Moored boats.", "--revision", str(alt["revision"]))
    [kept] = [c for c in captions_of(cli, photo)["alt-text"] if not c["current"] and c["id"] != alt["id"]]
    description = current(cli, photo, "description")
    assert cli("choose", photo, str(kept["id"])).code == 0
    assert current(cli, photo, "alt-text")["text"] == "Moored boats."
    assert current(cli, photo, "description") == description


def test_an_action_on_a_kind_the_photo_lacks_says_so_in_one_line(cli, photo: str) -> None:
    ran = cli("approve", photo, "--kind", "extended-description")
    assert ran.code == 1 and "no extended description to approve" in ran.err and "Traceback" not in ran.err
    assert cli("approve", photo, "--kind", "alt text").code == 2  # not a kind: a usage error


def test_show_groups_captions_by_kind(cli, photo: str) -> None:
    out = cli("show", photo).out
    assert out.index("Description (1 caption)") < out.index("Fishing boats in the harbour at dawn")
    assert out.index("Alt text (1 caption)") < out.index("Fishing boats moored in a harbour.")
    assert "Extended description" not in out


def test_photos_json_keeps_caption_as_the_description_and_adds_alt_text(cli, photo: str, tmp_path) -> None:
    photo_files.jpeg(tmp_path / "shoot" / "plain.jpg", seed=4)
    cli("scan", str(tmp_path / "shoot"))
    rows = {Path(row["path"]).name: row for row in cli("photos", "--json").json_lines()}
    assert rows["harbour.jpg"]["caption"] == "Fishing boats in the harbour at dawn, Whitby 1998"
    assert rows["harbour.jpg"]["alt_text"] == "Fishing boats moored in a harbour."
    assert rows["plain.jpg"]["caption"] is None and rows["plain.jpg"]["alt_text"] is None
    # The review filters are the description's: an approved alt text does not make the photo "approved".
    cli("approve", photo, "--kind", "alt-text")
    assert cli("photos", "--json", "--state", "approved").json_lines() == []


# -- model drafts per kind ----------------------------------------------------------------------------------

def test_a_models_alt_text_draft_never_replaces_a_persons_alt_text_and_leaves_the_description(
        catalogue: Catalogue, cli, photo: str) -> None:
    with catalogue.write() as session:
        shot = session.scalar(select(Photo))
        before = current_caption(session, shot.id).id
        draft = AICaption(shot, "A model's alt text.", model_id="m", kind=ALT)
        [stored] = store_ai_captions(session, [draft], captioner_id="alt-text")
        assert stored.kind is ALT and not stored.is_current  # a person's alt text stays current
        assert current_caption(session, shot.id).id == before
    with catalogue.write() as session:  # again: the same draft gets a new revision, nothing new is added
        shot = session.scalar(select(Photo))
        [again] = store_ai_captions(session, [AICaption(shot, "Another.", model_id="m", kind=ALT)],
                                    captioner_id="alt-text")
        assert again.id == stored.id and again.revision == 2


def test_a_models_first_alt_text_becomes_current_beside_an_approved_description(
        catalogue: Catalogue, tmp_path: Path, cli) -> None:
    path = photo_files.jpeg(tmp_path / "one" / "a.jpg")
    cli("scan", str(path.parent))
    cli("edit", str(path), "--text", "A lighthouse", "--approve")
    with catalogue.write() as session:
        shot = session.scalar(select(Photo))
        description = current_caption(session, shot.id)
        stored, again = store_ai_captions(session, [AICaption(shot, "A lighthouse.", model_id="m", kind=ALT),
                                                    AICaption(shot, "A tower.", model_id="m", kind=ALT)],
                                          captioner_id="alt-text")
        assert again is stored and stored.text == "A tower." and stored.revision == 2  # regenerated
        assert stored.is_current and stored.kind is ALT and stored.origin is CaptionOrigin.AI
        assert current_caption(session, shot.id, ALT).id == stored.id
        assert current_caption(session, shot.id).id == description.id
        assert description.state is ReviewState.APPROVED and description.revision == 1  # untouched


# -- search -------------------------------------------------------------------------------------------------

@pytest.fixture
def album(catalogue: Catalogue, tmp_path: Path) -> dict[str, int]:
    """Photos whose words are only in one kind of caption each, or only in a caption that is not current."""
    from desktop_app.catalogue.models import Library, PhotoStatus

    texts = {
        "described": [(DESCRIPTION, "a lighthouse on a cliff", True)],
        "alt": [(DESCRIPTION, "coastal view", True), (ALT, "A lighthouse above the sea.", True)],
        "extended": [(EXTENDED, "a lighthouse painted red and white, built in 1858", True)],
        "superseded": [(DESCRIPTION, "a lighthouse", False), (DESCRIPTION, "a fishing boat", True)],
    }
    with catalogue.write() as session:
        library = Library(root=str(tmp_path / "lib"), name="lib")
        session.add(library)
        session.flush()
        ids = {}
        for name, captions in texts.items():
            shot = Photo(library_id=library.id, rel_path=f"{name}.jpg", status=PhotoStatus.OK)
            session.add(shot)
            session.flush()
            for kind, text, is_current in captions:
                add_caption(session, shot, text, origin=CaptionOrigin.HUMAN, author="ann", kind=kind,
                            make_current=is_current)
            ids[name] = shot.id
    return ids


def found(catalogue: Catalogue, album: dict[str, int], text: str, **filters: object) -> set[str]:
    names = {photo_id: name for name, photo_id in album.items()}
    with catalogue.read() as session:
        return {names[hit.photo_id] for hit in keyword_search(session, text, SearchFilters(**filters))}


def test_keyword_search_covers_current_descriptions_and_alt_text(catalogue: Catalogue, album) -> None:
    assert found(catalogue, album, "lighthouse") == {"described", "alt"}
    assert found(catalogue, album, "lighthouse", kinds=(EXTENDED,)) == {"extended"}
    assert found(catalogue, album, "lighthouse", kinds=(ALT,)) == {"alt"}
    assert found(catalogue, album, "lighthouse", kinds=(DESCRIPTION, ALT, EXTENDED)) == {
        "described", "alt", "extended"}
    assert found(catalogue, album, "boat") == {"superseded"}  # by its current description only


def test_search_kind_option_on_the_command_line(cli, catalogue: Catalogue, album) -> None:
    def paths(*args: str) -> set[str]:
        ran = cli("search", "--mode", "keyword", "--json", *args)
        assert ran.code == 0, ran.err
        return {Path(row["path"]).stem for row in ran.json_lines()}

    assert paths("lighthouse") == {"described", "alt"}
    assert paths("--kind", "extended-description", "lighthouse") == {"extended"}
    assert paths("--kind", "alt-text,extended-description", "lighthouse") == {"alt", "extended"}
    assert paths("--kind", "description", "--kind", "extended-description", "lighthouse") == {
        "described", "extended"}
    kinds = {Path(row["path"]).stem: row["kind"]
             for row in cli("search", "--mode", "keyword", "--json", "lighthouse").json_lines()}
    assert kinds == {"described": "description", "alt": "alt-text"}  # which caption matched
    ran = cli("search", "--kind", "caption", "lighthouse")
    assert ran.code == 2 and "'caption' is not one of description, alt-text, extended-description" in ran.err


def test_the_photo_list_search_finds_alt_text_but_not_superseded_captions(cli, catalogue, album) -> None:
    rows = cli("photos", "--json", "--search", "lighthouse").json_lines()
    listed = {Path(row["path"]).stem for row in rows}
    assert listed == {"described", "alt"}


def test_semantic_search_ranks_current_captions_of_the_chosen_kinds(catalogue: Catalogue, album) -> None:
    from desktop_app.plugin_registry import load_plugins
    from desktop_app.search.results import SearchMode
    from desktop_app.services.search import open_search

    registry = load_plugins(["tests.plugins.good_embedder"], entry_points=False)
    service = open_search(catalogue, registry, embedder_id="hashed-words", device="cpu")
    names = {photo_id: name for name, photo_id in album.items()}
    try:
        def by_meaning(**filters: object) -> dict[str, str]:
            result = service.search("lighthouse", SearchMode.SEMANTIC, SearchFilters(**filters), limit=10)
            return {names[hit.photo_id]: hit.caption for hit in result.hits}

        everything = by_meaning(kinds=(DESCRIPTION, ALT, EXTENDED))
        assert everything["alt"] == "A lighthouse above the sea."  # its alt text matches better
        assert everything.get("superseded", "a fishing boat") == "a fishing boat"  # never its old caption
        assert by_meaning(kinds=(EXTENDED,)) == {
            "extended": "a lighthouse painted red and white, built in 1858"}
        assert set(by_meaning(kinds=(ALT,))) == {"alt"}
        assert "extended" not in by_meaning()
    finally:
        service.close()


# -- exports ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl", "coco", "hf-imagefolder"])
def test_every_export_format_carries_the_approved_alt_text_and_extended_description(
        cli, photo: str, tmp_path: Path, fmt: str) -> None:
    other = photo_files.jpeg(tmp_path / "shoot" / "plain.jpg", seed=5)
    cli("scan", str(other.parent))
    cli("edit", str(other), "--text", "A plain photo")
    cli("edit", str(other), "--kind", "alt-text", "--text", "Not yet approved.")  # a draft: not exported
    cli("approve", photo, "--kind", "alt-text")
    cli("edit", photo, "--kind", "extended-description", "--text", "Six boats, two with red sails.",
        "--approve")
    output = tmp_path / f"out.{fmt}"
    ran = cli("export", "--format", fmt, "--output", str(output))
    assert ran.code == 0, ran.err
    rows = exported(fmt, output)
    assert rows["harbour"] == ("Fishing boats in the harbour at dawn, Whitby 1998",
                               "Fishing boats moored in a harbour.", "Six boats, two with red sails.")
    assert rows["plain"] == ("A plain photo", None, None)


def exported(fmt: str, output: Path) -> dict[str, tuple[str, str | None, str | None]]:
    """photo name -> (description, alt text, extended description) as the export holds them."""
    def row(name: str, text: str, alt: str | None, extended: str | None) -> tuple[str, tuple]:
        return Path(name).stem, (text, alt or None, extended or None)  # CSV writes null as empty

    if fmt == "csv":
        with open(output, encoding="utf-8-sig", newline="") as stream:
            return dict(row(r["path"], r["caption"], r["alt_text"], r["extended_description"])
                        for r in csv.DictReader(stream))
    if fmt == "jsonl":
        return dict(row(r["path"], r["caption"], r["alt_text"], r["extended_description"])
                    for r in map(json.loads, output.read_text(encoding="utf-8").splitlines()))
    if fmt == "coco":
        document = json.loads(output.read_text(encoding="utf-8"))
        files = {image["id"]: image["file_name"] for image in document["images"]}
        return dict(row(files[a["image_id"]], a["caption"], a["alt_text"], a["extended_description"])
                    for a in document["annotations"])
    metadata = output / "train" / "metadata.jsonl"
    return dict(row(r["file_name"], r["text"], r["alt_text"], r["extended_description"])
                for r in map(json.loads, metadata.read_text(encoding="utf-8").splitlines()))
