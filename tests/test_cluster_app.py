"""Caption jobs from the app on a Ray cluster: the Settings dialog's Cluster page (where jobs run, a head's
address checked, the captioner actors; the Ray choices off without Ray), and, on the session's Ray head
(tests/ray_cluster.py) with engine.cluster "auto", a job queued from the app runs through the cluster, the
job panel shows its actors' counts and the dashboard notice, and Cancel in the app ends the Ray job."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Job, JobItem, JobItemState, JobState, Photo
from desktop_app.jobs.runner import Progress
from desktop_app.jobs.store import ANY_RUNNER, CLUSTER_RUNNER
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_registry import load_plugins
from desktop_app.settings import EngineSettings, load_settings, save_settings, user_settings_path
from desktop_app.ui.dialogs import cluster_settings
from desktop_app.ui.dialogs.settings import SettingsDialog
from desktop_app.ui.widgets.job_panel import JobPanel
from desktop_app.ui.workers.inference import InferenceService
from tests import photo_files
from tests.gui_helpers import MODEL_WAIT_MS
from tests.ray_cluster import RayCluster

PHOTOS = 24  # a job far from its end when its first captions come back
# The promise: Cancel in the app stops the Ray job within 5 seconds.
STOP_MS = 5_000


def open_dialog(qtbot: QtBot) -> SettingsDialog:
    dialog = SettingsDialog(list(load_plugins(entry_points=False).captioners.values()))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(dialog.tabs.indexOf(dialog.cluster.parentWidget()))
    return dialog


def press_ok(qtbot: QtBot, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_the_settings_dialog_saves_where_caption_jobs_run_and_rejects_a_wrong_address(qtbot: QtBot) -> None:
    dialog = open_dialog(qtbot)
    page = dialog.cluster
    assert page.in_app.isChecked() and not page.address.isEnabled() and not page.actors.isEnabled()
    assert page.actors.text() == "Automatic" and not page.ray_missing.isVisible()

    page.head.click()
    qtbot.keyClicks(page.address, "head:10001")  # the ray:// forgotten
    assert page.address_warning.isVisible() and "'head:10001' is not a cluster head's address" in \
        page.address_warning.text()
    press_ok(qtbot, dialog)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.error.text().startswith("Settings not saved: 'head:10001' is not a cluster head's address")
    assert not user_settings_path().exists()

    page.address.clear()
    assert not page.address_warning.isVisible()  # an empty field is flagged on OK, not while typing
    press_ok(qtbot, dialog)
    assert "type the address of the cluster's head: ray://HOST:PORT" in dialog.error.text()

    qtbot.keyClicks(page.address, "ray://head:10001")
    assert not page.address_warning.isVisible()
    page.actors.setValue(2)
    dialog.decode_workers.setValue(4)
    dialog.prefetch_batches.setValue(3)
    with qtbot.waitSignal(dialog.settings_changed):
        press_ok(qtbot, dialog)
    assert load_settings().engine == EngineSettings(
        device="auto", dtype="auto", batch_size=8, decode_workers=4, prefetch_batches=3,
        cluster="ray://head:10001", cluster_actors=2)

    reopened = open_dialog(qtbot)
    assert reopened.cluster.head.isChecked() and reopened.cluster.address.text() == "ray://head:10001"
    assert reopened.cluster.actors.value() == 2 and reopened.decode_workers.value() == 4
    reopened.cluster.auto.click()
    assert not reopened.cluster.address.isEnabled() and reopened.cluster.actors.isEnabled()
    with qtbot.waitSignal(reopened.settings_changed):
        press_ok(qtbot, reopened)
    assert load_settings().engine.cluster == "auto"


def test_without_ray_the_cluster_choices_say_so_and_are_off(qtbot: QtBot,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_settings, "ray_installed", lambda: False)
    page = open_dialog(qtbot).cluster
    assert page.ray_missing.isVisible()
    assert "pip install 'photo-annotator[cluster]'" in page.ray_missing.text()
    assert page.in_app.isEnabled() and page.in_app.isChecked()
    assert not any(choice.isEnabled() for choice in (page.local, page.auto, page.head, page.address))


@pytest.fixture
def photo_ids(catalogue: Catalogue, scanner: Scanner, tmp_path: Path) -> list[int]:
    for number in range(PHOTOS):
        photo_files.jpeg(tmp_path / "shoot" / f"{number:02}.jpg", seed=number, size=(96 + 8 * number, 72))
    scanner.scan(str(tmp_path / "shoot"))
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id).order_by(Photo.id)))


def test_a_caption_job_from_the_app_runs_on_the_cluster_and_pause_and_cancel_stop_it(
        qtbot: QtBot, catalogue: Catalogue, photo_ids: list[int], slowest_vit_gpt2_folder: Path,
        on_ray_cluster: RayCluster) -> None:
    save_settings(_with_engine(cluster="auto"))
    # 200 tokens a caption, two photos a batch: the first results come back with most photos still out.
    service = InferenceService(lambda: CaptionEngine(load_plugins(), device="cpu", dtype="float32",
                                                     batch_size=2))
    panel = JobPanel(service)
    qtbot.addWidget(panel)
    panel.show()
    notices: list[str] = []
    seen: list[Progress] = []
    service.notice.connect(lambda _job, text: notices.append(text))
    service.progress.connect(seen.append)
    try:
        service.open(catalogue)
        service.queue_caption_job("encoder-decoder", photo_ids, model=str(slowest_vit_gpt2_folder))
        qtbot.waitUntil(lambda: any(progress.done for progress in seen), timeout=MODEL_WAIT_MS)
        job_id = seen[-1].job_id
        with catalogue.read() as session:
            assert session.get(Job, job_id).runner == CLUSTER_RUNNER
        assert any(text.startswith("captioning on the Ray cluster at auto (1 machine, 2 CPU cores) with 1 "
                                   "captioner actor") for text in notices), notices
        row = panel.rows[job_id]
        assert "captioning on the Ray cluster at auto" in row.toolTip()
        (actor, count), = seen[-1].actors.items()
        assert actor.endswith("(cpu)") and count == seen[-1].done
        assert row.detail.text().splitlines()[1] == f"1 actor: {actor} {count}"

        with qtbot.waitSignal(service.job_paused, timeout=STOP_MS) as paused:
            row.pause_button.click()
        before = paused.args[0].done
        assert paused.args[0].state is JobState.PAUSED and 0 < before < len(photo_ids)
        _assert_left_the_cluster(catalogue, job_id)

        seen.clear()
        qtbot.waitUntil(lambda: row.pause_button.text() == "Resume", timeout=STOP_MS)
        row.pause_button.click()
        qtbot.waitUntil(lambda: any(progress.done > before for progress in seen), timeout=MODEL_WAIT_MS)
        with qtbot.waitSignal(service.job_cancelled, timeout=STOP_MS) as cancelled:
            row.cancel_button.click()
        ended = cancelled.args[0]
        assert ended.state is JobState.CANCELLED and before < ended.done < len(photo_ids), ended
        _assert_left_the_cluster(catalogue, job_id)
        with catalogue.read() as session:
            captioned = list(session.scalars(select(Caption.photo_id).join(
                JobItem, JobItem.caption_id == Caption.id).where(JobItem.job_id == job_id)))
        assert len(captioned) == len(set(captioned)) == ended.done  # each once, across both runs
    finally:
        service.shutdown()


def test_the_settings_say_where_the_next_job_is_queued(qtbot: QtBot, catalogue: Catalogue,
                                                      photo_ids: list[int], vit_gpt2_folder: Path) -> None:
    pytest.importorskip("ray")
    from desktop_app.jobs.cluster.connection import ClusterSpec

    service = InferenceService(lambda: CaptionEngine(load_plugins(), device="cpu", dtype="float32"))
    panel = JobPanel(service)
    qtbot.addWidget(panel)
    try:
        service.pause()  # no job runs: this test is about where they are queued
        service.open(catalogue)
        with qtbot.waitSignal(service.job_queued, timeout=MODEL_WAIT_MS) as here:
            service.queue_caption_job("encoder-decoder", photo_ids[:2], model=str(vit_gpt2_folder))
        save_settings(_with_engine(cluster="auto", cluster_actors=2))
        service.apply_settings()  # as the Settings dialog's OK does
        with qtbot.waitSignal(service.job_queued, timeout=MODEL_WAIT_MS) as there:
            service.queue_caption_job("encoder-decoder", photo_ids[:2], model=str(vit_gpt2_folder))
        with catalogue.read() as session:
            runners = [session.get(Job, job.args[0].id).runner for job in (here, there)]
        assert runners == [ANY_RUNNER, CLUSTER_RUNNER]
        assert panel.rows[there.args[0].id].detail.text() == "0 of 2 photos captioned · runs on a cluster"
        assert getattr(service.worker.runner, "spec", None) == ClusterSpec("auto", 2)
    finally:
        service.shutdown()


def _assert_left_the_cluster(catalogue: Catalogue, job_id: int) -> None:
    """The driver left the cluster (its Ray job ended with it) and gave back the photos still out."""
    import ray

    assert not ray.is_initialized()
    with catalogue.read() as session:
        assert session.scalar(select(JobItem.id).where(JobItem.job_id == job_id,
                                                       JobItem.state == JobItemState.RUNNING)) is None


def _with_engine(**changes: object):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    settings = load_settings()
    return replace(settings, engine=replace(settings.engine, **changes))


def test_the_terminal_bar_of_a_cluster_job_shows_the_cluster_s_rate_and_its_actors() -> None:
    from desktop_app.cli.job_output import JobOutput, ProgressBar
    from desktop_app.jobs.store import CAPTION_JOB

    output = JobOutput(as_json=False)
    output.kind, output.bar = CAPTION_JOB, ProgressBar("Captioning (job 3)")
    output.progress(Progress(3, 12, 0, 40, 3.14, 9.0, actors={"a:11 (gpu 0)": 7, "b:12 (gpu 1)": 5}))
    assert output.bar.text() == "Captioning (job 3): 12/40  3.1 photos/s, 2 actors, 0:09 left"
    output.progress(Progress(3, 14, 0, 40, 3.0, 8.0))  # a job run here: as before
    assert output.bar.text() == "Captioning (job 3): 14/40, 0:08 left"
