"""The `caption` and `jobs` commands and the checks every captioning job passes before it exists: photos
to caption, a model folder (stored absolute), options the captioner takes; a run cancelled elsewhere,
the closing summary, and the progress display that embed, train and evaluate share."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.catalogue.models import Caption, Job
from desktop_app.cli import job_output
from desktop_app.jobs import leases, store
from desktop_app.jobs.checks import ModelFolderError, OptionError, check_caption_job
from desktop_app.plugin_registry import load_plugins
from tests import photo_files, test_jobs, test_training
from tests.cli_helpers import run_cli
from tests.test_jobs import _done_items, make_runner

# The job tests' fixtures: ten photos (the tiny models are conftest.py's).
shoot, photo_ids = test_jobs.shoot, test_jobs.photo_ids
approved = test_training.approved  # eight photos with approved captions


def jobs_in(db_path: Path) -> list[Job]:
    with open_catalogue(db_path) as catalogue, catalogue.read() as session:
        found = list(session.scalars(select(Job)))
        session.expunge_all()
        return found


# -- 1. nothing to caption ---------------------------------------------------------------------------------

def test_caption_of_an_empty_folder_or_of_unreadable_files_says_so_and_queues_no_job(
    tmp_path: Path, db_path: Path, vit_gpt2_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = tmp_path / "bad"
    photo_files.text_as_jpeg(bad / "a.jpg")
    photo_files.zero_byte(bad / "b.jpg")
    for folder in (empty, bad):
        code, out, err = run_cli(capsys, "caption", str(folder), "--captioner", "encoder-decoder",
                                 "--model", str(vit_gpt2_folder), "--db", str(db_path))
        assert code == 1 and out == ""
        assert err.strip() == f"photo-annotator: error: no readable photos to caption in {folder}"
    assert jobs_in(db_path) == []


def test_the_job_queue_refuses_a_job_of_no_photos(catalogue: Catalogue) -> None:
    runner, _ = make_runner(catalogue)
    with pytest.raises(store.JobError, match="no photos to caption"):
        runner.queue_caption_job("encoder-decoder", [])
    with catalogue.read() as session:
        assert list(session.scalars(select(Job))) == []


# -- 2. a model folder is stored as an absolute path ------------------------------------------------

def test_a_relative_model_folder_is_stored_absolute_and_resumes_from_anywhere(
    catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path, shoot: Path, db_path: Path,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(vit_gpt2_folder.parent)
    relative = os.path.join(".", vit_gpt2_folder.name)
    runner, _ = make_runner(catalogue)  # the app's path
    job = runner.queue_caption_job("encoder-decoder", photo_ids[:2], model=relative,
                                   options={"max_new_tokens": 4})
    assert job.model_id == str(vit_gpt2_folder.resolve())
    code, _, err = run_cli(capsys, "caption", str(shoot / "02.jpg"), "--captioner", "encoder-decoder",
                           "--model", relative, "--max-new-tokens", "4", "--db", str(db_path))
    assert code == 0, err

    monkeypatch.chdir(tmp_path)  # `jobs resume` from another folder
    code, out, err = run_cli(capsys, "jobs", "resume", str(job.id), "--json", "--db", str(db_path))
    assert code == 0, err
    assert len(out.splitlines()) == 2
    with catalogue.read() as session:
        assert {job.model_id for job in session.scalars(select(Job))} == {str(vit_gpt2_folder.resolve())}
        assert {c.model_id for c in session.scalars(select(Caption))} == {str(vit_gpt2_folder.resolve())}


def test_a_model_that_looks_like_a_folder_but_is_none_is_refused_before_any_job(
    shoot: Path, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "caption", str(shoot), "--captioner", "encoder-decoder",
                           "--model", "./no-such-model", "--db", str(db_path))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "model folder ./no-such-model does not exist" in err and "'--model'" in err
    assert not db_path.exists()  # refused before the catalogue was even opened
    prototype = load_plugins().get_captioner("encoder-decoder")
    with pytest.raises(ModelFolderError, match="model folder ~/nowhere/model does not exist"):
        check_caption_job(prototype, "~/nowhere/model", {})
    assert check_caption_job(prototype, "org/name", {}) == ("org/name", {})  # a hub id stays as it is


# -- 3. options checked before a job exists ------------------------------------------------------------

def test_an_invalid_prompt_or_option_is_one_usage_error_before_any_job(
    shoot: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "caption", str(shoot), "--captioner", "generic", "--prompt", "poem",
                           "--db", str(db_path))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "'--prompt'" in err and "caption, detailed, more-detailed, ocr" in err and "'poem'" in err
    code, _, err = run_cli(capsys, "caption", str(shoot), "--captioner", "encoder-decoder", "--prompt", "x",
                           "--db", str(db_path))
    assert code == 2 and "'--prompt'" in err and "has no option prompt" in err
    assert not db_path.exists()


def test_the_shared_option_check_follows_the_captioner_and_its_model(
    catalogue: Catalogue, photo_ids: list[int], tmp_path: Path
) -> None:
    generic = load_plugins().get_captioner("generic")
    blip = tmp_path / "my-blip"
    blip.mkdir()
    (blip / "config.json").write_text(json.dumps({"model_type": "blip"}))
    # BLIP continues any text; it has no OCR task. Florence-2 (the default model) takes only its tasks.
    assert check_caption_job(generic, str(blip), {"prompt": "a photography of"})[1] == {
        "prompt": "a photography of"}
    with pytest.raises(OptionError, match="BLIP has no 'ocr' task"):
        check_caption_job(generic, str(blip), {"prompt": "ocr"})
    assert check_caption_job(generic, None, {"prompt": "detailed"})[1] == {"prompt": "detailed"}
    with pytest.raises(OptionError) as error:
        check_caption_job(generic, None, {"prompt": "poem"})
    assert error.value.option == "prompt"
    with pytest.raises(OptionError, match="max_new_tokens must be a whole number, not 'many'"):
        check_caption_job(generic, None, {"max_new_tokens": "many"})
    with pytest.raises(OptionError, match="has no option temperature"):
        check_caption_job(generic, None, {"temperature": 0.5})

    runner, _ = make_runner(catalogue)  # the app's path: the runner refuses it too, with no job
    with pytest.raises(OptionError):
        runner.queue_caption_job("generic", photo_ids, options={"prompt": "poem"})
    with catalogue.read() as session:
        assert list(session.scalars(select(Job))) == []


def test_the_caption_dialog_shows_an_invalid_option_and_queues_nothing(qtbot: object) -> None:
    from desktop_app.settings import load_settings
    from desktop_app.ui.dialogs.caption import CaptionDialog

    dialog = CaptionDialog(list(load_plugins().captioners.values()), load_settings(), [1, 2])
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.set_captioner("generic")  # its default model: Florence-2
    dialog.set_option("prompt", "write a poem")
    assert not dialog.ok_button.isEnabled() and dialog.problem.isVisibleTo(dialog)
    assert "prompt must be one of caption, detailed, more-detailed, ocr" in dialog.problem.text()
    dialog.accept()
    assert dialog.result() != CaptionDialog.DialogCode.Accepted
    dialog.set_option("prompt", "ocr")
    dialog.ok_button.click()
    assert dialog.result() == CaptionDialog.DialogCode.Accepted


# -- 4. cancelled elsewhere; the closing summary -----------------------------------------------------------

def test_a_caption_run_cancelled_from_elsewhere_says_so_and_exits_1(
    shoot: Path, slowest_vit_gpt2_folder: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cancelled: list[int] = []

    def cancel_once_a_photo_is_done() -> None:  # `jobs cancel` in another terminal
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and _done_items(db_path) < 1:
            time.sleep(0.02)
        with open_catalogue(db_path) as other, other.write() as session:
            cancelled.append(leases.cancel(session, 1).id)

    canceller = threading.Thread(target=cancel_once_a_photo_is_done)
    canceller.start()
    try:
        code, out, err = run_cli(capsys, "caption", str(shoot), "--captioner", "encoder-decoder",
                                 "--model", str(slowest_vit_gpt2_folder), "--batch-size", "1",
                                 "--max-new-tokens", "200", "--json", "--db", str(db_path))
    finally:
        canceller.join()
    (job,) = jobs_in(db_path)
    done = len(out.splitlines())
    assert cancelled == [1] and code == 1 and 1 <= done < 10 and job.state.value == "cancelled"
    lines = err.strip().splitlines()
    assert lines[-1] == f"photo-annotator: error: job 1 cancelled after {done} of 10"
    assert lines[-2].startswith(f"job 1 cancelled: {done} captioned, 0 failed, {10 - done} skipped of 10 in ")


def test_every_run_ends_with_a_summary_line(
    shoot: Path, vit_gpt2_folder: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo_files.truncated_jpeg(shoot / "09.jpg")
    code, out, err = run_cli(capsys, "caption", str(shoot), "--captioner", "encoder-decoder",
                             "--model", str(vit_gpt2_folder), "--max-new-tokens", "4", "--db", str(db_path))
    assert code == 0 and len(out.splitlines()) == 9  # the truncated file was unreadable at the scan
    assert err.strip().splitlines()[-1].startswith("job 1 done: 9 captioned, 0 failed, 0 skipped of 9 in ")

    with open_catalogue(db_path) as catalogue:
        runner, _ = make_runner(catalogue)
        with catalogue.read() as session:
            ids = [caption.photo_id for caption in session.scalars(select(Caption))][:3]
        queued = runner.queue_caption_job("encoder-decoder", ids, model=str(vit_gpt2_folder),
                                          options={"max_new_tokens": 4})
    code, _, err = run_cli(capsys, "jobs", "resume", "--db", str(db_path))
    assert code == 0
    assert err.strip().splitlines()[-1].startswith(f"job {queued.id} done: 3 captioned, 0 failed, 0 skipped")


# -- 7. one progress display -------------------------------------------------------------------------------

def test_the_progress_bar_shows_the_count_and_the_time_left_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(job_output, "stderr_is_terminal", lambda: True)
    bar = job_output.ProgressBar("Embedding captions")
    bar.update(0, 4)
    bar.update(2, 4, eta_seconds=75)
    bar.print("a line above the bar", err=True)
    bar.update(4, 4)
    bar.close()
    err = capsys.readouterr().err
    assert "\r\x1b[KEmbedding captions [############------------] 2/4, 1:15 left" in err
    assert "\r\x1b[Ka line above the bar\n\r\x1b[KEmbedding captions [############" in err
    assert "[########################] 4/4\r\x1b[K" in err  # no time left at the end, cleared on close

    monkeypatch.setenv("COLUMNS", "60")  # a label too long for the terminal gives way, the count stays
    long = job_output.ProgressBar("Captioning with /models/" + "x" * 80 + "/v3")
    long.update(1, 4, eta_seconds=5)
    shown = long.text(bar=True)
    assert len(shown) == 59 and shown.startswith("…xxx")
    assert shown.endswith("xxx/v3 [######------------------] 1/4, 0:05 left")
    long.close()
    capsys.readouterr()

    monkeypatch.setattr(job_output, "stderr_is_terminal", lambda: False)
    quiet = job_output.ProgressBar("Evaluating")
    quiet.update(1, 4)
    logged = job_output.ProgressBar("Fine-tuning", unit="step ", log_every=0.5)
    for step in range(1, 5):
        logged.update(step, 4, detail="  loss 0.5", eta_seconds=(4 - step) * 10)
    assert capsys.readouterr().err.splitlines() == ["Fine-tuning: step 2/4  loss 0.5, 0:20 left",
                                                    "Fine-tuning: step 4/4  loss 0.5"]


def test_embed_train_and_evaluate_show_the_same_progress_bar_with_the_time_left(
    approved: list[object], vit_gpt2_folder: Path, db_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(job_output, "stderr_is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "400")  # room for the whole label
    monkeypatch.chdir(vit_gpt2_folder.parent)  # train from a relative model folder: recorded absolute
    commands = {
        "Embedding captions [": ["embed", "--batch-size", "2", "--device", "cpu"],
        "Fine-tuning (job 1) [": ["train", "--captioner", "encoder-decoder", "--model", vit_gpt2_folder.name,
                                  "--output", str(tmp_path / "tuned"), "--epochs", "1", "--batch-size", "2",
                                  "--device", "cpu", "--no-evaluate"],
        f"Captioning with {vit_gpt2_folder} [": ["evaluate", "--captioner", "encoder-decoder", "--no-base",
                                            "--model", str(vit_gpt2_folder), "--split", "all",
                                            "--batch-size", "2", "--device", "cpu"],
    }
    for bar, args in commands.items():
        code, _, err = run_cli(capsys, *args, "--db", str(db_path))
        assert code == 0, err
        shown = [part for part in err.split("\r\x1b[K") if part.startswith(bar)]
        assert shown and any(part.endswith(" left") for part in shown), (bar, err)
        assert err.count("\r\x1b[K") > len(shown)  # cleared when done
    trained = json.loads((tmp_path / "tuned" / "v1" / "training.json").read_text())
    assert trained["base_model"] == str(vit_gpt2_folder.resolve())
    code, _, err = run_cli(capsys, "train", "--captioner", "encoder-decoder", "--model", "./no-such-model",
                           "--output", str(tmp_path / "never"), "--db", str(db_path))
    assert code == 2 and "model folder ./no-such-model does not exist" in err
    assert not (tmp_path / "never").exists()
