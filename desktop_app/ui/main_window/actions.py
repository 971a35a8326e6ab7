"""The main window's actions, each made by a small factory (MusicBrainz Picard's pattern): the text,
shortcut, icon and tooltip live here; the controller that runs an action connects its ``triggered``.

``create_actions(parent)`` makes them all; the window puts them in its toolbar and menus.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget


class MainAction(StrEnum):
    ADD_FOLDER = "add_folder"
    RESCAN = "rescan"
    REMOVE_LIBRARY = "remove_library"
    FIND = "find"
    CAPTION = "caption"
    TRAIN = "train"
    UNLOAD_MODELS = "unload_models"
    EMBED = "embed"
    WRITE_METADATA = "write_metadata"
    EXPORT = "export"
    SETTINGS = "settings"
    QUIT = "quit"


# Disabled until the catalogue is open; those needing a library, until one is listed.
NEEDS_CATALOGUE = (MainAction.ADD_FOLDER, MainAction.CAPTION, MainAction.TRAIN, MainAction.EMBED,
                   MainAction.WRITE_METADATA, MainAction.EXPORT)
NEEDS_LIBRARY = (MainAction.RESCAN, MainAction.REMOVE_LIBRARY)

_FACTORIES: dict[MainAction, Callable[[QWidget], QAction]] = {}


def add_action(name: MainAction) -> Callable[[Callable[[QWidget], QAction]], Callable[[QWidget], QAction]]:
    def register(factory: Callable[[QWidget], QAction]) -> Callable[[QWidget], QAction]:
        _FACTORIES[name] = factory
        return factory
    return register


def create_actions(parent: QWidget) -> dict[MainAction, QAction]:
    actions = {name: factory(parent) for name, factory in _FACTORIES.items()}
    for name in NEEDS_CATALOGUE + NEEDS_LIBRARY:
        actions[name].setEnabled(False)
    return actions


def _icon(parent: QWidget, pixmap: QStyle.StandardPixmap) -> QAction:
    return QAction(parent.style().standardIcon(pixmap), "", parent)


@add_action(MainAction.ADD_FOLDER)
def _add_folder(parent: QWidget) -> QAction:
    action = _icon(parent, QStyle.StandardPixmap.SP_FileDialogNewFolder)
    action.setText("Add Folder…")
    action.setShortcut(QKeySequence.StandardKey.Open)
    action.setToolTip("Add a folder of photos as a library (Ctrl+O)")
    return action


@add_action(MainAction.RESCAN)
def _rescan(parent: QWidget) -> QAction:
    action = _icon(parent, QStyle.StandardPixmap.SP_BrowserReload)
    action.setText("Rescan")
    action.setShortcut(QKeySequence.StandardKey.Refresh)
    action.setToolTip("Look for new, changed and deleted files in this library (F5)")
    return action


@add_action(MainAction.REMOVE_LIBRARY)
def _remove_library(parent: QWidget) -> QAction:
    action = _icon(parent, QStyle.StandardPixmap.SP_TrashIcon)
    action.setText("Remove Library…")
    action.setToolTip("Forget this library and its captions; no file is touched")
    return action


@add_action(MainAction.FIND)
def _find(parent: QWidget) -> QAction:
    action = QAction("Search Captions", parent)
    action.setShortcut(QKeySequence.StandardKey.Find)
    return action


@add_action(MainAction.CAPTION)
def _caption(parent: QWidget) -> QAction:
    action = _icon(parent, QStyle.StandardPixmap.SP_MediaPlay)
    action.setText("Caption…")
    action.setShortcut(QKeySequence("Ctrl+Shift+C"))
    action.setToolTip("Caption the selected photos, or a whole folder, with an AI model (Ctrl+Shift+C)")
    return action


@add_action(MainAction.TRAIN)
def _train(parent: QWidget) -> QAction:
    action = QAction("Fine-tune a Captioner…", parent)
    action.setToolTip("Teach a captioner your collection's words from the approved captions (runs as a job)")
    return action


@add_action(MainAction.UNLOAD_MODELS)
def _unload_models(parent: QWidget) -> QAction:
    action = QAction("Unload Models", parent)
    action.setToolTip("Free the memory the captioning models hold (they load again when needed)")
    return action


@add_action(MainAction.EMBED)
def _embed(parent: QWidget) -> QAction:
    action = QAction("Prepare Search by Meaning", parent)
    action.setToolTip("Embed every caption not embedded yet, so that searches by meaning find it "
                      "(captions edited later are embedded as you search)")
    return action


@add_action(MainAction.WRITE_METADATA)
def _write_metadata(parent: QWidget) -> QAction:
    action = QAction("Write Captions to Files…", parent)
    action.setToolTip("Write approved captions into the photos' metadata (XMP, IPTC, EXIF) or XMP "
                      "sidecars, for digiKam, Lightroom and others")
    return action


@add_action(MainAction.EXPORT)
def _export(parent: QWidget) -> QAction:
    action = QAction("Export Captions…", parent)
    action.setToolTip("Export captions as CSV, JSON Lines, COCO or a Hugging Face dataset")
    return action


@add_action(MainAction.SETTINGS)
def _settings(parent: QWidget) -> QAction:
    action = QAction("Settings…", parent)
    action.setShortcut(QKeySequence.StandardKey.Preferences)
    action.setMenuRole(QAction.MenuRole.PreferencesRole)
    return action


@add_action(MainAction.QUIT)
def _quit(parent: QWidget) -> QAction:
    action = QAction("Quit", parent)
    action.setShortcut(QKeySequence.StandardKey.Quit)
    action.setMenuRole(QAction.MenuRole.QuitRole)
    action.triggered.connect(parent.close)
    return action
