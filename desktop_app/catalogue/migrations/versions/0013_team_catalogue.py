"""A team's catalogue: who wrote what (database role beside the editor), jobs that say who may run them
and items held under a renewable lease, 64-bit file sizes and times on PostgreSQL, and on PostgreSQL its
own caption text index (a generated tsvector column with a GIN index, the counterpart of SQLite's FTS5
table of 0002) and change notifications (LISTEN/NOTIFY) for other editors' open windows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# desktop_app.catalogue.fts_postgres: the column, its text search configuration and the index.
TEXT_SEARCH_COLUMN = "text_search"
# Our own configuration, as close to SQLite's FTS5 tokenizer ("porter unicode61 remove_diacritics 2") as
# PostgreSQL gets: English stemming (snowball) without a stop word list (FTS5 has none: "a" and "the" are
# words to find), and accents folded by the unaccent extension where the server lets us create it (a
# trusted extension of contrib since PostgreSQL 13); without it, accents must match exactly.
TEXT_SEARCH_CONFIG = "photo_annotator"
_STEMMER = "photo_annotator_stem"
_WORD_TOKENS = "asciiword, asciihword, hword_asciipart, word, hword, hword_part"
# desktop_app.catalogue.changes: the channel other editors' windows listen on; the payload is
# "<table>:<photo id>".
CHANGES_CHANNEL = "photo_annotator_changes"

_NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION photo_annotator_notify_change() RETURNS trigger AS $$
DECLARE
    changed_photo integer;
BEGIN
    IF TG_TABLE_NAME = 'caption_revisions' THEN
        SELECT photo_id INTO changed_photo FROM captions WHERE id = NEW.caption_id;
        PERFORM pg_notify('{CHANGES_CHANNEL}', 'captions:' || changed_photo);
    ELSIF TG_TABLE_NAME = 'photo_keyword_revisions' THEN
        SELECT photo_id INTO changed_photo FROM photo_keywords WHERE id = NEW.keyword_id;
        PERFORM pg_notify('{CHANGES_CHANNEL}', 'keywords:' || changed_photo);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
_NOTIFIED_TABLES = ("caption_revisions", "photo_keyword_revisions")


def _create_text_search_config() -> None:
    bind = op.get_bind()
    try:
        with bind.begin_nested():  # a refusal (no contrib, no CREATE privilege) leaves the migration intact
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS unaccent")
    except sa.exc.DBAPIError:
        pass
    folding = bind.exec_driver_sql(
        "SELECT 1 FROM pg_ts_dict WHERE dictname = 'unaccent' AND pg_ts_dict_is_visible(oid)").first()
    op.execute(f"CREATE TEXT SEARCH DICTIONARY {_STEMMER} (TEMPLATE = snowball, Language = english)")
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {TEXT_SEARCH_CONFIG} (COPY = english)")
    op.execute(f"ALTER TEXT SEARCH CONFIGURATION {TEXT_SEARCH_CONFIG} ALTER MAPPING FOR {_WORD_TOKENS} "
               f"WITH {'unaccent, ' if folding else ''}{_STEMMER}")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in ("caption_revisions", "photo_keyword_revisions"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("db_role", sa.String(length=128), nullable=True))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("runner", sa.String(length=16), server_default="any", nullable=False))
        batch.add_column(sa.Column("author", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("db_role", sa.String(length=128), nullable=True))
    with op.batch_alter_table("job_items") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(), nullable=True))
    if not postgres:
        return
    for column in ("size", "mtime_ns", "ctime_ns"):
        op.alter_column("photos", column, type_=sa.BigInteger(), existing_type=sa.Integer())
    # Name order by code point, as on SQLite, whatever the database's locale (its index follows).
    op.alter_column("photos", "name_key", type_=sa.Text(collation="C"), existing_type=sa.Text())
    _create_text_search_config()
    op.execute(f"ALTER TABLE captions ADD COLUMN {TEXT_SEARCH_COLUMN} tsvector "
               f"GENERATED ALWAYS AS (to_tsvector('{TEXT_SEARCH_CONFIG}', text)) STORED")
    op.execute(f"CREATE INDEX ix_captions_{TEXT_SEARCH_COLUMN} ON captions USING gin ({TEXT_SEARCH_COLUMN})")
    op.execute(_NOTIFY_FUNCTION)
    for table in _NOTIFIED_TABLES:
        op.execute(f"CREATE TRIGGER {table}_notify AFTER INSERT ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION photo_annotator_notify_change()")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _NOTIFIED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
        op.execute("DROP FUNCTION IF EXISTS photo_annotator_notify_change()")
        op.execute(f"DROP INDEX IF EXISTS ix_captions_{TEXT_SEARCH_COLUMN}")
        op.execute(f"ALTER TABLE captions DROP COLUMN IF EXISTS {TEXT_SEARCH_COLUMN}")
        op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {TEXT_SEARCH_CONFIG}")
        op.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {_STEMMER}")
        # size, mtime_ns and ctime_ns stay 64-bit: today's file times do not fit in 32 bits (0012's
        # INTEGER could never hold them on PostgreSQL).
        op.alter_column("photos", "name_key", type_=sa.Text(), existing_type=sa.Text(collation="C"))
    with op.batch_alter_table("job_items") as batch:
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("db_role")
        batch.drop_column("author")
        batch.drop_column("runner")
    for table in ("caption_revisions", "photo_keyword_revisions"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("db_role")
