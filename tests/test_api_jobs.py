"""The HTTP API's job queue (queue, list, status, pause, resume, cancel; a worker runs what it queued,
with the real tiny captioning model) and its exports (every format `export` has, downloaded and opened)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from desktop_app.captioning.engine import CaptionEngine
from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.photos import find_photo
from desktop_app.jobs.runner import JobRunner
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.plugin_registry import load_plugins
from desktop_app.services import jobs
from desktop_app.services.tokens import create_token
from tests import photo_files
from tests.api_server import running_api

OPTIONS = {"max_new_tokens": 6}


def _runner(catalogue: Catalogue) -> JobRunner:
    return JobRunner(catalogue, CaptionEngine(load_plugins(), device="cpu", dtype="float32", batch_size=2))


@pytest.fixture
def photo_ids(tmp_path: Path, scanner: Scanner, catalogue: Catalogue) -> list[int]:
    root = tmp_path / "shoot"
    for number in range(4):
        photo_files.jpeg(root / f"{number:02}.jpg", seed=number, size=(96, 64))
    scanner.scan(root)
    with catalogue.read() as session:
        return [find_photo(session, str(root / f"{number:02}.jpg")).id for number in range(4)]


@pytest.fixture
def client(catalogue: Catalogue, thumbnails: ThumbnailCache) -> Iterator[httpx.Client]:
    secret = create_token(catalogue, "cms")[1]
    with running_api(catalogue, thumbnails=thumbnails, make_runner=lambda: _runner(catalogue)) as server, \
            server.client(secret) as opened:
        yield opened


def _error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    return response.json()["error"]


def test_a_caption_job_queued_over_http_is_run_by_a_worker_and_its_drafts_read_back(
        client: httpx.Client, catalogue: Catalogue, photo_ids: list[int], vit_gpt2_folder: Path) -> None:
    body = {"kind": "caption", "captioner": "encoder-decoder", "model": str(vit_gpt2_folder),
            "photo_ids": photo_ids[:3], "options": OPTIONS}
    queued = client.post("/jobs", json=body)
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert (job["state"], job["total"], job["captioner"]) == ("queued", 3, "encoder-decoder")
    assert client.post(f"/jobs/{job['id']}/pause").json()["state"] == "paused"
    _error(client.post(f"/jobs/{job['id']}/pause"), 409, "job_refused")
    assert client.post(f"/jobs/{job['id']}/resume").json()["state"] == "queued"
    ended = jobs.run_job(_runner(catalogue), job["id"])  # the app or a `worker` beside the server
    assert ended.state.value == "done"
    status = client.get(f"/jobs/{job['id']}").json()
    assert (status["state"], status["done"], status["failed"], status["failures"]) == ("done", 3, 0, [])
    for photo_id in photo_ids[:3]:
        current = client.get(f"/photos/{photo_id}/captions").json()["current"]
        assert current["origin"] == "ai" and current["state"] == "draft" and current["text"].strip()
    assert client.get(f"/photos/{photo_ids[3]}/captions").json()["current"] is None
    _error(client.post(f"/jobs/{job['id']}/cancel"), 409, "job_refused")  # already done


def test_job_requests_are_checked_before_anything_is_queued(
        client: httpx.Client, photo_ids: list[int], vit_gpt2_folder: Path, tmp_path: Path) -> None:
    good = {"captioner": "encoder-decoder", "model": str(vit_gpt2_folder), "options": OPTIONS}
    _error(client.post("/jobs", json={**good, "photo_ids": [photo_ids[0], 9999]}), 404, "photo_not_found")
    _error(client.post("/jobs", json={**good}), 422, "invalid_request")  # neither photo_ids nor folder
    _error(client.post("/jobs", json={**good, "photo_ids": []}), 422, "invalid_request")
    no_model = {**good, "photo_ids": photo_ids, "model": str(tmp_path / "nothing")}
    _error(client.post("/jobs", json=no_model), 409, "job_refused")
    _error(client.post("/jobs", json={**good, "photo_ids": photo_ids, "captioner": "no-such"}), 422,
           "unknown_plugin")
    assert client.get("/jobs").json() == {"total": 0, "items": []}
    folder = client.post("/jobs", json={**good, "folder": str(tmp_path / "shoot")})
    assert folder.status_code == 202 and folder.json()["total"] == 4
    cancelled = client.post(f"/jobs/{folder.json()['id']}/cancel")
    assert cancelled.json()["state"] == "cancelled"
    listed = client.get("/jobs", params={"state": "cancelled"}).json()
    assert [job["id"] for job in listed["items"]] == [folder.json()["id"]]
    assert client.get("/jobs", params={"state": "queued"}).json()["total"] == 0


def test_every_export_format_downloads_and_opens(client: httpx.Client, catalogue: Catalogue,
                                                 photo_ids: list[int], tmp_path: Path) -> None:
    _error(client.get("/exports/csv"), 409, "export_refused")  # no captions yet: nothing to export
    with catalogue.write() as session:
        for number, photo_id in enumerate(photo_ids[:3]):
            photo = find_photo(session, str(photo_id))
            store_ai_caption(session, AICaption(photo, f"=cmd a photo {number}", model_id="m"),
                             captioner_id="encoder-decoder")
    downloaded = client.get("/exports/csv")
    assert downloaded.status_code == 200 and downloaded.headers["content-type"].startswith("text/csv")
    assert downloaded.headers["content-disposition"] == 'attachment; filename="captions.csv"'
    assert (downloaded.headers["x-exported"], downloaded.headers["x-skipped"]) == ("3", "1")
    rows = list(csv.DictReader(io.StringIO(downloaded.content.decode("utf-8-sig"))))
    assert sorted(row["caption"] for row in rows) == ["'=cmd a photo 0", "'=cmd a photo 1", "'=cmd a photo 2"]
    lines = client.get("/exports/jsonl").text.splitlines()
    assert sorted(json.loads(line)["caption"] for line in lines)[0] == "=cmd a photo 0"
    coco = client.get("/exports/coco").json()
    assert len(coco["images"]) == 3 and len(coco["annotations"]) == 3
    archive = zipfile.ZipFile(io.BytesIO(client.get("/exports/hf-imagefolder").content))
    names = archive.namelist()
    assert "train/metadata.jsonl" in names and sum(name.endswith(".jpg") for name in names) == 3
    assert len(archive.read("train/metadata.jsonl").decode().splitlines()) == 3
    assert client.get("/exports/csv", params={"state": "approved"}).status_code == 409
    _error(client.get("/exports/pdf"), 422, "invalid_request")
    leftovers = list(Path(tempfile.gettempdir()).glob("photo-annotator-export-*"))
    assert leftovers == []  # each download's temporary folder went with it
