"""library/decoding.py: one file to an upright RGB image or a one-line reason, and decoding ahead."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from desktop_app.library.decoding import decode_ahead, decode_file
from desktop_app.library.images import OpenedImage
from tests import photo_files


def test_a_file_decodes_upright_and_rgb_within_max_side(tmp_path: Path) -> None:
    # Orientation 6: stored landscape, shown portrait.
    path = photo_files.jpeg(tmp_path / "a.jpg", size=(320, 240), orientation=6)
    image, error = decode_file(str(path), max_side=100)
    assert error is None and image is not None
    assert image.mode == "RGB" and image.size[1] > image.size[0] and max(image.size) <= 100


def test_bad_files_give_one_line_reasons(tmp_path: Path) -> None:
    reasons = {
        "missing": decode_file(str(tmp_path / "gone.jpg"))[1],
        "text": decode_file(str(photo_files.text_as_jpeg(tmp_path / "t.jpg")))[1],
        "empty": decode_file(str(photo_files.zero_byte(tmp_path / "z.jpg")))[1],
    }
    for name, reason in reasons.items():
        assert reason and "\n" not in reason, name
    assert "not found" in reasons["missing"].lower() or "no such" in reasons["missing"].lower()


def test_the_callers_check_refuses_a_file_before_it_is_decoded(tmp_path: Path) -> None:
    path = photo_files.jpeg(tmp_path / "a.jpg")
    seen: list[str] = []

    def photos_refused(opened: OpenedImage) -> str | None:
        seen.append(opened.format)
        return f"{opened.format} refused"

    assert decode_file(str(path), check=photos_refused) == (None, "JPEG refused")
    assert seen == ["JPEG"]


def _files(tmp_path: Path, count: int) -> list[str]:
    return [str(photo_files.jpeg(tmp_path / f"{n}.jpg", seed=n, size=(64, 48))) for n in range(count)]


def _sized(paths: list[str], size: dict[str, int], taken: list[int]) -> Iterator[list[str]]:
    """``paths`` in batches of ``size["now"]``, read when each batch is taken (noted in ``taken``)."""
    position = 0
    while position < len(paths):
        batch = paths[position:position + size["now"]]
        taken.append(len(batch))
        position += len(batch)
        yield batch


def test_the_next_batch_decodes_while_the_caller_works_on_this_one(tmp_path: Path) -> None:
    paths = _files(tmp_path, 4)
    decoded_files: list[str] = []
    lock = threading.Lock()

    def check(opened: OpenedImage) -> str | None:
        with lock:
            decoded_files.append(threading.current_thread().name)
        return None

    batches = [paths[:2], paths[2:]]
    seen: list[tuple[Sequence[str], int]] = []
    for ready in decode_ahead(batches, str, check=check, workers=2):
        if not seen:
            # The following batch was handed to the pool before this one was handed out.
            assert ready.following == paths[2:]
        seen.append((ready.items, sum(entry.error is None for entry in ready.decoded)))
        assert [entry.item for entry in ready.decoded] == list(ready.items)
    assert seen == [(paths[:2], 2), (paths[2:], 2)]
    assert len(decoded_files) == 4 and all(name.startswith("decode") for name in decoded_files)


def test_batches_are_taken_lazily_so_a_later_batch_can_be_sized_when_taken(tmp_path: Path) -> None:
    paths = _files(tmp_path, 5)
    size = {"now": 2}
    taken: list[int] = []

    for _ready in decode_ahead(_sized(paths, size, taken), str):
        size["now"] = 1  # the batch taken after this one is already decoding; the rest shrink
    assert taken == [2, 2, 1]


def test_stop_and_a_refusing_start_end_the_iteration(tmp_path: Path) -> None:
    paths = _files(tmp_path, 4)
    assert list(decode_ahead([paths[:2], paths[2:]], str, started=lambda batch: False)) == []
    handed_out: list[Any] = []
    for ready in decode_ahead([paths[:2], paths[2:]], str, stop=lambda: bool(handed_out)):
        handed_out.append(ready.items)
    assert handed_out == [paths[:2]]


def test_prepare_runs_on_the_decode_threads_and_a_failing_image_fails_alone(tmp_path: Path) -> None:
    paths = _files(tmp_path, 3)
    threads: list[str] = []

    def prepare(images: list[Any]) -> list[Any]:
        threads.append(threading.current_thread().name)
        if any(image.size == (1, 1) for image in images):
            raise ValueError("a one-pixel image")
        return [("prepared", image.size) for image in images]

    def check(opened: OpenedImage) -> str | None:
        return None

    batches = [[paths[0], paths[1], paths[2]]]
    (ready,) = decode_ahead(batches, str, max_side=32, prepare=prepare, check=check)
    assert [entry.image for entry in ready.decoded] == [("prepared", (32, 24))] * 3
    assert threads and all(name.startswith("decode") for name in threads)

    tiny = str(photo_files.save(photo_files.picture(1, 1), tmp_path / "tiny.png"))
    (ready,) = decode_ahead([[paths[0], tiny, str(tmp_path / "gone.jpg")]], str, prepare=prepare)
    first, bad, missing = ready.decoded
    assert first.image[0] == "prepared" and first.error is None
    assert bad.image is None and bad.error == "preparing the image failed: a one-pixel image"
    assert missing.image is None and missing.error and "prepar" not in missing.error


def test_prepare_must_give_one_entry_per_image(tmp_path: Path) -> None:
    paths = _files(tmp_path, 2)
    (ready,) = decode_ahead([paths], str, prepare=lambda images: [])
    assert [entry.error for entry in ready.decoded] == [
        "preparing the image failed: prepare returned 0 entries for 1 images"] * 2


def test_a_ctrl_c_in_prepare_is_not_swallowed(tmp_path: Path) -> None:
    paths = _files(tmp_path, 1)

    def interrupted(images: list[Any]) -> list[Any]:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        list(decode_ahead([paths], str, prepare=interrupted))



def test_with_prefetch_3_three_batches_decode_while_the_first_is_handed_out(tmp_path: Path) -> None:
    # Widths 40..49 tell the files apart on the decode threads.
    paths = [str(photo_files.jpeg(tmp_path / f"{n}.jpg", seed=n, size=(40 + n, 30))) for n in range(10)]
    batches = [paths[0:2], paths[2:4], paths[4:6], paths[6:8], paths[8:10]]
    taken: list[list[str]] = []
    widths: set[int] = set()
    ahead_decoded = threading.Event()
    lock = threading.Lock()

    def source() -> Iterator[list[str]]:
        for batch in batches:
            taken.append(batch)
            yield batch

    def check(opened: OpenedImage) -> str | None:
        with lock:
            widths.add(opened.width)
            if set(range(42, 48)) <= widths:  # batches 2, 3 and 4
                ahead_decoded.set()
        return None

    handed: list[Sequence[str]] = []
    for ready in decode_ahead(source(), str, check=check, workers=2, prefetch=3):
        if not handed:
            # Batches 2, 3 and 4 were taken and decode while the caller holds the first; not the fifth.
            assert taken == batches[:4] and ready.following == batches[1]
            assert ahead_decoded.wait(30), sorted(widths)
        handed.append(ready.items)
        assert all(entry.error is None for entry in ready.decoded)
    assert handed == batches and taken == batches


def test_with_prefetch_stop_and_a_refusing_start_keep_their_meaning(tmp_path: Path) -> None:
    paths = _files(tmp_path, 8)
    taken: list[int] = []

    def source() -> Iterator[list[str]]:
        for start in range(0, 8, 2):
            taken.append(start)
            yield paths[start:start + 2]

    # started: called with the first batch once it decodes, before any other batch is taken.
    started: list[Sequence[str]] = []
    assert list(decode_ahead(source(), str, prefetch=3,
                             started=lambda batch: started.append(batch) is not None)) == []
    assert started == [paths[:2]] and taken == [0]
    # stop: asked before waiting for each batch, so before the first no other batch is taken.
    taken.clear()
    assert list(decode_ahead(source(), str, prefetch=3, stop=lambda: True)) == []
    assert taken == [0]
    # After the first batch: the three behind it were taken (a job's runner has claimed them).
    taken.clear()
    handed: list[Sequence[str]] = []
    for ready in decode_ahead(source(), str, prefetch=3, stop=lambda: bool(handed)):
        handed.append(ready.items)
    assert handed == [paths[:2]] and taken == [0, 2, 4, 6]


def test_with_prefetch_a_later_batch_is_still_sized_when_taken(tmp_path: Path) -> None:
    paths = _files(tmp_path, 7)
    size = {"now": 2}
    taken: list[int] = []

    for _ready in decode_ahead(_sized(paths, size, taken), str, prefetch=2):
        size["now"] = 1  # the two batches behind this one are taken already; the rest shrink
    assert taken == [2, 2, 2, 1]
