"""The Watch this folder dialog: what to do with the photos that arrive in a library's folder (caption
them, suggest keywords) and how to notice them (file-system events, or polling for network shares).
The window stores the answer through the watch worker (services/libraries.set_watch)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.plugin_api.captioner import Captioner
from desktop_app.plugin_api.tagger import Tagger
from desktop_app.services.libraries import WatchSettings
from desktop_app.ui.dialogs.job_scope import queue_buttons
from desktop_app.ui.widgets.job_panel import muted

DEFAULT_POLL_SECONDS = 30.0


class WatchDialog(QDialog):
    """For the library named ``name``; ``current``: its watch settings (None: not watched yet)."""

    def __init__(self, captioners: Sequence[Captioner], taggers: Sequence[Tagger], name: str,
                 current: WatchSettings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Watch {name}").format(name=name))
        self.setMinimumWidth(480)
        self.captioners, self.taggers = list(captioners), list(taggers)
        current = current or WatchSettings(caption=self.captioners[0].id if self.captioners else None)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        intro = muted(QLabel(self.tr(
            "Photos copied into this library's folder are scanned once they are whole, and queued as "
            "they arrive; moved and renamed photos keep their captions. The app watches while it is "
            "open; `photo-annotator watch` watches without it.")))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.caption = QCheckBox(self.tr("Caption new photos"))
        self.caption.setChecked(current.caption is not None)
        form.addRow(self.caption)
        self.captioner_combo = QComboBox()
        for captioner in self.captioners:
            self.captioner_combo.addItem(captioner.name, captioner.id)
        if current.caption is not None:
            self.captioner_combo.setCurrentIndex(max(0, self.captioner_combo.findData(current.caption)))
        form.addRow(self.tr("Captioner:"), self.captioner_combo)
        self.model_edit = QLineEdit(current.model or "")
        self.model_edit.setPlaceholderText(self.tr("the settings' model"))
        self.model_edit.setToolTip(self.tr("A model on the Hugging Face hub (org/name) or a local model "
                                           "folder; empty: the one the settings choose"))
        form.addRow(self.tr("Model:"), self.model_edit)
        self.tag = QCheckBox(self.tr("Suggest keywords for new photos"))
        self.tag.setChecked(current.tag is not None)
        form.addRow(self.tag)
        self.tagger_combo = QComboBox()
        for tagger in self.taggers:
            self.tagger_combo.addItem(tagger.name, tagger.id)
        if current.tag is not None:
            self.tagger_combo.setCurrentIndex(max(0, self.tagger_combo.findData(current.tag)))
        form.addRow(self.tr("Tagger:"), self.tagger_combo)
        self.poll = QCheckBox(self.tr("Look for changes at intervals (network shares)"))
        self.poll.setToolTip(self.tr("File-system events do not arrive from most network shares: look "
                                     "for new files every few seconds instead"))
        self.poll.setChecked(current.poll_interval is not None)
        form.addRow(self.poll)
        self.interval = QDoubleSpinBox()
        self.interval.setRange(1.0, 3600.0)
        self.interval.setDecimals(0)
        self.interval.setSuffix(self.tr(" s"))
        self.interval.setValue(current.poll_interval or DEFAULT_POLL_SECONDS)
        form.addRow(self.tr("Every:"), self.interval)
        layout.addLayout(form)
        self.problem, self.ok_button = queue_buttons(self, layout)
        self.ok_button.setText(self.tr("Watch"))

        for box in (self.caption, self.tag, self.poll):
            box.toggled.connect(self._validate)
        self._validate()

    def problem_text(self) -> str | None:
        """Why the settings cannot be stored yet (None: they can)."""
        if self.caption.isChecked() and not self.captioners:
            return self.tr("No captioner is installed.")
        if self.tag.isChecked() and not self.taggers:
            return self.tr("No tagger is installed.")
        if not self.caption.isChecked() and not self.tag.isChecked():
            return self.tr("Choose what to do with new photos.")
        return None

    def settings(self) -> WatchSettings:
        """The watch settings as chosen."""
        caption = self.captioner_combo.currentData() if self.caption.isChecked() else None
        return WatchSettings(
            caption=caption, model=(self.model_edit.text().strip() or None) if caption else None,
            tag=self.tagger_combo.currentData() if self.tag.isChecked() else None,
            poll_interval=self.interval.value() if self.poll.isChecked() else None)

    def _validate(self) -> None:
        self.captioner_combo.setEnabled(self.caption.isChecked())
        self.model_edit.setEnabled(self.caption.isChecked())
        self.tagger_combo.setEnabled(self.tag.isChecked())
        self.interval.setEnabled(self.poll.isChecked())
        problem = self.problem_text()
        self.problem.setText(problem or "")
        self.problem.setVisible(problem is not None)
        self.ok_button.setEnabled(problem is None)
