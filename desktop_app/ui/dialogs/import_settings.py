"""The Settings dialog's Import page: photos from the web, dropped and pasted (Settings.importing): whether
private and loopback addresses may be reached, the largest download, the time-out, and the captioner
that captions what comes in."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QSpinBox, QVBoxLayout, QWidget

from desktop_app.plugin_api.captioner import Captioner
from desktop_app.settings import IMPORT_MAX_MB, IMPORT_TIMEOUT_S, ImportSettings
from desktop_app.ui.dialogs.settings_parts import hint as _hint


class ImportSettingsPage(QWidget):
    """The controls of Settings.importing; ``import_settings()`` is what they say."""

    def __init__(self, importing: ImportSettings, captioners: Sequence[Captioner],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importSettings")
        self.allow_private = QCheckBox(self.tr("Allow private and local network addresses"))
        self.allow_private.setChecked(importing.allow_private)
        self.max_size = QSpinBox()
        self.max_size.setRange(*IMPORT_MAX_MB)
        self.max_size.setSuffix(self.tr(" MB"))
        self.max_size.setValue(importing.max_size_mb)
        self.timeout = QSpinBox()
        self.timeout.setRange(*IMPORT_TIMEOUT_S)
        self.timeout.setSuffix(self.tr(" s"))
        self.timeout.setValue(importing.timeout_s)
        self.caption = QComboBox()
        self.caption.addItem(self.tr("Do not caption"), "")
        for captioner in captioners:
            self.caption.addItem(captioner.name, captioner.id)
        if importing.caption and self.caption.findData(importing.caption) < 0:
            self.caption.addItem(importing.caption, importing.caption)  # not installed now: kept
        self.caption.setCurrentIndex(max(0, self.caption.findData(importing.caption)))

        form = QFormLayout()
        form.addRow("", self.allow_private)
        form.addRow("", _hint(self.tr(
            "For a collection system on your own network. Addresses on this computer and private networks "
            "are refused otherwise, so that a web address cannot reach them.")))
        form.addRow(self.tr("Largest download:"), self.max_size)
        form.addRow(self.tr("Time-out:"), self.timeout)
        form.addRow("", _hint(self.tr("To connect, and between two parts of a download; the whole download "
                                      "may take ten times as long.")))
        form.addRow(self.tr("Caption new photos with:"), self.caption)
        form.addRow("", _hint(self.tr("Photos dropped on a library or pasted are captioned as a job, with "
                                      "the model chosen for that captioner.")))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addStretch(1)

    def import_settings(self) -> ImportSettings:
        """Settings.importing as chosen."""
        return ImportSettings(allow_private=self.allow_private.isChecked(), max_size_mb=self.max_size.value(),
                              timeout_s=self.timeout.value(), caption=str(self.caption.currentData() or ""))
