"""Shared storage: each machine maps a library's root to its own folder (`library set-root`), kept in its
settings; photo paths are built from the mapped folder, a scan of it refreshes the library, and a root that
is not on this machine is said to be unavailable instead of its photos being marked missing."""

from __future__ import annotations

import json
import ntpath
import posixpath
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

import pytest

from desktop_app import settings
from desktop_app.catalogue import roots
from desktop_app.catalogue.models import PhotoStatus
from tests import photo_files
from tests.cli_helpers import cli_on

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from desktop_app.ui.main_window.window import MainWindow

pytestmark = pytest.mark.both_backends


@pytest.fixture(autouse=True)
def forget_mapping() -> Iterator[None]:
    yield
    roots._mapping = None  # read again from the next test's settings


@pytest.fixture
def windows_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roots, "_mapping", {"/mnt/photos": "P:\\", "/srv/archive": "\\\\nas\\archive\\",
                                            "P:\\photos": "/mnt/photos"})


@pytest.mark.usefixtures("windows_mapping")
def test_a_windows_machine_joins_its_drive_with_the_photos_stored_with_forward_slashes() -> None:
    assert roots.join("/mnt/photos", "2024/summer/a b.jpg", ntpath) == "P:\\2024\\summer\\a b.jpg"
    assert roots.join("/mnt/photos", "2024/a.jpg", ntpath) == str(PureWindowsPath("P:/2024/a.jpg"))
    assert roots.join("/srv/archive", "x/y.tif", ntpath) == str(PureWindowsPath("//nas/archive/x/y.tif"))
    # A library added on Windows, mapped on Linux; and one not mapped, read on Windows.
    assert roots.join("P:\\photos", "2024/a.jpg", posixpath) == str(PurePosixPath("/mnt/photos/2024/a.jpg"))
    assert roots.join("Q:\\scans", "box 1/p.jpg", ntpath) == "Q:\\scans\\box 1\\p.jpg"


@pytest.mark.parametrize(("given", "stored"), [
    ("P:", "P:\\"), ("P:\\", "P:\\"), ("p:\\photos\\", "p:\\photos"),
    ("\\\\nas\\archive", "\\\\nas\\archive\\"),
    ("P:/photos/2024/", "P:\\photos\\2024")])
def test_windows_roots_are_normalised_so_a_bare_drive_means_its_root(given: str, stored: str) -> None:
    assert roots.normalized_root(given, ntpath) == stored
    assert ntpath.join(stored, "a.jpg") == str(PureWindowsPath(stored, "a.jpg"))


def test_a_library_mounted_elsewhere_is_mapped_on_this_machine_and_its_root_unavailable_until_then(
        capsys: pytest.CaptureFixture[str], db_path: Path | str, tmp_path: Path) -> None:
    cli = cli_on(capsys, db_path)
    canonical = tmp_path / "linux" / "photos"  # where the first machine mounts the share
    for number in range(3):
        photo_files.jpeg(canonical / "2024" / f"{number:02}.jpg", seed=number, size=(64, 48))
    assert cli("scan", str(canonical)).code == 0
    assert cli("edit", str(canonical / "2024" / "00.jpg"), "--text", "a harbour").code == 0

    here = tmp_path / "Volumes" / "photos"  # the same share on a second machine; not at /mnt/photos here
    here.parent.mkdir()
    canonical.rename(here)
    refused = cli("scan", str(canonical))
    hint = (f"library 1's root {canonical} is not available on this machine; map it with "
            "`photo-annotator library set-root 1 PATH`")
    assert (refused.code, refused.err) == (1, f"photo-annotator: error: {hint}\n")
    (listed,) = cli("library", "list", "--json").json_lines()
    assert (listed["missing"], listed["available"], listed["here"]) == (0, False, str(canonical))
    assert "[not available on this machine]" in cli("library", "list").out

    mapped = cli("library", "set-root", "photos", str(here))  # by its name; an id or the root alike
    assert mapped.code == 0, mapped.err
    assert mapped.out == f"library 1 ({canonical}) is {here} on this machine\n"
    saved = json.loads(settings.user_settings_path().read_text(encoding="utf-8"))
    assert saved["library_roots"] == {str(canonical): str(here)}
    (listed,) = cli("library", "list", "--json").json_lines()
    assert (listed["root"], listed["here"], listed["available"]) == (str(canonical), str(here), True)
    assert f"{canonical} -> {here} here" in cli("library", "list").out

    # Scanning the mapped folder, or a folder in it, refreshes the library: never a second one.
    rescanned = cli("scan", str(here), "--json").json()
    assert (rescanned["library_id"], rescanned["new"], rescanned["missing"]) == (1, 0, 0)
    assert rescanned["unchanged"] == 3
    photo_files.jpeg(here / "2024" / "new.jpg", seed=9, size=(64, 48))
    inside = cli("scan", str(here / "2024"), "--json").json()
    assert (inside["library_id"], inside["new"], inside["missing"]) == (1, 1, 0)
    assert len(cli("library", "list", "--json").json_lines()) == 1
    shown = cli("show", str(here / "2024" / "00.jpg"), "--json").json()
    assert (shown["path"], shown["library"]) == (str(here / "2024" / "00.jpg"), str(canonical))
    assert shown["captions"][0]["text"] == "a harbour"
    assert {Path(each["path"]).parent for each in cli("photos", "--json").json_lines()} == {here / "2024"}

    assert cli("library", "unset-root", "1").code == 0
    assert cli("scan", str(canonical)).code == 1
    assert json.loads(settings.user_settings_path().read_text(encoding="utf-8"))["library_roots"] == {}
    assert cli("library", "set-root", str(canonical), str(here)).code == 0  # by its root
    assert cli("library", "remove", str(here), "--yes").code == 0  # its folder here names it too


def test_set_root_needs_a_folder_here_and_a_library(capsys: pytest.CaptureFixture[str], db_path: Path | str,
                                                   library: Path, tmp_path: Path) -> None:
    cli = cli_on(capsys, db_path)
    assert cli("scan", str(library)).code == 0
    missing = cli("library", "set-root", "1", str(tmp_path / "nowhere"))
    assert (missing.code, missing.err) == (1, f"photo-annotator: error: no folder {tmp_path / 'nowhere'} "
                                              "on this machine\n")
    unknown = cli("library", "set-root", "7", str(tmp_path))
    assert unknown.code == 1 and unknown.err.count("\n") == 1 and "no library" in unknown.err


def test_the_app_says_when_a_library_root_is_not_on_this_machine(
        capsys: pytest.CaptureFixture[str], qtbot: QtBot, open_window: Callable[..., MainWindow],
        tmp_path: Path) -> None:
    db = tmp_path / "catalogue.db"  # the window, on one backend: the message comes from the settings
    canonical = tmp_path / "mnt" / "photos"
    photo_files.jpeg(canonical / "a.jpg", size=(64, 48))
    assert cli_on(capsys, db)("scan", str(canonical)).code == 0
    canonical.rename(tmp_path / "elsewhere")

    window = open_window(db=db)
    assert window.messages.messages() == [
        f"Library 1's root {canonical} is not available on this machine; map it with "
        "`photo-annotator library set-root 1 PATH`"]
    assert window.model.rowCount() == 1  # its photos are listed, not marked missing
    assert window.model.rows()[0].status is PhotoStatus.OK
