"""Thumbnails and previews, decoded off the GUI thread.

Reading a JPEG costs milliseconds; a screenful of them on the GUI thread makes scrolling stutter.
Files are decoded into QImages on a QThreadPool (QImage, unlike QPixmap, may be made on any thread)
and handed to the GUI thread by a queued signal, where they become QPixmaps in a small LRU.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap

from desktop_app.errors import os_error_reason
from desktop_app.library.file_state import content_hash_of
from desktop_app.library.images import UnsupportedImageError, decode, open_image
from desktop_app.library.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

THUMBNAIL_MEMORY_ITEMS = 1000  # about 80 MB of 160 px pixmaps: several screens to scroll back to
THUMBNAIL_QUEUE = 256  # more than any screen shows; older requests are for photos scrolled past


class LatestFirstPool:
    """Runs jobs on a thread pool, newest first, forgetting the oldest ones beyond ``capacity``.

    Requests come from painting: while the user scrolls through thousands of photos, what was asked
    for a second ago is off screen now. Serving the newest first shows what is visible soonest, and
    the bound keeps the queue from growing without end. A dropped job's key goes to ``on_drop``; the
    view asks again if that photo comes back into sight.
    """

    def __init__(self, workers: int, capacity: int, on_drop: Callable[[str], None] | None = None) -> None:
        self._pool = QThreadPool()
        self._pool.setMaxThreadCount(workers)
        self._workers = workers
        self._capacity = capacity
        self._on_drop = on_drop
        self._lock = threading.Lock()
        self._queue: OrderedDict[str, Callable[[], None]] = OrderedDict()
        self._running = 0
        self._closed = False

    def submit(self, key: str, job: Callable[[], None]) -> None:
        dropped: list[str] = []
        with self._lock:
            if self._closed:
                return
            self._queue[key] = job
            self._queue.move_to_end(key)
            while len(self._queue) > self._capacity:
                dropped.append(self._queue.popitem(last=False)[0])
            start = self._running < self._workers
            if start:
                self._running += 1
        if start:
            self._pool.start(self._drain)
        if self._on_drop:
            for old in dropped:
                self._on_drop(old)

    def cancel_all(self) -> None:
        with self._lock:
            self._queue.clear()

    def close(self) -> None:
        """Drop queued jobs and wait for running ones, which may still emit to their owner."""
        with self._lock:
            self._closed = True
            self._queue.clear()
        self._pool.waitForDone()

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._queue or self._closed:
                    self._running -= 1
                    return
                _key, job = self._queue.popitem(last=True)
            try:
                job()
            except Exception:  # a job reports its own failures; this only keeps the worker alive
                log.exception("image loading job failed")


def read_scaled(path: Path, box: QSize) -> QImage | None:
    """The image at ``path`` scaled to fit ``box``; JPEGs decode at reduced size. None if unreadable."""
    reader = QImageReader(str(path))
    size = reader.size()
    if not size.isValid():
        return None
    if size.width() > box.width() or size.height() > box.height():
        reader.setScaledSize(size.scaled(box, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    return None if image.isNull() else image


def to_qimage(image: object) -> QImage:
    """An 8-bit RGB Pillow image as a QImage that owns its pixels."""
    width, height = image.size  # type: ignore[attr-defined]
    data = image.tobytes()  # type: ignore[attr-defined]
    return QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


class ThumbnailLoader(QObject):
    """Grid thumbnails by content hash: read from the ThumbnailCache files, kept as QPixmaps in an LRU.

    A thumbnail missing from the disk cache (the cache was cleared) is made again from the photo, if
    the photo's content still has the catalogued hash.
    """

    loaded = Signal(str)  # content hash; its pixmap (or its failure) is now known
    _image_ready = Signal(str, QImage)  # from pool threads; queued to the GUI thread

    def __init__(
        self,
        cache: ThumbnailCache,
        box: QSize,
        device_pixel_ratio: float = 1.0,
        memory_items: int = THUMBNAIL_MEMORY_ITEMS,
        workers: int = 2,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.device_pixel_ratio = device_pixel_ratio
        # Decoded at the screen's pixel density, so thumbnails stay sharp on HiDPI screens.
        self.box = QSize(round(box.width() * device_pixel_ratio), round(box.height() * device_pixel_ratio))
        self._memory_items = memory_items
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._in_flight: set[str] = set()
        self._failed: set[str] = set()
        self._jobs = LatestFirstPool(workers, THUMBNAIL_QUEUE, on_drop=self._in_flight.discard)
        self._image_ready.connect(self._store)

    def pixmap(self, content_hash: str) -> QPixmap | None:
        pixmap = self._pixmaps.get(content_hash)
        if pixmap is not None:
            self._pixmaps.move_to_end(content_hash)
        return pixmap

    def is_known(self, content_hash: str) -> bool:
        """Loaded, or failed to load: nothing more will come for it."""
        return content_hash in self._pixmaps or content_hash in self._failed

    def request(self, content_hash: str, photo_path: str | None = None) -> None:
        """Load a thumbnail unless it is loaded, loading or failed; with ``photo_path``, rebuild if gone."""
        if content_hash in self._pixmaps or content_hash in self._in_flight or content_hash in self._failed:
            return
        self._in_flight.add(content_hash)
        self._jobs.submit(content_hash, lambda: self._load(content_hash, photo_path))

    def forget_failures(self) -> None:
        """After a scan: photos that had no thumbnail may have one now."""
        self._failed.clear()

    def shutdown(self) -> None:
        self._jobs.close()

    def _load(self, content_hash: str, photo_path: str | None) -> None:
        # On a pool thread: no widgets, no QPixmap.
        file = self.cache.path_for(content_hash)
        image = read_scaled(file, self.box)
        if image is None and photo_path is not None and self._rebuild(content_hash, photo_path):
            image = read_scaled(file, self.box)
        self._image_ready.emit(content_hash, image if image is not None else QImage())

    def _rebuild(self, content_hash: str, photo_path: str) -> bool:
        try:
            with open(photo_path, "rb") as fp:
                if content_hash_of(fp) != content_hash:
                    return False  # the file changed since its scan: its thumbnail belongs to a rescan
                fp.seek(0)
                self.cache.make(content_hash, open_image(fp))
            return True
        except Exception:
            log.debug("cannot rebuild the thumbnail of %s", photo_path, exc_info=True)
            return False

    @Slot(str, QImage)
    def _store(self, content_hash: str, image: QImage) -> None:
        self._in_flight.discard(content_hash)
        if image.isNull():
            self._failed.add(content_hash)
        else:
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(self.device_pixel_ratio)
            self._pixmaps[content_hash] = pixmap
            while len(self._pixmaps) > self._memory_items:
                self._pixmaps.popitem(last=False)
        self.loaded.emit(content_hash)


class PreviewLoader(QObject):
    """The detail pane's large preview, decoded from the photo file itself, EXIF orientation applied.

    Only the newest request matters: arrowing through the grid asks for one preview per key press,
    and a single worker with a one-deep queue skips the photos passed over.
    """

    loaded = Signal(int, QImage, str)  # request id, image (null on failure), the failure's reason

    def __init__(self, max_side: int = 1600, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.max_side = max_side
        self._jobs = LatestFirstPool(workers=1, capacity=1)
        self._request_id = 0
        self._pending = False

    @property
    def busy(self) -> bool:
        return self._pending

    def request(self, path: str) -> int:
        self._request_id += 1
        request_id = self._request_id
        self._pending = True
        self._jobs.submit("preview", lambda: self._load(request_id, path))
        return request_id

    def cancel(self) -> None:
        self._request_id += 1
        self._pending = False
        self._jobs.cancel_all()

    def shutdown(self) -> None:
        self._jobs.close()

    def _load(self, request_id: int, path: str) -> None:
        if request_id != self._request_id:
            return  # a newer request came while this one waited
        try:
            with open(path, "rb") as fp:
                image = to_qimage(decode(open_image(fp), max_side=self.max_side))
            self.loaded.emit(request_id, image, "")
        except UnsupportedImageError as exc:
            self.loaded.emit(request_id, QImage(), str(exc))
        except OSError as exc:
            self.loaded.emit(request_id, QImage(), os_error_reason(exc))
        except Exception as exc:  # decoder failures are the file's problem
            log.debug("preview of %s failed", path, exc_info=True)
            self.loaded.emit(request_id, QImage(),
                             self.tr("cannot decode image: {reason}").format(reason=exc))

    def accept(self, request_id: int) -> bool:
        """Whether a delivered result is the newest request's; clears ``busy`` when it is."""
        if request_id != self._request_id:
            return False
        self._pending = False
        return True
