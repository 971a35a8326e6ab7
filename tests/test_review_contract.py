"""The review contract: every review action carries the revision it was based on and is refused, with
nothing lost, when the caption changed since; revision numbers never collide; the caption length limit."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.caption_rules import (
    KEPT_NOTE,
    MAX_CAPTION_CHARS,
    BasedOn,
    CaptionConflict,
    CaptionTooLong,
    cut_to_limit,
)
from desktop_app.catalogue.captions import (
    add_caption,
    choose_caption,
    current_caption,
    edit_caption,
    recover_unsaved_edits,
    revert_caption,
    review_session,
    save_unsaved_edit,
    set_review_state,
)
from desktop_app.catalogue.models import (
    Caption,
    CaptionOrigin,
    CaptionRevision,
    Library,
    Photo,
    PhotoStatus,
    ReviewState,
    RevisionAction,
)
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.cli_helpers import Ran, cli_on
from tests.tiny_models.vision_encoder_decoder import vit_gpt2

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends

MODEL = "tiny-blip"


def _photo(session: Session, name: str = "a.jpg") -> Photo:
    library = session.scalar(select(Library)) or Library(root="/photos", name="photos")
    session.add(library)
    session.flush()
    photo = Photo(library_id=library.id, rel_path=name, status=PhotoStatus.OK)
    session.add(photo)
    session.flush()
    return photo


def _regenerate(catalogue: Catalogue, photo_id: int, text: str, job_id: int = 7) -> None:
    """What a captioning job's write does: the model's new text for the photo."""
    with catalogue.write() as session:
        photo = session.get(Photo, photo_id)
        store_ai_caption(session, AICaption(photo, text, model_id=MODEL, job_id=job_id),
                         captioner_id="generic")


@pytest.fixture
def drafted(catalogue: Catalogue) -> tuple[int, BasedOn]:
    """A photo with a model's draft, and what an editor sees of it (caption id, revision 1)."""
    _photo_id = None
    with catalogue.write() as session:
        photo = _photo(session)
        caption = store_ai_caption(session, AICaption(photo, "A dog on a beach", model_id=MODEL, job_id=6),
                                   captioner_id="generic")
        _photo_id, seen = photo.id, BasedOn(caption.id, caption.revision)
    assert seen.revision == 1
    return _photo_id, seen


def _captions(catalogue: Catalogue, photo_id: int) -> list[Caption]:
    with catalogue.read() as session:
        return list(session.scalars(select(Caption).where(Caption.photo_id == photo_id).order_by(Caption.id)))


# --- the counter ---------------------------------------------------------------------------------------

def test_every_revision_moves_the_counter_and_is_numbered_from_it(catalogue: Catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        caption = add_caption(session, photo, "first", origin=CaptionOrigin.HUMAN, author="ann")
        assert caption.revision == 1
        edit_caption(session, photo, "second", author="ann")
        set_review_state(session, photo, ReviewState.APPROVED, author="ann")
        revert_caption(session, caption, 1, author="ann")
        store_ai_caption(session, AICaption(photo, "a model's", model_id=MODEL), captioner_id="generic")
        numbers = session.scalars(select(CaptionRevision.number)
                                  .where(CaptionRevision.caption_id == caption.id)
                                  .order_by(CaptionRevision.number)).all()
        assert numbers == [1, 2, 3, 4]
        session.refresh(caption)
        assert caption.revision == 4
        beside = current_caption(session, photo.id)  # the human caption stays current; the model's is beside
        assert beside is not None and beside.id == caption.id


def test_regenerating_moves_the_counter(catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    _regenerate(catalogue, photo_id, "A dog running on a beach")
    [caption] = _captions(catalogue, photo_id)
    assert (caption.id, caption.revision) == (seen.caption_id, 2)


# --- each action with a stale revision is refused ------------------------------------------------------

@pytest.mark.parametrize("action", ["approve", "reject", "revert", "choose"])
def test_an_action_based_on_a_stale_revision_is_refused_and_writes_nothing(
        catalogue: Catalogue, drafted: tuple[int, BasedOn], action: str) -> None:
    photo_id, seen = drafted
    if action == "choose":  # a person's caption is current; the model's draft beside it is the one chosen
        with catalogue.write() as session:
            add_caption(session, session.get(Photo, photo_id), "A dog", origin=CaptionOrigin.HUMAN,
                        author="ann")
    _regenerate(catalogue, photo_id, "A cat on a sofa")
    before = _captions(catalogue, photo_id)
    with pytest.raises(CaptionConflict) as refused, review_session(catalogue) as session:
        photo = session.get(Photo, photo_id)
        if action == "approve":
            set_review_state(session, photo, ReviewState.APPROVED, author="ed", based_on=seen)
        elif action == "reject":
            set_review_state(session, photo, ReviewState.REJECTED, author="ed", based_on=seen)
        elif action == "revert":
            revert_caption(session, session.get(Caption, seen.caption_id), 1, author="ed", based_on=seen)
        else:
            choose_caption(session, photo, seen.caption_id, author="ed", based_on=seen)
    conflict = refused.value
    assert str(conflict).startswith(
        f"caption {seen.caption_id} changed since revision 1: regenerated by job 7 (model {MODEL}) at ")
    assert str(conflict).endswith("now revision 2")
    assert "\n" not in str(conflict)
    assert (conflict.based_on, conflict.caption_id, conflict.revision) == (seen, seen.caption_id, 2)
    assert conflict.action is RevisionAction.REGENERATED and conflict.changed_by == MODEL
    assert conflict.kept_caption_id is None
    after = _captions(catalogue, photo_id)
    assert [(c.id, c.text, c.state, c.is_current, c.revision) for c in after] == [
        (c.id, c.text, c.state, c.is_current, c.revision) for c in before]


def test_a_stale_edit_is_refused_and_its_text_kept_beside_the_new_text(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    _regenerate(catalogue, photo_id, "A cat on a sofa")
    with pytest.raises(CaptionConflict) as refused, review_session(catalogue) as session:
        edit_caption(session, session.get(Photo, photo_id), "A brown dog on a beach", author="ed",
                     approve=True, based_on=seen)
    conflict = refused.value
    current, kept = _captions(catalogue, photo_id)
    assert (current.text, current.is_current, current.state) == ("A cat on a sofa", True, ReviewState.DRAFT)
    assert (kept.text, kept.is_current, kept.origin, kept.state, kept.author) == (
        "A brown dog on a beach", False, CaptionOrigin.HUMAN, ReviewState.DRAFT, "ed")
    assert conflict.kept_caption_id == kept.id
    assert str(conflict).endswith(f"; your text is kept as caption {kept.id}")
    with catalogue.read() as session:
        [revision] = session.scalars(
            select(CaptionRevision).where(CaptionRevision.caption_id == kept.id)).all()
    assert revision.note == f"{KEPT_NOTE} (based on revision 1 of caption {seen.caption_id})"
    # The editor picks theirs: choose it, based on what they see of it.
    with review_session(catalogue) as session:
        choose_caption(session, session.get(Photo, photo_id), kept.id, author="ed",
                       based_on=BasedOn(kept.id, kept.revision))
    assert [c.is_current for c in _captions(catalogue, photo_id)] == [False, True]


def test_an_action_on_a_caption_that_is_no_longer_current_is_refused(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    with catalogue.write() as session:  # another editor writes their own caption and makes it current
        add_caption(session, session.get(Photo, photo_id), "A dog", origin=CaptionOrigin.HUMAN, author="bo")
    with pytest.raises(CaptionConflict) as refused, review_session(catalogue) as session:
        set_review_state(session, session.get(Photo, photo_id), ReviewState.APPROVED, author="ed",
                         based_on=seen)
    other = _captions(catalogue, photo_id)[1]
    assert str(refused.value).startswith(
        f"caption {seen.caption_id} is no longer the current caption of photo {photo_id}; caption {other.id} "
        f"is: written by bo at ")
    assert [c.state for c in _captions(catalogue, photo_id)] == [ReviewState.DRAFT, ReviewState.DRAFT]


def test_an_edit_of_a_photo_that_had_no_caption_is_refused_once_a_job_captioned_it(
        catalogue: Catalogue) -> None:
    with catalogue.write() as session:
        photo_id = _photo(session).id
    _regenerate(catalogue, photo_id, "A model's caption", job_id=3)
    with pytest.raises(CaptionConflict, match=r"has a caption now .*written by job 3 \(model tiny-blip\)"), \
            review_session(catalogue) as session:
        edit_caption(session, session.get(Photo, photo_id), "Mine", author="ed", based_on=BasedOn(None, 0))
    assert [(c.text, c.is_current) for c in _captions(catalogue, photo_id)] == [
        ("A model's caption", True), ("Mine", False)]


def test_an_action_based_on_the_newest_revision_applies(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    with review_session(catalogue) as session:
        photo = session.get(Photo, photo_id)
        caption = edit_caption(session, photo, "A dog on a sandy beach", author="ed", based_on=seen)
        set_review_state(session, photo, ReviewState.APPROVED, author="ed", based_on=BasedOn(caption.id, 2))
    [caption] = _captions(catalogue, photo_id)
    assert (caption.text, caption.state, caption.revision) == (
        "A dog on a sandy beach", ReviewState.APPROVED, 3)


def test_without_a_base_the_action_applies_to_the_current_text(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, _seen = drafted
    _regenerate(catalogue, photo_id, "A cat")
    with review_session(catalogue) as session:
        set_review_state(session, session.get(Photo, photo_id), ReviewState.APPROVED, author="script")
    [caption] = _captions(catalogue, photo_id)
    assert (caption.text, caption.state) == ("A cat", ReviewState.APPROVED)


# --- unsaved edits -----------------------------------------------------------------------------------

def test_a_recovered_edit_whose_base_is_stale_is_kept_beside(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    with catalogue.write() as session:
        save_unsaved_edit(session, photo_id, "A dog, typed", author="ed", based_on=seen)
    _regenerate(catalogue, photo_id, "A cat")
    with catalogue.write() as session:  # typing goes on after the regeneration: the base stays
        save_unsaved_edit(session, photo_id, "A dog, typed on", author="ed")
    with catalogue.write() as session:  # the app crashed; the next start recovers
        assert recover_unsaved_edits(session) == [photo_id]
    current, kept = _captions(catalogue, photo_id)
    assert (current.text, current.is_current) == ("A cat", True)
    assert (kept.text, kept.is_current, kept.origin) == ("A dog, typed on", False, CaptionOrigin.HUMAN)
    with catalogue.read() as session:
        note = session.scalar(select(CaptionRevision.note).where(CaptionRevision.caption_id == kept.id))
    assert "recovered after the app closed unexpectedly" in note and KEPT_NOTE in note


def test_a_recovered_edit_whose_base_is_current_is_an_edit(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    with catalogue.write() as session:
        save_unsaved_edit(session, photo_id, "A dog, typed", author="ed", based_on=seen)
        assert recover_unsaved_edits(session) == [photo_id]
    [caption] = _captions(catalogue, photo_id)
    assert (caption.text, caption.origin, caption.revision) == ("A dog, typed", CaptionOrigin.HUMAN, 2)


# --- two writers at once -------------------------------------------------------------------------------

def test_two_writers_interleaving_cannot_get_the_same_revision_number(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    """Bo's session read the caption at revision 1; Ann's edit commits; then Bo's writes, from the
    revision it read (as under PostgreSQL's read committed, where nothing locks on read). The
    compare-and-set refuses Bo's with a conflict: never two revisions numbered 2, nothing of Ann's lost."""
    photo_id, seen = drafted
    with Session(catalogue.engine, expire_on_commit=False) as bo:
        with bo.begin():
            stale = current_caption(bo, photo_id)
            assert stale is not None and stale.revision == 1
        with catalogue.write() as ann:
            edit_caption(ann, ann.get(Photo, photo_id), "Ann's text", author="ann")
        with pytest.raises(CaptionConflict) as refused, bo.begin():
            edit_caption(bo, bo.get(Photo, photo_id), "Bo's text", author="bo")
    assert str(refused.value).startswith(f"caption {seen.caption_id} changed since revision 1 while this "
                                         "change was being written: edited by ann at ")
    with catalogue.read() as session:
        numbers = session.scalars(select(CaptionRevision.number)
                                  .where(CaptionRevision.caption_id == seen.caption_id)).all()
    assert sorted(numbers) == [1, 2]
    [caption] = _captions(catalogue, photo_id)
    assert (caption.text, caption.revision) == ("Ann's text", 2)


def test_two_threads_writing_one_caption_number_every_revision_once(
        catalogue: Catalogue, db_path: Path, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    start = threading.Barrier(2)

    def writer(name: str) -> None:
        own = open_catalogue(db_path)
        start.wait(10)
        for number in range(15):
            with own.write() as session:
                edit_caption(session, session.get(Photo, photo_id), f"{name} {number}", author=name)
        own.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("ann", "bo")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with catalogue.read() as session:
        numbers = session.scalars(select(CaptionRevision.number)
                                  .where(CaptionRevision.caption_id == seen.caption_id)).all()
        assert sorted(numbers) == list(range(1, 32))
        assert session.get(Caption, seen.caption_id).revision == 31


# --- the length limit ----------------------------------------------------------------------------------

def test_cut_to_limit_keeps_short_text_and_cuts_long_text_with_a_note() -> None:
    assert cut_to_limit("A dog") == ("A dog", None)
    exact = "x" * MAX_CAPTION_CHARS
    assert cut_to_limit(exact) == (exact, None)
    text, note = cut_to_limit("y" * (MAX_CAPTION_CHARS + 5))
    assert text == "y" * MAX_CAPTION_CHARS
    assert note == f"cut to {MAX_CAPTION_CHARS:,} characters from {MAX_CAPTION_CHARS + 5:,}"


def test_an_edit_longer_than_the_limit_is_refused(catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    with pytest.raises(CaptionTooLong, match=f"^caption is {MAX_CAPTION_CHARS + 1:,} characters; the most a "
                                             f"caption can hold is {MAX_CAPTION_CHARS:,}$"), \
            review_session(catalogue) as session:
        edit_caption(session, session.get(Photo, photo_id), "z" * (MAX_CAPTION_CHARS + 1), author="ed",
                     based_on=seen)
    with review_session(catalogue) as session:  # the limit itself is fine
        edit_caption(session, session.get(Photo, photo_id), "z" * MAX_CAPTION_CHARS, author="ed",
                     based_on=seen)
    assert len(_captions(catalogue, photo_id)[0].text) == MAX_CAPTION_CHARS


def test_no_caption_longer_than_the_limit_is_added(catalogue: Catalogue) -> None:
    with pytest.raises(CaptionTooLong), catalogue.write() as session:
        add_caption(session, _photo(session), "i" * (MAX_CAPTION_CHARS + 1), origin=CaptionOrigin.IMPORTED,
                    author=None)
    with catalogue.read() as session:
        assert session.scalar(select(Caption)) is None


def test_a_model_text_longer_than_the_limit_is_cut_with_a_note(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    photo_id, seen = drafted
    with catalogue.write() as session:
        fresh = _photo(session, "b.jpg")
        store_ai_caption(session, AICaption(fresh, "w" * (MAX_CAPTION_CHARS + 10), model_id=MODEL, job_id=9),
                         captioner_id="generic")
        fresh_id = fresh.id
    _regenerate(catalogue, photo_id, "v" * (MAX_CAPTION_CHARS * 2), job_id=9)
    with catalogue.read() as session:
        for caption_id, length in ((current_caption(session, fresh_id).id, MAX_CAPTION_CHARS + 10),
                                   (seen.caption_id, MAX_CAPTION_CHARS * 2)):
            caption = session.get(Caption, caption_id)
            newest = caption.revisions[-1]
            assert len(caption.text) == len(newest.text) == MAX_CAPTION_CHARS
            assert newest.note == f"job 9; cut to {MAX_CAPTION_CHARS:,} characters from {length:,}"


# --- a real captioning job in between ------------------------------------------------------------------

def test_a_job_that_regenerates_the_caption_is_named_in_the_refusal(
        scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> None:
    from tests.test_jobs import OPTIONS, make_runner

    photo_files.jpeg(tmp_path / "shoot" / "01.jpg", seed=1, size=(96, 72))
    scanner.scan(str(tmp_path / "shoot"))
    model = vit_gpt2(tmp_path / "tiny-vit-gpt2")
    runner, _events = make_runner(catalogue)
    with catalogue.read() as session:
        photo_id = session.scalar(select(Photo.id))
    first = runner.queue_caption_job("encoder-decoder", [photo_id], model=str(model), options=OPTIONS)
    runner.run(first.id)
    [caption] = _captions(catalogue, photo_id)
    seen = BasedOn(caption.id, caption.revision)  # what the editor is looking at
    again = runner.queue_caption_job("encoder-decoder", [photo_id], model=str(model), options=OPTIONS)
    runner.run(again.id)
    with pytest.raises(CaptionConflict, match=rf"^caption {caption.id} changed since revision 1: regenerated "
                                              rf"by job {again.id} \(model .*tiny-vit-gpt2\) at "), \
            review_session(catalogue) as session:
        set_review_state(session, session.get(Photo, photo_id), ReviewState.APPROVED, author="ed",
                         based_on=seen)
    assert _captions(catalogue, photo_id)[0].state is ReviewState.DRAFT


# --- the command line ----------------------------------------------------------------------------------

@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path) -> Callable[..., Ran]:
    return cli_on(capsys, db_path)


@pytest.fixture
def shot(cli: Callable[..., Ran], catalogue: Catalogue, tmp_path: Path) -> tuple[str, int]:
    """A scanned photo with a model's draft (revision 1): its path and its caption's id."""
    path = photo_files.jpeg(tmp_path / "shoot" / "01.jpg", seed=1)
    assert cli("scan", str(tmp_path / "shoot")).code == 0
    with catalogue.write() as session:
        photo = session.scalar(select(Photo))
        caption = store_ai_caption(session, AICaption(photo, "A dog on a beach", model_id=MODEL, job_id=6),
                                   captioner_id="generic")
        return str(path), caption.id


def test_show_prints_each_captions_revision(cli: Callable[..., Ran], shot: tuple[str, int]) -> None:
    path, caption_id = shot
    assert cli("edit", path, "--text", "A dog on a sandy beach").code == 0
    shown = cli("show", path)
    assert f"Caption {caption_id} (current, revision 2): draft, human" in shown.out
    [caption] = json.loads(cli("show", path, "--json").out)["captions"]
    assert (caption["id"], caption["revision"]) == (caption_id, 2)


@pytest.mark.parametrize("args", [("approve",), ("reject",), ("revert", "--to", "1"), ("choose", "CAPTION"),
                                  ("edit", "--text", "A brown dog")])
def test_a_stale_revision_on_the_command_line_is_refused_in_one_line(
        cli: Callable[..., Ran], catalogue: Catalogue, shot: tuple[str, int], args: tuple[str, ...]) -> None:
    path, caption_id = shot
    command, *rest = args
    if command == "choose":  # a person's caption is current; the model's draft beside it is chosen
        with catalogue.write() as session:
            add_caption(session, session.scalar(select(Photo)), "Mine", origin=CaptionOrigin.HUMAN,
                        author="ann")
        rest = [str(caption_id)]
    with catalogue.read() as session:
        revision = session.get(Caption, caption_id).revision
    with catalogue.write() as session:
        photo = session.scalar(select(Photo))
        store_ai_caption(session, AICaption(photo, "A cat on a sofa", model_id=MODEL, job_id=8),
                         captioner_id="generic")
    before = _captions(catalogue, 1)
    ran = cli(command, path, *rest, "--revision", str(revision), "--author", "ed")
    assert ran.code == 1 and ran.out == ""
    assert ran.err.startswith(f"photo-annotator: error: caption {caption_id} changed since revision "
                              f"{revision}: regenerated by job 8 (model {MODEL}) at ")
    assert ran.err.count("\n") == 1 and "Traceback" not in ran.err
    after = _captions(catalogue, 1)
    if command == "edit":  # kept beside, named in the line
        assert ran.err.rstrip().endswith(f"; your text is kept as caption {after[-1].id}")
        assert (after[-1].text, after[-1].is_current, after[-1].origin) == ("A brown dog", False,
                                                                            CaptionOrigin.HUMAN)
        after = after[:-1]
    assert [(c.text, c.state, c.is_current) for c in after] == [
        (c.text, c.state, c.is_current) for c in before]


def test_the_current_revision_or_none_on_the_command_line_applies(
        cli: Callable[..., Ran], catalogue: Catalogue, shot: tuple[str, int]) -> None:
    path, caption_id = shot
    edited = cli("edit", path, "--text", "A dog on a sandy beach", "--revision", "1")
    assert edited.code == 0 and edited.out.endswith(
        f"01.jpg: caption {caption_id} draft: A dog on a sandy beach\n")
    assert cli("approve", path).code == 0  # a script that just made the edit passes no revision
    [caption] = _captions(catalogue, 1)
    assert (caption.state, caption.revision) == (ReviewState.APPROVED, 3)


def test_an_edit_over_the_length_limit_is_refused_on_the_command_line(
        cli: Callable[..., Ran], catalogue: Catalogue, shot: tuple[str, int]) -> None:
    path, _caption_id = shot
    ran = cli("edit", path, "--text", "x" * (MAX_CAPTION_CHARS + 1))
    assert ran.code == 1
    assert ran.err == (f"photo-annotator: error: caption is {MAX_CAPTION_CHARS + 1:,} characters; the most a "
                       f"caption can hold is {MAX_CAPTION_CHARS:,}\n")
    assert [c.text for c in _captions(catalogue, 1)] == ["A dog on a beach"]


def test_edit_output_shows_control_characters_escaped(cli: Callable[..., Ran], shot: tuple[str, int]) -> None:
    path, _caption_id = shot
    ran = cli("edit", path, "--text", "A dog\x1b]52;c;cGF5bG9hZA==\x07 on a \u202ebeach")
    assert ran.code == 0 and "\x1b" not in ran.out and "\u202e" not in ran.out
    assert ran.out.endswith("A dog\\x1b]52;c;cGF5bG9hZA==\\x07 on a \\u202ebeach\n")


def test_a_job_losing_the_race_for_a_caption_stores_its_text_again_from_the_new_revision(
        catalogue: Catalogue, drafted: tuple[int, BasedOn]) -> None:
    """The job's session read the draft at revision 1; an editor rejects it; the job's write of its new
    text loses the compare-and-set and is retried against revision 2, not refused or numbered twice."""
    photo_id, seen = drafted
    with Session(catalogue.engine, expire_on_commit=False) as job:
        with job.begin():
            photo = job.get(Photo, photo_id)
            stale = current_caption(job, photo_id)  # held: the session keeps what it read
            assert stale is not None and stale.revision == 1
        with catalogue.write() as editor:
            set_review_state(editor, editor.get(Photo, photo_id), ReviewState.REJECTED, author="ed")
        with job.begin():
            stored = store_ai_caption(job, AICaption(photo, "A dog running", model_id=MODEL, job_id=8),
                                      captioner_id="generic")
        assert stored is stale and stale.revision == 3
    with catalogue.read() as session:
        history = session.execute(select(CaptionRevision.number, CaptionRevision.action)
                                  .where(CaptionRevision.caption_id == seen.caption_id)
                                  .order_by(CaptionRevision.number)).all()
    assert [tuple(row) for row in history] == [(1, RevisionAction.CREATED), (2, RevisionAction.REJECTED),
                                               (3, RevisionAction.REGENERATED)]
    [caption] = _captions(catalogue, photo_id)
    assert (caption.text, caption.state, caption.revision) == ("A dog running", ReviewState.DRAFT, 3)


@pytest.mark.parametrize("command", [("approve",), ("reject",), ("edit", "--text", "Mine"),
                                     ("revert", "--to", "1")])
def test_caption_and_revision_on_the_command_line_refuse_a_caption_replaced_at_the_same_revision(
        cli: Callable[..., Ran], catalogue: Catalogue, shot: tuple[str, int],
        command: tuple[str, ...]) -> None:
    """Another captioner's new draft replaced the model's draft: both are at revision 1. --revision 1
    alone cannot tell them apart; with --caption the change is refused."""
    path, caption_id = shot
    with catalogue.write() as session:
        newer = store_ai_caption(session, AICaption(session.scalar(select(Photo)), "A cat", model_id="other",
                                                    job_id=9), captioner_id="product-description")
        assert (newer.is_current, newer.revision) == (True, 1)
        newer_id = newer.id
    ran = cli(*command[:1], path, *command[1:], "--caption", str(caption_id), "--revision", "1")
    assert ran.code == 1
    assert ran.err.startswith(
        f"photo-annotator: error: caption {caption_id} is no longer the current caption of photo 1; "
        f"caption {newer_id} is: written by job 9 (model other) at ")
    assert [(c.id, c.state, c.revision) for c in _captions(catalogue, 1)[:2]] == [
        (caption_id, ReviewState.DRAFT, 1), (newer_id, ReviewState.DRAFT, 1)]
    usage = cli("approve", path, "--caption", str(caption_id))
    assert usage.code == 2 and "--caption needs --revision" in usage.err
