"""A layout that puts its widgets side by side and wraps them onto more lines when the room is short (large
text, a long translation, a narrow pane) instead of cutting them off or asking for a wider window."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget, QWidgetItem


class FlowLayout(QLayout):
    """Widgets left to right, wrapping as words do. Those added with ``trailing=True`` sit at the right end
    of the last line (as after a stretch in a QHBoxLayout) when they fit there."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._trailing: set[int] = set()  # ids of the trailing items
        self.setSpacing(spacing)
        self.setContentsMargins(0, 0, 0, 0)

    def add_widget(self, widget: QWidget, trailing: bool = False) -> None:
        self.addWidget(widget)
        if trailing:
            self._trailing.add(id(self._items[-1]))

    # -- QLayout -------------------------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        if not 0 <= index < len(self._items):
            return None
        item = self._items.pop(index)
        self._trailing.discard(id(item))
        return item

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        shown = self._shown()
        width = sum(item.sizeHint().width() for item in shown) + self.spacing() * max(0, len(shown) - 1)
        height = max((item.sizeHint().height() for item in shown), default=0)
        margins = self.contentsMargins()
        return QSize(width + margins.left() + margins.right(), height + margins.top() + margins.bottom())

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    # -- placing -------------------------------------------------------------------------------------

    def _shown(self) -> list[QLayoutItem]:
        return [item for item in self._items if not _hidden(item)]

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in ``rect`` (moving them if ``move``); the height they take."""
        margins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        spacing = self.spacing()
        lines: list[list[QLayoutItem]] = [[]]
        x = area.x()
        for item in self._shown():
            width = item.sizeHint().width()
            if lines[-1] and x + width > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append(item)
            x += width + spacing
        y = area.y()
        for line in lines:
            height = max((item.sizeHint().height() for item in line), default=0)
            if move:
                self._move_line(line, area, y, height)
            y += height + spacing
        return y - spacing - rect.y() + margins.bottom() if any(lines) else 0

    def _move_line(self, line: list[QLayoutItem], area: QRect, y: int, height: int) -> None:
        leading = [item for item in line if id(item) not in self._trailing]
        trailing = [item for item in line if id(item) in self._trailing]
        x = area.x()
        for item in leading:
            hint = item.sizeHint()
            item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
            x += hint.width() + self.spacing()
        end = area.right() + 1
        for item in reversed(trailing):
            hint = item.sizeHint()
            end -= hint.width()
            item.setGeometry(QRect(QPoint(max(x, end), y + (height - hint.height()) // 2), hint))
            end -= self.spacing()


def _hidden(item: QLayoutItem) -> bool:
    widget = item.widget() if isinstance(item, QWidgetItem) else None
    return widget is not None and widget.isHidden()
