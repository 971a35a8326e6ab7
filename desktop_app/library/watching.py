"""Watching a library's folder for files that arrive, change, move or go (no Qt, no catalogue).

watchdog's Observer (inotify, FSEvents, ReadDirectoryChangesW) reports events; a network share, where
events do not arrive, is polled every ``poll_interval`` seconds (:class:`_Poller`: a walk that stats the
photo files only, and compares with the last walk). Events only say *which* paths changed: they are
collected into a set, and a path is handed on once it has settled:

- a file only after it stopped growing: its size, modification and change times unchanged for
  ``stability`` seconds (a half-copied TIFF is never scanned); where the system says so (inotify), a
  file written and not yet closed waits too, however slowly the copy goes (up to OPEN_WAIT_LIMIT);
- a folder that appeared (created, or moved in) is walked, and its files wait like any other;
- a path that is gone (deleted, moved away) at once: its photos become missing before the files
  that appeared in the same moment are scanned, so a moved photo is matched by its content.

Hidden names, the settings' ignored folders, files the scanner does not read and anything under
``skip`` (the thumbnail cache, should it live in the library) are left out, as the scanner leaves
them. Batches go to ``on_batch`` on the watcher's own thread, one at a time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from desktop_app.library.images import is_candidate

log = logging.getLogger(__name__)

DEFAULT_STABILITY = 1.5  # seconds a file's size and times must stay the same before it is scanned
# Seconds a file written to and not closed yet waits at most: a close that is never reported (a chmod
# is reported as a write without one) must not hold a photo back for long.
OPEN_WAIT_LIMIT = 60.0
TICK = 0.1  # seconds between looks at the files waiting to settle
RETRY_AFTER = 5.0  # seconds before a batch whose handling failed is handled again


@dataclass
class WatchBatch:
    """Paths that settled together: ``gone`` (deleted or moved away: files and folders) and ``ready``
    (files that stopped growing, or a whole folder to scan on ``catch_up``), all absolute; ``settled_at``
    ``last_write`` the latest write time (time.time())
    of the ready files."""

    root: str
    gone: list[str] = field(default_factory=list)
    ready: list[str] = field(default_factory=list)
    catch_up: bool = False
    last_write: float | None = None


@dataclass
class _Waiting:
    signature: tuple[int, int, int] | None = None  # size, mtime_ns, ctime_ns as last seen
    since: float = 0.0  # monotonic time the signature was first seen (or the last event)
    writing_since: float | None = None  # an open-for-writing report (inotify) not yet closed


class FolderWatcher:
    """Watches one folder (a library's root) until :meth:`stop`; see the module's docstring.

    ``catch_up``: first hand on the whole folder (a batch with ``catch_up`` set and the root as its
    ready path) so what changed while nothing watched is scanned, with files written in the last
    ``stability`` seconds then waiting like new ones (``settling``)."""

    def __init__(self, root: str, on_batch: Callable[[WatchBatch], Collection[str] | None], *,
                 poll_interval: float | None = None, stability: float = DEFAULT_STABILITY,
                 ignored: Collection[str] = (), skip: Collection[str] = (), catch_up: bool = True) -> None:
        self.root = os.path.abspath(root)
        self.on_batch = on_batch
        self.poll_interval = poll_interval
        self.stability = max(0.0, stability)
        self.ignored = frozenset(ignored)
        self.skip = tuple(os.path.abspath(path) for path in skip)
        self.catch_up = catch_up
        self._lock = threading.Lock()
        self._waiting: dict[str, _Waiting] = {}
        self._folders: set[str] = set()  # folders that appeared: walked on the next tick
        self._gone: set[str] = set()
        self._gone_since: float | None = None  # when the paths gone were first seen (monotonic)
        self._stop = threading.Event()
        self._observer: BaseObserver | None = None
        self._tracks_close = False  # whether the system reports a written file's close (inotify)
        self._poller: _Poller | None = None
        self._thread = threading.Thread(target=self._run, name=f"watch {os.path.basename(self.root)}",
                                        daemon=True)
        self.error: str | None = None  # why the last batch could not be handled, until one is

    # -- life -----------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start watching (events are collected from now on) and settling on its own thread."""
        if self.poll_interval:
            self._poller = _Poller(self, self.poll_interval)
            self._poller.start()
        else:
            observer: BaseObserver = Observer()
            self._tracks_close = type(observer).__name__ == "InotifyObserver"
            observer.schedule(_Handler(self), self.root, recursive=True)
            observer.daemon = True
            observer.start()
            self._observer = observer
        self._thread.start()

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop watching; waits for a batch being handled to finish (up to ``timeout``)."""
        self._stop.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout)
        if self._poller is not None:
            self._poller.stop(timeout)
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def settling(self, paths: Collection[str]) -> None:
        """Files to wait for (a catch-up scan found them still being written)."""
        now = time.monotonic()
        with self._lock:
            for path in paths:
                self._waiting.setdefault(path, _Waiting(since=now))

    # -- events (the observer's thread) ------------------------------------------------------------------

    def wanted(self, path: str, is_directory: bool) -> bool:
        """Whether a path is one the scanner would read (or a folder it would walk)."""
        if path == self.root or not path.startswith(self.root.rstrip(os.sep) + os.sep):
            return False
        if any(path == skipped or path.startswith(skipped + os.sep) for skipped in self.skip):
            return False
        parts = path[len(self.root.rstrip(os.sep)) + 1:].split(os.sep)
        if any(part.startswith(".") or part in self.ignored for part in parts):
            return False
        return is_directory or is_candidate(parts[-1])

    def event(self, event: FileSystemEvent) -> None:
        kind = event.event_type
        if kind in ("opened", "closed_no_write"):
            return  # readers (our own scanner among them) open files too
        now = time.monotonic()
        source = os.fsdecode(event.src_path)
        with self._lock:
            if kind in ("deleted", "moved"):
                if self.wanted(source, event.is_directory):
                    self._gone.add(source)
                    self._waiting.pop(source, None)
                if kind == "moved":
                    self._appeared(os.fsdecode(event.dest_path), event.is_directory, now, closed=True)
                return
            self._appeared(source, event.is_directory, now, writing=kind == "modified",
                           closed=kind == "closed")

    def polled(self, files: dict[str, tuple[int, int, int]], folders: set[str],
               before: tuple[dict[str, tuple[int, int, int]], set[str]]) -> None:
        """What a poll found (photo files with size, mtime and inode; folders) against the poll before."""
        old_files, old_folders = before
        gone_folders = old_folders - folders
        now = time.monotonic()
        with self._lock:
            self._gone.update(folder for folder in gone_folders
                              if os.path.dirname(folder) not in gone_folders)  # the top one of a tree
            for path in old_files.keys() - files.keys():
                if os.path.dirname(path) not in gone_folders:
                    self._gone.add(path)
                    self._waiting.pop(path, None)
            for path, signature in files.items():
                if old_files.get(path) != signature:
                    self._appeared(path, False, now)

    def _appeared(self, path: str, is_directory: bool, now: float, writing: bool = False,
                  closed: bool = False) -> None:
        if not self.wanted(path, is_directory):
            return
        self._gone.discard(path)
        if is_directory:
            self._folders.add(path)
            return
        waiting = self._waiting.setdefault(path, _Waiting())
        waiting.since, waiting.signature = now, None  # any event starts the wait again
        if closed:
            waiting.writing_since = None
        elif writing and self._tracks_close:  # written to, and its close will be reported
            waiting.writing_since = waiting.writing_since or now

    # -- settling (the watcher's thread) ------------------------------------------------------------------

    def _run(self) -> None:
        pause = TICK
        batch = WatchBatch(self.root, ready=[self.root], catch_up=True) if self.catch_up else None
        while not self._stop.wait(pause):
            batch = batch or self._settled()
            try:
                if batch.gone or batch.ready:
                    self.settling(self.on_batch(batch) or ())
                batch, pause, self.error = None, TICK, None
            except Exception as exc:  # the catalogue is locked, say: the same batch again in a while
                self.error = str(exc) or type(exc).__name__
                log.warning("watching %s: %s (trying again in %g s)", self.root, self.error, RETRY_AFTER,
                            exc_info=log.isEnabledFor(logging.DEBUG))
                pause = RETRY_AFTER

    def _settled(self) -> WatchBatch:
        """The paths gone and the files that settled since the last look."""
        with self._lock:
            folders, self._folders = self._folders, set()
        now = time.monotonic()
        for folder in sorted(folders):
            self.settling(self._files_under(folder))
        ready: list[str] = []
        last_write: float | None = None
        with self._lock:
            for path, waiting in list(self._waiting.items()):
                try:
                    st = os.stat(path)
                except OSError:
                    del self._waiting[path]  # gone again before it settled: a temporary file, say
                    continue
                signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
                if signature != waiting.signature:
                    waiting.signature, waiting.since = signature, now
                    continue
                if now - waiting.since < self.stability:
                    continue
                if waiting.writing_since is not None and now - waiting.writing_since < OPEN_WAIT_LIMIT:
                    continue  # still open for writing (a slow copy): it is not whole yet
                del self._waiting[path]
                ready.append(path)
                last_write = max(last_write or 0.0, st.st_mtime, st.st_ctime)
            # What went and what came in the same moment (a move) go in one batch, once the files that
            # came are whole: the scanner matches them to the photos gone (reported as moved).
            gone_set: set[str] = set()
            if self._gone:
                self._gone_since = self._gone_since or now
                if not self._waiting or now - self._gone_since > 2 * self.stability + 1:
                    gone_set, self._gone, self._gone_since = self._gone, set(), None
        # A folder deleted or moved away stands for the files in it (one update marks them all missing).
        gone = sorted(path for path in gone_set
                      if not any(parent in gone_set for parent in _parents(path, self.root)))
        return WatchBatch(self.root, gone=gone, ready=sorted(ready), last_write=last_write)

    def _files_under(self, folder: str) -> list[str]:
        found = []
        for top, folders, files in os.walk(folder):
            folders[:] = [name for name in folders if self.wanted(os.path.join(top, name), True)]
            found += [path for name in files if self.wanted(path := os.path.join(top, name), False)]
        return found


def _parents(path: str, root: str) -> list[str]:
    """The folders between ``root`` (excluded) and ``path``."""
    found = []
    parent = os.path.dirname(path)
    while len(parent) > len(root) and parent != path:
        found.append(parent)
        path, parent = parent, os.path.dirname(parent)
    return found


class _Poller:
    """Polls a folder every ``interval`` seconds, for network shares where file-system events do not
    arrive: a walk that stats the photo files only (hidden and ignored folders are not entered, links to
    folders not followed), compared with the walk before. Cheaper than watchdog's PollingObserver, which
    stats every file and folder and tracks inodes: about a third of its time for 10,000 photos."""

    def __init__(self, watcher: FolderWatcher, interval: float) -> None:
        self.watcher, self.interval = watcher, interval
        self._stop = threading.Event()
        self._last: tuple[dict[str, tuple[int, int, int]], set[str]] = ({}, set())
        self._thread = threading.Thread(target=self._run, name=f"poll {os.path.basename(watcher.root)}",
                                        daemon=True)

    def start(self) -> None:
        self._last = self._walk()  # before the catch-up scan: what changes from now on is seen
        self._thread.start()

    def stop(self, timeout: float | None) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                found = self._walk()
            except OSError as exc:  # the share is away for a moment: the next poll compares again
                log.warning("cannot poll %s: %s", self.watcher.root, exc)
                continue
            before, self._last = self._last, found
            self.watcher.polled(*found, before)

    def _walk(self) -> tuple[dict[str, tuple[int, int, int]], set[str]]:
        files: dict[str, tuple[int, int, int]] = {}
        folders: set[str] = set()
        stack = [self.watcher.root]
        while stack:
            try:
                entries = list(os.scandir(stack.pop()))
            except OSError:
                continue  # gone meanwhile, or unreadable (the scanner reports those)
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if self.watcher.wanted(entry.path, True):
                            folders.add(entry.path)
                            stack.append(entry.path)
                    elif self.watcher.wanted(entry.path, False):
                        st = entry.stat()
                        files[entry.path] = (st.st_size, st.st_mtime_ns, st.st_ino)
                except OSError:
                    continue
        return files, folders


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.event(event)
