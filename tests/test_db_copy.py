"""`photo-annotator db copy`: a catalogue moved between SQLite and PostgreSQL (both ways) and between files,
row for row, verified by counts and content hashes; search and new rows work on the copy; a target that is
not empty is refused unless --force; a bad target is one line."""

from __future__ import annotations

import json
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect, select

from desktop_app.catalogue import Catalogue, CatalogueError, copying, open_catalogue
from desktop_app.catalogue.ai_captions import AICaption, store_ai_caption
from desktop_app.catalogue.captions import current_caption
from desktop_app.catalogue.claims import ReviewClaim
from desktop_app.catalogue.fts import FTS_TABLE
from desktop_app.catalogue.models import Embedding, LabelVector, Photo, TermLabel, UnsavedEdit
from desktop_app.catalogue.outcomes import ReviewOutcome
from desktop_app.catalogue.photos import find_photo
from desktop_app.catalogue.tokens import ApiToken
from desktop_app.jobs.store import create_caption_job
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.cli_helpers import run_cli
from tests.keyword_vocab import tagged_album

PROG_ERROR = "photo-annotator: error: "


def _vector(*values: float) -> bytes:
    return struct.pack(f"<{len(values)}f", *values)


@pytest.fixture
def source(scanner: Scanner, catalogue: Catalogue, tmp_path: Path, db_path: Path) -> Path:
    """An SQLite catalogue with a row in every table: scanned photos (one with a file name that is not
    UTF-8, one with EXIF), people's captions and their revisions, a model's draft with token scores,
    vocabularies with synonyms and broader terms, keywords and their history, caption, photo and label
    vectors, a job with items, an unsaved edit."""
    root = tmp_path / "album"
    odd_file = photo_files.non_utf8_name(root)
    photo_files.jpeg(root / "exif.jpg", seed=9, size=(64, 48))
    names = tagged_album(scanner, catalogue, root)
    with catalogue.write() as session:
        odd = find_photo(session, str(odd_file))
        drafted = store_ai_caption(session, AICaption(
            odd, "a plate of crème brûlée", model_id="tiny", confidence=0.25,
            token_scores=[["a", 0.5], ["plate", 0.125]]), captioner_id="encoder-decoder")
        session.add(Embedding(caption_id=drafted.id, model_id="mini", dimension=2, vector=_vector(0.6, 0.8),
                              content_hash="c" * 64))
        session.add(Embedding(photo_id=names["boat.jpg"], model_id="clip", dimension=2,
                              vector=_vector(1.0, 0.0), content_hash="p" * 64))
        label = session.scalars(select(TermLabel).order_by(TermLabel.id)).first()
        session.add(LabelVector(label_id=label.id, model_id="mini", vector=_vector(0.0, 1.0)))
        puppy = current_caption(session, names["puppy.jpg"])
        session.add(UnsavedEdit(photo_id=names["puppy.jpg"], caption_id=puppy.id,
                                base_revision=puppy.revision, text="a wet puppy", author="ann"))
        create_caption_job(session, "encoder-decoder", "tiny", {"prompt": None, "overwrite": False},
                           sorted(names.values()))
        # A decision on the model's draft, as stored (the caption stays a draft: other tests read it so),
        # and an editor's claim on a photo.
        session.add(ReviewOutcome(
            caption_id=drafted.id, photo_id=odd.id, kind="description", draft_revision=1,
            captioner_id="encoder-decoder", model_id="tiny", model_revision="abc123", outcome="edited",
            draft_words=5, edit_distance=2, flag_count=1, review_seconds=7.25, author="ann",
            drafted_at=datetime(2026, 3, 2, tzinfo=UTC), decided_at=datetime(2026, 3, 3, 9, 30, tzinfo=UTC)))
        session.add(ReviewClaim(photo_id=names["boat.jpg"], owner="ann@host:1:2", editor="Ann",
                                expires_at=datetime(2030, 1, 1, tzinfo=UTC)))
        # Always on: a watched library, a photo from the web, an API token (its hash only).
        odd.library.watch = {"caption": "encoder-decoder", "model": "tiny", "tag": None, "poll_interval": 2.5}
        odd.source_url = "https://example.org/photos/crème.jpg?size=large"
        session.add(ApiToken(name="omeka", token_hash="a" * 64, read_only=True, author="ann",
                             last_used_at=datetime(2026, 12, 4, 16, 0, tzinfo=UTC)))
    return db_path


def test_the_copy_carries_every_table_the_migrations_make(source: Path) -> None:
    engine = open_catalogue(source).engine
    made = {name for name in inspect(engine).get_table_names()
            if name != "alembic_version" and not name.startswith(FTS_TABLE)}
    assert {table.name for table in copying.tables()} == made
    with copying.snapshot(engine) as connection:
        empty = [name for name, rows in copying.row_counts(connection).items() if rows == 0]
    # A new table gets a row in the fixture above, so that its types are seen crossing both ways.
    assert empty == [], f"give the source fixture rows in {empty}"


def _digests(db: Path | str) -> dict[str, copying.TableDigest]:
    with open_catalogue(db) as catalogue, copying.snapshot(catalogue.engine) as connection:
        return copying.digests(connection)


def test_sqlite_to_postgresql_and_back_keeps_every_row(
    source: Path, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(copying, "BATCH_ROWS", 3)  # several batches per table
    code, out, err = run_cli(capsys, "db", "copy", "--to", postgres_url, "--db", str(source))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"copied {source} to {postgres_url}: ")
    assert lines[1].split() == ["table", "rows", "source", "sha256", "target", "sha256"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:-1]}
    assert set(rows) == {table.name for table in copying.tables()}
    assert all(source_hash == target_hash for _rows, source_hash, target_hash in rows.values())
    assert lines[-1] == f"verified: {len(rows)} tables, the same rows and contents on both sides"

    back = tmp_path / "back.db"
    code, out, err = run_cli(capsys, "db", "copy", "--to", str(back), "--db", postgres_url, "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["verified"] and report["target"] == str(back)
    original = _digests(source)
    assert _digests(postgres_url) == original
    assert _digests(back) == original
    with open_catalogue(back) as catalogue, catalogue.read() as session:
        odd = session.scalar(select(Photo).where(Photo.rel_path == "caf\udce9 cr\udce8me.jpg"))
        assert odd is not None and odd.captions[0].token_scores == [["a", 0.5], ["plate", 0.125]]


def test_search_and_new_rows_work_on_the_copy(
    source: Path, postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "db", "copy", "--to", postgres_url, "--db", str(source))[0] == 0
    # the generated tsvector column filled itself: "puppies" finds the puppy's caption, stemmed
    code, out, err = run_cli(capsys, "search", "puppies", "--mode", "keyword", "--json", "--db", postgres_url)
    assert code == 0, err
    assert [json.loads(line)["caption"] for line in out.splitlines()] == ["a puppy running on grass"]
    # new rows after the copied ones: the sequences continue after the largest id
    album = tmp_path / "album"
    code, _, err = run_cli(capsys, "edit", str(album / "cat.jpg"), "--text", "a grey cat asleep on a sofa",
                           "--db", postgres_url)
    assert code == 0, err
    photo_files.jpeg(album / "new.jpg", seed=30, size=(64, 48))
    code, _, err = run_cli(capsys, "scan", str(album), "--db", postgres_url)
    assert code == 0, err
    code, _, err = run_cli(capsys, "edit", str(album / "new.jpg"), "--text", "a lighthouse", "--db",
                           postgres_url)
    assert code == 0, err

    back = tmp_path / "back.db"
    assert run_cli(capsys, "db", "copy", "--to", str(back), "--db", postgres_url)[0] == 0
    code, out, err = run_cli(capsys, "search", "asleep", "--mode", "keyword", "--json", "--db", str(back))
    assert code == 0, err
    hits = [json.loads(line) for line in out.splitlines()]
    assert sorted(Path(hit["path"]).name for hit in hits) == ["cat.jpg", "retriever.jpg"]
    code, out, _ = run_cli(capsys, "search", "lighthouse", "--mode", "keyword", "--json", "--db", str(back))
    assert [Path(json.loads(line)["path"]).name for line in out.splitlines()] == ["new.jpg"]


def test_a_target_that_is_not_empty_is_refused_unless_force(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "copy.db"
    assert run_cli(capsys, "db", "copy", "--to", str(target), "--db", str(source))[0] == 0
    code, _, err = run_cli(capsys, "edit", str(tmp_path / "album" / "boat.jpg"), "--text", "only here",
                           "--db", str(target))
    assert code == 0, err
    changed = _digests(target)

    code, out, err = run_cli(capsys, "db", "copy", "--to", str(target), "--db", str(source))
    assert code == 1 and out == ""
    assert err == (f"{PROG_ERROR}the target {target} is not empty (photos: 8, captions: 6, "
                   "vocabularies: 2, jobs: 1); give --force to replace what it holds\n")
    assert _digests(target) == changed

    monkeypatch.setattr("desktop_app.cli.db._LOGGED_COPY_ROWS", 0)  # progress lines even on a pipe
    code, out, err = run_cli(capsys, "db", "copy", "--to", str(target), "--force", "--db", str(source))
    assert code == 0, err
    assert "(its former contents replaced)" in out.splitlines()[0]
    assert "Copying: " in err and "checking" in err
    assert _digests(target) == _digests(source)


def test_a_copy_that_fails_leaves_the_target_as_it_was(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "copy.db"
    open_catalogue(target).close()

    def broken(connection: object) -> None:
        raise CatalogueError("the disk went away")

    monkeypatch.setattr(copying, "finish_target", broken)
    code, _, err = run_cli(capsys, "db", "copy", "--to", str(target), "--db", str(source))
    assert (code, err) == (1, f"{PROG_ERROR}the disk went away\n")
    assert all(digest.rows == 0 for digest in _digests(target).values())


@pytest.mark.parametrize(("to", "message"), [
    ("postgresql://nobody@127.0.0.1:1/nothing", "postgresql://nobody@127.0.0.1:1/nothing"),  # no server there
    ("nosuchdb://host/x", "unknown kind of database in the URL: nosuchdb"),
    ("postgresql://ann@host:port/db", "not a valid database URL: 'postgresql://ann@host:port/db'"),
])
def test_a_bad_target_is_one_line(to: str, message: str, drafts: Path, db_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "db", "copy", "--to", to, "--db", str(db_path))
    assert code == 1 and out == ""
    assert err.startswith(PROG_ERROR) and message in err and err.count("\n") == 1, err
    assert "Traceback" not in err and "sqlalche.me" not in err


def test_the_source_itself_is_refused(drafts: Path, db_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    before = _digests(db_path)
    for same in (str(db_path), f"sqlite:///{db_path}"):
        code, _, err = run_cli(capsys, "db", "copy", "--to", same, "--force", "--db", str(db_path))
        assert (code, err) == (1, f"{PROG_ERROR}the target {db_path} is the catalogue being copied\n")
    assert _digests(db_path) == before
