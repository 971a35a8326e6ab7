"""Fine-tuning captioners on approved captions: tiny random models, real photos, a real catalogue."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, set_review_state
from desktop_app.catalogue.models import CaptionOrigin, ReviewState
from desktop_app.catalogue.photos import find_photo
from desktop_app.cli.main import main
from desktop_app.jobs.runner import Progress
from desktop_app.library.scanner import Scanner
from desktop_app.training.dataset import Pair, TrainingDataError, approved_pairs, split
from desktop_app.training.trainer import TrainingError, TrainSettings, train
from plugins.encoder_decoder import EncoderDecoderCaptioner
from plugins.generic import GenericCaptioner
from plugins.product_description import ProductDescriptionCaptioner
from tests import photo_files
from tests.tiny_models.blip import blip
from tests.tiny_models.florence2 import florence2
from tests.tiny_models.idefics3 import idefics3
from tests.tiny_models.vision_encoder_decoder import vit_gpt2

# Each photo's caption is a function of its colour: something a model can learn in a few steps.
COLOURS = {"red": (220, 30, 30), "blue": (30, 40, 220), "white": (245, 245, 245), "black": (10, 10, 10)}
FAST = TrainSettings(epochs=20, lr=3e-3, batch_size=4, warmup_steps=0, patience=None, validation_share=0.25)


@pytest.fixture
def approved(tmp_path: Path, catalogue: Catalogue, scanner: Scanner) -> list[Pair]:
    """Eight JPEGs, two of each colour, each captioned "a COLOUR car" and approved; plus one draft and
    one rejected caption that must not be trained on."""
    root = tmp_path / "library"
    files = {}
    for number in range(8):
        name = list(COLOURS)[number % 4]
        files[f"{name}{number}.jpg"] = (photo_files.save(Image.new("RGB", (48, 40), COLOURS[name]),
                                                         root / f"{name}{number}.jpg", quality=95), name)
    photo_files.jpeg(root / "draft.jpg", seed=1)
    photo_files.jpeg(root / "rejected.jpg", seed=2)
    scanner.scan(root)
    with catalogue.write() as session:
        for path, colour in files.values():
            photo = find_photo(session, str(path))
            add_caption(session, photo, f"a {colour} car", origin=CaptionOrigin.HUMAN, author="ana")
            set_review_state(session, photo, ReviewState.APPROVED, author="bo")
        draft = find_photo(session, str(root / "draft.jpg"))
        add_caption(session, draft, "a dog", origin=CaptionOrigin.HUMAN, author="ana")
        rejected = find_photo(session, str(root / "rejected.jpg"))
        add_caption(session, rejected, "a cat", origin=CaptionOrigin.HUMAN, author="ana")
        set_review_state(session, rejected, ReviewState.REJECTED, author="bo")
    return approved_pairs(catalogue)


def test_approved_pairs_are_the_current_approved_captions(approved: list[Pair]) -> None:
    assert len(approved) == 8
    assert {pair.caption for pair in approved} == {f"a {colour} car" for colour in COLOURS}
    assert all(Path(pair.path).is_file() for pair in approved)


def test_split_is_stable_when_photos_are_added() -> None:
    pairs = [Pair(number, f"/p/{number}.jpg", "a car") for number in range(1, 201)]
    train_pairs, validation = split(pairs, validation_share=0.1, seed=0)
    assert split(pairs, 0.1, 0) == (train_pairs, validation)  # deterministic
    assert 5 < len(validation) < 40 and len(train_pairs) + len(validation) == 200
    more = pairs + [Pair(number, f"/p/{number}.jpg", "a car") for number in range(201, 400)]
    _, validation_after = split(more, validation_share=0.1, seed=0)
    assert {p.photo_id for p in validation_after if p.photo_id <= 200} == {p.photo_id for p in validation}
    assert split(pairs, 0.1, seed=1)[1] != validation  # the seed matters
    # Two pairs: one on each side, whatever the share.
    small_train, small_validation = split(pairs[:2], validation_share=0.01)
    assert len(small_train) == len(small_validation) == 1


def test_validation_loss_falls_and_the_saved_folder_is_a_captioner(tmp_path: Path,
                                                                    approved: list[Pair]) -> None:
    model = vit_gpt2(tmp_path / "tiny-vit-gpt2")
    seen: list[tuple[int, int]] = []
    report = train(EncoderDecoderCaptioner(model=str(model)), approved, tmp_path / "out", FAST, device="cpu",
                   progress=lambda step, total, loss, val: seen.append((step, total)))
    assert not report.cancelled and report.epochs_done == 20
    train_pairs, validation_pairs = split(approved, FAST.validation_share, FAST.seed)
    assert (report.train_pairs, report.validation_pairs) == (len(train_pairs), len(validation_pairs))
    assert (report.train_pairs, report.validation_pairs) == (7, 1)
    assert report.validation_loss[-1] < 0.5 * report.validation_loss[0], report.validation_loss
    assert seen[-1] == (report.total_steps, report.total_steps) == (40, 40)

    folder = Path(report.model_folder or "")
    assert folder == tmp_path / "out" / "v1"
    assert (folder / "model.safetensors").is_file() and (folder / "generation_config.json").is_file()
    card = (folder / "README.md").read_text()
    assert f"base_model: {model}" in card and "7 photos for training, 1 for validation" in card
    assert f"{report.validation_loss[-1]:.4f}" in card
    assert _exact_captions(EncoderDecoderCaptioner(model=str(model)), approved) == 0  # random: nonsense
    assert _exact_captions(EncoderDecoderCaptioner(model=str(folder)), approved) >= 4  # learnt

    # Training the same output again starts a new version from the base model.
    again = train(EncoderDecoderCaptioner(model=str(model)), approved, tmp_path / "out",
                  TrainSettings(epochs=1, batch_size=4), device="cpu")
    assert again.model_folder == str(tmp_path / "out" / "v2") and again.resumed_from_step is None


def _exact_captions(captioner: EncoderDecoderCaptioner, pairs: list[Pair]) -> int:
    """How many photos the captioner captions exactly as approved."""
    captioner.load("cpu", "float32")
    photos = [Image.open(pair.path).convert("RGB") for pair in pairs]
    results = captioner.caption(photos, {"max_new_tokens": 6})
    return sum(result.text == pair.caption for result, pair in zip(results, pairs, strict=True))


def test_resume_continues_where_it_stopped(tmp_path: Path, approved: list[Pair]) -> None:
    model = str(vit_gpt2(tmp_path / "tiny-vit-gpt2"))
    settings = TrainSettings(epochs=2, lr=1e-3, batch_size=2, warmup_steps=1, patience=None,
                             validation_share=0.25)
    whole = train(EncoderDecoderCaptioner(model=model), approved, tmp_path / "whole", settings, device="cpu")

    steps: list[int] = []
    stopped = train(EncoderDecoderCaptioner(model=model), approved, tmp_path / "parts", settings,
                    device="cpu", progress=lambda step, *_: steps.append(step),
                    stop=lambda: bool(steps) and steps[-1] == 2)
    assert stopped.cancelled and stopped.steps == 2 and stopped.model_folder is None
    assert (tmp_path / "parts" / "checkpoints" / "last" / "model.safetensors").is_file()
    # Other settings given on resume are ignored: the checkpoint's win.
    resumed = train(EncoderDecoderCaptioner(model=model), approved, tmp_path / "parts",
                    TrainSettings(epochs=9, batch_size=3), device="cpu",
                    progress=lambda step, *_: steps.append(step))
    assert resumed.resumed_from_step == 2 and steps == [1, 2, 3, 4, 4, 5, 6, 7, 8, 8]  # epoch ends too
    assert resumed.steps == whole.steps == 8
    assert resumed.validation_loss == whole.validation_loss
    assert resumed.train_loss == whole.train_loss

    from safetensors.torch import load_file

    expected = load_file(str(Path(whole.model_folder or "") / "model.safetensors"))
    actual = load_file(str(Path(resumed.model_folder or "") / "model.safetensors"))
    assert expected.keys() == actual.keys()
    assert all((expected[name] == actual[name]).all() for name in expected)  # bit for bit


@pytest.mark.parametrize("build", [blip, florence2], ids=["blip", "florence2"])
def test_blip_and_florence2_fine_tune_into_a_generic_captioner(tmp_path: Path, approved: list[Pair],
                                                               build) -> None:  # type: ignore[no-untyped-def]
    model = build(tmp_path / "tiny")
    report = train(GenericCaptioner(model=str(model)), approved, tmp_path / "out",
                   TrainSettings(epochs=3, lr=3e-3, batch_size=4, warmup_steps=0, patience=None,
                                 validation_share=0.25), device="cpu")
    assert report.validation_loss[-1] < report.validation_loss[0], report.validation_loss
    captioner = GenericCaptioner(model=report.model_folder)
    captioner.load("cpu", "float32")
    [result] = captioner.caption([Image.open(approved[0].path).convert("RGB")], {"max_new_tokens": 6})
    assert result.model_id == report.model_folder and isinstance(result.text, str)


def test_a_model_that_cannot_be_fine_tuned_says_so(tmp_path: Path, approved: list[Pair]) -> None:
    model = idefics3(tmp_path / "tiny-smolvlm")
    with pytest.raises(TrainingError, match=r"product-description cannot be fine-tuned: .*idefics3"):
        train(ProductDescriptionCaptioner(model=str(model)), approved, tmp_path / "out", device="cpu")


def test_too_few_approved_captions(tmp_path: Path, approved: list[Pair]) -> None:
    with pytest.raises(TrainingDataError, match=r"^1 approved caption in the catalogue; .* at least 2"):
        train(EncoderDecoderCaptioner(model=str(tmp_path)), approved[:1], tmp_path / "out", device="cpu")


def test_cli_trains_and_reports(tmp_path: Path, approved: list[Pair], db_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    model = vit_gpt2(tmp_path / "tiny-vit-gpt2")
    out = tmp_path / "out"
    args = ["train", "--captioner", "encoder-decoder", "--model", str(model), "--output", str(out),
            "--epochs", "2", "--batch-size", "4", "--lr", "1e-3", "--device", "cpu", "--no-evaluate",
            "--db", str(db_path)]
    with pytest.raises(SystemExit) as exited:
        main([*args, "--json"])
    assert exited.value.code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["event"] for line in lines] == ["progress"] * 6 + ["done"]  # 2 steps per epoch, 2 epoch ends
    assert lines[-1]["model_folder"] == str(out / "v1") and lines[-1]["train_pairs"] == 7

    with pytest.raises(SystemExit) as exited:
        main(args)  # a finished output: a new version from the base model, progress on stderr
    assert exited.value.code == 0
    captured = capsys.readouterr()
    saved = out / "v2"
    assert f"saved {saved} (use it with --captioner encoder-decoder --model {saved})" in captured.out
    assert "step 4/4  loss " in captured.err and "validation loss" in captured.err

    with pytest.raises(SystemExit) as exited:
        main(["train", "--captioner", "product-description", "--model", str(idefics3(tmp_path / "vlm")),
              "--output", str(out), "--db", str(db_path)])
    assert exited.value.code == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("photo-annotator: error: captioner product-description cannot be fine-tuned")
    assert "\n" not in error


def test_ctrl_c_saves_a_checkpoint_and_exits_130(tmp_path: Path, approved: list[Pair], db_path: Path) -> None:
    model = vit_gpt2(tmp_path / "tiny-vit-gpt2")
    out = tmp_path / "out"
    command = [sys.executable, "-m", "desktop_app", "train", "--captioner", "encoder-decoder", "--model",
               str(model), "--output", str(out), "--epochs", "30", "--batch-size", "1", "--device", "cpu",
               "--db", str(db_path), "--json", "--no-evaluate"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert process.stdout is not None
    first = json.loads(process.stdout.readline())
    assert first["event"] == "progress"
    process.send_signal(signal.SIGINT)
    rest, errors = process.communicate(timeout=60)
    assert process.returncode == 130, errors
    report = json.loads(rest.splitlines()[-1])
    assert report["cancelled"] and report["steps"] < report["total_steps"] == 7 * 30
    assert errors.strip().splitlines()[-1].startswith(
        f"photo-annotator: interrupted at step {report['steps']} of 210; the same command resumes")
    state = json.loads((out / "checkpoints" / "last" / "state.json").read_text())
    assert state["step"] == report["steps"] and not state["finished"]
    assert not list(out.glob("v*"))


def test_a_base_model_folder_is_recorded_as_its_absolute_path(tmp_path: Path, approved: list[Pair],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """training.json names the base so that `evaluate` compares with it from any directory."""
    vit_gpt2(tmp_path / "models" / "tiny-vit-gpt2")
    monkeypatch.chdir(tmp_path / "models")
    settings = TrainSettings(epochs=1, batch_size=4)
    report = train(EncoderDecoderCaptioner(model="tiny-vit-gpt2"), approved, tmp_path / "out", settings,
                   device="cpu")
    record = json.loads((Path(report.model_folder or "") / "training.json").read_text())
    assert record["base_model"] == report.base_model == str(tmp_path / "models" / "tiny-vit-gpt2")


def _interrupt_after_step(monkeypatch: pytest.MonkeyPatch, step: int) -> None:
    """Ctrl+C once the CLI has shown optimizer step ``step`` (as a person would press it)."""
    from desktop_app.cli.job_output import JobOutput

    shown = JobOutput.progress
    pressed: list[int] = []

    def progress(self: JobOutput, progress: Progress) -> None:
        shown(self, progress)
        if progress.done == step and not pressed:  # an epoch's end reports its last step again
            pressed.append(step)
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(JobOutput, "progress", progress)


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out, captured.err


def test_cli_training_is_a_job_listed_with_its_steps_and_jobs_resume_continues_it(
    tmp_path: Path, approved: list[Pair], db_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    model = vit_gpt2(tmp_path / "tiny-vit-gpt2")
    db = ("--db", str(db_path))
    _interrupt_after_step(monkeypatch, 1)
    code, out, err = _cli(capsys, "train", "--captioner", "encoder-decoder", "--model", str(model),
                          "--output", str(tmp_path / "out"), "--epochs", "2", "--batch-size", "4",
                          "--lr", "1e-3", "--device", "cpu", "--json", "--no-evaluate", *db)
    assert code == 130
    stopped = json.loads(out.splitlines()[-1])
    assert stopped["event"] == "done" and stopped["cancelled"] and stopped["steps"] == 1
    assert "`photo-annotator jobs resume 1`" in err.splitlines()[-1]
    monkeypatch.undo()

    code, out, _err = _cli(capsys, "jobs", "--json", *db)
    (job,) = [json.loads(line) for line in out.splitlines()]
    assert (job["kind"], job["state"], job["done"], job["total"]) == ("train", "queued", 1, 4)
    code, out, _err = _cli(capsys, "jobs", *db)
    listed = f"job 1: queued, fine-tuning encoder-decoder ({model}) into {tmp_path / 'out'}, 1 of 4 steps"
    assert listed in out

    code, out, err = _cli(capsys, "jobs", "resume", "1", "--device", "cpu", "--json", *db)
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {**lines[0], "event": "progress", "step": 2, "total": 4}  # from the checkpoint
    assert lines[-1]["resumed_from_step"] == 1 and lines[-1]["model_folder"] == str(tmp_path / "out" / "v1")
    code, out, _err = _cli(capsys, "jobs", *db)
    assert out.startswith("job 1: done, fine-tuning encoder-decoder") and "4 of 4 steps" in out


def test_the_same_train_command_again_continues_the_interrupted_job(
    tmp_path: Path, approved: list[Pair], db_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    model = vit_gpt2(tmp_path / "tiny-vit-gpt2")
    args = ("train", "--captioner", "encoder-decoder", "--model", str(model), "--output",
            str(tmp_path / "out"), "--epochs", "2", "--batch-size", "4", "--lr", "1e-3", "--device", "cpu",
            "--no-evaluate", "--db", str(db_path))
    _interrupt_after_step(monkeypatch, 3)
    code, out, err = _cli(capsys, *args)
    assert code == 130 and "training stopped at step 3 of 4" in out
    assert "the same command resumes from the checkpoint" in err.splitlines()[-1]
    monkeypatch.undo()

    code, out, err = _cli(capsys, *args)
    assert code == 0, err
    assert f"saved {tmp_path / 'out' / 'v1'}" in out
    code, out, _err = _cli(capsys, "jobs", "--json", "--db", str(db_path))
    (job,) = [json.loads(line) for line in out.splitlines()]  # the same job, not a second one
    assert (job["state"], job["done"], job["total"]) == ("done", 4, 4)
    state = json.loads((tmp_path / "out" / "checkpoints" / "last" / "state.json").read_text())
    assert state["finished"] and state["step"] == 4


def test_a_train_job_cancelled_from_elsewhere_stops_after_its_step(tmp_path: Path, approved: list[Pair],
                                                                   catalogue: Catalogue) -> None:
    """`jobs cancel ID` in another terminal (or the app) reaches a running training at its next step."""
    from desktop_app.catalogue.models import JobState
    from desktop_app.jobs.runner import JobEvents
    from desktop_app.services import jobs
    from desktop_app.services.engine import build_engine

    class CancelAtFirstStep(JobEvents):
        def progress(self, progress: Progress) -> None:
            if progress.done == 1:
                jobs.cancel_job(catalogue, progress.job_id)  # as another process would: the stored state

    runner = jobs.make_runner(catalogue, build_engine(device="cpu"), CancelAtFirstStep())
    job = jobs.queue_train_job(runner, "encoder-decoder", tmp_path / "out",
                               TrainSettings(epochs=2, batch_size=4, lr=1e-3, validation_share=0.25,
                                             evaluate=False),
                               model=str(vit_gpt2(tmp_path / "tiny-vit-gpt2")))
    ended = jobs.run_job(runner, job.id)
    assert ended.state is JobState.CANCELLED and ended.done == 2 < ended.total
    assert (tmp_path / "out" / "checkpoints" / "last").is_dir()
