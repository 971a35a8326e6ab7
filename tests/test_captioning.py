"""Captioning with real (tiny, random-weight) models loaded through the captioners' own code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from desktop_app.captioning.engine import CaptionEngine, WorkItem
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption, store_ai_captions
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.models import Caption, CaptionOrigin, Photo, ReviewState, RevisionAction
from desktop_app.plugin_api.captioner import Captioner, CaptionerKind, CaptionResult
from desktop_app.plugin_api.hf import ModelNotAvailableError
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from plugins.encoder_decoder import EncoderDecoderCaptioner
from tests import photo_files
from tests.cli_helpers import run_cli


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return [photo_files.jpeg(tmp_path / "shoot" / f"{i:02}.jpg", seed=i, size=(96, 72)) for i in range(6)]


def test_a_local_model_folder_loads_and_captions_a_batch_like_one_by_one(vit_gpt2_folder: Path) -> None:
    captioner = EncoderDecoderCaptioner(str(vit_gpt2_folder))
    captioner.load("auto", "float32")  # exact comparisons: the number format pinned
    assert captioner.device == "cpu"
    images = [photo_files.picture(96, 72, seed=i) for i in range(5)]
    batch = captioner.caption(images, {"max_new_tokens": 12})
    alone = [captioner.caption([image], {"max_new_tokens": 12})[0] for image in images]
    assert [r.text for r in batch] == [r.text for r in alone]
    assert all(r.text for r in batch)
    for result in batch:
        assert 0 < result.confidence <= 1
        assert result.model_id == str(vit_gpt2_folder) and result.prompt is None
        assert result.token_scores and all(0 < t.probability <= 1 for t in result.token_scores)
        assert result.confidence == pytest.approx(
            sum(t.probability for t in result.token_scores) / len(result.token_scores))
        assert " ".join(t.token for t in result.token_scores) == result.text
    captioner.unload()
    assert not captioner.loaded


def test_the_encoder_decoder_captioner_returns_attention_over_its_patch_grid(vit_gpt2_folder: Path) -> None:
    import numpy as np

    captioner = EncoderDecoderCaptioner(str(vit_gpt2_folder))
    captioner.load("cpu", "float32")
    image = photo_files.picture(96, 72, seed=1)
    caption = captioner.caption([image], {"max_new_tokens": 8})[0].text
    grid = captioner.attention(image, caption, {})
    assert captioner.supports_attention and grid.shape == (4, 4)  # 32-pixel inputs in 8-pixel patches
    assert np.isfinite(grid).all() and grid.min() >= 0 and grid.sum() == pytest.approx(1.0)
    assert not np.allclose(grid, captioner.attention(photo_files.picture(96, 72, seed=2), caption, {}))
    assert captioner.attention(image, "", {}) is None
    # The weights were computed with eager attention; captioning is back on SDPA, and unchanged.
    assert captioner.network.config._attn_implementation == "sdpa"
    assert captioner.caption([image], {"max_new_tokens": 8})[0].text == caption


def test_batches_equal_one_by_one_in_float32(vit_gpt2_folder: Path) -> None:
    """Exactly, in float32 (bfloat16, where rounding differs by hardware: tests/test_number_format.py)."""
    import torch

    captioner = EncoderDecoderCaptioner(str(vit_gpt2_folder))
    captioner.load("cpu", "float32")
    assert captioner.network.dtype == torch.float32
    images = [photo_files.picture(96, 72, seed=i) for i in range(4)]
    batch = captioner.caption(images, {"max_new_tokens": 10})
    alone = [captioner.caption([image], {"max_new_tokens": 10})[0] for image in images]
    assert [r.text for r in batch] == [r.text for r in alone] and all(r.text for r in batch)


def test_missing_weights_fail_fast_with_one_clear_message() -> None:
    captioner = EncoderDecoderCaptioner("nobody-here/no-such-captioner")
    with pytest.raises(ModelNotAvailableError) as failure:
        captioner.load("cpu", None)
    message = str(failure.value)
    assert "\n" not in message
    assert "'nobody-here/no-such-captioner' is not downloaded" in message
    assert "looked in" in message and "--model FOLDER" in message


class FlakyCaptioner(Captioner):
    """Fails on 13-px-wide images, and runs 'out of memory' on batches larger than two."""

    id = "flaky"
    name = description = "Flaky"
    kind = CaptionerKind.CAPTION
    default_model = "test/flaky"

    def __init__(self, model: str | None = None, revision: str | None = None) -> None:
        super().__init__(model, revision)
        self.batch_sizes: list[int] = []

    def load(self, device, dtype):
        pass

    def unload(self):
        pass

    def caption(self, images, options):
        import torch

        self.batch_sizes.append(len(images))
        if len(images) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        if any(image.width == 13 for image in images):
            raise ValueError("shape mismatch in the vision tower\nlong traceback follows")
        return [CaptionResult(f"{image.width} px wide", 0.5, self.model, None, None, 0.0) for image in images]


def test_engine_halves_batches_on_out_of_memory_and_fails_only_the_bad_image(tmp_path: Path) -> None:
    widths = [20, 21, 13, 22, 23, 24]
    items = [WorkItem(i, str(photo_files.save(Image.new("RGB", (w, 10)), tmp_path / f"{i}.png")))
             for i, w in enumerate(widths)]
    corrupt = photo_files.truncated_jpeg(tmp_path / "broken.jpg")
    items.insert(3, WorkItem("broken", str(corrupt)))
    registry = PluginRegistry([], {"flaky": FlakyCaptioner()}, {})
    engine = CaptionEngine(registry, device="cpu", batch_size=8)
    outcomes = list(engine.run("flaky", items))
    assert [o.item.key for o in outcomes] == [item.key for item in items]
    texts = {o.item.key: (o.result.text if o.result else o.error) for o in outcomes}
    assert texts[0] == "20 px wide" and texts[5] == "24 px wide"
    assert texts[2] == "captioning failed: shape mismatch in the vision tower"
    assert texts["broken"].startswith("corrupt or truncated image data")
    assert engine.batch_size == 2  # 6 -> 3 -> 2: what fits is kept for the next batches


def test_the_engine_captions_what_prepare_made_on_its_decode_threads_like_the_images(
        vit_gpt2_folder: Path, photos: list[Path]) -> None:
    import torch

    from desktop_app.captioning.engine import decode_for

    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=4)
    items = [WorkItem(n, str(path)) for n, path in enumerate(photos)]
    outcomes = list(engine.run("encoder-decoder", items, str(vit_gpt2_folder), {"max_new_tokens": 8}))
    captioner = engine.captioner("encoder-decoder", str(vit_gpt2_folder))
    images = [decode_for(captioner, str(path))[0] for path in photos]
    prepared = captioner.prepare(images, {})
    assert all(isinstance(entry.inputs["pixel_values"], torch.Tensor)
               and entry.inputs["pixel_values"].shape == (1, 3, 32, 32) for entry in prepared)
    direct = captioner.caption(images, {"max_new_tokens": 8})
    assert [o.result.text for o in outcomes] == [r.text for r in direct] and all(r.text for r in direct)
    assert [r.text for r in captioner.caption(prepared, {"max_new_tokens": 8})] == [r.text for r in direct]
    engine.unload()


def test_engine_caches_loaded_models(vit_gpt2_folder: Path, photos: list[Path]) -> None:
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=4)
    first = engine.captioner("encoder-decoder", str(vit_gpt2_folder))
    assert engine.captioner("encoder-decoder", str(vit_gpt2_folder)) is first
    outcomes = list(engine.run("encoder-decoder", [WorkItem(p.name, str(p)) for p in photos],
                               model=str(vit_gpt2_folder), options={"max_new_tokens": 8}))
    assert len(outcomes) == 6 and all(o.result and o.result.text for o in outcomes)
    engine.unload()
    assert not first.loaded


def test_dicom_is_refused_by_a_photo_captioner(vit_gpt2_folder: Path, tmp_path: Path) -> None:
    scan = photo_files.dicom(tmp_path / "chest.dcm")
    engine = CaptionEngine(load_plugins(), device="cpu")
    (outcome,) = engine.run("encoder-decoder", [WorkItem(1, str(scan))], model=str(vit_gpt2_folder))
    assert outcome.error == "captioner encoder-decoder does not read DICOM files"


# --- storing AI captions -----------------------------------------------------------------------------

def _store(session, photo: Photo, text: str, captioner: str = "encoder-decoder") -> Caption:
    return store_ai_caption(session, AICaption(photo, text, model_id="m", confidence=0.5),
                            captioner_id=captioner)


def test_ai_captions_never_replace_what_a_person_wrote(scanner, catalogue, library: Path) -> None:
    scanner.scan(library)
    with catalogue.write() as session:
        photo = session.scalars(select(Photo)).first()
        first = _store(session, photo, "a dog")
        assert first.is_current
        again = _store(session, photo, "a dog on grass")
        assert again.id == first.id and again.revisions[-1].action is RevisionAction.REGENERATED
        human = edit_caption(session, photo, "Rex, our neighbour's collie", author="ann")
        assert human.id == first.id and human.origin is CaptionOrigin.HUMAN
        newer = _store(session, photo, "a dog running")
        assert newer.id != human.id and not newer.is_current
        session.flush()
        session.refresh(human)
        assert human.is_current and human.text == "Rex, our neighbour's collie"
        # approved AI text is kept too: a new run is stored beside it
        photo2 = session.scalars(select(Photo)).all()[1]
        approved = _store(session, photo2, "a cat")
        approved.state = ReviewState.APPROVED
        beside = _store(session, photo2, "a kitten")
        assert beside.id != approved.id and approved.is_current and not beside.is_current



def test_a_batch_stores_like_one_by_one(scanner, catalogue, library: Path) -> None:
    """One batch mixing new photos, a photo a person captioned and a photo listed twice follows the
    same rules as storing the captions one at a time."""
    scanner.scan(library)
    with catalogue.write() as session:
        new, edited, twice = session.scalars(select(Photo).order_by(Photo.id)).all()[:3]
        edit_caption(session, edited, "Our harbour at dawn", author="ann")
        stored = store_ai_captions(session, [
            AICaption(new, "a dog", model_id="m", confidence=0.5, token_scores=[["a", 0.9], ["dog", 0.2]]),
            AICaption(edited, "a boat", model_id="m"),
            AICaption(twice, "a cat", model_id="m"),
            AICaption(twice, "a cat on a wall", model_id="m"),
        ], captioner_id="encoder-decoder")
        session.flush()
        by_photo = {photo.id: [(c.text, c.is_current, [r.number for r in c.revisions]) for c in
                               session.scalars(select(Caption).where(Caption.photo_id == photo.id)
                                               .order_by(Caption.id))]
                    for photo in (new, edited, twice)}
    assert [caption.text for caption in stored] == ["a dog", "a boat", "a cat on a wall", "a cat on a wall"]
    assert stored[0].token_scores == [["a", 0.9], ["dog", 0.2]] and stored[0].confidence == 0.5
    assert by_photo[new.id] == [("a dog", True, [1])]
    assert by_photo[edited.id] == [("Our harbour at dawn", True, [1]), ("a boat", False, [1])]
    assert by_photo[twice.id] == [("a cat on a wall", True, [1, 2])]


# --- the command line ------------------------------------------------------------------------------

def test_caption_command_stores_drafts_with_confidence(
    vit_gpt2_folder: Path, photos: list[Path], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo_files.text_as_jpeg(photos[0].parent / "notes.jpg")
    code, out, err = run_cli(capsys, "caption", str(photos[0].parent), "--captioner", "encoder-decoder",
                             "--model", str(vit_gpt2_folder), "--batch-size", "4", "--max-new-tokens", "8",
                             "--dtype", "float32", "--json", "--db", str(db_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 6 and all(r["status"] == "ok" and 0 < r["confidence"] <= 1 for r in rows)
    assert {r["model"] for r in rows} == {str(vit_gpt2_folder)}

    code, out, _ = run_cli(capsys, "photos", "--json", "--db", str(db_path))
    listed = {Path(r["path"]).name: r for r in map(json.loads, out.splitlines())}
    assert listed["00.jpg"]["caption_origin"] == "ai" and listed["00.jpg"]["caption_state"] == "draft"
    assert listed["00.jpg"]["captioner"] == "encoder-decoder" and listed["00.jpg"]["confidence"] > 0
    assert listed["notes.jpg"]["status"] == "error" and listed["notes.jpg"]["caption"] is None

    # one file, already known: captioned again as a new revision of the same caption
    code, out, _ = run_cli(capsys, "caption", str(photos[1]), "--captioner", "encoder-decoder",
                           "--model", str(vit_gpt2_folder), "--dtype", "float32", "--db", str(db_path))
    assert code == 0 and out.startswith(str(photos[1].resolve()) + ": ")
    code, out, _ = run_cli(capsys, "show", str(photos[1]), "--json", "--db", str(db_path))
    (caption,) = json.loads(out)["captions"]
    assert [h["action"] for h in caption["history"]] == ["created", "regenerated"]
    assert " ".join(token for token, _ in caption["token_scores"]) == caption["text"]
    assert all(0 < probability <= 1 for _, probability in caption["token_scores"])

    # a person's edit: the model's scores no longer describe the text
    run_cli(capsys, "edit", str(photos[1]), "--text", "two dogs on a beach", "--db", str(db_path))
    code, out, _ = run_cli(capsys, "show", str(photos[1]), "--json", "--db", str(db_path))
    (caption,) = json.loads(out)["captions"]
    assert caption["token_scores"] is None and caption["confidence"] is None


def test_caption_with_a_hub_id_and_no_network_exits_1_with_one_whole_line(
    db_path: Path, photos: list[Path], tmp_path: Path
) -> None:
    # A long cache path: the message names it and still ends with both fixes, never cut short.
    cache = tmp_path.joinpath(*["a-rather-long-folder-name-for-the-model-cache"] * 5)
    script = Path(sys.executable).with_name("photo-annotator")
    result = subprocess.run(
        [str(script), "caption", str(photos[0]), "--captioner", "encoder-decoder", "--db", str(db_path)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "HF_HUB_CACHE": str(cache)},
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("photo-annotator: error:")]
    assert errors == [
        f"photo-annotator: error: model 'nlpconnect/vit-gpt2-image-captioning' is not downloaded (looked in "
        f"{cache}) and the model hub cannot be reached; connect to the internet once to download it, or use "
        "a local model folder with --model FOLDER"], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("source", ["./no-such-model", "~/no-such-model", "/no/such/model", "models/v1/extra",
                                    "models\\v1"])
def test_a_model_path_to_nothing_says_the_folder_does_not_exist(source: str) -> None:
    from transformers import AutoTokenizer

    from desktop_app.plugin_api.hf import load_pretrained

    with pytest.raises(ModelNotAvailableError) as failure:
        load_pretrained(AutoTokenizer, source, None)
    assert str(failure.value) == f"model folder {source} does not exist"
    with pytest.raises(ModelNotAvailableError, match="'no such model' is neither a model folder nor"):
        load_pretrained(AutoTokenizer, "no such model", None)
    # A hub id ("org/name") is looked up in the hub cache instead.
    with pytest.raises(ModelNotAvailableError, match="'nobody-here/no-such-model' is not downloaded"):
        load_pretrained(AutoTokenizer, "nobody-here/no-such-model", None)


def test_caption_reports_failed_photos_and_exits_1(
    vit_gpt2_folder: Path, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = photo_files.jpeg(tmp_path / "lib" / "good.jpg", seed=3)
    scan = photo_files.dicom(tmp_path / "lib" / "scan.dcm")
    code, out, err = run_cli(capsys, "caption", str(good), str(scan), "--captioner", "encoder-decoder",
                             "--model", str(vit_gpt2_folder), "--dtype", "float32", "--db", str(db_path))
    assert code == 1
    assert out.startswith(str(good.resolve()))
    assert "scan.dcm: failed: captioner encoder-decoder does not read DICOM files" in err
    assert err.strip().splitlines()[-1] == "photo-annotator: error: 1 of 2 photos could not be captioned"


def test_unknown_captioner_and_prompt_misuse(capsys: pytest.CaptureFixture[str], photos: list[Path],
                                             db_path: Path) -> None:
    code, _, err = run_cli(capsys, "caption", str(photos[0]), "--captioner", "nope", "--db", str(db_path))
    assert code == 1 and "no captioner 'nope'" in err
    code, _, err = run_cli(capsys, "caption", str(photos[0]), "--captioner", "encoder-decoder",
                           "--prompt", "describe", "--db", str(db_path))
    assert code == 2 and "the encoder-decoder captioner has no option prompt" in err


def test_a_model_folder_set_in_settings_is_used_without_model_option(
    vit_gpt2_folder: Path, photos: list[Path], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.settings import user_settings_path

    user_settings_path().parent.mkdir(parents=True)
    settings = {"captioners": {"encoder-decoder": {"model": str(vit_gpt2_folder)}}}
    user_settings_path().write_text(json.dumps(settings))
    code, out, err = run_cli(capsys, "caption", str(photos[0]), "--captioner", "encoder-decoder", "--json",
                             "--max-new-tokens", "5", "--dtype", "float32", "--db", str(db_path))
    assert code == 0, err
    assert json.loads(out)["model"] == str(vit_gpt2_folder)
