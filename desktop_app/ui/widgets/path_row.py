"""A path field: a line edit with a Browse… button after it, the one look every dialog uses."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton


def path_row(edit: QLineEdit, browse: Callable[[], None],
             tooltip: str | None = None) -> tuple[QHBoxLayout, QPushButton]:
    """``edit`` stretched, then a Browse… button calling ``browse``: the row and its button."""
    button = QPushButton(QCoreApplication.translate("PathRow", "Browse…"))
    if tooltip:
        button.setToolTip(tooltip)
    button.clicked.connect(lambda _checked=False: browse())
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row, button
