"""Evaluation: caption metrics against values worked out by hand, METEOR through Java, the fallback
without Java, the validation loss of each model family, evaluate() on scanned photos with approved
captions, and the command."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, set_review_state
from desktop_app.catalogue.models import CaptionOrigin, ReviewState
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_api.hf import hub_cache_dir
from desktop_app.plugin_registry import load_plugins
from desktop_app.training.dataset import Pair, approved_pairs, split
from desktop_app.training.evaluate import Split, evaluate, validation_loss
from desktop_app.training.metrics import METRICS, SIMPLE_TOKENIZER, SPICE_NOTE, caption_metrics
from tests import photo_files
from tests.cli_helpers import run_cli
from tests.tiny_models.blip import blip
from tests.tiny_models.florence2 import florence2
from tests.tiny_models.vision_encoder_decoder import vit_gpt2

# One candidate against one reference. Case and the full stop go in PTB tokenization (lowercased,
# punctuation dropped), so the hand counts below are over lowercase words.
CANDIDATE = "A dog runs on the grass."
REFERENCE = "a dog is running on green grass"
CANDIDATE_WORDS = CANDIDATE.lower().rstrip(".").split()  # 6 words
REFERENCE_WORDS = REFERENCE.split()  # 7 words


@pytest.fixture(scope="module")
def one_pair_scores():
    return caption_metrics({"p": [REFERENCE]}, {"p": CANDIDATE})


def test_bleu_1_and_2_from_clipped_precision_and_brevity_penalty(one_pair_scores) -> None:
    # Unigrams of the candidate found in the reference: a, dog, on, grass (runs, the are not).
    matches = sum(min(CANDIDATE_WORDS.count(w), REFERENCE_WORDS.count(w)) for w in set(CANDIDATE_WORDS))
    assert matches == 4
    brevity = math.exp(1 - len(REFERENCE_WORDS) / len(CANDIDATE_WORDS))  # candidate shorter: penalised
    p1 = matches / len(CANDIDATE_WORDS)
    # Bigrams: "a dog" is the only one of the candidate's five in the reference.
    p2 = 1 / 5
    assert one_pair_scores["BLEU-1"] == pytest.approx(brevity * p1, rel=1e-6)
    assert one_pair_scores["BLEU-2"] == pytest.approx(brevity * math.sqrt(p1 * p2), rel=1e-6)


def test_bleu_clips_repeated_words() -> None:
    # "the" three times counts once (the reference has it once); longer than the reference: no penalty.
    scores = caption_metrics({1: ["the dog sat"]}, {1: "the the the dog"}, java="/no/such/java")
    assert scores["BLEU-1"] == pytest.approx(2 / 4, rel=1e-6)
    assert scores["BLEU-2"] == pytest.approx(math.sqrt(2 / 4 * 1 / 3), rel=1e-6)  # "the dog" of 3


def test_rouge_l_from_the_longest_common_subsequence(one_pair_scores) -> None:
    lcs = len(["a", "dog", "on", "grass"])
    precision, recall = lcs / len(CANDIDATE_WORDS), lcs / len(REFERENCE_WORDS)
    beta = 1.2  # the COCO evaluation's weight of recall
    expected = (1 + beta**2) * precision * recall / (recall + beta**2 * precision)
    assert one_pair_scores["ROUGE-L"] == pytest.approx(expected, rel=1e-9)


def test_meteor_runs_with_java(one_pair_scores) -> None:
    assert list(one_pair_scores) == list(METRICS)
    assert 0 < one_pair_scores["METEOR"] < 1
    assert one_pair_scores.unavailable == {}
    assert one_pair_scores.tokenizer.startswith("PTB")


def test_identical_captions_score_full_marks() -> None:
    references = {1: ["A red car parked near the beach."], 2: ["Two people sitting at a wooden table"],
                  3: ["A café in Zürich, at night"]}
    scores = caption_metrics(references, {key: refs[0] for key, refs in references.items()})
    for n in range(1, 5):
        assert scores[f"BLEU-{n}"] == pytest.approx(1.0, rel=1e-6)
    assert scores["METEOR"] == pytest.approx(1.0)
    assert scores["ROUGE-L"] == pytest.approx(1.0)
    # CIDEr-D is 10 x the mean cosine similarity of TF-IDF n-gram vectors: 10 for identical text.
    assert scores["CIDEr"] == pytest.approx(10.0, rel=1e-6)


def test_without_java_meteor_is_unavailable_and_python_tokenizes(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine with no java on its PATH
    references = {1: ["A red car, parked near the beach."], 2: ["Two people sitting at a table"]}
    scores = caption_metrics(references, {1: "a red car parked near the beach", 2: "two people sitting"})
    assert "METEOR" not in scores
    assert "Java" in scores.unavailable["METEOR"]
    assert scores.tokenizer == SIMPLE_TOKENIZER
    # Every candidate word is in its reference once case and punctuation are dropped (as PTB does):
    # precision 1, and the brevity penalty over the set, 10 candidate words for 13 reference words.
    assert scores["BLEU-1"] == pytest.approx(math.exp(1 - 13 / 10), rel=1e-6)
    assert 0 < scores["CIDEr"] < 10


def test_mismatched_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="same ids"):
        caption_metrics({1: ["a dog"]}, {2: "a dog"})


# --- models ---------------------------------------------------------------------------------------------

CAPTIONS = ["a dog running on grass", "two people sitting near the table", "a red car on the street",
            "a white building with blue sky"]


@pytest.fixture
def approved(tmp_path: Path, catalogue: Catalogue, scanner: Scanner) -> list[Path]:
    """Four scanned JPEGs, each with an approved caption, and one with a draft (never evaluated)."""
    root = tmp_path / "library"
    files = [photo_files.jpeg(root / f"photo{i}.jpg", seed=i) for i in range(len(CAPTIONS) + 1)]
    scanner.scan(root)
    with catalogue.write() as session:
        for path, text in zip(files, [*CAPTIONS, "a draft nobody approved"], strict=True):
            photo = find_photo(session, str(path))
            add_caption(session, photo, text, origin=CaptionOrigin.HUMAN, author="ana")
            if text in CAPTIONS:
                set_review_state(session, photo, ReviewState.APPROVED, author="ana")
    return files[:len(CAPTIONS)]


@pytest.fixture(scope="module")
def models(tiny_model: Callable[..., Path]) -> dict[str, Path]:
    return {"base": tiny_model(vit_gpt2, "vit-gpt2-base", seed=0),
            "tuned": tiny_model(vit_gpt2, "vit-gpt2-tuned", seed=1)}


def test_evaluate_puts_two_models_side_by_side(catalogue: Catalogue, approved: list[Path],
                                               models: dict[str, Path]) -> None:
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=3)
    report = evaluate(catalogue, "encoder-decoder", [str(models["base"]), str(models["tuned"])], "all",
                      engine=engine)
    assert (report.split, report.pairs) == (Split.ALL, len(CAPTIONS))  # the draft is not a reference
    assert [e.label for e in report.models] == ["vit-gpt2-base", "vit-gpt2-tuned"]
    for evaluation in report.models:
        assert evaluation.pairs == len(CAPTIONS) and not evaluation.failed
        assert evaluation.validation_loss is not None and math.isfinite(evaluation.validation_loss)
        assert evaluation.validation_loss > 0
        assert list(evaluation.metrics) == list(METRICS)
        assert all(math.isfinite(value) and value >= 0 for value in evaluation.metrics.values())
    # Different weights: different losses (each model's own, not one computed twice).
    assert report.models[0].validation_loss != report.models[1].validation_loss
    table = report.table().splitlines()
    assert "vit-gpt2-base" in table[0] and "vit-gpt2-tuned" in table[0]
    assert [line.split()[0] for line in table[1:]] == ["pairs", "loss", *METRICS]
    assert table[1].split()[1:] == ["4", "4"]
    assert SPICE_NOTE in report.notes()


@pytest.mark.parametrize("build", [vit_gpt2, blip, florence2], ids=["vision-encoder-decoder", "blip",
                                                                   "florence2"])
def test_validation_loss_is_a_per_token_mean_whatever_the_batches(build, tmp_path: Path) -> None:
    """Each family's loss from its forward(labels=...): finite, and the same mean per caption token
    whether the captions go in one batch or one at a time (so longer captions weigh more)."""
    captioner_id = "encoder-decoder" if build is vit_gpt2 else "generic"
    folder = build(tmp_path / "model")
    pairs = [Pair(i, str(photo_files.jpeg(tmp_path / f"p{i}.jpg", seed=i)), text)
             for i, text in enumerate(CAPTIONS[:3])]
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32")  # exact sums to compare
    captioner = engine.captioner(captioner_id, str(folder))
    settings = captioner.option_defaults()
    together = validation_loss(captioner, pairs, settings, batch_size=3)
    alone = [validation_loss(captioner, [pair], settings, batch_size=1) for pair in pairs]
    assert math.isfinite(together) and together > 0
    assert min(alone) <= together <= max(alone)
    assert together != pytest.approx(sum(alone) / len(alone), rel=1e-4)  # not a mean of means
    assert validation_loss(captioner, pairs, settings, batch_size=2) == pytest.approx(together, rel=1e-4)


# --- the command ----------------------------------------------------------------------------------------

@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_path: Path):
    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, *args, "--db", str(db_path), "--device", "cpu", "--dtype", "float32")

    return run


def test_cli_table_and_json(cli, catalogue: Catalogue, approved: list[Path], models: dict[str, Path]) -> None:
    code, out, err = cli("evaluate", "--captioner", "encoder-decoder", "--model", str(models["base"]),
                         "--model", str(models["tuned"]), "--no-base", "--split", "all")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "encoder-decoder on 4 approved captions (all split)"
    assert lines[2].split() == ["vit-gpt2-base", "vit-gpt2-tuned"]
    assert [line.split()[0] for line in lines[3:12]] == ["pairs", "loss", *METRICS]
    assert f"note: {SPICE_NOTE}" in lines

    # By default the validation split: the photos the trainer held out (same share and seed).
    code, out, err = cli("evaluate", "--captioner", "encoder-decoder", "--model", str(models["tuned"]),
                         "--no-base", "--json")
    assert code == 0, err
    report = json.loads(out)
    _, held_out = split(approved_pairs(catalogue))
    assert (report["split"], report["pairs"]) == ("validation", len(held_out))
    assert 0 < len(held_out) < len(CAPTIONS)
    [evaluation] = report["models"]
    assert evaluation["model"] == str(models["tuned"]) and evaluation["pairs"] == len(held_out)
    assert set(evaluation["metrics"]) == set(METRICS) and evaluation["validation_loss"] > 0


def test_cli_without_approved_captions_says_so(cli, catalogue: Catalogue, models: dict[str, Path]) -> None:
    code, _, err = cli("evaluate", "--captioner", "encoder-decoder", "--model", str(models["base"]))
    assert code == 1
    assert err.strip() == ("photo-annotator: error: there are no approved captions in the validation split "
                           "to evaluate against; approve some captions first")


def test_a_fine_tuned_model_is_scored_on_the_split_it_was_trained_with(tmp_path: Path) -> None:
    from desktop_app.training.evaluate import split_settings_of

    folder = tmp_path / "v1"
    folder.mkdir()
    (folder / "training.json").write_text(json.dumps({"settings": {"validation_share": 0.25, "seed": 3}}))
    assert split_settings_of([None, str(folder)]) == (0.25, 3)
    assert split_settings_of([None, "org/hub-model"]) == (0.1, 0)  # the trainer's defaults
    (folder / "training.json").write_text("not json")
    assert split_settings_of([str(folder)]) == (0.1, 0)


def fine_tuned(models: dict[str, Path], tmp_path: Path, base_model: str) -> Path:
    """A copy of the "tuned" model with the training record `train` writes beside a fine-tuned model."""
    folder = tmp_path / "fine-tuned" / "v1"
    shutil.copytree(models["tuned"], folder)
    (folder / "training.json").write_text(json.dumps({
        "captioner_id": "encoder-decoder", "base_model": base_model,
        "settings": {"validation_share": 0.1, "seed": 0}}))
    return folder


def test_a_fine_tune_is_compared_with_the_model_it_started_from(
        cli, catalogue: Catalogue, approved: list[Path], models: dict[str, Path], tmp_path: Path) -> None:
    # The captioner's default (a hub model, not downloaded here, offline) is not the base: no failure.
    tuned = fine_tuned(models, tmp_path, str(models["base"]))
    code, out, err = cli("evaluate", "--captioner", "encoder-decoder", "--model", str(tuned),
                         "--split", "all", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [(e["model"], e["label"]) for e in report["models"]] == [
        (str(models["base"]), "vit-gpt2-base"), (str(tuned), "v1")]
    assert report["left_out"] == {}
    assert all(e["pairs"] == len(CAPTIONS) for e in report["models"])


def test_a_base_model_that_is_not_here_is_left_out_with_a_note(
        cli, catalogue: Catalogue, approved: list[Path], models: dict[str, Path], tmp_path: Path) -> None:
    tuned = fine_tuned(models, tmp_path, "someone/not-downloaded-base")
    code, out, err = cli("evaluate", "--captioner", "encoder-decoder", "--model", str(tuned),
                         "--split", "all")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[2].split() == ["v1"]  # the one column: the fine-tune
    note = [line for line in lines if "not-downloaded-base" in line]
    assert note == [
        "note: base model someone/not-downloaded-base not evaluated: model 'someone/not-downloaded-base' is "
        f"not downloaded (looked in {hub_cache_dir()}) and the model hub cannot be reached; connect to the "
        "internet once to download it, or use a local model folder with --model FOLDER"]
    # A base folder that is gone, and a model that is no fine-tune (its base: the captioner's default).
    gone = fine_tuned(models, tmp_path / "other", str(tmp_path / "deleted-base"))
    code, out, err = cli("evaluate", "--captioner", "encoder-decoder", "--model", str(gone),
                         "--model", str(models["base"]), "--split", "all", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [e["label"] for e in report["models"]] == ["v1", "vit-gpt2-base"]
    assert report["left_out"] == {str(tmp_path / "deleted-base"):
                                  f"model folder {tmp_path / 'deleted-base'} does not exist"}
    code, out, err = cli("evaluate", "--captioner", "encoder-decoder", "--model", str(models["base"]),
                         "--split", "all", "--json")
    assert code == 0, err
    assert list(json.loads(out)["left_out"]) == ["nlpconnect/vit-gpt2-image-captioning"]


def test_a_model_whose_loss_fails_still_gets_its_scores(catalogue: Catalogue, approved: list[Path],
                                                        models: dict[str, Path],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_forward(*args: object, **kwargs: object) -> None:
        raise RuntimeError("shape mismatch in the decoder\nlong traceback follows")

    monkeypatch.setattr("desktop_app.training.evaluate.loss_inputs", broken_forward)
    engine = CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=4)
    report = evaluate(catalogue, "encoder-decoder", [str(models["base"])], "all", engine=engine)
    [evaluation] = report.models
    assert evaluation.validation_loss is None and evaluation.pairs == len(CAPTIONS)
    assert evaluation.loss_note == "the model failed: RuntimeError: shape mismatch in the decoder"
    assert list(evaluation.metrics) == list(METRICS)
    assert "no validation loss for vit-gpt2-base: the model failed: RuntimeError: shape mismatch in the " \
           "decoder" in report.notes()
