"""Editors' trust: flags on captions and their revisions, the outcome of every AI draft (filled in here for
the decisions already in the history), and short claims on the photo an editor is reviewing.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from rapidfuzz.distance import Levenshtein

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DRAFT_ACTIONS = ("created", "regenerated")


def upgrade() -> None:
    op.add_column("captions", sa.Column("flags", sa.JSON(), nullable=True))
    op.add_column("caption_revisions", sa.Column("flags", sa.JSON(), nullable=True))
    op.create_table(
        "review_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("caption_id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("draft_revision", sa.Integer(), nullable=False),
        sa.Column("captioner_id", sa.String(length=128), nullable=True),
        sa.Column("model_id", sa.String(length=255), nullable=True),
        sa.Column("model_revision", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("draft_words", sa.Integer(), nullable=False),
        sa.Column("edit_distance", sa.Integer(), nullable=True),
        sa.Column("flag_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("review_seconds", sa.Float(), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("drafted_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["caption_id"], ["captions.id"],
                                name=op.f("fk_review_outcomes_caption_id_captions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name=op.f("fk_review_outcomes_photo_id_photos"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_outcomes")),
        sa.UniqueConstraint("caption_id", "draft_revision",
                            name=op.f("uq_review_outcomes_caption_id_draft_revision")),
    )
    op.create_index(op.f("ix_review_outcomes_decided_at"), "review_outcomes", ["decided_at"])
    op.create_index(op.f("ix_review_outcomes_captioner_id_decided_at"), "review_outcomes",
                    ["captioner_id", "decided_at"])
    if op.get_bind().dialect.name == "sqlite":
        # The quality report's weekly covering index (catalogue/outcomes.py SQLITE_WEEK, frozen here).
        op.execute("CREATE INDEX ix_review_outcomes_weekly ON review_outcomes (captioner_id, model_id, "
                   "model_revision, date(decided_at, 'weekday 0', '-6 days'), review_seconds, outcome, "
                   "edit_distance, draft_words, flag_count, decided_at)")
    op.create_table(
        "review_claims",
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=255), nullable=False),
        sa.Column("editor", sa.String(length=255), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"],
                                name=op.f("fk_review_claims_photo_id_photos"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("photo_id", name=op.f("pk_review_claims")),
    )
    op.create_index(op.f("ix_review_claims_expires_at"), "review_claims", ["expires_at"])
    _fill_outcomes(op.get_bind())


def _fill_outcomes(connection: sa.Connection) -> None:
    """Replay each model-written caption's history with the rules of catalogue/outcomes.py (frozen here):
    the decision standing at its end on each draft is that draft's outcome. No review times: they were
    never measured."""
    captions = sa.table("captions", sa.column("id"), sa.column("photo_id"), sa.column("kind"),
                        sa.column("captioner_id"), sa.column("model_id"), sa.column("model_revision"))
    revisions = sa.table("caption_revisions", sa.column("caption_id"), sa.column("number"),
                         sa.column("action"), sa.column("text"), sa.column("state"), sa.column("origin"),
                         sa.column("author"), sa.column("created_at"))
    outcomes = sa.table("review_outcomes", *(sa.column(name) for name in (
        "caption_id", "photo_id", "kind", "draft_revision", "captioner_id", "model_id", "model_revision",
        "outcome", "draft_words", "edit_distance", "flag_count", "author", "drafted_at", "decided_at")))
    drafted = (sa.select(revisions.c.caption_id).distinct()
               .where(revisions.c.origin == "ai", revisions.c.action.in_(_DRAFT_ACTIONS)).subquery())
    rows = connection.execute(
        sa.select(captions, revisions.c.number, revisions.c.action, revisions.c.text, revisions.c.state,
                  revisions.c.origin, revisions.c.author, revisions.c.created_at)
        .join(drafted, drafted.c.caption_id == captions.c.id)
        .join(revisions, revisions.c.caption_id == captions.c.id)
        .order_by(captions.c.id, revisions.c.number))
    batch: list[dict] = []
    caption_id, draft, decided = None, None, {}
    for row in rows:
        if row.id != caption_id:
            batch.extend(decided.values())
            caption_id, draft, decided = row.id, None, {}
        if row.origin == "ai" and row.action in _DRAFT_ACTIONS:
            draft = row
            continue
        if draft is None or row.action == "created":
            continue
        if row.state == "draft":
            decided.pop(draft.number, None)
            continue
        if row.state == "rejected":
            outcome, distance = "rejected", None
        elif row.text == draft.text:
            outcome, distance = "unchanged", 0
        else:
            outcome, distance = "edited", Levenshtein.distance(draft.text.split(), row.text.split())
        earlier = decided.get(draft.number)
        if earlier is not None and (earlier["outcome"], earlier["edit_distance"]) == (outcome, distance):
            continue  # decided so already (the caption made current again): that decision stands
        # A model's revision is written by the model (its author): a draft a later model replaced was the
        # earlier one's, whose revision the history does not keep.
        model_id, model_revision = row.model_id, row.model_revision
        if draft.author and draft.author != row.model_id:
            model_id, model_revision = draft.author, None
        decided[draft.number] = {
            "caption_id": row.id, "photo_id": row.photo_id, "kind": row.kind, "draft_revision": draft.number,
            "captioner_id": row.captioner_id, "model_id": model_id, "model_revision": model_revision,
            "outcome": outcome, "draft_words": len(draft.text.split()), "edit_distance": distance,
            "flag_count": 0, "author": row.author, "drafted_at": draft.created_at,
            "decided_at": row.created_at or datetime.now(UTC).replace(tzinfo=None)}
        if len(batch) >= 5000:
            connection.execute(outcomes.insert(), batch)
            batch = []
    batch.extend(decided.values())
    if batch:
        connection.execute(outcomes.insert(), batch)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_review_outcomes_weekly")
    op.drop_index(op.f("ix_review_claims_expires_at"), table_name="review_claims")
    op.drop_table("review_claims")
    op.drop_index(op.f("ix_review_outcomes_captioner_id_decided_at"), table_name="review_outcomes")
    op.drop_index(op.f("ix_review_outcomes_decided_at"), table_name="review_outcomes")
    op.drop_table("review_outcomes")
    with op.batch_alter_table("caption_revisions") as batch:
        batch.drop_column("flags")
    with op.batch_alter_table("captions") as batch:
        batch.drop_column("flags")
