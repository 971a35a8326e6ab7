"""Caption kinds (description, alt text, extended description: one current caption per photo and kind,
each with its own history) and the descriptive fields read from a photo's file (title, headline,
creator, rights, persons shown, location).

Every existing caption and unsaved edit is a description.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KINDS = ("description", "alt-text", "extended-description")


def _kind() -> sa.Column:
    kind = sa.Enum(*_KINDS, name="caption_kind", native_enum=False, create_constraint=True, length=32)
    return sa.Column("kind", kind, nullable=False, server_default="description")


@contextmanager
def _triggers_kept(table: str) -> Iterator[None]:
    """SQLite's batch mode copies the table and so drops its triggers (those keeping the caption text
    index of 0002 in step): they are made again, as they were, after the copy."""
    connection = op.get_bind()
    triggers: list[str] = []
    if connection.dialect.name == "sqlite":
        triggers = list(connection.execute(sa.text(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :table"), {"table": table}
        ).scalars())
    yield
    for statement in triggers:
        op.execute(statement)


def upgrade() -> None:
    op.drop_index("uq_captions_current_per_photo", table_name="captions")
    with _triggers_kept("captions"), op.batch_alter_table("captions") as batch:
        batch.add_column(_kind())
    op.create_index(
        "uq_captions_current_per_photo_kind", "captions", ["photo_id", "kind"], unique=True,
        sqlite_where=sa.text("is_current = 1"), postgresql_where=sa.text("is_current"),
    )
    with op.batch_alter_table("unsaved_edits") as batch:
        batch.add_column(_kind())
        batch.drop_constraint(op.f("uq_unsaved_edits_photo_id"), type_="unique")
        batch.create_unique_constraint(op.f("uq_unsaved_edits_photo_id_kind"), ["photo_id", "kind"])
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("file_fields", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("file_fields")
    op.execute("DELETE FROM unsaved_edits WHERE kind <> 'description'")
    with op.batch_alter_table("unsaved_edits") as batch:
        batch.drop_constraint(op.f("uq_unsaved_edits_photo_id_kind"), type_="unique")
        batch.create_unique_constraint(op.f("uq_unsaved_edits_photo_id"), ["photo_id"])
        batch.drop_constraint(op.f("ck_unsaved_edits_caption_kind"), type_="check")
        batch.drop_column("kind")
    op.drop_index("uq_captions_current_per_photo_kind", table_name="captions")
    # Captions of other kinds have nowhere to go in the old schema: they stay, no longer current.
    captions = sa.table("captions", sa.column("kind", sa.String), sa.column("is_current", sa.Boolean))
    op.execute(captions.update().where(captions.c.kind != "description").values(is_current=False))
    with _triggers_kept("captions"), op.batch_alter_table("captions") as batch:
        batch.drop_constraint(op.f("ck_captions_caption_kind"), type_="check")
        batch.drop_column("kind")
    op.create_index(
        "uq_captions_current_per_photo", "captions", ["photo_id"], unique=True,
        sqlite_where=sa.text("is_current = 1"), postgresql_where=sa.text("is_current"),
    )
