"""The keyboard review flow's actions (approve and next, reject and next, edit, drop edit, previous and
next photo, undo, redo, regenerate), made once for the review box; the window adds them to its menus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

translate = QCoreApplication.translate


def _action(owner: QObject, text: str, shortcuts: list[QKeySequence], tip: str,
            slot: Callable[[], object]) -> QAction:
    made = QAction(text, owner)
    made.setShortcuts(shortcuts)
    made.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    made.setToolTip(tip)
    made.triggered.connect(slot)
    return made


class ReviewActions:
    """The review box's actions. ``window_wide`` ones work wherever the pane is shown (it adds them);
    Drop Edit (Esc) works inside the editor only."""

    def __init__(self, owner: QObject, *, decide: Callable[[bool, bool], None], edit: Callable[[], None],
                 move: Callable[[int], None], undo: Callable[[], None], redo: Callable[[], None],
                 regenerate: Callable[[], None], drop_edit: Callable[[], None]) -> None:
        """``decide(approve, advance)`` approves or rejects; ``move(step)`` shows another photo."""
        ctrl, shift, alt = Qt.Modifier.CTRL, Qt.Modifier.SHIFT, Qt.Modifier.ALT
        self.approve_and_next = _action(
            owner, translate("ReviewActions", "Approve and Next"),
            [QKeySequence(ctrl | Qt.Key.Key_Return), QKeySequence(ctrl | Qt.Key.Key_Enter)],
            translate("ReviewActions", "Approve the caption as it reads and go to the next photo needing "
                                       "review"),
            lambda: decide(True, True))
        self.reject_and_next = _action(
            owner, translate("ReviewActions", "Reject and Next"),
            [QKeySequence(ctrl | shift | Qt.Key.Key_Backspace)],
            translate("ReviewActions", "Reject the caption and go to the next photo needing review"),
            lambda: decide(False, True))
        self.edit = _action(owner, translate("ReviewActions", "Edit Caption"), [QKeySequence(Qt.Key.Key_F2)],
                            translate("ReviewActions", "Put the cursor in the caption"), edit)
        self.previous = _action(owner, translate("ReviewActions", "Previous Photo"),
                                [QKeySequence(alt | Qt.Key.Key_Up)],
                                translate("ReviewActions", "Show the previous photo"), lambda: move(-1))
        self.next = _action(owner, translate("ReviewActions", "Next Photo"),
                            [QKeySequence(alt | Qt.Key.Key_Down)],
                            translate("ReviewActions", "Show the next photo"), lambda: move(1))
        self.undo = _action(owner, translate("ReviewActions", "Undo"), [QKeySequence(ctrl | Qt.Key.Key_Z)],
                            translate("ReviewActions", "Undo the last caption change (a new revision)"), undo)
        self.redo = _action(owner, translate("ReviewActions", "Redo"),
                            [QKeySequence(ctrl | shift | Qt.Key.Key_Z), QKeySequence(ctrl | Qt.Key.Key_Y)],
                            translate("ReviewActions", "Redo the caption change undone last"), redo)
        self.regenerate = _action(owner, translate("ReviewActions", "Regenerate"), [], "", regenerate)
        self.drop_edit = QAction(translate("ReviewActions", "Drop Edit"), owner)
        self.drop_edit.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.drop_edit.setToolTip(translate("ReviewActions", "Forget the text typed since the caption was "
                                                             "last saved"))
        self.drop_edit.triggered.connect(drop_edit)

    def review_flow(self) -> list[QAction]:
        """The keyboard review flow, for the window's menus (Review and Edit)."""
        return [self.approve_and_next, self.reject_and_next, self.edit, self.drop_edit, self.previous,
                self.next, self.undo, self.redo]

    def window_wide(self) -> list[QAction]:
        return [self.approve_and_next, self.reject_and_next, self.edit, self.previous, self.next,
                self.undo, self.redo, self.regenerate]
