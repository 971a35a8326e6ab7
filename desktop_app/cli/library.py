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

    JSON lines carry: id, name, root, photos, errors, missing, last_scan_at.
    """
    from desktop_app.catalogue.photos import display_path, library_summaries

    catalogue = open_db(db)
    with catalogue.read() as session:
        found = library_summaries(session)
    for each in found:
        if as_json:
            emit_json(each.to_json())
            continue
        problems = [f"{count} {what}" for count, what in ((each.errors, "unreadable"),
                                                          (each.missing, "missing")) if count]
        extra = f" ({', '.join(problems)})" if problems else ""
        echo(f"{each.id:>4}  {display_path(each.root)}  {each.photos} photos{extra}")
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
