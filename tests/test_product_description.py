"""The product-description captioner with a tiny random-weight Idefics3 (SmolVLM) folder, loaded
through its own code."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from desktop_app.plugin_api.captioner import CaptionerKind
from desktop_app.plugin_api.hf import ModelLoadError, generate_with_scores
from desktop_app.plugin_registry import load_plugins
from plugins.product_description import (
    DEFAULT_PROMPT,
    ProductDescriptionCaptioner,
    clean_description,
    generation_token_ids,
)
from tests import photo_files
from tests.caption_results import assert_scored, caption_batch_like_one_by_one
from tests.cli_helpers import run_cli
from tests.tiny_models.idefics3 import IMAGE_SPECIALS, SPECIALS, row_col_tokens

CUSTOM_PROMPT = "Describe this handmade mug for an online shop in two sentences."
# Text that must never reach a description: the chat template's turn markers and its special tokens.
FORBIDDEN = ("User:", "Assistant:", *SPECIALS, *IMAGE_SPECIALS, "<row_")


@pytest.fixture(scope="session")
def captioner(idefics3_folder: Path) -> ProductDescriptionCaptioner:
    loaded = ProductDescriptionCaptioner(str(idefics3_folder))
    loaded.load("auto", "float32")  # exact comparisons: the number format pinned, not the CPU's
    return loaded


def pictures() -> list:
    """Images of different sizes and shapes: wide, tall, square, tiny, a strip; each is cut into a
    different number of tiles, so the prompts differ in length."""
    sizes = [(96, 72), (60, 140), (80, 80), (20, 20), (300, 40), (130, 90)]
    return [photo_files.picture(width, height, seed=i) for i, (width, height) in enumerate(sizes)]


def test_registered_with_its_kind_model_and_editable_prompt() -> None:
    registered = load_plugins().get_captioner("product-description")
    assert isinstance(registered, ProductDescriptionCaptioner)
    assert registered.kind is CaptionerKind.PRODUCT_DESCRIPTION
    assert registered.default_model == "HuggingFaceTB/SmolVLM-500M-Instruct"
    defaults = registered.option_defaults()
    assert defaults["prompt"] == DEFAULT_PROMPT and defaults["max_new_tokens"] >= 100
    assert defaults["num_beams"] == 1
    for words in ("shop listing", "colour", "material", "style", "text", "invent a brand", "specifications"):
        assert words in DEFAULT_PROMPT


def test_a_batch_describes_like_one_by_one_with_left_padding(
    captioner: ProductDescriptionCaptioner, idefics3_folder: Path,
) -> None:
    assert captioner.device == "cpu" and captioner.tokenizer.padding_side == "left"
    assert captioner.max_image_side == 64  # the tiny model's longest side, from its image processor
    images = pictures()
    inputs, prompt = captioner._inputs(images, {})
    lengths = inputs["attention_mask"].sum(dim=1).tolist()
    assert len(set(lengths)) > 1  # prompts of different lengths: the batch is padded
    assert (inputs["attention_mask"][:, -1] == 1).all()  # ...on the left: every prompt ends last
    assert prompt == DEFAULT_PROMPT

    options = {"max_new_tokens": 10}
    batch = caption_batch_like_one_by_one(captioner, images, options, rel=1e-3)
    assert len({r.text for r in batch}) > 1  # the descriptions depend on the image
    for result in batch:
        assert_scored(result)
        assert result.model_id == str(idefics3_folder) and result.prompt == DEFAULT_PROMPT
        assert result.notice is None


def test_the_description_is_the_answer_alone(captioner: ProductDescriptionCaptioner) -> None:
    images = pictures()[:3]
    inputs, _ = captioner._inputs(images, {"prompt": CUSTOM_PROMPT})
    chat = captioner.tokenizer.decode(inputs["input_ids"][0], skip_special_tokens=False)
    assert chat.startswith("<|im_start|>User:<fake_token_around_image>")
    assert chat.endswith(f"{CUSTOM_PROMPT}<end_of_utterance>\nAssistant:")
    # What generate returns holds no part of the prompt: only the new tokens.
    token_ids, _ = generate_with_scores(captioner.network, inputs, {"max_new_tokens": 10, "do_sample": False})
    assert token_ids.shape[1] <= 10
    for result in captioner.caption(images, {"prompt": CUSTOM_PROMPT, "max_new_tokens": 10}):
        assert not any(residue in result.text for residue in FORBIDDEN)
        assert CUSTOM_PROMPT not in result.text and "mug for an online shop" not in result.text


@pytest.mark.parametrize(("generated", "shown"), [
    (" A red leather bag with a gold clasp. ", "A red leather bag with a gold clasp."),
    ("Assistant: A blue mug.<end_of_utterance>", "A blue mug."),
    ("<row_1_col_2>A  white\tshirt.<global-img>\n\n The label reads 'COTTON'.",
     "A white shirt.\nThe label reads 'COTTON'."),
    ("<|im_end|>", ""),
])
def test_template_residue_is_cleaned(generated: str, shown: str) -> None:
    assert clean_description(generated) == shown


def test_a_custom_prompt_is_used_and_stored(captioner: ProductDescriptionCaptioner) -> None:
    images = pictures()[:2]
    custom = captioner.caption(images, {"prompt": f"  {CUSTOM_PROMPT}\n", "max_new_tokens": 8})
    default = captioner.caption(images, {"max_new_tokens": 8})
    assert [r.prompt for r in custom] == [CUSTOM_PROMPT] * 2
    assert [r.prompt for r in default] == [DEFAULT_PROMPT] * 2
    assert [r.text for r in custom] != [r.text for r in default]  # the model saw a different request
    empty = captioner.caption(images, {"prompt": "   ", "max_new_tokens": 8})
    assert [(r.text, r.prompt) for r in empty] == [(r.text, r.prompt) for r in default]


def test_generation_ends_at_the_end_of_the_answer(captioner: ProductDescriptionCaptioner) -> None:
    tokenizer = captioner.tokenizer
    end_of_utterance = tokenizer.convert_tokens_to_ids("<end_of_utterance>")
    im_end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    # the tiny model's own settings: <end_of_utterance> ends, <|im_end|> pads (as SmolVLM-500M's)
    assert captioner._generation_extras({}) == {"eos_token_id": [end_of_utterance], "pad_token_id": im_end}
    # a checkpoint whose generation settings name only <|im_end|> still stops at the end of the turn
    older = SimpleNamespace(eos_token_id=im_end, pad_token_id=None)
    assert generation_token_ids(older, tokenizer) == {"eos_token_id": [im_end, end_of_utterance],
                                                      "pad_token_id": im_end}
    assert len(row_col_tokens()) == 36


def test_a_model_of_another_type_is_refused_by_its_config(tmp_path: Path) -> None:
    folder = tmp_path / "smolvlm2"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "smolvlm"}))
    with pytest.raises(ModelLoadError, match="its model type is 'smolvlm'; supported model types: idefics3"):
        ProductDescriptionCaptioner(str(folder)).load("cpu", None)


def test_caption_command_stores_drafts_with_confidence_and_the_prompt(
    idefics3_folder: Path, tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    shop = tmp_path / "shop"
    for i, size in enumerate([(96, 72), (60, 140), (80, 80)]):
        photo_files.jpeg(shop / f"item-{i}.jpg", seed=i, size=size)
    code, out, err = run_cli(capsys, "caption", str(shop), "--captioner", "product-description",
                             "--model", str(idefics3_folder), "--prompt", CUSTOM_PROMPT,
                             "--max-new-tokens", "8", "--batch-size", "3", "--json",
                             "--dtype", "float32", "--db", str(db_path))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert row["status"] == "ok" and row["text"] and 0 < row["confidence"] <= 1
        assert row["captioner"] == "product-description" and row["model"] == str(idefics3_folder)
        assert row["prompt"] == CUSTOM_PROMPT

    code, out, _ = run_cli(capsys, "show", str(shop / "item-1.jpg"), "--json", "--db", str(db_path))
    assert code == 0
    (caption,) = json.loads(out)["captions"]
    assert caption["origin"] == "ai" and caption["state"] == "draft"
    assert caption["prompt"] == CUSTOM_PROMPT and 0 < caption["confidence"] <= 1
    assert caption["token_scores"] and all(0 < probability <= 1 for _, probability in caption["token_scores"])
