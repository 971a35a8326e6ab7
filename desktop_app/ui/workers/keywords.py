"""The keyword worker: a photo's keywords read, every keyword action an editor takes (add, remove, accept,
reject, on one photo or a selection), their undo and redo, type-ahead completion and the Keywords panel's
tree, all on a QThread of its own ("keywords"), through the keyword services (services/keywords.py,
services/keyword_browse.py) the command line uses too.

Undo and redo: each action is a command on the window's undo stack (the one caption changes use, so
Ctrl+Z undoes the last change of either); the worker's KeywordReviewer keeps the before/after states and
writes a new revision for each undo and redo. Actions carry the keyword and revision the pane showed:
one another writer changed since is refused (``conflict`` says who, when and how) and the photo's fresh
keywords follow, so nothing anyone wrote is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from itertools import count

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop_app.catalogue import Catalogue
from desktop_app.catalogue.keyword_rules import AmbiguousTerm, KeywordBasedOn, KeywordConflict
from desktop_app.search.term_completion import TermCompleter
from desktop_app.services import keyword_browse
from desktop_app.services.keywords import (
    ACCEPT,
    ADD,
    REJECT,
    REMOVE,
    KeywordReviewer,
    photo_keyword_views,
)
from desktop_app.ui.workers.threaded import Service, Worker, request

log = logging.getLogger(__name__)


class KeywordWorker(Worker):
    loaded = Signal(int, int, object)  # request token, photo id, [KeywordView]
    resolved = Signal(int, int, str)  # request token, term id, its preferred label
    ambiguous = Signal(int, str, object)  # request token, the label, [vocabulary names]
    completions = Signal(int, object)  # request token, [Completion]
    children = Signal(int, object, object, bool)  # token, (kind, id) of the parent, [TreeNode], more to come
    found = Signal(int, object)  # request token, [TreeNode] a filter text found
    counts = Signal(int, object)  # request token, {term id: photos}
    changed = Signal(object)  # [photo id] whose keywords changed
    conflict = Signal(object, str)  # [photo id], the one line saying who changed the keyword since

    def __init__(self) -> None:
        super().__init__()
        self.reviewer: KeywordReviewer | None = None
        self.completer = TermCompleter()  # built at the first completion, rebuilt as the terms change

    @request(QT_TRANSLATE_NOOP("Worker", "cannot use the catalogue"))
    def open(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.reviewer = KeywordReviewer(catalogue)  # a new editor: the undo history was the other catalogue's
        self.completer = TermCompleter()

    @request(QT_TRANSLATE_NOOP("Worker", "cannot read the photo's keywords"))
    def load(self, token: int, photo_id: int) -> None:
        self.loaded.emit(token, photo_id, photo_keyword_views(self.require_catalogue(), photo_id))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot find the keyword {1}"))
    def resolve(self, token: int, label: str, vocabulary: str | None) -> None:
        """The term ``label`` names (a synonym resolves to its term); a free keyword is made when no
        vocabulary has it; ``ambiguous`` when several do and none is named."""
        try:
            term_id = self._reviewer().resolve(label, vocabulary, create_free=True)
        except AmbiguousTerm as exc:
            self.ambiguous.emit(token, exc.label, exc.vocabularies)
            return
        found = keyword_browse.term_label(self.require_catalogue(), term_id)
        self.resolved.emit(token, term_id, found or label)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot complete the keyword"))
    def complete(self, token: int, text: str) -> None:
        self.completions.emit(token, keyword_browse.complete(self.require_catalogue(), text, self.completer))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot list the keywords"))
    def list_children(self, token: int, parent: tuple[str, int | None] | None, offset: int) -> None:
        catalogue = self.require_catalogue()
        if parent is None:
            self.children.emit(token, None, keyword_browse.vocabulary_nodes(catalogue), False)
            return
        nodes, more = keyword_browse.child_nodes(catalogue, parent[0], parent[1], offset)
        self.children.emit(token, parent, nodes, more)

    @request(QT_TRANSLATE_NOOP("Worker", "cannot find keywords"))
    def find(self, token: int, text: str) -> None:
        self.found.emit(token, keyword_browse.find_nodes(self.require_catalogue(), text))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot count the keywords' photos"))
    def count(self, token: int, term_ids: list[int]) -> None:
        self.counts.emit(token, keyword_browse.term_counts(self.require_catalogue(), term_ids))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot change the keyword"))
    def apply(self, key: int, photo_ids: list[int], term_id: int, action: str,
              based_on: dict[int, KeywordBasedOn] | None) -> None:
        reviewer = self._reviewer()
        if action == REMOVE:  # from the photos of a selection that have it
            photo_ids = keyword_browse.photos_having(self.require_catalogue(), photo_ids, term_id)
        self._write(photo_ids, lambda: [view.photo_id for view in
                                        reviewer.apply(key, photo_ids, term_id, action, based_on)])

    @request(QT_TRANSLATE_NOOP("Worker", "cannot undo {2}"))
    def undo(self, key: int, photo_ids: list[int], label: str) -> None:
        self._write(photo_ids, lambda: self._reviewer().undo(key, label))

    @request(QT_TRANSLATE_NOOP("Worker", "cannot redo {2}"))
    def redo(self, key: int, photo_ids: list[int], label: str) -> None:
        self._write(photo_ids, lambda: self._reviewer().redo(key, label))

    # -- helpers ---------------------------------------------------------------------------------------

    def _reviewer(self) -> KeywordReviewer:
        if self.reviewer is None:
            self.require_catalogue()  # says that none is open
        assert self.reviewer is not None
        return self.reviewer

    def _write(self, photo_ids: Sequence[int], write: Callable[[], list[int]]) -> None:
        try:
            written = write()
        except KeywordConflict as exc:
            log.info("keyword change refused: %s", exc)
            self.conflict.emit(list(photo_ids), str(exc))
            self.changed.emit(list(photo_ids))  # the fresh keywords: what the other writer left
            return
        self.changed.emit(list(dict.fromkeys(written)))


class KeywordCommand(QUndoCommand):
    """One keyword action on the undo stack; the worker's KeywordReviewer holds its before/after states."""

    def __init__(self, service: KeywordService, photo_ids: list[int], term_id: int, label: str,
                 action: str, based_on: dict[int, KeywordBasedOn] | None) -> None:
        words = QCoreApplication.translate("KeywordService", _LABELS[action]).format(keyword=label)
        if len(photo_ids) > 1:
            words = QCoreApplication.translate("KeywordService", "{change} on {count} photos").format(
                change=words, count=len(photo_ids))
        super().__init__(words)
        self.service, self.key = service, service.token()
        self.photo_ids, self.term_id, self.action, self.based_on = photo_ids, term_id, action, based_on
        self._applied = False

    def redo(self) -> None:
        worker = self.service.worker
        if not self._applied:  # QUndoStack.push runs redo(): the action itself
            self._applied = True
            self.service.call(worker.apply, self.key, self.photo_ids, self.term_id, self.action,
                              self.based_on)
        else:
            self.service.call(worker.redo, self.key, self.photo_ids, self.text())

    def undo(self) -> None:
        self.service.call(self.service.worker.undo, self.key, self.photo_ids, self.text())


# The undo stack's names of the actions (Undo Add keyword “Dogs”), marked for lupdate.
_LABELS = {ADD: QT_TRANSLATE_NOOP("KeywordService", "Add keyword “{keyword}”"),
           REMOVE: QT_TRANSLATE_NOOP("KeywordService", "Remove keyword “{keyword}”"),
           ACCEPT: QT_TRANSLATE_NOOP("KeywordService", "Accept keyword “{keyword}”"),
           REJECT: QT_TRANSLATE_NOOP("KeywordService", "Reject keyword “{keyword}”")}


class KeywordService(Service):
    """The window's handle on the keyword worker. Its signals are the worker's, on the GUI thread; each
    read returns its request's token, which its answer carries back. Actions go on ``undo_stack`` (the
    review service's, shared), or a stack of its own when none is given."""

    loaded = Signal(int, int, object)
    resolved = Signal(int, int, str)
    ambiguous = Signal(int, str, object)
    completions = Signal(int, object)
    children = Signal(int, object, object, bool)
    found = Signal(int, object)
    counts = Signal(int, object)
    changed = Signal(object)
    conflict = Signal(object, str)
    failed = Signal(str)

    def __init__(self, undo_stack: QUndoStack | None = None, parent: QObject | None = None) -> None:
        worker = KeywordWorker()
        super().__init__(worker, "keywords", parent)
        self.worker = worker
        self._tokens = count(1)
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)

    def token(self) -> int:
        return next(self._tokens)

    def _ask(self, method: Callable[..., None], *args: object) -> int:
        token = self.token()
        self.call(method, token, *args)
        return token

    # -- reads ---------------------------------------------------------------------------------------------

    def load(self, photo_id: int) -> int:
        return self._ask(self.worker.load, photo_id)

    def resolve(self, label: str, vocabulary: str | None = None) -> int:
        return self._ask(self.worker.resolve, label, vocabulary)

    def complete(self, text: str) -> int:
        return self._ask(self.worker.complete, text)

    def list_children(self, parent: tuple[str, int | None] | None, offset: int = 0) -> int:
        """The tree's top level (``parent`` None), or a page of a node's children."""
        return self._ask(self.worker.list_children, parent, offset)

    def find(self, text: str) -> int:
        return self._ask(self.worker.find, text)

    def count(self, term_ids: list[int]) -> int:
        return self._ask(self.worker.count, term_ids)

    # -- actions (undoable) --------------------------------------------------------------------------------

    def act(self, photo_ids: Sequence[int], term_id: int, label: str, action: str,
            based_on: dict[int, KeywordBasedOn] | None = None) -> None:
        """``action`` (ADD, REMOVE, ACCEPT, REJECT) on the keyword ``term_id`` of every photo in
        ``photo_ids``: one step on the undo stack."""
        self.undo_stack.push(KeywordCommand(self, list(photo_ids), term_id, label, action, based_on))
