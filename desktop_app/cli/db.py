"""`photo-annotator db`: the catalogue itself."""

from __future__ import annotations

import click

from desktop_app.catalogue.errors import CatalogueError
from desktop_app.cli.common import adds_to_catalogue, db_option, echo, emit_json, json_option, open_db


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


# A copy's progress goes to a log (stderr not a terminal) only when it is long enough to wait for.
_LOGGED_COPY_ROWS = 100_000


@db.command()
@click.option("--to", "target", required=True, metavar="PATH|URL",
              help="The catalogue to copy into: a file, or a database URL such as postgresql://USER@HOST/DB.")
@click.option("--force", is_flag=True, help="Replace whatever the target holds (else a target that is not "
                                            "empty is refused).")
@json_option
@db_option
def copy(target: str, force: bool, as_json: bool, db: str | None) -> None:
    """Copy the catalogue into another database: SQLite to PostgreSQL, back, or into another file.

    The target is created (an empty PostgreSQL database is set up) or brought to this version's schema,
    then gets every row of every table; each table's rows are counted and hashed on both sides. The
    text index is built there as the rows come in, and checked. A target that already holds a
    catalogue's rows is refused unless --force.
    """
    from desktop_app.cli.job_output import ProgressBar
    from desktop_app.services.catalogue_copy import copy_catalogue

    catalogue = open_db(db)
    bar = ProgressBar("Copying", log_every=0.1)

    def progress(done: int, total: int, doing: str) -> None:
        if bar.interactive or total >= 2 * _LOGGED_COPY_ROWS:
            bar.update(done, total, f"  {doing}")

    try:
        report = copy_catalogue(catalogue, target, force=force, progress=progress)
    finally:
        bar.close()
        catalogue.close()
    if as_json:
        emit_json(report.to_json())
    else:
        echo(f"copied {report.source} to {report.target}: {report.rows} rows in {report.seconds:.1f} s"
             + (" (its former contents replaced)" if report.replaced else ""))
        width = max(len(check.table) for check in report.tables)
        echo(f"{'table':<{width}}  {'rows':>9}  {'source sha256':<16}  {'target sha256':<16}")
        for check in report.tables:
            rows = f"{check.source.rows}" if check.source.rows == check.target.rows \
                else f"{check.source.rows}->{check.target.rows}"
            echo(f"{check.table:<{width}}  {rows:>9}  {check.source.sha256[:16]}  {check.target.sha256[:16]}"
                 + ("" if check.same else "  DIFFERENT"))
    differing = [check.table for check in report.tables if not check.same]
    if differing:
        raise CatalogueError(f"the copy in {report.target} differs from the source in: "
                             f"{', '.join(differing)}")
    if not as_json:
        echo(f"verified: {len(report.tables)} tables, the same rows and contents on both sides")
