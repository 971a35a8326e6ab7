"""The caption dialog: which captioner and model, its options, and which photos; it returns a
CaptionRequest for InferenceService.queue_request and touches neither the catalogue nor a model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.jobs.store import JobError
from desktop_app.plugin_api.captioner import Captioner, CaptionerKind, OptionSpec
from desktop_app.services.models import check_caption, default_model
from desktop_app.settings import Settings, model_folder_problem
from desktop_app.ui.dialogs.disclaimer import needs_acknowledgement
from desktop_app.ui.dialogs.job_scope import PhotoScopeBox, queue_buttons
from desktop_app.ui.widgets.job_panel import muted
from desktop_app.ui.widgets.path_row import path_row
from desktop_app.ui.wording import sentence
from desktop_app.ui.workers.inference import CaptionRequest

KIND_WORDS = {
    CaptionerKind.CAPTION: QT_TRANSLATE_NOOP("CaptionDialog", "Photo captions"),
    CaptionerKind.PRODUCT_DESCRIPTION: QT_TRANSLATE_NOOP("CaptionDialog",
                                                         "Product descriptions for shop listings"),
    CaptionerKind.MEDICAL_REPORT: QT_TRANSLATE_NOOP("CaptionDialog",
                                                    "Medical report drafts, for research only"),
}
# Ranges for integer options; other integers get 0..INT_LIMIT.
INT_RANGES = {"max_new_tokens": (0, 4096), "num_beams": (1, 16)}
INT_LIMIT = 1_000_000
DEFAULT_PROMPT = QT_TRANSLATE_NOOP("_PromptField", "Default prompt")


class _PromptField(QWidget):
    """A free-text prompt with the user's presets (from settings) to start from."""

    def __init__(self, spec: OptionSpec, presets: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.presets = QComboBox()
        self.presets.addItem(self.tr(DEFAULT_PROMPT), str(spec.default))
        for name, prompt in presets:
            self.presets.addItem(name, prompt)
        self.presets.setToolTip(self.tr("Prompts saved in the settings for this captioner"))
        self.presets.setVisible(len(presets) > 0)
        self.editor = QPlainTextEdit(str(spec.default))
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(96)
        # The form's label names this whole field; screen readers need each part named.
        self.presets.setAccessibleName(self.tr("Saved prompts"))
        self.editor.setAccessibleName(self.tr("Prompt"))
        self.presets.currentIndexChanged.connect(
            lambda index: self.editor.setPlainText(self.presets.itemData(index)))
        layout.addWidget(self.presets)
        layout.addWidget(self.editor)

    def value(self) -> str:
        return self.editor.toPlainText().strip()


class CaptionDialog(QDialog):
    """``photo_ids``: the window's selection; ``folder``: the library or folder it shows (None: none),
    named ``folder_label`` (default: its path)."""

    def __init__(self, captioners: Sequence[Captioner], settings: Settings, photo_ids: Sequence[int] = (),
                 folder: str | None = None, folder_label: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Caption photos"))
        self.setMinimumWidth(520)
        self.captioners = list(captioners)
        self.settings = settings
        self.photo_ids = tuple(dict.fromkeys(photo_ids))
        self.folder = folder
        self.option_fields: dict[str, QWidget] = {}

        layout = QVBoxLayout(self)
        layout.setSpacing(12)

        # What captions: the captioner and its model.
        model_box = QGroupBox(self.tr("Captioner"))
        model_form = QFormLayout(model_box)
        self.captioner_combo = QComboBox()
        for captioner in self.captioners:
            self.captioner_combo.addItem(captioner.name, captioner.id)
        model_form.addRow(self.tr("Captioner:"), self.captioner_combo)
        self.description = muted(QLabel())
        self.description.setWordWrap(True)
        model_form.addRow("", self.description)
        self.kind = QLabel()
        model_form.addRow(self.tr("Writes:"), self.kind)
        self.notice = QLabel()
        self.notice.setObjectName("captionerNotice")
        self.notice.setWordWrap(True)
        model_form.addRow("", self.notice)
        self.model_edit = QLineEdit()
        self.model_edit.setToolTip(self.tr("A model on the Hugging Face hub (org/name) or a local model "
                                           "folder"))
        model_row, self.browse_button = path_row(self.model_edit, self._browse,
                                                 self.tr("Use a model folder on this computer"))
        model_form.addRow(self.tr("Model:"), model_row)
        layout.addWidget(model_box)

        self.options_box = QGroupBox(self.tr("Options"))
        self.options_form = QFormLayout(self.options_box)
        layout.addWidget(self.options_box)

        scope_box = PhotoScopeBox(self.photo_ids, folder, folder_label)
        self.selection_radio, self.folder_radio = scope_box.selection_radio, scope_box.folder_radio
        self.scope = scope_box.scope
        layout.addWidget(scope_box)
        self.problem, self.ok_button = queue_buttons(self, layout)

        self.captioner_combo.currentIndexChanged.connect(self._on_captioner_changed)
        self.model_edit.textChanged.connect(self._validate)
        self.scope.buttonToggled.connect(self._validate)
        self._on_captioner_changed()

    # -- what the window reads -------------------------------------------------------------------------

    def captioner(self) -> Captioner | None:
        index = self.captioner_combo.currentIndex()
        return self.captioners[index] if 0 <= index < len(self.captioners) else None

    def set_captioner(self, captioner_id: str) -> None:
        self.captioner_combo.setCurrentIndex(self.captioner_combo.findData(captioner_id))

    def set_option(self, name: str, value: Any) -> None:
        """Set an option's field, as if the user had (for tests and for repeating a job)."""
        field = self.option_fields[name]
        if isinstance(field, _PromptField):
            field.editor.setPlainText(str(value))
        elif isinstance(field, QComboBox):
            index = field.findData(value)
            if index >= 0:
                field.setCurrentIndex(index)
            else:
                field.setEditText(str(value))
        elif isinstance(field, QCheckBox):
            field.setChecked(bool(value))
        elif isinstance(field, QSpinBox | QDoubleSpinBox):
            field.setValue(value)
        elif isinstance(field, QLineEdit):
            field.setText(str(value))

    def options(self) -> dict[str, Any]:
        captioner = self.captioner()
        if captioner is None:
            return {}
        return {spec.name: self._option_value(spec) for spec in captioner.options}

    def problem_text(self) -> str | None:
        """Why the job cannot be queued yet (None: it can)."""
        captioner = self.captioner()
        if captioner is None:
            return self.tr("No captioner is installed.")
        model = self.model_edit.text().strip()
        problem = model_folder_problem(model)
        if problem:
            return sentence(problem) + "."
        if not (self.selection_radio.isChecked() and self.photo_ids) and not (
                self.folder_radio.isChecked() and self.folder is not None):
            return self.tr("Select photos, or open a library or folder, to caption.")
        # The checks the job queue makes, so that the dialog shows the mistake instead (once the
        # captioner's option fields are built: the model field changes before they are).
        options = self.options() if len(self.option_fields) == len(captioner.options) else {}
        try:
            check_caption(captioner, model or None, options, self.settings)
        except JobError as exc:
            return sentence(str(exc)) + "."
        return None

    def request(self) -> CaptionRequest:
        captioner = self.captioner()
        if captioner is None:
            raise ValueError("no captioner")
        model = self.model_edit.text().strip()
        folder_scope = self.folder_radio.isChecked() and self.folder is not None
        return CaptionRequest(
            captioner_id=captioner.id,
            model=None if model in ("", default_model(captioner, self.settings)) else model,
            options=self.options(),
            photo_ids=None if folder_scope else self.photo_ids,
            folder=self.folder if folder_scope else None,
            needs_disclaimer=needs_acknowledgement(captioner, self.settings),
        )

    def accept(self) -> None:
        if self.problem_text() is None:
            super().accept()

    # -- building the fields ---------------------------------------------------------------------------

    @Slot()
    def _on_captioner_changed(self) -> None:
        captioner = self.captioner()
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_fields = {}
        if captioner is None:
            self._validate()
            return
        self.description.setText(captioner.description)
        self.kind.setText(self.tr(KIND_WORDS[captioner.kind]) if captioner.kind in KIND_WORDS
                          else str(captioner.kind))
        self.model_edit.setText(default_model(captioner, self.settings))
        self.model_edit.setPlaceholderText(captioner.default_model)
        # Shown only while the disclaimer waits for the user: the window asks before queueing.
        self.notice.setText(self.tr("Before this job is queued you will be asked to acknowledge that its "
                                    "reports are AI drafts for research, not for diagnosis."))
        self.notice.setVisible(needs_acknowledgement(captioner, self.settings))
        presets = [(preset.name, preset.prompt)
                   for preset in self.settings.prompt_presets.get(captioner.id, ())]
        for spec in captioner.options:
            field = self._option_field(spec, presets)
            field.setToolTip(spec.help)
            self.option_fields[spec.name] = field
            self.options_form.addRow(_label(spec.name), field)
            _changed(field).connect(self._validate)  # a value the captioner refuses disables OK at once
        self.options_box.setVisible(bool(captioner.options))
        self._validate()

    def _option_field(self, spec: OptionSpec, presets: Sequence[tuple[str, str]]) -> QWidget:
        if spec.choices:
            combo = QComboBox()
            for choice in spec.choices:
                combo.addItem(str(choice), choice)
            if spec.name == "prompt" and spec.type is str:
                # A fixed task list that also takes free text (BLIP's prefixes), and the user's presets.
                combo.setEditable(True)
                for name, prompt in presets:
                    combo.addItem(f"{name}: {prompt}", prompt)
            combo.setCurrentIndex(max(0, combo.findData(spec.default)))
            return combo
        if spec.type is bool:
            box = QCheckBox()
            box.setChecked(bool(spec.default))
            return box
        if spec.type is int:
            spin = QSpinBox()
            low, high = INT_RANGES.get(spec.name, (0, INT_LIMIT))
            spin.setRange(low, high)
            if spec.name == "max_new_tokens" and spec.default == 0:
                spin.setSpecialValueText(self.tr("Automatic"))
            spin.setValue(int(spec.default))
            return spin
        if spec.type is float:
            double = QDoubleSpinBox()
            double.setRange(-1e6, 1e6)
            double.setDecimals(3)
            double.setValue(float(spec.default))
            return double
        if spec.name == "prompt":
            return _PromptField(spec, presets)
        line = QLineEdit("" if spec.default is None else str(spec.default))
        return line

    def _option_value(self, spec: OptionSpec) -> Any:
        field = self.option_fields[spec.name]
        if isinstance(field, _PromptField):
            return field.value() or spec.default
        if isinstance(field, QComboBox):
            text = field.currentText()
            index = field.findText(text)
            # An entry picked from the list gives its value; typed text is itself the value.
            return field.itemData(index) if index >= 0 else text.strip()
        if isinstance(field, QCheckBox):
            return field.isChecked()
        if isinstance(field, QSpinBox | QDoubleSpinBox):
            return field.value()
        assert isinstance(field, QLineEdit)
        return spec.type(field.text()) if field.text() else spec.default

    # -- reactions -------------------------------------------------------------------------------------

    @Slot()
    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Choose a model folder"),
                                                  self.model_edit.text())
        if folder:
            self.model_edit.setText(folder)

    @Slot()
    def _validate(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self.ok_button.setEnabled(problem is None)


def _changed(field: QWidget) -> Any:
    """The signal a field emits when the user changes its value."""
    if isinstance(field, _PromptField):
        return field.editor.textChanged
    if isinstance(field, QComboBox):
        return field.currentTextChanged
    if isinstance(field, QCheckBox):
        return field.toggled
    if isinstance(field, QSpinBox | QDoubleSpinBox):
        return field.valueChanged
    assert isinstance(field, QLineEdit)
    return field.textChanged


def _label(option_name: str) -> str:
    """'max_new_tokens' -> 'Max new tokens:'."""
    return sentence(option_name.replace("_", " ")) + ":"
