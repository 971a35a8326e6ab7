"""The Fine-tune dialog: which captioner learns from the approved captions, for how long, and where the
new model goes. The training itself runs as a job on the inference worker, like captioning."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.plugin_api.captioner import Captioner, CaptionerKind
from desktop_app.services.models import default_model
from desktop_app.settings import Settings
from desktop_app.ui.widgets.path_row import path_row

# Captioners whose model families the trainer knows (VisionEncoderDecoder, BLIP, Florence-2); the
# trainer checks the actual model's config and refuses others with a one-line reason.
TRAINABLE = ("encoder-decoder", "generic", "medical-report")


class TrainDialog(QDialog):
    def __init__(self, captioners: Sequence[Captioner], settings: Settings, library_id: int | None,
                 library_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Fine-tune a captioner"))
        self.setMinimumWidth(560)
        self.settings = settings
        self.library_id = library_id
        self.captioners = [c for c in captioners if c.id in TRAINABLE]
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Teach a captioner your collection's words from the captions editors "
                               "approved. A tenth of them is kept aside to measure progress; training stops "
                               "early when it no longer improves. The new model is saved in a folder you can "
                               "then choose in Settings > Models, or evaluate with `photo-annotator "
                               "evaluate`."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.captioner_combo = QComboBox()
        for captioner in self.captioners:
            self.captioner_combo.addItem(captioner.name, captioner.id)
        form.addRow(self.tr("Captioner:"), self.captioner_combo)
        self.model_edit = QLineEdit()
        form.addRow(self.tr("Start from model:"), self.model_edit)
        self.output_edit = QLineEdit(str(Path.home() / "photo-annotator-models" / "fine-tuned"))
        row, _browse = path_row(self.output_edit, self._browse)
        form.addRow(self.tr("Save in:"), row)
        form.labelForField(row).setBuddy(self.output_edit)  # its label names the field for screen readers
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100)
        self.epochs.setValue(3)
        form.addRow(self.tr("Epochs:"), self.epochs)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(6)
        self.lr.setRange(1e-6, 1e-2)
        self.lr.setSingleStep(1e-5)
        self.lr.setValue(5e-5)
        form.addRow(self.tr("Learning rate:"), self.lr)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 256)
        self.batch_size.setValue(8)
        form.addRow(self.tr("Batch size:"), self.batch_size)
        self.checkpointing = QCheckBox(self.tr("Gradient checkpointing (less GPU memory, slower)"))
        form.addRow("", self.checkpointing)
        self.this_library = QCheckBox(self.tr("Only the approved captions of {library}").format(
            library=library_label))
        self.this_library.setVisible(library_id is not None)
        form.addRow("", self.this_library)
        layout.addLayout(form)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.train_button = buttons.addButton(self.tr("Queue training"),
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.captioner_combo.currentIndexChanged.connect(self._on_captioner)
        self._on_captioner()
        self.train_button.setEnabled(bool(self.captioners))

    def captioner_id(self) -> str:
        return str(self.captioner_combo.currentData())

    def request(self) -> dict[str, Any]:
        """What to queue: InferenceService.queue_train_job's arguments."""
        model = self.model_edit.text().strip()
        return {
            "captioner_id": self.captioner_id(),
            "output": str(Path(self.output_edit.text().strip()).expanduser()),
            "settings": {"epochs": self.epochs.value(), "lr": self.lr.value(),
                         "batch_size": self.batch_size.value(),
                         "gradient_checkpointing": self.checkpointing.isChecked()},
            "model": model or None,
            "library_ids": [self.library_id] if self.this_library.isChecked() and self.library_id else None,
        }

    def _on_captioner(self) -> None:
        chosen = next((c for c in self.captioners if c.id == self.captioner_combo.currentData()), None)
        if chosen is None:
            self.note.setText(self.tr("No installed captioner can be fine-tuned."))
            return
        self.model_edit.setText(default_model(chosen, self.settings))
        if chosen.kind is CaptionerKind.MEDICAL_REPORT:
            self.note.setText(self.tr("Runs on the device in Settings, as a job in the Captioning jobs panel "
                                      "(pause, cancel, resume from its checkpoint). Medical drafts stay "
                                      "drafts: a fine-tuned model's reports carry the same notice."))
        else:
            self.note.setText(self.tr("Runs on the device in Settings, as a job in the Captioning jobs panel "
                                      "(pause, cancel, resume from its checkpoint)."))

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, self.tr("Save the fine-tuned model in"),
                                                  str(Path(self.output_edit.text()).parent))
        if chosen:
            self.output_edit.setText(chosen)
