"""The generic captioner with tiny random-weight Florence-2 and BLIP folders, loaded through its own code."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop_app.captioning.engine import CaptionEngine, WorkItem
from desktop_app.plugin_api.hf import ModelLoadError, ModelNotAvailableError
from desktop_app.plugin_registry import load_plugins
from plugins.generic import FLORENCE_TASKS, GenericCaptioner
from tests import photo_files
from tests.caption_results import assert_scored, caption_batch_like_one_by_one
from tests.cli_helpers import run_cli
from tests.tiny_models.florence2 import FLORENCE_SPECIALS

PREFIX = "a photography of"
# Text that must never reach a caption: task tokens and the tokenizer's special tokens.
FORBIDDEN = (*FLORENCE_TASKS.values(), *FLORENCE_SPECIALS, "<s>", "</s>", "<pad>", "<image>", "<mask>")


@pytest.fixture(scope="session")
def loaded(florence2_folder: Path, blip_folder: Path) -> dict[str, GenericCaptioner]:
    """One loaded captioner per model folder, shared: loading is the captioner's own code path."""
    captioners = {"florence2": GenericCaptioner(str(florence2_folder)),
                  "blip": GenericCaptioner(str(blip_folder))}
    for captioner in captioners.values():
        captioner.load("cpu", "float32")  # exact comparisons: the number format pinned, not the CPU's
    return captioners


def pictures() -> list:
    """Six images of different sizes and shapes (the engine hands over upright RGB like these)."""
    return [photo_files.picture(64 + 24 * i, 120 - 12 * i, seed=i) for i in range(6)]


@pytest.mark.parametrize(("model", "prompt"), [
    ("florence2", "caption"), ("florence2", "detailed"), ("florence2", "more-detailed"), ("florence2", "ocr"),
    ("blip", "caption"), ("blip", PREFIX),
])
def test_a_batch_captions_like_one_by_one_with_scores(loaded: dict[str, GenericCaptioner], model: str,
                                                      prompt: str) -> None:
    captioner = loaded[model]
    assert captioner.device == "cpu" and captioner.model_type == model
    images = pictures()
    options = {"prompt": prompt, "max_new_tokens": 10}
    # large random weights amplify rounding
    batch = caption_batch_like_one_by_one(captioner, images, options, rel=1e-2)
    assert len({r.text for r in batch}) > 1  # the captions depend on the image
    for result in batch:
        assert_scored(result)
        assert result.model_id == captioner.model
        assert not any(token in result.text for token in FORBIDDEN)
    if model == "florence2":
        expected_prompt: str | None = FLORENCE_TASKS[prompt]
    else:
        expected_prompt = None if prompt == "caption" else prompt
    assert {r.prompt for r in batch} == {expected_prompt}


def test_florence_text_goes_through_the_processors_post_processing(
    loaded: dict[str, GenericCaptioner],
) -> None:
    captioner = loaded["florence2"]
    assert captioner._florence_text("<s>A red car  parked on a street.</s>", "<OCR>") == (
        "A red car parked on a street.")
    # What generate wrote for OCR and detailed captions held special tokens; the captions do not.
    images = pictures()
    for prompt in ("ocr", "detailed"):
        raw = _raw_generation(captioner, images, prompt)
        assert all("</s>" in text for text in raw)
        texts = [r.text for r in captioner.caption(images, {"prompt": prompt, "max_new_tokens": 10})]
        assert all(texts) and not any(token in text for text in texts for token in FORBIDDEN)


def _raw_generation(captioner: GenericCaptioner, images: list, prompt: str) -> list[str]:
    from desktop_app.plugin_api.hf import generate_with_scores

    inputs, _ = captioner._inputs(images, {"prompt": prompt})
    ids, _ = generate_with_scores(captioner.network, inputs, {"max_new_tokens": 10, "do_sample": False})
    return captioner.tokenizer.batch_decode(ids, skip_special_tokens=False)


def test_florence_prompts_by_name_or_task_token_and_their_default_lengths(
    loaded: dict[str, GenericCaptioner],
) -> None:
    captioner = loaded["florence2"]
    image = pictures()[:1]
    by_name = captioner.caption(image, {"prompt": "more-detailed", "max_new_tokens": 6})
    by_token = captioner.caption(image, {"prompt": "<MORE_DETAILED_CAPTION>", "max_new_tokens": 6})
    assert [(r.text, r.token_scores, r.prompt) for r in by_name] == [
        (r.text, r.token_scores, r.prompt) for r in by_token]
    # max_new_tokens 0 (the default): a length that suits the task
    assert captioner._generation_extras({"prompt": "caption", "max_new_tokens": 0}) == {"max_new_tokens": 40}
    assert captioner._generation_extras({"prompt": "ocr", "max_new_tokens": 0}) == {"max_new_tokens": 256}
    assert captioner._generation_extras({"prompt": "ocr", "max_new_tokens": 12}) == {}
    (result,) = captioner.caption(image, {})
    assert result.prompt == "<CAPTION>" and result.text
    with pytest.raises(ValueError, match="must be one of caption, detailed, more-detailed, ocr"):
        captioner.caption(image, {"prompt": "describe the dog"})


def test_blip_does_not_repeat_its_prefix_in_the_caption(loaded: dict[str, GenericCaptioner]) -> None:
    import torch

    captioner = loaded["blip"]
    images = pictures()[:3]
    results = captioner.caption(images, {"prompt": PREFIX, "max_new_tokens": 10})
    # BLIP's generate returns the prefix followed by the continuation; only the continuation is kept.
    inputs, _ = captioner._inputs(images, {"prompt": PREFIX})
    with torch.inference_mode():
        sequences = captioner.network.generate(**inputs, max_new_tokens=10, do_sample=False)
    echoed = captioner.tokenizer.batch_decode(sequences, skip_special_tokens=True)
    assert echoed == [f"{PREFIX} {r.text}" for r in results]
    assert all(not r.text.startswith(PREFIX) for r in results)
    with pytest.raises(ValueError, match="BLIP has no 'ocr' task"):
        captioner.caption(images, {"prompt": "ocr"})


def test_image_side_follows_the_loaded_model(florence2_folder: Path,
                                             loaded: dict[str, GenericCaptioner]) -> None:
    assert GenericCaptioner.max_image_side == 1536  # Florence-2's 768 px, twice; serves BLIP's 384 too
    assert loaded["florence2"].max_image_side == 128 and loaded["blip"].max_image_side == 64
    captioner = GenericCaptioner(str(florence2_folder))
    captioner.load("cpu", None)
    captioner.unload()
    assert not captioner.loaded and captioner.max_image_side == 1536


def test_the_model_class_comes_from_the_config_not_the_name(blip_folder: Path, tmp_path: Path) -> None:
    disguised = shutil.copytree(blip_folder, tmp_path / "Florence-2-large-ft")
    captioner = GenericCaptioner(str(disguised))
    captioner.load("cpu", None)
    assert captioner.model_type == "blip"
    assert type(captioner.network).__name__ == "BlipForConditionalGeneration"

    other = tmp_path / "blip-but-not-really"
    other.mkdir()
    (other / "config.json").write_text(json.dumps({"model_type": "vision-encoder-decoder"}))
    with pytest.raises(ModelLoadError) as failure:
        GenericCaptioner(str(other)).load("cpu", None)
    message = str(failure.value)
    assert "model type is 'vision-encoder-decoder'" in message
    assert "supported model types: florence2 (Florence-2), blip (BLIP)" in message

    remote = tmp_path / "Florence-2-base"
    remote.mkdir()
    (remote / "config.json").write_text(json.dumps({
        "model_type": "florence2", "auto_map": {"AutoConfig": "configuration_florence2.Florence2Config"},
        "vision_config": {"model_type": "davit"}, "text_config": {"model_type": "florence2_language"}}))
    with pytest.raises(ModelLoadError, match=r"needs remote code.*florence-community/"):
        GenericCaptioner(str(remote)).load("cpu", None)

    # the default model, not downloaded and no network: the shared one-line message
    with pytest.raises(ModelNotAvailableError, match="Florence-2-base-ft' is not downloaded"):
        GenericCaptioner().load("cpu", None)


def test_registered_as_the_generic_captioner_and_runs_in_the_engine(florence2_folder: Path,
                                                                     tmp_path: Path) -> None:
    registry = load_plugins()
    prototype = registry.get_captioner("generic")
    assert isinstance(prototype, GenericCaptioner)
    described = prototype.describe()
    assert described["default_model"] == "florence-community/Florence-2-base-ft"
    assert described["kind"] == "caption"
    (prompt,) = [o for o in described["options"] if o["name"] == "prompt"]
    assert prompt["default"] == "caption"
    assert prompt["choices"] == ["caption", "detailed", "more-detailed", "ocr"]
    assert "BLIP" in prompt["help"] and "a photography of" in prompt["help"]

    paths = [photo_files.jpeg(tmp_path / f"{i}.jpg", seed=i, size=(200 + 40 * i, 150)) for i in range(3)]
    engine = CaptionEngine(registry, device="cpu", dtype="float32", batch_size=2)
    items = [WorkItem(p.name, str(p)) for p in paths]
    outcomes = list(engine.run("generic", items, model=str(florence2_folder),
                               options={"prompt": "ocr", "max_new_tokens": 8}))
    engine.unload()
    assert [o.item.key for o in outcomes] == [p.name for p in paths]
    assert all(o.error is None and o.result.text and o.result.prompt == "<OCR>" for o in outcomes)


@pytest.mark.parametrize(("model", "prompt", "stored_prompt"), [
    ("florence2", "detailed", "<DETAILED_CAPTION>"), ("blip", PREFIX, PREFIX),
])
def test_caption_command_stores_drafts_with_confidence(
    model: str, prompt: str, stored_prompt: str, florence2_folder: Path, blip_folder: Path, tmp_path: Path,
    db_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    folder = {"florence2": florence2_folder, "blip": blip_folder}[model]
    shoot = tmp_path / "shoot"
    for i in range(4):
        photo_files.jpeg(shoot / f"{i:02}.jpg", seed=i, size=(96 + 16 * i, 72))
    code, out, err = run_cli(capsys, "caption", str(shoot), "--captioner", "generic", "--model", str(folder),
                             "--prompt", prompt, "--batch-size", "3", "--max-new-tokens", "8", "--json",
                             "--dtype", "float32", "--db", str(db_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 4 and all(r["status"] == "ok" and 0 < r["confidence"] <= 1 for r in rows)
    assert {r["model"] for r in rows} == {str(folder)} and {r["prompt"] for r in rows} == {stored_prompt}
    assert {r["captioner"] for r in rows} == {"generic"}

    code, out, _ = run_cli(capsys, "photos", "--json", "--db", str(db_path))
    listed = [json.loads(line) for line in out.splitlines()]
    assert len(listed) == 4
    assert all(r["caption_origin"] == "ai" and r["caption_state"] == "draft" and r["captioner"] == "generic"
               and r["confidence"] > 0 for r in listed)
    code, out, _ = run_cli(capsys, "show", str(shoot / "00.jpg"), "--json", "--db", str(db_path))
    (caption,) = json.loads(out)["captions"]
    assert caption["token_scores"] and all(0 < probability <= 1 for _, probability in caption["token_scores"])
