"""The main window's actions, each described once here (text, shortcut, icon, tooltip, menu role);
the controller that runs an action connects its ``triggered``, the window puts it in its toolbar and
menus (MusicBrainz Picard keeps its main actions apart in the same way)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

Pixmap = QStyle.StandardPixmap


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


@dataclass(frozen=True)
class ActionSpec:
    text: str
    tip: str = ""
    shortcut: QKeySequence.StandardKey | str | None = None
    icon: QStyle.StandardPixmap | None = None
    role: QAction.MenuRole | None = None


SPECS: dict[MainAction, ActionSpec] = {
    MainAction.ADD_FOLDER: ActionSpec("Add Folder…", "Add a folder of photos as a library (Ctrl+O)",
                                      QKeySequence.StandardKey.Open, Pixmap.SP_FileDialogNewFolder),
    MainAction.RESCAN: ActionSpec("Rescan", "Look for new, changed and deleted files in this library (F5)",
                                  QKeySequence.StandardKey.Refresh, Pixmap.SP_BrowserReload),
    MainAction.REMOVE_LIBRARY: ActionSpec("Remove Library…",
                                          "Forget this library and its captions; no file is touched",
                                          icon=Pixmap.SP_TrashIcon),
    MainAction.FIND: ActionSpec("Search Captions", shortcut=QKeySequence.StandardKey.Find),
    MainAction.CAPTION: ActionSpec("Caption…", "Caption the selected photos, or a whole folder, with an AI "
                                   "model (Ctrl+Shift+C)", "Ctrl+Shift+C", Pixmap.SP_MediaPlay),
    MainAction.TRAIN: ActionSpec("Fine-tune a Captioner…", "Teach a captioner your collection's words from "
                                 "the approved captions (runs as a job)"),
    MainAction.UNLOAD_MODELS: ActionSpec("Unload Models", "Free the memory the captioning models hold "
                                         "(they load again when needed)"),
    MainAction.EMBED: ActionSpec("Prepare Search by Meaning", "Embed every caption not embedded yet, so "
                                 "that searches by meaning find it (captions edited later are embedded as "
                                 "you search)"),
    MainAction.WRITE_METADATA: ActionSpec("Write Captions to Files…", "Write approved captions into the "
                                          "photos' metadata (XMP, IPTC, EXIF) or XMP sidecars, for digiKam, "
                                          "Lightroom and others"),
    MainAction.EXPORT: ActionSpec("Export Captions…",
                                  "Export captions as CSV, JSON Lines, COCO or a Hugging Face dataset"),
    MainAction.SETTINGS: ActionSpec("Settings…", shortcut=QKeySequence.StandardKey.Preferences,
                                    role=QAction.MenuRole.PreferencesRole),
    MainAction.QUIT: ActionSpec("Quit", shortcut=QKeySequence.StandardKey.Quit,
                                role=QAction.MenuRole.QuitRole),
}
# Disabled until the catalogue is open; those needing a library, until one is listed.
NEEDS_CATALOGUE = (MainAction.ADD_FOLDER, MainAction.CAPTION, MainAction.TRAIN, MainAction.EMBED,
                   MainAction.WRITE_METADATA, MainAction.EXPORT)
NEEDS_LIBRARY = (MainAction.RESCAN, MainAction.REMOVE_LIBRARY)


def create_action(parent: QWidget, spec: ActionSpec) -> QAction:
    action = QAction(spec.text, parent)
    if spec.icon is not None:
        action.setIcon(parent.style().standardIcon(spec.icon))
    if spec.shortcut is not None:
        action.setShortcut(QKeySequence(spec.shortcut))
    if spec.tip:
        action.setToolTip(spec.tip)
    if spec.role is not None:
        action.setMenuRole(spec.role)
    return action


def create_actions(parent: QWidget) -> dict[MainAction, QAction]:
    actions = {name: create_action(parent, spec) for name, spec in SPECS.items()}
    for name in NEEDS_CATALOGUE + NEEDS_LIBRARY:
        actions[name].setEnabled(False)
    actions[MainAction.QUIT].triggered.connect(parent.close)
    return actions
