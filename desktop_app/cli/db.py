"""`photo-annotator db`: the catalogue itself."""

from __future__ import annotations

import click

from desktop_app.cli.common import db_option, echo


@click.group()
def db() -> None:
    """Catalogue maintenance."""


@db.command()
@db_option
def upgrade(db: str | None) -> None:
    """Bring the catalogue's schema to this version (also done whenever a catalogue is opened)."""
    from desktop_app.catalogue import migrate, open_catalogue

    catalogue = open_catalogue(db)
    revision = migrate.current_revision(catalogue.engine)
    echo(f"{catalogue.location}: schema revision {revision} (newest)")


@db.command()
@db_option
def info(db: str | None) -> None:
    """Where the catalogue is, its schema revision, and what it holds."""
    from sqlalchemy import func, select

    from desktop_app.catalogue import migrate, open_catalogue
    from desktop_app.catalogue.models import Caption, Library, Photo, PhotoStatus

    catalogue = open_catalogue(db)
    with catalogue.read() as session:
        libraries = session.scalar(select(func.count()).select_from(Library))
        by_status = dict(session.execute(select(Photo.status, func.count()).group_by(Photo.status)).all())
        captions = session.scalar(select(func.count()).select_from(Caption))
    echo(f"catalogue: {catalogue.location}")
    echo(f"schema revision: {migrate.current_revision(catalogue.engine)}")
    echo(f"libraries: {libraries}")
    echo("photos: " + ", ".join(f"{by_status.get(s, 0)} {s.value}" for s in PhotoStatus))
    echo(f"captions: {captions}")
