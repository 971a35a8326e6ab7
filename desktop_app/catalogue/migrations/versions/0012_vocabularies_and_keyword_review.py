"""Keywords as a reviewed part of the catalogue: vocabularies with their terms (labels, synonyms,
broader terms, label vectors), and a photo's keywords with origin, state, confidence and history.

Today's keywords (read from files) become imported, accepted keywords of the "from files" vocabulary,
each with its first revision; none is lost. A downgrade keeps the accepted ones the files held.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = ("suggested", "accepted", "rejected", "removed-in-file", "withdrawn")
_ORIGINS = ("ai", "human", "imported")
_ACTIONS = ("imported", "added", "suggested", "rescored", "accepted", "rejected", "removed",
            "removed-in-file", "found-in-file", "restored")
FROM_FILES = "from files"  # catalogue.keywords.FROM_FILES_VOCABULARY


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _key(label: str) -> str:  # models.label_key, as of this revision
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


def _created() -> list[sa.Column]:
    return [sa.Column("created_at", sa.DateTime(), nullable=False),
            sa.Column("updated_at", sa.DateTime(), nullable=False)]


def upgrade() -> None:
    connection = op.get_bind()
    old = connection.execute(sa.text("SELECT photo_id, keyword FROM photo_keywords ORDER BY id")).all()
    op.drop_index(op.f("ix_photo_keywords_keyword"), table_name="photo_keywords")
    op.drop_table("photo_keywords")

    op.create_table(
        "vocabularies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", _enum("vocabulary_kind", "imported", "from-files"), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vocabularies")),
        sa.UniqueConstraint("name", name=op.f("uq_vocabularies_name")),
    )
    op.create_table(
        "terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("vocabulary_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("label_key", sa.String(length=255), nullable=False),
        sa.Column("uri", sa.String(length=1024), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("retired", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        *_created(),
        sa.ForeignKeyConstraint(["vocabulary_id"], ["vocabularies.id"],
                                name=op.f("fk_terms_vocabulary_id_vocabularies"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terms")),
    )
    op.create_index(op.f("ix_terms_vocabulary_id_label_key"), "terms", ["vocabulary_id", "label_key"])
    op.create_index(op.f("ix_terms_uri"), "terms", ["uri"])
    op.create_table(
        "term_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("preferred", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["term_id"], ["terms.id"], name=op.f("fk_term_labels_term_id_terms"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_term_labels")),
    )
    op.create_index(op.f("ix_term_labels_key"), "term_labels", ["key"])
    op.create_index(op.f("ix_term_labels_term_id"), "term_labels", ["term_id"])
    op.create_table(
        "term_broader",
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("broader_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["term_id"], ["terms.id"], name=op.f("fk_term_broader_term_id_terms"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["broader_id"], ["terms.id"], name=op.f("fk_term_broader_broader_id_terms"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("term_id", "broader_id", name=op.f("pk_term_broader")),
    )
    op.create_index(op.f("ix_term_broader_broader_id"), "term_broader", ["broader_id"])
    op.create_table(
        "label_vectors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.String(length=255), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["term_labels.id"],
                                name=op.f("fk_label_vectors_label_id_term_labels"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_vectors")),
        sa.UniqueConstraint("label_id", "model_id", name=op.f("uq_label_vectors_label_id_model_id")),
    )
    op.create_index(op.f("ix_label_vectors_model_id"), "label_vectors", ["model_id"])
    op.create_table(
        "photo_keywords",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("photo_id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("state", _enum("keyword_state", *_STATES), nullable=False),
        sa.Column("origin", _enum("keyword_origin", *_ORIGINS), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("tagger_id", sa.String(length=128), nullable=True),
        sa.Column("model_id", sa.String(length=255), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("in_file", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("revision", sa.Integer(), server_default="0", nullable=False),
        *_created(),
        sa.CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)",
                           name=op.f("ck_photo_keywords_confidence")),
        sa.ForeignKeyConstraint(["photo_id"], ["photos.id"], name=op.f("fk_photo_keywords_photo_id_photos"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["term_id"], ["terms.id"], name=op.f("fk_photo_keywords_term_id_terms")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_keywords")),
        sa.UniqueConstraint("photo_id", "term_id", name=op.f("uq_photo_keywords_photo_id_term_id")),
    )
    op.create_index(op.f("ix_photo_keywords_term_id_state"), "photo_keywords", ["term_id", "state"])
    op.create_table(
        "photo_keyword_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("keyword_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("action", _enum("keyword_action", *_ACTIONS), nullable=False),
        sa.Column("state", _enum("keyword_state", *_STATES), nullable=False),
        sa.Column("origin", _enum("keyword_origin", *_ORIGINS), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["keyword_id"], ["photo_keywords.id"],
                                name=op.f("fk_photo_keyword_revisions_keyword_id_photo_keywords"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_keyword_revisions")),
        sa.UniqueConstraint("keyword_id", "number",
                            name=op.f("uq_photo_keyword_revisions_keyword_id_number")),
    )
    if old:
        _carry_over(connection, old)


def _carry_over(connection: sa.Connection, old: Sequence[sa.Row]) -> None:
    """Today's keywords as imported, accepted keywords of the "from files" vocabulary."""
    now = datetime.now(UTC).replace(tzinfo=None)
    vocabulary_id = connection.execute(sa.text(
        "INSERT INTO vocabularies (name, kind, imported_at, updated_at) "
        "VALUES (:name, 'from-files', :now, :now)"
    ).bindparams(name=FROM_FILES, now=now)).lastrowid
    if vocabulary_id is None:  # drivers without lastrowid
        vocabulary_id = connection.execute(sa.text("SELECT id FROM vocabularies WHERE name = :name"),
                                           {"name": FROM_FILES}).scalar_one()
    terms: dict[str, int] = {}
    for _, keyword in old:
        key = _key(keyword)
        if key in terms or not key:
            continue
        connection.execute(sa.text(
            "INSERT INTO terms (vocabulary_id, label, label_key, retired, position, created_at, updated_at) "
            "VALUES (:v, :label, :key, false, :position, :now, :now)"),
            {"v": vocabulary_id, "label": keyword[:255], "key": key[:255], "position": len(terms),
             "now": now})
        term_id = connection.execute(sa.text(
            "SELECT id FROM terms WHERE vocabulary_id = :v AND label_key = :key"),
            {"v": vocabulary_id, "key": key[:255]}).scalar_one()
        connection.execute(sa.text(
            "INSERT INTO term_labels (term_id, label, key, preferred) VALUES (:t, :label, :key, true)"),
            {"t": term_id, "label": keyword[:255], "key": key[:255]})
        terms[key] = term_id
    seen: set[tuple[int, int]] = set()
    for photo_id, keyword in old:
        term_id = terms.get(_key(keyword))
        if term_id is None or (photo_id, term_id) in seen:
            continue
        seen.add((photo_id, term_id))
        connection.execute(sa.text(
            "INSERT INTO photo_keywords (photo_id, term_id, state, origin, author, in_file, revision, "
            "created_at, updated_at) VALUES (:p, :t, 'accepted', 'imported', 'imported from the file', "
            "true, 1, :now, :now)"), {"p": photo_id, "t": term_id, "now": now})
        keyword_id = connection.execute(sa.text(
            "SELECT id FROM photo_keywords WHERE photo_id = :p AND term_id = :t"),
            {"p": photo_id, "t": term_id}).scalar_one()
        connection.execute(sa.text(
            "INSERT INTO photo_keyword_revisions (keyword_id, number, action, state, origin, author, note, "
            "created_at) VALUES (:k, 1, 'imported', 'accepted', 'imported', 'imported from the file', "
            "'read from the file before keywords were reviewed', :now)"), {"k": keyword_id, "now": now})


def downgrade() -> None:
    connection = op.get_bind()
    kept = connection.execute(sa.text(
        "SELECT k.photo_id, t.label FROM photo_keywords k JOIN terms t ON t.id = k.term_id "
        "WHERE k.state = 'accepted' AND k.in_file ORDER BY k.id")).all()
    for table in ("photo_keyword_revisions", "photo_keywords", "label_vectors", "term_broader",
                  "term_labels", "terms", "vocabularies"):
        op.drop_table(table)
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
    if kept:
        connection.execute(sa.text("INSERT INTO photo_keywords (photo_id, keyword) VALUES (:p, :k)"),
                           [{"p": photo_id, "k": label} for photo_id, label in kept])
