"""Where the model looked: heatmaps for one word of an AI caption (issue 20, part 1), from real tiny
models reading the stored draft, on a real catalogue, through the service and the command line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import edit_caption
from desktop_app.catalogue.models import CaptionKind
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_api import AttentionMap, TeacherForcing, eager_attention
from desktop_app.plugin_registry import load_plugins
from desktop_app.services.engine import build_engine
from desktop_app.services.explain import Explainer, ExplainError, ExplainRequest, photo_map
from plugins.encoder_decoder import EncoderDecoderCaptioner
from tests import photo_files
from tests.cli_helpers import cli_on
from tests.tiny_models.bright_patch import bright_patch_vit_gpt2

DRAFT = "a dog near a red car with a dog"  # words of the tiny models' vocabulary


def engine():  # type: ignore[no-untyped-def]
    return build_engine(registry=load_plugins(), device="cpu", dtype="float32")


def caption_photos(scanner: Scanner, catalogue: Catalogue, folder: Path, sizes: list[tuple[int, int]],
                   model: Path, captioner_id: str = "encoder-decoder", text: str = DRAFT,
                   pictures: list[Image.Image] | None = None,
                   kind: CaptionKind = CaptionKind.DESCRIPTION) -> list[Path]:
    """Photos of ``sizes`` under ``folder``, scanned, each with ``model``'s draft ``text`` (of ``kind``)."""
    paths = []
    for number, size in enumerate(sizes):
        path = folder / f"{number:02}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        (pictures[number] if pictures else photo_files.picture(*size, seed=number)).save(path)
        paths.append(path)
    scanner.scan(folder)
    with catalogue.write() as session:
        for path in paths:
            store_ai_caption(session, AICaption(find_photo(session, str(path)), text, model_id=str(model),
                                                kind=kind), captioner_id=captioner_id)
    return paths


@pytest.fixture
def captioned(scanner: Scanner, catalogue: Catalogue, tmp_path: Path, vit_gpt2_folder: Path) -> list[Path]:
    """A landscape, a portrait and a square photo with the tiny ViT + GPT-2's draft."""
    return caption_photos(scanner, catalogue, tmp_path / "shoot", [(96, 72), (60, 120), (80, 80)],
                          vit_gpt2_folder)


def test_the_map_is_a_distribution_over_the_photo_with_its_aspect(catalogue: Catalogue,
                                                                  captioned: list[Path]) -> None:
    explainer = Explainer(catalogue, engine())
    shapes = []
    for path in captioned:
        found = explainer.explain(str(path), "DOG")  # any case
        assert found.word == "dog" and found.span == (2, 5) and found.tokens == ("dog",)
        assert found.method == "cross-attention" and found.draft.text == DRAFT
        assert np.isfinite(found.grid).all() and found.grid.min() >= 0
        assert found.grid.sum() == pytest.approx(1.0)
        assert found.grid.max() > found.grid.min()  # it says something: not a flat map
        shapes.append(found.grid.shape)
    assert shapes == [(48, 64), (64, 32), (64, 64)]  # rows x columns: 4:3, 1:2 and 1:1 photos


def test_maps_are_deterministic_cached_and_the_same_alone_as_in_a_batch(catalogue: Catalogue,
                                                                        captioned: list[Path]) -> None:
    requests = [ExplainRequest(str(path), "car") for path in captioned]
    batch = Explainer(catalogue, engine()).explain_many(requests)
    alone = [Explainer(catalogue, engine()).explain(str(path), "car") for path in captioned]
    again = Explainer(catalogue, engine()).explain(str(captioned[0]), "car")
    for together, single in zip(batch, alone, strict=True):
        assert not isinstance(together, ExplainError)
        np.testing.assert_allclose(together.grid, single.grid, rtol=0, atol=1e-9)
    assert np.array_equal(again.grid, alone[0].grid)
    assert not np.allclose(alone[0].grid[:48, :64], alone[2].grid[:48, :64])  # another photo, another map
    # Asked again, the map comes from the cache: no second pass through the model.
    explainer = Explainer(catalogue, engine())
    first = explainer.explain(str(captioned[0]), "car")
    assert explainer.explain(str(captioned[0]), "car") is first


def test_each_word_and_each_occurrence_has_its_own_map(catalogue: Catalogue, captioned: list[Path]) -> None:
    explainer = Explainer(catalogue, engine())
    first, second = (explainer.explain(str(captioned[0]), "dog", occurrence) for occurrence in (1, 2))
    car = explainer.explain(str(captioned[0]), "car")
    assert (first.span, second.span, second.occurrence) == ((2, 5), (28, 31), 2)
    assert not np.allclose(first.grid, second.grid) and not np.allclose(first.grid, car.grid)
    with pytest.raises(ExplainError, match="has 'dog' 2 times, not 3"):
        explainer.explain(str(captioned[0]), "dog", 3)


def test_an_edited_caption_is_explained_by_the_words_of_its_ai_draft(catalogue: Catalogue,
                                                                     captioned: list[Path]) -> None:
    before = Explainer(catalogue, engine()).explain(str(captioned[0]), "red")
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(captioned[0])), "A tabby cat on a sofa", author="ed")
    explainer = Explainer(catalogue, engine())
    after = explainer.explain(str(captioned[0]), "red")
    assert after.draft.text == DRAFT and np.allclose(after.grid, before.grid)
    with pytest.raises(ExplainError) as refused:
        explainer.explain(str(captioned[0]), "tabby")
    assert str(refused.value) == ("'tabby' is not a word of the AI draft; its words: a, dog, near, red, car, "
                                  "with")


def test_a_caption_no_model_wrote_has_nothing_to_explain(scanner: Scanner, catalogue: Catalogue,
                                                         tmp_path: Path) -> None:
    path = photo_files.jpeg(tmp_path / "own" / "a.jpg", size=(64, 48))
    scanner.scan(path.parent)
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(path)), "my own words", author="ed")
    explainer = Explainer(catalogue, engine())
    with pytest.raises(ExplainError, match="was not written by a model"):
        explainer.explain(str(path), "own")
    with pytest.raises(ExplainError, match="has no alt text"):
        explainer.explain(str(path), "own", kind=CaptionKind.ALT_TEXT)


def test_a_model_that_is_gone_is_said_in_one_line(scanner: Scanner, catalogue: Catalogue, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    gone = tmp_path / "deleted-model"
    path, = caption_photos(scanner, catalogue, tmp_path / "gone", [(64, 48)], gone)
    with pytest.raises(ExplainError, match=f"^model folder {gone} does not exist$"):
        Explainer(catalogue, engine()).explain(str(path), "dog")
    ran = cli_on(capsys, db_path)("explain", str(path), "--word", "dog", "--device", "cpu")
    assert (ran.code, ran.err) == (1, f"photo-annotator: error: model folder {gone} does not exist\n")


def test_the_gradient_map_is_a_distribution_too(catalogue: Catalogue, captioned: list[Path]) -> None:
    explainer = Explainer(catalogue, engine())
    found = explainer.explain(str(captioned[0]), "red", method="gradient")
    attention = explainer.explain(str(captioned[0]), "red")
    assert found.method == "gradient" and attention.method == "cross-attention"
    assert found.grid.shape == (48, 64) and found.grid.sum() == pytest.approx(1.0) and found.grid.min() >= 0
    assert not np.allclose(found.grid, attention.grid)


@pytest.mark.parametrize("corner", ["top-left", "bottom-right"])
def test_on_a_model_driven_by_one_region_the_map_points_at_that_region(
        scanner: Scanner, catalogue: Catalogue, tmp_path: Path,
        tiny_model: Callable[..., Path], corner: str) -> None:
    """The model's cross-attention goes to bright patches (tests/tiny_models/bright_patch.py): a photo
    bright in one quadrant only must get a map whose peak and most of whose mass lie there."""
    model = tiny_model(bright_patch_vit_gpt2, "bright-patch")
    picture = Image.new("RGB", (128, 96), "black")
    box = (0, 0, 64, 48) if corner == "top-left" else (64, 48, 128, 96)
    picture.paste((255, 255, 255), box)
    (path,) = caption_photos(scanner, catalogue, tmp_path / corner, [(128, 96)], model, pictures=[picture])
    found = Explainer(catalogue, engine()).explain(str(path), "car")
    assert found.method == "cross-attention" and found.grid.shape == (48, 64)
    rows, cols = found.grid.shape
    top, left = (slice(0, rows // 2), slice(0, cols // 2))
    bottom, right = (slice(rows // 2, rows), slice(cols // 2, cols))
    quadrant = found.grid[top, left] if corner == "top-left" else found.grid[bottom, right]
    row, col = found.peak()
    in_top_left = row < rows // 2 and col < cols // 2
    in_bottom_right = row >= rows // 2 and col >= cols // 2
    assert in_top_left if corner == "top-left" else in_bottom_right
    assert quadrant.sum() > 0.8  # a flat map would put 0.25 there, a flipped one next to nothing


def test_blip_and_florence2_drafts_are_explained_by_their_cross_attention(
        scanner: Scanner, catalogue: Catalogue, tmp_path: Path, blip_folder: Path,
        florence2_folder: Path) -> None:
    blip_photo, = caption_photos(scanner, catalogue, tmp_path / "blip", [(90, 60)], blip_folder, "generic",
                                 text="two dog sitting near car")
    florence_photo, = caption_photos(scanner, catalogue, tmp_path / "florence", [(60, 90)], florence2_folder,
                                     "generic", text="A dog on grass.")
    explainer = Explainer(catalogue, engine())
    blip = explainer.explain(str(blip_photo), "sitting")
    florence = explainer.explain(str(florence_photo), "grass")
    assert blip.method == florence.method == "cross-attention"
    assert blip.grid.shape == (43, 64) and florence.grid.shape == (64, 43)
    assert blip.tokens == ("sitting",) and "".join(florence.tokens) == "grass"
    for found in (blip, florence):
        assert found.grid.sum() == pytest.approx(1.0) and found.grid.min() >= 0


def test_alt_text_is_explained_and_a_model_without_cross_attention_is_not_available(
        scanner: Scanner, catalogue: Catalogue, tmp_path: Path, blip_folder: Path,
        idefics3_folder: Path) -> None:
    alt, = caption_photos(scanner, catalogue, tmp_path / "alt", [(64, 64)], blip_folder, "alt-text",
                          text="Two dog sitting near car.", kind=CaptionKind.ALT_TEXT)
    product, = caption_photos(scanner, catalogue, tmp_path / "product", [(64, 64)], idefics3_folder,
                              "product-description", text="A red car with blue seats.")
    explainer = Explainer(catalogue, engine())
    found = explainer.explain(str(alt), "dog", kind=CaptionKind.ALT_TEXT)
    assert found.captioner_id == "alt-text" and found.method == "cross-attention" and found.word == "dog"
    with pytest.raises(ExplainError) as refused:
        explainer.explain(str(product), "car")
    assert str(refused.value) == (f"not available for this model: product-description ({idefics3_folder}) "
                                  "cannot say where it looked")


def test_word_attention_is_the_plugin_api_way_to_ask(vit_gpt2_folder: Path) -> None:
    """The contract (plugin API 1.3), called as a plugin or a script would."""
    captioner = EncoderDecoderCaptioner(str(vit_gpt2_folder))
    captioner.load("cpu", "float32")
    images = [photo_files.picture(96, 72, seed=seed) for seed in range(2)]
    maps = captioner.word_attention(images, [DRAFT, "red car"], [(12, 15), (0, 3)], {})
    assert all(isinstance(found, AttentionMap) for found in maps)
    assert [found.tokens for found in maps] == [("red",), ("red",)]
    assert maps[0].grid.shape == (4, 4) and maps[0].region == (0.0, 0.0, 1.0, 1.0)
    # A span over no token (spaces) has no map; neither has a captioner that cannot read a text.
    assert captioner.word_attention(images[:1], [DRAFT], [(1, 2)], {}) == [None]
    forcing = captioner._teacher_forcing({})
    assert isinstance(forcing, TeacherForcing) and forcing.prefix == [captioner.tokenizer.bos_token_id]
    with eager_attention(captioner.network):
        assert captioner.network.config._attn_implementation == "eager"
    assert captioner.network.config._attn_implementation == "sdpa"  # switched back after the pass


def test_the_map_covers_only_what_a_cropping_processor_shows() -> None:
    grid = np.array([[0.0, 1.0], [0.0, 0.0]])
    full = photo_map(grid, (0.0, 0.0, 1.0, 1.0), 200, 100)
    middle = photo_map(grid, (0.25, 0.0, 0.75, 1.0), 200, 100)
    assert full.shape == middle.shape == (32, 64)
    assert middle[:, :16].sum() == 0 and middle[:, 48:].sum() == 0  # the cropped-off sides saw nothing
    assert full.sum() == pytest.approx(1.0) and middle.sum() == pytest.approx(1.0)


def test_explain_command(capsys: pytest.CaptureFixture[str], db_path: Path, captioned: list[Path],
                         tmp_path: Path) -> None:
    cli = cli_on(capsys, db_path)
    ran = cli("explain", str(captioned[0]), "--word", "Car", "--json", "--device", "cpu")
    assert ran.code == 0, ran.err
    data = ran.json()
    assert (data["word"], data["tokens"], data["method"], data["rows"], data["cols"]) == (
        "car", ["car"], "cross-attention", 48, 64)
    assert data["captioner"] == "encoder-decoder" and Path(data["model"]).name == "tiny-vit-gpt2"
    assert np.array(data["grid"]).shape == (48, 64) and sum(map(sum, data["grid"])) == pytest.approx(1.0)

    output = tmp_path / "map.png"
    ran = cli("explain", str(captioned[1]), "--word", "dog", "--occurrence", "2", "--output", str(output),
              "--device", "cpu")
    assert ran.code == 0, ran.err
    assert "'dog' (occurrence 2, tokens dog)" in ran.out and "cross-attention of encoder-decoder" in ran.out
    with Image.open(output) as written, Image.open(captioned[1]) as photo:
        assert written.format == "PNG" and written.size == (60, 120)
        changed = ImageChops.difference(written.convert("RGB"), photo.convert("RGB"))
        assert changed.getbbox() is not None  # the map is drawn over the photo

    ran = cli("explain", str(captioned[0]), "--word", "zebra", "--device", "cpu")
    assert ran.code == 1 and ran.out == ""
    assert ran.err == ("photo-annotator: error: 'zebra' is not a word of the AI draft; its words: a, dog, "
                       "near, red, car, with\n")
