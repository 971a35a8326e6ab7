"""The Settings dialog's building blocks, shared by its pages (settings.py, cluster_settings.py): a page
with its heading and description, a muted hint, and a warning line that shows only when there is one."""

from __future__ import annotations

from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QLabel, QLayout, QVBoxLayout, QWidget


def page(title: str, description: str, body: QWidget | QLayout) -> QWidget:
    """A settings page: ``title`` as its heading, ``description`` under it, then ``body``."""
    widget = QWidget()
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(16, 14, 16, 12)
    heading = QLabel(title)
    font = QFont(heading.font())
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    heading.setFont(font)
    layout.addWidget(heading)
    layout.addWidget(hint(description))
    layout.addSpacing(8)
    if isinstance(body, QWidget):
        layout.addWidget(body, 1)
    else:
        layout.addLayout(body)
        layout.addStretch(1)
    return widget


def hint(text: str) -> QLabel:
    """Muted, wrapped text that explains a setting."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)  # muted in light and dark themes
    return label


def warning_label(text: str | None = None) -> QLabel:
    """A warning line, hidden while ``text`` is empty."""
    label = QLabel()
    label.setObjectName("settingsWarning")  # coloured by each theme's style sheet (resources/styles)
    label.setWordWrap(True)
    show_warning(label, text)
    return label


def show_warning(label: QLabel, text: str | None) -> None:
    label.setText(f"⚠ {text}" if text else "")
    label.setVisible(bool(text))
