"""Decoding photos for a model: one file to an upright RGB image (or a one-line reason), and decoding ahead.

``decode_file`` opens, checks and decodes one file the way every model pipeline wants it (the
captioning engine, photo embedding): an upright 8-bit RGB PIL image no larger than ``max_side``, or
a one-line reason why not. ``decode_ahead`` runs over batches of items and decodes the next batches
(n+1 to n+prefetch) in a small thread pool while the caller works on batch n, so a model never waits
on the disk or on JPEG decoding; an optional ``prepare`` step (a plugin's CPU preprocessing) runs on
the same threads.
No Qt and no torch here.
"""

from __future__ import annotations

import io
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PIL import Image

from desktop_app.errors import isolated, one_line, os_error_reason
from desktop_app.library.images import OpenedImage, UnsupportedImageError, decode, open_image

T = TypeVar("T")

# A caller's check of an opened file before its pixels are decoded: None to go on, or the one-line
# reason to refuse it (the engine refuses DICOM files for a captioner that reads photos only).
Check = Callable[[OpenedImage], str | None]
# CPU work on a batch's decoded images, run on the decode threads: one entry out per image in.
Prepare = Callable[[list[Any]], Sequence[Any]]


def decode_file(path: str | bytes, max_side: int | None = None,
                check: Check | None = None) -> tuple[Image.Image | None, str | None]:
    """(image, None), the file decoded to an upright RGB image at most ``max_side`` on either side,
    or (None, a one-line reason): unreadable, unsupported, refused by ``check``, undecodable. ``path``
    may be the file's bytes, read elsewhere (a cluster job's driver ships them to its workers)."""
    try:
        with (io.BytesIO(path) if isinstance(path, bytes) else open(path, "rb")) as file:
            opened = open_image(file)
            refused = check(opened) if check is not None else None
            if refused is not None:
                return None, refused
            return decode(opened, max_side=max_side), None
    except UnsupportedImageError as exc:
        return None, str(exc)
    except OSError as exc:
        return None, os_error_reason(exc)
    except Exception as exc:
        return None, f"cannot decode image: {one_line(exc)}"


@dataclass(frozen=True)
class Decoded(Generic[T]):
    """One item of a batch: its image (what ``prepare`` made of it, when given) or why there is none."""

    item: T
    image: Any = None
    error: str | None = None


@dataclass(frozen=True)
class DecodedBatch(Generic[T]):
    """A batch ready for the model, in item order, and the next batch, decoding behind it (empty: last)."""

    items: Sequence[T]
    decoded: list[Decoded[T]]
    following: Sequence[T] = field(default_factory=list)


def decode_ahead(
    batches: Iterable[Sequence[T]],
    path_of: Callable[[T], str],
    *,
    max_side: int | None = None,
    check: Check | None = None,
    prepare: Prepare | None = None,
    workers: int = 2,
    prefetch: int = 1,
    stop: Callable[[], bool] | None = None,
    started: Callable[[Sequence[T]], bool] | None = None,
    thread_name_prefix: str = "decode",
) -> Iterator[DecodedBatch[T]]:
    """Each batch of ``batches`` decoded, while the next ``prefetch`` batches decode in a pool of
    ``workers`` threads.

    ``batches`` is read lazily: a batch is taken when the one ``prefetch`` places before it is about
    to be handed out, so a generator may size each batch when it is taken (the engine halves its
    batches after running out of memory); an empty batch ends it. ``started`` is called with the
    first batch once its decoding has begun; False ends the iteration before any batch is handed out.
    ``stop`` is asked before waiting for each batch; True ends the iteration. Files still queued for
    decoding when the iteration ends are not decoded.
    """
    source = iter(batches)
    pool = ThreadPoolExecutor(max(1, workers), thread_name_prefix=thread_name_prefix)
    try:
        batch = next(source, [])
        if not batch:
            return
        ahead = deque([(batch, _submit(pool, batch, path_of, max_side, check, prepare))])
        if started is not None and not started(batch):
            return
        more = True
        while ahead:
            if stop is not None and stop():
                return
            batch, decoding = ahead[0]
            decoded = decoding.result()
            ahead.popleft()
            # The next batches decode while the caller works on this one.
            while more and len(ahead) < max(1, prefetch):
                following = next(source, [])
                if not following:
                    more = False
                    break
                ahead.append((following, _submit(pool, following, path_of, max_side, check, prepare)))
            yield DecodedBatch(batch, decoded, ahead[0][0] if ahead else [])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ThreadPoolExecutor, batch: Sequence[T], path_of: Callable[[T], str],
            max_side: int | None, check: Check | None, prepare: Prepare | None) -> Future[list[Decoded[T]]]:
    files = [pool.submit(decode_file, path_of(item), max_side, check) for item in batch]
    # Queued behind the batch's files, so when a thread takes it they are all decoding already.
    return pool.submit(_finish, batch, files, prepare)


def _finish(batch: Sequence[T], files: list[Future[tuple[Any, str | None]]],
            prepare: Prepare | None) -> list[Decoded[T]]:
    decoded = [Decoded(item, *future.result()) for item, future in zip(batch, files, strict=True)]
    return decoded if prepare is None else prepared_batch(decoded, prepare)


def prepared_batch(decoded: list[Decoded[T]], prepare: Prepare) -> list[Decoded[T]]:
    """A decoded batch after ``prepare``: each image replaced by what it made of it, or failed alone with
    a one-line reason when preparing it fails (decoding failures kept as they are)."""
    ready = [entry for entry in decoded if entry.error is None]
    prepared = dict(zip(map(id, ready), _prepared(prepare, [entry.image for entry in ready]), strict=True))
    out: list[Decoded[T]] = []
    for entry in decoded:
        result = prepared.get(id(entry))
        if isinstance(result, _Failed):
            out.append(Decoded(entry.item, error=result.reason))
        else:
            out.append(Decoded(entry.item, image=result) if entry.error is None else entry)
    return out


@dataclass(frozen=True)
class _Failed:
    reason: str


def _prepared(prepare: Prepare, images: list[Any]) -> list[Any]:
    """``prepare`` on the whole batch; when that fails, on each image alone, so that one bad image
    fails alone (with a one-line reason) and the others go on."""
    if not images:
        return []
    try:
        return _checked(prepare, images)
    except BaseException as caught:
        exc = isolated(caught)  # plugin code: its sys.exit() fails its images, a Ctrl+C still stops
        if len(images) == 1:
            return [_Failed(f"preparing the image failed: {one_line(exc)}")]
    return [result for image in images for result in _prepared(prepare, [image])]


def _checked(prepare: Prepare, images: list[Any]) -> list[Any]:
    out = list(prepare(images))
    if len(out) != len(images):
        raise ValueError(f"prepare returned {len(out)} entries for {len(images)} images")
    return out
