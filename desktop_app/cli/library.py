"""`photo-annotator library`: list the catalogue's libraries, or remove one (the app's Remove Library)."""

from __future__ import annotations

import sys
from pathlib import Path

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
    from desktop_app.catalogue.libraries import remove_library
    from desktop_app.catalogue.models import Library
    from desktop_app.catalogue.photos import display_path, find_library

    catalogue = open_db(db)
    with catalogue.read() as session:
        chosen = find_library(session, library_ref)
        library_id, root = chosen.id, chosen.root
    if not library_ref.isdigit() and str(Path(library_ref).expanduser().resolve()) != root:
        # find_library takes any path inside a library: a folder of it must not remove all of it.
        raise click.UsageError(f"{display_path(library_ref)} is a folder inside library "
                               f"{display_path(root)}; name the library's own folder, or its id")
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("removing a library needs confirmation: run it from a terminal, or add "
                                   "--yes")
        if not click.confirm(f"Remove {display_path(root)} and all its captions from the catalogue? "
                             "(no file is touched)", err=True):
            echo("nothing removed", err=True)
            sys.exit(1)
    with catalogue.write() as session:
        if session.get(Library, library_id) is None:
            raise click.ClickException(f"library {display_path(root)} was removed meanwhile")
        photos, by_people = remove_library(session, library_id)
    if as_json:
        emit_json({"id": library_id, "root": root, "photos": photos, "captions_by_people": by_people})
    else:
        echo(f"removed {display_path(root)}: {photos} photos, {by_people} captions by people; "
             "no file touched")
