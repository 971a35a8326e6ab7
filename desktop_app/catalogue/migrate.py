"""Alembic migrations, applied automatically when a catalogue is opened.

The migration scripts ship inside the package (``migrations/``), so an installed app can upgrade
a catalogue made by any earlier version without a separate tool.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from desktop_app.catalogue.errors import CatalogueError
from desktop_app.catalogue.fts import FTS_TABLE

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# PostgreSQL's counterpart of the FTS5 table: a generated tsvector column of captions and its GIN index
# (migration 0013), which the ORM does not describe either.
_POSTGRES_TEXT_INDEX = {"text_search", "ix_captions_text_search"}
# SQLite's index of review outcomes by week, on an expression (migration 0014; catalogue/outcomes.py).
_SQLITE_EXPRESSION_INDEXES = {"ix_review_outcomes_weekly"}


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic filter: leave the text indexes out of schema comparisons (SQLite's FTS5 virtual table and
    shadow tables, PostgreSQL's tsvector column and its index), which the ORM does not describe."""
    if name is None:
        return True
    if type_ == "table" and name.startswith(FTS_TABLE):
        return False
    return not ((type_ in ("column", "index") and name in _POSTGRES_TEXT_INDEX)
                or (type_ == "index" and name in _SQLITE_EXPRESSION_INDEXES))


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads; expected one")
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def revision_and_tables(engine: Engine) -> tuple[str | None, list[str]]:
    """The schema revision and the table names, read in one transaction: another process creating the
    catalogue at this moment is seen either not at all or complete, never as tables without a revision."""
    with engine.connect() as connection, connection.begin():
        revision = MigrationContext.configure(connection).get_current_revision()
        return revision, inspect(connection).get_table_names()


def upgrade_to_head(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision``. Cheap when it is already there (one query)."""
    script = ScriptDirectory.from_config(alembic_config())
    target = script.get_current_head() if revision == "head" else revision
    if current_revision(engine) == target:
        return
    _check_known(engine, script)
    # The write lock is taken before alembic reads the current revision, so two processes opening
    # a new catalogue at once cannot both try to create it.
    with engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
        if connection.dialect.name == "postgresql":
            _as_database_owner(connection)
        command.upgrade(alembic_config(connection), revision)


# Any constant: the advisory lock every process upgrading a PostgreSQL catalogue takes first.
_UPGRADE_LOCK = 0x50686F746F  # "Photo"


def _as_database_owner(connection: Connection) -> None:
    """On PostgreSQL: serialise upgrades (an advisory lock held to the end of the transaction), and
    create tables as the database's owner when this login is a member of that role. Every editor's login
    (``GRANT photo_annotator TO alice``) can then open a catalogue that needs a newer schema, and the tables
    stay the owner's, whoever upgraded them."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
    owner = connection.scalar(text(
        "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()"))
    member = connection.scalar(text("SELECT pg_has_role(current_user, :owner, 'MEMBER')"), {"owner": owner})
    if owner and member:
        connection.execute(text(f'SET LOCAL ROLE "{owner.replace(chr(34), chr(34) * 2)}"'))


def check_at_head(engine: Engine) -> None:
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise CatalogueError(
            f"the catalogue is at schema revision {current or 'none'}, this version needs {head}; "
            "run 'photo-annotator db upgrade'"
        )


def _check_known(engine: Engine, script: ScriptDirectory) -> None:
    current = current_revision(engine)
    if current is None:
        return
    try:
        script.get_revision(current)
    except CommandError:
        raise CatalogueError(
            f"the catalogue is at schema revision {current}, made by a newer version of "
            "Photo Annotator; upgrade the app to open it"
        ) from None
