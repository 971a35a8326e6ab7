"""`library list` and `library remove` (the app's Remove Library on the command line), `gui` of a folder
that does not exist, and --folder read the same way by every command (a path on disk, or a folder
inside a library)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.captions import edit_caption, set_review_state
from desktop_app.catalogue.models import Caption, Library, Photo, ReviewState
from desktop_app.catalogue.photos import LibraryNotFoundError, find_photo, resolve_folder
from desktop_app.library.scanner import Scanner
from tests import photo_files
from tests.cli_helpers import run_cli


class Terminal(io.StringIO):
    """Typed answers on a terminal's stdin."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def archive(scanner: Scanner, catalogue: Catalogue, tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    for number, name in enumerate(["1998/harbour.jpg", "1998/summer/beach.jpg", "2004/church.jpg"]):
        photo_files.jpeg(root / name, seed=number, size=(64, 48))
    scanner.scan(root)
    other = tmp_path / "other"
    photo_files.jpeg(other / "2004" / "bridge.jpg", seed=9, size=(64, 48))
    scanner.scan(other)
    with catalogue.write() as session:
        edit_caption(session, find_photo(session, str(root / "1998/harbour.jpg")), "boats", author="ann")
        church = find_photo(session, str(root / "2004/church.jpg"))
        edit_caption(session, church, "a stone church", author="ann")
        set_review_state(session, church, ReviewState.APPROVED, author="bo")
    return root


def counts(catalogue: Catalogue) -> tuple[int, int, int]:
    with catalogue.read() as session:
        return tuple(session.scalar(select(func.count()).select_from(table))  # type: ignore[return-value]
                     for table in (Library, Photo, Caption))


# -- library list / remove ----------------------------------------------------------------------------

def test_library_list_shows_each_library_with_its_id_and_counts(
    archive: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "library", "list", "--db", str(db_path))
    assert code == 0 and out.splitlines() == [f"   1  {archive}  3 photos",
                                              f"   2  {archive.parent / 'other'}  1 photos"]
    code, out, _ = run_cli(capsys, "library", "list", "--json", "--db", str(db_path))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(row["id"], row["root"], row["photos"]) for row in rows] == [(1, str(archive), 3),
                                                                      (2, str(archive.parent / "other"), 1)]


def test_library_remove_asks_first_and_touches_no_file(
    archive: Path, db_path: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    before = counts(catalogue)
    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    code, _, err = run_cli(capsys, "library", "remove", str(archive), "--db", str(db_path))
    assert code == 1 and "Remove " in err and "nothing removed" in err and counts(catalogue) == before

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a script: no terminal to ask on
    code, _, err = run_cli(capsys, "library", "remove", "1", "--db", str(db_path))
    assert code == 2 and "needs confirmation" in err and "--yes" in err and counts(catalogue) == before
    code, _, err = run_cli(capsys, "library", "remove", str(archive / "1998"), "--yes", "--db", str(db_path))
    assert code == 2 and "is a folder inside library" in err and counts(catalogue) == before

    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    code, out, _ = run_cli(capsys, "library", "remove", str(archive), "--db", str(db_path))
    assert code == 0 and out.strip() == f"removed {archive}: 3 photos, 2 captions by people; no file touched"
    assert counts(catalogue) == (1, 1, 0)
    assert sorted(p.name for p in archive.rglob("*.jpg")) == ["beach.jpg", "church.jpg", "harbour.jpg"]

    code, out, _ = run_cli(capsys, "library", "remove", "2", "--yes", "--json", "--db", str(db_path))
    assert code == 0 and json.loads(out)["photos"] == 1 and counts(catalogue) == (0, 0, 0)
    code, _, err = run_cli(capsys, "library", "remove", "2", "--yes", "--db", str(db_path))
    assert code == 1 and err.strip() == ("photo-annotator: error: no library with id 2 "
                                         "(`photo-annotator library list` lists them)")


def test_gui_of_a_folder_that_does_not_exist_adds_nothing(
    tmp_path: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shot = tmp_path / "shot.png"
    code, out, err = run_cli(capsys, "gui", str(tmp_path / "no-such-folder"), "--screenshot", str(shot),
                             "--db", str(db_path))
    assert code == 1 and out == ""
    assert err == f"photo-annotator: error: folder {tmp_path / 'no-such-folder'} does not exist\n"
    assert not db_path.exists() and not shot.exists()


# -- --folder ------------------------------------------------------------------------------------------

def test_a_folder_is_read_the_same_way_as_a_path_on_disk_or_inside_a_library(
    archive: Path, catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch
) -> None:
    with catalogue.read() as session:
        library = session.get(Library, 1)
        for given in (str(archive / "1998"), str(archive / "1998") + "/", "1998", "./1998/"):
            found, inside = resolve_folder(session, given, library)
            assert (found.id, inside) == (1, "1998"), given
        assert resolve_folder(session, str(archive), None)[1] is None  # the library's own folder
        assert resolve_folder(session, "1998/summer")[0].id == 1  # only one library has it
        with pytest.raises(LibraryNotFoundError, match="is in several libraries"):
            resolve_folder(session, "2004")
        assert resolve_folder(session, "2004", session.get(Library, 2))[0].id == 2
        with pytest.raises(LibraryNotFoundError, match="no folder 1999 in library"):
            resolve_folder(session, "1999", library)
        with pytest.raises(LibraryNotFoundError, match="is not in library"):
            resolve_folder(session, str(archive.parent / "other" / "2004"), library)
        monkeypatch.chdir(archive)  # a relative path on disk
        assert resolve_folder(session, "1998/summer") == (session.get(Library, 1), "1998/summer")


def test_photos_search_and_write_metadata_take_the_same_folders(
    archive: Path, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for folder in (str(archive / "1998"), "1998"):
        code, out, err = run_cli(capsys, "photos", "--folder", folder, "--json", "--db", str(db_path))
        assert code == 0, err
        assert sorted(Path(json.loads(line)["path"]).name for line in out.splitlines()) == [
            "beach.jpg", "harbour.jpg"]
        code, out, err = run_cli(capsys, "search", "boats", "--mode", "keyword", "--folder", folder, "--json",
                                 "--db", str(db_path))
        assert code == 0, err
        assert [Path(json.loads(line)["path"]).name for line in out.splitlines()] == ["harbour.jpg"]
        code, out, err = run_cli(capsys, "write-metadata", "--folder", folder, "--dry-run", "--json",
                                 "--db", str(db_path))
        assert code == 0, err
    code, out, err = run_cli(capsys, "photos", "--folder", "2004", "--library", str(archive.parent / "other"),
                             "--json", "--db", str(db_path))
    assert code == 0 and [Path(json.loads(line)["path"]).name for line in out.splitlines()] == ["bridge.jpg"]
    code, _, err = run_cli(capsys, "photos", "--folder", "1999", "--db", str(db_path))
    assert code == 1 and "no folder 1999 in any library" in err
