"""Dialogs for work on the photo files: writing approved captions into them, and exporting captions.

Each dialog only asks; it returns plain options (a PhotoQuery for the photos chosen, a format, a
path), and the window runs the work on the files thread (ui/workers/file_tasks.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.catalogue.photos import PhotoQuery
from desktop_app.ui.widgets.path_row import path_row

EXPORT_FORMATS: list[tuple[str, str, str]] = [  # label, format id, default file name
    (QT_TRANSLATE_NOOP("ExportDialog", "CSV (spreadsheets)"), "csv", "captions.csv"),
    (QT_TRANSLATE_NOOP("ExportDialog", "JSON Lines"), "jsonl", "captions.jsonl"),
    (QT_TRANSLATE_NOOP("ExportDialog", "COCO captions JSON"), "coco", "captions_coco.json"),
    (QT_TRANSLATE_NOOP("ExportDialog", "Hugging Face imagefolder (a fine-tuning set)"), "hf-imagefolder",
     "captions-dataset"),
]


class _Scope(QWidget):
    """Which photos: the selection, or every photo of the current library or folder."""

    def __init__(self, selected: Sequence[int], location: PhotoQuery | None, location_label: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.selected = tuple(selected)
        self.location = location
        self.selection_radio = QRadioButton(self.tr("The %Ln selected photo(s)", "", len(self.selected)))
        self.location_radio = QRadioButton(self.tr("Every photo in {place}").format(place=location_label))
        layout.addWidget(self.selection_radio)
        layout.addWidget(self.location_radio)
        self.selection_radio.setEnabled(bool(self.selected))
        self.location_radio.setEnabled(location is not None)
        (self.selection_radio if self.selected else self.location_radio).setChecked(True)

    def query(self) -> PhotoQuery | None:
        if self.selection_radio.isChecked() and self.selected:
            return PhotoQuery(photo_ids=self.selected)
        return self.location


class WriteMetadataDialog(QDialog):
    """Where approved captions and accepted keywords go: XMP sidecars or into the files; Preview shows what
    would change."""

    def __init__(self, selected: Sequence[int], location: PhotoQuery | None, location_label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Write captions to files"))
        self.setMinimumWidth(520)
        self.preview_requested = False
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Approved captions are written where digiKam, Lightroom and other tools read "
                               "them: XMP dc:description, IPTC Caption-Abstract and EXIF ImageDescription, "
                               "with who approved them and which model wrote them."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.scope = _Scope(selected, location, location_label)
        layout.addWidget(self.scope)
        self.sidecar_radio = QRadioButton(self.tr("XMP sidecar files beside the photos (photo.jpg.xmp): the "
                                                  "photos stay untouched"))
        self.embed_radio = QRadioButton(self.tr("Inside the photo files (JPEG, TIFF, PNG, WebP): written to "
                                                "a copy, checked, then swapped in"))
        self.sidecar_radio.setChecked(True)
        layout.addWidget(self.sidecar_radio)
        layout.addWidget(self.embed_radio)
        self.force_box = QCheckBox(self.tr("Also replace descriptions another program wrote, and files "
                                           "changed since the last scan"))
        layout.addWidget(self.force_box)
        self.remove_rejected_box = QCheckBox(self.tr("Also remove from the files the keywords rejected here "
                                                     "(kept in the files otherwise)"))
        layout.addWidget(self.remove_rejected_box)
        buttons = QDialogButtonBox()
        self.preview_button = buttons.addButton(self.tr("Preview"), QDialogButtonBox.ButtonRole.ActionRole)
        self.write_button = buttons.addButton(self.tr("Write"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.preview_button.setToolTip(self.tr("List what would change, writing nothing"))
        self.preview_button.clicked.connect(self._preview)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _preview(self) -> None:
        self.preview_requested = True
        self.accept()

    def mode(self) -> str:
        return "embed" if self.embed_radio.isChecked() else "sidecar"

    def query(self) -> PhotoQuery | None:
        return self.scope.query()


class ExportDialog(QDialog):
    """A format, which captions, and where the export goes."""

    def __init__(self, selected: Sequence[int], location: PhotoQuery | None, location_label: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export captions"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.format_combo = QComboBox()
        for label, _fmt, _name in EXPORT_FORMATS:
            self.format_combo.addItem(self.tr(label))
        form.addRow(self.tr("Format:"), self.format_combo)
        self.approved_box = QCheckBox(self.tr("Approved captions only"))
        self.approved_box.setChecked(True)
        form.addRow("", self.approved_box)
        self.output_edit = QLineEdit(str(Path.home() / EXPORT_FORMATS[0][2]))
        row, _browse = path_row(self.output_edit, self._browse)
        form.addRow(self.tr("Save to:"), row)
        form.labelForField(row).setBuddy(self.output_edit)  # its label names the field for screen readers
        self.force_box = QCheckBox(self.tr("Replace it if it exists"))
        form.addRow("", self.force_box)
        self.link_box = QCheckBox(self.tr("Link the photos instead of copying them (no extra space)"))
        self.link_box.setToolTip(self.tr("A linked photo is the library's own file: editing the exported "
                                         "image in place edits the library photo. Copies are safe to edit."))
        self.link_box.setVisible(False)  # only the imagefolder holds photos
        form.addRow("", self.link_box)
        layout.addLayout(form)
        self.scope = _Scope(selected, location, location_label)
        layout.addWidget(self.scope)
        note = QLabel(self.tr("Medical report drafts carry their disclaimer in every format."))
        note.setWordWrap(True)
        layout.addWidget(note)
        self.format_combo.currentIndexChanged.connect(self._on_format)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def format(self) -> str:
        return EXPORT_FORMATS[max(0, self.format_combo.currentIndex())][1]

    def output(self) -> Path:
        return Path(self.output_edit.text().strip()).expanduser()

    def query(self) -> PhotoQuery | None:
        return self.scope.query()

    def link(self) -> bool:
        """Hard-link the photos into an imagefolder rather than copy them (asked for, never the default)."""
        return self.format() == "hf-imagefolder" and self.link_box.isChecked()

    def _on_format(self, index: int) -> None:
        # Keep the chosen folder, switch the default file name to the new format's.
        current = self.output()
        self.output_edit.setText(str(current.parent / EXPORT_FORMATS[index][2]))
        self.link_box.setVisible(EXPORT_FORMATS[index][1] == "hf-imagefolder")

    def _browse(self) -> None:
        if self.format() == "hf-imagefolder":
            folder = str(self.output().parent)
            chosen = QFileDialog.getExistingDirectory(self, self.tr("Export the dataset into"), folder)
            if chosen:
                self.output_edit.setText(str(Path(chosen) / EXPORT_FORMATS[3][2]))
            return
        chosen, _filter = QFileDialog.getSaveFileName(self, self.tr("Export captions to"),
                                                      str(self.output()))
        if chosen:
            self.output_edit.setText(chosen)


class ReportDialog(QDialog):
    """What a task did: a summary line and the list of files, e.g. the ones skipped and why."""

    def __init__(self, title: str, summary: str, lines: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 420)
        layout = QVBoxLayout(self)
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.details = QPlainTextEdit("\n".join(lines))
        self.details.setReadOnly(True)
        self.details.setAccessibleName(self.tr("Details"))
        self.details.setVisible(bool(lines))
        layout.addWidget(self.details, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
