"""Moving a catalogue in and out: copy one into another database (a person's SQLite file onto the team's
PostgreSQL server, the server's catalogue into a file, or one file into another), verified table by table.

The target is created or brought to the newest schema first; a target that holds anything is refused
unless ``force`` (its rows are then replaced). The rows are written in one transaction, so a copy that
fails half-way leaves the target as it was.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import URL

from desktop_app.catalogue import Catalogue, copying, resolve_url
from desktop_app.catalogue.errors import CatalogueError
from desktop_app.services.catalogue import open_catalogue


@dataclass(frozen=True)
class TableCheck:
    """One table's rows and content hash, in the source and as the target holds them after the copy."""

    table: str
    source: copying.TableDigest
    target: copying.TableDigest

    @property
    def same(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True)
class CopyReport:
    source: str
    target: str
    tables: list[TableCheck]
    replaced: bool  # the target held rows, replaced (force)
    seconds: float

    @property
    def verified(self) -> bool:
        return all(check.same for check in self.tables)

    @property
    def rows(self) -> int:
        return sum(check.source.rows for check in self.tables)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "verified": self.verified, "rows": self.rows,
                "replaced": self.replaced, "seconds": round(self.seconds, 3),
                "tables": [{"table": c.table, "source_rows": c.source.rows, "target_rows": c.target.rows,
                            "source_sha256": c.source.sha256, "target_sha256": c.target.sha256,
                            "same": c.same} for c in self.tables]}


def copy_catalogue(source: Catalogue, to: str | os.PathLike[str], *, force: bool = False,
                   progress: copying.Progress | None = None) -> CopyReport:
    """Copy every row of ``source`` into the catalogue at ``to`` (a path or a database URL) and compare
    both sides' counts and content hashes. Raises CatalogueError (one line) for a target that is the
    source itself, cannot be opened, or holds rows and ``force`` is not given."""
    started = time.monotonic()
    target_url = resolve_url(to)
    if _same_database(source.url, target_url):
        raise CatalogueError(f"the target {source.location} is the catalogue being copied")
    with open_catalogue(to) as target:  # created, or brought to the newest schema
        if target.read_only:
            raise CatalogueError(f"the target {target.location} is read-only")
        with copying.snapshot(source.engine) as reading:
            counts = copying.row_counts(reading)
            total = sum(counts.values())
            work = 2 * total  # each row is copied, then read back and checked
            with target.engine.execution_options(sqlite_begin="IMMEDIATE").begin() as writing:
                held = {name: rows for name, rows in copying.row_counts(writing).items() if rows}
                if held and not force:
                    raise CatalogueError(f"the target {target.location} is not empty ({_describe(held)}); "
                                         "give --force to replace what it holds")
                if held:
                    copying.clear(writing)
                copied = copying.copy_rows(reading, writing, total=work, progress=progress)
                copying.finish_target(writing)
        copying.analyze(target.engine)
        with copying.snapshot(target.engine) as checking:
            found = copying.digests(checking, progress=progress, done=total, total=work)
        with target.engine.begin() as connection:
            problem = copying.text_index_problem(connection)
        if problem is not None:
            raise CatalogueError(f"the target {target.location}: {problem}")
        checks = [TableCheck(name, copied[name], found[name]) for name in copied]
        return CopyReport(source.location, target.location, checks, bool(held), time.monotonic() - started)


def _describe(held: dict[str, int]) -> str:
    """ "photos: 120, captions: 80" (the tables a person knows first), else the first tables with rows."""
    known = [name for name in ("photos", "captions", "vocabularies", "jobs") if held.get(name)]
    named = known or sorted(held)[:3]
    return ", ".join(f"{name}: {held[name]}" for name in named)


def _same_database(one: URL, other: URL) -> bool:
    """Whether two catalogue URLs name the same database (the same file, or the same server's database)."""
    if one.get_backend_name() != other.get_backend_name():
        return False
    if one.get_backend_name() == "sqlite":
        first, second = _file(one), _file(other)
        if first is None or second is None:
            return False
        try:
            return os.path.samefile(first, second)
        except OSError:
            return False
    return (one.host or "localhost", one.port or 5432, one.database) == \
        (other.host or "localhost", other.port or 5432, other.database)


def _file(url: URL) -> str | None:
    database = url.database or ""
    if database.startswith("file:"):  # a read-only catalogue's URI
        from urllib.parse import unquote

        return unquote(database[len("file:"):].split("?", 1)[0])
    return database if database and database != ":memory:" else None
