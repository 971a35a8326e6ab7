"""The main window's actions, each described once here (text, shortcut, icon, tooltip, menu role);
the controller that runs an action connects its ``triggered``, the window puts it in its toolbar and
menus (MusicBrainz Picard keeps its main actions apart in the same way)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget

Pixmap = QStyle.StandardPixmap


class MainAction(StrEnum):
    ADD_FOLDER = "add_folder"
    RESCAN = "rescan"
    REMOVE_LIBRARY = "remove_library"
    WATCH_LIBRARY = "watch_library"
    STOP_WATCHING = "stop_watching"
    FIND = "find"
    CAPTION = "caption"
    TRAIN = "train"
    SUGGEST_KEYWORDS = "suggest_keywords"
    UNLOAD_MODELS = "unload_models"
    EMBED = "embed"
    WRITE_METADATA = "write_metadata"
    EXPORT = "export"
    SETTINGS = "settings"
    QUIT = "quit"
    LARGER_THUMBNAILS = "larger_thumbnails"
    SMALLER_THUMBNAILS = "smaller_thumbnails"
    DEFAULT_THUMBNAILS = "default_thumbnails"
    FULL_PREVIEW = "full_preview"
    QUALITY = "quality"
    PASTE_IMAGE = "paste_image"


@dataclass(frozen=True)
class ActionSpec:
    text: str
    tip: str = ""
    shortcut: QKeySequence.StandardKey | str | None = None
    icon: QStyle.StandardPixmap | None = None
    role: QAction.MenuRole | None = None
    more_shortcuts: tuple[str, ...] = ()  # after ``shortcut``, e.g. Ctrl+= beside Ctrl++


# Texts in English, marked for lupdate; create_action translates them (the translator is installed after
# this module is imported).
SPECS: dict[MainAction, ActionSpec] = {
    MainAction.ADD_FOLDER: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Add Folder…"),
        QT_TRANSLATE_NOOP("MainAction", "Add a folder of photos as a library (Ctrl+O)"),
        QKeySequence.StandardKey.Open, Pixmap.SP_FileDialogNewFolder),
    MainAction.RESCAN: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Rescan"),
        QT_TRANSLATE_NOOP("MainAction", "Look for new, changed and deleted files in this library (F5)"),
        QKeySequence.StandardKey.Refresh, Pixmap.SP_BrowserReload),
    MainAction.REMOVE_LIBRARY: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Remove Library…"),
        QT_TRANSLATE_NOOP("MainAction", "Forget this library and its captions; no file is touched"),
        icon=Pixmap.SP_TrashIcon),
    MainAction.WATCH_LIBRARY: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Watch This Folder…"),
        QT_TRANSLATE_NOOP("MainAction", "Scan and caption photos as they arrive in this library's folder")),
    MainAction.STOP_WATCHING: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Stop Watching"),
        QT_TRANSLATE_NOOP("MainAction", "No longer scan this library's new photos as they arrive")),
    MainAction.FIND: ActionSpec(QT_TRANSLATE_NOOP("MainAction", "Search Captions"),
                                shortcut=QKeySequence.StandardKey.Find),
    MainAction.CAPTION: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Caption…"),
        QT_TRANSLATE_NOOP("MainAction", "Caption the selected photos, or a whole folder, with an AI "
                                        "model (Ctrl+Shift+C)"),
        "Ctrl+Shift+C", Pixmap.SP_MediaPlay),
    MainAction.TRAIN: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Fine-tune a Captioner…"),
        QT_TRANSLATE_NOOP("MainAction", "Teach a captioner your collection's words from the approved "
                                        "captions (runs as a job)")),
    MainAction.SUGGEST_KEYWORDS: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Suggest Keywords…"),
        QT_TRANSLATE_NOOP("MainAction", "Suggest keywords from your vocabularies for the selected photos, "
                                        "or a whole folder, with a tagger (runs as a job)")),
    MainAction.UNLOAD_MODELS: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Unload Models"),
        QT_TRANSLATE_NOOP("MainAction", "Free the memory the captioning models hold (they load again "
                                        "when needed)")),
    MainAction.EMBED: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Prepare Search by Meaning"),
        QT_TRANSLATE_NOOP("MainAction", "Embed every caption not embedded yet, so that searches by "
                                        "meaning find it (captions edited later are embedded as you "
                                        "search)")),
    MainAction.WRITE_METADATA: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Write Captions to Files…"),
        QT_TRANSLATE_NOOP("MainAction", "Write approved captions into the photos' metadata (XMP, IPTC, "
                                        "EXIF) or XMP sidecars, for digiKam, Lightroom and others")),
    MainAction.EXPORT: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Export Captions…"),
        QT_TRANSLATE_NOOP("MainAction", "Export captions as CSV, JSON Lines, COCO or a Hugging Face "
                                        "dataset")),
    MainAction.SETTINGS: ActionSpec(QT_TRANSLATE_NOOP("MainAction", "Settings…"),
                                    shortcut=QKeySequence.StandardKey.Preferences,
                                    role=QAction.MenuRole.PreferencesRole),
    MainAction.QUIT: ActionSpec(QT_TRANSLATE_NOOP("MainAction", "Quit"),
                                shortcut=QKeySequence.StandardKey.Quit, role=QAction.MenuRole.QuitRole),
    # Ctrl+= too: the same key as Ctrl++ without Shift on most keyboards.
    MainAction.LARGER_THUMBNAILS: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Larger Thumbnails"),
        QT_TRANSLATE_NOOP("MainAction", "Show larger thumbnails (Ctrl+Plus, or Ctrl+wheel over the "
                                        "grid)"),
        QKeySequence.StandardKey.ZoomIn, more_shortcuts=("Ctrl+=",)),
    MainAction.SMALLER_THUMBNAILS: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Smaller Thumbnails"),
        QT_TRANSLATE_NOOP("MainAction", "Show smaller thumbnails (Ctrl+Minus, or Ctrl+wheel over the "
                                        "grid)"),
        QKeySequence.StandardKey.ZoomOut),
    MainAction.DEFAULT_THUMBNAILS: ActionSpec(QT_TRANSLATE_NOOP("MainAction", "Default Thumbnail Size"),
                                              shortcut="Ctrl+0"),
    MainAction.FULL_PREVIEW: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Full-Window Preview"),
        QT_TRANSLATE_NOOP("MainAction", "Show the current photo filling the window (F11, or Space in "
                                        "the grid); arrow keys go through the photos, Esc returns to "
                                        "the grid"),
        "F11"),
    MainAction.QUALITY: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Quality over Time…"),
        QT_TRANSLATE_NOOP("MainAction", "Whether the AI drafts are getting better: per captioner, model "
                                        "version and week, the drafts approved unchanged, edited and "
                                        "rejected, the words changed, review time and flags")),
    MainAction.PASTE_IMAGE: ActionSpec(
        QT_TRANSLATE_NOOP("MainAction", "Paste Image"),
        QT_TRANSLATE_NOOP("MainAction", "Save the image on the clipboard into the library shown, or import "
                                        "the web addresses or photo files copied (Ctrl+V)"),
        QKeySequence.StandardKey.Paste),
}
# Disabled until the catalogue is open; those needing a library, until one is listed.
NEEDS_CATALOGUE = (MainAction.ADD_FOLDER, MainAction.CAPTION, MainAction.TRAIN, MainAction.EMBED,
                   MainAction.WRITE_METADATA, MainAction.EXPORT, MainAction.SUGGEST_KEYWORDS,
                   MainAction.QUALITY)
NEEDS_LIBRARY = (MainAction.RESCAN, MainAction.REMOVE_LIBRARY, MainAction.WATCH_LIBRARY,
                 MainAction.STOP_WATCHING)


def create_action(parent: QWidget, spec: ActionSpec) -> QAction:
    action = QAction(QCoreApplication.translate("MainAction", spec.text), parent)
    if spec.icon is not None:
        action.setIcon(parent.style().standardIcon(spec.icon))
    if spec.shortcut is not None:
        action.setShortcuts([QKeySequence(spec.shortcut), *map(QKeySequence, spec.more_shortcuts)])
    if spec.tip:
        action.setToolTip(QCoreApplication.translate("MainAction", spec.tip))
    if spec.role is not None:
        action.setMenuRole(spec.role)
    return action


def create_actions(parent: QWidget) -> dict[MainAction, QAction]:
    actions = {name: create_action(parent, spec) for name, spec in SPECS.items()}
    for name in NEEDS_CATALOGUE + NEEDS_LIBRARY:
        actions[name].setEnabled(False)
    actions[MainAction.QUIT].triggered.connect(parent.close)
    return actions
