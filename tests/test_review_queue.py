"""The "most useful first" review queue (services/review_queue.py, search/review_order.py), its claims
(catalogue/claims.py) and `photo-annotator review-queue`, on real catalogues with known confidences and
caption vectors."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from desktop_app.catalogue import Catalogue, claims, open_catalogue
from desktop_app.catalogue.models import utcnow
from desktop_app.search.review_order import NearestApproved, buckets, most_useful, nearest_distance
from desktop_app.search.vector_store import CAPTIONS, store_vectors, text_hash
from desktop_app.services.review import APPROVE, EDIT, Change, review
from desktop_app.services.review_queue import ReviewQueue, claim_owner
from tests.cli_helpers import cli_on
from tests.review_queue_samples import MODEL, Sample, axis_vector, build

# Approved captions along axes 0 and 1; drafts near them, far from them, or without a vector.
SAMPLES = [
    Sample("approved-a", 0.9, axis=0, approved=True),
    Sample("approved-b", 0.8, axis=1, approved=True),
    Sample("near", 0.31, axis=0),  # the lowest confidence of its bucket, but like an approved caption
    Sample("unembedded", 0.32, axis=None),
    Sample("far", 0.34, axis=5),  # unlike anything approved
    Sample("lowest", 0.12, axis=1),
    Sample("human", None, axis=6),  # no confidence (a person's or imported draft)
]


@pytest.fixture
def photos(catalogue: Catalogue) -> dict[str, int]:
    return build(catalogue, SAMPLES)


def names(entries: list, photos: dict[str, int]) -> list[str]:
    by_id = {photo_id: name for name, photo_id in photos.items()}
    return [by_id[entry.photo_id] for entry in entries]


@pytest.mark.both_backends
def test_lowest_confidence_first_then_the_photo_unlike_anything_approved(
        catalogue: Catalogue, photos: dict[str, int]) -> None:
    entries = ReviewQueue(catalogue, owner="ana@test").entries()
    assert names(entries, photos) == ["lowest", "far", "near", "unembedded", "human"]
    novelty = {name: entry.novelty for name, entry in zip(names(entries, photos), entries, strict=True)}
    assert novelty["far"] == pytest.approx(1.0)  # orthogonal to both approved captions
    assert novelty["near"] == pytest.approx(0.0)  # the same vector as an approved caption
    assert novelty["unembedded"] is None
    assert entries[1].confidence == pytest.approx(0.34)
    assert entries[1].path == "/photos/far.jpg"


def test_the_first_photos_alone_are_the_same_as_the_whole_queue_begins(
        catalogue: Catalogue, photos: dict[str, int]) -> None:
    queue = ReviewQueue(catalogue, owner="ana@test")
    whole = queue.entries()
    assert queue.entries(limit=2) == whole[:2]
    assert queue.entries(limit=1, exclude=[photos["lowest"]]) == whole[1:2]


def test_an_edited_caption_loses_its_old_vector_until_it_is_embedded_again(
        catalogue: Catalogue, photos: dict[str, int]) -> None:
    queue = ReviewQueue(catalogue, owner="ana@test")
    assert names(queue.entries(), photos)[1] == "far"
    review(catalogue, str(photos["far"]), Change(EDIT, text="a photo of far away"), author="ben")
    entries = queue.entries()  # the same queue: its index refreshed with the edit
    # A person's text now, without a confidence: last, and after "human" (which has a vector).
    assert names(entries, photos) == ["lowest", "near", "unembedded", "human", "far"]
    assert entries[4].novelty is None and entries[4].confidence is None
    with catalogue.read() as session:
        from desktop_app.catalogue.captions import current_caption

        caption = current_caption(session, photos["far"])
        caption_id, text = caption.id, caption.text
    store_vectors(catalogue, CAPTIONS, MODEL, [(caption_id, text_hash(text))], axis_vector(4)[None])
    entries = queue.entries()  # as novel as "human" now: name order between them
    assert names(entries, photos)[3:] == ["far", "human"]
    assert entries[3].novelty == pytest.approx(1.0)


def test_without_approved_captions_the_order_is_lowest_confidence_first(catalogue: Catalogue) -> None:
    photos = build(catalogue, [Sample("b", 0.5, axis=2), Sample("a", 0.2, axis=3),
                               Sample("c", 0.21, axis=None)])
    entries = ReviewQueue(catalogue, owner="ana@test").entries()
    assert names(entries, photos) == ["a", "c", "b"]
    assert [entry.novelty for entry in entries] == [None, None, None]


def test_confidence_steps_are_exact_at_their_edges() -> None:
    steps = buckets(np.array([0.0, 0.049, 0.05, 0.15, 0.1499, 1.0, np.nan]))
    assert steps.tolist() == [0, 0, 1, 3, 2, 20, 21]


def test_the_order_of_many_photos_matches_a_plain_python_computation() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((320, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors, approved = vectors[:300], vectors[300:]
    confidence = rng.uniform(0, 1, 300)
    confidence[::17] = np.nan
    has_vector = rng.uniform(0, 1, 300) > 0.1
    order, _novelty = most_useful(confidence, has_vector,
                                  lambda rows: nearest_distance(vectors[rows], approved))

    def key(i: int) -> tuple:
        bucket = 99 if np.isnan(confidence[i]) else int(round(confidence[i] / 0.05, 6) // 1)
        distance = 1 - max(float(vectors[i] @ a) for a in approved) if has_vector[i] else None
        return (bucket, distance is None, -(distance or 0.0), np.nan_to_num(confidence[i], nan=9), i)

    assert order.tolist() == sorted(range(300), key=key)
    assert sorted(order.tolist()) == list(range(300))
    first, _ = most_useful(confidence, has_vector, lambda rows: nearest_distance(vectors[rows], approved),
                           limit=25)
    assert first.tolist() == order[:25].tolist()


def test_review_queue_on_the_command_line(catalogue: Catalogue, photos: dict[str, int], db_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    cli = cli_on(capsys, db_path)
    ran = cli("review-queue", "--json")
    assert ran.code == 0, ran.err
    lines = ran.json_lines()
    assert [line["path"] for line in lines] == [f"/photos/{name}.jpg" for name in
                                                 ("lowest", "far", "near", "unembedded", "human")]
    assert lines[1] == {"photo_id": photos["far"], "caption_id": lines[1]["caption_id"],
                        "path": "/photos/far.jpg", "captioner": "encoder-decoder", "confidence": 0.34,
                        "novelty": 1.0}
    assert lines[3]["novelty"] is None and lines[4]["confidence"] is None
    ran = cli("review-queue", "--limit", "2")
    assert ran.code == 0
    rows = ran.out.splitlines()
    assert rows[0].split() == ["id", "confidence", "novelty", "path"]
    assert rows[1].split() == [str(photos["lowest"]), "0.120", "0.000", "/photos/lowest.jpg"]
    assert rows[2].split() == [str(photos["far"]), "0.340", "1.000", "/photos/far.jpg"]
    assert len(rows) == 3
    ran = cli("review-queue", "--library", "/nowhere")
    assert ran.code == 1 and ran.err.count("\n") == 1 and "Traceback" not in ran.err


@pytest.mark.both_backends
def test_two_editors_working_the_queue_get_different_photos(
        catalogue: Catalogue, photos: dict[str, int], db_path: Path) -> None:
    with open_catalogue(db_path) as second:
        ana, ben = ReviewQueue(catalogue, claim_owner("ana")), ReviewQueue(second, claim_owner("ben"))
        assert ana.owner.startswith("ana@") and ana.owner != ben.owner
        first = ana.entries(limit=1)[0]
        assert ana.claim(first.photo_id, "ana") is None
        # Ben asks next: Ana's photo is hers, so he gets the one after it.
        his = ben.entries(limit=1)[0]
        assert names([first, his], photos) == ["lowest", "far"]
        assert ben.claim(his.photo_id, "ben") is None
        assert ben.claim(first.photo_id, "ben") == "ana"  # taken: it stays Ana's, and Ben keeps his
        assert names(ana.entries(limit=2), photos) == ["lowest", "near"]  # her own claim is no obstacle
        # Ana moves on to the next photo: her claim on the first goes with it.
        assert ana.claim(photos["near"], "ana") is None
        assert names(ben.entries(limit=1), photos) == ["lowest"]
        assert ana.release() == 1
        assert names(ben.entries(limit=3), photos) == ["lowest", "far", "near"]


@pytest.mark.both_backends
def test_a_claim_lapses_without_activity_and_renewing_keeps_it(
        catalogue: Catalogue, photos: dict[str, int]) -> None:
    ana, ben = ReviewQueue(catalogue, "ana@one"), ReviewQueue(catalogue, "ben@two")
    long_ago = utcnow() - timedelta(minutes=6)
    with catalogue.write() as session:
        assert claims.claim(session, photos["lowest"], "ana@one", "ana", now=long_ago) is None
    # Six minutes without activity: the claim has lapsed, so the photo is Ben's to take.
    assert names(ben.entries(limit=1), photos) == ["lowest"]
    assert ana.renew() == 0  # nothing left to renew
    assert ben.claim(photos["lowest"], "ben") is None
    with catalogue.read() as session:
        assert claims.claimed_by_others(session, "ana@one") == {photos["lowest"]: "ben"}
    # Ben is active four minutes later: renewing keeps his claim past the first five minutes.
    with catalogue.write() as session:
        assert claims.renew(session, "ben@two", now=utcnow() + timedelta(minutes=4)) == 1
        later = utcnow() + timedelta(minutes=7)
        assert claims.claimed_by_others(session, "ana@one", now=later) == {photos["lowest"]: "ben"}
        assert claims.claimed_by_others(session, "ana@one", now=later + timedelta(minutes=3)) == {}
        assert claims.clean_expired(session, now=later + timedelta(minutes=3)) == 1
    assert names(ana.entries(limit=1), photos) == ["lowest"]


def test_kept_distances_follow_approvals_added_and_withdrawn() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((60, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    candidates, approved = vectors[:40], vectors[40:]
    keys, approved_keys = np.arange(40), np.arange(100, 120)
    kept = NearestApproved()
    # Approvals arrive a few at a time; candidates are asked about in different groups each time.
    for count, asked in ((5, slice(0, 20)), (9, slice(10, 40)), (20, slice(0, 40)), (12, slice(5, 30))):
        # the last round withdraws approvals (a kept value may be based on one): all computed again
        kept.approve(approved_keys[:count], approved[:count])
        got = kept.distances(keys[asked], candidates[asked])
        assert np.allclose(got, nearest_distance(candidates[asked], approved[:count]), atol=1e-6)


def test_the_queue_kept_between_approvals_is_the_queue_computed_afresh(
        catalogue: Catalogue, photos: dict[str, int]) -> None:
    queue = ReviewQueue(catalogue, owner="ana@test")
    queue.entries()
    review(catalogue, str(photos["far"]), Change(APPROVE), author="ana")  # its vector is approved now
    kept = queue.entries()
    assert kept == ReviewQueue(catalogue, owner="ana@test").entries()
    assert names(kept, photos) == ["lowest", "near", "unembedded", "human"]
    assert kept[3].novelty == pytest.approx(1 - float(axis_vector(6) @ axis_vector(5)))
