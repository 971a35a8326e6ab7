"""Libraries, photos, captions and their revision history.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def upgrade() -> None:
    op.create_table(
        "libraries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("root", sa.LargeBinary(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("last_scan_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_libraries")),
        sa.UniqueConstraint("root", name=op.f("uq_libraries_root")),
    )
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("library_id", sa.Integer(), nullable=False),
        sa.Column("rel_path", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("mtime_ns", sa.Integer(), nullable=True),
        sa.Column("ctime_ns", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("date_taken", sa.DateTime(), nullable=True),
        sa.Column("camera_make", sa.String(length=255), nullable=True),
        sa.Column("camera_model", sa.String(length=255), nullable=True),
        sa.Column("gps_latitude", sa.Float(), nullable=True),
        sa.Column("gps_longitude", sa.Float(), nullable=True),
        sa.Column("gps_altitude", sa.Float(), nullable=True),
        sa.Column("orientation", sa.Integer(), nullable=True),
        sa.Column("status", _enum("photo_status", "ok", "missing", "error"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["library_id"], ["libraries.id"],
            name=op.f("fk_photos_library_id_libraries"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
        sa.UniqueConstraint("library_id", "rel_path", name=op.f("uq_photos_library_id_rel_path")),
    )
    op.create_index(op.f("ix_photos_content_hash"), "photos", ["content_hash"])
    op.create_index(op.f("ix_photos_status"), "photos", ["status"])

    op.create_table(
        "captions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("captioner_id", sa.String(length=128), nullable=True),
        sa.Column("model_id", sa.String(length=255), nullable=True),
        sa.Column("model_revision", sa.String(length=64), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("origin", _enum("caption_origin", "ai", "human", "imported"), nullable=False),
        sa.Column("state", _enum("review_state", "draft", "approved", "rejected"), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
            name=op.f("ck_captions_confidence"),
        ),
        sa.ForeignKeyConstraint(
            ["photo_id"], ["photos.id"], name=op.f("fk_captions_photo_id_photos"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captions")),
    )
    op.create_index(op.f("ix_captions_photo_id"), "captions", ["photo_id"])
    op.create_index(op.f("ix_captions_state"), "captions", ["state"])
    op.create_index(
        "uq_captions_current_per_photo", "captions", ["photo_id"], unique=True,
        sqlite_where=sa.text("is_current = 1"), postgresql_where=sa.text("is_current"),
    )

    op.create_table(
        "caption_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("caption_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            _enum("revision_action", "created", "edited", "approved", "rejected", "reverted",
                  "regenerated"),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", _enum("review_state", "draft", "approved", "rejected"), nullable=False),
        sa.Column("origin", _enum("caption_origin", "ai", "human", "imported"), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["caption_id"], ["captions.id"],
            name=op.f("fk_caption_revisions_caption_id_captions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caption_revisions")),
        sa.UniqueConstraint("caption_id", "number", name=op.f("uq_caption_revisions_caption_id_number")),
    )


def downgrade() -> None:
    op.drop_table("caption_revisions")
    op.drop_table("captions")
    op.drop_table("photos")
    op.drop_table("libraries")
