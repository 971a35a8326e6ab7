"""The window's layout between sessions: geometry, panel sizes, sort, filter, thumbnail size, search mode,
the caption kind reviewed and the library (and folder) shown last.

Kept in ``window-state.ini`` beside, not inside, the user's settings.json: it is only layout, rewritten
at every close, and a broken or missing file means the defaults, silently (nothing the user chose is
lost). Read and written with QSettings in INI format, on the GUI thread: a few hundred bytes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from desktop_app import locations

log = logging.getLogger(__name__)

STATE_FILE = "window-state.ini"
VERSION = 1  # a file of another version is ignored: its values may mean something else


def state_path() -> Path:
    return locations.config_dir() / STATE_FILE


@dataclass
class LayoutState:
    """What is remembered; None (or empty) for what was not, or could not be read."""

    geometry: QByteArray | None = None  # QWidget.saveGeometry: size, place, maximised
    window_state: QByteArray | None = None  # QMainWindow.saveState: toolbars and the jobs dock
    splitter: QByteArray | None = None  # QSplitter.saveState: the three panels' widths
    sort: str | None = None  # a SortKey value
    descending: bool = False
    review_filter: str | None = None  # a ReviewFilter value, or "" for all photos
    thumbnail_side: int | None = None
    search_mode: str | None = None  # a SearchMode value
    review_kind: str | None = None  # a CaptionKind value: the kind the review pane is on
    library_root: str | None = None  # the library's folder: ids differ between catalogues
    folder: str | None = None  # a folder inside it, or None for the whole library


def load() -> LayoutState:
    """The remembered layout; the defaults when there is none or it cannot be read."""
    path = state_path()
    if not path.is_file():
        return LayoutState()
    try:
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        if settings.status() != QSettings.Status.NoError or _int(settings.value("version")) != VERSION:
            return LayoutState()
        return LayoutState(
            geometry=_bytes(settings.value("window/geometry")),
            window_state=_bytes(settings.value("window/state")),
            splitter=_bytes(settings.value("window/splitter")),
            sort=_str(settings.value("grid/sort")),
            descending=_str(settings.value("grid/descending")) == "true",
            review_filter=_str(settings.value("grid/review_filter")),
            thumbnail_side=_int(settings.value("grid/thumbnail_side")),
            search_mode=_str(settings.value("search/mode")),
            review_kind=_str(settings.value("review/kind")),
            library_root=_str(settings.value("library/root")),
            folder=_str(settings.value("library/folder")) or None,
        )
    except Exception:  # only layout: any damage means the defaults
        log.debug("cannot read the window state %s", path, exc_info=True)
        return LayoutState()


def save(state: LayoutState) -> None:
    """Write the layout; a failure (read-only or full disk) is logged, never shown: it is only layout."""
    path = state_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        settings.clear()
        settings.setValue("version", VERSION)
        values = {
            "window/geometry": state.geometry, "window/state": state.window_state,
            "window/splitter": state.splitter, "grid/sort": state.sort,
            "grid/descending": "true" if state.descending else "false",
            "grid/review_filter": state.review_filter, "grid/thumbnail_side": state.thumbnail_side,
            "search/mode": state.search_mode, "review/kind": state.review_kind,
            "library/root": state.library_root,
            "library/folder": state.folder or "",
        }
        for key, value in values.items():
            if value is not None:
                settings.setValue(key, value)
        settings.sync()
        if settings.status() != QSettings.Status.NoError:
            log.info("cannot write the window state %s", path)
    except Exception:
        log.info("cannot write the window state %s", path, exc_info=True)


def _bytes(value: object) -> QByteArray | None:
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
