"""The thumbnail disk cache, keyed by content hash.

Keyed by content, not path: a moved or renamed photo keeps its thumbnail, identical files share one,
and an edited photo gets a new one. The cache can be deleted at any time; it is rebuilt on demand.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PIL import Image

from desktop_app import locations
from desktop_app.library.images import OpenedImage, decode

THUMBNAIL_SIZE = 320  # longest side in pixels: a sharp 160 px grid cell on a 2x (HiDPI) screen
JPEG_QUALITY = 85


class ThumbnailCache:
    def __init__(self, folder: Path | None = None, size: int = THUMBNAIL_SIZE) -> None:
        self.folder = folder or locations.thumbnail_dir()
        self.size = size

    def path_for(self, content_hash: str) -> Path:
        # Two-character fan-out keeps folders small at a million photos.
        return self.folder / content_hash[:2] / f"{content_hash}.jpg"

    def has(self, content_hash: str) -> bool:
        try:
            return self.path_for(content_hash).is_file()
        except OSError:  # an unreadable cache has nothing usable: the thumbnail is made (or fails) again
            return False

    def make(self, content_hash: str, opened: OpenedImage) -> Path:
        """Decode ``opened`` at thumbnail size and store it. Decoding errors propagate to the caller."""
        thumbnail = decode(opened, max_side=self.size)
        return self.store(content_hash, thumbnail)

    def store(self, content_hash: str, thumbnail: Image.Image) -> Path:
        target = self.path_for(content_hash)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file, even if we are killed mid-write.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".jpg")
        try:
            with os.fdopen(fd, "wb") as out:
                thumbnail.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return target
