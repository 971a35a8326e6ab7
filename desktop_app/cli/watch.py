"""`photo-annotator watch`: watched folders, captioned (and tagged) as photos arrive."""

from __future__ import annotations

import signal
import threading
from typing import Any

import click

from desktop_app.cli.common import adds_to_catalogue, db_option, echo, engine_options, open_db

STABILITY_HELP = ("Seconds a file's size and times must stay the same before it is scanned (a file "
                  "still being copied is never scanned half-written; default 1.5).")


@adds_to_catalogue
@click.command()
@click.argument("folders", nargs=-1, type=click.Path(path_type=str))
@click.option("--caption", "captioner", metavar="CAPTIONER",
              help="Caption new photos with this captioner (see `photo-annotator plugins`).")
@click.option("--model", metavar="MODEL", help="With --caption: the model (default: the settings').")
@click.option("--tag", "tagger", metavar="[TAGGER]", is_flag=False, flag_value="", default=None,
              help="Suggest keywords for new photos, with TAGGER (default: the caption-text tagger).")
@click.option("--poll-interval", type=click.FloatRange(0, min_open=True), metavar="SECONDS",
              help="Look for changes every SECONDS instead of waiting for file-system events: for network "
                   "shares, where events do not arrive.")
@click.option("--stability", type=click.FloatRange(0), default=1.5, show_default=False, metavar="SECONDS",
              help=STABILITY_HELP)
@click.option("--no-worker", is_flag=True,
              help="Only scan and queue; the app or a `photo-annotator worker` captions the photos.")
@click.option("--stop-watching", is_flag=True, help="Stop watching FOLDERS (their photos stay) and exit.")
@click.option("--list", "list_only", is_flag=True, help="List the watched folders and exit.")
@engine_options
@db_option
def watch(folders: tuple[str, ...], captioner: str | None, model: str | None, tagger: str | None,
          poll_interval: float | None, stability: float, no_worker: bool, stop_watching: bool,
          list_only: bool, device: str, dtype: str, batch_size: int, decode_workers: int, prefetch: int,
          db: str | None) -> None:
    """Watch FOLDERS (libraries; a folder new to the catalogue is scanned in as one) and caption new
    photos as they arrive, until Ctrl+C.

    With FOLDERS and --caption and/or --tag, the folders are marked watched with those settings (kept
    in the catalogue: the app watches them too); with FOLDERS alone, their settings as stored; with
    no FOLDERS, every watched library. A file is scanned once it has stopped growing; new photos, and
    photos whose content changed, go into the library's standing job (one per captioner and model,
    one per tagger: see `photo-annotator jobs`). Moved and renamed photos keep their captions and
    keywords; deleted ones are marked missing. On start, what changed while nothing watched is caught
    up (all photos of a folder new to the catalogue are queued; those already in it are not).

    Runs a worker for the queue itself (as `photo-annotator worker` does) unless --no-worker. One line
    per batch of changes; Ctrl+C stops cleanly (exit 0).
    """
    from desktop_app.services import jobs as job_service
    from desktop_app.services.engine import build_engine
    from desktop_app.services.libraries import WatchSettings, library_watch, set_watch, watched_libraries
    from desktop_app.services.watching import WatchError, check_watch

    if (captioner or model or tagger is not None or stop_watching) and not folders:
        raise click.UsageError("name the FOLDERS to set (or stop) watching")
    if stop_watching and (captioner or model or tagger is not None or poll_interval):
        raise click.UsageError("--stop-watching takes no other option")
    catalogue = open_db(db)
    if list_only:
        _list(watched_libraries(catalogue))
        return
    if stop_watching:
        for folder in folders:
            library = _library(catalogue, folder, scan_in=False)
            set_watch(catalogue, library.id, None)
            echo(f"stopped watching {_where(library.root)}")
        return
    engine = build_engine(device=device, dtype=dtype, batch_size=batch_size, decode_workers=decode_workers,
                          prefetch=prefetch)
    library_ids: list[int] | None = None
    if folders:
        library_ids = []
        for folder in folders:
            library = _library(catalogue, folder, scan_in=True)
            stored = library_watch(catalogue, library.id)
            if captioner or tagger is not None:
                tag = job_service.default_tagger(engine.registry) if tagger == "" else tagger
                wanted = WatchSettings(captioner, model, tag, poll_interval)
            elif stored is not None:
                wanted = WatchSettings(stored.caption, stored.model, stored.tag,
                                       poll_interval or stored.poll_interval)
            else:
                raise click.UsageError(f"{_where(library.root)} is not watched yet: say what to do with "
                                       "its new photos (--caption CAPTIONER and/or --tag)")
            try:
                checked = check_watch(catalogue, engine.registry, wanted)
            except WatchError as exc:
                raise click.ClickException(str(exc)) from None
            set_watch(catalogue, library.id, checked)
            library_ids.append(library.id)
            if library.queue_all:  # new to the catalogue: its photos are all new
                _queue_scanned(catalogue, engine.registry, library, checked)
    _run(catalogue, engine, library_ids, poll_interval if not folders else None, stability, no_worker)


class _Chosen:
    def __init__(self, library_id: int, root: str, queue_all: list[int] | None = None) -> None:
        self.id, self.root, self.queue_all = library_id, root, queue_all


def _library(catalogue: Any, folder: str, scan_in: bool) -> _Chosen:
    """The library whose own folder ``folder`` is; one not in the catalogue yet is scanned in (its photos
    to queue in ``queue_all``)."""
    from desktop_app.catalogue.photos import LibraryNotFoundError
    from desktop_app.services.libraries import library_to_remove
    from desktop_app.services.scanning import scan

    try:
        found = library_to_remove(catalogue, folder)
        return _Chosen(found.id, found.root)
    except LibraryNotFoundError as exc:
        if not scan_in or type(exc) is not LibraryNotFoundError:
            raise
    report = scan(catalogue, folder)
    echo(f"scanned {_where(report.root)} in as a library: {report.new} photos")
    ids = _ids_of(catalogue, report.library_id, report.new_paths)
    return _Chosen(report.library_id, report.root, ids)


def _ids_of(catalogue: Any, library_id: int, paths: list[str]) -> list[int]:
    from sqlalchemy import select

    from desktop_app.catalogue.models import Photo

    ids: list[int] = []
    with catalogue.read() as session:
        for start in range(0, len(paths), 500):
            ids += session.scalars(select(Photo.id).where(Photo.library_id == library_id,
                                                          Photo.rel_path.in_(paths[start:start + 500])))
    return ids


def _queue_scanned(catalogue: Any, registry: Any, library: _Chosen, watch: Any) -> None:
    from desktop_app.services.watching import queue_new_photos

    queued = queue_new_photos(catalogue, registry, library.id, watch, library.queue_all or [])
    for job_id, count in sorted(queued.items()):
        echo(f"{_where(library.root)}: {count} queued in job {job_id}")


def _run(catalogue: Any, engine: Any, library_ids: list[int] | None, poll_interval: float | None,
         stability: float, no_worker: bool) -> None:
    from desktop_app.cli.worker import work_the_queue
    from desktop_app.cli.worker_output import Stopping, WorkerOutput
    from desktop_app.services import jobs as job_service
    from desktop_app.services.watching import LibraryWatcher, WatchError

    watcher = LibraryWatcher(catalogue, engine.registry, lambda report: echo(report.line()),
                             library_ids=library_ids, stability=stability, poll_interval=poll_interval)
    try:
        watched = watcher.start()
    except WatchError as exc:
        raise click.ClickException(str(exc)) from None
    for library in watched:
        echo(f"watching {_where(library.root)}: {_doing(library.watch, poll_interval)}")
    try:
        if no_worker:
            _wait_for_a_signal()
        else:
            runner = job_service.make_runner(catalogue, engine, WorkerOutput(False))
            stopping = Stopping(runner)
            try:
                work_the_queue(runner)
            finally:
                stopping.restore()
    finally:
        watcher.stop()
        engine.unload()
    echo("stopped watching", err=True)


def _wait_for_a_signal() -> None:
    """Until SIGINT or SIGTERM (a second one quits at once)."""
    stop = threading.Event()

    def handle(_signum: int, _frame: Any) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()

    previous = {number: signal.signal(number, handle) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _doing(watch: Any, poll_interval: float | None = None) -> str:
    parts = []
    if watch.caption:
        parts.append(f"captioning with {watch.caption}" + (f" ({watch.model})" if watch.model else ""))
    if watch.tag:
        parts.append(f"suggesting keywords with {watch.tag}")
    interval = poll_interval or watch.poll_interval  # --poll-interval for this run, else the library's
    how = f"polling every {interval:g} s" if interval else "file-system events"
    return f"{' and '.join(parts) or 'scanning only'}, {how}"


def _list(watched: list[Any]) -> None:
    for library in watched:
        echo(f"library {library.id}: {_where(library.root)}: {_doing(library.watch)}")
    if not watched:
        echo("no library is watched")


def _where(root: str) -> str:
    from desktop_app.catalogue.photos import display_path

    return display_path(root)
