"""Finding a library's photo files: the walk of its folders, one ``stat`` per candidate file.

Hidden names and the settings' ignored names are skipped; symbolic links to folders are followed
once (a loop or a second link to a folder visited is reported, not followed); what cannot be listed
or stat'ed is reported with a one-line reason, and the walk goes on.
"""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass

from desktop_app.errors import os_error_reason
from desktop_app.library.file_state import FileState
from desktop_app.library.images import is_candidate


@dataclass(frozen=True)
class FileEntry:
    """A candidate file found by the walk, with what one stat told us (or why stat failed)."""

    rel_path: str
    path: str
    size: int | None = None
    mtime_ns: int | None = None
    ctime_ns: int | None = None
    error: str | None = None
    inode: int | None = None

    @property
    def state(self) -> FileState:
        return FileState(self.size, self.mtime_ns, self.ctime_ns, self.inode)


def walk_library(
    top: str,
    root: str,
    ignored: frozenset[str] = frozenset(),
    stop: threading.Event | None = None,
) -> tuple[list[FileEntry], list[tuple[str, str]]]:
    """Every candidate image file under ``top``, one stat each, sorted by path.

    Paths are relative to ``root`` with ``/`` separators. Hidden names and ``ignored`` names (NAS
    metadata, recycle bins) are skipped. Symbolic links to folders are followed once: a folder
    already visited (a link loop, or a second link to it) is skipped and reported. Setting
    ``stop`` ends the walk early (checked once per folder: a huge tree must not hold up a quit).
    """
    entries: list[FileEntry] = []
    skipped: list[tuple[str, str]] = []
    top_stat = os.stat(top)
    visited = {(top_stat.st_dev, top_stat.st_ino)}
    prefix = os.path.relpath(top, root).replace(os.sep, "/")
    stack = [(top, "" if prefix == "." else prefix + "/")]
    while stack and not (stop is not None and stop.is_set()):
        folder, rel_folder = stack.pop()
        try:
            with os.scandir(folder) as iterator:
                children = list(iterator)
        except OSError as exc:
            skipped.append((rel_folder.rstrip("/") or ".", os_error_reason(exc)))
            continue
        for child in children:
            name = child.name
            if name.startswith(".") or name in ignored:
                continue  # hidden files (AppleDouble "._x.jpg" ones too) and the settings' list
            rel_path = rel_folder + name
            try:
                is_dir = child.is_dir()  # follows links
            except OSError:  # a link loop: it is then looked at as a file, below
                is_dir = False
            if is_dir:
                try:
                    child_stat = child.stat()
                except OSError as exc:
                    skipped.append((rel_path, os_error_reason(exc)))
                    continue
                key = (child_stat.st_dev, child_stat.st_ino)
                if key in visited:
                    skipped.append((rel_path, "folder already scanned through another path (symbolic link)"))
                    continue
                visited.add(key)
                stack.append((child.path, rel_path + "/"))
                continue
            if not is_candidate(name):
                continue
            entries.append(stat_entry(child.path, rel_path))
    entries.sort(key=lambda e: e.rel_path)
    return entries, skipped


def stat_entry(path: str, rel_path: str) -> FileEntry:
    """The entry of one file, with why it cannot be read when so."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        reason = "broken symbolic link: its target does not exist" if os.path.islink(path) else None
        return FileEntry(rel_path, path, error=reason or "file disappeared during the scan")
    except OSError as exc:
        return FileEntry(rel_path, path, error=os_error_reason(exc))
    if not stat.S_ISREG(st.st_mode):
        return FileEntry(rel_path, path, error="not a regular file")
    return FileEntry(rel_path, path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, inode=st.st_ino)
