"""Watched folders: each watched library's folder is watched (library/watching.py), what changed is
scanned incrementally (library/scanner.py), and its new photos, and photos whose content changed, are
appended to the library's standing jobs (jobs/standing.py): one per captioner and model, one per
tagger, as its watch settings say (services/libraries.py). Workers (`worker`, `watch`, the app) caption
them like any queued photo. For the `watch` command and the app alike; no Qt.

On start each library is scanned once (a stat per unchanged file), so what changed while nothing was
watching is caught up: photos the catalogue had not seen (all of a folder new to it) are queued, the
photos already in it are not. Moves and renames keep their captions and keywords (the scanner matches
a new file's content with the photos that went missing in the same moment); deleted photos become
missing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_app import locations
from desktop_app.catalogue import Catalogue, roots
from desktop_app.catalogue.models import Photo, PhotoStatus
from desktop_app.catalogue.photos import display_path
from desktop_app.jobs import standing
from desktop_app.jobs.checks import check_caption_job
from desktop_app.jobs.store import CAPTION_JOB, TAG_JOB, JobError
from desktop_app.jobs.tag_job import check_tag_job
from desktop_app.library.scanner import ScanError, Scanner
from desktop_app.library.watching import DEFAULT_STABILITY, FolderWatcher, WatchBatch
from desktop_app.plugin_registry import PluginRegistry
from desktop_app.services.libraries import WatchedLibrary, WatchSettings, watched_libraries
from desktop_app.settings import load_settings

log = logging.getLogger(__name__)


class WatchError(Exception):
    """Watching cannot start or be set as asked; the message says why in one line."""


def check_watch(catalogue: Catalogue, registry: PluginRegistry, watch: WatchSettings) -> WatchSettings:
    """``watch`` as stored: the captioner and tagger known to the plugins, the model resolved (a local
    folder as its absolute path), the polling interval positive; WatchError says what is wrong."""
    if watch.caption is None and watch.tag is None:
        raise WatchError("say what to do with new photos: --caption CAPTIONER and/or --tag")
    if watch.poll_interval is not None and watch.poll_interval <= 0:
        raise WatchError(f"the polling interval must be more than 0 seconds, not {watch.poll_interval:g}")
    model = watch.model
    try:
        if watch.caption is not None:
            prototype = registry.get_captioner(watch.caption)
            model, _options = check_caption_job(prototype, watch.model, {})
        elif watch.model is not None:
            raise WatchError("--model goes with --caption")
        if watch.tag is not None:
            check_tag_job(catalogue, registry, watch.tag, None, {})
    except (KeyError, JobError, ValueError) as exc:
        raise WatchError(str(exc)) from None
    return WatchSettings(watch.caption, model, watch.tag, watch.poll_interval)


# -- queueing ---------------------------------------------------------------------------------------------

def queue_new_photos(catalogue: Catalogue, registry: PluginRegistry, library_id: int,
                     watch: WatchSettings, photo_ids: Sequence[int]) -> dict[int, int]:
    """Append ``photo_ids`` (new, or changed content) to the library's standing jobs; photos appended by
    job id. Only readable photos are queued."""
    if not photo_ids:
        return {}
    with catalogue.read() as session:
        readable = _readable(session, photo_ids)
    if not readable:
        return {}
    wanted: list[tuple[str, str, str | None, dict[str, Any]]] = []
    if watch.caption is not None:
        wanted.append((CAPTION_JOB, watch.caption, watch.model, {}))
    if watch.tag is not None:
        _model, options = check_tag_job(catalogue, registry, watch.tag, None, {})
        wanted.append((TAG_JOB, watch.tag, None, options))
    queued: dict[int, int] = {}
    with catalogue.write() as session:
        for kind, plugin_id, model, options in wanted:
            key = standing.standing_key(library_id, kind, plugin_id, model)
            job = standing.standing_job(session, key, kind, plugin_id, model, options)
            queued[job.id] = standing.append_photos(session, job.id, readable)
    return queued


def _readable(session: Session, photo_ids: Sequence[int]) -> list[int]:
    found: list[int] = []
    ids = list(dict.fromkeys(photo_ids))
    for start in range(0, len(ids), 500):
        found += session.scalars(select(Photo.id).where(
            Photo.id.in_(ids[start:start + 500]), Photo.status == PhotoStatus.OK).order_by(Photo.id))
    return found


# -- watching ---------------------------------------------------------------------------------------------

@dataclass
class WatchReport:
    """What one batch of changes did in a library: one line of `watch`'s output."""

    library_id: int
    root: str
    catch_up: bool = False
    new: int = 0
    changed: int = 0
    moved: int = 0
    missing: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    queued: dict[int, int] = field(default_factory=dict)  # photos appended, by standing job id
    photo_ids: list[int] = field(default_factory=list)  # the new and changed photos
    last_write: float | None = None  # time.time() of the latest write among the files scanned

    @property
    def anything(self) -> bool:
        return bool(self.new or self.changed or self.moved or self.missing or self.errors)

    def line(self) -> str:
        what = [f"{count} {word}" for count, word in ((self.new, "new"), (self.changed, "changed"),
                                                       (self.moved, "moved"), (self.missing, "missing"),
                                                       (len(self.errors), "unreadable")) if count]
        text = f"{display_path(self.root)}: {', '.join(what) or 'nothing changed'}"
        if self.catch_up:
            text = f"caught up with {text}"
        for job_id, count in sorted(self.queued.items()):
            if count:
                text += f"; {count} queued in job {job_id}"
        return text


class LibraryWatcher:
    """Watches the watched libraries (all of them, or ``library_ids``) until :meth:`stop`, scanning what
    changes and queueing new photos; ``on_report`` is told each batch (on a watcher thread).

    ``stability``: seconds a file must stop growing before it is scanned. ``poll_interval`` overrides
    each library's own setting (None: each library's)."""

    def __init__(self, catalogue: Catalogue, registry: PluginRegistry,
                 on_report: Callable[[WatchReport], None] | None = None, *,
                 library_ids: Collection[int] | None = None, stability: float = DEFAULT_STABILITY,
                 poll_interval: float | None = None, scanner: Scanner | None = None) -> None:
        self.catalogue = catalogue
        self.registry = registry
        self.on_report = on_report or (lambda _report: None)
        self.library_ids = set(library_ids) if library_ids is not None else None
        self.stability = stability
        self.poll_interval = poll_interval
        self._scanner = scanner
        self._lock = threading.Lock()
        self._watchers: dict[int, tuple[WatchedLibrary, FolderWatcher]] = {}

    def libraries(self) -> list[WatchedLibrary]:
        """The libraries this watcher watches now."""
        with self._lock:
            return [library for library, _watcher in self._watchers.values()]

    def start(self) -> list[WatchedLibrary]:
        """Start watching (each folder caught up first, on its watcher's thread); the libraries watched.
        WatchError when none is (none is set to be watched, or none's folder is on this machine)."""
        problems = self.refresh()
        watched = self.libraries()
        if not watched:
            raise WatchError(problems[0] if problems else "no library is watched; name a folder: "
                             "photo-annotator watch FOLDER --caption CAPTIONER")
        return watched

    def refresh(self) -> list[str]:
        """Follow the libraries' watch settings as stored now: start watching new ones, stop those no
        longer watched, restart those whose settings changed (the app's "Watch this folder..."). Returns
        why a library could not be watched (its folder is not on this machine), one line each."""
        problems: list[str] = []
        wanted = {library.id: library for library in watched_libraries(self.catalogue)
                  if self.library_ids is None or library.id in self.library_ids}
        with self._lock:
            current = dict(self._watchers)
        for library_id, (library, watcher) in current.items():
            if wanted.get(library_id) != library:
                watcher.stop()
                with self._lock:
                    self._watchers.pop(library_id, None)
        for library_id, library in wanted.items():
            if library_id not in current or current[library_id][0] != library:
                try:
                    self._start_one(library)
                except (WatchError, OSError) as exc:
                    problems.append(str(exc))
        return problems

    def stop(self) -> None:
        with self._lock:
            watchers, self._watchers = list(self._watchers.values()), {}
        for _library, watcher in watchers:
            watcher.stop()

    def _start_one(self, library: WatchedLibrary) -> None:
        folder = roots.local_root(library.root)
        if not os.path.isdir(folder):
            raise WatchError(roots.unavailable_message(library.id, library.root))
        settings = load_settings().library
        scanner = self._scanner or Scanner(self.catalogue, settings=settings)
        interval = self.poll_interval or library.watch.poll_interval
        watcher = FolderWatcher(
            folder, lambda batch: self._handle(library, scanner, batch), poll_interval=interval,
            stability=self.stability, ignored=settings.ignored_folders,
            skip=[str(scanner.thumbnails.folder), str(locations.thumbnail_dir())])
        with self._lock:
            self._watchers[library.id] = (library, watcher)
        watcher.start()

    def _handle(self, library: WatchedLibrary, scanner: Scanner, batch: WatchBatch) -> list[str]:
        """Scan a batch, queue its new photos, tell on_report; the files still being written (a catch-up
        scan leaves them to settle)."""
        report = WatchReport(library.id, batch.root, batch.catch_up, last_write=batch.last_write)
        for path in batch.gone:
            report.missing += scanner.mark_vanished(path)
        new_paths: dict[int, list[str]] = {}
        unsettled: list[str] = []
        for path in batch.ready:
            try:
                scanned = scanner.scan(path, settled_before=time.time() - self.stability
                                       if batch.catch_up else None)
            except ScanError as exc:  # gone again, or unreadable: the next event brings it back
                report.errors.append((path, str(exc)))
                continue
            report.new += scanned.new
            report.changed += len(scanned.changed_ids)
            report.moved += scanned.moved
            report.missing += scanned.missing
            report.errors += [(os.path.join(scanned.root, rel), reason) for rel, reason in scanned.errors
                              if not batch.catch_up]
            report.photo_ids += scanned.changed_ids
            new_paths.setdefault(scanned.library_id, []).extend(scanned.new_paths)
            unsettled += scanned.unsettled
        report.missing = max(0, report.missing - report.moved)  # a moved photo went missing first
        report.photo_ids += self._ids_of(new_paths)
        try:
            report.queued = queue_new_photos(self.catalogue, self.registry, library.id, library.watch,
                                             report.photo_ids)
        except (JobError, KeyError) as exc:  # its tagger lost its vocabularies, say: watching goes on
            report.errors.append((batch.root, f"cannot queue new photos: {exc}"))
        if report.anything or batch.catch_up:
            self.on_report(report)
        return unsettled

    def _ids_of(self, new_paths: dict[int, list[str]]) -> list[int]:
        ids: list[int] = []
        with self.catalogue.read() as session:
            for library_id, paths in new_paths.items():
                for start in range(0, len(paths), 500):
                    ids += session.scalars(select(Photo.id).where(
                        Photo.library_id == library_id, Photo.rel_path.in_(paths[start:start + 500]))
                        .order_by(Photo.id))
        return ids
