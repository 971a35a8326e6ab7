"""What the command line prints for people: control characters shown, never obeyed (--json stays
exact), a header over `photos`, and names in natural order."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from desktop_app.catalogue import Catalogue
from desktop_app.cli.job_output import JobOutput
from desktop_app.jobs.runner import ItemDone, ItemFailed
from desktop_app.plugin_api.captioner import CaptionResult
from tests import photo_files
from tests.cli_helpers import run_cli

# A clipboard write (OSC 52), a screen clear, a bell, a bidi override and a newline that would forge a line.
HOSTILE = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\u202eevil\nphoto-annotator: error: fake"
# What a terminal may receive: no C0/C1 control other than the line ends, no bidi control.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_photo(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A photo whose file name and caption both hold escape sequences."""
    photo = photo_files.jpeg(tmp_path / "lib" / "a\x1b[2J\x07\u202egpj.jpg", seed=4)
    assert run_cli(capsys, "scan", str(tmp_path / "lib"), "--db", str(db_path))[0] == 0
    code, _, err = run_cli(capsys, "edit", str(photo), "--text", HOSTILE, "--db", str(db_path))
    assert code == 0, err
    return photo


def assert_safe(text: str) -> None:
    assert not RAW.search(text), repr(text)
    assert "fake" not in text or "\nphoto-annotator: error: fake" not in text


def test_photos_and_show_escape_control_characters(
    hostile_photo: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "photos", "--db", str(db_path))
    assert code == 0
    assert_safe(out)
    assert "a\\x1b[2J\\x07\\u202egpj.jpg" in out and "\\x1b]52;c;cm0gLXJmIH4=\\x07" in out
    code, out, _ = run_cli(capsys, "show", str(hostile_photo), "--db", str(db_path))
    assert code == 0
    assert_safe(out)
    assert "\\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J\\u202eevil\\nphoto-annotator: error: fake" in out
    # The edit command's confirmation line quotes the caption too.
    code, out, _ = run_cli(capsys, "edit", str(hostile_photo), "--text", HOSTILE + "!", "--db", str(db_path))
    assert code == 0
    assert_safe(out)


def test_json_output_stays_exact(
    hostile_photo: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (row,) = map(json.loads, run_cli(capsys, "photos", "--json", "--db", str(db_path))[1].splitlines())
    assert row["caption"] == HOSTILE and row["path"] == str(hostile_photo.resolve())
    record = json.loads(run_cli(capsys, "show", str(hostile_photo), "--json", "--db", str(db_path))[1])
    assert record["captions"][0]["text"] == HOSTILE


def test_an_error_line_quoting_a_name_escapes_it(tmp_path: Path, db_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "db", "upgrade", "--db", str(db_path))[0] == 0
    code, _, err = run_cli(capsys, "show", str(tmp_path / "x\x1b[2J\ny.jpg"), "--db", str(db_path))
    assert code == 1
    assert err.count("\n") == 1 and "x\\x1b[2J\\ny.jpg is not in the catalogue" in err
    assert_safe(err)


def test_captioning_progress_lines_escape_captions_paths_and_reasons(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = CaptionResult(HOSTILE, 0.5, "m", None, None, 0.1, notice="\x1b[31mred notice")
    for as_json in (False, True):
        output = JobOutput(as_json)
        output.item_done(ItemDone(1, 7, "/photos/a\x07.jpg", 3, True, "encoder-decoder", result))
        output.item_failed(ItemFailed(1, 8, "/photos/b\x1b[2J.jpg", "cannot decode\x1b]52;c;eA==\x07"))
        output.notice(1, "model \u202esaid\nthis")
        output.close()
        captured = capsys.readouterr()
        if as_json:
            done, failed = (json.loads(line) for line in captured.out.splitlines())
            assert done["text"] == HOSTILE and done["path"] == "/photos/a\x07.jpg"
            assert done["notice"] == "\x1b[31mred notice"
            assert failed["error"] == "cannot decode\x1b]52;c;eA==\x07"
        else:
            assert_safe(captured.out + captured.err)
            assert "/photos/a\\x07.jpg: \\x1b]52;c;cm0gLXJmIH4=" in captured.out
            assert "[\\x1b[31mred notice]" in captured.out
            assert "/photos/b\\x1b[2J.jpg: failed: cannot decode\\x1b]52;c;eA==\\x07" in captured.err
            assert "model \\u202esaid\\nthis" in captured.err


def test_echo_shows_controls_escaped_and_keeps_leading_blank_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop_app.cli.common import echo

    echo("\nCaption: a\x1b[2Jb\u202ec\x07\nd")
    echo("line", err=True)
    captured = capsys.readouterr()
    assert captured.out == "\nCaption: a\\x1b[2Jb\\u202ec\\x07\\nd\n" and captured.err == "line\n"


# --- photos: a header, and natural name order ---------------------------------------------------------

NAMES = ["img10.jpg", "IMG2.jpg", "img1.jpg", "Img3.jpg", "img02b.jpg", "album/x.jpg", "Zebra.jpg",
         "apple.jpg"]
NATURAL = ["album/x.jpg", "apple.jpg", "img1.jpg", "IMG2.jpg", "img02b.jpg", "Img3.jpg", "img10.jpg",
           "Zebra.jpg"]


@pytest.fixture
def named_library(tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "lib"
    for seed, name in enumerate(NAMES):
        photo_files.jpeg(root / name, seed=seed, size=(16, 12))
    assert run_cli(capsys, "scan", str(root), "--db", str(db_path))[0] == 0
    return root


def test_photos_prints_a_header_then_one_line_per_photo(
    named_library: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = run_cli(capsys, "photos", "--db", str(db_path))[1].splitlines()
    assert lines[0].split() == ["id", "status", "state", "path", "caption", "(or", "why", "the", "file",
                                "cannot", "be", "read)"]
    assert len(lines) == 1 + len(NAMES)
    assert lines[0].index("status") == lines[1].index("ok")  # the columns line up
    assert run_cli(capsys, "photos", "--json", "--db", str(db_path))[1].startswith("{")  # no header in JSON


def test_name_order_is_natural_and_case_insensitive_in_the_cli_and_the_grid(
    named_library: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.photos import PhotoQuery, SortKey, grid_rows

    def listed(*args: str) -> list[str]:
        rows = run_cli(capsys, "photos", "--json", *args, "--db", str(db_path))[1].splitlines()
        return [Path(json.loads(row)["path"]).relative_to(named_library.resolve()).as_posix() for row in rows]

    assert listed() == NATURAL
    assert listed("--desc") == NATURAL[::-1]
    text = run_cli(capsys, "photos", "--db", str(db_path))[1]
    assert [line.split()[3].rsplit("lib/", 1)[1] for line in text.splitlines()[1:]] == NATURAL
    with open_catalogue(db_path) as catalogue, catalogue.read() as session:
        grid = [row[2] for row in grid_rows(session, PhotoQuery(sort=SortKey.NAME))]
    assert [path.decode() if isinstance(path, bytes) else path for path in grid] == NATURAL


def test_log_lines_escape_controls_but_keep_a_traceback_readable() -> None:
    import logging
    import sys

    from desktop_app.cli.main import LogFormatter

    formatter = LogFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord("scan", logging.WARNING, __file__, 1, "cannot read %s", ("a\x1b[2J\nb.jpg",),
                               None)
    assert formatter.format(record) == "WARNING scan: cannot read a\\x1b[2J\\nb.jpg"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    lines = formatter.format(record).splitlines()
    assert lines[0] == "WARNING scan: cannot read a\\x1b[2J\\nb.jpg" and lines[1].startswith("Traceback")


def test_name_order_holds_after_renames_moves_into_a_parent_library_and_an_upgrade(
    named_library: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The order comes from a stored key (Photo.name_key): every way a photo gets its name keeps it."""
    from alembic import command
    from sqlalchemy import select

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.migrate import alembic_config
    from desktop_app.catalogue.models import Photo, natural_key

    def listed(root: Path) -> list[str]:
        rows = run_cli(capsys, "photos", "--json", "--db", str(db_path))[1].splitlines()
        return [Path(json.loads(row)["path"]).relative_to(root.resolve()).as_posix() for row in rows]

    (named_library / "img10.jpg").rename(named_library / "img4.jpg")  # a rename: the photo moves
    assert run_cli(capsys, "scan", str(named_library), "--db", str(db_path))[0] == 0
    renamed = [name for name in NATURAL if name != "img10.jpg"]
    renamed.insert(renamed.index("Img3.jpg") + 1, "img4.jpg")
    assert listed(named_library) == renamed

    parent = named_library.parent  # scanning the parent takes the library in: every path gets "lib/"
    assert run_cli(capsys, "scan", str(parent), "--db", str(db_path))[0] == 0
    assert listed(parent) == [f"lib/{name}" for name in renamed]

    # A catalogue from before the key (the migrations' own downgrade to 0009): the upgrade computes it
    # for every photo.
    with open_catalogue(db_path) as catalogue, catalogue.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0009")
    assert listed(parent) == [f"lib/{name}" for name in renamed]
    with open_catalogue(db_path) as catalogue, catalogue.read() as session:
        keys = session.execute(select(Photo.rel_path, Photo.name_key)).all()
    assert keys and all(key == natural_key(rel_path) for rel_path, key in keys)


def test_a_listing_in_name_order_reads_the_index_instead_of_sorting_every_photo(
    named_library: Path, db_path: Path
) -> None:
    """100k photos stream in name order from the (library, name_key, rel_path) index: the first screenful does
    not wait for a sort of the whole library (SQLite's plan says "TEMP B-TREE" when it would)."""
    from sqlalchemy import text

    from desktop_app.catalogue import open_catalogue
    from desktop_app.catalogue.photos import PhotoQuery, _grid_columns, _selection

    with open_catalogue(db_path) as catalogue, catalogue.read() as session:
        library_id = session.execute(text("SELECT id FROM libraries")).scalar()
        for query in (PhotoQuery(library_id=library_id), PhotoQuery(library_id=library_id, folder="album"),
                      PhotoQuery()):
            statement = _selection(session, query, _grid_columns)
            compiled = statement.compile(catalogue.engine, compile_kwargs={"literal_binds": True})
            plan = " | ".join(row[-1] for row in session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
            assert "ix_photos_library_id_name_key_rel_path" in plan, (query, plan)
            assert "TEMP B-TREE" not in plan, (query, plan)


def test_the_name_key_of_exact_bytes_and_of_names_that_are_not_utf8(catalogue: Catalogue) -> None:
    from sqlalchemy import insert, select

    from desktop_app.catalogue.models import Library, Photo, PhotoStatus, natural_key

    assert natural_key(b"IMG10.jpg") == natural_key("img10.jpg") > natural_key("img9.jpg")
    with catalogue.write() as session:
        session.add(Library(id=1, root="/photos", name="photos"))
        session.flush()
        session.execute(insert(Photo), [  # rel_path given as text, as bytes, and with a byte not UTF-8
            {"library_id": 1, "rel_path": "b10.jpg", "status": PhotoStatus.OK},
            {"library_id": 1, "rel_path": b"B9.jpg", "status": PhotoStatus.OK},
            {"library_id": 1, "rel_path": b"b\xff1.jpg", "status": PhotoStatus.OK}])
    with catalogue.read() as session:
        keys = dict(session.execute(select(Photo.rel_path, Photo.name_key)).all())
    assert keys == {"b10.jpg": natural_key("b10.jpg"), "B9.jpg": natural_key("b9.jpg"),
                    "b\udcff1.jpg": "b\ufffd" + "1".zfill(20) + ".jpg"}
