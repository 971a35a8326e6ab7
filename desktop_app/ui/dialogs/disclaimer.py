"""The one-time acknowledgement a captioner's disclaimer asks for before its first job.

A medical-report captioner writes drafts that are not for diagnosis. Every report carries its notice
(stored with the caption, shown with it); before the first job the user must also say, once, that they
understand. The answer is kept in the settings (``acknowledged_disclaimers``), so it is asked once.
"""

from __future__ import annotations

import html
import logging
import sys
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.plugin_api.captioner import Captioner, CaptionerKind
from desktop_app.settings import Settings, load_settings, save_settings
from desktop_app.ui.widgets.detail.style import NOTICE_STYLE

log = logging.getLogger(__name__)

# Kinds whose output can be mistaken for professional advice.
KINDS_NEEDING_ACKNOWLEDGEMENT = frozenset({CaptionerKind.MEDICAL_REPORT})
FALLBACK_NOTICE = ("AI-generated draft for research use only; not for diagnosis; must be reviewed by a "
                   "qualified professional.")


def needs_acknowledgement(captioner: Captioner, settings: Settings | None = None) -> bool:
    """Whether ``captioner``'s disclaimer must still be acknowledged before it runs."""
    acknowledged = (settings or load_settings()).acknowledged_disclaimers
    return captioner.kind in KINDS_NEEDING_ACKNOWLEDGEMENT and captioner.id not in acknowledged


def notice_text(captioner: Captioner) -> str:
    """The notice the captioner stores with every caption: its ``notice`` attribute or its module's
    ``NOTICE`` (as plugins/medical_report.py defines it)."""
    module = sys.modules.get(type(captioner).__module__)
    return str(getattr(captioner, "notice", None) or getattr(module, "NOTICE", None) or FALLBACK_NOTICE)


def acknowledge(captioner_id: str) -> None:
    """Record that the user acknowledged ``captioner_id``'s disclaimer (read, then written at once, so
    other settings saved since the window opened are kept)."""
    settings = load_settings()
    save_settings(replace(settings,
                          acknowledged_disclaimers=settings.acknowledged_disclaimers | {captioner_id}))


class DisclaimerDialog(QDialog):
    """The notice, with "I understand" (accept) and "Cancel" (reject)."""

    def __init__(self, captioner: Captioner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.captioner = captioner
        self.setWindowTitle(self.tr("Before using {captioner}").format(captioner=captioner.name))
        self.setModal(True)
        self.setMinimumWidth(480)

        icon = QLabel("⚠")
        icon_font = QFont(icon.font())
        icon_font.setPointSizeF(icon_font.pointSizeF() * 2.4)
        icon.setFont(icon_font)
        icon.setStyleSheet("color: #d68910;")
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = QLabel(self.tr("{captioner} writes drafts, not diagnoses").format(captioner=captioner.name))
        heading_font = QFont(heading.font())
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.2)
        heading_font.setBold(True)
        heading.setFont(heading_font)
        heading.setWordWrap(True)
        self.notice = QLabel(html.escape(notice_text(captioner)))
        self.notice.setObjectName("disclaimerNotice")
        self.notice.setStyleSheet(NOTICE_STYLE)
        self.notice.setWordWrap(True)
        # The notice itself is the captioner's, stored with every report: it stays as the plugin wrote it.
        explanation = QLabel(self.tr(
            "Every report it writes is stored with this notice and shown with it, in the app and on "
            "the command line. Confirm that you have read it to go on; you are asked once."))
        explanation.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.understand_button = self.buttons.addButton(self.tr("I understand"),
                                                        QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setDefault(True)  # Enter alone must not acknowledge it
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        text = QVBoxLayout()
        text.addWidget(heading)
        text.addWidget(self.notice)
        text.addWidget(explanation)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addWidget(self.buttons)


def confirm_disclaimer(parent: QWidget | None, captioner: Captioner) -> bool:
    """Whether a job with ``captioner`` may go ahead: at once when it has no disclaimer or the user
    acknowledged it before; otherwise after the user clicks "I understand", which is remembered."""
    if not needs_acknowledgement(captioner):
        return True
    if DisclaimerDialog(captioner, parent).exec() != QDialog.DialogCode.Accepted:
        return False
    try:
        acknowledge(captioner.id)
    except OSError as exc:
        # The user did acknowledge it: the job goes ahead, and it is asked again next time.
        log.warning("could not remember the acknowledgement of %s: %s", captioner.id, exc)
    return True
