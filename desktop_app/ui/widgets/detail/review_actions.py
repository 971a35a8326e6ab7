"""The keyboard review flow's actions (approve and next, reject and next, edit, drop edit, previous and
next photo, undo, redo, regenerate), made once for the review box; the window adds them to its menus."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence


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
            owner, "Approve and Next",
            [QKeySequence(ctrl | Qt.Key.Key_Return), QKeySequence(ctrl | Qt.Key.Key_Enter)],
            "Approve the caption as it reads and go to the next photo needing review",
            lambda: decide(True, True))
        self.reject_and_next = _action(
            owner, "Reject and Next", [QKeySequence(ctrl | shift | Qt.Key.Key_Backspace)],
            "Reject the caption and go to the next photo needing review", lambda: decide(False, True))
        self.edit = _action(owner, "Edit Caption", [QKeySequence(Qt.Key.Key_F2)],
                            "Put the cursor in the caption", edit)
        self.previous = _action(owner, "Previous Photo", [QKeySequence(alt | Qt.Key.Key_Up)],
                                "Show the previous photo", lambda: move(-1))
        self.next = _action(owner, "Next Photo", [QKeySequence(alt | Qt.Key.Key_Down)],
                            "Show the next photo", lambda: move(1))
        self.undo = _action(owner, "Undo", [QKeySequence(ctrl | Qt.Key.Key_Z)],
                            "Undo the last caption change (a new revision)", undo)
        self.redo = _action(owner, "Redo", [QKeySequence(ctrl | shift | Qt.Key.Key_Z),
                                          QKeySequence(ctrl | Qt.Key.Key_Y)],
                            "Redo the caption change undone last", redo)
        self.regenerate = _action(owner, "Regenerate", [], "", regenerate)
        self.drop_edit = QAction("Drop Edit", owner)
        self.drop_edit.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.drop_edit.setToolTip("Forget the text typed since the caption was last saved")
        self.drop_edit.triggered.connect(drop_edit)

    def review_flow(self) -> list[QAction]:
        """The keyboard review flow, for the window's menus (Review and Edit)."""
        return [self.approve_and_next, self.reject_and_next, self.edit, self.drop_edit, self.previous,
                self.next, self.undo, self.redo]

    def window_wide(self) -> list[QAction]:
        return [self.approve_and_next, self.reject_and_next, self.edit, self.previous, self.next,
                self.undo, self.redo, self.regenerate]
