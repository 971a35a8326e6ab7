"""Has a photo file changed since the catalogue last saw it? The one rule the scanner and write-back share.

Any difference in size, modification time, change time (ctime) or inode is a reason to hash the file
again; only a different content hash is a change. A same-size edit with its modification time put
back is caught (its ctime moved), while a restore, an rsync or shared storage mounted on another
machine (new ctime and inode, same bytes) costs one rehash, after which the stored stat values are
updated and the photo reads as unchanged.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import IO


def content_hash_of(fp: IO[bytes]) -> str:
    """The content hash the catalogue uses: BLAKE2b-128 of the file's bytes, in hex."""
    return hashlib.file_digest(fp, lambda: hashlib.blake2b(digest_size=16)).hexdigest()


def hash_file(path: str) -> str:
    with open(path, "rb") as fp:
        return content_hash_of(fp)


@dataclass(frozen=True)
class FileState:
    """What one ``stat`` says about a file, as the catalogue stores it."""

    size: int | None
    mtime_ns: int | None
    ctime_ns: int | None
    inode: int | None

    @classmethod
    def of(cls, st: os.stat_result) -> FileState:
        return cls(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def values(self) -> dict[str, int | None]:
        """The photo row's columns."""
        return {"size": self.size, "mtime_ns": self.mtime_ns, "ctime_ns": self.ctime_ns, "inode": self.inode}


def needs_rehash(stored: FileState, current: FileState) -> bool:
    """Whether the file must be hashed again to know if it changed.

    A ctime or inode the catalogue never recorded (rows from before they were kept) is not a
    difference: it is filled in without reading the file, so an upgrade does not rehash a library.
    """
    if (stored.size, stored.mtime_ns) != (current.size, current.mtime_ns):
        return True
    return any(old is not None and old != new for old, new in
               ((stored.ctime_ns, current.ctime_ns), (stored.inode, current.inode)))


def stat_outdated(stored: FileState, current: FileState) -> bool:
    """Whether the stored stat values differ at all (then, with the same content, they are refreshed)."""
    return stored != current
