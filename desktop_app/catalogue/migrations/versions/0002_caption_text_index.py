"""Full-text index (SQLite FTS5) over caption text, kept in sync by triggers.

An external-content table: the text lives once, in captions; FTS5 keeps only its index. Captions
that already exist are indexed by the rebuild below.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATEMENTS = [
    # porter: "dogs" finds "dog"; remove_diacritics: "cafe" finds "café".
    """CREATE VIRTUAL TABLE captions_fts USING fts5(
        text, content='captions', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER captions_fts_insert AFTER INSERT ON captions BEGIN
        INSERT INTO captions_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    """CREATE TRIGGER captions_fts_delete AFTER DELETE ON captions BEGIN
        INSERT INTO captions_fts(captions_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    """CREATE TRIGGER captions_fts_update AFTER UPDATE OF text ON captions BEGIN
        INSERT INTO captions_fts(captions_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO captions_fts(rowid, text) VALUES (new.id, new.text);
    END""",
    "INSERT INTO captions_fts(captions_fts) VALUES ('rebuild')",
]


def upgrade() -> None:
    # FTS5 is SQLite's; another backend (PostgreSQL) gets its own text index in the search code.
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for trigger in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS captions_fts_{trigger}")
    op.execute("DROP TABLE IF EXISTS captions_fts")
