"""Photo copies for the imagefolder export: a copy-on-write reflink where the file system offers one,
else a copy, sharing nothing with the library's files. The export's temporary files and folders are
atomic_files'."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import IO

FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int), share the source's blocks copy-on-write


def copy_photo(source: str, target: Path) -> None:
    """A new file at ``target`` with ``source``'s bytes and modification time, sharing nothing with it
    (editing one never changes the other): a reflink where the file system offers one, else a copy."""
    with open(source, "rb") as src, open(target, "xb") as dst:
        cloned = _reflink(src, dst)
    if not cloned:
        shutil.copyfile(source, target)  # the kernel's fast copy (sendfile) where there is one
    info = os.stat(source)
    with contextlib.suppress(OSError):  # a share that keeps its own times: the copy is still good
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))


def _reflink(src: IO[bytes], dst: IO[bytes]) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        return False
    try:
        fcntl.ioctl(dst.fileno(), FICLONE, src.fileno())
    except OSError:  # not offered here (ext4, tmpfs, another file system): copy instead
        return False
    return True
