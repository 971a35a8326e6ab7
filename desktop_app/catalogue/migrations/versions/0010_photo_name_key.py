"""A photo's name-order key (natural, case-insensitive: "img2" before "IMG10"), stored and indexed with
its library so that a listing in name order streams from the index instead of sorting every row.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desktop_app.catalogue.models import natural_key

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("photos") as batch:
        batch.add_column(sa.Column("name_key", sa.Text(), nullable=True))
    connection = op.get_bind()
    photos = sa.table("photos", sa.column("id", sa.Integer), sa.column("rel_path", sa.LargeBinary),
                      sa.column("name_key", sa.Text))
    update = sa.update(photos).where(photos.c.id == sa.bindparam("photo_id")).values(
        name_key=sa.bindparam("key"))
    last = 0
    while True:  # in id order, a batch at a time: a million photos never sit in memory at once
        rows = connection.execute(sa.select(photos.c.id, photos.c.rel_path).where(photos.c.id > last)
                                  .order_by(photos.c.id).limit(_BATCH)).all()
        if not rows:
            break
        connection.execute(update, [{"photo_id": photo_id, "key": natural_key(os.fsdecode(rel_path))}
                                    for photo_id, rel_path in rows])
        last = rows[-1][0]
    op.create_index(op.f("ix_photos_library_id_name_key_rel_path"), "photos",
                    ["library_id", "name_key", "rel_path"])


def downgrade() -> None:
    op.drop_index(op.f("ix_photos_library_id_name_key_rel_path"), table_name="photos")
    with op.batch_alter_table("photos") as batch:
        batch.drop_column("name_key")
