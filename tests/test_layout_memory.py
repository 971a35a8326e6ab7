"""The layout between sessions: closing the window and opening it again (the same config folder) brings
back the panel sizes, the sort, the filter, the thumbnail size, the search mode, the caption kind reviewed
and the library and folder shown; a broken state file, or a remembered library that is gone, opens with
the defaults."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop_app import locations
from desktop_app.catalogue.models import CaptionKind
from desktop_app.catalogue.photos import ReviewFilter, SortKey
from desktop_app.library.scanner import Scanner
from desktop_app.search.results import SearchMode
from desktop_app.ui.main_window import layout_state
from desktop_app.ui.main_window.window import MainWindow
from desktop_app.ui.widgets.photo_grid import THUMBNAIL_BOX
from tests import photo_files
from tests.gui_helpers import WAIT_MS


@pytest.fixture
def libraries(scanner: Scanner, tmp_path: Path) -> tuple[Path, Path]:
    """Two libraries, alpha and beta; beta with a folder inside."""
    alpha, beta = tmp_path / "alpha", tmp_path / "beta"
    for number in range(3):
        photo_files.jpeg(alpha / f"a{number}.jpg", seed=number, size=(96, 72))
        photo_files.jpeg(beta / "inside" / f"b{number}.jpg", seed=10 + number, size=(96, 72))
    photo_files.jpeg(beta / "b-top.jpg", seed=20, size=(96, 72))
    scanner.scan(alpha)
    scanner.scan(beta)
    return alpha, beta


def shown_library(window: MainWindow) -> str | None:
    library = window.libraries.library(window.libraries.selected_id())
    return Path(library.root).name if library is not None else None


def assert_defaults(window: MainWindow) -> None:
    assert shown_library(window) == "alpha"  # the first library
    assert window.header.sort() is SortKey.NAME and not window.header.descending()
    assert window.header.review() is None
    assert window.grid.thumbnail_side() == THUMBNAIL_BOX.width()
    assert window.search.mode_value() is SearchMode.HYBRID
    assert window.detail.review_box.kind is CaptionKind.DESCRIPTION


def test_closing_and_opening_again_restores_the_layout(
    qtbot: QtBot, open_window: Callable[..., MainWindow], db_path: Path, libraries: tuple[Path, Path]
) -> None:
    first = open_window(db=db_path)
    assert_defaults(first)
    beta = next(library for library in first.libraries.libraries() if Path(library.root).name == "beta")
    assert first.libraries.select(beta.id, "inside")
    first.header.sort_key.setCurrentIndex(first.header.sort_key.findText("Date taken"))
    first.header.sort_descending.setChecked(True)
    first.header.review_filter.setCurrentIndex(first.header.review_filter.findText("No caption"))
    first.thumbnail_size.setValue(240)
    first.search.mode.setCurrentIndex(first.search.mode.findText("Exact words"))
    first.splitter.setSizes([200, 818, 380])  # within the panes' least widths
    first.detail.review_box.choose_kind(CaptionKind.ALT_TEXT)
    qtbot.waitUntil(first.is_settled, timeout=WAIT_MS)
    sizes = first.splitter.sizes()
    first.close()
    assert layout_state.state_path().parent == locations.config_dir()
    assert layout_state.state_path().is_file()

    second = open_window(db=db_path)
    assert shown_library(second) == "beta"
    assert second.libraries.selected_folder() == "inside"
    assert sorted(Path(row.path).name for row in second.model.rows()) == ["b0.jpg", "b1.jpg", "b2.jpg"]
    assert second.header.sort() is SortKey.DATE_TAKEN and second.header.descending()
    assert second.header.review() is ReviewFilter.NO_CAPTION
    assert second.grid.thumbnail_side() == 240 and second.thumbnail_size.value() == 240
    assert second.search.mode_value() is SearchMode.KEYWORD
    assert second.detail.review_box.kind is CaptionKind.ALT_TEXT
    assert second.detail.review_box.kind_switch.buttons[CaptionKind.ALT_TEXT].isChecked()
    assert second.splitter.sizes() == sizes
    assert not second.errors()


def test_a_maximised_window_comes_back_maximised(
    qtbot: QtBot, open_window: Callable[..., MainWindow]
) -> None:
    first = open_window()
    assert not first.restore_geometry()  # nothing remembered: the caller sizes the window
    first.showMaximized()
    qtbot.waitUntil(first.isMaximized, timeout=WAIT_MS)
    first.close()
    second = open_window()  # the fixture sizes it 1400x900, as run_app sizes a new window
    assert not second.isMaximized()
    assert second.restore_geometry()
    second.show()
    qtbot.waitUntil(second.isMaximized, timeout=WAIT_MS)


@pytest.mark.parametrize("content", [
    b"\x00\xff\xfe garbage [[[ not an ini file\n\x00",
    b"[General]\nversion=1\n[grid]\nthumbnail_side=huge\nsort=sideways\nreview_filter=42\n"
    b"[window]\nsplitter=@ByteArray(nonsense)\ngeometry=@ByteArray()\n[search]\nmode=telepathy\n"
    b"[review]\nkind=sideways\n",
    b"[General]\nversion=99\n[grid]\nthumbnail_side=240\n",
])
def test_a_broken_state_file_opens_with_the_defaults(
    open_window: Callable[..., MainWindow], db_path: Path, libraries: tuple[Path, Path], content: bytes
) -> None:
    path = layout_state.state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    window = open_window(db=db_path)
    assert_defaults(window)
    assert not window.errors()
    assert [size > 0 for size in window.splitter.sizes()] == [True, True, True]


def test_a_remembered_library_that_is_gone_falls_back_to_the_first(
    open_window: Callable[..., MainWindow], db_path: Path, libraries: tuple[Path, Path], tmp_path: Path
) -> None:
    layout_state.save(layout_state.LayoutState(library_root=str(tmp_path / "removed"), folder="inside",
                                               thumbnail_side=200))
    window = open_window(db=db_path)
    assert shown_library(window) == "alpha"
    assert window.grid.thumbnail_side() == 200  # the rest is still remembered


def test_a_folder_given_at_start_wins_over_the_remembered_library(
    open_window: Callable[..., MainWindow], db_path: Path, libraries: tuple[Path, Path]
) -> None:
    alpha, beta = libraries
    layout_state.save(layout_state.LayoutState(library_root=str(beta)))
    assert shown_library(open_window(db=db_path)) == "beta"
    assert shown_library(open_window(db=db_path, folder=alpha)) == "alpha"  # `photo-annotator gui alpha`
