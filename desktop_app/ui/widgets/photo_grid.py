"""The thumbnail grid: a list model of light photo rows, a delegate that paints cells, and the view.

Built for 100k+ photos: the model holds one small PhotoRow per photo and nothing else; a thumbnail
is asked for only when the view paints (asks for the decoration of) a visible cell, and cells have a
fixed size so the view lays them out without measuring each one. The thumbnail size (Ctrl+wheel, or
``set_thumbnail_side``) changes that one size: a change lays out again without measuring a cell.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop_app.catalogue.models import PhotoStatus
from desktop_app.library.thumbnails import THUMBNAIL_SIZE
from desktop_app.ui.themes import problem_text
from desktop_app.ui.widgets.image_loading import ThumbnailLoader
from desktop_app.ui.widgets.photo_rows import (
    FLAG_COLOUR,
    STATE_COLOURS,
    accessible_text,
    flag_badge,
    paint_review_badge,
    paint_status_badge,
    review_badge,
    status_badge_side,
    thumbnail_wanted,
    tooltip_for,
)
from desktop_app.ui.workers.backend import PhotoRow

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the PhotoRow itself

THUMBNAIL_BOX = QSize(168, 168)  # the default thumbnail size
# The sizes offered: down to a dense overview; up to the size thumbnails are made at, so that a larger
# cell never shows a thumbnail enlarged into a blur (on a HiDPI screen they stop growing at their own
# size: the size control says so).
MIN_THUMBNAIL, MAX_THUMBNAIL, THUMBNAIL_STEP = 96, THUMBNAIL_SIZE, 16
SCALED_THUMBNAILS = 300  # scaled-down copies kept: a few screens at the smallest size, at most ~50 MB
CELL_MARGINS = QSize(20, 62)  # around the thumbnail: padding, the name and the caption line
CELL_SIZE = THUMBNAIL_BOX + CELL_MARGINS  # the narrowest a default cell gets; cells widen to fill the grid
# The room for the name, in average characters, that a cell keeps whatever the thumbnail size: a usual
# file name (IMG_20240512_1432.jpg) whole. At large text the cells widen instead of cutting every name.
NAME_CHARACTERS, TEXT_PADDING = 20, 24
ERROR_COLOUR = QColor("#d64545")
MISSING_COLOUR = QColor("#d98e04")
Index = QModelIndex | QPersistentModelIndex
translate = QCoreApplication.translate


class PhotoListModel(QAbstractListModel):
    """Photo rows for the grid; decorations come from the ThumbnailLoader as they load."""

    def __init__(self, thumbnails: ThumbnailLoader, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.thumbnails = thumbnails
        self._rows: list[PhotoRow] = []
        self._numbers: dict[int, int] | None = None  # photo id -> row number, built when first needed
        # Rows whose cells asked for a thumbnail that is still loading, to repaint just those.
        self._waiting: defaultdict[str, set[int]] = defaultdict(set)
        thumbnails.loaded.connect(self._on_thumbnail)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(index.row(), row)
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_for(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return accessible_text(row)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return tooltip_for(row)  # the tooltip's facts, for the keyboard and screen readers too
        return None

    def rows(self) -> list[PhotoRow]:
        return self._rows

    def thumbnail(self, number: int) -> QPixmap | None:
        """The row's thumbnail if loaded; asks for it otherwise (what the decoration role does)."""
        return self._thumbnail(number, self._rows[number])

    def set_rows(self, rows: list[PhotoRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._numbers = None
        self._waiting.clear()
        self.endResetModel()

    def append_rows(self, rows: list[PhotoRow]) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self._numbers = None
        self.endInsertRows()

    def merge_rows(self, rows: list[PhotoRow]) -> None:
        """Show ``rows``, in their order, without a reset: new photos are inserted, gone ones removed,
        the rest moved, so the view keeps its scroll place and its selection and current photo (where
        still listed). New photos go in first: the count never drops to zero on the way."""
        wanted = {row.id for row in rows}
        shown = {row.id for row in self._rows}
        # Rows waiting for a thumbnail, by photo: their numbers change below.
        waiting = {content_hash: {self._rows[number].id for number in numbers if number < len(self._rows)}
                   for content_hash, numbers in self._waiting.items()}
        self.append_rows([row for row in rows if row.id not in shown])
        gone = [number for number, row in enumerate(self._rows) if row.id not in wanted]
        while gone:  # bottom up, one run of neighbouring rows at a time
            last = first = gone.pop()
            while gone and gone[-1] == first - 1:
                first = gone.pop()
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first:last + 1]
            self.endRemoveRows()
        # Now the same photos in another order (and with their new data): a layout change, whose
        # persistent indexes (the view's selection and current photo) follow their photos.
        self.layoutAboutToBeChanged.emit()
        before = [row.id for row in self._rows]
        self._rows = list(rows)
        self._numbers = None
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(persistent, [  # every photo left is listed in ``rows``
            self.index(self.row_number(before[index.row()]) or 0) for index in persistent])
        self._waiting.clear()
        for content_hash, photo_ids in waiting.items():
            numbers = {self.row_number(photo_id) for photo_id in photo_ids} - {None}
            if numbers:
                self._waiting[content_hash] = numbers  # type: ignore[assignment]
        self.layoutChanged.emit()

    def row_number(self, photo_id: int) -> int | None:
        if self._numbers is None:
            self._numbers = {row.id: number for number, row in enumerate(self._rows)}
        return self._numbers.get(photo_id)

    def update_row(self, row: PhotoRow) -> None:
        """Repaint one photo with what changed (its caption after a review), keeping its place."""
        number = self.row_number(row.id)
        if number is not None:
            self._rows[number] = row
            index = self.index(number)
            self.dataChanged.emit(index, index)

    def _thumbnail(self, number: int, row: PhotoRow) -> QPixmap | None:
        if not thumbnail_wanted(row):
            return None
        assert row.content_hash is not None
        pixmap = self.thumbnails.pixmap(row.content_hash)
        if pixmap is None and not self.thumbnails.is_known(row.content_hash):
            self._waiting[row.content_hash].add(number)
            rebuild_from = row.path if row.status is PhotoStatus.OK else None
            self.thumbnails.request(row.content_hash, rebuild_from)
        return pixmap

    @Slot(str)
    def _on_thumbnail(self, content_hash: str) -> None:
        for number in self._waiting.pop(content_hash, ()):
            if number < len(self._rows):
                index = self.index(number)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])


class ThumbnailDelegate(QStyledItemDelegate):
    """Paints a cell: the thumbnail (or a placeholder), a status badge, the file name, and a second
    line with the current caption, or the error reason for a photo that could not be read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Thumbnails scaled down to the cells' size, made once per size rather than at every paint.
        self._scaled: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        view = self.parent()
        return view.gridSize() if isinstance(view, PhotoGrid) else CELL_SIZE

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        # The model itself, not index.data(): no round trip through QVariant per paint.
        model = index.model()
        if not isinstance(model, PhotoListModel) or index.row() >= model.rowCount():
            return
        row = model.rows()[index.row()]
        palette = option.palette  # type: ignore[attr-defined]
        rect: QRect = option.rect  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        selected = bool(state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)

        cell = QRectF(rect.adjusted(4, 4, -4, -4))
        if selected:
            highlight = QColor(palette.color(QPalette.ColorRole.Highlight))
            highlight.setAlpha(60)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
            painter.setBrush(highlight)
            painter.drawRoundedRect(cell, 8, 8)
        elif state & QStyle.StateFlag.State_MouseOver:
            hover = QColor(palette.color(QPalette.ColorRole.Mid))
            hover.setAlpha(50)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(hover)
            painter.drawRoundedRect(cell, 8, 8)
        if state & QStyle.StateFlag.State_HasFocus and not selected:
            # The keyboard's place when it is off the selection (Ctrl+arrows move it without selecting).
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(cell, 8, 8)

        view = self.parent()
        thumbnail_box = view.thumbnail_box() if isinstance(view, PhotoGrid) else THUMBNAIL_BOX
        box = self.thumbnail_rect(rect, thumbnail_box)
        pixmap = model.thumbnail(index.row())
        if pixmap is not None and not pixmap.isNull():
            picture = self._paint_thumbnail(painter, box, pixmap, dim=row.status is PhotoStatus.MISSING)
        else:
            picture = self._paint_placeholder(painter, box, palette, row)
        font: QFont = option.font  # type: ignore[attr-defined]
        painter.setFont(font)  # the badges' sizes follow the text's
        if row.status is not PhotoStatus.OK:
            error = row.status is PhotoStatus.ERROR
            paint_status_badge(painter, self.badge_rect(rect, thumbnail_box, font),
                               ERROR_COLOUR if error else MISSING_COLOUR, "!" if error else "?")
        badge = review_badge(row)
        if badge is not None:
            paint_review_badge(painter, picture, rect.right() - 4, *badge)
        flagged = flag_badge(row)
        if flagged is not None:
            paint_review_badge(painter, picture, rect.right() - 4, flagged, FLAG_COLOUR, bottom=True)

        text_left = rect.left() + TEXT_PADDING // 2
        text_width = rect.width() - TEXT_PADDING
        name_font = QFont(font)
        painter.setFont(name_font)
        metrics = painter.fontMetrics()
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        name_top = box.bottom() + 8
        name = metrics.elidedText(row.name, Qt.TextElideMode.ElideMiddle, text_width)
        painter.drawText(QRect(text_left, name_top, text_width, metrics.height()),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, name)

        detail_font = QFont(name_font)
        detail_font.setPointSizeF(max(7.0, name_font.pointSizeF() * 0.88))
        painter.setFont(detail_font)
        detail_metrics = painter.fontMetrics()
        detail, colour = self._detail_line(row, palette)
        line = QRect(text_left, name_top + metrics.height() + 2, text_width, detail_metrics.height())
        state_colour = STATE_COLOURS.get(row.caption_state) if row.caption_state and row.caption else None
        if state_colour is not None:
            # A dot in the review state's colour before the caption: drafts stand out in a grid.
            dot = 7
            detail = detail_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, text_width - dot - 5)
            width = dot + 5 + detail_metrics.horizontalAdvance(detail)
            left = line.left() + (line.width() - width) // 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(state_colour)
            painter.drawEllipse(QRectF(left, line.center().y() - dot / 2 + 1, dot, dot))
            line.setLeft(left + dot + 5)
            alignment = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        else:
            detail = detail_metrics.elidedText(detail, Qt.TextElideMode.ElideRight, text_width)
            alignment = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter
        painter.setPen(colour)
        painter.drawText(line, alignment, detail)
        painter.restore()

    @staticmethod
    def thumbnail_rect(cell: QRect, box: QSize = THUMBNAIL_BOX) -> QRect:
        left = cell.left() + (cell.width() - box.width()) // 2
        return QRect(QPoint(left, cell.top() + 10), box)

    @classmethod
    def badge_rect(cls, cell: QRect, box_size: QSize = THUMBNAIL_BOX, font: QFont | None = None) -> QRect:
        """Where a cell's "!" or "?" badge is, as large as ``font`` (by default the app's) makes it."""
        box = cls.thumbnail_rect(cell, box_size)
        side = status_badge_side(font if font is not None else QApplication.font())
        return QRect(box.right() - side - 4, box.top() + 4, side, side)

    def _paint_thumbnail(self, painter: QPainter, box: QRect, pixmap: QPixmap, dim: bool) -> QRect:
        # Never enlarge: a thumbnail of a tiny image stays tiny rather than blurred.
        size = pixmap.deviceIndependentSize().toSize()
        if size.width() > box.width() or size.height() > box.height():
            size = size.scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(QPoint(0, 0), size)
        target.moveCenter(box.center())
        clip = QPainterPath()
        clip.addRoundedRect(QRectF(target), 4, 4)
        painter.save()
        painter.setClipPath(clip)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if dim:
            painter.setOpacity(0.35)
        painter.drawPixmap(target, self._scaled_to(pixmap, size))
        painter.restore()
        return target

    def _scaled_to(self, pixmap: QPixmap, size: QSize) -> QPixmap:
        """``pixmap`` averaged down to ``size``: thumbnails are decoded at the largest size offered, and
        the painter's bilinear filter alone aliases when it shrinks them by more than a quarter (8 dB
        further from a Lanczos reference at 96 px)."""
        ratio = pixmap.devicePixelRatio()
        pixels = QSize(round(size.width() * ratio), round(size.height() * ratio))
        if pixels.width() * 4 >= pixmap.width() * 3:
            return pixmap  # close to its own size: the painter's filter is as good
        key = (pixmap.cacheKey(), pixels.width(), pixels.height())
        scaled = self._scaled.get(key)
        if scaled is None:
            scaled = pixmap.scaled(pixels, Qt.AspectRatioMode.IgnoreAspectRatio,
                                   Qt.TransformationMode.SmoothTransformation)
            scaled.setDevicePixelRatio(ratio)
            self._scaled[key] = scaled
            while len(self._scaled) > SCALED_THUMBNAILS:
                self._scaled.popitem(last=False)
        else:
            self._scaled.move_to_end(key)
        return scaled

    @staticmethod
    def _paint_placeholder(painter: QPainter, box: QRect, palette: QPalette, row: PhotoRow) -> QRect:
        fill = QColor(palette.color(QPalette.ColorRole.Mid))
        fill.setAlpha(45)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        inner = QRectF(box.adjusted(6, 18, -6, -18))
        painter.drawRoundedRect(inner, 6, 6)
        if row.status is PhotoStatus.ERROR:
            painter.setPen(QPen(ERROR_COLOUR, 1.5))
            font = QFont(painter.font())
            font.setPointSizeF(font.pointSizeF() * 0.9)
            painter.setFont(font)
            painter.drawText(inner, Qt.AlignmentFlag.AlignCenter,
                             translate("PhotoGrid", "Cannot read\nthis file"))
        return inner.toRect()

    @staticmethod
    def _detail_line(row: PhotoRow, palette: QPalette) -> tuple[str, QColor]:
        if row.status is not PhotoStatus.OK:
            text = (row.error or translate("PhotoGrid", "cannot read this file")
                    if row.status is PhotoStatus.ERROR else translate("PhotoGrid", "file missing"))
            return text, problem_text_colour(row.status, palette)
        if row.caption:
            colour = palette.color(QPalette.ColorRole.Text)
            colour.setAlpha(170)
            return row.caption, colour
        colour = palette.color(QPalette.ColorRole.PlaceholderText)
        return translate("PhotoGrid", "No caption"), colour


def problem_text_colour(status: PhotoStatus, palette: QPalette) -> QColor:
    """Red (cannot be read) or amber (missing) words at 4.5:1 and more on the grid's background: dark
    shades on a light one, light shades on a dark one (the badges' own shades are too light for text)."""
    return problem_text(palette.color(QPalette.ColorRole.Base), warning=status is PhotoStatus.MISSING)


class PhotoGrid(QListView):
    """A QListView in icon mode over a PhotoListModel, laid out in batches so 100k rows do not block.

    ``thumbnail_side_changed(side)`` when the thumbnail size changes (Ctrl+wheel, ``set_thumbnail_side``);
    ``preview_requested`` on Space: show the current photo in the full-window preview."""

    thumbnail_side_changed = Signal(int)
    preview_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._side = THUMBNAIL_BOX.width()
        self._wheel = 0  # Ctrl+wheel angle not yet spent on a size step (touchpads send small deltas)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setUniformItemSizes(True)
        self.setGridSize(CELL_SIZE)
        self.setSpacing(0)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setWrapping(True)
        # Batched layout: the first screenful is placed at once, the rest while the event loop idles.
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(2000)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(24)
        self.setMouseTracking(True)
        self.setItemDelegate(ThumbnailDelegate(self))
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setAccessibleName(self.tr("Photos"))
        self._moving = False  # make_current() is moving the current cell

    def make_current(self, index: QModelIndex) -> None:
        """Make ``index`` the current cell and the only one selected: how the app moves to another photo
        (the review flow's next and previous photo, a listing that keeps or restores the current one)."""
        self._moving = True
        try:
            self.setCurrentIndex(index)  # through QAbstractItemView: it also moves the Shift anchor
        finally:
            self._moving = False

    def selectionCommand(self, index: Index,
                         event: QEvent | None = None) -> QItemSelectionModel.SelectionFlag:
        # A move the app makes selects the new current photo alone. Qt would read the modifier keys held
        # at that moment instead, and the Ctrl of Ctrl+Enter (toggle) or the Ctrl+Shift of
        # Ctrl+Shift+Backspace (extend), still held when the review thread answers and the next photo is
        # chosen, left the photo just reviewed selected beside the new one. Keys and clicks in the grid
        # keep Qt's rules (Shift extends, Ctrl toggles: several photos selected to caption them).
        if self._moving:
            return QItemSelectionModel.SelectionFlag.ClearAndSelect
        return super().selectionCommand(index, event)

    # -- thumbnail size ------------------------------------------------------------------------------

    def thumbnail_side(self) -> int:
        """The thumbnails' box side in pixels (MIN_THUMBNAIL to MAX_THUMBNAIL)."""
        return self._side

    def thumbnail_box(self) -> QSize:
        return QSize(self._side, self._side)

    def cell_size(self) -> QSize:
        """The narrowest cell at this thumbnail size; the grid widens cells to fill its width."""
        # The name and caption lines are as tall, and as wide, as the font makes them (a desktop's large
        # text); the thumbnail keeps the size the user chose.
        metrics = self.fontMetrics()
        text_height = 28 + metrics.height() * 2
        text_width = metrics.averageCharWidth() * NAME_CHARACTERS + TEXT_PADDING
        return QSize(max(self._side + CELL_MARGINS.width(), text_width),
                     self._side + max(CELL_MARGINS.height(), text_height))

    def set_thumbnail_side(self, side: int) -> None:
        """Show thumbnails in a ``side`` px box (clamped to the sizes offered): every cell keeps one size,
        so 100k photos lay out again without a cell being measured. The current photo stays in sight."""
        side = min(MAX_THUMBNAIL, max(MIN_THUMBNAIL, int(side)))
        if side == self._side:
            return
        self._side = side
        self._fit_columns()
        current = self.currentIndex()
        if current.isValid():
            self.scrollTo(current)
        self.viewport().update()
        self.thumbnail_side_changed.emit(side)

    def step_thumbnail_side(self, steps: int) -> None:
        """Larger (positive) or smaller (negative) thumbnails, by THUMBNAIL_STEP pixels a step."""
        self.set_thumbnail_side(self._side + steps * THUMBNAIL_STEP)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._wheel = 0
            super().wheelEvent(event)  # a plain wheel scrolls
            return
        self._wheel += event.angleDelta().y()
        steps = int(self._wheel / 120)
        if steps:
            self._wheel -= steps * 120
            self.step_thumbnail_side(steps)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if (event.key() == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and self.currentIndex().isValid()):
            self.preview_requested.emit()  # as file managers' quick look; Ctrl+Space still selects
            return
        super().keyPressEvent(event)

    def columns(self) -> int:
        """How many cells fit side by side, at the narrowest cell width."""
        return max(1, self.layout_width() // self.cell_size().width())

    def layout_width(self) -> int:
        """The width QListView lays cells out in: the viewport's, less the room it keeps for a vertical
        scroll bar (so that one appearing does not reflow the grid), less the pixel it keeps clear at the
        right edge (a cell reaching it wraps)."""
        width = self.maximumViewportSize().width() - 1
        style, bar = self.style(), self.verticalScrollBar()
        if (self.verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
                and not style.pixelMetric(QStyle.PixelMetric.PM_ScrollView_ScrollBarOverlap, None, bar)):
            width -= style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, bar)
            if style.styleHint(QStyle.StyleHint.SH_ScrollView_FrameOnlyAroundContents, None, self):
                width -= 2 * style.pixelMetric(QStyle.PixelMetric.PM_DefaultFrameWidth, None, self)
        return width

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._fit_columns()
        super().resizeEvent(event)  # lays the cells out again

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # the text size changed: the cells follow it
            self._fit_columns()

    def _fit_columns(self) -> None:
        """Share the width among the columns that fit: no dead band at the right edge, and the columns
        follow the width as the window or the panes beside the grid are resized."""
        cell = self.cell_size()
        size = QSize(max(cell.width(), self.layout_width() // self.columns()), cell.height())
        if size != self.gridSize():
            self.setGridSize(size)

    def visible_rows(self) -> list[int]:
        """Rows whose cells intersect the viewport, in layout order."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            return []
        viewport = self.viewport().rect()
        first = self.indexAt(QPoint(1, 1))
        start = first.row() if first.isValid() else 0
        rows = []
        for number in range(start, model.rowCount()):
            rect = self.visualRect(model.index(number, 0))
            if rect.top() > viewport.bottom():
                break
            if rect.intersects(viewport):
                rows.append(number)
        return rows

    def visible_thumbnails_ready(self) -> bool:
        """Every visible cell that can have a thumbnail has it (or its load failed)."""
        model = self.model()
        if not isinstance(model, PhotoListModel):
            return True
        ready = True
        for number in self.visible_rows():
            row = model.rows()[number]
            if not thumbnail_wanted(row):
                continue
            assert row.content_hash is not None
            if not model.thumbnails.is_known(row.content_hash):
                model.thumbnail(number)  # requests it, should no paint have yet
                ready = False
        return ready
