"""A caption's revision counter (optimistic concurrency, review against a known revision) and a
photo's inode (with size, mtime and ctime: a reason to hash the file again).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("captions") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
    # The counter starts at the caption's newest revision number.
    op.execute(
        "UPDATE captions SET revision = COALESCE((SELECT MAX(number) FROM caption_revisions "
        "WHERE caption_revisions.caption_id = captions.id), 0)"
    )
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("inode", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("inode")
    with op.batch_alter_table("captions") as batch:
        batch.drop_column("revision")
