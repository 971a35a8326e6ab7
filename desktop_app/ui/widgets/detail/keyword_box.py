"""The detail pane's Keywords section: the shown photo's keywords as chips (keyword_chips.py), rejected ones
behind a "Show rejected" toggle, the entry that adds one (keyword_entry.py) to the photo or to every photo
selected in the grid, and the keys of the keyword review: K accepts the focused (else the first)
suggestion, Shift+K rejects it, Ctrl+Shift+K accepts every suggestion shown (one undo step), Ctrl+K puts
the cursor in the entry, Delete on a chip removes it. Every action goes through the keyword worker and
the window's undo stack; a refused one (another writer changed the keyword) says so here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from desktop_app.catalogue.models import KeywordState
from desktop_app.services.keywords import ACCEPT, ADD, REJECT, REMOVE, KeywordView
from desktop_app.ui import wording
from desktop_app.ui.accessibility import announce
from desktop_app.ui.widgets.detail.keyword_chips import KeywordChip
from desktop_app.ui.widgets.detail.keyword_entry import KeywordEntry
from desktop_app.ui.widgets.detail.style import NOTICE_STYLE, heading
from desktop_app.ui.widgets.flow_layout import FlowLayout
from desktop_app.ui.workers.keywords import KeywordService

HIDDEN = (KeywordState.REJECTED,)  # behind the toggle; withdrawn ones are as if never added
NEVER_SHOWN = (KeywordState.WITHDRAWN,)


class KeywordBox(QWidget):
    """Without a KeywordService it stays hidden. ``selection()`` gives the photos selected in the grid:
    an added or removed keyword applies to all of them when the shown photo is one of several."""

    def __init__(self, service: KeywordService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keywordBox")
        self.service = service
        self.photo_id: int | None = None
        self.views: list[KeywordView] = []
        self.selection: Callable[[], list[int]] = lambda: []
        self._editable = False
        self._load_token = 0
        self._resolving: dict[int, list[int]] = {}  # resolve token -> the photos the keyword goes to
        self._focus_term: int | None = None  # the chip to focus again once the photo's keywords reload

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(heading(self.tr("Keywords")))
        self.empty = QLabel(self.tr("No keywords yet: type one below."))
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout.addWidget(self.empty)
        self.chips_area = QWidget()
        self.chips_area.setObjectName("keywordChips")
        self.chips_area.setAccessibleName(self.tr("Keywords of this photo"))
        self.chips = FlowLayout(self.chips_area, spacing=6)
        layout.addWidget(self.chips_area)
        self.show_rejected = QToolButton()
        self.show_rejected.setObjectName("showRejectedKeywords")
        self.show_rejected.setCheckable(True)
        self.show_rejected.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.show_rejected.toggled.connect(self._rebuild)
        layout.addWidget(self.show_rejected, 0, Qt.AlignmentFlag.AlignLeft)
        self.alert = QLabel()
        self.alert.setObjectName("keywordAlert")
        self.alert.setWordWrap(True)
        self.alert.setStyleSheet(NOTICE_STYLE)
        self.alert.hide()
        layout.addWidget(self.alert)
        self.entry = KeywordEntry(service)
        self.entry.setAccessibleName(self.tr("Add a keyword"))
        self.entry.chosen.connect(self._add_term)
        self.entry.typed.connect(self._add_text)
        layout.addWidget(self.entry)
        hints = QLabel(self.tr("K accept · Shift+K reject · Ctrl+Shift+K accept all · Delete remove · "
                               "Ctrl+K add a keyword"))
        hints.setWordWrap(True)
        hints.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = hints.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        hints.setFont(small)
        layout.addWidget(hints)

        self.accept_action = self._action(self.tr("Accept Keyword"), "K",
                                          self.tr("Accept the focused keyword suggestion, else the first"),
                                          lambda: self.decide(ACCEPT))
        self.reject_action = self._action(self.tr("Reject Keyword"), "Shift+K",
                                          self.tr("Reject the focused keyword suggestion, else the first"),
                                          lambda: self.decide(REJECT))
        self.accept_all_action = self._action(self.tr("Accept All Keywords"), "Ctrl+Shift+K",
                                              self.tr("Accept every keyword suggestion shown"),
                                              self.accept_all)
        self.add_action = self._action(self.tr("Add Keyword"), "Ctrl+K",
                                       self.tr("Put the cursor in the keyword entry"), self.focus_entry)
        if service is not None:
            service.loaded.connect(self._on_loaded)
            service.changed.connect(self._on_changed)
            service.conflict.connect(self._on_conflict)
            service.resolved.connect(self._on_resolved)
            service.ambiguous.connect(self._on_ambiguous)
            service.completions.connect(self.entry.show_offers)
        self.show_photo(None, editable=False)

    def actions_(self) -> list[QAction]:
        """The keys of the keyword review, for the pane (window-wide while it shows) and the menus."""
        return [self.accept_action, self.reject_action, self.accept_all_action, self.add_action]

    def _action(self, text: str, keys: str, tip: str, slot: Callable[[], None]) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    # -- what the pane calls -----------------------------------------------------------------------

    def show_photo(self, photo_id: int | None, *, editable: bool) -> None:
        """Show ``photo_id``'s keywords (loaded off the GUI thread); None: no photo."""
        self._editable = editable and self.service is not None
        if photo_id == self.photo_id and photo_id is not None:
            self._update_enabled()
            return
        self.photo_id = photo_id
        self.views = []
        self.alert.hide()
        self.setVisible(self.service is not None and photo_id is not None)
        self._rebuild()
        if photo_id is not None and self.service is not None:
            self._load_token = self.service.load(photo_id)

    def reload(self) -> None:
        if self.photo_id is not None and self.service is not None:
            self._load_token = self.service.load(self.photo_id)

    def selection_changed(self) -> None:
        targets = self._targets()
        self.entry.setPlaceholderText(
            self.tr("Add a keyword to {photos}…").format(photos=wording.photos(len(targets)))
            if len(targets) > 1 else self.tr("Add a keyword…"))

    def shown_chips(self) -> list[KeywordChip]:
        return [item.widget() for item in (self.chips.itemAt(n) for n in range(self.chips.count()))
                if item is not None and isinstance(item.widget(), KeywordChip)]

    # -- actions -----------------------------------------------------------------------------------

    def decide(self, action: str) -> None:
        """Accept or reject the focused suggestion, else the first one shown."""
        chip = self._target_suggestion()
        if chip is None:
            return
        if chip is QApplication.focusWidget():  # the keyboard goes on to the next suggestion
            later = [other for other in self.shown_chips() if other.view.state is KeywordState.SUGGESTED
                     and other is not chip]
            self._focus_term = later[0].view.term_id if later else None
        self._act(chip.view, action)

    def accept_all(self) -> None:
        suggestions = [chip.view for chip in self.shown_chips() if chip.view.state is KeywordState.SUGGESTED]
        if not suggestions or self.service is None or not self._editable:
            return
        stack = self.service.undo_stack
        stack.beginMacro(self.tr("Accept {count} keywords").format(count=wording.number(len(suggestions))))
        try:
            for view in suggestions:
                self._act(view, ACCEPT)
        finally:
            stack.endMacro()

    def focus_entry(self) -> None:
        if self.isVisible() and self.entry.isEnabled():
            self.entry.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _target_suggestion(self) -> KeywordChip | None:
        focused = QApplication.focusWidget()
        if isinstance(focused, KeywordChip) and focused in self.shown_chips() \
                and focused.view.state is KeywordState.SUGGESTED:
            return focused
        return next((chip for chip in self.shown_chips() if chip.view.state is KeywordState.SUGGESTED), None)

    @Slot(object, str)
    def _act(self, view: KeywordView, action: str) -> None:
        if self.service is None or self.photo_id is None or not self._editable:
            return
        self.alert.hide()
        photo_ids = [self.photo_id]
        if action in (ADD, REMOVE):  # a selection's keyword changes on all of it
            photo_ids = self._targets()
        based_on = {self.photo_id: view.based_on}
        self.service.act(photo_ids, view.term_id, view.label, action, based_on)

    def _add_term(self, term_id: int, label: str) -> None:
        if self.service is None or self.photo_id is None or not self._editable:
            return
        self.alert.hide()
        self.service.act(self._targets(), term_id, label, ADD)

    def _add_text(self, text: str, vocabulary: str | None = None) -> None:
        if self.service is None or self.photo_id is None or not self._editable:
            return
        self._resolving[self.service.resolve(text, vocabulary)] = self._targets()

    def _targets(self) -> list[int]:
        if self.photo_id is None:
            return []
        selected = self.selection()
        return selected if self.photo_id in selected and len(selected) > 1 else [self.photo_id]

    # -- answers -----------------------------------------------------------------------------------

    def _on_loaded(self, token: int, photo_id: int, views: list[KeywordView]) -> None:
        if token != self._load_token or photo_id != self.photo_id:
            return
        self.views = views
        self._rebuild()

    def _on_changed(self, photo_ids: list[int]) -> None:
        if self.photo_id in photo_ids:
            self.reload()

    def _on_conflict(self, photo_ids: list[int], message: str) -> None:
        if self.photo_id not in photo_ids:
            return
        # ``message`` is the keyword service's (English, shared with the command line).
        self.alert.setText(self.tr("Not applied: {reason}. The keywords now read as shown.").format(
            reason=message))
        self.alert.show()
        announce(self, self.alert.text(), assertive=True)

    def _on_resolved(self, token: int, term_id: int, label: str) -> None:
        targets = self._resolving.pop(token, None)
        if targets is not None and self.service is not None:
            self.service.act(targets, term_id, label, ADD)

    def _on_ambiguous(self, token: int, label: str, vocabularies: list[str]) -> None:
        targets = self._resolving.pop(token, None)
        if targets is None:
            return
        self.ambiguity = QMenu(self)  # kept: the test (and a screen reader) find it while it is open
        self.ambiguity.setTitle(self.tr("“{label}” is in several vocabularies: which one?").format(
            label=label))
        self.ambiguity.setToolTipsVisible(True)
        for name in vocabularies:
            chosen = self.ambiguity.addAction(name)
            chosen.triggered.connect(lambda _checked=False, vocabulary=name: self._resolve_in(
                label, vocabulary, targets))
        announce(self, self.ambiguity.title(), assertive=True)
        self.ambiguity.popup(self.entry.mapToGlobal(self.entry.rect().bottomLeft()))

    def _resolve_in(self, label: str, vocabulary: str, targets: list[int]) -> None:
        if self.service is not None:
            self._resolving[self.service.resolve(label, vocabulary)] = targets

    # -- what is shown -----------------------------------------------------------------------------

    @Slot()
    def _rebuild(self) -> None:
        focused = QApplication.focusWidget()
        on_chip = isinstance(focused, KeywordChip) and focused in self.shown_chips()
        refocus = self._focus_term if self._focus_term is not None or not on_chip else focused.view.term_id
        self._focus_term = None
        while self.chips.count():
            item = self.chips.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        hidden = [view for view in self.views if view.state in HIDDEN]
        shown = [view for view in self.views if view.state not in NEVER_SHOWN
                 and (view.state not in HIDDEN or self.show_rejected.isChecked())]
        # Suggestions first, most confident first: what the keys work through.
        shown.sort(key=lambda view: (view.state is not KeywordState.SUGGESTED, -(view.confidence or 0)
                                     if view.state is KeywordState.SUGGESTED else 0, view.label.casefold()))
        for view in shown:
            chip = KeywordChip(view, self._editable)
            chip.action_requested.connect(self._act)
            self.chips.addWidget(chip)
            if on_chip and view.term_id == refocus:
                chip.setFocus(Qt.FocusReason.OtherFocusReason)
        self.chips_area.setVisible(bool(shown))
        self.empty.setVisible(not shown)
        self.show_rejected.setVisible(bool(hidden))
        self.show_rejected.setText(
            (self.tr("Hide rejected ({count})") if self.show_rejected.isChecked()
             else self.tr("Show rejected ({count})")).format(count=wording.number(len(hidden))))
        self._update_enabled()

    def _update_enabled(self) -> None:
        suggestions = any(view.state is KeywordState.SUGGESTED for view in self.views)
        for action in (self.accept_action, self.reject_action, self.accept_all_action):
            action.setEnabled(self._editable and suggestions)
        self.add_action.setEnabled(self._editable)
        self.entry.setEnabled(self._editable)
        self.selection_changed()
