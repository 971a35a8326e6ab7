"""The keyword entry: type-ahead completion from the vocabularies as you type (the keyword worker finds the
terms off the GUI thread). A synonym completes to its preferred label ("hounds → Dogs"), each offer shows
its place in its hierarchy ("Animals › Mammals › Dogs") and its vocabulary when another vocabulary has a
term of the same label. Enter adds the offer chosen, or the text typed (a synonym resolves to its term;
a label no vocabulary has becomes a free keyword)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from desktop_app.services.keyword_browse import Completion
from desktop_app.ui.workers.keywords import KeywordService

TERM_ROLE = Qt.ItemDataRole.UserRole + 1


def offer_text(completion: Completion) -> str:
    """The popup's line for an offer: ``hounds → Dogs · Animals › Mammals › Dogs · LCSH``."""
    parts = [f"{completion.matched} → {completion.label}" if completion.synonym else completion.label]
    if len(completion.path) > 1:
        parts.append(" › ".join(completion.path))
    if completion.ambiguous and completion.vocabulary:
        parts.append(completion.vocabulary)
    return " · ".join(parts)


class KeywordEntry(QLineEdit):
    """``chosen(term_id, label)``: an offer picked (Enter on it, or a click); ``typed(text)``: Enter on text
    no offer was picked for."""

    chosen = Signal(int, str)
    typed = Signal(str)

    def __init__(self, service: KeywordService | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("keywordEntry")
        self.service = service
        self.offers = QStandardItemModel(self)
        self.completer_ = QCompleter(self.offers, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer_.setWidget(self)  # not setCompleter: the worker filters, the line edit keeps its text
        self.completer_.activated[QModelIndex].connect(self._on_activated)
        popup = self.completer_.popup()
        popup.setAccessibleName(self.tr("Keyword suggestions"))
        self._token = 0
        self._pending: tuple[int, str] | None = None  # an offer picked, added once (Enter may follow)
        self.textEdited.connect(self._ask)
        self.returnPressed.connect(self._on_return)

    def _ask(self, text: str) -> None:
        if self.service is None or not text.strip():
            self._token = 0
            self.offers.clear()
            self.completer_.popup().hide()
            return
        self._token = self.service.complete(text)

    def show_offers(self, token: int, completions: list[Completion]) -> None:
        """The worker's answer to what was typed (dropped when more was typed since)."""
        if token != self._token:
            return
        self.offers.clear()
        for completion in completions:
            item = QStandardItem(offer_text(completion))
            item.setData(completion.label, Qt.ItemDataRole.EditRole)
            item.setData(offer_text(completion), Qt.ItemDataRole.DisplayRole)
            item.setData(completion.term_id, TERM_ROLE)
            item.setToolTip(" › ".join(completion.path))
            self.offers.appendRow(item)
        if completions and self.hasFocus():
            self.completer_.complete()
        else:
            self.completer_.popup().hide()

    def offer_labels(self) -> list[str]:
        """The offers shown, as the popup lists them."""
        return [self.offers.item(row).data(Qt.ItemDataRole.DisplayRole)
                for row in range(self.offers.rowCount())]

    def choose_offer(self, row: int) -> None:
        """Pick offer ``row`` as Enter on it in the popup does."""
        self._on_activated(self.offers.index(row, 0))

    def _on_activated(self, index: QModelIndex) -> None:
        term_id = index.data(TERM_ROLE)
        label = index.data(Qt.ItemDataRole.EditRole)
        if term_id is None:
            return
        self.completer_.popup().hide()
        self._pending = (int(term_id), str(label))
        # The popup may pass the Enter on to this line edit too: whichever comes first adds it, once.
        QTimer.singleShot(0, self._add_pending)

    def _add_pending(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            self._reset()
            self.chosen.emit(*pending)

    def _on_return(self) -> None:
        if self._pending is not None:
            self._add_pending()
            return
        text = self.text().strip()
        if not text:
            return
        popup = self.completer_.popup()
        current = popup.currentIndex() if popup.isVisible() else QModelIndex()
        if current.isValid():
            self._on_activated(current)
            self._add_pending()
            return
        self._reset()
        self.typed.emit(text)

    def _reset(self) -> None:
        self._token = 0
        self.clear()
        self.offers.clear()
        self.completer_.popup().hide()
