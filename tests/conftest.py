"""Shared fixtures: an isolated environment, a real catalogue, and real photo files made on the fly."""

from __future__ import annotations

import os

# Before anything imports Qt: no display here or in CI.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.catalogue import Catalogue, open_catalogue
from desktop_app.library.scanner import Scanner
from desktop_app.library.thumbnails import ThumbnailCache
from tests import photo_files


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data and cache folders; the user's catalogue is never touched."""
    home = tmp_path_factory.mktemp("app-home")
    monkeypatch.setenv("PHOTO_ANNOTATOR_DATA", str(home / "data"))
    monkeypatch.setenv("PHOTO_ANNOTATOR_CACHE", str(home / "cache"))
    monkeypatch.setenv("PHOTO_ANNOTATOR_CONFIG", str(home / "config"))
    monkeypatch.setenv("PHOTO_ANNOTATOR_USER", "test-editor")
    monkeypatch.delenv("PHOTO_ANNOTATOR_DB", raising=False)
    return home


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "catalogue.db"


@pytest.fixture
def catalogue(db_path: Path) -> Iterator[Catalogue]:
    with open_catalogue(db_path) as opened:
        yield opened


@pytest.fixture
def thumbnails(tmp_path: Path) -> ThumbnailCache:
    return ThumbnailCache(tmp_path / "thumbnails")


@pytest.fixture
def scanner(catalogue: Catalogue, thumbnails: ThumbnailCache) -> Scanner:
    return Scanner(catalogue, thumbnails, workers=2)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A folder of good photos in several formats, one with full EXIF, in nested folders."""
    root = tmp_path / "library"
    photo_files.make_good_library(root)
    return root


@pytest.fixture
def app_look(qapp: object) -> None:
    """The app's icon and style sheet on the test QApplication, as run_app applies them: window tests
    see the real styling (use with ``pytestmark = pytest.mark.usefixtures("app_look")``)."""
    from desktop_app.ui.app import apply_look

    apply_look(qapp)  # type: ignore[arg-type]
