"""Caption jobs from the app on a Ray cluster: the Settings dialog's Cluster page (where jobs run, a head's
address checked, the captioner actors; the Ray choices off without Ray), and, on the session's Ray head
(tests/ray_cluster.py) with engine.cluster "auto", a job queued from the app runs through the cluster, the
job panel shows its actors' counts and the dashboard notice, and Cancel in the app ends the Ray job."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Job, JobItem, JobItemState, JobState, Photo
from desktop_app.jobs.store import CLUSTER_RUNNER
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

PHOTOS = 8
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
    assert load_settings().engine == EngineSettings(device="auto", dtype="auto", batch_size=8, decode_workers=4,
                                                    prefetch_batches=3, cluster="ray://head:10001",
                                                    cluster_actors=2)

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
    assert page.ray_missing.isVisible() and "pip install 'photo-annotator[cluster]'" in page.ray_missing.text()
    assert page.in_app.isEnabled() and page.in_app.isChecked()
    assert not any(choice.isEnabled() for choice in (page.local, page.auto, page.head, page.address))


@pytest.fixture
def photo_ids(catalogue: Catalogue, scanner: Scanner, tmp_path: Path) -> list[int]:
    for number in range(PHOTOS):
        photo_files.jpeg(tmp_path / "shoot" / f"{number:02}.jpg", seed=number, size=(96 + 8 * number, 72))
    scanner.scan(str(tmp_path / "shoot"))
    with catalogue.read() as session:
        return list(session.scalars(select(Photo.id).order_by(Photo.id)))


def test_a_caption_job_from_the_app_runs_on_the_cluster_and_cancel_stops_it(
        qtbot: QtBot, catalogue: Catalogue, photo_ids: list[int], blip_folder: Path,
        slowest_vit_gpt2_folder: Path, on_ray_cluster: RayCluster) -> None:
    save_settings(_with_engine(cluster="auto"))
    # Two photos a batch: the slow job's first results come back while most of its photos are still out.
    service = InferenceService(lambda: CaptionEngine(load_plugins(), device="cpu", dtype="float32",
                                                     batch_size=2))
    panel = JobPanel(service)
    qtbot.addWidget(panel)
    panel.show()
    notices: list[str] = []
    service.notice.connect(lambda _job, text: notices.append(text))
    try:
        service.open(catalogue)
        with qtbot.waitSignal(service.job_finished, timeout=MODEL_WAIT_MS) as finished:
            service.queue_caption_job("generic", photo_ids, model=str(blip_folder))
        job = finished.args[0]
        assert (job.state, job.done, job.failed) == (JobState.DONE, PHOTOS, 0)
        with catalogue.read() as session:
            assert session.get(Job, job.id).runner == CLUSTER_RUNNER
            captioned = set(session.scalars(select(Caption.photo_id).where(Caption.text != "")))
        assert captioned == set(photo_ids)
        assert any(text.startswith("captioning on the Ray cluster at auto (1 machines, 2 CPU cores) with 1 "
                                   "captioner actors") for text in notices), notices
        assert "captioning on the Ray cluster at auto" in panel.rows[job.id].toolTip()

        # The slow job: Cancel on its row once photos come back, and the Ray job ends.
        seen = []
        service.progress.connect(seen.append)
        service.queue_caption_job("encoder-decoder", photo_ids, model=str(slowest_vit_gpt2_folder))
        qtbot.waitUntil(lambda: any(progress.done for progress in seen), timeout=MODEL_WAIT_MS)
        slow = seen[-1].job_id
        row = panel.rows[slow]
        (actor, count), = seen[-1].actors.items()
        assert actor.endswith("(cpu)") and count == seen[-1].done
        assert row.detail.text().splitlines()[1] == f"1 actor: {actor} {count}"
        started = time.monotonic()
        with qtbot.waitSignal(service.job_cancelled, timeout=STOP_MS) as cancelled:
            row.cancel_button.click()
        stopped = time.monotonic() - started
        ended = cancelled.args[0]
        assert ended.state is JobState.CANCELLED and 0 < ended.done < PHOTOS, ended
        with catalogue.read() as session:
            held = session.scalar(select(JobItem.id).where(JobItem.job_id == slow,
                                                           JobItem.state == JobItemState.RUNNING))
        assert held is None  # the photos still out were given back
        import ray

        assert not ray.is_initialized(), f"still joined to the cluster {stopped:.1f} s after Cancel"
    finally:
        service.shutdown()


def _with_engine(**changes: object):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    settings = load_settings()
    return replace(settings, engine=replace(settings.engine, **changes))


def test_the_terminal_bar_of_a_cluster_job_shows_the_cluster_s_rate_and_its_actors() -> None:
    from desktop_app.cli.job_output import JobOutput, ProgressBar
    from desktop_app.jobs.runner import Progress
    from desktop_app.jobs.store import CAPTION_JOB

    output = JobOutput(as_json=False)
    output.kind, output.bar = CAPTION_JOB, ProgressBar("Captioning (job 3)")
    output.progress(Progress(3, 12, 0, 40, 3.14, 9.0, actors={"a:11 (gpu 0)": 7, "b:12 (gpu 1)": 5}))
    assert output.bar.text() == "Captioning (job 3): 12/40  3.1 photos/s, 2 actors, 0:09 left"
    output.progress(Progress(3, 14, 0, 40, 3.0, 8.0))  # a job run here: as before
    assert output.bar.text() == "Captioning (job 3): 14/40, 0:08 left"
