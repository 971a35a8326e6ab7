"""The Settings dialog: how captioning runs, which model each captioner uses, named prompts, where the
catalogue is, and library options.

It edits a copy of the settings and writes them only on OK (save_settings: one atomic write), so
Cancel, or a save that fails, loses nothing. Reading and writing settings.json is cheap, so it all
happens on the GUI thread; captioners are the registry's prototypes (no weights, no torch).
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app import locations
from desktop_app.errors import one_line
from desktop_app.plugin_api.captioner import Captioner
from desktop_app.settings import (
    BATCH_SIZES,
    DECODE_WORKERS,
    DEVICES,
    PREFETCH_BATCHES,
    LibrarySettings,
    PromptPreset,
    Settings,
    is_device,
    load_settings,
    model_folder_problem,
    save_settings,
)
from desktop_app.ui.dialogs.cluster_settings import ClusterSettings
from desktop_app.ui.dialogs.import_settings import ImportSettingsPage
from desktop_app.ui.dialogs.review_settings import ReviewSettingsPage
from desktop_app.ui.dialogs.settings_parts import hint as _hint
from desktop_app.ui.dialogs.settings_parts import page as _page
from desktop_app.ui.dialogs.settings_parts import show_warning as _show_warning
from desktop_app.ui.dialogs.settings_parts import warning_label as _warning_label
from desktop_app.ui.language import LANGUAGES, SYSTEM
from desktop_app.ui.widgets.path_row import path_row
from desktop_app.ui.widgets.section_pages import SectionPages
from desktop_app.ui.wording import sentence

DTYPE_LABELS = {
    "auto": QT_TRANSLATE_NOOP("SettingsDialog",
                              "Automatic (bfloat16 where the hardware computes it natively, else float32)"),
    "float32": QT_TRANSLATE_NOOP("SettingsDialog", "float32: full precision"),
    "bfloat16": QT_TRANSLATE_NOOP("SettingsDialog", "bfloat16: half the memory, nearly the same captions"),
    "float16": QT_TRANSLATE_NOOP("SettingsDialog", "float16: half the memory; some models lose quality"),
}
# Amber for a value that may not work, red for what stops the dialog from saving: the message bar's.
ERROR_STYLE = ("color: #7a1f17; background: #fdecea; border: 1px solid #f1b0aa; border-radius: 4px; "
               "padding: 4px 8px;")
NEW_PRESET_NAME = QT_TRANSLATE_NOOP("SettingsDialog", "New prompt")


class SettingsDialog(QDialog):
    """Edits the settings; OK saves them and emits ``settings_changed`` with what was saved."""

    settings_changed = Signal(object)  # Settings

    def __init__(self, captioners: Sequence[Captioner] | None = None, settings: Settings | None = None,
                 current_catalogue: str | None = None, parent: QWidget | None = None) -> None:
        """``captioners``: the registered captioners (default: load the plugins); ``current_catalogue``:
        the catalogue the window has open, shown beside the location setting."""
        super().__init__(parent)
        if captioners is None:
            from desktop_app.plugin_registry import load_plugins

            captioners = list(load_plugins().captioners.values())
        self.captioners = sorted(captioners, key=lambda captioner: captioner.name.lower())
        self.settings = settings or load_settings()
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumSize(680, 520)

        self.tabs = SectionPages(self.tr("Settings sections"))
        self.tabs.addTab(self._captioning_page(), self.tr("Captioning"))
        self.tabs.addTab(self._models_page(), self.tr("Models"))
        self.tabs.addTab(self._prompts_page(), self.tr("Prompts"))
        self.tabs.addTab(self._cluster_page(), self.tr("Cluster"))
        self.tabs.addTab(self._catalogue_page(current_catalogue), self.tr("Catalogue"))
        self.tabs.addTab(self._library_page(), self.tr("Library"))
        self.tabs.addTab(self._language_page(), self.tr("Language"))
        self.tabs.addTab(self._appearance_page(), self.tr("Appearance"))
        self.review_page = ReviewSettingsPage(self.settings.review)
        self.tabs.addTab(_page(self.tr("Reviewing"), self.tr("How the next photo to review is chosen, and "
                                                             "what the app suggests and flags."),
                               self.review_page), self.tr("Review"))
        self.import_page = ImportSettingsPage(self.settings.importing, self.captioners)
        self.tabs.addTab(_page(self.tr("Import"), self.tr("Photos from the web, dropped on a library or "
                                                          "pasted."), self.import_page), self.tr("Import"))

        self.error = QLabel()
        self.error.setObjectName("settingsError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    # -- pages ----------------------------------------------------------------------------------------

    def _captioning_page(self) -> QWidget:
        engine = self.settings.engine
        self.device = QComboBox()
        self.device.setEditable(True)  # cuda:1 and other GPUs by number
        self.device.addItems(DEVICES)
        self.device.setCurrentText(engine.device)
        self.device_warning = _warning_label()
        self.device.currentTextChanged.connect(lambda _text: self._check_device())

        self.dtype = QComboBox()
        for value, label in DTYPE_LABELS.items():
            self.dtype.addItem(self.tr(label), value)
        self.dtype.setCurrentIndex(max(0, self.dtype.findData(engine.dtype)))

        self.batch_size = QSpinBox()
        self.batch_size.setRange(*BATCH_SIZES)
        self.batch_size.setValue(engine.batch_size)
        self.batch_size.setSuffix(self.tr(" photos"))
        self.decode_workers = QSpinBox()
        self.decode_workers.setRange(*DECODE_WORKERS)
        self.decode_workers.setValue(engine.decode_workers)
        self.prefetch_batches = QSpinBox()
        self.prefetch_batches.setRange(*PREFETCH_BATCHES)
        self.prefetch_batches.setValue(engine.prefetch_batches)

        form = QFormLayout()
        form.addRow(self.tr("Device:"), self.device)
        form.addRow("", _hint(self.tr("Automatic uses a CUDA GPU, then Apple MPS, then the CPU. "
                                      "Type cuda:1 for the second GPU.")))
        form.addRow("", self.device_warning)
        form.addRow(self.tr("Number format:"), self.dtype)
        form.addRow(self.tr("Batch size:"), self.batch_size)
        form.addRow("", _hint(self.tr("Larger batches are faster on a GPU and use more of its memory; when "
                                      "memory runs out the batch is halved by itself.")))
        form.addRow(self.tr("Decoding threads:"), self.decode_workers)
        form.addRow(self.tr("Batches decoded ahead:"), self.prefetch_batches)
        form.addRow("", _hint(self.tr("Threads read, decode and prepare photos while the model works on "
                                      "the batch before them.")))
        return _page(self.tr("How captioning runs"),
                     self.tr("Applies to the next job. On the command line, --device, --dtype, "
                             "--batch-size, --decode-workers and --prefetch override these."), form)

    def _cluster_page(self) -> QWidget:
        self.cluster = ClusterSettings(self.settings.engine)
        return _page(self.tr("Where caption jobs run"),
                     self.tr("Through Ray, one job captions on every GPU of this machine or of a cluster; "
                             "applies to the next job. On the command line, --cluster and --actors."),
                     self.cluster)

    def _models_page(self) -> QWidget:
        self.model_edits: dict[str, QLineEdit] = {}
        self.model_warnings: dict[str, QLabel] = {}
        rows = QVBoxLayout()
        rows.setSpacing(4)
        rows.setContentsMargins(0, 0, 0, 0)
        for captioner in self.captioners:
            title = QLabel(f"<b>{html.escape(captioner.name)}</b> <span style='color: gray'>"
                           f"{html.escape(captioner.id)}</span>")
            edit = QLineEdit(self.settings.captioner_models.get(captioner.id, ""))
            edit.setPlaceholderText(self.tr("Default: {model}").format(model=captioner.default_model))
            edit.setClearButtonEnabled(True)
            line, _browse = path_row(edit, lambda c=captioner: self._browse_model(c),
                                     self.tr("Choose a local model folder for {captioner}").format(
                                         captioner=captioner.name))
            warning = _warning_label()
            self.model_edits[captioner.id] = edit
            self.model_warnings[captioner.id] = warning
            edit.textChanged.connect(lambda _text, cid=captioner.id: self._check_model(cid))
            rows.addWidget(title)
            rows.addLayout(line)
            rows.addWidget(warning)
            rows.addSpacing(10)
            self._check_model(captioner.id)
        if not self.captioners:
            rows.addWidget(_hint(self.tr("No captioners are installed.")))
        rows.addStretch(1)
        inner = QWidget()
        inner.setLayout(rows)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # The page's own background behind the rows, not the viewport's darker one.
        scroll.setStyleSheet("QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }")
        scroll.setWidget(inner)
        return _page(self.tr("Models"),
                     self.tr("A model id on the Hugging Face hub (organisation/name), or a local model "
                             "folder for computers without internet access. Empty: the captioner's default "
                             "model. --model on the command line overrides these."), scroll)

    def _prompts_page(self) -> QWidget:
        # Only captioners whose prompt is free text: a prompt chosen from a fixed list (the generic
        # captioner's tasks) is already named.
        self._prompt_captioners = [
            captioner for captioner in self.captioners
            if any(spec.name == "prompt" and not spec.choices for spec in captioner.options)
        ]
        self._presets: dict[str, list[list[str]]] = {
            captioner_id: [[preset.name, preset.prompt] for preset in presets]
            for captioner_id, presets in self.settings.prompt_presets.items()
        }
        self.prompt_captioner = QComboBox()
        for captioner in self._prompt_captioners:
            self.prompt_captioner.addItem(captioner.name, captioner.id)
        self.prompt_list = QListWidget()
        self.prompt_list.setMaximumWidth(220)
        self.add_prompt_button = QPushButton(self.tr("Add"))
        self.delete_prompt_button = QPushButton(self.tr("Delete"))
        self.prompt_name = QLineEdit()
        self.prompt_name.setPlaceholderText(self.tr("Name shown in the prompt menu"))
        self.prompt_text = QPlainTextEdit()
        self.prompt_text.setPlaceholderText(self.tr("What to ask the model for; the photo comes with it."))

        self.prompt_captioner.currentIndexChanged.connect(self._show_presets)
        self.prompt_list.currentRowChanged.connect(self._show_preset)
        self.add_prompt_button.clicked.connect(self.add_prompt)
        self.delete_prompt_button.clicked.connect(self.delete_prompt)
        self.prompt_name.textEdited.connect(self._rename_preset)
        self.prompt_text.textChanged.connect(self._edit_preset)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_prompt_button)
        buttons.addWidget(self.delete_prompt_button)
        buttons.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.prompt_list, 1)
        left.addLayout(buttons)
        editor = QFormLayout()
        editor.addRow(self.tr("Name:"), self.prompt_name)
        editor.addRow(self.tr("Prompt:"), self.prompt_text)
        panes = QHBoxLayout()
        panes.addLayout(left)
        panes.addLayout(editor, 1)
        body = QVBoxLayout()
        top = QFormLayout()
        top.addRow(self.tr("Captioner:"), self.prompt_captioner)
        body.addLayout(top)
        body.addLayout(panes, 1)
        if not self._prompt_captioners:
            body.addWidget(_hint(self.tr("No installed captioner takes a prompt.")))
            self.prompt_captioner.setEnabled(False)
            self.add_prompt_button.setEnabled(False)
        self._show_presets()
        return _page(self.tr("Prompt presets"),
                     self.tr("Named prompts for captioners that take one, to pick from when captioning."),
                     body)

    def _catalogue_page(self, current: str | None) -> QWidget:
        from desktop_app.catalogue import resolve_url

        default = str(locations.default_catalogue_path())
        self.catalogue = QLineEdit(self.settings.catalogue or "")
        self.catalogue.setPlaceholderText(self.tr("Default: {path}").format(path=default))
        self.catalogue.setClearButtonEnabled(True)
        self.catalogue_warning = _warning_label()
        self.catalogue.textChanged.connect(self._check_catalogue)
        line, _browse = path_row(self.catalogue, self._browse_catalogue)

        if current is None:
            current = resolve_url(None).database or ""
        self.catalogue_in_use = QLabel(current)
        self.catalogue_in_use.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.catalogue_in_use.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("Location:"), line)
        form.addRow("", self.catalogue_warning)
        form.addRow(self.tr("In use now:"), self.catalogue_in_use)
        body = QVBoxLayout()
        body.addLayout(form)
        body.addWidget(_hint(self.tr(
            "A new location applies the next time Photo Annotator starts. The catalogue is not moved: "
            "a new, empty one is made there unless that file is already a catalogue.")))
        if os.environ.get(locations.DB_ENV):
            body.addWidget(_warning_label(self.tr("${variable} is set; it takes precedence over this "
                                                  "setting.").format(variable=locations.DB_ENV)))
        body.addStretch(1)
        self._check_catalogue()
        return _page(self.tr("Catalogue"),
                     self.tr("The file that holds your libraries, captions and their history, and the job "
                             "queue. --db on the command line overrides it."), body)

    def _library_page(self) -> QWidget:
        library = self.settings.library
        self.thumbnail_size = QSpinBox()
        self.thumbnail_size.setRange(64, 1024)
        self.thumbnail_size.setSingleStep(32)
        self.thumbnail_size.setSuffix(self.tr(" px"))
        self.thumbnail_size.setValue(library.thumbnail_size)
        self.scan_workers = QSpinBox()
        self.scan_workers.setRange(0, 64)
        self.scan_workers.setSpecialValueText(self.tr("One per CPU core"))
        self.scan_workers.setValue(library.scan_workers)
        form = QFormLayout()
        form.addRow(self.tr("Thumbnail size:"), self.thumbnail_size)
        form.addRow("", _hint(self.tr("The longer side of thumbnails made from now on; existing ones are "
                                      "kept.")))
        form.addRow(self.tr("Scanning threads:"), self.scan_workers)
        return _page(self.tr("Library"), self.tr("How folders are scanned into the catalogue."), form)

    def _language_page(self) -> QWidget:
        self.language = QComboBox()
        # Each language named in its own, so that whoever reads only that one finds it.
        self.language.addItem(self.tr("System language"), SYSTEM)
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(self.settings.language)))
        form = QFormLayout()
        form.addRow(self.tr("Language:"), self.language)
        form.addRow("", _hint(self.tr("Applies the next time Photo Annotator starts. The system language "
                                      "is used when Photo Annotator has a translation for it, else "
                                      "English. The command line is always in English.")))
        return _page(self.tr("Language"), self.tr("The language of the window, and how it writes numbers "
                                                  "and dates."), form)

    def _appearance_page(self) -> QWidget:
        self.appearance = QComboBox()
        for label, value in ((self.tr("System (light or dark, as the system is)"), "system"),
                             (self.tr("Light"), "light"), (self.tr("Dark"), "dark"),
                             (self.tr("High contrast"), "high-contrast")):
            self.appearance.addItem(label, value)
        self.appearance.setCurrentIndex(max(0, self.appearance.findData(self.settings.appearance)))
        form = QFormLayout()
        form.addRow(self.tr("Appearance:"), self.appearance)
        return _page(self.tr("Appearance"), self.tr("The window's colours. High contrast: white and yellow "
                                                    "on black, with a thick frame around the keyboard "
                                                    "focus. Applies at once."), form)

    # -- prompt presets -------------------------------------------------------------------------------

    def _current_presets(self) -> list[list[str]] | None:
        captioner_id = self.prompt_captioner.currentData()
        return None if captioner_id is None else self._presets.setdefault(captioner_id, [])

    def _show_presets(self) -> None:
        presets = self._current_presets() or []
        self.prompt_list.blockSignals(True)
        self.prompt_list.clear()
        self.prompt_list.addItems([name for name, _prompt in presets])
        self.prompt_list.blockSignals(False)
        self.prompt_list.setCurrentRow(0 if presets else -1)
        self._show_preset(self.prompt_list.currentRow())

    def _show_preset(self, row: int) -> None:
        presets = self._current_presets() or []
        name, prompt = presets[row] if 0 <= row < len(presets) else ("", "")
        for widget in (self.prompt_name, self.prompt_text, self.delete_prompt_button):
            widget.setEnabled(0 <= row < len(presets))
        self.prompt_name.setText(name)
        self.prompt_text.blockSignals(True)
        self.prompt_text.setPlainText(prompt)
        self.prompt_text.blockSignals(False)

    def add_prompt(self) -> None:
        """A new preset for the chosen captioner, starting from its default prompt, ready to name."""
        presets = self._current_presets()
        if presets is None:
            return
        captioner = next(c for c in self._prompt_captioners if c.id == self.prompt_captioner.currentData())
        default = str(captioner.option_defaults().get("prompt") or "")
        names = {name for name, _prompt in presets}
        name = next(candidate for number in range(1, len(names) + 2)
                    if (candidate := self.tr(NEW_PRESET_NAME) if number == 1
                        else f"{self.tr(NEW_PRESET_NAME)} {number}")
                    not in names)
        presets.append([name, default])
        self.prompt_list.addItem(name)
        self.prompt_list.setCurrentRow(len(presets) - 1)
        self.prompt_name.setFocus()
        self.prompt_name.selectAll()

    def delete_prompt(self) -> None:
        presets = self._current_presets()
        row = self.prompt_list.currentRow()
        if presets is None or not 0 <= row < len(presets):
            return
        del presets[row]
        self.prompt_list.takeItem(row)
        self._show_preset(self.prompt_list.currentRow())

    def _rename_preset(self, name: str) -> None:
        presets, row = self._current_presets() or [], self.prompt_list.currentRow()
        if 0 <= row < len(presets):
            presets[row][0] = name
            self.prompt_list.item(row).setText(name)

    def _edit_preset(self) -> None:
        presets, row = self._current_presets() or [], self.prompt_list.currentRow()
        if 0 <= row < len(presets):
            presets[row][1] = self.prompt_text.toPlainText()

    # -- checks and pickers ---------------------------------------------------------------------------

    def _device_problem(self) -> str | None:
        device = self.device.currentText().strip()
        if is_device(device):
            return None
        return self.tr("'{device}' is not a device: use auto, cpu, cuda, cuda:N or mps").format(device=device)

    def _catalogue_problem(self) -> str | None:
        path = self.catalogue.text().strip()
        if path and "://" not in path and Path(path).expanduser().is_dir():
            return self.tr("{path} is a folder; add a file name such as {example}").format(
                path=path, example=Path(path) / "catalogue.db")
        return None

    def _check_device(self) -> None:
        _show_warning(self.device_warning, self._device_problem())

    def _check_model(self, captioner_id: str) -> None:
        problem = model_folder_problem(self.model_edits[captioner_id].text().strip())
        _show_warning(self.model_warnings[captioner_id], sentence(problem) if problem else None)

    def _check_catalogue(self) -> None:
        _show_warning(self.catalogue_warning, self._catalogue_problem())

    def _browse_model(self, captioner: Captioner) -> None:
        start = self.model_edits[captioner.id].text().strip()
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Model folder for {captioner}").format(captioner=captioner.name),
            start if start and Path(start).expanduser().is_dir() else str(Path.home()))
        if folder:
            self.model_edits[captioner.id].setText(folder)

    def _browse_catalogue(self) -> None:
        start = self.catalogue.text().strip() or str(locations.default_catalogue_path())
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Catalogue location"), start, self.tr("Catalogue (*.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite)  # choosing an existing catalogue is normal
        if path:
            self.catalogue.setText(path)

    # -- saving ---------------------------------------------------------------------------------------

    def edited_settings(self) -> Settings:
        """The settings as the dialog shows them; ValueError (one line) for what cannot be saved."""
        if problem := self._device_problem() or self._catalogue_problem() or self.cluster.address_problem():
            raise ValueError(problem)
        device = self.device.currentText().strip()
        # Captioners no longer installed keep their settings, for when they come back.
        models = {cid: model for cid, model in self.settings.captioner_models.items()
                  if cid not in self.model_edits}
        models.update({cid: edit.text().strip() for cid, edit in self.model_edits.items()
                       if edit.text().strip()})
        presets: dict[str, tuple[PromptPreset, ...]] = {}
        for captioner_id, entries in self._presets.items():
            names = [name.strip() for name, _prompt in entries]
            if any(not name for name in names):
                raise ValueError(self.tr("a prompt preset of {captioner} has no name").format(
                    captioner=captioner_id))
            if repeated := next((name for name in names if names.count(name) > 1), None):
                raise ValueError(self.tr("two prompt presets of {captioner} are named '{name}'").format(
                    captioner=captioner_id, name=repeated))
            if entries:
                presets[captioner_id] = tuple(PromptPreset(name.strip(), prompt) for name, prompt in entries)
        return replace(
            self.settings,
            engine=replace(self.settings.engine, device=device, dtype=str(self.dtype.currentData()),
                           batch_size=self.batch_size.value(), decode_workers=self.decode_workers.value(),
                           prefetch_batches=self.prefetch_batches.value(), cluster=self.cluster.cluster(),
                           cluster_actors=self.cluster.actors.value()),
            library=LibrarySettings(thumbnail_size=self.thumbnail_size.value(),
                                    scan_workers=self.scan_workers.value(),
                                    ignored_folders=self.settings.library.ignored_folders),
            captioner_models=models,
            prompt_presets=presets,
            catalogue=self.catalogue.text().strip() or None,
            language=str(self.language.currentData()),
            appearance=str(self.appearance.currentData()),
            review=self.review_page.review_settings(),
            importing=self.import_page.import_settings(),
        )

    def accept(self) -> None:
        try:
            edited = self.edited_settings()
            save_settings(edited)
        except (ValueError, OSError) as exc:
            # The dialog stays open with everything as typed: nothing is lost.
            self.error.setText(self.tr("Settings not saved: {reason}").format(reason=one_line(exc)))
            self.error.show()
            return
        self.error.hide()
        self.settings = edited
        self.settings_changed.emit(edited)
        super().accept()

