"""The services (desktop_app/services): each operation a person performs, through a real catalogue,
real photo files and real settings, as the command line and the app's workers call them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.caption_rules import BasedOn, CaptionConflict, CaptionError
from desktop_app.catalogue.captions import current_caption
from desktop_app.catalogue.database import CatalogueNotFoundError
from desktop_app.catalogue.models import Caption, CaptionOrigin, Library, Photo, ReviewState
from desktop_app.catalogue.photos import LibraryNotFoundError, PhotoQuery, find_photo
from desktop_app.jobs.checks import ModelFolderError, OptionError
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import load_plugins
from desktop_app.services import catalogue as catalogues
from desktop_app.services import exports, libraries, metadata, models, review, scanning, search
from desktop_app.services.engine import build_engine
from desktop_app.settings import EngineSettings, load_settings, settings_json, user_settings_path
from tests import photo_files


def _save_settings(**changes: object) -> None:
    path = user_settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    values = settings_json(load_settings())
    values.update(changes)
    path.write_text(json.dumps(values))


@pytest.fixture
def shoot(tmp_path: Path, scanner: Scanner) -> Path:
    folder = tmp_path / "shoot"
    for number in range(3):
        photo_files.jpeg(folder / f"{number}.jpg", seed=number, size=(64, 48))
    scanner.scan(folder)
    return folder


def _photo_id(catalogue: Catalogue, path: Path) -> int:
    with catalogue.read() as session:
        return find_photo(session, str(path)).id


# -- the catalogue and the engine, from the settings -------------------------------------------------------

def test_the_catalogue_opens_where_the_settings_say_unless_one_is_given(tmp_path: Path) -> None:
    _save_settings(catalogue=str(tmp_path / "from-settings.db"))
    with catalogues.open_catalogue() as opened:
        assert opened.location == str(tmp_path / "from-settings.db")
        assert catalogues.schema_revision(opened)
    with catalogues.open_catalogue(tmp_path / "given.db") as opened:
        assert opened.location == str(tmp_path / "given.db")
    with pytest.raises(CatalogueNotFoundError):
        catalogues.open_catalogue(tmp_path / "missing.db", create=False, reading=True)


def test_the_engine_follows_the_settings_and_arguments_win(tmp_path: Path) -> None:
    _save_settings(engine={"device": "cpu", "dtype": "float32", "batch_size": 3},
                   captioners={"encoder-decoder": {"model": str(tmp_path / "tuned")}})
    engine = build_engine()
    assert (engine.device, engine.dtype, engine.batch_size) == ("cpu", "float32", 3)
    assert engine.models == {"encoder-decoder": str(tmp_path / "tuned")}
    given = build_engine(device="cuda:1", dtype="bfloat16", batch_size=16)
    assert (given.device, given.dtype, given.batch_size) == ("cuda:1", "bfloat16", 16)
    settings = replace(load_settings(), engine=EngineSettings(device="mps", dtype="auto", batch_size=2))
    assert build_engine(settings).device == "mps"


# -- the model choice -------------------------------------------------------------------------------------

def test_the_model_is_the_argument_then_the_settings_then_the_captioners(tmp_path: Path) -> None:
    captioner = load_plugins().get_captioner("encoder-decoder")
    settings = load_settings()
    assert models.default_model(captioner, settings) == captioner.default_model
    assert models.chosen_model(captioner, None, settings) == captioner.default_model
    (tmp_path / "tuned").mkdir()
    chosen = replace(settings, captioner_models={"encoder-decoder": "org/settings-model"})
    assert models.chosen_model(captioner, None, chosen) == "org/settings-model"
    assert models.chosen_model(captioner, "org/given", chosen) == "org/given"
    assert models.with_model(captioner, str(tmp_path / "tuned"), chosen).model == str(tmp_path / "tuned")
    with pytest.raises(ModelFolderError, match="does not exist"):
        models.chosen_model(captioner, str(tmp_path / "nowhere"), chosen)


def test_a_caption_jobs_options_are_checked_before_it_is_queued() -> None:
    captioner = load_plugins().get_captioner("encoder-decoder")
    model, options = models.check_caption(captioner, None, {"max_new_tokens": 6}, load_settings())
    assert model is None and options == {"max_new_tokens": 6}
    with pytest.raises(OptionError) as refused:
        models.check_caption(captioner, None, {"prompt": "a photo of"}, load_settings())
    assert refused.value.option == "prompt"


# -- review actions -----------------------------------------------------------------------------------------

def test_review_actions_on_the_command_line_follow_the_revision_contract(
    catalogue: Catalogue, shoot: Path
) -> None:
    photo = str(shoot / "0.jpg")
    edited = review.review(catalogue, photo, review.Change(review.EDIT, text="a red car"), author="ana")
    assert edited.path == photo and edited.state is ReviewState.DRAFT and edited.text == "a red car"
    approved = review.review(catalogue, photo, review.Change(review.APPROVE), revision=1)
    assert approved.state is ReviewState.APPROVED
    with pytest.raises(CaptionConflict) as stale:  # based on revision 1: approved since
        review.review(catalogue, photo, review.Change(review.EDIT, text="a blue car"), revision=1)
    assert stale.value.kept_caption_id is not None  # the refused text is kept beside, not lost
    reverted = review.review(catalogue, photo, review.Change(review.REVERT, revision=1))
    assert reverted.state is ReviewState.DRAFT and reverted.text == "a red car"
    kept = stale.value.kept_caption_id
    chosen = review.review(catalogue, photo, review.Change(review.CHOOSE, caption_id=kept))
    assert chosen.caption_id == stale.value.kept_caption_id and chosen.text == "a blue car"
    with pytest.raises(CaptionError, match="empty"):
        review.review(catalogue, photo, review.Change(review.EDIT, text="  "))


def test_a_reviewer_undoes_and_redoes_and_its_own_changes_never_conflict(
    catalogue: Catalogue, shoot: Path
) -> None:
    photo_id = _photo_id(catalogue, shoot / "1.jpg")
    reviewer = review.Reviewer(catalogue, author="ana")
    first = reviewer.apply("edit", photo_id,
                           review.Change(review.EDIT, text="a dog", based_on=BasedOn(None, 0)))
    seen = BasedOn(first.id, first.revision)
    reviewer.apply("approve", photo_id, review.Change(review.APPROVE, based_on=seen))
    # Based on what the pane showed before its own approval was written: rebased, not refused.
    reviewer.apply("reject", photo_id, review.Change(review.REJECT, based_on=seen))
    with catalogue.read() as session:
        assert current_caption(session, photo_id).state is ReviewState.REJECTED
    assert reviewer.undo("reject", "Reject caption") == photo_id
    with catalogue.read() as session:
        assert current_caption(session, photo_id).state is ReviewState.APPROVED
    assert reviewer.redo("reject", "Reject caption") == photo_id
    with catalogue.read() as session:
        assert current_caption(session, photo_id).state is ReviewState.REJECTED
    assert reviewer.undo("never written", "Edit caption") is None
    with pytest.raises(review.NothingToUndo) as first_caption:
        reviewer.undo("edit", "Edit caption")
    assert first_caption.value.photo_id == photo_id

    other = review.Reviewer(catalogue, author="bo")  # another editor, on what it saw before all that
    with pytest.raises(CaptionConflict):
        other.apply("late", photo_id, review.Change(review.APPROVE, based_on=seen))


def test_unsaved_edits_are_saved_dropped_and_recovered(catalogue: Catalogue, shoot: Path) -> None:
    photo_id = _photo_id(catalogue, shoot / "2.jpg")
    reviewer = review.Reviewer(catalogue, author="ana")
    reviewer.save_unsaved(photo_id, "a half-typed capt")
    reviewer.drop_unsaved(photo_id)
    assert review.Reviewer(catalogue).recover() == []
    reviewer.save_unsaved(photo_id, "a typed caption")
    assert review.Reviewer(catalogue).recover() == [photo_id]  # the app closed before it was committed
    with catalogue.read() as session:
        caption = current_caption(session, photo_id)
        assert caption.text == "a typed caption" and caption.origin is CaptionOrigin.HUMAN


# -- scanning, libraries -------------------------------------------------------------------------------

def test_photos_for_scans_what_is_new_and_refuses_what_is_no_photo(catalogue: Catalogue,
                                                                    tmp_path: Path) -> None:
    folder = tmp_path / "new"
    photo_files.jpeg(folder / "a.jpg", seed=1, size=(64, 48))
    photo_files.jpeg(folder / "b.jpg", seed=2, size=(64, 48))
    (tmp_path / "notes.txt").write_text("no photo")
    (tmp_path / "empty").mkdir()
    found = scanning.photos_for(catalogue, [str(folder), str(folder / "a.jpg"), str(tmp_path / "notes.txt"),
                                            str(tmp_path / "empty")])
    assert len(found.photo_ids) == 2  # a.jpg once
    assert found.refused == [(str(tmp_path / "notes.txt"), scanning.NOT_A_PHOTO)]
    assert found.empty == [str(tmp_path / "empty")]
    report = scanning.scan(catalogue, folder)
    assert report.found == 2 and report.unchanged == 2


def test_removing_a_library_names_its_own_folder_or_id(catalogue: Catalogue, shoot: Path) -> None:
    review.review(catalogue, str(shoot / "0.jpg"), review.Change(review.EDIT, text="a cat"))
    (shoot / "inner").mkdir()
    with pytest.raises(libraries.NotALibraryRoot, match="inside library"):
        libraries.library_to_remove(catalogue, str(shoot / "inner"))
    chosen = libraries.library_to_remove(catalogue, str(shoot))
    assert libraries.library_to_remove(catalogue, str(chosen.id)) == chosen
    removed = libraries.remove_library(catalogue, chosen.id)
    assert (removed.root, removed.photos, removed.captions_by_people) == (str(shoot), 3, 1)
    with catalogue.read() as session:
        assert session.get(Library, chosen.id) is None and session.query(Photo).count() == 0
    with pytest.raises(LibraryNotFoundError):
        libraries.remove_library(catalogue, chosen.id)
    assert (shoot / "0.jpg").is_file()  # no file touched


# -- search, exports, metadata -------------------------------------------------------------------------

def test_search_by_words_and_an_embedder_without_images(catalogue: Catalogue, shoot: Path) -> None:
    review.review(catalogue, str(shoot / "0.jpg"), review.Change(review.APPROVE, text="a red tractor"))
    session = search.open_search(catalogue)
    try:
        from desktop_app.search.results import SearchMode

        result = session.search("tractor", SearchMode.KEYWORD)
    finally:
        session.close()
    assert [hit.path for hit in result.hits] == [str(shoot / "0.jpg")]
    with pytest.raises(search.TextOnlyEmbedder, match="embeds text only"):
        search.embed(catalogue, "minilm", photos=True)


def test_exports_and_metadata_write_the_approved_captions(catalogue: Catalogue, shoot: Path,
                                                          tmp_path: Path) -> None:
    review.review(catalogue, str(shoot / "0.jpg"), review.Change(review.APPROVE, text="a red tractor"))
    review.review(catalogue, str(shoot / "1.jpg"), review.Change(review.EDIT, text="a draft"))
    report = exports.export(catalogue, "csv", tmp_path / "out.csv", PhotoQuery(), approved_only=True)
    assert report.exported == 1 and "a red tractor" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    written = metadata.write_metadata(catalogue, PhotoQuery(), dry_run=True)
    assert [outcome.path for outcome in written.outcomes if outcome.changes] == [str(shoot / "0.jpg")]
    assert not list(shoot.glob("*.xmp"))  # a dry run writes nothing
    metadata.write_metadata(catalogue, [_photo_id(catalogue, shoot / "0.jpg")])
    assert (shoot / "0.jpg.xmp").is_file()
    with catalogue.read() as session:
        assert session.query(Caption).count() == 2
