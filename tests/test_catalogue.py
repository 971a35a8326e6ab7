"""The catalogue on SQLite and PostgreSQL: migrations (from old revisions, with data), SQLite's settings,
concurrent writers and openers, caption history rules, the caption text index."""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError

from desktop_app.catalogue import CatalogueError, migrate, open_catalogue, resolve_url, text_index
from desktop_app.catalogue.caption_rules import CaptionError
from desktop_app.catalogue.captions import (
    add_caption,
    current_caption,
    edit_caption,
    revert_caption,
    set_review_state,
)
from desktop_app.catalogue.database import create_catalogue_engine
from desktop_app.catalogue.models import (
    Base,
    Caption,
    CaptionOrigin,
    CaptionRevision,
    Library,
    Photo,
    PhotoStatus,
    ReviewState,
    RevisionAction,
)
from tests.postgres_server import PostgresServer

# Every test here runs on SQLite and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_backends


def _photo(session, name: str = "a.jpg", root: str = "/photos") -> Photo:
    library = session.scalar(select(Library).where(Library.root == root))
    if library is None:
        library = Library(root=root, name=Path(root).name)
        session.add(library)
        session.flush()
    photo = Photo(library_id=library.id, rel_path=name, status=PhotoStatus.OK)
    session.add(photo)
    session.flush()
    return photo


_numbers = itertools.count(1)


@pytest.fixture
def empty_db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path | str]:
    """Where no catalogue is yet: a new file for SQLite, an empty database (no tables) for PostgreSQL."""
    if backend == "sqlite":
        yield tmp_path / "catalogue.db"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = _empty_postgres_database(server)
    yield url
    server.drop_database(url)


def _empty_postgres_database(server: PostgresServer) -> str:
    name = f"empty_{os.getpid()}_{next(_numbers)}"
    server.execute(f"CREATE DATABASE {name}")
    return server.url(name)


def _engine_at(db: Path | str, revision: str) -> Engine:
    """An engine on ``db`` with the schema at an old ``revision`` (to test upgrades from it)."""
    engine = create_catalogue_engine(resolve_url(db))
    migrate.upgrade_to_head(engine, revision)
    return engine


def _text_hits(session, words: str) -> list[int]:
    """The ids of the captions the text index finds for ``words``: SQLite's FTS5 table, PostgreSQL's
    generated tsvector column (migrations 0002 and 0013)."""
    found = text_index.ranked_captions(session, text_index.translate(session, words)).subquery()
    return sorted(session.scalars(select(found.c.caption_id)))


# --- opening and migrations -------------------------------------------------------------------------

def test_fresh_catalogue_is_created_at_head(empty_db: Path | str) -> None:
    catalogue = open_catalogue(empty_db)
    assert migrate.current_revision(catalogue.engine) == migrate.head_revision()
    catalogue.close()


@pytest.mark.sqlite_only  # SQLite's own settings: the journal mode, foreign keys, the busy timeout
def test_an_sqlite_catalogue_uses_wal_foreign_keys_and_a_busy_timeout(db_path: Path) -> None:
    catalogue = open_catalogue(db_path)
    with catalogue.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    catalogue.close()


# SQLAlchemy cannot reflect SQLite's expression indexes (0014's weekly index of the review outcomes);
# migrate.include_name leaves it out of the comparison.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrated_schema_matches_the_models(catalogue) -> None:
    with catalogue.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": migrate.include_name, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_from_the_first_revision_keeps_data_and_indexes_old_captions(empty_db: Path | str) -> None:
    engine = _engine_at(empty_db, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO libraries (id, root, name, added_at) VALUES (1, :root, 'old', '2024-01-01')"
        ), {"root": b"/old"})
        connection.execute(text(
            "INSERT INTO photos (id, library_id, rel_path, status, added_at, updated_at) "
            "VALUES (1, 1, :path, 'ok', '2024-01-01', '2024-01-01')"
        ), {"path": b"a.jpg"})
        connection.execute(text(
            "INSERT INTO captions (photo_id, text, origin, state, is_current, created_at, updated_at) "
            "VALUES (1, 'a lighthouse at dusk', 'human', 'approved', :yes, '2024-01-01', '2024-01-01')"
        ), {"yes": True})
    engine.dispose()

    catalogue = open_catalogue(empty_db)  # upgrades automatically, through every migration
    assert migrate.current_revision(catalogue.engine) == migrate.head_revision()
    with catalogue.read() as session:
        photo = session.get(Photo, 1)
        assert photo.rel_path == "a.jpg" and photo.library.root == "/old"
        assert photo.captions[0].text == "a lighthouse at dusk"
        assert _text_hits(session, "lighthouse") == [photo.captions[0].id]
    catalogue.close()


def test_upgrading_a_postgresql_catalogue_to_0013_keeps_its_data_and_indexes_its_captions(
        postgres_server: PostgresServer) -> None:
    url = _empty_postgres_database(postgres_server)
    engine = _engine_at(url, "0012")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO libraries (root, name, added_at) VALUES (:root, 'old', '2024-01-01')"),
            {"root": b"/old"})
        connection.execute(text(
            "INSERT INTO photos (library_id, rel_path, name_key, size, status, added_at, updated_at) "
            "SELECT id, :path, 'a.jpg', 2000000000, 'ok', '2024-01-01', '2024-01-01' FROM libraries"),
            {"path": b"a.jpg"})
        connection.execute(text(
            "INSERT INTO captions (photo_id, text, origin, state, is_current, created_at, updated_at) "
            "SELECT id, 'two lighthouses at dusk', 'human', 'draft', true, '2024-01-01', '2024-01-01' "
            "FROM photos"))
        connection.execute(text(
            "INSERT INTO jobs (kind, state, options, created_at) "
            "VALUES ('caption', 'done', '{}', '2024-01-01')"))
    engine.dispose()

    catalogue = open_catalogue(url)
    with catalogue.write() as session:
        photo = session.scalar(select(Photo))
        assert (photo.rel_path, photo.size) == ("a.jpg", 2_000_000_000)
        photo.size = 5 * 2**30  # a 5 GiB file: 64-bit from 0013 on
        assert _text_hits(session, "lighthouse") == [photo.captions[0].id]
        job = session.execute(text("SELECT runner, author, db_role FROM jobs")).one()
        assert tuple(job) == ("any", None, None)
        edit_caption(session, photo, "a lighthouse at dawn", author="ann")  # notified to open windows
    with catalogue.read() as session:
        assert session.scalar(select(Photo.size)) == 5 * 2**30
        assert _text_hits(session, "dawn") == [session.scalar(select(Caption.id))]
        triggers = session.scalars(text(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1")).all()
        assert triggers == ["caption_revisions_notify", "photo_keyword_revisions_notify"]
    catalogue.close()
    postgres_server.drop_database(url)


def test_catalogue_from_a_newer_version_is_refused_with_a_clear_message(db_path: Path | str) -> None:
    catalogue = open_catalogue(db_path)
    with catalogue.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    catalogue.close()
    with pytest.raises(CatalogueError, match="newer version of Photo Annotator"):
        open_catalogue(db_path)


def test_db_location_comes_from_argument_environment_or_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_env: Path
) -> None:
    assert resolve_url(None).database == str(isolated_env / "data" / "catalogue.db")
    monkeypatch.setenv("PHOTO_ANNOTATOR_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).database == str(tmp_path / "env.db")
    assert resolve_url(tmp_path / "arg.db").database == str(tmp_path / "arg.db")
    url = f"sqlite:///{tmp_path}/url.db"
    assert resolve_url(url).render_as_string() == url
    catalogue = open_catalogue(url)
    assert (tmp_path / "url.db").exists()
    catalogue.close()


def test_a_folder_as_catalogue_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="is a folder"):
        open_catalogue(tmp_path)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("not a database, just text " * 100)
    with pytest.raises(CatalogueError, match="cannot open the catalogue"):
        open_catalogue(bogus)


# --- concurrent writers -----------------------------------------------------------------------------

def _write_captions(db: str, worker: int, count: int) -> None:
    catalogue = open_catalogue(db)
    for i in range(count):
        with catalogue.write() as session:
            # read-then-write in one transaction: the pattern that fails with a deferred BEGIN
            photo = session.scalar(select(Photo).where(Photo.rel_path == f"w{worker}.jpg"))
            edit_caption(session, photo, f"caption {i} from writer {worker}", author=f"writer{worker}")
    catalogue.close()


@pytest.mark.sqlite_only  # SQLite's write lock; editors at once on PostgreSQL: tests/test_team_editing.py
def test_two_processes_writing_at_once_never_hit_database_is_locked(catalogue, db_path: Path) -> None:
    with catalogue.write() as session:
        for worker in range(2):
            _photo(session, f"w{worker}.jpg")
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_captions, args=(str(db_path), w, 40)) for w in range(2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
        assert process.exitcode == 0
    with catalogue.read() as session:
        assert session.scalar(select(func.count()).select_from(CaptionRevision)) == 80
        assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_two_new_processes_creating_one_catalogue_at_once(empty_db: Path | str) -> None:
    db = str(empty_db)
    context = multiprocessing.get_context("spawn")
    openers = [context.Process(target=_open_and_close, args=(db,)) for _ in range(3)]
    for process in openers:
        process.start()
    for process in openers:
        process.join(60)
        assert process.exitcode == 0
    catalogue = open_catalogue(db)
    assert migrate.current_revision(catalogue.engine) == migrate.head_revision()
    catalogue.close()


def _open_and_close(db: str) -> None:
    open_catalogue(db).close()


# --- caption history ----------------------------------------------------------------------------------

def test_every_change_is_a_revision_and_revert_adds_one(catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        edit_caption(session, photo, "a dog", author="ann")
        edit_caption(session, photo, "a brown dog on grass", author="bob", approve=True)
        set_review_state(session, photo, ReviewState.REJECTED, author="cy")
        caption = current_caption(session, photo.id)
        revert_caption(session, caption, 1, author="ann")
    with catalogue.read() as session:
        caption = session.scalar(select(Caption))
        history = [(r.number, r.action, r.text, r.state, r.author) for r in caption.revisions]
        assert history == [
            (1, RevisionAction.CREATED, "a dog", ReviewState.DRAFT, "ann"),
            (2, RevisionAction.EDITED, "a brown dog on grass", ReviewState.APPROVED, "bob"),
            (3, RevisionAction.REJECTED, "a brown dog on grass", ReviewState.REJECTED, "cy"),
            (4, RevisionAction.REVERTED, "a dog", ReviewState.DRAFT, "ann"),
        ]
        assert caption.text == "a dog" and caption.state is ReviewState.DRAFT


def test_editing_an_ai_caption_keeps_the_model_text_in_history(catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        add_caption(session, photo, "a cat sitting on a couch", origin=CaptionOrigin.AI, author=None,
                    captioner_id="generic", model_id="tiny-model", confidence=0.42)
        caption = edit_caption(session, photo, "a tabby cat asleep on a red sofa", author="ann")
        assert caption.origin is CaptionOrigin.HUMAN and caption.confidence is None
        assert caption.model_id == "tiny-model"  # provenance of the first text is kept
        assert [r.origin for r in caption.revisions] == [CaptionOrigin.AI, CaptionOrigin.HUMAN]
        assert caption.revisions[0].text == "a cat sitting on a couch"


def test_an_unchanged_edit_writes_no_revision(catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        edit_caption(session, photo, "a bridge", author="ann")
        edit_caption(session, photo, "  a bridge ", author="ann")
        assert session.scalar(select(func.count()).select_from(CaptionRevision)) == 1


def test_only_one_current_caption_per_photo(catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        first = add_caption(session, photo, "first", origin=CaptionOrigin.IMPORTED, author=None)
        second = add_caption(session, photo, "second", origin=CaptionOrigin.HUMAN, author="ann")
        assert not first.is_current and second.is_current
    with pytest.raises(IntegrityError), catalogue.write() as session:
        session.execute(text("UPDATE captions SET is_current = :yes"), {"yes": True})


def test_approving_a_photo_without_caption_is_refused(catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        with pytest.raises(CaptionError, match="no caption to approve"):
            set_review_state(session, photo, ReviewState.APPROVED, author="ann")
        with pytest.raises(CaptionError, match="empty"):
            edit_caption(session, photo, "   ", author="ann")


def test_text_index_follows_edits(catalogue) -> None:
    with catalogue.write() as session:
        photo = _photo(session)
        edit_caption(session, photo, "a red kayak on a lake", author="ann")
        edit_caption(session, photo, "a yellow canoe on a river", author="ann")

    with catalogue.read() as session:
        assert _text_hits(session, "kayak") == []
        assert len(_text_hits(session, "canoe")) == 1
        assert len(_text_hits(session, "rivers")) == 1  # stemming


def test_upgrade_counts_each_captions_revisions_and_numbers_new_ones_after_them(
        empty_db: Path | str) -> None:
    engine = _engine_at(empty_db, "0007")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO libraries (id, root, name, added_at) VALUES (1, :root, 'old', '2024-01-01')"),
            {"root": b"/old"})
        connection.execute(text(
            "INSERT INTO photos (id, library_id, rel_path, status, added_at, updated_at) "
            "VALUES (1, 1, :path, 'ok', '2024-01-01', '2024-01-01')"), {"path": b"a.jpg"})
        connection.execute(text(
            "INSERT INTO captions (id, photo_id, text, origin, state, is_current, created_at, updated_at) "
            "VALUES (1, 1, 'a lighthouse', 'human', 'approved', :yes, '2024-01-01', '2024-01-01'), "
            "(2, 1, 'a tower', 'ai', 'draft', :no, '2024-01-01', '2024-01-01')"), {"yes": True, "no": False})
        history = ((1, "created", "draft"), (2, "edited", "draft"), (3, "approved", "approved"))
        for number, action, state in history:
            connection.execute(text(
                "INSERT INTO caption_revisions (caption_id, number, action, text, state, origin, created_at) "
                f"VALUES (1, {number}, '{action}', 'a lighthouse', '{state}', 'human', '2024-01-01')"))
        connection.execute(text(
            "INSERT INTO caption_revisions (caption_id, number, action, text, state, origin, created_at) "
            "VALUES (2, 1, 'created', 'a tower', 'draft', 'ai', '2024-01-01')"))
    engine.dispose()

    catalogue = open_catalogue(empty_db)
    with catalogue.write() as session:
        assert [c.revision for c in session.scalars(select(Caption).order_by(Caption.id))] == [3, 1]
        caption = edit_caption(session, session.get(Photo, 1), "a lighthouse at dusk", author="ann")
        assert caption.revision == 4 and caption.revisions[-1].number == 4
    catalogue.close()
