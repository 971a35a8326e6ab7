"""What the dialogs that queue a job on the photos share (the caption and the suggest-keywords dialogs):
which photos it takes, the line that says what is wrong, and the Queue job / Cancel buttons."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from desktop_app.catalogue.photos import display_path


class PhotoScopeBox(QGroupBox):
    """The selected photos, or every readable photo of the library or folder shown (``folder``, named
    ``folder_label``; None: none is shown). The selection is chosen when there is one."""

    def __init__(self, photo_ids: Sequence[int], folder: str | None, folder_label: str | None) -> None:
        super().__init__(self.tr("Photos"))
        layout = QVBoxLayout(self)
        self.selection_radio = QRadioButton(self.tr("The %Ln selected photo(s)", "", len(photo_ids)))
        place = folder_label or (display_path(folder) if folder else "")
        self.folder_radio = QRadioButton(
            self.tr("All readable photos in {place}").format(place=place) if folder
            else self.tr("All readable photos in a folder (none shown)"))
        self.selection_radio.setEnabled(bool(photo_ids))
        self.folder_radio.setEnabled(folder is not None)
        self.scope = QButtonGroup(self)
        self.scope.addButton(self.selection_radio)
        self.scope.addButton(self.folder_radio)
        (self.selection_radio if photo_ids else self.folder_radio).setChecked(True)
        layout.addWidget(self.selection_radio)
        layout.addWidget(self.folder_radio)


def queue_buttons(dialog: QDialog, layout: QVBoxLayout) -> tuple[QLabel, QPushButton]:
    """The problem line and the Queue job / Cancel buttons at the foot of ``dialog``'s ``layout``."""
    problem = QLabel()
    problem.setObjectName("dialogProblem")
    problem.setWordWrap(True)
    layout.addWidget(problem)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok_button.setText(QCoreApplication.translate("PhotoScopeBox", "Queue job"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return problem, ok_button
