"""The Settings dialog's Cluster page: where the app's caption jobs run (in the app, or through Ray on this
machine's GPUs, the cluster it belongs to or a cluster's head) and how many captioner actors they use.

Ray is optional (the [cluster] extra): without it the Ray choices are shown disabled, with how to install
it. Whether it is installed is asked of the import system only (``find_spec``): Ray itself is imported
when a job runs, on the inference worker's thread.
"""

from __future__ import annotations

import importlib.util

from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.settings import CLUSTER_ACTORS, EngineSettings, is_cluster
from desktop_app.ui.dialogs.settings_parts import hint as _hint
from desktop_app.ui.dialogs.settings_parts import show_warning as _show_warning
from desktop_app.ui.dialogs.settings_parts import warning_label as _warning_label

HEAD_PREFIX = "ray://"


def ray_installed() -> bool:
    """Whether Ray can be imported here (without importing it: that takes seconds)."""
    return importlib.util.find_spec("ray") is not None


class ClusterSettings(QWidget):
    """The choices of where caption jobs run, the head's address and the captioner actors."""

    def __init__(self, engine: EngineSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clusterSettings")
        self.in_app = QRadioButton(self.tr("In the app"))
        self.local = QRadioButton(self.tr("This machine through Ray (every GPU)"))
        self.auto = QRadioButton(self.tr("The cluster this machine belongs to"))
        self.head = QRadioButton(self.tr("A cluster's head:"))
        self.choices = QButtonGroup(self)
        for choice in (self.in_app, self.local, self.auto, self.head):
            self.choices.addButton(choice)
        self.address = QLineEdit(engine.cluster if engine.cluster.startswith(HEAD_PREFIX) else "")
        self.address.setPlaceholderText(self.tr("ray://HOST:PORT"))
        self.address.setAccessibleName(self.tr("Address of the cluster's head"))
        self.address.setClearButtonEnabled(True)
        self.address_warning = _warning_label()
        self.actors = QSpinBox()
        self.actors.setRange(*CLUSTER_ACTORS)
        self.actors.setSpecialValueText(self.tr("Automatic"))
        self.actors.setValue(engine.cluster_actors)

        chosen = {"": self.in_app, "local": self.local, "auto": self.auto}.get(engine.cluster, self.head)
        chosen.setChecked(True)
        self.installed = ray_installed()
        self.ray_missing = _warning_label(None if self.installed else self.tr(
            "Ray is not installed, so caption jobs run in the app. To use a cluster: pip install "
            "'photo-annotator[cluster]'"))
        for ray_choice in (self.local, self.auto, self.head):
            ray_choice.setEnabled(self.installed)

        head_row = QHBoxLayout()
        head_row.addWidget(self.head)
        head_row.addWidget(self.address, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.ray_missing)
        layout.addWidget(self.in_app)
        layout.addWidget(self.local)
        layout.addWidget(self.auto)
        layout.addWidget(_hint(self.tr("Joins the Ray cluster started on this machine with ray start, or "
                                       "the one RAY_ADDRESS names.")))
        layout.addLayout(head_row)
        layout.addWidget(self.address_warning)
        form = QFormLayout()
        form.addRow(self.tr("Captioner actors:"), self.actors)
        layout.addLayout(form)
        layout.addWidget(_hint(self.tr("Automatic: one per GPU of the cluster, or one using every core of a "
                                       "cluster without GPUs. Keyword suggestions and fine-tuning always "
                                       "run in the app.")))
        layout.addStretch(1)

        self.choices.buttonToggled.connect(lambda _button, _checked: self._update())
        self.address.textChanged.connect(lambda _text: self._update())
        self._update()

    def address_problem(self) -> str | None:
        """Why the head's address cannot be saved, or None (also None while another choice is made)."""
        if not self.head.isChecked():
            return None
        address = self.address.text().strip()
        if not address:
            return self.tr("type the address of the cluster's head: ray://HOST:PORT")
        if not address.startswith(HEAD_PREFIX) or not is_cluster(address):
            return self.tr("'{address}' is not a cluster head's address: use ray://HOST:PORT, such as "
                           "ray://head:10001").format(address=address)
        return None

    def cluster(self) -> str:
        """The engine.cluster setting as chosen: "", local, auto or ray://HOST:PORT; ValueError (one line)
        when the head's address is wrong."""
        if problem := self.address_problem():
            raise ValueError(problem)
        if self.local.isChecked():
            return "local"
        if self.auto.isChecked():
            return "auto"
        return self.address.text().strip() if self.head.isChecked() else ""

    def _update(self) -> None:
        self.address.setEnabled(self.head.isChecked() and self.installed)
        self.actors.setEnabled(not self.in_app.isChecked() and self.installed)
        # Only a wrong address typed is flagged at once; an empty one when OK is pressed.
        typed = self.address.text().strip()
        _show_warning(self.address_warning, self.address_problem() if typed else None)
