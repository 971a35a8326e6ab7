"""`photo-annotator library`: list the catalogue's libraries, or remove one (the app's Remove Library)."""

from __future__ import annotations

import sys

import click

from desktop_app.cli.common import db_option, echo, emit_json, json_option, open_db


@click.group()
def library() -> None:
    """The catalogue's libraries: the folders `scan` (or the app's Add Folder) added."""


@library.command("list")
@json_option
@db_option
def list_libraries(as_json: bool, db: str | None) -> None:
    """List the libraries with their ids and photo counts.

    JSON lines carry: id, name, root, photos, errors, missing, last_scan_at, and where the library
    is on this machine: here (its folder here, the root unless `library set-root` maps it) and
    available (whether that folder is there).
    """
    from desktop_app.catalogue import roots
    from desktop_app.catalogue.photos import display_path, library_summaries

    catalogue = open_db(db)
    with catalogue.read() as session:
        found = library_summaries(session)
    for each in found:
        here, available = roots.local_root(each.root), roots.is_available(each.root)
        if as_json:
            emit_json({**each.to_json(), "here": here, "available": available})
            continue
        problems = [f"{count} {what}" for count, what in ((each.errors, "unreadable"),
                                                          (each.missing, "missing")) if count]
        extra = f" ({', '.join(problems)})" if problems else ""
        mapped = f" -> {display_path(here)} here" if here != each.root else ""
        away = "  [not available on this machine]" if not available else ""
        echo(f"{each.id:>4}  {display_path(each.root)}{mapped}  {each.photos} photos{extra}{away}")
    if not found and not as_json:
        echo("no libraries; add a folder with `photo-annotator scan FOLDER`")


@library.command()
@click.argument("library_ref", metavar="PATH|ID")
@click.option("--yes", "-y", is_flag=True,
              help="Remove without asking (needed when not run from a terminal).")
@json_option
@db_option
def remove(library_ref: str, yes: bool, as_json: bool, db: str | None) -> None:
    """Remove library PATH|ID (its folder, or its id from `library list`) from the catalogue.

    Its photos, their captions and the captions' history leave the catalogue, including captions
    people wrote or approved that were not written into the files; no file on disk is touched, and
    scanning the folder again adds the photos anew. Asks for confirmation unless --yes.
    """
    from desktop_app.catalogue.photos import LibraryNotFoundError, display_path
    from desktop_app.services.libraries import NotALibraryRoot, library_to_remove, remove_library

    catalogue = open_db(db)
    try:
        chosen = library_to_remove(catalogue, library_ref)
    except NotALibraryRoot as exc:
        raise click.UsageError(str(exc)) from None
    library_id, root = chosen.id, chosen.root
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("removing a library needs confirmation: run it from a terminal, or add "
                                   "--yes")
        if not click.confirm(f"Remove {display_path(root)} and all its captions from the catalogue? "
                             "(no file is touched)", err=True):
            echo("nothing removed", err=True)
            sys.exit(1)
    try:
        removed = remove_library(catalogue, library_id)
    except LibraryNotFoundError:
        raise click.ClickException(f"library {display_path(root)} was removed meanwhile") from None
    if as_json:
        emit_json({"id": library_id, "root": root, "photos": removed.photos,
                   "captions_by_people": removed.captions_by_people})
    else:
        echo(f"removed {display_path(root)}: {removed.photos} photos, {removed.captions_by_people} captions "
             "by people; no file touched")


@library.command("set-root")
@click.argument("library_ref", metavar="LIBRARY")
@click.argument("folder", metavar="PATH")
@json_option
@db_option
def set_root(library_ref: str, folder: str, as_json: bool, db: str | None) -> None:
    """Find LIBRARY's photos in PATH on this machine (the same storage mounted elsewhere).

    LIBRARY is its id, its name or its root (`library list`). The mapping is kept in this machine's
    settings; the catalogue and other machines are not changed: its root stays the catalogue's. The
    same library can be /mnt/photos on Linux, /Volumes/photos on a Mac and P:\\ on Windows.
    """
    _set_root(library_ref, folder, as_json, db)


@library.command("unset-root")
@click.argument("library_ref", metavar="LIBRARY")
@json_option
@db_option
def unset_root(library_ref: str, as_json: bool, db: str | None) -> None:
    """Forget LIBRARY's folder on this machine (`library set-root`): its root is used again."""
    _set_root(library_ref, None, as_json, db)


def _set_root(library_ref: str, folder: str | None, as_json: bool, db: str | None) -> None:
    from desktop_app.catalogue.photos import LibraryNotFoundError, display_path
    from desktop_app.services.libraries import set_library_root

    catalogue = open_db(db)
    try:
        mapped = set_library_root(catalogue, library_ref, folder)
    except LibraryNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        emit_json({"id": mapped.id, "name": mapped.name, "root": mapped.root, "here": mapped.here})
    elif mapped.here is None:
        echo(f"library {mapped.id} ({display_path(mapped.root)}): its root is used on this machine")
    else:
        echo(f"library {mapped.id} ({display_path(mapped.root)}) is {display_path(mapped.here)} "
             "on this machine")
