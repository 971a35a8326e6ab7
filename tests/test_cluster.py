"""Caption jobs on a Ray cluster (desktop_app/jobs/cluster): the session's Ray head (tests/ray_cluster.py),
a tiny BLIP, real photos and a real catalogue. The same results as the in-process engine, the command line
through `--cluster auto` and Ray Client (ray://), photos reaching the workers by path or as bytes, and the
queue's rules (workers and cluster drivers keep to their own jobs)."""

from __future__ import annotations

import shutil
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.models import Caption, Job, JobItem, JobItemState, JobState
from desktop_app.jobs.cluster.connection import ClusterSpec
from desktop_app.jobs.store import CLUSTER_RUNNER, JobError
from desktop_app.library.scanner import Scanner
from desktop_app.services import jobs
from desktop_app.services.engine import build_engine
from desktop_app.settings import set_library_root
from tests.cli_helpers import Ran, run_cli
from tests.cluster_photos import photo_ids, scanned_archive
from tests.ray_cluster import RayCluster

PHOTOS = 12


@pytest.fixture
def photos(tmp_path: Path, scanner: Scanner) -> Path:
    return scanned_archive(tmp_path / "archive", scanner, PHOTOS)


def _captions(catalogue: Catalogue, job_id: int) -> dict[int, tuple[str, float | None, Any, str]]:
    """photo id -> (text, confidence, token scores, model) of the captions a job wrote."""
    with catalogue.read() as session:
        rows = session.execute(
            select(JobItem.photo_id, Caption.text, Caption.confidence, Caption.token_scores, Caption.model_id)
            .join(Caption, Caption.id == JobItem.caption_id).where(JobItem.job_id == job_id))
        return {photo: (text, confidence, scores, model) for photo, text, confidence, scores, model in rows}


def _cluster_runner(catalogue: Catalogue, **spec: Any) -> Any:
    engine = build_engine(device="cpu", dtype="float32", batch_size=4)
    return jobs.make_runner(catalogue, engine, cluster=ClusterSpec("auto", **spec))


def test_a_cluster_job_writes_what_the_in_process_engine_writes(
        capsys: pytest.CaptureFixture[str], db_path: Path, catalogue: Catalogue, photos: Path,
        blip_folder: Path, ray_cluster: RayCluster) -> None:
    # The command line, joined to the cluster through Ray Client (ray://HOST:PORT) as from another machine.
    ran = Ran(*run_cli(capsys, "caption", str(photos), "--captioner", "generic", "--model", str(blip_folder),
                       "--cluster", ray_cluster.client_address, "--device", "cpu", "--dtype", "float32",
                       "--batch-size", "4", "--json", "--db", str(db_path)))

    assert ran.code == 0, ran.err
    lines = ran.json_lines()
    assert len(lines) == PHOTOS and all(line["status"] == "ok" and line["text"] for line in lines)
    assert f"captioning on the Ray cluster at {ray_cluster.client_address}" in ran.err
    assert "(1 machine, 2 CPU cores) with 1 captioner actor" in ran.err
    assert f"captioned by 1 actor: {socket.gethostname()}:" in ran.err
    assert f"job 1 done: {PHOTOS} captioned, 0 failed" in ran.err
    ids = photo_ids(catalogue)
    with catalogue.read() as session:
        assert session.get(Job, 1).runner == CLUSTER_RUNNER

    here = jobs.make_runner(catalogue, build_engine(device="cpu", dtype="float32", batch_size=4))
    local_job = jobs.queue_caption_job(here, "generic", ids, model=str(blip_folder))
    assert jobs.run_job(here, local_job.id).done == PHOTOS
    expected, got = _captions(catalogue, local_job.id), _captions(catalogue, 1)
    assert set(got) == set(ids)
    for photo_id in ids:
        text, confidence, scores, model = got[photo_id]
        want_text, want_confidence, want_scores, want_model = expected[photo_id]
        # float32 on the same CPU: the same words; probabilities equal up to the order of float sums
        # (the actor may use another number of threads than this process).
        assert (text, model) == (want_text, want_model)
        assert confidence == pytest.approx(want_confidence, abs=1e-5)
        assert [token for token, _p in scores] == [token for token, _p in want_scores]
        assert [p for _t, p in scores] == pytest.approx([p for _t, p in want_scores], abs=1e-4)


def test_photos_reach_the_workers_by_their_library_root_or_as_bytes(
        capsys: pytest.CaptureFixture[str], db_path: Path, catalogue: Catalogue, photos: Path,
        blip_folder: Path, on_ray_cluster: RayCluster, tmp_path: Path) -> None:
    # The archive moves on this machine, which maps its catalogue root to the new folder; the cluster's
    # machines do not (their settings are their own): by path they look where the catalogue says.
    moved = tmp_path / "mounted-here"
    shutil.move(photos, moved)
    set_library_root(str(photos), str(moved))
    command = ("caption", str(moved), "--captioner", "generic", "--model", str(blip_folder), "--cluster",
               "auto", "--device", "cpu", "--dtype", "float32", "--db", str(db_path))

    by_path = Ran(*run_cli(capsys, *command))
    assert by_path.code == 1
    assert f"{PHOTOS} of {PHOTOS} photos could not be captioned" in by_path.err
    assert "no such file" in by_path.err.lower() or "not found" in by_path.err.lower()

    shipped = Ran(*run_cli(capsys, *command, "--ship-bytes", "--json"))
    assert shipped.code == 0, shipped.err
    assert sum(line["status"] == "ok" for line in shipped.json_lines()) == PHOTOS


def test_cluster_jobs_resume_only_on_a_cluster_and_queued_jobs_can_move_there(
        capsys: pytest.CaptureFixture[str], db_path: Path, catalogue: Catalogue, photos: Path,
        blip_folder: Path, on_ray_cluster: RayCluster) -> None:
    ids = photo_ids(catalogue)
    cluster = _cluster_runner(catalogue)
    cluster_job = jobs.queue_caption_job(cluster, "generic", ids[:4], model=str(blip_folder))
    here = jobs.make_runner(catalogue, build_engine(device="cpu", dtype="float32"))
    queued_here = jobs.queue_caption_job(here, "generic", ids[4:], model=str(blip_folder))

    assert jobs.jobs_to_resume(here) == [queued_here.id]  # a plain resume leaves the cluster's job alone
    with pytest.raises(JobError, match=f"jobs resume {cluster_job.id} --cluster"):
        jobs.run_job(here, cluster_job.id)

    # Named, a job queued for any worker moves to the cluster.
    ran = Ran(*run_cli(capsys, "jobs", "resume", str(queued_here.id), "--cluster", "auto", "--device", "cpu",
                       "--dtype", "float32", "--db", str(db_path)))
    assert ran.code == 0, ran.err
    with catalogue.read() as session:
        moved = session.get(Job, queued_here.id)
        assert (moved.state, moved.runner) == (JobState.DONE, CLUSTER_RUNNER)
        assert set(session.scalars(select(JobItem.state).where(JobItem.job_id == moved.id))) \
            == {JobItemState.DONE}
    assert jobs.jobs_to_resume(cluster) == [cluster_job.id]
    listed = Ran(*run_cli(capsys, "jobs", "--json", "--db", str(db_path))).json_lines()
    assert [(job["id"], job["runner"]) for job in listed] == [(cluster_job.id, "cluster"),
                                                              (queued_here.id, "cluster")]
    assert f"job {cluster_job.id}: queued, generic ({blip_folder}) on a cluster" in \
        Ran(*run_cli(capsys, "jobs", "--db", str(db_path))).out


def test_without_ray_the_command_says_what_to_install(
        capsys: pytest.CaptureFixture[str], db_path: Path, photos: Path, blip_folder: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the [cluster] extra were not installed
    ran = Ran(*run_cli(capsys, "caption", str(photos), "--captioner", "generic", "--model", str(blip_folder),
                       "--cluster", "local", "--db", str(db_path)))
    assert ran.code == 1
    assert ran.err.strip().splitlines() == [
        "photo-annotator: error: captioning on a cluster needs Ray: pip install 'photo-annotator[cluster]'"]


def test_a_bad_cluster_address_is_a_usage_error(capsys: pytest.CaptureFixture[str], db_path: Path,
                                                photos: Path) -> None:
    ran = Ran(*run_cli(capsys, "caption", str(photos), "--captioner", "generic", "--cluster", "head:10001",
                       "--db", str(db_path)))
    assert ran.code == 2
    assert "none of local, auto, ray://HOST:PORT" in ran.err
