"""The catalogue's tables as SQLAlchemy 2.0 typed ORM classes.

The schema itself is owned by the Alembic migrations in ``migrations/versions``; a test checks that
these classes and the migrated schema agree.
"""

from __future__ import annotations

import enum
import os
import re
import sys
import unicodedata
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

# Deterministic constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


_DIGIT_RUNS = re.compile("([0-9]+)")
_NUMBER_WIDTH = 20  # numbers are compared by value up to 20 digits (longer runs are rare in names)


def natural_key(rel_path: str | bytes | None) -> str | None:
    """A photo's name-order key (Photo.name_key): case-insensitive, numbers by value ("img2" before
    "IMG10"). Stored and indexed, so the grid of 100k photos streams in name order without sorting.
    Bytes of a name that are not UTF-8 (surrogate escapes) sort as U+FFFD; the exact path breaks ties."""
    if rel_path is None:
        return None
    if isinstance(rel_path, bytes):  # FsPath takes the exact bytes too
        rel_path = os.fsdecode(rel_path)
    text = rel_path.encode("utf-8", "surrogateescape").decode("utf-8", "replace").casefold()
    parts = _DIGIT_RUNS.split(text)
    if len(parts) > 1:
        parts[1::2] = [run.zfill(_NUMBER_WIDTH) for run in parts[1::2]]
    return "".join(parts)


def label_key(label: str) -> str:
    """How keyword labels are compared and looked up: Unicode-normalised, case-folded, single-spaced
    ("Dogs", "dogs " and "ＤＯＧＳ" are one label)."""
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


def _name_key_default(context: Any) -> str | None:
    return natural_key(context.get_current_parameters().get("rel_path"))


def database_role(context: Any) -> str | None:
    """The role writing a row: PostgreSQL's current_user (asked once per connection), None on SQLite."""
    if context.dialect.name == "sqlite":
        return None
    info = context.connection.info
    if "db_role" not in info:
        info["db_role"] = context.connection.exec_driver_sql("SELECT current_user").scalar()
    return info["db_role"]


# Sizes and nanosecond times pass 2**31: 64-bit on PostgreSQL; SQLite's INTEGER is 64-bit already, and
# keeps its declared type so that no migration has to copy its photos table.
BigInt = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is expected")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


_FS_ENCODING, _FS_ERRORS = sys.getfilesystemencoding(), sys.getfilesystemencodeerrors()


class FsPath(TypeDecorator[str]):
    """A file-system path stored as its raw bytes.

    File names need not be valid UTF-8 (old archives, network shares). Python represents such names
    with surrogate escapes, which no database text column accepts; bytes round-trip exactly.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> bytes | None:
        return None if value is None else os.fsencode(value)

    def process_result_value(self, value: bytes | None, dialect: Any) -> str | None:
        # os.fsdecode, without its per-call lookups: this runs once per row of a 100k-photo listing.
        return None if value is None else value.decode(_FS_ENCODING, _FS_ERRORS)


class PhotoStatus(enum.StrEnum):
    OK, MISSING, ERROR = "ok", "missing", "error"


class CaptionOrigin(enum.StrEnum):
    AI = "ai"
    HUMAN = "human"
    IMPORTED = "imported"


class CaptionKind(enum.StrEnum):
    """What a caption is for. A photo has at most one current caption of each kind, each with its own
    history and review; the description is the caption wherever no kind is named."""

    DESCRIPTION = "description"  # XMP dc:description, IPTC Caption-Abstract, EXIF ImageDescription
    ALT_TEXT = "alt-text"  # IPTC 2021 Alt Text (Accessibility): at most 250 characters
    EXTENDED_DESCRIPTION = "extended-description"  # IPTC 2021 Extended Description (Accessibility)


class ReviewState(enum.StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"


class RevisionAction(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVERTED = "reverted"
    REGENERATED = "regenerated"


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


class JobItemState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


def _enum(cls: type[enum.Enum], name: str, length: int = 16) -> Enum:
    # Store the values ("ok"), not the member names ("OK"), with a CHECK constraint on every backend.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):  # the review records' tables (outcomes.py, claims.py) join it there
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Library(Base):
    """A root folder of photos."""

    __tablename__ = "libraries"

    id: Mapped[int] = mapped_column(primary_key=True)
    root: Mapped[str] = mapped_column(FsPath, unique=True)
    name: Mapped[str] = mapped_column(String(255))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_scan_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Watched for new files (None: not): {"caption": captioner, "model", "tag": tagger, "poll_interval"}.
    watch: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    photos: Mapped[list[Photo]] = relationship(back_populates="library", passive_deletes=True)


class Photo(Base):
    """One image file in a library. Rows are never deleted by a scan: a gone file is ``missing``."""

    __tablename__ = "photos"
    __table_args__ = (
        UniqueConstraint("library_id", "rel_path"),
        Index(None, "content_hash"),
        Index(None, "status"),
        Index(None, "library_id", "name_key", "rel_path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    library_id: Mapped[int] = mapped_column(ForeignKey("libraries.id", ondelete="CASCADE"))
    rel_path: Mapped[str] = mapped_column(FsPath)
    # natural_key(rel_path): given with every insert (a default) and every move (the scanner sets it).
    # Compared as code points on PostgreSQL too (COLLATE "C", migration 0013): the same name order as SQLite's
    # whatever the server's locale (en_US ignores "/" and puts "é" beside "e").
    name_key: Mapped[str | None] = mapped_column(Text().with_variant(Text(collation="C"), "postgresql"),
                                                 default=_name_key_default)
    size: Mapped[int | None] = mapped_column(BigInt)
    mtime_ns: Mapped[int | None] = mapped_column(BigInt)
    # ctime changes on chmod: lets a rescan retry a file that failed with "permission denied".
    ctime_ns: Mapped[int | None] = mapped_column(BigInt)
    # With size, mtime and ctime: any difference means hashing again (only a new hash is a change).
    inode: Mapped[int | None] = mapped_column(BigInteger)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # A write-back's hash before it replaces the file: a run killed after knows the change is its own.
    pending_hash: Mapped[str | None] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16))
    date_taken: Mapped[datetime | None] = mapped_column(DateTime)  # camera local time, as recorded
    camera_make: Mapped[str | None] = mapped_column(String(255))
    camera_model: Mapped[str | None] = mapped_column(String(255))
    gps_latitude: Mapped[float | None] = mapped_column(Float)
    gps_longitude: Mapped[float | None] = mapped_column(Float)
    gps_altitude: Mapped[float | None] = mapped_column(Float)
    orientation: Mapped[int | None] = mapped_column(Integer)  # EXIF orientation, 1..8
    # Descriptive fields read from the file as the reference tools read them (library/metadata):
    # {"title", "headline", "creator": [...], "rights", "persons": [...], "location": {...}}; None: none.
    file_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[PhotoStatus] = mapped_column(_enum(PhotoStatus, "photo_status"))
    error: Mapped[str | None] = mapped_column(Text)
    source_url: Mapped[str | None] = mapped_column(Text)  # the web address it was imported from
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    library: Mapped[Library] = relationship(back_populates="photos")
    captions: Mapped[list[Caption]] = relationship(
        back_populates="photo", passive_deletes=True, order_by="Caption.id"
    )
    keywords: Mapped[list[PhotoKeyword]] = relationship(passive_deletes=True, order_by="PhotoKeyword.id")


class VocabularyKind(enum.StrEnum):
    IMPORTED = "imported"  # a controlled vocabulary a person imported (SKOS, CSV, Lightroom, text)
    FROM_FILES = "from-files"  # the keywords found in files that no imported vocabulary has


class Vocabulary(Base):
    """A controlled vocabulary (LCSH, Getty AAT, Iconclass, an in-house list) or the "from files" one."""

    __tablename__ = "vocabularies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[VocabularyKind] = mapped_column(_enum(VocabularyKind, "vocabulary_kind"))
    format: Mapped[str | None] = mapped_column(String(16))  # skos, csv, lightroom, text
    source: Mapped[str | None] = mapped_column(Text)  # the file it was last imported from
    language: Mapped[str | None] = mapped_column(String(16))  # the label language picked (--lang)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Term(Base):
    """A keyword: a vocabulary's concept with its preferred label (synonyms in TermLabel, broader
    terms in TermBroader), or a free keyword (``vocabulary_id`` None) a person typed. Never deleted
    while a photo has it: a term gone from a re-imported file is ``retired`` instead."""

    __tablename__ = "terms"
    __table_args__ = (Index(None, "vocabulary_id", "label_key"), Index(None, "uri"))

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary_id: Mapped[int | None] = mapped_column(ForeignKey("vocabularies.id", ondelete="SET NULL"))
    label: Mapped[str] = mapped_column(String(255))  # the preferred label
    label_key: Mapped[str] = mapped_column(String(255))  # label_key(label): lookups ignore case
    uri: Mapped[str | None] = mapped_column(String(1024))
    notes: Mapped[str | None] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(default=False, server_default="0")  # gone from its vocabulary
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # order in its file
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    vocabulary: Mapped[Vocabulary | None] = relationship()
    labels: Mapped[list[TermLabel]] = relationship(passive_deletes=True, order_by="TermLabel.id")


class TermLabel(Base):
    """Every label of a term, the preferred one and each synonym (SKOS altLabel, Lightroom {synonym}):
    what completion, resolution and the taggers match."""

    __tablename__ = "term_labels"
    __table_args__ = (Index(None, "key"), Index(None, "term_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(255))
    key: Mapped[str] = mapped_column(String(255))  # label_key(label)
    preferred: Mapped[bool] = mapped_column(default=False)


class TermBroader(Base):
    """A term's broader term (SKOS broader; a polyhierarchy may give a term several)."""

    __tablename__ = "term_broader"
    __table_args__ = (Index(None, "broader_id"),)

    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True)
    broader_id: Mapped[int] = mapped_column(ForeignKey("terms.id", ondelete="CASCADE"), primary_key=True)


class LabelVector(Base):
    """A term label embedded by one model (a text embedder, or a CLIP text tower): computed once per
    label and model, so a tagging run embeds only labels it has not seen. L2-normalised float32 bytes."""

    __tablename__ = "label_vectors"
    __table_args__ = (UniqueConstraint("label_id", "model_id"), Index(None, "model_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    label_id: Mapped[int] = mapped_column(ForeignKey("term_labels.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(255))
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class KeywordState(enum.StrEnum):
    SUGGESTED = "suggested"  # a tagger proposed it; not the photo's keyword until a person accepts it
    ACCEPTED = "accepted"  # the photo's keyword: written to the file, exported, searched
    REJECTED = "rejected"  # a person said no (or removed it): no tagger brings it back
    REMOVED_IN_FILE = "removed-in-file"  # another program took it out of the file: shown, not written
    WITHDRAWN = "withdrawn"  # a person's own addition undone: as if never added, a tagger may suggest it


class KeywordAction(enum.StrEnum):
    IMPORTED = "imported"  # read from the file
    ADDED = "added"  # a person added it
    SUGGESTED = "suggested"  # a tagger proposed it
    RESCORED = "rescored"  # a tagger proposed it again with another score
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    REMOVED = "removed"  # a person removed an accepted keyword (it is rejected from then on)
    REMOVED_IN_FILE = "removed-in-file"
    FOUND_IN_FILE = "found-in-file"  # back in the file (or put there by another program)
    RESTORED = "restored"  # an undo or redo


class PhotoKeyword(Base):
    """A keyword of a photo: where it came from, how it stands, and its history (PhotoKeywordRevision).

    One row per photo and term, never deleted; every change is a revision, numbered from ``revision``
    with the same compare-and-set as captions (catalogue/keywords.py)."""

    __tablename__ = "photo_keywords"
    __table_args__ = (
        UniqueConstraint("photo_id", "term_id"),
        Index(None, "term_id", "state"),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", "confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    term_id: Mapped[int] = mapped_column(ForeignKey("terms.id"))
    state: Mapped[KeywordState] = mapped_column(_enum(KeywordState, "keyword_state"))
    origin: Mapped[CaptionOrigin] = mapped_column(_enum(CaptionOrigin, "keyword_origin"))
    confidence: Mapped[float | None] = mapped_column(Float)  # the tagger's score, 0..1
    tagger_id: Mapped[str | None] = mapped_column(String(128))
    model_id: Mapped[str | None] = mapped_column(String(255))
    evidence: Mapped[list[str] | None] = mapped_column(JSON)  # the words that triggered a suggestion
    author: Mapped[str | None] = mapped_column(String(255))  # who made it what it is now
    # Whether the file held this keyword when it was last read or written: one that was there and is
    # gone after another program changed the file is removed-in-file.
    in_file: Mapped[bool] = mapped_column(default=False, server_default="0")
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    term: Mapped[Term] = relationship()
    revisions: Mapped[list[PhotoKeywordRevision]] = relationship(
        passive_deletes=True, order_by="PhotoKeywordRevision.number")


class PhotoKeywordRevision(Base):
    """One change to a photo's keyword, append-only."""

    __tablename__ = "photo_keyword_revisions"
    __table_args__ = (UniqueConstraint("keyword_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    keyword_id: Mapped[int] = mapped_column(ForeignKey("photo_keywords.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[KeywordAction] = mapped_column(_enum(KeywordAction, "keyword_action"))
    state: Mapped[KeywordState] = mapped_column(_enum(KeywordState, "keyword_state"))
    origin: Mapped[CaptionOrigin] = mapped_column(_enum(CaptionOrigin, "keyword_origin"))
    confidence: Mapped[float | None] = mapped_column(Float)
    author: Mapped[str | None] = mapped_column(String(255))
    # The database role that wrote it, beside the editor's name (a team's catalogue on PostgreSQL).
    db_role: Mapped[str | None] = mapped_column(String(128), default=database_role)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Caption(Base):
    """A caption of a photo. Its current text and state; every change is a CaptionRevision.

    A photo may hold several captions (one per captioner, human ones, imported ones) of each kind
    (description, alt text, extended description); at most one of each kind is current, the text
    that search, exports and metadata write-back use for that kind.
    """

    __tablename__ = "captions"
    __table_args__ = (
        Index(None, "photo_id"),
        Index(None, "state"),
        Index(
            "uq_captions_current_per_photo_kind",
            "photo_id",
            "kind",
            unique=True,
            sqlite_where=text("is_current = 1"),
            postgresql_where=text("is_current"),
        ),
        CheckConstraint("confidence IS NULL OR (confidence >= 0 AND confidence <= 1)", "confidence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    kind: Mapped[CaptionKind] = mapped_column(_enum(CaptionKind, "caption_kind", length=32),
                                              default=CaptionKind.DESCRIPTION,
                                              server_default=CaptionKind.DESCRIPTION.value)
    captioner_id: Mapped[str | None] = mapped_column(String(128))
    model_id: Mapped[str | None] = mapped_column(String(255))
    model_revision: Mapped[str | None] = mapped_column(String(64))
    prompt: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[CaptionOrigin] = mapped_column(_enum(CaptionOrigin, "caption_origin"))
    state: Mapped[ReviewState] = mapped_column(_enum(ReviewState, "review_state"))
    confidence: Mapped[float | None] = mapped_column(Float)
    author: Mapped[str | None] = mapped_column(String(255))
    is_current: Mapped[bool] = mapped_column(default=False)
    # The number of the caption's newest revision. Every revision is numbered from it, and a review
    # action states the revision it was based on (see catalogue/captions.py).
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Shown and exported with the text wherever it goes, e.g. "AI-generated draft, not for diagnosis".
    notice: Mapped[str | None] = mapped_column(Text)
    # [[token, probability], ...] for the current text when a model wrote it; None once a person edits.
    token_scores: Mapped[list[list[Any]] | None] = mapped_column(JSON)
    # What to check before approving the current text (desktop_app/flagging); None: nothing flagged.
    flags: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    photo: Mapped[Photo] = relationship(back_populates="captions")
    revisions: Mapped[list[CaptionRevision]] = relationship(
        back_populates="caption", passive_deletes=True, order_by="CaptionRevision.number"
    )


class CaptionRevision(Base):
    """One change to a caption, append-only: a revert is a new revision, never an update."""

    __tablename__ = "caption_revisions"
    __table_args__ = (UniqueConstraint("caption_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    caption_id: Mapped[int] = mapped_column(ForeignKey("captions.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... within its caption
    action: Mapped[RevisionAction] = mapped_column(_enum(RevisionAction, "revision_action"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[ReviewState] = mapped_column(_enum(ReviewState, "review_state"))
    origin: Mapped[CaptionOrigin] = mapped_column(_enum(CaptionOrigin, "caption_origin"))
    author: Mapped[str | None] = mapped_column(String(255))  # a person, or the model that wrote it
    db_role: Mapped[str | None] = mapped_column(String(128), default=database_role)  # its database role
    note: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # the caption's flags for this text
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    caption: Mapped[Caption] = relationship(back_populates="revisions")


class UnsavedEdit(Base):
    """Text a person is typing into a caption and has not committed yet, saved as they type so that a
    crash loses none of it. Committing it makes an ordinary edit revision and deletes this row."""

    __tablename__ = "unsaved_edits"
    __table_args__ = (UniqueConstraint("photo_id", "kind"),)  # one per photo and caption kind

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    kind: Mapped[CaptionKind] = mapped_column(_enum(CaptionKind, "caption_kind", length=32),
                                              default=CaptionKind.DESCRIPTION,
                                              server_default=CaptionKind.DESCRIPTION.value)
    # The caption being edited and the revision the edit started from (None: the photo had none).
    caption_id: Mapped[int | None] = mapped_column(ForeignKey("captions.id", ondelete="SET NULL"))
    base_revision: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Embedding(Base):
    """A vector for a caption's text or a photo's pixels, tagged with the model that made it.

    ``vector`` is an L2-normalised little-endian float32 blob of ``dimension`` values;
    ``content_hash`` is the hash of what was embedded, so a changed caption is never matched
    against a stale vector.
    """

    __tablename__ = "embeddings"
    __table_args__ = (
        UniqueConstraint("caption_id", "model_id"),
        UniqueConstraint("photo_id", "model_id"),
        CheckConstraint(
            "(caption_id IS NULL) <> (photo_id IS NULL)", "one_owner"
        ),
        Index(None, "model_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    caption_id: Mapped[int | None] = mapped_column(ForeignKey("captions.id", ondelete="CASCADE"))
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    model_id: Mapped[str] = mapped_column(String(255))
    dimension: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Job(Base):
    """A unit of queued work (captioning a set of photos, training...), persistent across restarts."""

    __tablename__ = "jobs"
    __table_args__ = (Index(None, "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"))
    captioner_id: Mapped[str | None] = mapped_column(String(128))
    model_id: Mapped[str | None] = mapped_column(String(255))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The process running the job ("host:pid:start time") and when it last wrote: one gone was interrupted.
    owner: Mapped[str | None] = mapped_column(String(255))
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice: Mapped[str | None] = mapped_column(Text)  # e.g. "continued on the CPU after ..."
    # Who may run it: any worker, or a cluster driver whose leases cover its actors' items (workers leave it).
    runner: Mapped[str] = mapped_column(String(16), default="any", server_default="any")
    author: Mapped[str | None] = mapped_column(String(255))  # the editor who queued it
    db_role: Mapped[str | None] = mapped_column(String(128), default=database_role)  # its database role
    # A watched library's standing job (new photos appended, never done when empty): whose, None for others.
    standing: Mapped[str | None] = mapped_column(String(255), index=True)

    items: Mapped[list[JobItem]] = relationship(back_populates="job", passive_deletes=True)


class JobItem(Base):
    __tablename__ = "job_items"
    __table_args__ = (UniqueConstraint("job_id", "photo_id"), Index(None, "job_id", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"))
    state: Mapped[JobItemState] = mapped_column(_enum(JobItemState, "job_item_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    caption_id: Mapped[int | None] = mapped_column(ForeignKey("captions.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # A running item's holder (a worker process, or a cluster driver for its actors) and until when it
    # holds it: renewed while the work goes on; an expired lease frees the item for others.
    lease_owner: Mapped[str | None] = mapped_column(String(255))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    job: Mapped[Job] = relationship(back_populates="items")
