"""Flags for a second look: the shipped rule lists on a word list with both sides of the line, the user's
own rules, flags stored on AI drafts and imported text, cleared by a person's edit, the Flagged filter,
the approval asked once, the command line, `show --json`, exports and the review outcomes' flag count."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path

import pyexiv2
import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import current_caption, edit_caption, revert_caption
from desktop_app.catalogue.models import Caption, CaptionKind, CaptionRevision, ReviewState
from desktop_app.catalogue.outcomes import ReviewOutcome
from desktop_app.catalogue.photos import PhotoQuery, ReviewFilter, find_photo, list_photos
from desktop_app.flagging import FlagRulesError, MeaningMatcher, Rule, RuleSet, find_flags, load_rules
from desktop_app.services.flags import FlagsNotConfirmed, recheck
from desktop_app.services.review import APPROVE, Change, Reviewer
from tests import photo_files
from tests.cli_helpers import cli_on

PRODUCT, MEDICAL = "product-description", "medical-report"

# (text, captioner, what must be flagged): the line the rule files draw, both sides of it.
FLAGGED = [
    ("A woman walking a dog in the park", None, ["woman"]),
    ("Two men and a girl on a bench", None, ["men", "girl"]),
    ("An old man reading beside a church", None, ["old man", "man"]),
    ("A 70-year-old sitting on a step", None, ["70-year-old"]),
    ("An elderly couple on a beach", None, ["elderly"]),
    ("A Muslim family at a market", None, ["A Muslim family"]),
    ("An Asian man and a black woman talking", None, ["Asian", "man", "black woman", "woman"]),
    ("French tourists at the Eiffel tower", None, ["French tourists"]),
    ("A blind man with a cane", None, ["blind", "man"]),
    ("A crippled beggar", None, ["crippled"]),
    ("An Eskimo in a kayak", None, ["Eskimo"]),
    ("Genuine leather Nike sneakers, waterproof, 12 cm heel", PRODUCT,
     ["Genuine leather", "Nike", "waterproof", "12 cm"]),
    ("A 128 GB phone in a silk case", PRODUCT, ["128 GB", "silk"]),
    ("The image confirms pneumonia in the right lower lobe", MEDICAL, ["confirms"]),
    ("Diagnosis: definitely a fracture", MEDICAL, ["Diagnosis", "definitely"]),
    ("Sign reads: call 555-123-4567 or write to jo.smith@example.org", None,
     ["555-123-4567", "jo.smith@example.org"]),
    ("A badge reading Name: John Doe", None, ["Name: John Doe"]),
    ("A letter signed by Dr Miller", None, ["Dr Miller"]),
]
NOT_FLAGGED = [
    ("A man's hat on a white background", PRODUCT),  # a product category, not a person
    ("Women's running shoes in blue", PRODUCT),
    ("A man's hat and a pair of gloves on a table", None),
    ("An old building in the old town", None),  # "old" of a building is no one's age
    ("A Christian church beside a Buddhist temple", None),  # religion words for buildings
    ("Asian cuisine served on a table", None),
    ("Fresh French bread and Chinese lanterns", None),
    ("Window blinds in a sunny room", None),
    ("A man-made lake at dusk", None),
    ("A horse with long manes", None),  # no simple plural rule on "man"
    ("A leather sofa in a living room", None),  # product rules only for product descriptions
    ("A red apple on a plate", PRODUCT),  # fruit, not the brand
    ("The findings confirm pneumonia", None),  # medical rules only for medical reports
    ("Findings suggest pneumonia; to be confirmed clinically", MEDICAL),
    ("A fracture cannot be ruled out", MEDICAL),
    ("Between 1990 2000 and 2010 the town grew", None),  # years are no phone number
    ("A German shepherd in the snow", None),
]


@pytest.fixture
def rules():
    return load_rules(("en",), strict=True)


@pytest.mark.parametrize(("text", "captioner", "expected"), FLAGGED, ids=[case[0] for case in FLAGGED])
def test_the_rules_flag_guesses_claims_and_personal_data(rules, text: str, captioner: str | None,
                                                         expected: list[str]) -> None:
    flags = find_flags(rules, text, captioner=captioner, caption_kind="description")
    assert sorted({flag.text for flag in flags}) == sorted(set(expected))
    for flag in flags:
        assert text[flag.start:flag.end] == flag.text and flag.reason


@pytest.mark.parametrize(("text", "captioner"), NOT_FLAGGED, ids=[case[0] for case in NOT_FLAGGED])
def test_the_rules_leave_what_is_not_about_a_person_or_not_their_business(rules, text: str,
                                                                         captioner: str | None) -> None:
    assert find_flags(rules, text, captioner=captioner, caption_kind="description") == []


def test_german_rules_draw_the_same_lines() -> None:
    german = load_rules(("de",), strict=True)
    found = find_flags(german, "Ein alter Mann vor einem alten Haus")
    assert [f.text for f in found] == ["alter Mann", "Mann"]
    assert find_flags(german, "Damenschuhe und ein Herrenhut vor der Kirche") == []
    assert [f.text for f in find_flags(german, "Der Befund bestätigt eine Fraktur", captioner=MEDICAL)] == [
        "bestätigt"]
    both = load_rules(("en", "de"), strict=True)
    assert {rule.language for rule in both.rules if rule.id == "gender"} == {"en", "de"}


def test_a_users_file_replaces_turns_off_and_adds_rules(isolated_env: Path) -> None:
    folder = isolated_env / "config" / "flag-rules"
    folder.mkdir(parents=True)
    (folder / "en.toml").write_text(
        '[[rule]]\nid = "gender"\ndisabled = true\n\n'
        '[[rule]]\nid = "house-style"\ncategory = "offensive-or-outdated"\nreason = "Say \'photo\'"\n'
        'words = ["snapshot"]\nplural = true\n', encoding="utf-8")
    rules = load_rules(("en",))
    assert rules.get("gender") is None and rules.get("age") is not None
    assert [(f.rule, f.text) for f in find_flags(rules, "Two snapshots of a woman")] == [
        ("house-style", "snapshots")]


def test_a_broken_users_file_is_skipped_unless_asked_to_check(isolated_env: Path) -> None:
    folder = isolated_env / "config" / "flag-rules"
    folder.mkdir(parents=True)
    (folder / "en.toml").write_text('[[rule]]\nid = "bad"\ncategory = "person-attributes"\nreason = "x"\n'
                                    'patterns = ["(unclosed"]\n', encoding="utf-8")
    assert load_rules(("en",)).get("gender") is not None  # the shipped rules still apply
    with pytest.raises(FlagRulesError, match=r"en\.toml: rule 'bad': missing \), unterminated subpattern"):
        load_rules(("en",), strict=True)


def _photo(catalogue: Catalogue, root: Path, name: str = "00.jpg"):
    with catalogue.read() as session:
        return find_photo(session, str(root / name)).id


def _draft(catalogue: Catalogue, photo_id: int, text: str, captioner: str = "encoder-decoder") -> Caption:
    with catalogue.write() as session:
        photo = session.get(type(find_photo(session, str(photo_id))), photo_id)
        return store_ai_caption(session, AICaption(photo, text, model_id="m"), captioner_id=captioner)


@pytest.mark.both_backends  # flags are JSON, stored and filtered by each backend's own SQL
def test_flags_are_stored_on_ai_drafts_and_regenerations_and_copied_to_the_revision(
        catalogue: Catalogue, drafts: Path) -> None:
    photo_id = _photo(catalogue, drafts)
    caption = _draft(catalogue, photo_id, "A woman with a red umbrella")  # regenerates the fixture's draft
    with catalogue.read() as session:
        stored = session.get(Caption, caption.id)
        assert [(f["text"], f["category"], f["start"], f["end"]) for f in stored.flags] == [
            ("woman", "person-attributes", 2, 7)]
        newest = session.scalar(select(CaptionRevision).where(CaptionRevision.caption_id == caption.id)
                                .order_by(CaptionRevision.number.desc()))
        assert newest.flags == stored.flags
    _draft(catalogue, photo_id, "A red umbrella")  # regenerated without a flagged word: none left
    with catalogue.read() as session:
        assert session.get(Caption, caption.id).flags is None
    fresh = _draft(catalogue, _photo(catalogue, drafts, "01.jpg"), "Nike shoes", captioner=PRODUCT)
    with catalogue.read() as session:  # a new draft beside the other captioner's
        assert [f["text"] for f in session.get(Caption, fresh.id).flags] == ["Nike"]


def test_imported_text_is_flagged_on_scan(catalogue: Catalogue, scanner, tmp_path: Path) -> None:
    path = photo_files.jpeg(tmp_path / "lib" / "a.jpg")
    with pyexiv2.Image(str(path)) as image:
        image.modify_xmp({"Xmp.dc.description": {'lang="x-default"': "Contact jo@example.org about the man"}})
    scanner.scan(tmp_path / "lib")
    with catalogue.read() as session:
        caption = current_caption(session, find_photo(session, str(path)).id)
        assert caption.origin.value == "imported"
        assert [f["text"] for f in caption.flags] == ["jo@example.org", "man"]


def test_a_persons_edit_clears_the_flags_and_a_revert_brings_them_back(catalogue: Catalogue,
                                                                        drafts: Path) -> None:
    photo_id = _photo(catalogue, drafts)
    caption = _draft(catalogue, photo_id, "A woman on a bike")
    with catalogue.write() as session:
        photo = session.get(type(find_photo(session, str(photo_id))), photo_id)
        edited = edit_caption(session, photo, "A person on a bike", author="ed")
        assert edited.flags is None
        assert edit_caption(session, photo, "A woman on a bike", author="ed").flags is None  # their words
        reverted = revert_caption(session, edited, caption.revision, author="ed")
        assert [f["text"] for f in reverted.flags] == ["woman"]


@pytest.mark.both_backends  # flags are JSON, stored and filtered by each backend's own SQL
def test_the_flagged_filter_shows_flagged_drafts_until_approved(catalogue: Catalogue, drafts: Path) -> None:
    first, second = _photo(catalogue, drafts, "00.jpg"), _photo(catalogue, drafts, "01.jpg")
    _draft(catalogue, first, "A man on a horse")
    _draft(catalogue, second, "A horse in a field")

    def flagged() -> list[int]:
        with catalogue.read() as session:
            return [p.id for p in list_photos(session, PhotoQuery(review=ReviewFilter.FLAGGED))]

    assert flagged() == [first]
    Reviewer(catalogue, "ed").apply("a", first, Change(APPROVE, confirm_flags=True))
    assert flagged() == []


@pytest.mark.both_backends  # flags are JSON, stored and filtered by each backend's own SQL
def test_approving_a_flagged_caption_asks_once_and_keeps_the_reason(catalogue: Catalogue,
                                                                     drafts: Path) -> None:
    photo_id = _photo(catalogue, drafts)
    _draft(catalogue, photo_id, "An elderly woman knitting")
    reviewer = Reviewer(catalogue, "ed")
    with pytest.raises(FlagsNotConfirmed) as refused:
        reviewer.apply("first", photo_id, Change(APPROVE))
    assert [flag.text for flag in refused.value.flags] == ["elderly", "woman"]
    caption = reviewer.apply("second", photo_id, Change(APPROVE, confirm_flags=True,
                                                        flags_reason="the sitter told us"))
    assert caption.state is ReviewState.APPROVED
    with catalogue.read() as session:
        notes = [r.note for r in session.scalars(select(CaptionRevision).where(
            CaptionRevision.caption_id == caption.id).order_by(CaptionRevision.number))]
    assert notes[-1] == "approved with flags confirmed: the sitter told us"
    reviewer.undo("second", "Approve")  # a draft again, the same text: not asked again
    assert reviewer.apply("third", photo_id, Change(APPROVE)).state is ReviewState.APPROVED
    # a new draft of the model's (after a rejection) is a new text: asked again
    reviewer.apply("reject", photo_id, Change("reject"))
    _draft(catalogue, photo_id, "An elderly man knitting")
    with pytest.raises(FlagsNotConfirmed):
        reviewer.apply("fourth", photo_id, Change(APPROVE))
    # an edit approved in one go needs no confirmation: the editor wrote the words
    assert reviewer.apply("fifth", photo_id, Change(APPROVE, text="A person knitting")).flags is None


def test_the_outcomes_flag_count_is_the_drafts(catalogue: Catalogue, drafts: Path) -> None:
    photo_id = _photo(catalogue, drafts)
    caption = _draft(catalogue, photo_id, "A young woman and an old man, call 555-123-4567")
    with catalogue.read() as session:
        expected = len(session.get(Caption, caption.id).flags)
    assert expected == 5  # "young woman" (age), "woman" (gender), "old man", "man", the phone number
    Reviewer(catalogue, "ed").apply("a", photo_id, Change(APPROVE, text="Two people, call the office"))
    with catalogue.read() as session:
        outcome = session.scalar(select(ReviewOutcome).where(ReviewOutcome.caption_id == caption.id))
    assert outcome.outcome == "edited" and outcome.flag_count == expected


@pytest.mark.both_backends  # flags are JSON, stored and filtered by each backend's own SQL
def test_recheck_flags_existing_captions_with_changed_rules(catalogue: Catalogue, drafts: Path,
                                                            isolated_env: Path) -> None:
    photo_id = _photo(catalogue, drafts)  # "a photo number 0": nothing flagged yet
    folder = isolated_env / "config" / "flag-rules"
    folder.mkdir(parents=True)
    (folder / "en.toml").write_text('[[rule]]\nid = "numbers"\ncategory = "personal-data"\n'
                                    'reason = "A number"\nwords = ["number"]\n', encoding="utf-8")
    report = recheck(catalogue)
    assert (report.checked, report.changed, report.flagged) == (5, 5, 5)
    with catalogue.read() as session:
        assert [f["text"] for f in current_caption(session, photo_id).flags] == ["number"]
    assert recheck(catalogue).changed == 0


def _words_embed(texts: list[str]) -> list[list[float]]:
    """A deterministic bag-of-words embedder: each word hashed into one of 64 dimensions."""
    vectors = []
    for text in texts:
        vector = [0.0] * 64
        for word in text.lower().replace(",", " ").split():
            vector[int(hashlib.sha1(word.encode()).hexdigest(), 16) % 64] += 1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        vectors.append([v / norm for v in vector])
    return vectors


def test_meaning_matches_flag_a_sentence_close_to_an_example(rules) -> None:
    matcher = MeaningMatcher(_words_embed)
    text = "Sunset over the bay. A woman standing there"
    flags = matcher.flags(rules, text)
    assert [(f.rule, f.text) for f in flags] == [("gender", "A woman standing there")]
    assert matcher.flags(rules, "Sunset over the bay") == []


def test_the_command_line_refuses_a_flagged_approval_until_confirmed(
        catalogue: Catalogue, drafts: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    photo_id = _photo(catalogue, drafts)
    _draft(catalogue, photo_id, "A woman and a girl, email jo@example.org")
    cli = cli_on(capsys, db_path)
    refused = cli("approve", str(photo_id))
    assert refused.code == 1
    lines = refused.err.splitlines()
    assert lines[0].startswith("photo-annotator: error: caption") and "3 flag(s)" in lines[0]
    assert [line.split()[1] for line in lines[1:]] == ["'woman'", "'girl'", "'jo@example.org'"]
    listed = cli("photos", "--flagged", "--json").json_lines()
    assert [row["id"] for row in listed] == [photo_id]
    shown = cli("flags", str(photo_id), "--json").json_lines()
    assert [flag["text"] for flag in shown[0]["flags"]] == ["woman", "girl", "jo@example.org"]
    assert shown[0]["confirmed"] is False
    record = cli("show", str(photo_id), "--json").json()
    current = next(c for c in record["captions"] if c["current"])
    assert [flag["rule"] for flag in current["flags"]] == ["gender", "gender", "e-mail-addresses"]
    assert current["history"][-1]["flags"] == current["flags"]
    assert cli("export", "--format", "jsonl", "--output", str(tmp_path / "out.jsonl")).code == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [f["text"] for f in rows[0]["flags"]] == ["woman", "girl", "jo@example.org"]
    assert all(row["flags"] == [] for row in rows[1:])
    assert cli("export", "--format", "csv", "--output", str(tmp_path / "out.csv")).code == 0
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as stream:
        cells = [row["flags"] for row in csv.DictReader(stream)]
    assert cells[0] == "woman (person-attributes); girl (person-attributes); jo@example.org (personal-data)"
    assert cli("approve", str(photo_id), "--reason", "known").code == 2  # --reason needs --confirm-flags
    done = cli("approve", str(photo_id), "--confirm-flags", "--reason", "her own sign")
    assert done.code == 0, done.err
    assert cli("photos", "--flagged", "--json").out == ""
    record = cli("show", str(photo_id), "--json").json()
    current = next(c for c in record["captions"] if c["current"])
    assert current["state"] == "approved"
    assert current["history"][-1]["note"] == "approved with flags confirmed: her own sign"
    assert cli("flags", str(photo_id), "--json").json_lines()[0]["confirmed"] is True


def test_the_flags_command_explains_itself(catalogue: Catalogue, drafts: Path, db_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cli = cli_on(capsys, db_path)
    assert cli("flags", str(_photo(catalogue, drafts))).out.splitlines()[1] == "  nothing flagged"
    both = cli("flags", "1", "--recheck")
    assert both.code == 2 and "one of them" in both.err
    listed = cli("flags", "--rules")
    assert listed.code == 0 and "en gender (person-attributes)" in listed.out
    checked = cli("flags", "--recheck", "--json").json()
    assert checked["checked"] == 5 and checked["languages"] == ["en"]


def test_kinds_apply_where_a_rule_says(rules) -> None:
    alt_only = Rule(id="x", category="personal-data", reason="r", words=("dog",), caption_kinds=("alt-text",))
    assert find_flags([alt_only], "a dog", caption_kind=CaptionKind.ALT_TEXT.value)
    assert not find_flags([alt_only], "a dog", caption_kind=CaptionKind.DESCRIPTION.value)


@pytest.fixture(scope="module")
def minilm():
    from plugins.minilm import MiniLMEmbedder

    embedder = MiniLMEmbedder()
    embedder.load("cpu")  # the default text embedder, the one the app's meaning match uses
    yield embedder
    embedder.unload()


def test_a_draft_is_flagged_by_meaning_with_the_text_embedder(catalogue: Catalogue, drafts: Path, minilm,
                                                              isolated_env: Path) -> None:
    folder = isolated_env / "config" / "flag-rules"
    folder.mkdir(parents=True)
    (folder / "en.toml").write_text(
        '[[rule]]\nid = "snow-dogs"\ncategory = "offensive-or-outdated"\nreason = "Our house style"\n'
        'meanings = ["a dog playing in the snow"]\nmeaning_threshold = 0.6\n', encoding="utf-8")
    matcher = MeaningMatcher(minilm.embed_texts)
    with catalogue.write() as session:
        photo = find_photo(session, str(drafts / "00.jpg"))
        other = find_photo(session, str(drafts / "01.jpg"))
        caption = store_ai_caption(session, AICaption(photo, "Sunset over the lake. A puppy runs through "
                                                             "fresh snow", model_id="m"),
                                   captioner_id="encoder-decoder", meanings=matcher)
        plain = store_ai_caption(session, AICaption(other, "A laptop on a wooden desk", model_id="m"),
                                 captioner_id="encoder-decoder", meanings=matcher)
        flags, plain_flags = caption.flags, plain.flags
    assert [(f["rule"], f["text"]) for f in flags] == [("snow-dogs", "A puppy runs through fresh snow")]
    assert plain_flags is None
    with catalogue.read() as session:
        newest = session.scalar(select(CaptionRevision).where(CaptionRevision.caption_id == caption.id)
                                .order_by(CaptionRevision.number.desc()))
        assert newest.flags == flags


def test_the_settings_languages_choose_the_rules(catalogue: Catalogue, drafts: Path,
                                                 isolated_env: Path) -> None:
    from dataclasses import replace

    from desktop_app.settings import load_settings, save_settings

    settings = load_settings()
    save_settings(replace(settings, review=replace(settings.review, flag_languages=("de",))))
    photo_id = _photo(catalogue, drafts)
    caption = _draft(catalogue, photo_id, "Eine Frau und a woman")
    with catalogue.read() as session:
        flags = session.get(Caption, caption.id).flags
    assert [(f["text"], f["rule"]) for f in flags] == [("Frau", "gender")]


def test_a_job_runner_flags_by_meaning_when_the_setting_is_on(catalogue: Catalogue,
                                                              isolated_env: Path) -> None:
    from dataclasses import replace

    from desktop_app.services.engine import build_engine
    from desktop_app.services.jobs import make_runner
    from desktop_app.settings import load_settings, save_settings

    engine = build_engine(device="cpu", dtype="float32", batch_size=4)
    assert make_runner(catalogue, engine).meanings is None  # off by default: no embedder loaded
    settings = load_settings()
    save_settings(replace(settings, review=replace(settings.review, flag_meanings=True)))
    runner = make_runner(catalogue, engine)
    assert runner.meanings is not None
    rules = RuleSet(("en",), (Rule(id="snow-dogs", category="offensive-or-outdated", reason="r",
                                   meanings=("a dog playing in the snow",), meaning_threshold=0.6),))
    found = runner.meanings.flags(rules, "A laptop on a desk. A puppy runs through fresh snow")
    assert [flag.text for flag in found] == ["A puppy runs through fresh snow"]  # MiniLM, loaded just now
