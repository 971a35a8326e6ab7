"""Fine-tuning from the app: a training job on the inference worker, with progress, pause and resume
from its checkpoint, like a captioning job."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pytestqt.qtbot import QtBot

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, set_review_state
from desktop_app.catalogue.models import CaptionOrigin, JobState, ReviewState
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import load_plugins
from desktop_app.ui.widgets.job_panel import JobPanel
from desktop_app.ui.widgets.job_status import JobStatus
from desktop_app.ui.workers.inference import InferenceService
from plugins.encoder_decoder import EncoderDecoderCaptioner
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS
from tests.tiny_models.vision_encoder_decoder import vit_gpt2

COLOURS = {"red": (220, 30, 30), "blue": (30, 40, 220), "white": (245, 245, 245), "black": (10, 10, 10)}


@pytest.fixture
def approved(tmp_path: Path, catalogue: Catalogue, scanner: Scanner) -> None:
    root = tmp_path / "library"
    for number in range(8):
        colour = list(COLOURS)[number % 4]
        image = Image.new("RGB", (48, 40), COLOURS[colour])
        photo_files.save(image, root / f"{colour}{number}.jpg", quality=95)
    scanner.scan(root)
    with catalogue.write() as session:
        for number in range(8):
            colour = list(COLOURS)[number % 4]
            photo = find_photo(session, str(root / f"{colour}{number}.jpg"))
            add_caption(session, photo, f"a {colour} car", origin=CaptionOrigin.HUMAN, author="ana")
            set_review_state(session, photo, ReviewState.APPROVED, author="bo")


@pytest.fixture
def service(catalogue: Catalogue) -> Iterator[InferenceService]:
    opened = InferenceService(lambda: CaptionEngine(load_plugins(), device="cpu", dtype="float32"))
    opened.open(catalogue)
    yield opened
    opened.shutdown()


def test_a_training_job_reports_progress_and_saves_a_model_the_captioner_loads(
    qtbot: QtBot, service: InferenceService, approved: None, tmp_path: Path
) -> None:
    base = vit_gpt2(tmp_path / "base")
    panel = JobPanel(service, captioner_names={"encoder-decoder": "Encoder-decoder captions"})
    qtbot.addWidget(panel)
    status = JobStatus(service)
    qtbot.addWidget(status)
    steps: list[tuple[int, int]] = []
    shown: list[str] = []
    service.progress.connect(lambda progress: steps.append((progress.done, progress.total)))
    service.progress.connect(lambda _progress: shown.append(status.text.text()))
    with qtbot.waitSignal(service.job_finished, timeout=MODEL_WAIT_MS) as finished:
        service.queue_train_job("encoder-decoder", str(tmp_path / "tuned"),
                                {"epochs": 2, "lr": 1e-3, "batch_size": 4, "patience": None,
                                 "validation_share": 0.25, "evaluate": False},
                                model=str(base))
    job = finished.args[0]
    assert job.kind == "train" and job.state is JobState.DONE and "fine-tuned" in (job.notice or "")
    assert steps and steps[-1][0] == steps[-1][1] > 0  # every optimizer step reported, to the last
    assert shown[-1].startswith(f"Fine-tuning (job {job.id}): step {steps[-1][0]}/{steps[-1][1]}")
    qtbot.waitUntil(lambda: job.id in panel.rows and "fine-tuned" in panel.rows[job.id].detail.text(),
                    timeout=MODEL_WAIT_MS)
    assert panel.rows[job.id].title.text() == f"Job {job.id} · fine-tuning Encoder-decoder captions"
    folders = sorted(path for path in (tmp_path / "tuned").iterdir() if path.name.startswith("v"))
    captioner = EncoderDecoderCaptioner(model=str(folders[-1]))
    captioner.load("cpu", "float32")
    try:
        (result,) = captioner.caption([Image.new("RGB", (48, 40), COLOURS["red"])],
                                      captioner.option_defaults())
    finally:
        captioner.unload()
    assert result.text


def test_pausing_a_training_job_keeps_its_checkpoint_and_resume_finishes_it(
    qtbot: QtBot, service: InferenceService, approved: None, tmp_path: Path
) -> None:
    base = vit_gpt2(tmp_path / "base")
    seen: list[int] = []

    def pause_after_two(progress: object) -> None:
        seen.append(progress.done)  # type: ignore[attr-defined]
        if len(seen) == 2:
            service.pause()

    service.progress.connect(pause_after_two)
    with qtbot.waitSignal(service.job_paused, timeout=MODEL_WAIT_MS) as paused:
        service.queue_train_job("encoder-decoder", str(tmp_path / "tuned"),
                                {"epochs": 4, "lr": 1e-3, "batch_size": 2, "patience": None,
                                 "validation_share": 0.25, "evaluate": False},
                                model=str(base))
    assert paused.args[0].state is JobState.PAUSED
    assert (tmp_path / "tuned" / "checkpoints" / "last").is_dir()
    stopped_at = seen[-1]
    service.progress.disconnect(pause_after_two)
    resumed: list[int] = []
    service.progress.connect(lambda progress: resumed.append(progress.done))
    with qtbot.waitSignal(service.job_finished, timeout=MODEL_WAIT_MS) as finished:
        service.resume()
    assert finished.args[0].state is JobState.DONE
    assert resumed[0] == stopped_at + 1  # it went on from the checkpoint, not from the start
