"""Captions keep the model's per-token scores, and a notice that travels with the text (the
medical captioner's "AI draft, not for diagnosis").

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("captions") as batch:
        batch.add_column(sa.Column("notice", sa.Text(), nullable=True))
        batch.add_column(sa.Column("token_scores", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("captions") as batch:
        batch.drop_column("token_scores")
        batch.drop_column("notice")
