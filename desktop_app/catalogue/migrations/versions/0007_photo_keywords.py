"""Photo keywords read from the files' metadata (XMP dc:subject, IPTC Keywords) on scan.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "photo_keywords",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("keyword", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_photo_keywords_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_keywords")),
        sa.UniqueConstraint("photo_id", "keyword", name=op.f("uq_photo_keywords_photo_id_keyword")),
    )
    op.create_index(op.f("ix_photo_keywords_keyword"), "photo_keywords", ["keyword"])


def downgrade() -> None:
    op.drop_index(op.f("ix_photo_keywords_keyword"), table_name="photo_keywords")
    op.drop_table("photo_keywords")
