"""`photo-annotator scan`: add or refresh libraries."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import click

from desktop_app.cli.common import adds_to_catalogue, db_option, echo, emit_json, json_option, open_db

ERRORS_SHOWN = 20


class _Progress:
    """A progress bar on a terminal; silence when stderr is a pipe or a log file."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.bar: Any = None
        self.done = 0
        self.interactive = sys.stderr.isatty()

    def listed(self, found: int, to_inspect: int) -> None:
        if self.interactive and to_inspect:
            self.bar = click.progressbar(
                length=to_inspect, label=f"Reading {to_inspect} of {found} files", file=sys.stderr,
                show_pos=True, show_eta=True,
            )
            self.bar.__enter__()

    def advance(self, done: int, _total: int) -> None:
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@adds_to_catalogue
@click.command()
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--workers", type=click.IntRange(1, 64), help="Files read in parallel (default: CPU cores).")
@click.option("--retry-errors", is_flag=True,
              help="Read files recorded as errors again even if they did not change (after fixing a "
                   "disk, a share or a decoder).")
@json_option
@db_option
def scan(folders: tuple[str, ...], workers: int | None, retry_errors: bool, as_json: bool,
         db: str | None) -> None:
    """Add FOLDERS as libraries, or refresh them.

    Recursive. New and changed files are read (hash, EXIF, thumbnail); unchanged ones cost one
    stat (a file whose size, times or inode differ is hashed again; only new content is a change).
    Moved or renamed photos keep their captions; deleted ones are marked missing. Files that
    cannot be read are recorded with the reason and listed at the end; the scan goes on. A
    thumbnail cache that cannot be written is one warning on stderr, not a photo error.
    """
    from desktop_app.catalogue.photos import display_path
    from desktop_app.library.scanner import ScanError, Scanner
    from desktop_app.services.scanning import scan as scan_folder

    catalogue = open_db(db)
    scanner = Scanner(catalogue, workers=workers)
    failed = 0
    for folder in folders:
        progress = _Progress(folder)
        try:
            report = scan_folder(catalogue, folder, progress=progress.advance, on_listed=progress.listed,
                                 retry_errors=retry_errors, scanner=scanner)
        except ScanError as exc:
            echo(f"photo-annotator: error: {exc}", err=True)
            failed += 1
            continue
        finally:
            progress.close()
        if report.thumbnail_warning:
            echo(f"photo-annotator: warning: {report.thumbnail_warning}", err=True)
        if as_json:
            emit_json(asdict(report))
            continue
        echo(
            f"{display_path(report.root)}: {report.found} files; {report.new} new, "
            f"{report.updated} updated, {report.moved} moved, {report.missing} missing, "
            f"{report.unchanged} unchanged"
            + (f"; captions imported from the files' metadata: {report.imported}" if report.imported else "")
            + f" ({report.seconds:.1f} s)"
        )
        for path, reason in report.skipped_folders:
            echo(f"  skipped folder {display_path(path)}: {reason}")
        if report.errors:
            count = len(report.errors)
            echo(f"  {count} {'file' if count == 1 else 'files'} could not be read:")
            for path, reason in report.errors[:ERRORS_SHOWN]:
                echo(f"    {display_path(path)}: {reason}")
            if len(report.errors) > ERRORS_SHOWN:
                echo(
                    f"    ... and {len(report.errors) - ERRORS_SHOWN} more "
                    "(photo-annotator photos --status error)"
                )
    if failed:
        sys.exit(1)
