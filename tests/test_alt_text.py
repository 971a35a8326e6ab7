"""Alt text: the alt-text rules, and the alt-text captioner through `photo-annotator caption` (a tiny
Florence-2 for photos without an approved description; the approved description itself, by the rules,
for the others)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.catalogue.models import CaptionKind
from desktop_app.plugin_api import ALT_TEXT_MAX_CHARS, CAPTION_KINDS, alt_text_from
from desktop_app.plugin_registry import load_plugins
from tests import photo_files
from tests.cli_helpers import run_cli

FRAMING = ("image of", "picture of", "photo of", "photograph of", "image showing", "this is", "there is",
           "there are", "in this image")


# -- the rules -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "alt"), [
    ("an image of a cat asleep on a red sofa", "A cat asleep on a red sofa."),
    ("A picture of two children flying a kite", "Two children flying a kite."),
    ("photo of the old town hall", "The old town hall."),
    ("An image showing a tram in the snow", "A tram in the snow."),
    ("The image shows a woman reading", "A woman reading."),
    ("IMAGE OF A HERON", "A HERON."),
    ("In this image, there is a dog on a beach", "A dog on a beach."),
    ("In this picture we can see a bridge", "A bridge."),
    ("there are three boats in a harbour", "Three boats in a harbour."),
    ("This is a portrait of the mayor.", "A portrait of the mayor."),
    ("Close-up photo of a bee on lavender", "A bee on lavender."),
    ("Image: a fox crossing a road", "A fox crossing a road."),
    ("  a   lighthouse\n at dusk ", "A lighthouse at dusk."),
    ("Where is the harbour?", "Where is the harbour?"),
    ("A photo.", "A photo."),  # nothing but framing: kept, not emptied
    ("", ""),
])
def test_framing_goes_and_the_subject_comes_first_capitalised_with_a_full_stop(text: str, alt: str) -> None:
    assert alt_text_from(text) == alt


@pytest.mark.parametrize("text", [
    "Imagery of the first world war in a museum",  # "image" inside a word is no framing
    "Photographer Anna Berg at the opening of the library",
    "Pictures at an exhibition, a poster",
    "Thereafter the crowd left the square",
])
def test_words_that_only_start_like_framing_are_kept(text: str) -> None:
    assert alt_text_from(text) == text + "."


def test_a_long_description_is_cut_at_the_last_sentence_that_fits() -> None:
    first = "the mayor, Anna Berg, opens the new public library on Main Street in front of a crowd."
    second = "Behind her stand the architect and the builders, holding the ribbon she has just cut."
    third = "Children sit on the steps in the front row, and a brass band plays on the left of the door."
    alt = alt_text_from(f"A photograph of {first} {second} {third}")
    assert alt == f"The{first[3:]} {second}"
    assert len(alt) <= ALT_TEXT_MAX_CHARS


@pytest.mark.parametrize("words", [
    "word " * 80,
    "antidisestablishmentarianism " * 12,
    "a, " * 200,
])
def test_one_long_sentence_is_cut_between_words_never_inside_one(words: str) -> None:
    alt = alt_text_from(words)
    assert len(alt) <= ALT_TEXT_MAX_CHARS and alt.endswith(".")
    kept = alt[:-1].split()
    source = words.split()
    assert kept[1:-1] == source[1:len(kept) - 1] and kept[0].lower() == source[0].lower()  # whole words
    assert kept[-1] == source[len(kept) - 1].rstrip(",")  # the last one without its comma
    assert not alt[:-1].endswith((",", " "))


def test_a_single_word_longer_than_the_limit_is_cut_to_the_limit() -> None:
    alt = alt_text_from("x" * 400)
    assert len(alt) == ALT_TEXT_MAX_CHARS and alt == "X" + "x" * 248 + "."


def test_a_text_at_the_limit_keeps_its_ending_and_any_result_fits() -> None:
    exact = "A" + "b" * (ALT_TEXT_MAX_CHARS - 2) + "."
    assert alt_text_from(exact) == exact
    no_stop = "A " + "b" * (ALT_TEXT_MAX_CHARS - 2)  # full stop would not fit: the last word goes
    assert alt_text_from(no_stop) == "A."
    assert alt_text_from("a photo of a dog", limit=10) == "A dog."


def test_the_plugin_api_kinds_are_the_catalogues() -> None:
    assert tuple(kind.value for kind in CaptionKind) == CAPTION_KINDS


# -- the captioner -------------------------------------------------------------------------------------------

def test_the_alt_text_captioner_is_built_in_and_says_what_it_writes(capsys) -> None:
    registry = load_plugins()
    assert registry.get_captioner("alt-text").caption_kind == "alt-text"
    assert registry.get_captioner("generic").caption_kind == "description"
    code, out, _ = run_cli(capsys, "plugins", "--json")
    captioners = {row["id"]: row for row in map(json.loads, out.splitlines()) if row["type"] == "captioner"}
    assert code == 0 and captioners["alt-text"]["caption_kind"] == "alt-text"
    assert captioners["generic"]["caption_kind"] == "description"
    code, out, _ = run_cli(capsys, "plugins")
    assert "(writes alt-text)" in out


def test_a_captioner_writing_an_unknown_kind_of_caption_is_refused_at_registration() -> None:
    registry = load_plugins(["tests.plugins.unknown_caption_kind"], entry_points=False)
    [info] = registry.plugins
    assert info.status == "failed" and "caption_kind 'title', not one of description, alt-text" in info.error
    assert registry.captioners == {}


@pytest.fixture
def shoot(tmp_path: Path, db_path: Path, capsys) -> dict[str, Path]:
    """Three scanned photos: one with an approved description, one with a draft description, one with none."""
    paths = {name: photo_files.jpeg(tmp_path / "shoot" / f"{name}.jpg", seed=seed, size=(96 + 8 * seed, 72))
             for seed, name in enumerate(("approved", "draft", "bare"))}
    assert run_cli(capsys, "scan", str(tmp_path / "shoot"), "--db", str(db_path))[0] == 0
    edits = {"approved": ("A photograph of the harbour wall at Whitby in a storm, with waves breaking over "
                          "the lighthouse", "--approve"),
             "draft": ("An image of a dog", )}
    for name, (text, *flags) in edits.items():
        assert run_cli(capsys, "edit", str(paths[name]), "--text", text, *flags, "--db", str(db_path))[0] == 0
    return paths


def shown(capsys, db_path: Path, path: Path) -> dict[str, dict]:
    """The photo's current captions by kind, as `show --json` lists them."""
    _code, out, _ = run_cli(capsys, "show", str(path), "--json", "--db", str(db_path))
    return {c["kind"]: c for c in json.loads(out)["captions"] if c["current"]}


def test_caption_alt_text_drafts_from_the_approved_description_or_the_model(
        shoot: dict[str, Path], florence2_folder: Path, db_path: Path, capsys) -> None:
    before = {name: shown(capsys, db_path, path) for name, path in shoot.items()}
    code, out, err = run_cli(capsys, "caption", str(shoot["approved"].parent), "--captioner", "alt-text",
                             "--model", str(florence2_folder), "--max-new-tokens", "12", "--dtype", "float32",
                             "--json", "--db", str(db_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert {Path(row["path"]).stem for row in rows if "path" in row} == set(shoot)
    for name, path in shoot.items():
        captions = shown(capsys, db_path, path)
        assert captions.get("description") == before[name].get("description")  # untouched
        alt = captions["alt-text"]
        assert (alt["state"], alt["origin"], alt["captioner"]) == ("draft", "ai", "alt-text")
        assert len(alt["text"]) <= ALT_TEXT_MAX_CHARS and alt["text"].endswith((".", "!", "?"))
        assert alt["text"] == alt_text_from(alt["text"])  # the rules hold: applied again, nothing changes
        assert not alt["text"].lower().startswith(FRAMING)
    approved = shown(capsys, db_path, shoot["approved"])["alt-text"]
    assert approved["text"] == ("The harbour wall at Whitby in a storm, with waves breaking over the "
                                "lighthouse.")
    assert (approved["model"], approved["token_scores"], approved["confidence"]) == (
        "alt-text rules", None, None)
    for name in ("draft", "bare"):  # written by the model: its scores are kept
        modelled = shown(capsys, db_path, shoot[name])["alt-text"]
        assert modelled["model"] == str(florence2_folder) and modelled["token_scores"]

    code, out, _ = run_cli(capsys, "photos", "--json", "--db", str(db_path))
    rows = {Path(row["path"]).stem: row for row in map(json.loads, out.splitlines())}
    assert rows["approved"]["alt_text"] == approved["text"] and rows["bare"]["caption"] is None


def test_a_job_whose_photos_all_have_approved_descriptions_loads_no_model(
        shoot: dict[str, Path], db_path: Path, capsys) -> None:
    # The default model is not downloaded and the hub is offline: only a run that loads no model succeeds.
    code, _out, err = run_cli(capsys, "caption", str(shoot["approved"]), "--captioner", "alt-text",
                              "--db", str(db_path))
    assert code == 0, err
    first = shown(capsys, db_path, shoot["approved"])["alt-text"]
    # A person's alt text is never replaced: the next draft from the (now edited) description goes beside it.
    run_cli(capsys, "edit", str(shoot["approved"]), "--kind", "alt-text", "--text", "Storm at Whitby.",
            "--db", str(db_path))
    run_cli(capsys, "edit", str(shoot["approved"]), "--text", "Waves over the pier", "--approve",
            "--db", str(db_path))
    code, _out, err = run_cli(capsys, "caption", str(shoot["approved"]), "--captioner", "alt-text",
                              "--db", str(db_path))
    assert code == 0, err
    _code, out, _ = run_cli(capsys, "show", str(shoot["approved"]), "--json", "--db", str(db_path))
    alts = [c for c in json.loads(out)["captions"] if c["kind"] == "alt-text"]
    assert [(c["text"], c["current"]) for c in alts] == [("Storm at Whitby.", True),
                                                         ("Waves over the pier.", False)]
    assert alts[0]["id"] == first["id"] and alts[1]["history"][0]["note"].startswith("job ")


def test_without_an_approved_description_the_model_is_needed(shoot: dict[str, Path], db_path: Path,
                                                             capsys) -> None:
    code, _out, err = run_cli(capsys, "caption", str(shoot["draft"]), "--captioner", "alt-text", "--json",
                              "--db", str(db_path))
    assert code == 1 and "Traceback" not in err
    assert "alt-text" not in shown(capsys, db_path, shoot["draft"])


def test_an_interrupted_alt_text_job_resumes_without_writing_any_draft_twice(
        shoot: dict[str, Path], catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import func, select

    from desktop_app.captioning.engine import CaptionEngine
    from desktop_app.catalogue.captions import add_caption
    from desktop_app.catalogue.models import Caption, CaptionOrigin, CaptionRevision, Photo, ReviewState
    from desktop_app.jobs import runner as runner_module
    from desktop_app.jobs.runner import JobRunner

    # Two more photos with approved descriptions, one derived draft per batch: the run is broken off
    # (the iterator closed, as Ctrl+C or the app closing does) after the first.
    with catalogue.write() as session:
        approved = session.scalar(select(Caption).where(Caption.text.like("A photograph of the harbour%")))
        photo_ids = [approved.photo_id]
        for name in ("second", "third"):
            photo = Photo(library_id=approved.photo.library_id, rel_path=f"{name}.jpg",
                          status=approved.photo.status)
            session.add(photo)
            session.flush()
            add_caption(session, photo, f"The {name} pier", origin=CaptionOrigin.HUMAN, author="ann",
                        state=ReviewState.APPROVED)
            photo_ids.append(photo.id)
    monkeypatch.setattr(runner_module, "_DERIVED_BATCH", 1)
    jobs = JobRunner(catalogue, CaptionEngine(load_plugins(), device="cpu"))
    job = jobs.queue_caption_job("alt-text", photo_ids)
    steps = jobs.steps(job.id)
    next(steps)
    steps.close()
    assert jobs.summary(job.id).pending == 2
    assert jobs.run(job.id).state.value == "done"
    with catalogue.read() as session:
        alts = session.execute(select(Caption.photo_id, func.count(Caption.id))
                               .where(Caption.kind == CaptionKind.ALT_TEXT).group_by(Caption.photo_id)).all()
        assert sorted(alts) == sorted((photo_id, 1) for photo_id in photo_ids)
        revisions = session.scalar(select(func.count(CaptionRevision.id)).join(Caption)
                                   .where(Caption.kind == CaptionKind.ALT_TEXT))
        assert revisions == 3  # each draft written once
