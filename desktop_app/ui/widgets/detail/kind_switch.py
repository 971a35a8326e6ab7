"""The review pane's caption-kind switch: Description, Alt text, Extended description (IPTC 2021.1's
accessibility fields). Three exclusive buttons, each reached by Tab and pressed with Space, and
Ctrl+1/2/3 wherever the pane is shown; each button's accessible description says its caption's state."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import QButtonGroup, QPushButton, QWidget

from desktop_app.catalogue.models import CaptionKind
from desktop_app.ui.widgets.flow_layout import FlowLayout

translate = QCoreApplication.translate

KINDS = (CaptionKind.DESCRIPTION, CaptionKind.ALT_TEXT, CaptionKind.EXTENDED_DESCRIPTION)
KIND_NAMES = {CaptionKind.DESCRIPTION: QT_TRANSLATE_NOOP("KindSwitch", "Description"),
              CaptionKind.ALT_TEXT: QT_TRANSLATE_NOOP("KindSwitch", "Alt text"),
              CaptionKind.EXTENDED_DESCRIPTION: QT_TRANSLATE_NOOP("KindSwitch", "Extended description")}
# The Review menu's words for the keys (title case, as the menu's other actions).
KIND_ACTIONS = {CaptionKind.DESCRIPTION: QT_TRANSLATE_NOOP("KindSwitch", "Review Description"),
                CaptionKind.ALT_TEXT: QT_TRANSLATE_NOOP("KindSwitch", "Review Alt Text"),
                CaptionKind.EXTENDED_DESCRIPTION: QT_TRANSLATE_NOOP("KindSwitch",
                                                                    "Review Extended Description")}
KIND_TIPS = {
    CaptionKind.DESCRIPTION: QT_TRANSLATE_NOOP("KindSwitch", "Review the photo's description: the caption "
                                                             "that search, exports and the grid show "
                                                             "(Ctrl+1)"),
    CaptionKind.ALT_TEXT: QT_TRANSLATE_NOOP("KindSwitch", "Review the photo's alt text, read by screen "
                                                          "readers in its place: at most 250 characters "
                                                          "(Ctrl+2)"),
    CaptionKind.EXTENDED_DESCRIPTION: QT_TRANSLATE_NOOP(
        "KindSwitch", "Review the photo's extended description: the longer text for those who cannot see "
                      "it, when alt text is not enough (Ctrl+3)"),
}


def kind_name(kind: CaptionKind) -> str:
    """``Alt text``, in the user's language."""
    return translate("KindSwitch", KIND_NAMES[kind])


class KindSwitch(QWidget):
    """``kind_chosen(kind)`` when the user picks a kind (a button or its key); ``set_kind`` does not
    emit it. ``actions`` are the keys (Ctrl+1/2/3), for the pane and the Review menu."""

    kind_chosen = Signal(object)  # CaptionKind

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("kindSwitch")
        self.setAccessibleName(self.tr("Caption kind"))
        layout = FlowLayout(spacing=4)  # wraps at large text sizes rather than cutting words off
        self.setLayout(layout)
        layout.setContentsMargins(0, 0, 0, 0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[CaptionKind, QPushButton] = {}
        self.actions_group = QActionGroup(self)
        self.actions_group.setExclusive(True)
        self.actions: list[QAction] = []
        for number, kind in enumerate(KINDS, 1):
            button = QPushButton(kind_name(kind))
            button.setObjectName(f"kindButton-{kind.value}")
            button.setCheckable(True)
            button.setToolTip(self.tr(KIND_TIPS[kind]))
            button.clicked.connect(lambda _checked=False, chosen=kind: self._choose(chosen))
            self.group.addButton(button)
            layout.addWidget(button)
            self.buttons[kind] = button
            action = QAction(self.tr(KIND_ACTIONS[kind]), self)
            action.setObjectName(f"kindAction-{kind.value}")
            action.setCheckable(True)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(self.tr(KIND_TIPS[kind]))
            action.triggered.connect(lambda _checked=False, chosen=kind: self._choose(chosen))
            self.actions_group.addAction(action)
            self.actions.append(action)
        self._kind = CaptionKind.DESCRIPTION
        self.set_kind(CaptionKind.DESCRIPTION)

    def kind(self) -> CaptionKind:
        return self._kind

    def set_kind(self, kind: CaptionKind) -> None:
        """Show ``kind`` as chosen (without ``kind_chosen``)."""
        self._kind = kind
        self.buttons[kind].setChecked(True)
        self.actions[KINDS.index(kind)].setChecked(True)
        for shown, button in self.buttons.items():
            # In bold as well as filled (not by colour alone); a font of its own, so that the button is
            # sized for the bold text (a style sheet's font-weight is not), its size still the window's.
            weight = QFont()
            weight.setBold(shown is kind)
            button.setFont(weight)

    def set_states(self, states: dict[CaptionKind, str]) -> None:
        """Each kind's current caption in words (``Approved``, ``No text yet``): said with its button."""
        for kind, button in self.buttons.items():
            button.setAccessibleDescription(states.get(kind, ""))

    def _choose(self, kind: CaptionKind) -> None:
        self.set_kind(kind)  # a click on the chosen button must not uncheck it; a key moves the buttons
        self.kind_chosen.emit(kind)
