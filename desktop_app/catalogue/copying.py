"""Copying a catalogue's rows into another database (SQLite to PostgreSQL, back, or SQLite to SQLite):
every table of the models, row for row, in batches, through the models' own column types (paths as
their bytes, UTC timestamps, JSON, booleans), and the content hash that tells two copies are equal.

The tables come from the models' metadata in dependency order, so a table a new migration adds is copied
without naming it here; only the migrations' bookkeeping (alembic_version) and the text indexes (SQLite's
FTS5 tables, PostgreSQL's generated tsvector column), which the models do not describe, are left out:
the target builds its own as the captions come in (FTS5's triggers, the generated column), and
``text_index_problem`` checks it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection, Engine, LargeBinary, Table, func, select, text

from desktop_app.catalogue import fts_postgres
from desktop_app.catalogue.fts import FTS_TABLE
from desktop_app.catalogue.models import Base, Caption

# Rows read and written at once: a batch of embeddings (1.5 kB each at 384 dimensions) stays a few MB.
BATCH_ROWS = 2000

# (rows done, rows in all, what is being done): a copy reports each batch it wrote and each it checked.
Progress = Callable[[int, int, str], None]


def tables() -> list[Table]:
    """The tables a copy carries, parents before children (their foreign keys hold at every insert)."""
    return list(Base.metadata.sorted_tables)


@dataclass(frozen=True)
class TableDigest:
    """A table's row count and the SHA-256 of its rows' values in primary-key order."""

    rows: int
    sha256: str


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the database at one moment (one read transaction), while other
    programs go on writing: a copy of the tables taken one after the other is still consistent."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                      postgresql_readonly=True)
        with connection.begin():
            yield connection


def row_counts(connection: Connection) -> dict[str, int]:
    """Each copied table's number of rows."""
    return {table.name: connection.scalar(select(func.count()).select_from(table)) or 0 for table in tables()}


def clear(connection: Connection) -> None:
    """Delete every row of the copied tables, children first (inside the caller's transaction)."""
    for table in reversed(tables()):
        connection.execute(table.delete())


def _ordered(table: Table) -> Any:
    return select(table).order_by(*table.primary_key.columns)


def _batches(connection: Connection, table: Table) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows in primary-key order as tuples of its columns' values, ``BATCH_ROWS`` at a time
    (streamed: a server-side cursor on PostgreSQL, so memory holds one batch whatever the table's size)."""
    result = connection.execution_options(yield_per=BATCH_ROWS).execute(_ordered(table))
    for partition in result.partitions():
        yield [tuple(row) for row in partition]


class _Hasher:
    """SHA-256 over a table's rows: each row's values as Python gives them on either database (aware UTC
    datetimes, str paths, enum members, floats, booleans), in its columns' order. JSON values count by
    content (key order is not data), binary ones (vectors) by their own hash, which is quicker to feed."""

    def __init__(self, table: Table) -> None:
        self._sha = hashlib.sha256()
        self._json = [i for i, column in enumerate(table.columns) if isinstance(column.type, JSON)]
        self._binary = [i for i, column in enumerate(table.columns) if isinstance(column.type, LargeBinary)]
        self.rows = 0

    def add(self, rows: list[tuple[Any, ...]]) -> None:
        for row in rows:
            if self._json or self._binary:
                values = list(row)
                for i in self._json:
                    values[i] = json.dumps(values[i], sort_keys=True)
                for i in self._binary:
                    values[i] = None if values[i] is None else hashlib.sha256(values[i]).digest()
                row = tuple(values)
            self._sha.update(repr(row).encode("utf-8", "surrogatepass"))
        self.rows += len(rows)

    def digest(self) -> TableDigest:
        return TableDigest(self.rows, self._sha.hexdigest())


def copy_rows(source: Connection, target: Connection, *, total: int,
              progress: Progress | None = None) -> dict[str, TableDigest]:
    """Insert every row of the source's copied tables into the target's (both at the same schema revision,
    the target's tables empty), keeping their primary keys; each table's digest, taken of the rows as they
    were read. ``total``: the rows in all, for ``progress``."""
    copier = _copier if target.dialect.driver == "psycopg" else _inserter
    return _walk(source, "copying", progress, 0, total, lambda table: copier(target, table))


def digests(connection: Connection, *, progress: Progress | None = None, done: int = 0,
            total: int = 0) -> dict[str, TableDigest]:
    """Each copied table's digest as this database holds it now."""
    return _walk(connection, "checking", progress, done, total)


def _walk(connection: Connection, doing: str, progress: Progress | None, done: int, total: int,
          writer: Callable[[Table], Callable[[list[tuple[Any, ...]]], None]] | None = None,
          ) -> dict[str, TableDigest]:
    """Every copied table's rows read in batches, hashed, and handed to ``writer(table)`` if given."""
    found: dict[str, TableDigest] = {}
    for table in tables():
        hasher = _Hasher(table)
        write = writer(table) if writer is not None else None
        for rows in _batches(connection, table):
            if write is not None:
                write(rows)
            hasher.add(rows)
            done += len(rows)
            if progress is not None:
                progress(done, total, f"{doing} {table.name}")
        found[table.name] = hasher.digest()
    return found


def _inserter(target: Connection, table: Table) -> Callable[[list[tuple[Any, ...]]], None]:
    """Rows in by an INSERT executed for many (SQLite; a PostgreSQL driver other than psycopg 3)."""
    keys = [column.key for column in table.columns]

    def insert(rows: list[tuple[Any, ...]]) -> None:
        target.execute(table.insert(), [dict(zip(keys, row, strict=True)) for row in rows])

    return insert


def _copier(target: Connection, table: Table) -> Callable[[list[tuple[Any, ...]]], None]:
    """Rows in by PostgreSQL's COPY (psycopg 3's ``cursor.copy``), about twice as fast as INSERTs, in the
    same transaction; each value first goes through its column type's bind processing, as an INSERT's would
    (paths to bytes, UTC to naive timestamps, JSON to text, enum members to their values)."""
    dialect = target.dialect
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in table.columns]
    quote = dialect.identifier_preparer.quote
    statement = (f"COPY {quote(table.name)} ({', '.join(quote(column.name) for column in table.columns)}) "
                 "FROM STDIN")

    def copy(rows: list[tuple[Any, ...]]) -> None:
        with target.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copying:
            for row in rows:
                copying.write_row([value if process is None else process(value)
                                   for process, value in zip(processors, row, strict=True)])

    return copy


def finish_target(connection: Connection) -> None:
    """After rows came in with their keys, PostgreSQL's id sequences continue after the largest id (the
    next photo scanned or caption edited gets a new one). SQLite needs nothing: its FTS5 index was filled
    by its triggers row by row, and its ids follow the largest one by themselves."""
    if connection.dialect.name != "postgresql":
        return
    quote = connection.dialect.identifier_preparer.quote
    for table in tables():
        column = table.autoincrement_column
        if column is None:
            continue
        connection.execute(
            text(f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                 f"coalesce(max({quote(column.name)}), 0) + 1, false) FROM {quote(table.name)}"),
            {"table": table.name, "column": column.name})


def analyze(engine: Engine) -> None:
    """PostgreSQL's planner statistics of the new rows (search plans depend on them); nothing on SQLite."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")


def text_index_problem(connection: Connection) -> str | None:
    """None when the caption text index agrees with the captions, else what is wrong with it."""
    if connection.dialect.name == "sqlite":
        try:
            # rank 1: also compare the index with the captions it is built from (external content).
            connection.exec_driver_sql(
                f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        except Exception as exc:  # SQLITE_CORRUPT_VTAB, as the driver words it
            return f"the caption text index does not match the captions ({exc})"
        return None
    if connection.dialect.name == "postgresql":
        # The generated column fills itself as captions come in: each caption's vector is its text's.
        stale = connection.scalar(select(func.count()).select_from(Caption).where(
            fts_postgres.TEXT_SEARCH.is_distinct_from(func.to_tsvector(fts_postgres.config(), Caption.text))))
        if stale:
            return f"{stale} captions' text search vectors do not match their text"
    return None
