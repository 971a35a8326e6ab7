"""The Suggest keywords dialog: which tagger, which vocabularies, how many suggestions and how sure, and
which photos (the selection or the folder shown); it queues a tagging job on the inference worker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.plugin_api.tagger import Tagger
from desktop_app.ui.dialogs.job_scope import PhotoScopeBox, queue_buttons
from desktop_app.ui.widgets.job_panel import muted
from desktop_app.ui.workers.inference import TagRequest

FROM_FILES = "from-files"  # a vocabulary's kind: keywords found in files; unchecked unless chosen


class SuggestKeywordsDialog(QDialog):
    """``vocabularies``: the catalogue's (name, kind, terms); ``photo_ids``: the window's selection;
    ``folder``: the library or folder it shows (None: none), named ``folder_label``."""

    def __init__(self, taggers: Sequence[Tagger], vocabularies: Sequence[Any], photo_ids: Sequence[int] = (),
                 folder: str | None = None, folder_label: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Suggest keywords"))
        self.setMinimumWidth(480)
        self.taggers = list(taggers)
        self.photo_ids = tuple(dict.fromkeys(photo_ids))
        self.folder = folder
        layout = QVBoxLayout(self)
        layout.setSpacing(12)

        tagger_box = QGroupBox(self.tr("Tagger"))
        form = QFormLayout(tagger_box)
        self.tagger_combo = QComboBox()
        for tagger in self.taggers:
            self.tagger_combo.addItem(tagger.name, tagger.id)
        form.addRow(self.tr("Tagger:"), self.tagger_combo)
        self.description = muted(QLabel())
        self.description.setWordWrap(True)
        form.addRow("", self.description)
        self.model_edit = QLineEdit()
        self.model_edit.setToolTip(self.tr("A model on the Hugging Face hub (org/name) or a local model "
                                           "folder; empty: the tagger's own"))
        form.addRow(self.tr("Model:"), self.model_edit)
        self.top_n = QSpinBox()
        self.top_n.setRange(1, 100)
        self.top_n.setToolTip(self.tr("At most this many suggestions per photo"))
        form.addRow(self.tr("Suggestions per photo:"), self.top_n)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setToolTip(self.tr("The score a suggestion needs, from 0 to 1 (the tagger's "
                                          "calibrated value by default)"))
        form.addRow(self.tr("Minimum score:"), self.threshold)
        layout.addWidget(tagger_box)

        vocab_box = QGroupBox(self.tr("Vocabularies"))
        vocab_layout = QVBoxLayout(vocab_box)
        self.vocabulary_list = QListWidget()
        self.vocabulary_list.setAccessibleName(self.tr("Vocabularies to suggest from"))
        for vocabulary in vocabularies:
            item = QListWidgetItem(self.tr("{name} ({terms} terms)").format(name=vocabulary.name,
                                                                          terms=vocabulary.terms))
            item.setData(Qt.ItemDataRole.UserRole, vocabulary.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked if vocabulary.kind == FROM_FILES
                               else Qt.CheckState.Checked)
            self.vocabulary_list.addItem(item)
        self.vocabulary_list.setMaximumHeight(140)
        vocab_layout.addWidget(self.vocabulary_list)
        layout.addWidget(vocab_box)

        scope_box = PhotoScopeBox(self.photo_ids, folder, folder_label)
        self.selection_radio, self.folder_radio = scope_box.selection_radio, scope_box.folder_radio
        self.scope = scope_box.scope
        layout.addWidget(scope_box)
        self.problem, self.ok_button = queue_buttons(self, layout)

        self.tagger_combo.currentIndexChanged.connect(self._on_tagger_changed)
        self.vocabulary_list.itemChanged.connect(self._validate)
        self.scope.buttonToggled.connect(self._validate)
        self._on_tagger_changed()

    def tagger(self) -> Tagger | None:
        index = self.tagger_combo.currentIndex()
        return self.taggers[index] if 0 <= index < len(self.taggers) else None

    def vocabularies(self) -> list[str]:
        items = (self.vocabulary_list.item(row) for row in range(self.vocabulary_list.count()))
        return [item.data(Qt.ItemDataRole.UserRole) for item in items
                if item.checkState() == Qt.CheckState.Checked]

    def problem_text(self) -> str | None:
        """Why the job cannot be queued yet (None: it can)."""
        if self.tagger() is None:
            return self.tr("No tagger is installed.")
        if not self.vocabularies():
            return self.tr("Choose a vocabulary to suggest from (import one with photo-annotator vocab "
                           "import).")
        if not self.selection_radio.isChecked() and not self.folder_radio.isChecked():
            return self.tr("Choose the photos.")
        return None

    def request(self) -> TagRequest:
        tagger = self.tagger()
        assert tagger is not None
        options = {"vocabularies": self.vocabularies(), "top_n": self.top_n.value(),
                   "threshold": round(self.threshold.value(), 4)}
        model = self.model_edit.text().strip() or None
        if self.selection_radio.isChecked():
            return TagRequest(tagger.id, model, options, photo_ids=self.photo_ids)
        return TagRequest(tagger.id, model, options, folder=self.folder)

    def _on_tagger_changed(self) -> None:
        tagger = self.tagger()
        if tagger is not None:
            self.description.setText(tagger.description)
            self.model_edit.setPlaceholderText(tagger.default_model or "")
            self.top_n.setValue(tagger.default_top_n)
            self.threshold.setValue(tagger.default_threshold)
        self._validate()

    def _validate(self) -> None:
        problem = self.problem_text()
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self.ok_button.setEnabled(problem is None)
