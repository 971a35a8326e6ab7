"""Adding and refreshing a library: walk the folder (walk.py), inspect new and changed files
(inspection.py), record them.

- Incremental: a file whose size, modification time, ctime and inode match the catalogue costs one
  ``stat``. Any difference is a reason to hash it again; only a different hash is a change (see
  file_state): the same bytes under a new inode or ctime (a restore, rsync, another machine's mount)
  just have their stat values refreshed.
- New and changed files are hashed, their headers and EXIF read and a thumbnail made in a thread
  pool (Pillow and hashlib release the GIL); results are written in order by this thread alone, one
  transaction per batch.
- A file that appears with the content hash of a photo that vanished is the same photo moved or
  renamed: its row, and so its captions, follow it. A vanished file is marked ``missing``, never
  deleted.
- Every bad file becomes a row with status ``error`` and a one-line reason; the scan goes on. A
  thumbnail that cannot be saved (a read-only or broken cache) is not the photo's fault: the photo
  stays ``ok``, the scan reports one warning, and the thumbnail is made again on the next scan (or
  when the grid shows it).
- New and changed files also have their descriptions and keywords read (embedded XMP / IPTC / EXIF,
  XMP and text sidecars; see metadata/read.py and metadata/imported.py): each description no caption
  of the photo ever held becomes an imported caption, so a rescan, a moved file or our own write-back
  imports nothing twice.
  A sidecar edited on its own, beside an unchanged photo, is read when the photo next changes.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import insert, select, update

from desktop_app.catalogue import roots
from desktop_app.catalogue.database import Catalogue
from desktop_app.catalogue.models import Library, Photo, PhotoStatus, natural_key, utcnow
from desktop_app.catalogue.photos import display_path
from desktop_app.errors import is_read_reason, os_error_reason
from desktop_app.library.file_state import FileState, needs_rehash, stat_outdated
from desktop_app.library.images import is_candidate
from desktop_app.library.inspection import Inspection, inspect_file
from desktop_app.library.metadata.imported import import_file_metadata
from desktop_app.library.metadata.read import FileMetadata
from desktop_app.library.metadata.write import follow_new_hash
from desktop_app.library.thumbnails import ThumbnailCache
from desktop_app.library.walk import FileEntry, stat_entry, walk_library
from desktop_app.settings import LibrarySettings, load_settings

log = logging.getLogger(__name__)

BATCH_SIZE = 256

ProgressCallback = Callable[[int, int], None]
_Described = tuple[int | None, str, FileMetadata]  # photo id (None: a new row), path, what the file says


class ScanError(Exception):
    """The scan as a whole cannot run (the folder is missing, unreadable...). One-line message."""


@dataclass
class ScanReport:
    root: str
    library_id: int
    found: int = 0
    new: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    imported: int = 0  # captions imported from the files' metadata and sidecars
    missing: int = 0
    rehashed: int = 0  # unchanged files hashed again for a stat difference (counted in unchanged too)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path in library, reason)
    thumbnails_failed: int = 0  # thumbnails the cache could not store: made again on the next scan
    thumbnail_warning: str | None = None  # one line about it, or None
    skipped_folders: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0
    new_paths: list[str] = field(default_factory=list)  # paths in the library of the new photos
    changed_ids: list[int] = field(default_factory=list)  # known photos whose content changed
    unsettled: list[str] = field(default_factory=list)  # files left out as still written (settled_before)


@dataclass(frozen=True)
class _Row:
    id: int
    rel_path: str
    size: int | None
    mtime_ns: int | None
    ctime_ns: int | None
    inode: int | None
    status: PhotoStatus
    error: str | None
    content_hash: str | None
    pending_hash: str | None

    @property
    def state(self) -> FileState:
        return FileState(self.size, self.mtime_ns, self.ctime_ns, self.inode)


_ROW_COLUMNS = (Photo.id, Photo.rel_path, Photo.size, Photo.mtime_ns, Photo.ctime_ns, Photo.inode,
                Photo.status, Photo.error, Photo.content_hash, Photo.pending_hash)


def _maybe_side_fault(row: _Row) -> bool:
    """An error row whose file was read whole (it has a hash) yet failed on a file-system error:
    before thumbnail failures were kept apart, a broken thumbnail cache was recorded this way.
    Such rows are retried on every scan until they recover."""
    error = row.error or ""
    return row.content_hash is not None and is_read_reason(error)


def _to_recheck(row: _Row, entry: FileEntry, retry_errors: bool, thumbnails: ThumbnailCache) -> bool:
    """Whether a known file must be read again (hashed, at least) on this scan."""
    if row.status is PhotoStatus.MISSING:
        return True
    if entry.error:
        return retry_errors or not (row.status is PhotoStatus.ERROR and row.error == entry.error)
    if needs_rehash(row.state, entry.state):
        return True  # a failed file is retried when anything about it changed, chmod (ctime) included
    if row.status is PhotoStatus.ERROR:
        return retry_errors or _maybe_side_fault(row)
    # A good photo without its thumbnail (the cache failed, or was cleared) has it made again.
    return row.content_hash is None or not thumbnails.has(row.content_hash)


class Scanner:
    """Scans folders into a catalogue. One instance can scan many folders."""

    def __init__(
        self,
        catalogue: Catalogue,
        thumbnails: ThumbnailCache | None = None,
        workers: int | None = None,
        settings: LibrarySettings | None = None,
    ) -> None:
        settings = settings or load_settings().library
        self.catalogue = catalogue
        self.thumbnails = thumbnails or ThumbnailCache(size=settings.thumbnail_size)
        self.workers = max(1, workers or settings.scan_workers or os.cpu_count() or 2)
        self.ignored = settings.ignored_folders

    def scan(
        self,
        folder: str | os.PathLike[str],
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        on_listed: Callable[[int, int], None] | None = None,
        retry_errors: bool = False,
        settled_before: float | None = None,
    ) -> ScanReport:
        """Add ``folder`` as a library, or refresh the library (or the part of one) it is in.

        ``folder`` may also be one photo file: it is added to (or refreshed in) the library of its
        folder, and nothing else is looked at.
        ``progress(done, total)`` is called as files are inspected; ``on_listed(found, to_inspect)``
        once the walk is done; setting ``stop`` ends the scan early with what was recorded kept.
        ``retry_errors`` reads files recorded as errors again even when they did not change.
        ``settled_before`` (a time.time()): files written or changed after it may still be being
        copied; they are left out of this scan (listed in ``report.unsettled``) for a watcher to look
        at again once they stop growing.
        """
        started = time.perf_counter()
        top, single_file = self._target(folder)
        library, prefix = self._library_for(os.path.dirname(top) if single_file else top)
        report = ScanReport(root=roots.local_root(library.root), library_id=library.id)

        if single_file:
            rel_path = prefix + os.path.basename(top)
            entries = [stat_entry(top, rel_path)]
            rows = self._rows_in_scope(library.id, rel_path, exact=True)
        else:
            entries, report.skipped_folders = walk_library(top, report.root, self.ignored, stop)
            if stop is not None and stop.is_set():
                report.cancelled = True  # a partial walk must not mark the unvisited photos missing
                report.seconds = time.perf_counter() - started
                return report
            rows = self._rows_in_scope(library.id, prefix)
        if settled_before is not None:
            cutoff = int(settled_before * 1e9)
            unsettled = {entry.rel_path: entry.path for entry in entries
                         if max(entry.mtime_ns or 0, entry.ctime_ns or 0) > cutoff}
            report.unsettled = sorted(unsettled.values())
            entries = [entry for entry in entries if entry.rel_path not in unsettled]
            rows = {path: row for path, row in rows.items() if path not in unsettled}
        report.found = len(entries)
        seen = {entry.rel_path for entry in entries}
        gone = {path: row for path, row in rows.items() if path not in seen}

        movable = self._move_candidates(gone.values())
        writer = _BatchWriter(self.catalogue, library.id)
        to_inspect: list[tuple[FileEntry, _Row | None]] = []
        for entry in entries:
            row = rows.get(entry.rel_path)
            if row is None or _to_recheck(row, entry, retry_errors, self.thumbnails):
                to_inspect.append((entry, row))
                continue
            report.unchanged += 1
            if row.status is PhotoStatus.ERROR:
                report.errors.append((row.rel_path, row.error or "unknown error"))
            elif not entry.error and stat_outdated(row.state, entry.state):
                writer.update(row.id, entry.state.values())  # an inode or ctime recorded for the first time
        if on_listed:
            on_listed(report.found, len(to_inspect))

        # (photo id, None for a new row; path; what its file says), imported once the rows are written
        described: list[_Described] = []
        rewritten: list[tuple[int, str, str]] = []  # (photo id, old hash, new hash) of our own write-backs
        for done, (entry, row, inspection) in enumerate(self._inspect_all(to_inspect, stop), 1):
            if inspection is None:  # stopped
                report.cancelled = True
                break
            if inspection.thumbnail_error:
                report.thumbnails_failed += 1
                report.thumbnail_warning = report.thumbnail_warning or (
                    f"thumbnails cannot be saved in {display_path(str(self.thumbnails.folder))}: "
                    f"{inspection.thumbnail_error}; the photos are fine, and their thumbnails will be "
                    "made on the next scan")
            if inspection.same_content and row is not None:
                # The same bytes (a restore, rsync, a new inode or ctime): not a change.
                report.unchanged += 1
                report.rehashed += 1
                if stat_outdated(row.state, entry.state):
                    writer.update(row.id, entry.state.values())
                if progress:
                    progress(done, len(to_inspect))
                continue
            values = inspection.row()
            photo_id: int | None = None
            if row is not None:
                writer.update(row.id, values)
                photo_id = row.id
                report.updated += 1
                if inspection.content_hash and inspection.content_hash != row.content_hash:
                    report.changed_ids.append(row.id)
                if row.content_hash and inspection.content_hash == row.pending_hash:
                    # A metadata write-back killed before it recorded the file: its pixels are the same
                    rewritten.append((row.id, row.content_hash, inspection.content_hash))
            elif inspection.content_hash and movable.get(inspection.content_hash):
                moved = movable[inspection.content_hash].popleft()
                writer.update(moved.id, {**values, "library_id": library.id})
                photo_id = moved.id
                report.moved += 1
            else:
                writer.insert(values)
                report.new += 1
                report.new_paths.append(entry.rel_path)
            # A known photo is always looked at: a changed file may have lost its keywords.
            if not inspection.error and (inspection.file_metadata or photo_id is not None):
                described.append((photo_id, entry.rel_path, inspection.file_metadata))
            if inspection.error:
                report.errors.append((entry.rel_path, inspection.error))
            if progress:
                progress(done, len(to_inspect))
        writer.flush()
        if rewritten:
            with self.catalogue.write() as session:
                for rewritten_id, old_hash, new_hash in rewritten:
                    follow_new_hash(session, rewritten_id, old_hash, new_hash)
        report.imported = self._import_file_metadata(library.id, described)

        if not report.cancelled:
            claimed = writer.updated_ids
            vanished = [row.id for row in gone.values()
                        if row.status is not PhotoStatus.MISSING and row.id not in claimed]
            writer.mark_missing(vanished)
            report.missing = len(vanished)
            with self.catalogue.write() as session:
                session.execute(
                    update(Library).where(Library.id == library.id).values(last_scan_at=utcnow())
                )
        report.errors.sort()
        report.seconds = time.perf_counter() - started
        return report

    def mark_vanished(self, path: str | os.PathLike[str]) -> int:
        """A file or folder that is gone (a watcher saw it deleted or moved away): its photos are marked
        missing, as a scan of its folder would (a photo that reappears elsewhere with the same content
        is matched to its row then). Nothing when it exists again, or is in no library; returns how
        many photos."""
        local = roots.to_local(os.path.abspath(os.fspath(path)))
        if os.path.lexists(local):
            return 0
        with self.catalogue.write() as session:
            for library in session.scalars(select(Library)):
                here = roots.local_root(library.root)
                if local != here and _is_within(local, here):
                    rel = os.path.relpath(local, here).replace(os.sep, "/")
                    ids = list(session.scalars(select(Photo.id).where(
                        Photo.library_id == library.id, Photo.status != PhotoStatus.MISSING,
                        # the path itself, or under it: an index range ("0" follows "/")
                        (Photo.rel_path == rel)
                        | ((Photo.rel_path >= rel + "/") & (Photo.rel_path < rel + "0")))))
                    break
            else:
                return 0
        _BatchWriter(self.catalogue, library.id).mark_missing(ids)
        return len(ids)

    # -- steps ---------------------------------------------------------------------------------

    def _target(self, folder: str | os.PathLike[str]) -> tuple[str, bool]:
        """_check_target of ``folder`` on this machine (a library's canonical root is its mapped folder);
        a library's root that is not here is said to be unavailable, never scanned as empty."""
        path = roots.to_local(os.path.abspath(os.path.expanduser(os.fspath(folder))))
        try:
            return _check_target(path)
        except ScanError:
            with self.catalogue.read() as session:
                for library in session.scalars(select(Library)):
                    here = roots.local_root(library.root)
                    named = roots.within(path, library.root) or roots.within(path, here)
                    if named and not os.path.isdir(here):
                        raise ScanError(roots.unavailable_message(library.id, library.root)) from None
            raise

    def _library_for(self, top: str) -> tuple[Library, str]:
        """The library ``top`` belongs to and its path inside it ("" for the whole library).

        A folder inside a known library refreshes that part of it; a new folder becomes a library,
        taking in any known libraries below it (their photos keep their captions).
        """
        with self.catalogue.write() as session:
            libraries = session.scalars(select(Library)).all()
            for library in libraries:
                here = roots.local_root(library.root)
                if _is_within(top, here):
                    rel = os.path.relpath(top, here)
                    return library, "" if rel == "." else rel.replace(os.sep, "/") + "/"
            library = Library(root=top, name=os.path.basename(top) or top)
            session.add(library)
            session.flush()
            for child in libraries:
                if _is_within(roots.local_root(child.root), top):
                    self._absorb(session, child, library)
            return library, ""

    @staticmethod
    def _absorb(session: Any, child: Library, parent: Library) -> None:
        prefix = os.path.relpath(roots.local_root(child.root), parent.root).replace(os.sep, "/") + "/"
        moved = [
            {"id": photo_id, "library_id": parent.id, "rel_path": prefix + rel_path,
             "name_key": natural_key(prefix + rel_path)}
            for photo_id, rel_path in session.execute(
                select(Photo.id, Photo.rel_path).where(Photo.library_id == child.id)
            )
        ]
        if moved:
            session.execute(update(Photo), moved)
        session.delete(child)
        log.info("library %s merged into %s", child.root, parent.root)

    def _rows_in_scope(self, library_id: int, prefix: str, exact: bool = False) -> dict[str, _Row]:
        with self.catalogue.read() as session:
            query = select(*_ROW_COLUMNS).where(Photo.library_id == library_id)
            if exact:  # one file (a watcher's): not every row of a big library
                query = query.where(Photo.rel_path == prefix)
            result = session.execute(query)
            rows = (_Row(*values) for values in result)
            return {row.rel_path: row for row in rows
                    if (row.rel_path == prefix if exact else row.rel_path.startswith(prefix))}

    def _import_file_metadata(self, library_id: int, described: list[_Described]) -> int:
        """Imported captions and keywords of the files just recorded; returns the captions added."""
        if not described:
            return 0
        new_paths = [rel_path for photo_id, rel_path, _found in described if photo_id is None]
        ids: dict[str, int] = {}
        with self.catalogue.read() as session:
            for start in range(0, len(new_paths), 500):
                ids.update((rel_path, photo_id) for photo_id, rel_path in session.execute(
                    select(Photo.id, Photo.rel_path).where(
                        Photo.library_id == library_id, Photo.rel_path.in_(new_paths[start : start + 500]))
                ))
        added = 0
        for start in range(0, len(described), BATCH_SIZE):
            with self.catalogue.write() as session:
                for photo_id, rel_path, found in described[start : start + BATCH_SIZE]:
                    photo = session.get(Photo, photo_id if photo_id is not None else ids.get(rel_path))
                    if photo is not None:
                        added += import_file_metadata(session, photo, found)
        return added

    def _move_candidates(self, gone: Any) -> dict[str, deque[_Row]]:
        """Photos whose file vanished, by content hash: this scan's, and any already missing."""
        candidates: dict[str, deque[_Row]] = defaultdict(deque)
        for row in gone:
            if row.content_hash:
                candidates[row.content_hash].append(row)
        with self.catalogue.read() as session:
            missing = session.execute(
                select(*_ROW_COLUMNS)
                .where(Photo.status == PhotoStatus.MISSING, Photo.content_hash.is_not(None))
            )
            known = {row.id for queue in candidates.values() for row in queue}
            for values in missing:
                row = _Row(*values)
                if row.id not in known:
                    candidates[row.content_hash].append(row)  # type: ignore[index]
        return candidates

    def _inspect_all(
        self, work: list[tuple[FileEntry, _Row | None]], stop: threading.Event | None
    ) -> Iterator[tuple[FileEntry, _Row | None, Inspection | None]]:
        """Inspect files in the pool, yielding results in walk order with a bounded window."""
        Image.init()  # load Pillow's format plugins once, before threads race to do it
        window = self.workers * 4
        with ThreadPoolExecutor(self.workers, thread_name_prefix="scan") as pool:
            pending: deque[tuple[FileEntry, _Row | None, Future[Inspection]]] = deque()
            items = iter(work)
            try:
                while True:
                    while len(pending) < window:
                        item = next(items, None)
                        if item is None:
                            break
                        entry, row = item
                        known = row.content_hash if row is not None and row.status is PhotoStatus.OK else None
                        pending.append((entry, row, pool.submit(inspect_file, entry, self.thumbnails, known)))
                    if not pending:
                        return
                    if stop is not None and stop.is_set():
                        yield pending[0][0], pending[0][1], None
                        return
                    entry, row, future = pending.popleft()
                    yield entry, row, future.result()
            finally:
                for _entry, _row, future in pending:
                    future.cancel()


class _BatchWriter:
    """Buffers photo rows and writes them in one transaction per batch (the single writer)."""

    def __init__(self, catalogue: Catalogue, library_id: int) -> None:
        self.catalogue = catalogue
        self.library_id = library_id
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []
        self.updated_ids: set[int] = set()

    def insert(self, values: dict[str, Any]) -> None:
        now = utcnow()
        self.inserts.append({**values, "library_id": self.library_id, "added_at": now, "updated_at": now})
        self._maybe_flush()

    def update(self, photo_id: int, values: dict[str, Any]) -> None:
        self.updates.append({**values, "id": photo_id, "updated_at": utcnow()})
        self.updated_ids.add(photo_id)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.inserts) + len(self.updates) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if not (self.inserts or self.updates):
            return
        with self.catalogue.write() as session:
            if self.updates:
                session.execute(update(Photo), self.updates)
            if self.inserts:
                session.execute(insert(Photo), self.inserts)
        self.inserts, self.updates = [], []

    def mark_missing(self, photo_ids: list[int]) -> None:
        now = utcnow()
        for start in range(0, len(photo_ids), 500):
            chunk = photo_ids[start : start + 500]
            with self.catalogue.write() as session:
                session.execute(
                    update(Photo)
                    .where(Photo.id.in_(chunk))
                    .values(status=PhotoStatus.MISSING, updated_at=now)
                )


def _check_target(target: str | os.PathLike[str]) -> tuple[str, bool]:
    """The folder (or single photo file) to scan, absolute, and whether it is a file.

    A folder is fully resolved; for a file only its folder is, so a symbolic link to a photo is
    recorded under its own name.
    """
    path = Path(target).expanduser()
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError:
        raise ScanError(f"folder {path} does not exist") from None
    except OSError as exc:
        raise ScanError(f"cannot open folder {path}: {os_error_reason(exc)}") from None
    if resolved.is_file():
        if not is_candidate(path.name):
            raise ScanError(f"{path} is not a folder or a photo file the app reads")
        return str(path.absolute().parent.resolve() / path.name), True
    if not resolved.is_dir():
        raise ScanError(f"{path} is not a folder")
    if not os.access(resolved, os.R_OK | os.X_OK):
        raise ScanError(f"cannot open folder {path}: permission denied")
    return str(resolved), False


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
