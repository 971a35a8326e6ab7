"""Writing a file so that a failure never leaves it half written: the one way the app replaces a file
(an export, a metadata write-back into a photo or its sidecar).

The new content goes to a temporary file (or folder) beside the output, on the same file system,
created with the user's umask like any tool's, named so that it fits any file system's 255-byte
limit, is hidden (the scanner skips hidden names) and is recognised by a later run, which clears a
killed run's leftovers; it is flushed to disk and moved over the output with ``os.replace`` in one
step. Whatever fails before that leaves the output as it was, and the temporary file removed."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

TEMP_MARK = ".photo-annotator-tmp-"
# Leftovers whose process cannot be checked (another machine's, a reused pid) are cleared once this old.
STALE_AFTER_S = 24 * 3600
_BASE_MAX = 120  # bytes of the output's name kept in a temporary name; with the mark and ids: < 180
_HOST = hashlib.blake2b(socket.gethostname().encode(errors="replace"), digest_size=4).hexdigest()
# How earlier versions named their temporaries (tempfile.mkstemp/mkdtemp): ".NAME.xxxxxxxx.tmp", ".old".
_LEGACY = re.compile(r"\.[a-z0-9_]{8}\.(?:tmp|old)")


def temp_base(name: str) -> str:
    """``name`` as it appears in its temporaries: cut at a character boundary, with a hash of the whole
    name, when it is too long to fit beside the mark and the ids."""
    if len(os.fsencode(name)) <= _BASE_MAX:
        return name
    digest = hashlib.blake2b(os.fsencode(name), digest_size=4).hexdigest()
    cut = name
    while len(os.fsencode(cut)) > _BASE_MAX - len(digest) - 1:
        cut = cut[:-1]
    return f"{cut}~{digest}"


def temp_path(output: Path) -> Path:
    """A new name beside ``output`` for one of this process's temporaries (nothing is created)."""
    return output.parent / (f".{temp_base(output.name)}{TEMP_MARK}{_HOST}-{os.getpid()}-"
                            f"{secrets.token_hex(4)}")


def create_temp_file(output: Path) -> tuple[int, Path]:
    """An empty temporary file beside ``output``, mode 0666 less the umask: an open descriptor and its
    path."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        path = temp_path(output)
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue


def create_temp_folder(output: Path) -> Path:
    """An empty temporary folder beside ``output``, mode 0777 less the umask."""
    while True:
        path = temp_path(output)
        try:
            path.mkdir(0o777)
            return path
        except FileExistsError:
            continue


def clear_leftovers(output: Path) -> int:
    """Remove the temporaries an earlier, killed run (an export, a write-back) left beside ``output``:
    names of ours only, and only when the process that made them is gone or they are older than
    STALE_AFTER_S. Returns how many were removed; one that cannot be removed is left for the next time."""
    ours = re.compile(rf"\.{re.escape(temp_base(output.name))}{re.escape(TEMP_MARK)}"
                      r"(?P<host>[0-9a-f]{8})-(?P<pid>[0-9]+)-[0-9a-f]{8}")
    legacy = re.compile(rf"\.{re.escape(output.name)}{_LEGACY.pattern}")
    try:
        entries = list(os.scandir(output.parent))
    except OSError:
        return 0
    removed = 0
    for entry in entries:
        match = ours.fullmatch(entry.name)
        if match is None and not legacy.fullmatch(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        old = time.time() - info.st_mtime > STALE_AFTER_S
        orphan = match is not None and match["host"] == _HOST and not _alive(int(match["pid"]))
        if not (old or orphan):
            continue
        try:
            if stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another write in this process (the app's, or a test's)
    if sys.platform == "win32":
        return True  # os.kill would end the process there; the age rule clears these
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


@contextmanager
def atomic_write(output: Path, mode: str = "wb", keep_mode: bool = False) -> Iterator[IO[Any]]:
    """A stream (``mode`` "wb", or "w" for UTF-8 text) to a temporary file beside ``output``, moved onto
    it only once fully written and flushed to disk; on any failure ``output`` is untouched and the
    temporary file removed. A killed run's leftovers beside ``output`` are cleared first.
    ``keep_mode``: the new file keeps the permissions of the one it replaces (a photo the user
    shared); otherwise it has the umask's, like any new file."""
    clear_leftovers(output)
    fd, temp = create_temp_file(output)
    try:
        text = {"encoding": "utf-8", "newline": ""} if "b" not in mode else {}
        with open(fd, mode, **text) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if keep_mode and os.path.exists(output):
            shutil.copymode(output, temp)
        os.replace(temp, output)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def replace_file(output: Path, data: bytes, keep_mode: bool = True) -> None:
    """``output`` holds ``data``, written as atomic_write does (its permissions kept by default)."""
    with atomic_write(output, "wb", keep_mode=keep_mode) as stream:
        stream.write(data)
