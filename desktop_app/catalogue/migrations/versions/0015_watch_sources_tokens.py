"""Always on: a library's watch settings, the standing job that watched photos are appended to, the web
address a photo was imported from, and the HTTP API's access tokens (stored hashed).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("libraries", sa.Column("watch", sa.JSON(), nullable=True))
    op.add_column("photos", sa.Column("source_url", sa.Text(), nullable=True))
    op.add_column("jobs", sa.Column("standing", sa.String(length=255), nullable=True))
    op.create_index(op.f("ix_jobs_standing"), "jobs", ["standing"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_index(op.f("ix_jobs_standing"), "jobs")
    for table, column in (("jobs", "standing"), ("photos", "source_url"), ("libraries", "watch")):
        if op.get_bind().dialect.name == "sqlite":
            # SQLite's own DROP COLUMN (3.35+): a batch copy of the table would drop the old one, and
            # with it (ON DELETE CASCADE) every caption, keyword and job item of its rows.
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)
