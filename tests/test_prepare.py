"""The built-in captioners' processor step in ``prepare``, on the engine's decode threads: the same model
inputs, and so the same captions, as the processor run over the whole batch on the model's thread (the
path before ``prepare``, frozen below as ``whole_batch_inputs``); ``caption`` still takes Pillow images
from any other caller; ``seconds`` counts the image's preparation."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from desktop_app.captioning.engine import CaptionEngine, WorkItem, decode_for
from desktop_app.plugin_api import CaptionerKind, TransformersCaptioner
from desktop_app.plugin_api.prepared import PreparedImage, collate
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from plugins.encoder_decoder import EncoderDecoderCaptioner
from plugins.generic import FLORENCE, blip_prefix, florence_task
from plugins.product_description import listing_prompt
from tests import photo_files

# Shapes that give the tiny SmolVLM different tile counts (so prompts of different lengths).
SIZES = [(96, 72), (40, 120), (120, 40), (64, 64), (30, 20)]


@pytest.fixture
def photos(tmp_path: Path) -> list[Path]:
    return [photo_files.jpeg(tmp_path / f"{n}.jpg", seed=n, size=size) for n, size in enumerate(SIZES)]


def whole_batch_inputs(captioner: Any, images: list[Any],
                       settings: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The model inputs and prompt as each built-in captioner's ``_inputs`` made them before
    ``prepare`` did its processor's work: one processor call for the whole batch, on the model's
    thread."""
    kind = captioner.id
    prompt: str | None = None
    if kind in ("generic", "alt-text") and captioner.model_type == FLORENCE:
        prompt = florence_task(settings.get("prompt"))
        encoded = captioner.processor(text=[prompt] * len(images), images=images, return_tensors="pt",
                                      padding=True)
    elif kind in ("generic", "alt-text"):
        prompt = blip_prefix(settings.get("prompt"))
        text = {"text": [prompt] * len(images)} if prompt else {}
        encoded = captioner.processor(images=images, return_tensors="pt", **text)
    elif kind == "product-description":
        prompt = listing_prompt(settings.get("prompt"))
        messages = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]}]
        text = captioner.processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        rgb = [image if image.mode == "RGB" else image.convert("RGB") for image in images]
        encoded = captioner.processor(text=[text] * len(rgb), images=[[image] for image in rgb],
                                      padding=True, return_tensors="pt")
    else:  # encoder-decoder, medical-report
        rgb = [image if image.mode == "RGB" else image.convert("RGB") for image in images]
        encoded = {"pixel_values": captioner.image_processor(images=rgb, return_tensors="pt").pixel_values}
    inputs = {name: value.to(captioner.device) for name, value in encoded.items()}
    inputs["pixel_values"] = inputs["pixel_values"].to(captioner.dtype)
    return inputs, prompt


def assert_same_inputs(got: dict[str, Any], expected: dict[str, Any]) -> None:
    import torch

    assert sorted(got) == sorted(expected)
    for name, value in expected.items():
        assert got[name].dtype == value.dtype and torch.equal(got[name], value), name


CASES = [
    ("generic", "florence2_folder", {"prompt": "caption", "max_new_tokens": 8}),
    ("generic", "florence2_folder", {"prompt": "more-detailed", "max_new_tokens": 8}),
    ("generic", "blip_folder", {"prompt": "caption", "max_new_tokens": 8}),
    ("generic", "blip_folder", {"prompt": "a photography of", "max_new_tokens": 8}),
    ("alt-text", "blip_folder", {"max_new_tokens": 8}),
    ("product-description", "idefics3_folder", {"max_new_tokens": 8}),
    ("encoder-decoder", "vit_gpt2_folder", {"max_new_tokens": 8}),
    ("medical-report", "vit_bert_folder", {"max_new_tokens": 8}),
]


@pytest.mark.parametrize(("captioner_id", "folder", "options"), CASES)
def test_prepared_images_give_the_whole_batch_inputs_and_the_same_captions(
        request: pytest.FixtureRequest, photos: list[Path], captioner_id: str, folder: str,
        options: dict[str, Any]) -> None:
    model = str(request.getfixturevalue(folder))
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=3, prefetch=2)
    items = [WorkItem(n, str(path)) for n, path in enumerate(photos)]
    outcomes = list(engine.run(captioner_id, items, model, options))
    captioner = engine.captioner(captioner_id, model)
    assert isinstance(captioner, TransformersCaptioner)
    settings = {**captioner.option_defaults(), **options}
    images = [decode_for(captioner, str(path))[0] for path in photos]

    prepared = captioner.prepare(images, options)
    assert all(isinstance(entry, PreparedImage) and entry.seconds > 0 for entry in prepared)
    assert all(entry.inputs["pixel_values"].device.type == "cpu" for entry in prepared)
    expected, prompt = whole_batch_inputs(captioner, images, settings)
    for given in (list(prepared), images):  # prepared, or Pillow images as other callers pass them
        got, got_prompt = captioner._inputs(given, settings)
        assert_same_inputs(got, expected)
        assert got_prompt == prompt
    # Each entry is usable alone (the engine splits a batch that does not fit).
    assert_same_inputs(captioner._inputs([prepared[1]], settings)[0],
                       whole_batch_inputs(captioner, images[1:2], settings)[0])

    # The captions of the old path (the whole batch through the processor on this thread)...
    captioner._inputs = lambda batch, settings: whole_batch_inputs(captioner, batch, settings)
    try:
        before = [captioner.caption(images[start:start + 3], options) for start in (0, 3)]
    finally:
        del captioner._inputs
    before_results = [result for batch in before for result in batch]
    # ... are the engine's, which prepared the images on its decode threads, to the last token score.
    assert [o.error for o in outcomes] == [None] * len(photos)
    got = [o.result for o in outcomes]
    assert [r.text for r in got] == [r.text for r in before_results]
    assert [r.token_scores for r in got] == [r.token_scores for r in before_results]
    assert [r.confidence for r in got] == [r.confidence for r in before_results]
    assert [r.prompt for r in got] == [r.prompt for r in before_results]
    assert [r.notice for r in got] == [r.notice for r in before_results]
    assert all(r.seconds > 0 for r in got)
    engine.unload()


def test_the_processor_step_runs_on_the_decode_threads_with_a_copy_per_thread(
        vit_gpt2_folder: Path, photos: list[Path]) -> None:
    seen: list[tuple[str, int]] = []

    class Watched(EncoderDecoderCaptioner):
        id = "watched"

        def _image_inputs(self, processor, image, settings):
            seen.append((threading.current_thread().name, id(processor)))
            return super()._image_inputs(processor, image, settings)

    engine = CaptionEngine(PluginRegistry([], {"watched": Watched()}, {}), device="cpu", dtype="float32",
                           batch_size=2, decode_workers=2, prefetch=2)
    outcomes = list(engine.run("watched", [WorkItem(n, str(p)) for n, p in enumerate(photos)],
                               str(vit_gpt2_folder), {"max_new_tokens": 4}))
    assert all(o.result and o.result.text for o in outcomes)
    assert len(seen) == len(photos) and all(name.startswith("decode") for name, _ in seen)
    captioner = engine.captioner("watched", str(vit_gpt2_folder))
    # Not the model thread's processor: a fast tokenizer must not be shared between threads.
    assert id(captioner.image_processor) not in {processor for _, processor in seen}
    threads = {name for name, _ in seen}
    assert len({processor for _, processor in seen}) == len(threads)  # one copy per thread
    engine.unload()


def test_seconds_include_the_images_own_preparation(vit_gpt2_folder: Path, photos: list[Path]) -> None:
    slow = 0.3

    class SlowToPrepare(EncoderDecoderCaptioner):
        id = "slow-to-prepare"

        def _image_inputs(self, processor, image, settings):
            if image.size[0] == image.size[1]:  # the square photo only
                time.sleep(slow)
            return super()._image_inputs(processor, image, settings)

    engine = CaptionEngine(PluginRegistry([], {"slow-to-prepare": SlowToPrepare()}, {}), device="cpu",
                           dtype="float32", batch_size=5)
    outcomes = list(engine.run("slow-to-prepare", [WorkItem(n, str(p)) for n, p in enumerate(photos)],
                               str(vit_gpt2_folder), {"max_new_tokens": 4}))
    seconds = {o.item.key: o.result.seconds for o in outcomes}
    square = SIZES.index((64, 64))
    assert all(value > 0 for value in seconds.values())
    # Slept on a decode thread, before the model's work: counted for that photo alone.
    assert seconds[square] >= slow
    assert all(value < seconds[square] for key, value in seconds.items() if key != square)
    engine.unload()


class _OwnInputs(TransformersCaptioner):
    """A third-party transformers captioner from before ``_image_inputs``: its processor runs in
    ``_inputs``, on the model's thread, and ``prepare`` hands the images over unchanged."""

    id = "own-inputs"
    name = description = "Own inputs"
    kind = CaptionerKind.CAPTION
    default_model = "someone/vit-gpt2"

    def _load(self, source, revision, device, dtype):
        from transformers import AutoImageProcessor, AutoTokenizer, VisionEncoderDecoderModel

        from desktop_app.plugin_api import load_model, load_pretrained

        self.image_processor = load_pretrained(AutoImageProcessor, source, revision)
        self.tokenizer = load_pretrained(AutoTokenizer, source, revision)
        self.network = load_model(VisionEncoderDecoderModel, source, revision, device, dtype)

    def _inputs(self, images, settings):
        self.threads.append(threading.current_thread().name)
        pixels = self.image_processor(images=images, return_tensors="pt").pixel_values
        return {"pixel_values": pixels.to(self.device, self.dtype)}, None


def test_a_transformers_captioner_without_image_inputs_works_as_before(vit_gpt2_folder: Path,
                                                                      photos: list[Path]) -> None:
    engine = CaptionEngine(PluginRegistry([], {"own-inputs": _OwnInputs()}, {}), device="cpu",
                           dtype="float32", batch_size=2)
    captioner = engine.captioner("own-inputs", str(vit_gpt2_folder))
    captioner.threads = []
    images = [decode_for(captioner, str(path))[0] for path in photos]
    assert captioner.prepare(images, {}) is images
    outcomes = list(engine.run("own-inputs", [WorkItem(n, str(p)) for n, p in enumerate(photos)],
                               str(vit_gpt2_folder), {"max_new_tokens": 4}))
    assert all(o.result and o.result.text and o.result.seconds > 0 for o in outcomes)
    assert captioner.threads == [threading.current_thread().name] * 3
    engine.unload()


def test_an_unloaded_captioner_prepares_nothing_and_a_batch_of_two_prompts_is_refused(
        blip_folder: Path) -> None:
    captioner = load_plugins().get_captioner("generic")
    images = [photo_files.picture(48, 40)]
    assert captioner.prepare(images, {}) is images  # not loaded: caption will process them
    loaded = type(captioner)(model=str(blip_folder))
    loaded.load("cpu", "float32")
    plain = loaded.prepare(images, {"prompt": "caption"})
    prefixed = loaded.prepare(images, {"prompt": "a photography of"})
    with pytest.raises(ValueError, match="different prompts"):
        loaded.caption([*plain, *prefixed], {"max_new_tokens": 4})
    loaded.unload()


def test_collate_pads_sequences_on_the_tokenizers_side_and_images_with_zeros() -> None:
    import torch

    short = {"input_ids": torch.tensor([[5, 6]]), "attention_mask": torch.tensor([[1, 1]]),
             "pixel_values": torch.ones(1, 1, 2, 2)}
    long = {"input_ids": torch.tensor([[7, 8, 9]]), "attention_mask": torch.tensor([[1, 1, 1]]),
            "pixel_values": torch.ones(1, 2, 2, 3)}
    padding = {"input_ids": 0, "attention_mask": 0}
    left = collate([short, long], ({**padding, "input_ids": 1}, True))
    assert left["input_ids"].tolist() == [[1, 5, 6], [7, 8, 9]]
    assert left["attention_mask"].tolist() == [[0, 1, 1], [1, 1, 1]]
    assert left["pixel_values"].shape == (2, 2, 2, 3)
    assert left["pixel_values"][0].sum() == 4 and left["pixel_values"][0, 1].sum() == 0
    assert left["pixel_values"][0, 0, :, 2].sum() == 0  # padded at the end of each dimension
    right = collate([short, long], (padding, False))
    assert right["input_ids"].tolist() == [[5, 6, 0], [7, 8, 9]]
