"""The catalogue: migrations, SQLite settings, concurrent writers, caption history rules."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError

from desktop_app.catalogue import CatalogueError, migrate, open_catalogue, resolve_url
from desktop_app.catalogue.caption_rules import CaptionError
from desktop_app.catalogue.captions import (
    add_caption,
    current_caption,
    edit_caption,
    revert_caption,
    set_review_state,
)
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


# --- opening and migrations -------------------------------------------------------------------------

def test_fresh_catalogue_is_created_at_head_with_wal_and_foreign_keys(db_path: Path) -> None:
    catalogue = open_catalogue(db_path)
    assert migrate.current_revision(catalogue.engine) == migrate.head_revision()
    with catalogue.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    catalogue.close()


def test_migrated_schema_matches_the_models(catalogue) -> None:
    with catalogue.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": migrate.include_name, "compare_type": True}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_from_the_first_revision_keeps_data_and_indexes_old_captions(db_path: Path) -> None:
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), "0001")
        connection.execute(text(
            "INSERT INTO libraries (id, root, name, added_at) VALUES (1, x'2f6f6c64', 'old', '2024-01-01')"
        ))
        connection.execute(text(
            "INSERT INTO photos (id, library_id, rel_path, status, added_at, updated_at) "
            "VALUES (1, 1, x'612e6a7067', 'ok', '2024-01-01', '2024-01-01')"
        ))
        connection.execute(text(
            "INSERT INTO captions (photo_id, text, origin, state, is_current, created_at, updated_at) "
            "VALUES (1, 'a lighthouse at dusk', 'human', 'approved', 1, '2024-01-01', '2024-01-01')"
        ))
    engine.dispose()

    catalogue = open_catalogue(db_path)  # upgrades automatically
    assert migrate.current_revision(catalogue.engine) == migrate.head_revision()
    with catalogue.read() as session:
        photo = session.get(Photo, 1)
        assert photo.rel_path == "a.jpg" and photo.library.root == "/old"
        assert photo.captions[0].text == "a lighthouse at dusk"
        hits = session.execute(text("SELECT rowid FROM captions_fts WHERE captions_fts MATCH 'lighthouse'"))
        assert [row[0] for row in hits] == [photo.captions[0].id]
    catalogue.close()


def test_catalogue_from_a_newer_version_is_refused_with_a_clear_message(db_path: Path) -> None:
    open_catalogue(db_path).close()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
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


def test_two_new_processes_creating_one_catalogue_at_once(tmp_path: Path) -> None:
    db = str(tmp_path / "new.db")
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
        session.execute(text("UPDATE captions SET is_current = 1"))


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

    def matches(word: str) -> int:
        with catalogue.read() as session:
            query = text("SELECT count(*) FROM captions_fts WHERE captions_fts MATCH :q")
            return session.execute(query, {"q": word}).scalar()

    assert matches("kayak") == 0
    assert matches("canoe") == 1
    assert matches("rivers") == 1  # porter stemming


def test_upgrade_counts_each_captions_revisions_and_numbers_new_ones_after_them(db_path: Path) -> None:
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), "0007")
        connection.execute(text(
            "INSERT INTO libraries (id, root, name, added_at) VALUES (1, x'2f6f6c64', 'old', '2024-01-01')"))
        connection.execute(text(
            "INSERT INTO photos (id, library_id, rel_path, status, added_at, updated_at) "
            "VALUES (1, 1, x'612e6a7067', 'ok', '2024-01-01', '2024-01-01')"))
        connection.execute(text(
            "INSERT INTO captions (id, photo_id, text, origin, state, is_current, created_at, updated_at) "
            "VALUES (1, 1, 'a lighthouse', 'human', 'approved', 1, '2024-01-01', '2024-01-01'), "
            "(2, 1, 'a tower', 'ai', 'draft', 0, '2024-01-01', '2024-01-01')"))
        history = ((1, "created", "draft"), (2, "edited", "draft"), (3, "approved", "approved"))
        for number, action, state in history:
            connection.execute(text(
                "INSERT INTO caption_revisions (caption_id, number, action, text, state, origin, created_at) "
                f"VALUES (1, {number}, '{action}', 'a lighthouse', '{state}', 'human', '2024-01-01')"))
        connection.execute(text(
            "INSERT INTO caption_revisions (caption_id, number, action, text, state, origin, created_at) "
            "VALUES (2, 1, 'created', 'a tower', 'draft', 'ai', '2024-01-01')"))
    engine.dispose()

    catalogue = open_catalogue(db_path)
    with catalogue.write() as session:
        assert [c.revision for c in session.scalars(select(Caption).order_by(Caption.id))] == [3, 1]
        caption = edit_caption(session, session.get(Photo, 1), "a lighthouse at dusk", author="ann")
        assert caption.revision == 4 and caption.revisions[-1].number == 4
    catalogue.close()
