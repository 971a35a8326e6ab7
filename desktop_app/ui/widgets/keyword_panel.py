"""The sidebar's Keywords panel: the vocabularies, their terms by hierarchy, the keywords found in files and
the free keywords, each with the number of photos that have it accepted (the term itself; choosing it
shows its narrower terms' photos too). The tree is read a level, and a page of 500 terms, at a time as
it is expanded or scrolled (QAbstractItemModel.fetchMore), so a 50,000-term vocabulary never stalls the
window; the filter box lists the terms whose label or synonym holds the text. Choosing a term filters
the grid to the photos with it or a narrower term; Show All Photos (or choosing a vocabulary) clears it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractItemModel,
    QCoreApplication,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.catalogue.keyword_rules import FROM_FILES_VOCABULARY
from desktop_app.catalogue.models import KeywordState
from desktop_app.services.keyword_browse import FREE, TERM, VOCABULARY, TreeNode
from desktop_app.ui import wording
from desktop_app.ui.workers.keywords import KeywordService

translate = QCoreApplication.translate

FILTER_DELAY_MS = 250
TREE_HINT_ROWS = 4  # the filter asks once typing pauses
Index = QModelIndex | QPersistentModelIndex
NO_INDEX = QModelIndex()  # the root's index, as the default argument Qt's C++ signatures have


class _Node:
    """A row of the tree as the model holds it, with its children as far as they are loaded."""

    def __init__(self, data: TreeNode | None, parent: _Node | None) -> None:
        self.data, self.parent = data, parent
        self.children: list[_Node] = []
        self.loaded = data is not None and not data.has_children  # a leaf has nothing to load
        self.more = False  # a page loaded, more to come
        self.asked = False  # a page asked for and not yet answered

    def key(self) -> tuple[str, int | None] | None:
        return (self.data.kind, self.data.id) if self.data is not None else None

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent is not None else 0


class KeywordTreeModel(QAbstractItemModel):
    """The tree (or, while the filter has text, the terms it found as a flat list), fetched from the
    keyword worker as the view asks for more. ``top_listed`` once the top level has been read."""

    top_listed = Signal()

    def __init__(self, service: KeywordService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self._tree = _Node(None, None)
        self._found = _Node(None, None)
        self._found.loaded = True
        self._root = self._tree
        self._asked: dict[int, _Node] = {}
        self._find_token = 0
        self._open = False  # nothing is read before a catalogue is open (reload)
        if service is not None:
            service.children.connect(self._on_children)
            service.found.connect(self._on_found)
            service.counts.connect(self._on_counts)

    # -- what the panel calls -----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the tree again from the top (a catalogue opened, a vocabulary imported)."""
        self._open = True
        self.beginResetModel()
        self._tree = _Node(None, None)
        self._asked.clear()
        if self._root is not self._found:
            self._root = self._tree
        self.endResetModel()
        self._fetch(self._tree)

    def refresh_counts(self) -> None:
        """Photo counts again (keywords changed): the vocabularies' and those of the terms loaded."""
        if self.service is None or not self._open:
            return
        ids = [node.data.id for node in self._walk(self._tree) if node.data is not None
               and node.data.kind == TERM and node.data.id is not None]
        ids += [node.data.id for node in self._found.children if node.data is not None and node.data.id]
        if ids:
            self.service.count(list(dict.fromkeys(ids)))
        token = self.service.list_children(None)
        self._asked[token] = self._tree  # the top level again: its counts are updated in place

    def set_filter(self, text: str) -> None:
        text = text.strip()
        if not text:
            self._find_token = 0
            if self._root is not self._tree:
                self.beginResetModel()
                self._root = self._tree
                self.endResetModel()
            return
        if self.service is not None and self._open:
            self._find_token = self.service.find(text)

    def filtering(self) -> bool:
        return self._root is self._found

    def node(self, index: Index) -> TreeNode | None:
        found = self._node(index)
        return found.data if found is not None else None

    def _walk(self, node: _Node) -> list[_Node]:
        found, pending = [], list(node.children)
        while pending:
            current = pending.pop()
            found.append(current)
            pending.extend(current.children)
        return found

    # -- QAbstractItemModel --------------------------------------------------------------------------

    def _node(self, index: Index) -> _Node | None:
        if not index.isValid():
            return self._root
        return index.internalPointer()  # type: ignore[no-any-return]

    def index(self, row: int, column: int, parent: Index = NO_INDEX) -> QModelIndex:
        node = self._node(parent)
        if node is None or not 0 <= row < len(node.children) or not 0 <= column < 2:
            return QModelIndex()
        return self.createIndex(row, column, node.children[row])

    def parent(self, index: Index = NO_INDEX) -> QModelIndex:  # type: ignore[override]
        node = self._node(index) if index.isValid() else None
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row(), 0, node.parent)

    def rowCount(self, parent: Index = NO_INDEX) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent)
        return len(node.children) if node is not None else 0

    def columnCount(self, _parent: Index = NO_INDEX) -> int:
        return 2

    def hasChildren(self, parent: Index = NO_INDEX) -> bool:
        node = self._node(parent)
        if node is None or (parent.isValid() and parent.column() != 0):
            return False
        return bool(node.children) or (node.data is None and not node.loaded) or (
            node.data is not None and node.data.has_children)

    def canFetchMore(self, parent: Index) -> bool:
        node = self._node(parent)
        return node is not None and node is not self._found and (not node.loaded or node.more) \
            and not node.asked and self.service is not None and self._open

    def fetchMore(self, parent: Index) -> None:
        node = self._node(parent)
        if node is not None and self.canFetchMore(parent):
            self._fetch(node)

    def _fetch(self, node: _Node) -> None:
        if self.service is None or node.asked:
            return
        node.asked = True
        self._asked[self.service.list_children(node.key(), len(node.children))] = node

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None or node.data is None:
            return None
        data = node.data
        name = self._name(data)
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 1:
                return wording.number(data.photos) if data.photos else ""
            if self.filtering() and len(data.path) > 1:
                return self.tr("{label} ({path})").format(label=name, path=" › ".join(data.path[:-1]))
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [" › ".join(data.path)] if len(data.path) > 1 else []
            if data.kind == TERM and data.vocabulary is not None and self.filtering():
                lines.append(self.tr("Vocabulary: {name}").format(name=data.vocabulary))
            if data.kind == TERM:
                lines.append(self.tr("{photos} with this keyword accepted; choosing it also shows the photos "
                                     "of its narrower terms").format(photos=wording.photos(data.photos)))
            else:
                lines.append(self.tr("{photos} with a keyword of it accepted").format(
                    photos=wording.photos(data.photos)))
            return "\n".join(lines)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self.tr("{name}, {photos}").format(name=name, photos=wording.photos(data.photos))
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _name(self, data: TreeNode) -> str:
        if data.kind == FREE:
            return self.tr("Free keywords")
        if data.kind == VOCABULARY and data.label == FROM_FILES_VOCABULARY:
            return self.tr("From files")
        return data.label

    # -- answers ------------------------------------------------------------------------------------

    @Slot(int, object, object, bool)
    def _on_children(self, token: int, _parent: object, nodes: list[TreeNode], more: bool) -> None:
        node = self._asked.pop(token, None)
        if node is None:
            return
        node.asked = False
        if node is self._tree and node.loaded:  # the top level read again: counts, new vocabularies
            self._update_top(nodes)
            return
        if node is self._tree:
            QTimer.singleShot(0, self.top_listed.emit)  # once its rows are in
        node.loaded, node.more = True, more
        if not nodes:
            if node.data is not None and not node.children:
                self._changed(node)  # its expander goes
            return
        visible = self._root is self._tree
        parent = self._index_of(node) if visible else QModelIndex()
        start = len(node.children)
        if visible:
            self.beginInsertRows(parent, start, start + len(nodes) - 1)
        node.children.extend(_Node(data, node) for data in nodes)
        if visible:
            self.endInsertRows()

    def _update_top(self, nodes: list[TreeNode]) -> None:
        known = {child.key(): child for child in self._tree.children}
        if {(data.kind, data.id) for data in nodes} != set(known):
            self.reload()  # a vocabulary came or went: from the top
            return
        for data in nodes:
            child = known[(data.kind, data.id)]
            child.data = data
            if self._root is self._tree:
                self._changed(child)

    @Slot(int, object)
    def _on_found(self, token: int, nodes: list[TreeNode]) -> None:
        if token != self._find_token:
            return
        self.beginResetModel()
        self._found.children = [_Node(TreeNode(data.kind, data.id, data.label, data.photos, False, data.path,
                                               data.vocabulary), self._found) for data in nodes]
        self._root = self._found
        self.endResetModel()

    @Slot(int, object)
    def _on_counts(self, _token: int, counts: dict[int, int]) -> None:
        for node in [*self._walk(self._tree), *self._found.children]:
            data = node.data
            if data is not None and data.kind == TERM and data.id is not None \
                    and counts.get(data.id, 0) != data.photos:
                node.data = TreeNode(data.kind, data.id, data.label, counts.get(data.id, 0),
                                     data.has_children, data.path, data.vocabulary)
                if (self._root is self._tree) == (node.parent is not self._found):
                    self._changed(node)

    def _index_of(self, node: _Node) -> QModelIndex:
        if node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row(), 0, node)

    def _changed(self, node: _Node) -> None:
        first = self._index_of(node)
        self.dataChanged.emit(first, first.siblingAtColumn(1))


# The states the panel can filter on: accepted (the photos' keywords) by default, or the suggestions to
# review, the keywords other programs took out of files, the rejected ones.
STATES = ((QT_TRANSLATE_NOOP("KeywordPanel", "Accepted keywords"), None),
          (QT_TRANSLATE_NOOP("KeywordPanel", "Suggested, to review"), KeywordState.SUGGESTED),
          (QT_TRANSLATE_NOOP("KeywordPanel", "Removed in the file"), KeywordState.REMOVED_IN_FILE),
          (QT_TRANSLATE_NOOP("KeywordPanel", "Rejected"), KeywordState.REJECTED))


class KeywordTree(QTreeView):
    """The tree asks for a few rows only: below the libraries, in a sidebar as high as the window, it takes
    what room there is (a tall default would make the window ask for more height at large text)."""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        rows = self.fontMetrics().height() * TREE_HINT_ROWS + 2 * self.frameWidth()
        return QSize(hint.width(), max(self.minimumSizeHint().height(), rows))


class KeywordPanel(QWidget):
    """``term_chosen(term_id or None, label, state or None)``: filter the grid to the photos with the term
    (or a narrower one) in ``state`` (None: accepted); without a term, to those with any keyword in
    ``state``; both None: show all."""

    term_chosen = Signal(object, str, object)

    def __init__(self, service: KeywordService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keywordPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.setSpacing(4)
        self.filter = QLineEdit()
        self.filter.setObjectName("keywordFilter")
        self.filter.setPlaceholderText(self.tr("Filter keywords"))
        self.filter.setAccessibleName(self.tr("Filter keywords"))
        self.filter.setClearButtonEnabled(True)
        layout.addWidget(self.filter)
        self.state = QComboBox()
        self.state.setObjectName("keywordState")
        self.state.setAccessibleName(self.tr("Show photos with keywords in this state"))
        self.state.setToolTip(self.tr("Which of the photos' keywords the chosen keyword is looked for among; "
                                      "without one chosen, photos with any keyword in that state"))
        for words, state in STATES:
            self.state.addItem(translate("KeywordPanel", words), state)
        self.state.currentIndexChanged.connect(lambda _index: self._set_choice(self.chosen))
        layout.addWidget(self.state)
        self.model = KeywordTreeModel(service, self)
        self.tree = KeywordTree()
        self.tree.setObjectName("keywordTree")
        self.tree.setAccessibleName(self.tr("Keywords and their photo counts"))
        self.tree.setModel(self.model)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setIndentation(14)
        self.tree.setFrameShape(QTreeView.Shape.NoFrame)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.tree, 1)
        self.empty = QLabel(self.tr("No keywords yet. Import a vocabulary (photo-annotator vocab import "
                                    "FILE) or type a keyword under a photo."))
        self.empty.setObjectName("keywordPanelEmpty")
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.hide()
        layout.addWidget(self.empty, 1)  # at the top, where the tree would start
        self.show_all = QToolButton()
        self.show_all.setObjectName("showAllPhotos")
        self.show_all.setText(self.tr("Show All Photos"))
        self.show_all.setToolTip(self.tr("Clear the keyword filter (Esc in the keyword tree)"))
        self.show_all.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.show_all.clicked.connect(self.clear_choice)
        self.show_all.hide()
        layout.addWidget(self.show_all, 0, Qt.AlignmentFlag.AlignLeft)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(FILTER_DELAY_MS)
        self._delay.timeout.connect(lambda: self.model.set_filter(self.filter.text()))
        self.filter.textChanged.connect(self._delay.start)
        self.tree.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.modelReset.connect(self._after_reset)
        self.model.top_listed.connect(self._update_empty)
        self.chosen: tuple[int, str] | None = None
        self._emitted: tuple[tuple[int, str] | None, KeywordState | None] = (None, None)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape and self._emitted != (None, None):
            self.clear_choice()
            return
        super().keyPressEvent(event)

    def choose(self, index: QModelIndex) -> None:
        """Choose the row ``index`` (as a click does)."""
        self.tree.setCurrentIndex(index)

    def clear_choice(self) -> None:
        self.tree.clearSelection()
        self.state.blockSignals(True)
        self.state.setCurrentIndex(0)
        self.state.blockSignals(False)
        self._set_choice(None)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        rows = self.tree.selectionModel().selectedRows()
        data = self.model.node(rows[0]) if rows else None
        if data is None:
            return  # unselected by a reset or a clear: the choice stays until Show All Photos
        self._set_choice((data.id, data.label) if data.kind == TERM and data.id is not None else None)

    def _set_choice(self, choice: tuple[int, str] | None) -> None:
        state = self.state.currentData()
        if (choice, state) == self._emitted:
            return
        self.chosen, self._emitted = choice, (choice, state)
        self.show_all.setVisible(choice is not None or state is not None)
        self.term_chosen.emit(choice[0] if choice else None, choice[1] if choice else "", state)

    def _after_reset(self) -> None:
        self.tree.clearSelection()

    def _update_empty(self) -> None:
        """No vocabulary and no keyword: say how to get some, in place of an empty tree."""
        empty = not self.model.filtering() and self.model.rowCount() == 0
        self.empty.setVisible(empty)
        for widget in (self.tree, self.filter, self.state):
            widget.setVisible(not empty)
