"""The public plugin API (desktop_app.plugin_api): its names, the construction and pickling contract,
and the version-1 extension points (prepare on the engine's decode threads, attention)."""

from __future__ import annotations

import pickle
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import desktop_app.plugin_api as plugin_api
from desktop_app.captioning.engine import CaptionEngine, WorkItem
from desktop_app.plugin_api import (
    API_VERSION,
    Captioner,
    CaptionResult,
    Embedder,
    LabelVectors,
    Suggestion,
    TaggerInput,
    TagItem,
    VocabularyTerm,
)
from desktop_app.plugin_registry import PluginRegistry, load_plugins
from tests import photo_files
from tests.plugins.fake_captioners import FixedCaptioner
from tests.plugins.good_tagger import CaptionWordsTagger


def test_the_api_is_versioned_and_exports_exactly_its_names() -> None:
    assert re.fullmatch(r"\d+\.\d+", API_VERSION) and API_VERSION.startswith("1.")
    assert sorted(plugin_api.__all__) == sorted(set(plugin_api.__all__))
    for name in plugin_api.__all__:
        assert hasattr(plugin_api, name), name
    public = {name for name in vars(plugin_api) if not name.startswith("_")}
    submodules = {"alt_text", "captioner", "embedder", "explain", "hf", "hookspecs", "tagger", "annotations",
                  "prepared"}
    assert public - submodules == set(plugin_api.__all__)


def test_built_in_plugins_keep_the_construction_and_pickling_contract() -> None:
    registry = load_plugins(entry_points=False)
    assert all(info.status == "loaded" for info in registry.plugins), registry.plugins
    for instance in [*registry.captioners.values(), *registry.embedders.values(), *registry.taggers.values()]:
        fresh = type(instance)(model="some/other-model")
        assert type(fresh) is type(instance) and fresh.model == "some/other-model"
        copy = pickle.loads(pickle.dumps(instance))
        assert (type(copy), copy.id, copy.model) == (type(instance), instance.id, instance.model)


def test_a_pickled_captioner_is_rebuilt_unloaded_with_its_model_and_revision() -> None:
    captioner = FixedCaptioner(model="test/tuned", revision="abc123")
    captioner.load("cpu", None)
    captioner.interrupt = lambda: False  # a running state never travels
    copy = pickle.loads(pickle.dumps(captioner))
    assert (copy.model, copy.revision, copy.interrupt) == ("test/tuned", "abc123", None)


class _Words(Embedder):
    id = "words"
    name = description = "Words"
    default_model = "test/words"
    dimension = 2

    def load(self, device):
        pass

    def unload(self):
        pass

    def embed_texts(self, texts):
        raise NotImplementedError


def test_an_embedder_pickles_by_class_and_model() -> None:
    copy = pickle.loads(pickle.dumps(_Words(model="test/other")))
    assert type(copy) is _Words and copy.model == "test/other"


def test_a_tagger_pickles_by_class_and_model_and_describes_itself() -> None:
    tagger = CaptionWordsTagger(model="test/other")
    copy = pickle.loads(pickle.dumps(tagger))
    assert type(copy) is CaptionWordsTagger and copy.model == "test/other"
    assert copy.caption_vector_model is None  # the default: it embeds nothing it could take from `embed`
    assert tagger.describe() == {
        "id": "caption-words", "name": "Caption words",
        "description": "Terms whose label is a word of the caption.",
        "default_model": "builtin:caption-words", "inputs": ["caption"], "default_threshold": 0.5,
        "default_top_n": 5}
    assert TaggerInput.PIXELS.value == "pixels"


class _Cache:
    """A LabelVectors in memory: what the app's catalogue cache does, without the catalogue."""

    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], np.ndarray] = {}

    def vectors(self, key: str, labels: Sequence[str],
                embed: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
        missing = [label for label in dict.fromkeys(labels) if (key, label) not in self.stored]
        if missing:
            rows = embed(missing)
            self.stored.update(((key, label), row) for label, row in zip(missing, rows, strict=True))
        return np.stack([self.stored[(key, label)] for label in labels])


def test_a_tagger_gets_its_vocabulary_once_and_suggests_for_batches_of_items() -> None:
    tagger = CaptionWordsTagger()
    tagger.load("cpu")
    cache: LabelVectors = _Cache()
    terms = [VocabularyTerm(1, ("Dogs", "dog", "puppy"), ("Animals", "Mammals")),
             VocabularyTerm(2, ("Cats", "cat"))]
    tagger.set_vocabulary(terms, cache)
    assert len(cache.stored) == 5  # each label embedded once, under the tagger's key
    items = [TagItem(10, caption="a puppy on grass"), TagItem(11, caption=None),
             TagItem(12, caption="a dog and a cat", image=Image.new("RGB", (4, 4)))]
    found = tagger.suggest(items, top_n=1, threshold=0.5)
    assert found == [[Suggestion(1, 0.7, ("puppy",))], [], [Suggestion(1, 0.7, ("dog",))]]
    assert tagger.suggest(items[:1], top_n=5, threshold=0.8) == [[]]
    tagger.unload()


def test_the_extension_points_default_to_changing_nothing() -> None:
    captioner = FixedCaptioner()
    images = [Image.new("RGB", (8, 8))]
    assert captioner.prepare(images, {}) is images
    assert captioner.supports_attention is False and captioner.attention(images[0], "a photo", {}) is None
    # A version 1.0-1.2 plugin knows nothing of word_attention: it cannot say, for every image.
    assert captioner.word_attention(images * 2, ["a photo"] * 2, [(2, 7)] * 2, {}) == [None, None]


class _Preparing(Captioner):
    """Prepares each image into (width, thread name); fails to prepare 13-pixel-wide images."""

    id = "preparing"
    name = description = "Preparing"
    kind = FixedCaptioner.kind
    default_model = "test/preparing"

    def __init__(self, model: str | None = None, revision: str | None = None) -> None:
        super().__init__(model, revision)
        self.received: list[list[Any]] = []

    def load(self, device, dtype):
        pass

    def unload(self):
        pass

    def prepare(self, images: list[Image.Image], options: dict[str, Any]) -> list[Any]:
        if any(image.width == 13 for image in images):
            raise ValueError("thirteen pixels")
        return [(image.width, options["unit"], threading.current_thread().name) for image in images]

    def caption(self, images, options):
        self.received.append(list(images))
        return [CaptionResult(f"{width} {unit}", 1.0, self.model, None, None, 0.0)
                for width, unit, _thread in images]


def test_the_engine_runs_prepare_on_its_decode_threads_and_caption_gets_what_it_made(tmp_path: Path) -> None:
    widths = [20, 21, 13, 22]
    items = [WorkItem(n, str(photo_files.save(Image.new("RGB", (width, 10)), tmp_path / f"{n}.png")))
             for n, width in enumerate(widths)]
    prototype = _Preparing()
    engine = CaptionEngine(PluginRegistry([], {"preparing": prototype}, {}), device="cpu", batch_size=2)
    outcomes = list(engine.run("preparing", items, options={"unit": "px"}))
    assert [(o.result.text if o.result else o.error) for o in outcomes] == [
        "20 px", "21 px", "preparing the image failed: thirteen pixels", "22 px"]
    loaded = engine.captioner("preparing")
    assert [[width for width, _unit, _thread in batch] for batch in loaded.received] == [[20, 21], [22]]
    threads = {thread for batch in loaded.received for _width, _unit, thread in batch}
    assert threads and all(name.startswith("decode") for name in threads), threads
    assert threading.main_thread().name not in threads


class _Looking(FixedCaptioner):
    """A sample captioner implementing the attention extension point: it looks at the brightest row."""

    id = "looking"
    supports_attention = True

    def attention(self, image, text, options):
        import numpy as np

        grid = np.asarray(image.convert("L").resize((4, 4), Image.Resampling.BOX), dtype=np.float64)
        return grid / grid.sum() if grid.sum() else np.full((4, 4), 1 / 16)


def test_a_captioner_can_return_attention_over_the_image_patch_grid() -> None:
    import numpy as np

    image = Image.new("RGB", (32, 32))
    image.paste((255, 255, 255), (0, 0, 32, 8))
    captioner = _Looking()
    captioner.load("cpu", None)
    grid = captioner.attention(image, "a bright top", {})
    assert captioner.supports_attention and grid.shape == (4, 4)
    assert np.isfinite(grid).all() and grid.min() >= 0 and grid.sum() == pytest.approx(1.0)
    assert grid[0].sum() == pytest.approx(1.0)
