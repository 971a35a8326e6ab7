"""Opening a catalogue: where it is, how SQLite is tuned, and bringing its schema to the newest revision."""

from __future__ import annotations

import errno
import importlib.util
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop_app import locations
from desktop_app.catalogue.errors import CatalogueError, CatalogueNotFoundError
from desktop_app.catalogue.server_errors import explain_server_error
from desktop_app.settings import load_settings

# Long enough to ride out another process's batch commit, short enough to surface a stuck writer.
BUSY_TIMEOUT_S = 30.0


# SQLite's primary result codes (sqlite3.h), the start of their messages (for errors raised without a
# code: other drivers, or the message alone), and what the user is told ({where}: the catalogue).
_SQLITE_CAUSES = {
    3: ("access permission denied", "{where} cannot be used: permission denied"),  # SQLITE_PERM
    5: ("database is locked", "{where} is locked by another program (waited {wait} s); "  # SQLITE_BUSY
        "try again when it has finished"),
    6: ("database table is locked", "{where} is locked by another program (waited {wait} s); "  # LOCKED
        "try again when it has finished"),
    8: ("attempt to write a readonly database",  # SQLITE_READONLY
        "{where} is read-only (a read-only file or file system): it can be read but not changed"),
    10: ("disk i/o error", "{where} cannot be read or written: disk I/O error ({message})"),  # IOERR
    11: ("database disk image is malformed",  # SQLITE_CORRUPT
         "{where} is corrupt (database disk image is malformed); restore it from a backup"),
    13: ("database or disk is full",  # SQLITE_FULL
         "{where} cannot grow: the disk is full (nothing more was written); free some space and retry"),
    14: ("unable to open database file",  # SQLITE_CANTOPEN
         "{where} cannot be opened: permission denied, or its folder is missing or read-only"),
    26: ("file is not a database", "cannot open {where}: the file is not an SQLite database"),  # NOTADB
}


def explain_database_error(exc: BaseException, location: str | None = None) -> str | None:
    """One line saying why the catalogue failed (disk full, locked, read-only, permission denied,
    corrupt; a database server unreachable, a login or database refused...), for a driver error or
    SQLAlchemy's wrapper of one; None when the cause is not one of those (a constraint failing is a bug
    to report, not a state of the catalogue)."""
    orig = getattr(exc, "orig", None) or exc
    if isinstance(exc, IntegrityError) or type(orig).__name__ == "IntegrityError":
        return None
    message = str(orig).strip().splitlines()[0].lower() if str(orig).strip() else ""
    code = getattr(orig, "sqlite_errorcode", None)
    cause = _SQLITE_CAUSES.get(code & 0xFF) if isinstance(code, int) else None
    if cause is None:
        cause = next((known for known in _SQLITE_CAUSES.values() if message.startswith(known[0])), None)
    where = f"the catalogue {location}" if location else "the catalogue"
    if cause is None:
        # A database server's (no SQLite result code): unreachable, login or database refused...
        return explain_server_error(orig, where) if code is None else None
    return cause[1].format(where=where, wait=f"{BUSY_TIMEOUT_S:g}", message=message)


def database_failure(exc: BaseException, location: str | None = None) -> CatalogueError:
    """``exc`` as a CatalogueError with one line: its explained cause, else the driver's own first line."""
    explained = explain_database_error(exc, location)
    if explained is None:
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        explained = f"{'the catalogue ' + location if location else 'the catalogue'} failed: {first}"
    return CatalogueError(explained)


# How to install the driver each URL needs, and the database's name.
_DRIVERS = {
    "postgresql+psycopg": ("pip install 'photo-annotator[postgres]' (or 'psycopg[binary]')", "PostgreSQL"),
    "postgresql+psycopg2": ("pip install psycopg2-binary", "PostgreSQL"),
    "postgresql+asyncpg": ("pip install asyncpg", "PostgreSQL"),
    "postgresql+pg8000": ("pip install pg8000", "PostgreSQL"),
    "mysql+mysqldb": ("pip install mysqlclient", "MySQL"),
    "mysql+pymysql": ("pip install pymysql", "MySQL"),
    "mariadb+mysqldb": ("pip install mysqlclient", "MariaDB"),
    "mariadb+pymysql": ("pip install pymysql", "MariaDB"),
}


def _with_driver(url: URL) -> URL:
    """A bare ``postgresql://`` uses psycopg (3), the documented driver, unless only psycopg2 is there."""
    if url.drivername == "postgresql":
        if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2") is not None:
            return url.set(drivername="postgresql+psycopg2")
        return url.set(drivername="postgresql+psycopg")
    if url.drivername in ("mysql", "mariadb"):
        return url.set(drivername=f"{url.drivername}+mysqldb")
    return url


def _missing_driver(url: URL, exc: ImportError) -> CatalogueError:
    install, name = _DRIVERS.get(url.drivername, (None, url.get_backend_name()))
    if install is None:
        return CatalogueError(f"the database driver for {url.drivername} URLs is not installed ({exc}); "
                              "install it with pip")
    return CatalogueError(f"the {name} driver is not installed: {install}")


def resolve_url(db: str | os.PathLike[str] | None = None) -> URL:
    """The catalogue URL from ``--db`` (a path or a full SQLAlchemy URL), else $PHOTO_ANNOTATOR_DB,
    else the settings' catalogue location, else the default file in the user data folder."""
    value = os.fspath(db) if db else os.environ.get(locations.DB_ENV) or load_settings().catalogue or ""
    if "://" in value:
        try:
            return make_url(value)
        except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
            raise CatalogueError(f"not a valid database URL: {value!r}") from exc
    path = Path(value).expanduser() if value else locations.default_catalogue_path()
    return URL.create("sqlite", database=str(path.absolute()))


def _sqlite_file(url: URL) -> Path | None:
    """The catalogue file of an SQLite URL; None for an in-memory or URI-form database."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database)


def _prepare_sqlite_file(url: URL, create: bool) -> None:
    path = _sqlite_file(url)
    if path is None:
        return
    if path.is_dir():
        raise CatalogueError(
            f"catalogue path {path} is a folder; give a file name such as {path}/catalogue.db"
        )
    if not create:
        if not path.exists():
            raise CatalogueNotFoundError(
                f"no catalogue at {path}; check --db, or scan a folder to create one there")
        if path.stat().st_size == 0:
            raise CatalogueNotFoundError(f"no catalogue at {path} (the file is empty)")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CatalogueError(f"cannot create the catalogue folder {path.parent}: {exc.strerror}") from exc


_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def _can_write(path: Path) -> bool:
    """Whether the file can be opened for writing (a probe: root ignores permission bits, not EROFS)."""
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError as exc:
        if exc.errno in _NOT_WRITABLE:
            return False
        raise CatalogueError(f"cannot open the catalogue {path}: {exc.strerror}") from exc
    return True


def _can_create_in(folder: Path) -> bool:
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _read_only_url(path: Path) -> URL | None:
    """A read-only URI for a catalogue file that cannot be written, None when it can.

    SQLite's ``mode=ro`` still needs the ``-shm`` file (created beside the catalogue, or already
    there with the ``-wal``); where neither is possible (a read-only file system after a clean
    close), ``immutable=1`` reads the file as it is: nobody can change it there anyway.
    """
    if _can_write(path):
        return None
    side_files = all(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm"))
    mode = {"mode": "ro"} if side_files or _can_create_in(path.parent) else {"immutable": "1"}
    return URL.create("sqlite", database="file:" + quote(os.fsencode(path)), query={**mode, "uri": "true"})


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
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


def create_catalogue_engine(url: URL, *, create: bool = True, reading: bool = False) -> Engine:
    """An engine for the catalogue at ``url``. ``create=False``: a missing SQLite file is an error
    (CatalogueNotFoundError), never created. ``reading``: a catalogue file that cannot be written
    (read-only file or file system) opens read-only instead of failing."""
    if url.get_backend_name() == "sqlite":
        _prepare_sqlite_file(url, create)
        path = _sqlite_file(url)
        read_only_url = _read_only_url(path) if reading and path is not None and path.exists() else None
        # A pool of connections (SQLAlchemy's default for SQLite files): opening one and setting its
        # pragmas costs about a millisecond, which the worker would otherwise pay twice per batch.
        # A connection serves one thread at a time (scanner, GUI loaders, worker) but may serve
        # different threads over its life, hence check_same_thread=False.
        engine = create_engine(read_only_url or url, connect_args={"check_same_thread": False})
        _tune_sqlite(engine)
        return engine
    url = _with_driver(url)
    try:
        return create_engine(url, pool_pre_ping=True)
    except NoSuchModuleError as exc:
        raise CatalogueError(f"unknown kind of database in the URL: {url.drivername}") from exc
    except ImportError as exc:
        raise _missing_driver(url, exc) from exc


class Catalogue:
    """An open catalogue: an engine at the newest schema, and sessions for reading and writing.

    ``read()`` gives a session for queries; ``write()`` gives a session that holds the write lock
    for its whole transaction and commits on success, rolls back on error.
    """

    def __init__(self, engine: Engine, location: str | None = None) -> None:
        self.engine = engine
        self.url = engine.url
        # The database role when it may only read (a PostgreSQL login without write privileges).
        self.read_only_role: str | None = None
        # The catalogue as the user named it: one opened read-only runs through a "file:...?mode=ro" URI.
        self._location = location or _location(engine.url)
        self._read_sessions = sessionmaker(engine, expire_on_commit=False)
        writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)

    @property
    def location(self) -> str:
        """The file path for SQLite, else the URL without its password."""
        return self._location

    @property
    def read_only(self) -> bool:
        """Opened read-only (the file or its file system cannot be written, or the database role may only
        read): writes fail."""
        return (self.url.query.get("mode") == "ro" or self.url.query.get("immutable") == "1"
                or self.read_only_role is not None)

    @contextmanager
    def read(self) -> Iterator[Session]:
        try:
            with self._read_sessions() as session:
                yield session
        except (OperationalError, DatabaseError) as exc:
            self._explain(exc)
            raise

    @contextmanager
    def write(self) -> Iterator[Session]:
        if self.read_only_role is not None:
            raise CatalogueError(f"the catalogue {self.location} is read-only for role "
                                 f"{self.read_only_role}: it can be read but not changed")
        try:
            with self._write_sessions() as session, session.begin():
                yield session
        except (OperationalError, DatabaseError) as exc:
            self._explain(exc)
            raise

    def _explain(self, exc: BaseException) -> None:
        """Raise the catalogue's state (disk full, locked, read-only...) as one line, if that is the cause."""
        explained = explain_database_error(exc, self.location)
        if explained is not None:
            raise CatalogueError(explained) from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Catalogue:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def open_catalogue(db: str | os.PathLike[str] | None = None, *, upgrade: bool = True, create: bool = True,
                   reading: bool = False) -> Catalogue:
    """Open the catalogue and apply any pending migrations.

    ``create=False`` (commands that only read): a catalogue that does not exist is an error
    (CatalogueNotFoundError), never created. ``reading``: a catalogue that cannot be written opens
    read-only (and is not upgraded).
    """
    # Here, not at the top: alembic loads when a catalogue opens, not for every `photo-annotator --help`.
    from desktop_app.catalogue import migrate, roots

    roots.refresh()  # this machine's folders for the libraries (settings: `library set-root`)

    url = resolve_url(db)
    engine = create_catalogue_engine(url, create=create, reading=reading)
    catalogue = Catalogue(engine, _location(url))
    try:
        if engine.dialect.name == "postgresql":
            _check_schema_usable(engine, catalogue.location)
        revision, tables = migrate.revision_and_tables(engine)
        if revision is None and tables:
            raise CatalogueError(f"{catalogue.location} is not a Photo Annotator catalogue "
                                 "(it holds another program's tables); nothing was changed")
        if not create and revision is None:
            raise CatalogueNotFoundError(f"no catalogue at {catalogue.location} (the database is empty)")
        if revision is not None and engine.dialect.name == "postgresql":
            catalogue.read_only_role = _read_only_role(engine)
        if engine.dialect.name == "sqlite" and not catalogue.read_only:
            # WAL, persistent in the file: readers never wait on a writer. Set once the file is known
            # to be a catalogue (or a new one), so another program's database is never converted.
            raw = engine.raw_connection()  # outside a transaction, where SQLite can change the mode
            try:
                raw.driver_connection.execute("PRAGMA journal_mode = WAL")
            finally:
                raw.close()
        if upgrade and not catalogue.read_only:
            migrate.upgrade_to_head(engine)
        else:
            migrate.check_at_head(engine)
    except (OperationalError, DatabaseError) as exc:
        engine.dispose()
        raise database_failure(exc, catalogue.location) from exc
    except BaseException:
        engine.dispose()
        raise
    return catalogue


def _read_only_role(engine: Engine) -> str | None:
    """The login's role when it may not change the catalogue (no privilege to write captions, or a
    read-only server or session), else None: it opens read-only, without upgrading the schema."""
    with engine.connect() as connection:
        role, writable = connection.execute(text(
            "SELECT current_user, has_table_privilege('caption_revisions', 'INSERT')"
            " AND has_table_privilege('captions', 'UPDATE')"
            " AND current_setting('transaction_read_only') = 'off'")).one()
    return None if writable else str(role)


def _check_schema_usable(engine: Engine, location: str) -> None:
    """A role without USAGE on the database's schema sees no schema at all (current_schema() is NULL): say
    so, rather than "the database is empty" (a catalogue it cannot see) or a failed attempt to create one."""
    with engine.connect() as connection:
        schema, role = connection.execute(text("SELECT current_schema(), current_user")).one()
    if schema is None:
        raise CatalogueError(f"the catalogue {location} cannot be used: role {role} may not use its schema "
                             f"(its owner can GRANT USAGE ON SCHEMA public TO {role})")


def _location(url: URL) -> str:
    """The file path for SQLite, else the URL without its password."""
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)
