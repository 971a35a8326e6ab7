"""Opening a catalogue: where it is, how SQLite is tuned, and bringing its schema to the newest revision."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop_app import locations
from desktop_app.settings import load_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Long enough to ride out another process's batch commit, short enough to surface a stuck writer.
BUSY_TIMEOUT_S = 30.0


class CatalogueError(Exception):
    """The catalogue cannot be opened or used; the message says why in one line."""


def resolve_url(db: str | os.PathLike[str] | None = None) -> URL:
    """The catalogue URL from ``--db`` (a path or a full SQLAlchemy URL), else $PHOTO_ANNOTATOR_DB,
    else the settings' catalogue location, else the default file in the user data folder."""
    value = os.fspath(db) if db else os.environ.get(locations.DB_ENV) or load_settings().catalogue or ""
    if "://" in value:
        try:
            return make_url(value)
        except ArgumentError as exc:
            raise CatalogueError(f"not a valid database URL: {value!r}") from exc
    path = Path(value).expanduser() if value else locations.default_catalogue_path()
    return URL.create("sqlite", database=str(path.absolute()))


def _prepare_sqlite_file(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if path.is_dir():
        raise CatalogueError(
            f"catalogue path {path} is a folder; give a file name such as {path}/catalogue.db"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogueError(f"cannot create the catalogue folder {path.parent}: {exc.strerror}") from exc


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL is crash-safe in WAL mode; only the last commits before a power cut can be lost.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes can fail with "database is locked"
        # at once, without waiting for the busy timeout. Writers therefore take the write lock up
        # front (BEGIN IMMEDIATE); readers stay deferred so they never wait on a writer in WAL mode.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_catalogue_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url)
        # A pool of connections (SQLAlchemy's default for SQLite files): opening one and setting its
        # pragmas costs about a millisecond, which the worker would otherwise pay twice per batch.
        # A connection serves one thread at a time (scanner, GUI loaders, worker) but may serve
        # different threads over its life, hence check_same_thread=False.
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Catalogue:
    """An open catalogue: an engine at the newest schema, and sessions for reading and writing.

    ``read()`` gives a session for queries; ``write()`` gives a session that holds the write lock
    for its whole transaction and commits on success, rolls back on error.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.url = engine.url
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)

    @property
    def location(self) -> str:
        """The file path for SQLite, else the URL without its password."""
        if self.url.get_backend_name() == "sqlite" and self.url.database:
            return self.url.database
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._write_sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_catalogue(db: str | os.PathLike[str] | None = None, *, upgrade: bool = True) -> Catalogue:
    """Open (creating if needed) the catalogue and apply any pending migrations."""
    from desktop_app.catalogue import migrate

    url = resolve_url(db)
    engine = create_catalogue_engine(url)
    try:
        if upgrade:
            migrate.upgrade_to_head(engine)
        else:
            migrate.check_at_head(engine)
    except (OperationalError, DatabaseError) as exc:
        engine.dispose()
        reason = str(exc.orig) if getattr(exc, "orig", None) else str(exc)
        raise CatalogueError(f"cannot open the catalogue at {url.database or url}: {reason}") from exc
    except Exception:
        engine.dispose()
        raise
    return Catalogue(engine)
