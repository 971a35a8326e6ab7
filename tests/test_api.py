"""The HTTP API on a real uvicorn server on 127.0.0.1, driven with httpx: tokens, the revision contract
(ETag and If-Match), pages, errors with their codes, search, keywords, image bytes and thumbnails, docs."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS
from desktop_app.catalogue.photos import find_photo
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.services.tokens import create_token, revoke_token
from tests import photo_files
from tests.api_server import ApiServer, running_api
from tests.cli_helpers import run_cli
from tests.keyword_vocab import ANIMALS, vocabulary

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends

PHOTOS = 13
NONE_YET = {"If-Match": '"0.0"'}  # the ETag of a caption or keyword the photo does not have


@pytest.fixture
def shoot(tmp_path: Path, scanner: Scanner, catalogue: Catalogue) -> Path:
    """13 photos in two folders (a/ 7, b/ 6); all but the last two with a model's draft "a photo of
    N dogs" (N = the photo's number), 05 with "a red kite over the hill"."""
    root = tmp_path / "shoot"
    for number in range(PHOTOS):
        photo_files.jpeg(root / ("a" if number < 7 else "b") / f"img{number}.jpg", seed=number, size=(96, 64))
    scanner.scan(root)
    with catalogue.write() as session:
        for number in range(PHOTOS - 2):
            photo = find_photo(session, str(_path(root, number)))
            text = "a red kite over the hill" if number == 5 else f"a photo of {number} dogs"
            store_ai_caption(session, AICaption(photo, text, model_id="m", confidence=number / PHOTOS),
                             captioner_id="encoder-decoder")
    return root


def _path(root: Path, number: int) -> Path:
    return root / ("a" if number < 7 else "b") / f"img{number}.jpg"


def _id(catalogue: Catalogue, path: Path) -> int:
    with catalogue.read() as session:
        return find_photo(session, str(path)).id


@pytest.fixture
def api(catalogue: Catalogue, thumbnails: ThumbnailCache) -> Iterator[ApiServer]:
    with running_api(catalogue, thumbnails=thumbnails) as server:
        yield server


@pytest.fixture
def secret(catalogue: Catalogue) -> str:
    return create_token(catalogue, "cms", author="archivist")[1]


@pytest.fixture
def client(api: ApiServer, secret: str) -> Iterator[httpx.Client]:
    with api.client(secret) as opened:
        yield opened


def _error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"], error
    return error


# -- tokens, docs ----------------------------------------------------------------------------------------

def test_docs_and_schema_are_served_without_a_token_and_everything_else_needs_one(
        api: ApiServer, secret: str, shoot: Path) -> None:
    with api.client() as anonymous:
        docs = anonymous.get("/docs")
        assert docs.status_code == 200 and "text/html" in docs.headers["content-type"]
        assert "swagger" in docs.text.lower()
        # Its scripts and styles come from this server (an intranet without internet still gets the page).
        assert "cdn" not in docs.text and "https://" not in docs.text
        for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
            assert anonymous.get(asset).status_code == 200 and asset in docs.text
        schema = anonymous.get("/openapi.json").json()
        assert {"/photos", "/search", "/photos/{photo_id}/caption", "/jobs", "/exports/{fmt}"} <= set(
            schema["paths"])
        for path in ("/photos", "/photos/1", "/search?q=dog", "/jobs", "/photos/1/thumbnail", "/exports/csv"):
            response = anonymous.get(path)
            _error(response, 401, "unauthorized")
            assert response.headers["www-authenticate"] == "Bearer"
        bad = {"Authorization": "Bearer not-a-token"}
        _error(anonymous.get("/photos", headers=bad), 401, "invalid_token")
        _error(anonymous.get("/photos", headers={"Authorization": f"Basic {secret}"}), 401, "invalid_token")
    with api.client(secret) as client:
        assert client.get("/photos").status_code == 200


def test_a_read_only_token_reads_but_never_writes_and_a_revoked_one_stops_at_once(
        api: ApiServer, catalogue: Catalogue, shoot: Path) -> None:
    _, reader = create_token(catalogue, "dashboard", read_only=True)
    photo_id = _id(catalogue, _path(shoot, 0))
    with api.client(reader) as client:
        etag = client.get(f"/photos/{photo_id}/captions").headers["etag"]
        assert client.get(f"/photos/{photo_id}").json()["captions"][0]["text"] == "a photo of 0 dogs"
        for response in (
            client.put(f"/photos/{photo_id}/caption", json={"text": "x"}, headers={"If-Match": etag}),
            client.post(f"/photos/{photo_id}/caption/approve", headers={"If-Match": etag}),
            client.post(f"/photos/{photo_id}/keywords/add", json={"term": "Dogs"}, headers=NONE_YET),
            client.post("/jobs", json={"captioner": "encoder-decoder", "photo_ids": [photo_id]}),
        ):
            _error(response, 403, "read_only_token")
        revoke_token(catalogue, "dashboard")
        _error(client.get("/photos"), 401, "invalid_token")
    with api.client(create_token(catalogue, "cms2")[1]) as writer:  # the caption is as it was
        assert writer.get(f"/photos/{photo_id}/captions").json()["current"]["state"] == "draft"


def test_a_token_records_when_it_was_used(api: ApiServer, catalogue: Catalogue, secret: str,
                                          capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out, _ = run_cli(capsys, "token", "list", "--json", "--db", str(db_path))
    assert code == 0 and json.loads(out)["last_used_at"] is None
    with api.client(secret) as client:
        assert client.get("/jobs").status_code == 200
    listed = json.loads(run_cli(capsys, "token", "list", "--json", "--db", str(db_path))[1])
    assert listed["name"] == "cms" and listed["author"] == "archivist" and listed["last_used_at"]


# -- listing -----------------------------------------------------------------------------------------------

def test_pages_cover_every_photo_once_in_the_photos_commands_order(
        client: httpx.Client, shoot: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for options, cli_options in (({}, ()), ({"sort": "confidence", "desc": "true"}, ("--sort", "confidence",
                                                                                       "--desc")),
                                 ({"folder": str(shoot / "b")}, ("--folder", str(shoot / "b")))):
        seen: list[int] = []
        offset, total = 0, None
        while True:
            page = client.get("/photos", params={**options, "limit": 4, "offset": offset}).json()
            assert page["limit"] == 4 and page["offset"] == offset
            total = page["total"] if total is None else total
            assert page["total"] == total  # the same on every page
            seen += [item["id"] for item in page["items"]]
            if not page["items"]:
                break
            offset += 4
        code, out, _ = run_cli(capsys, "photos", "--json", *cli_options, "--db", str(db_path))
        expected = [json.loads(line)["id"] for line in out.splitlines()]
        assert code == 0 and seen == expected and len(seen) == len(set(seen)) == total
    assert total == 6  # the last one: folder b


def test_a_listings_total_follows_the_catalogue(client: httpx.Client, catalogue: Catalogue, shoot: Path,
                                               scanner: Scanner) -> None:
    assert client.get("/photos").json()["total"] == PHOTOS
    drafts = client.get("/photos", params={"state": "draft", "limit": 1}).json()
    assert drafts["total"] == PHOTOS - 2
    photo_id = drafts["items"][0]["id"]
    etag = client.get(f"/photos/{photo_id}/captions").headers["etag"]
    assert client.post(f"/photos/{photo_id}/caption/approve", headers={"If-Match": etag}).status_code == 200
    assert client.get("/photos", params={"state": "draft"}).json()["total"] == PHOTOS - 3
    photo_files.jpeg(shoot / "b" / "img13.jpg", seed=13, size=(96, 64))
    scanner.scan(shoot)
    assert client.get("/photos").json()["total"] == PHOTOS + 1
    assert client.get("/photos", params={"folder": str(shoot / "b")}).json()["total"] == 7


def test_listing_filters_are_the_photos_commands(client: httpx.Client, shoot: Path) -> None:
    def ids(**params: str) -> list[str]:
        return [Path(item["path"]).name for item in client.get("/photos", params=params).json()["items"]]

    assert ids(review="none") == ["img11.jpg", "img12.jpg"]
    assert ids(search="kite") == ["img5.jpg"]
    assert ids(state="draft", folder=str(shoot / "b")) == ["img7.jpg", "img8.jpg", "img9.jpg", "img10.jpg"]
    first = client.get("/photos", params={"limit": 1}).json()["items"][0]
    assert first["caption"] == "a photo of 0 dogs" and first["caption_state"] == "draft"
    assert first["keywords"] == [] and first["width"] == 96


# -- the revision contract -------------------------------------------------------------------------------

def test_edit_needs_if_match_is_refused_when_stale_and_succeeds_with_the_new_etag(
        client: httpx.Client, catalogue: Catalogue, shoot: Path) -> None:
    photo_id = _id(catalogue, _path(shoot, 1))
    got = client.get(f"/photos/{photo_id}/captions")
    etag = got.headers["etag"]
    current = got.json()["current"]
    assert etag == f'"{current["id"]}.{current["revision"]}"' == current["etag"]
    _error(client.put(f"/photos/{photo_id}/caption", json={"text": "one dog"}), 428, "precondition_required")
    _error(client.put(f"/photos/{photo_id}/caption", json={"text": "one dog"}, headers={"If-Match": "*"}),
           400, "bad_etag")
    edited = client.put(f"/photos/{photo_id}/caption", json={"text": "one dog on a lawn"},
                        headers={"If-Match": etag})
    assert edited.status_code == 200, edited.text
    new_etag = edited.headers["etag"]
    assert new_etag != etag and edited.json()["state"] == "draft"
    # A second client still holding the old ETag: refused, told the current one, its text kept beside.
    stale = client.put(f"/photos/{photo_id}/caption", json={"text": "two dogs"}, headers={"If-Match": etag})
    error = _error(stale, 412, "stale_revision")
    assert error["current_etag"] == new_etag == stale.headers["etag"]
    assert error["kept_caption_id"] is not None
    _error(client.post(f"/photos/{photo_id}/caption/approve", headers={"If-Match": etag}), 412,
           "stale_revision")
    approved = client.post(f"/photos/{photo_id}/caption/approve", headers={"If-Match": new_etag})
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    record = client.get(f"/photos/{photo_id}").json()
    current = next(c for c in record["captions"] if c["current"])
    assert (current["text"], current["state"]) == ("one dog on a lawn", "approved")
    assert any(c["text"] == "two dogs" and not c["current"] for c in record["captions"])  # nothing lost
    history = client.get(f"/photos/{photo_id}/history").json()["revisions"]
    mine = [r for r in history if r["author"] == "api:cms"]
    assert [r["action"] for r in mine][-1] == "approved"
    assert any(r["text"] == "one dog on a lawn" for r in mine)


def test_reject_and_a_first_caption_of_a_kind(client: httpx.Client, catalogue: Catalogue,
                                              shoot: Path) -> None:
    photo_id = _id(catalogue, _path(shoot, 12))  # no caption yet
    got = client.get(f"/photos/{photo_id}/captions", params={"kind": "alt-text"})
    assert got.json()["current"] is None and got.headers["etag"] == '"0.0"'
    made = client.put(f"/photos/{photo_id}/caption", json={"text": "A kite.", "kind": "alt-text"},
                      headers={"If-Match": '"0.0"'})
    assert made.status_code == 200 and made.json()["kind"] == "alt-text"
    rejected = client.post(f"/photos/{photo_id}/caption/reject", json={"kind": "alt-text"},
                           headers={"If-Match": made.headers["etag"]})
    assert rejected.json()["state"] == "rejected"
    _error(client.put(f"/photos/{photo_id}/caption", json={"text": "again", "kind": "alt-text"},
                      headers={"If-Match": '"0.0"'}), 412, "stale_revision")
    _error(client.post(f"/photos/{photo_id}/caption/approve", headers={"If-Match": '"0.0"'}), 409,
           "caption_refused")  # no description to approve
    _error(client.put(f"/photos/{photo_id}/caption", json={"text": "x" * (MAX_CAPTION_CHARS + 1)},
                      headers={"If-Match": '"0.0"'}), 422, "caption_too_long")
    assert client.get(f"/photos/{photo_id}/captions").json()["current"] is None  # refused, not cut


# -- keywords --------------------------------------------------------------------------------------------

def test_keyword_actions_follow_the_revision_contract(client: httpx.Client, catalogue: Catalogue,
                                                      shoot: Path) -> None:
    photo_id = _id(catalogue, _path(shoot, 2))
    path = f"/photos/{photo_id}/keywords"
    assert client.get(path).json()["keywords"] == []
    _error(client.post(f"{path}/add", json={"term": "Beagle"}), 428, "precondition_required")
    added = client.post(f"{path}/add", json={"term": "Beagle"}, headers={"If-Match": '"0.0"'})
    assert added.status_code == 200 and added.json()["state"] == "accepted"
    listed = client.get(path).json()["keywords"]
    assert [(k["label"], k["state"], k["etag"]) for k in listed] == [("Beagle", "accepted",
                                                                      added.headers["etag"])]
    assert client.get(f"/photos/{photo_id}").json()["keywords"] == ["Beagle"]
    _error(client.post(f"{path}/remove", json={"term": "Beagle"}, headers={"If-Match": '"0.0"'}), 412,
           "stale_revision")
    beagle = {"term": "Beagle"}
    removed = client.post(f"{path}/remove", json=beagle, headers={"If-Match": added.headers["etag"]})
    assert removed.json()["state"] == "rejected"
    accepted = client.post(f"{path}/accept", json=beagle, headers={"If-Match": removed.headers["etag"]})
    assert accepted.json()["state"] == "accepted"
    rejected = client.post(f"{path}/reject", json=beagle, headers={"If-Match": accepted.headers["etag"]})
    assert rejected.json()["state"] == "rejected"
    history = client.get(path).json()["keywords"][0]["history"]
    assert len(history) == 4 and {entry["author"] for entry in history} == {"api:cms"}
    _error(client.post(f"{path}/accept", json={"term": "Unheard Of"}, headers={"If-Match": '"0.0"'}), 404,
           "unknown_term")
    _error(client.post(f"{path}/frobnicate", json={"term": "Beagle"}, headers={"If-Match": '"0.0"'}), 422,
           "invalid_request")


def test_keyword_suggestions_are_a_queued_tag_job_and_terms_resolve_as_in_tags(
        client: httpx.Client, catalogue: Catalogue, shoot: Path) -> None:
    photo_id = _id(catalogue, _path(shoot, 3))
    refused = _error(client.post(f"/photos/{photo_id}/keywords-suggest", json={}), 409, "job_refused")
    assert "vocabular" in refused["message"]  # checked before any job is queued
    assert client.get("/jobs").json()["total"] == 0
    with catalogue.write() as session:
        vocabulary(session, "animals", ANIMALS)
    queued = client.post(f"/photos/{photo_id}/keywords-suggest", json={"top_n": 3})
    assert queued.status_code == 202, queued.text
    job = queued.json()
    assert job["kind"] == "tag" and job["total"] == 1 and job["state"] == "queued"
    assert [each["id"] for each in client.get("/jobs").json()["items"]] == [job["id"]]
    added = client.post(f"/photos/{photo_id}/keywords/add", json={"term": "Doggies"},
                        headers={"If-Match": '"0.0"'})
    assert (added.json()["label"], added.json()["vocabulary"]) == ("Dogs", "animals")  # a synonym's term
    mammals = client.get("/photos", params={"keyword": "Mammals"}).json()  # or a narrower one
    assert [item["id"] for item in mammals["items"]] == [photo_id]
    assert mammals["items"][0]["keywords"] == ["Dogs"]


# -- search ----------------------------------------------------------------------------------------------

def test_search_in_every_mode_in_pages(
        client: httpx.Client, shoot: Path) -> None:
    found = client.get("/search", params={"q": "kite", "mode": "keyword"}).json()
    assert [Path(hit["path"]).name for hit in found["items"]] == ["img5.jpg"]
    assert found["items"][0]["snippet"] and found["more"] is False and found["total"] == 1
    first = client.get("/search", params={"q": "dogs", "mode": "keyword", "limit": 4}).json()
    assert first["more"] is True and first["total"] is None and len(first["items"]) == 4
    rest = client.get("/search", params={"q": "dogs", "mode": "keyword", "limit": 100, "offset": 4}).json()
    ids = [hit["photo_id"] for hit in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 10 and rest["total"] == 10
    only_b = client.get("/search", params={"q": "dogs", "mode": "keyword", "folder": str(shoot / "b")}).json()
    assert {Path(hit["path"]).parent.name for hit in only_b["items"]} == {"b"}
    hybrid = client.get("/search", params={"q": "kite"}).json()
    assert Path(hybrid["items"][0]["path"]).name == "img5.jpg"  # first by words and by meaning
    assert hybrid["mode"] == "hybrid" and hybrid["items"][0]["matched"] == "both"
    meaning = client.get("/search", params={"q": "a bird of prey in the sky", "mode": "semantic"}).json()
    assert meaning["mode"] == "semantic" and {hit["matched"] for hit in meaning["items"]} == {"meaning"}
    _error(client.get("/search", params={"q": "kite", "mode": "image"}), 422, "search_failed")
    _error(client.get("/search", params={"q": "kite", "mode": "psychic"}), 422, "invalid_request")


# -- files -----------------------------------------------------------------------------------------------

def test_image_bytes_and_thumbnails_decode_and_a_missing_file_is_404(
        client: httpx.Client, catalogue: Catalogue, shoot: Path, thumbnails: ThumbnailCache) -> None:
    photo_id = _id(catalogue, _path(shoot, 4))
    image = client.get(f"/photos/{photo_id}/image")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content == _path(shoot, 4).read_bytes()
    assert Image.open(io.BytesIO(image.content)).size == (96, 64)
    thumbnail = client.get(f"/photos/{photo_id}/thumbnail")
    assert thumbnail.status_code == 200 and thumbnail.headers["content-type"] == "image/jpeg"
    decoded = Image.open(io.BytesIO(thumbnail.content))
    assert decoded.format == "JPEG" and max(decoded.size) <= 320
    gone = _id(catalogue, _path(shoot, 6))
    _path(shoot, 6).unlink()
    _error(client.get(f"/photos/{gone}/image"), 404, "file_missing")
    assert client.get(f"/photos/{gone}/thumbnail").status_code == 200  # the cache's, as the app's grid shows
    content_hash = client.get(f"/photos/{gone}").json()["content_hash"]
    thumbnails.path_for(content_hash).unlink()
    _error(client.get(f"/photos/{gone}/thumbnail"), 404, "file_missing")
    thumbnails.path_for(client.get(f"/photos/{photo_id}").json()["content_hash"]).unlink()
    remade = client.get(f"/photos/{photo_id}/thumbnail")  # made again from the file
    assert remade.status_code == 200 and Image.open(io.BytesIO(remade.content)).size == decoded.size
    _error(client.get("/photos/99999/image"), 404, "photo_not_found")


# -- errors ------------------------------------------------------------------------------------------------

def test_errors_are_json_with_stable_codes(client: httpx.Client, shoot: Path) -> None:
    _error(client.get("/photos/99999"), 404, "photo_not_found")
    _error(client.get("/photos/99999/captions"), 404, "photo_not_found")
    _error(client.get("/no/such/thing"), 404, "not_found")
    _error(client.delete("/photos"), 405, "method_not_allowed")
    error = _error(client.get("/photos", params={"limit": 0}), 422, "invalid_request")
    assert error["problems"][0]["where"] == "query.limit"
    _error(client.get("/photos", params={"sort": "colour"}), 422, "invalid_request")
    _error(client.get("/photos", params={"library": "/nowhere"}), 404, "library_not_found")
    _error(client.get("/photos", params={"flagged": "true", "review": "approved"}), 422, "invalid_request")
    broken = {"If-Match": '"0.0"', "Content-Type": "application/json"}
    _error(client.put("/photos/1/caption", content=b"{not json", headers=broken), 422, "invalid_request")
    _error(client.get("/jobs/4242"), 404, "job_refused")
