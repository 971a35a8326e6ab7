"""`photo-annotator db`: the catalogue itself."""

from __future__ import annotations

import click

from desktop_app.cli.common import adds_to_catalogue, db_option, echo, open_db


@click.group()
def db() -> None:
    """Catalogue maintenance."""


@adds_to_catalogue
@db.command()
@db_option
def upgrade(db: str | None) -> None:
    """Bring the catalogue's schema to this version (also done whenever a catalogue is opened).

    Creates the catalogue if it does not exist yet.
    """
    from desktop_app.services.catalogue import schema_revision

    catalogue = open_db(db)
    revision = schema_revision(catalogue)
    echo(f"{catalogue.location}: schema revision {revision} (newest)")


@db.command()
@db_option
def info(db: str | None) -> None:
    """Where the catalogue is, its schema revision, and what it holds."""
    from sqlalchemy import func, select

    from desktop_app.catalogue.models import Caption, Library, Photo, PhotoStatus
    from desktop_app.services.catalogue import schema_revision

    catalogue = open_db(db)
    with catalogue.read() as session:
        libraries = session.scalar(select(func.count()).select_from(Library))
        by_status = dict(session.execute(select(Photo.status, func.count()).group_by(Photo.status)).all())
        captions = session.scalar(select(func.count()).select_from(Caption))
    echo(f"catalogue: {catalogue.location}" + (" (read-only)" if catalogue.read_only else ""))
    echo(f"schema revision: {schema_revision(catalogue)}")
    echo(f"libraries: {libraries}")
    echo("photos: " + ", ".join(f"{by_status.get(s, 0)} {s.value}" for s in PhotoStatus))
    echo(f"captions: {captions}")
