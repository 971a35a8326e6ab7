"""The right-hand pane: the selected photo's zoomable preview, its metadata, its captions with their
state, and the review of its current caption (editor, approve/reject/regenerate, history, undo)."""

from __future__ import annotations

import html
import os
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPixmap,
    QResizeEvent,
    QTextCursor,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.catalogue.caption_rules import MAX_CAPTION_CHARS, BasedOn
from desktop_app.catalogue.models import ReviewState
from desktop_app.catalogue.photos import display_path
from desktop_app.ui.widgets.caption_editor import CaptionEditor
from desktop_app.ui.widgets.revision_history import RevisionHistory
from desktop_app.ui.workers.review import ReviewService

ORIGIN_LABELS = {"ai": "AI", "human": "Human", "imported": "Imported"}
STATE_STYLES = {
    "draft": ("Draft", "#8a5a00", "#fff3d6"),
    "approved": ("Approved", "#1d6b3a", "#dcf3e4"),
    "rejected": ("Rejected", "#8f2219", "#fde2df"),
}
# A caption's notice (e.g. "AI-generated draft report ... not for diagnosis"): dark amber on pale amber,
# set apart from the caption text and the grey facts line.
# The review box is the pane's working area: framed like the caption cards, with a primary Approve.
REVIEW_STYLE = """
#reviewBox { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }
#captionEditor { border: 1px solid palette(mid); border-radius: 4px; padding: 2px; }
#captionEditor:focus { border: 1px solid palette(highlight); }
#approveButton { background: #1d6b3a; color: white; border: 1px solid #155229; border-radius: 4px;
                 padding: 4px 12px; font-weight: 600; }
#approveButton:hover { background: #23804a; }
#approveButton:disabled { background: palette(mid); border-color: palette(mid); }
"""
ZOOM_CONTROLS_STYLE = "#zoomControls { background: rgba(30, 30, 30, 150); border-radius: 5px; } " \
                      "#zoomControls QToolButton { color: white; min-width: 22px; }"
NOTICE_STYLE = ("color: #7a4a00; background: #fff3d6; border-left: 3px solid #d68910; "
                "padding: 3px 6px; font-weight: 600;")
STATUS_TEXT = {"ok": "OK", "error": "Cannot be read", "missing": "Missing"}
ZOOM_STEP, MIN_ZOOM, MAX_ZOOM = 1.25, 0.05, 8.0
EDITOR_LINES = 6  # the editor's height; longer reports scroll inside it
AUTOSAVE_MS = 500  # the text being typed is saved this long after the last keystroke
RECENT_DETAILS = 64  # photos whose details from the review worker are kept against stale loads


def human_size(size: int | None) -> str | None:
    if size is None:
        return None
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return None


def dimensions(details: dict[str, Any]) -> str | None:
    width, height = details.get("width"), details.get("height")
    if not width or not height:
        return None
    if details.get("orientation") in (5, 6, 7, 8):  # stored on its side; shown upright
        width, height = height, width
    megapixels = width * height / 1e6
    suffix = f"  ({megapixels:.1f} MP)" if megapixels >= 1 else ""
    return f"{width:,} × {height:,} px{suffix}"


def camera(details: dict[str, Any]) -> str | None:
    make, model = details.get("camera_make"), details.get("camera_model")
    if make and model and model.lower().startswith(make.lower()):
        return model  # "Canon Canon EOS R5" otherwise
    return " ".join(part for part in (make, model) if part) or None


def location(details: dict[str, Any]) -> str | None:
    gps = details.get("gps")
    if not gps:
        return None
    latitude, longitude = gps["latitude"], gps["longitude"]
    text = (f"{abs(latitude):.6f}° {'N' if latitude >= 0 else 'S'}, "
            f"{abs(longitude):.6f}° {'E' if longitude >= 0 else 'W'}")
    if gps.get("altitude") is not None:
        text += f", {gps['altitude']:.0f} m"
    return text


def date_taken(details: dict[str, Any]) -> str | None:
    value = details.get("date_taken")
    if not value:
        return None
    # Camera local time, as recorded: shown as is, not converted to this machine's zone.
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S")


def _local_time(value: str) -> str:
    return datetime.fromisoformat(value).astimezone().strftime("%Y-%m-%d %H:%M")


class PreviewView(QWidget):
    """The photo, fitted and centred (never enlarged) or zoomed: Ctrl+wheel or the +/- buttons zoom,
    a double-click toggles between fitted and 100 %, dragging pans a zoomed photo. Or a line of text
    while loading or when it cannot be shown."""

    zoom_changed = Signal(float)  # the scale now shown (1.0 = 100 %)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self._text = ""
        self._zoom: float | None = None  # None: fitted to the view
        self._pan = QPointF()  # the photo's centre from the view's centre, in view pixels
        self._drag_from: QPointF | None = None
        self.setMinimumHeight(220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.controls = self._zoom_controls()

    def sizeHint(self) -> QSize:
        return QSize(360, 320)

    def image(self) -> QImage | None:
        return self._pixmap.toImage() if self._pixmap is not None else None

    def text(self) -> str:
        return self._text

    def set_image(self, image: QImage) -> None:
        self._pixmap = QPixmap.fromImage(image)
        self._text = ""
        self.set_zoom(None)
        self.controls.show()

    def set_text(self, text: str) -> None:
        self._pixmap = None
        self._text = text
        self.controls.hide()
        self.set_zoom(None)

    # -- zoom --------------------------------------------------------------------------------------------

    def is_fitted(self) -> bool:
        return self._zoom is None

    def fit_scale(self) -> float:
        if self._pixmap is None or self._pixmap.isNull():
            return 1.0
        return min(self.width() / self._pixmap.width(), self.height() / self._pixmap.height(), 1.0)

    def scale(self) -> float:
        return self.fit_scale() if self._zoom is None else self._zoom

    def set_zoom(self, zoom: float | None, anchor: QPointF | None = None) -> None:
        """Show at ``zoom`` (None: fitted), keeping the photo's point under ``anchor`` (view coordinates)."""
        old = self.scale()
        self._zoom = None if zoom is None else min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        if self._zoom is None:
            self._pan = QPointF()
        else:
            centre = QPointF(self.rect().center())
            offset = (anchor if anchor is not None else centre) - centre
            self._pan = offset - (offset - self._pan) * (self._zoom / old)
        self._clamp_pan()
        self._zoom_label.setText("Fit" if self._zoom is None else f"{self.scale():.0%}")
        self.update()
        self.zoom_changed.emit(self.scale())

    def zoom_in(self) -> None:
        self.set_zoom(self.scale() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.scale() / ZOOM_STEP)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._pixmap is None or not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(event)  # a plain wheel scrolls the pane, as elsewhere
            return
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self.scale() * ZOOM_STEP ** steps, event.position())
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._pixmap is not None:
            self.set_zoom(1.0 if self._zoom is None else None, event.position())

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self._pixmap is not None and self._zoom is not None:
            self._drag_from = event.position()
            self.setCursor(Qt.CursorShape.ClosedHandCursor)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._pan += event.position() - self._drag_from
            self._drag_from = event.position()
            self._clamp_pan()
            self.update()

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._drag_from = None
        self.unsetCursor()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.controls.adjustSize()
        margin = 8
        self.controls.move(self.width() - self.controls.width() - margin,
                           self.height() - self.controls.height() - margin)
        self._clamp_pan()

    def _clamp_pan(self) -> None:
        if self._pixmap is None:
            return
        scale = self.scale()
        room_x = max(0.0, (self._pixmap.width() * scale - self.width()) / 2)
        room_y = max(0.0, (self._pixmap.height() * scale - self.height()) / 2)
        self._pan = QPointF(min(room_x, max(-room_x, self._pan.x())),
                            min(room_y, max(-room_y, self._pan.y())))

    def _zoom_controls(self) -> QWidget:
        controls = QFrame(self)
        controls.setObjectName("zoomControls")
        controls.setStyleSheet(ZOOM_CONTROLS_STYLE)
        layout = QHBoxLayout(controls)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        for text, tip, slot in (("−", "Zoom out (Ctrl+wheel)", self.zoom_out),
                                ("+", "Zoom in (Ctrl+wheel)", self.zoom_in)):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            layout.addWidget(button)
        self._zoom_label = QToolButton()
        self._zoom_label.setAutoRaise(True)
        self._zoom_label.setToolTip("Fit to the pane, or show at 100 % (double-click the photo)")
        self._zoom_label.clicked.connect(lambda: self.set_zoom(1.0 if self._zoom is None else None))
        layout.insertWidget(1, self._zoom_label)
        controls.hide()
        return controls

    def paintEvent(self, _event: object) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        background = QColor(self.palette().color(QPalette.ColorRole.Mid))
        background.setAlpha(40)
        painter.fillRect(self.rect(), background)
        if self._pixmap is not None and not self._pixmap.isNull():
            scale = self.scale()
            target = QRectF(0, 0, self._pixmap.width() * scale, self._pixmap.height() * scale)
            target.moveCenter(QPointF(self.rect().center()) + self._pan)
            painter.drawPixmap(target, self._pixmap, QRectF(self._pixmap.rect()))
        elif self._text:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect().adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self._text)


class DetailPane(QWidget):
    """What the catalogue knows about one photo, and the review of its current caption.

    Review needs a ReviewService (``review``); without one the pane only shows. The window:
    - calls ``flush()`` before another photo is selected (``show_photo`` of another photo also does),
      so the text being typed is committed as a revision;
    - adds ``review_actions()`` to its menus (they work as window shortcuts once the pane is shown);
    - moves the selection on ``advance_requested`` (to the next photo needing review) and
      ``move_requested(step)`` (the previous or next photo);
    - queues a captioning job on ``regenerate_requested(photo_id, captioner_id or None)``.
    """

    advance_requested = Signal()  # approved/rejected and written: show the next photo needing review
    move_requested = Signal(int)  # -1 previous photo, +1 next photo
    regenerate_requested = Signal(int, object)  # photo id, captioner id (None: the window's default)

    def __init__(self, parent: QWidget | None = None, review: ReviewService | None = None) -> None:
        super().__init__(parent)
        self.photo_id: int | None = None  # the photo whose details are shown
        self.review = review
        self._details: dict[str, Any] | None = None
        self._current: dict[str, Any] | None = None  # the photo's current caption
        self._stored = ""  # the current caption's text as the catalogue has it
        self._dirty = False  # the editor holds a person's text that differs from it
        self._advance_token: int | None = None
        # The caption and revision the shown text is based on: what every review action sends (the
        # review contract). It follows the catalogue while the editor shows the stored text, and stays
        # where typing began while the editor holds a person's text.
        self._base = BasedOn(None, 0)
        self._recent: dict[int, dict[str, Any]] = {}  # details the review worker sent, newest last

        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_MS)
        self._autosave.timeout.connect(self._save_unsaved)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)

        self.preview = PreviewView()
        layout.addWidget(self.preview, 0)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(scroll, 1)
        body = QWidget()
        scroll.setWidget(body)
        self._body = QVBoxLayout(body)
        self._body.setContentsMargins(16, 12, 16, 16)
        self._body.setSpacing(6)

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        title_font = self.title.font()
        title_font.setPointSizeF(title_font.pointSizeF() * 1.25)
        title_font.setBold(True)
        self.title.setFont(title_font)
        self._body.addWidget(self.title)
        self.folder = QLabel()
        self.folder.setWordWrap(True)
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.folder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self._body.addWidget(self.folder)

        self._build_actions()
        self.review_box = self._review_box()
        self._review_heading = self._heading("Review")
        self._body.addWidget(self._review_heading)
        self._body.addWidget(self.review_box)

        self._details_heading = self._heading("Details")
        self._body.addWidget(self._details_heading)
        self.metadata = QFormLayout()
        self.metadata.setHorizontalSpacing(14)
        self.metadata.setVerticalSpacing(4)
        self.metadata.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.metadata.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.metadata.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._body.addLayout(self.metadata)

        self._captions_heading = self._heading("Captions")
        self._body.addWidget(self._captions_heading)
        self.captions = QVBoxLayout()
        self.captions.setSpacing(8)
        self._body.addLayout(self.captions)

        self._history_heading = self._heading("History")
        self._body.addWidget(self._history_heading)
        self.history = RevisionHistory()
        self.history.revert_requested.connect(self.revert)
        self._body.addWidget(self.history)
        self._body.addStretch(1)

        if review is not None:
            review.changed.connect(self._on_changed)
            review.finished.connect(self._on_finished)
            review.conflict.connect(self._on_conflict)
            review.undo_stack.indexChanged.connect(self._update_undo_actions)
            review.undo_stack.cleanChanged.connect(self._update_undo_actions)
        self.clear()

    # -- what the window calls ---------------------------------------------------------------

    def clear(self, text: str = "No photo selected") -> None:
        self.flush()
        self.photo_id = None
        self._details = self._current = None
        self.preview.set_text(text)
        self.title.setText("")
        self.folder.setText("")
        self._set_metadata([])
        self._set_captions([])
        self._show_review(None, keep_text=False)
        self.history.set_caption(None)
        # No photo: the preview's text says why and what to do; no headings over empty sections.
        for widget in (self._details_heading, self._captions_heading, self._history_heading, self.history):
            widget.setVisible(False)

    def show_loading(self, name: str) -> None:
        """A photo was selected: its name at once, the rest when the catalogue answers."""
        self.flush()
        self.title.setText(name)
        self.preview.set_text("Loading…")

    def show_photo(self, details: dict[str, Any]) -> None:
        same_photo = details["id"] == self.photo_id
        if not same_photo:
            self.flush()  # the text typed for the previous photo becomes a revision of its caption
        details = self._freshest(details)
        self.photo_id = details["id"]
        self._details = details
        path = display_path(details["path"])
        self.title.setText(os.path.basename(path))
        self.folder.setText(os.path.dirname(path))
        status = details["status"]
        rows: list[tuple[str, str | None, str | None]] = [
            ("Status", STATUS_TEXT.get(status, status), None if status == "ok" else "#c0392b"),
        ]
        if status == "error":
            rows.append(("Reason", details.get("error") or "unknown", "#c0392b"))
        elif status == "missing":
            rows.append(("Reason", "the file is no longer at this path", "#b9770e"))
        rows += [
            ("Format", details.get("format"), None),
            ("Dimensions", dimensions(details), None),
            ("File size", human_size(details.get("size")), None),
            ("Date taken", date_taken(details), None),
            ("Camera", camera(details), None),
            ("Location", location(details), None),
        ]
        self._set_metadata([row for row in rows if row[1]])
        for widget in (self._details_heading, self._captions_heading):
            widget.setVisible(True)
        captions = details.get("captions") or []
        self._set_captions(captions)
        self._current = next((caption for caption in captions if caption["current"]), None)
        self._show_review(self._current, keep_text=same_photo and self._dirty)
        if not self._dirty:  # the editor shows the stored text: what is shown is what actions are based on
            self._base = _based_on(self._current)
        if not same_photo:
            self.review_alert.hide()
        self.history.set_caption(self._current)
        self.history.revert_button.setVisible(self.unreadable_reason() is None)  # read-only: browse only
        for widget in (self._history_heading, self.history):
            widget.setVisible(self._current is not None)
        if status == "error":
            self.preview.set_text(f"This file cannot be shown:\n{details.get('error') or 'unknown error'}")
        elif status == "missing":
            self.preview.set_text("The file is missing")

    def show_preview(self, image: QImage, reason: str) -> None:
        if image.isNull():
            self.preview.set_text(f"Cannot show a preview:\n{reason}")
        else:
            self.preview.set_image(image)

    def flush(self) -> bool:
        """Commit the text being edited as a revision of the current caption (a draft again). The window
        calls it before another photo is shown; an empty text is no caption and is dropped. False: the
        text is over MAX_CAPTION_CHARS, kept as an unsaved edit and in the editor, not committed."""
        pending = self._autosave.isActive()
        self._autosave.stop()
        if self.photo_id is None or self.review is None:
            return True
        if not self._dirty:
            if pending:  # typed back to the stored text: a saved unsaved edit would be stale
                self.review.drop_unsaved(self.photo_id)
            return True
        text = self.editor.toPlainText()
        if self._too_long(text):
            self.review.save_unsaved(self.photo_id, text, self._base)  # kept as typed, not committed
            return False
        self._dirty = False
        if text.strip():
            self._stored = text.strip()
            self.review_alert.hide()
            self.review.edit(self.photo_id, text, self._base)
        else:
            self.review.drop_unsaved(self.photo_id)
            self._restore_editor()
        self._update_review_status()
        return True

    def review_actions(self) -> list[QAction]:
        """The keyboard review flow, for the window's menus (Review and Edit)."""
        return [self.approve_and_next_action, self.reject_and_next_action, self.edit_action,
                self.drop_edit_action, self.previous_action, self.next_action, self.undo_action,
                self.redo_action]

    def is_editing(self) -> bool:
        """Whether the editor holds typed text not yet committed as a revision."""
        return self._dirty

    def editor_text(self) -> str:
        return self.editor.toPlainText()

    # -- review ----------------------------------------------------------------------------------

    def approve(self, advance: bool = False) -> None:
        """Approve the current caption, or the edited text as it now reads; with ``advance``, ask for
        the next photo once that is written."""
        self._decide(ReviewState.APPROVED, advance)

    def reject(self, advance: bool = False) -> None:
        self._decide(ReviewState.REJECTED, advance)

    def drop_edit(self) -> None:
        """Forget the text being typed (Esc): the stored caption comes back."""
        self._autosave.stop()
        if self.photo_id is not None and self.review is not None:
            self.review.drop_unsaved(self.photo_id)
        self._dirty = False
        self._restore_editor()
        self._base = _based_on(self._current)
        self._update_review_status()

    def revert(self, caption_id: int, revision: int) -> None:
        if self.photo_id is None or self.review is None or self.unreadable_reason() is not None:
            return
        if not self.flush():  # what was typed goes into the history first
            return
        self.review.revert(self.photo_id, caption_id, revision, self._shown(caption_id))

    def regenerate(self) -> None:
        if self.photo_id is None:
            return
        self.flush()
        captioner = self._current.get("captioner") if self._current else None
        self.regenerate_requested.emit(self.photo_id, captioner)

    def choose_caption(self, caption_id: int) -> None:
        """Make another caption of this photo its current one (typed text is committed first)."""
        if self.photo_id is None or self.review is None:
            return
        if not self.flush():
            return
        self.review.choose(self.photo_id, caption_id, self._shown(caption_id))

    def focus_editor(self) -> None:
        self.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.editor.moveCursor(QTextCursor.MoveOperation.End)

    def undo(self) -> None:
        # Typed text is committed first, so undo takes it back as a revision, not lost.
        if self.review is None or not self.flush():
            return
        self.review.undo_stack.undo()

    def redo(self) -> None:
        if self.review is not None and not self._dirty:  # new typing has replaced what redo would bring
            self.review.undo_stack.redo()

    def _decide(self, state: ReviewState, advance: bool) -> None:
        if self.photo_id is None or self.review is None or self.unreadable_reason() is not None:
            return
        self._autosave.stop()
        text = self.editor.toPlainText() if self._dirty and self.editor.toPlainText().strip() else None
        if text is None and self._current is None:
            self.review_status.setText("Write a caption first: there is nothing to review.")
            return
        if text is not None and self._too_long(text):
            return
        if text is None and self._current is not None and self._current["state"] == state.value:
            if advance:
                self.advance_requested.emit()  # already so: nothing to write
            return
        self._dirty = False
        if text is not None:
            self._stored = text.strip()
        decide = self.review.approve if state is ReviewState.APPROVED else self.review.reject
        self.review_alert.hide()
        token = decide(self.photo_id, text, self._base)
        self._advance_token = token if advance else None
        self._update_review_status()

    def _on_changed(self, photo_id: int, details: dict[str, Any]) -> None:
        self._recent.pop(photo_id, None)
        self._recent[photo_id] = details
        while len(self._recent) > RECENT_DETAILS:
            self._recent.pop(next(iter(self._recent)))
        if photo_id == self.photo_id:
            self.show_photo(details)

    def _on_finished(self, token: int, _photo_id: int, written: bool) -> None:
        if token == self._advance_token:
            self._advance_token = None
            if written:
                self.advance_requested.emit()

    def _on_conflict(self, photo_id: int, message: str, kept_caption_id: int | None) -> None:
        """A change was refused: the caption changed since the revision shown. The fresh details
        follow (the current text, and the editor's text kept beside as another caption)."""
        if photo_id != self.photo_id:
            return
        what = (f" Your text is kept as caption {kept_caption_id} under Captions: Use This Caption makes it "
                "current." if kept_caption_id is not None else " Review the caption as it now reads.")
        self._show_alert(f"Not applied: {message}.{what}")

    def _too_long(self, text: str) -> bool:
        """Whether ``text`` is over the caption length limit; if so the editor says so and keeps it."""
        length = len(text.strip())
        if length <= MAX_CAPTION_CHARS:
            return False
        self._show_alert(f"This caption is {length:,} characters; the most a caption can hold is "
                         f"{MAX_CAPTION_CHARS:,}. Shorten it to save it (your text stays here).")
        return True

    def _show_alert(self, text: str) -> None:
        self.review_alert.setText(text)
        self.review_alert.show()

    def _shown(self, caption_id: int) -> BasedOn | None:
        """The caption as the pane shows it: what choosing or reverting it is based on."""
        for caption in (self._details or {}).get("captions") or []:
            if caption["id"] == caption_id:
                return _based_on(caption)
        return None

    def _freshest(self, details: dict[str, Any]) -> dict[str, Any]:
        """``details``, or the review worker's newer ones: a load that raced a write must not undo it
        on screen. Revisions only ever grow, so more of them means newer."""
        recent = self._recent.get(details["id"])
        if recent is not None and _revision_count(recent) > _revision_count(details):
            return recent
        return details

    def _on_edited(self) -> None:
        self._dirty = self.editor.toPlainText().strip() != self._stored
        if not self._dirty:  # typed back to the stored text, which is what is shown
            self._base = _based_on(self._current)
        if self.review is not None and self.photo_id is not None:
            self._autosave.start()  # saves the text (or forgets it, when back to the stored one)
        self._update_review_status()

    def _save_unsaved(self) -> None:
        if self.review is not None and self.photo_id is not None:
            self.review.save_unsaved(self.photo_id, self.editor.toPlainText(), self._base)

    def _restore_editor(self) -> None:
        current = self._current
        self.editor.set_caption(current["text"] if current else "",
                                current.get("token_scores") if current else None)

    def _show_review(self, current: dict[str, Any] | None, *, keep_text: bool) -> None:
        reviewing = self.review is not None and self.photo_id is not None
        for widget in (self._review_heading, self.review_box):
            widget.setVisible(reviewing)
        self._stored = current["text"] if current else ""
        if keep_text:
            self._dirty = self.editor.toPlainText().strip() != self._stored
        else:
            self._dirty = False
            self._restore_editor()
        if current is None:
            self.review_header.setText("No caption yet: write one, or caption it with a model."
                                       if self.unreadable_reason() is None else "No caption.")
            self.review_notice.hide()
        else:
            label, fg, bg = STATE_STYLES.get(current["state"], (current["state"], "#333", "#eee"))
            parts = [f'<span style="color:{fg}; background:{bg};">&nbsp;{label}&nbsp;</span>',
                     html.escape(ORIGIN_LABELS.get(current["origin"], current["origin"]))]
            parts += [html.escape(fact) for fact in _provenance(current)]
            parts.append(f"revision {current['revision']}")  # what the review actions are based on
            self.review_header.setText(" &nbsp;·&nbsp; ".join(parts))
            self.review_notice.setText(f"⚠ {current['notice']}" if current.get("notice") else "")
            self.review_notice.setVisible(bool(current.get("notice")))
        readable = self._details is not None and self.unreadable_reason() is None
        # A model's caption can be made again; a photo without one is captioned through the dialog.
        again = current is not None and bool(current.get("captioner"))
        for widget in (self.regenerate_button, self.regenerate_action):
            widget.setText("Regenerate" if again else "Caption with a model")
            widget.setToolTip("Caption this photo again with its model; a person's text is kept" if again
                              else "Choose a captioning model and caption this photo")
            widget.setEnabled(reviewing and readable)
        self.editor.setReadOnly(not (reviewing and readable))  # what cannot be seen is not reviewed
        self._update_review_status()

    def unreadable_reason(self) -> str | None:
        """Why the shown photo's captions are read-only (its file cannot be read, or is missing), or
        None: it can be reviewed, or no photo is shown."""
        status = self._details.get("status") if self._details is not None else None
        if status == "error":
            return f"this file cannot be read: {self._details.get('error') or 'unknown error'}"
        if status == "missing":
            return "file missing: it is no longer at this path"
        return None

    def _update_review_status(self) -> None:
        unreadable = self.unreadable_reason()
        can_decide = self.review is not None and self.photo_id is not None and unreadable is None and (
            self._current is not None or self._dirty)
        for widget in (self.approve_button, self.reject_button, self.approve_and_next_action,
                       self.reject_and_next_action):
            widget.setEnabled(can_decide)
        reviewing = self.review is not None and self.photo_id is not None
        for action in (self.edit_action, self.drop_edit_action):
            action.setEnabled(reviewing and unreadable is None)
        for action in (self.previous_action, self.next_action):
            action.setEnabled(reviewing)
        if unreadable is not None and reviewing:
            text = (f"{unreadable[0].upper()}{unreadable[1:]}. Its captions are shown read-only; "
                    "rescan (F5) once the file is back or fixed.")
        elif self._dirty:
            text = "Edited · saved as you type, committed when you move on · Esc drops it"
        elif self.editor.unsure():
            text = "Underlined: words the model was unsure of (hover for how unsure)"
        elif self._current is not None and self._current["state"] == "approved":
            text = "Approved."
        else:
            text = ""
        self.review_status.setText(text)
        self._update_undo_actions()

    @Slot()
    def _update_undo_actions(self) -> None:
        stack = self.review.undo_stack if self.review is not None else None
        if stack is not None and not shiboken6.isValid(stack):
            stack = None  # the stack clears itself, signalling, as it is destroyed
        self.undo_action.setEnabled(stack is not None and (stack.canUndo() or self._dirty))
        self.redo_action.setEnabled(stack is not None and stack.canRedo() and not self._dirty)
        self.undo_action.setText(f"Undo {stack.undoText()}" if stack is not None and stack.canUndo()
                                 else "Undo")
        self.redo_action.setText(f"Redo {stack.redoText()}" if stack is not None and stack.canRedo()
                                 else "Redo")
        self.undo_button.setEnabled(self.undo_action.isEnabled())
        self.redo_button.setEnabled(self.redo_action.isEnabled())

    # -- building blocks -----------------------------------------------------------------------

    def _build_actions(self) -> None:
        def action(text: str, shortcuts: list[QKeySequence], tip: str, slot: Any) -> QAction:
            made = QAction(text, self)
            made.setShortcuts(shortcuts)
            made.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            made.setToolTip(tip)
            made.triggered.connect(slot)
            self.addAction(made)  # live wherever the pane is shown; the window may add them to menus too
            return made

        ctrl, shift, alt = Qt.Modifier.CTRL, Qt.Modifier.SHIFT, Qt.Modifier.ALT
        self.approve_and_next_action = action(
            "Approve and Next",
            [QKeySequence(ctrl | Qt.Key.Key_Return), QKeySequence(ctrl | Qt.Key.Key_Enter)],
            "Approve the caption as it reads and go to the next photo needing review",
            lambda: self.approve(advance=True))
        self.reject_and_next_action = action(
            "Reject and Next", [QKeySequence(ctrl | shift | Qt.Key.Key_Backspace)],
            "Reject the caption and go to the next photo needing review", lambda: self.reject(advance=True))
        self.edit_action = action("Edit Caption", [QKeySequence(Qt.Key.Key_F2)],
                                  "Put the cursor in the caption", self.focus_editor)
        self.previous_action = action("Previous Photo", [QKeySequence(alt | Qt.Key.Key_Up)],
                                      "Show the previous photo", lambda: self.move_requested.emit(-1))
        self.next_action = action("Next Photo", [QKeySequence(alt | Qt.Key.Key_Down)],
                                  "Show the next photo", lambda: self.move_requested.emit(1))
        self.undo_action = action("Undo", [QKeySequence(ctrl | Qt.Key.Key_Z)],
                                  "Undo the last caption change (a new revision)", self.undo)
        self.redo_action = action("Redo", [QKeySequence(ctrl | shift | Qt.Key.Key_Z),
                                           QKeySequence(ctrl | Qt.Key.Key_Y)],
                                  "Redo the caption change undone last", self.redo)
        self.regenerate_action = action("Regenerate", [], "", self.regenerate)
        self.drop_edit_action = QAction("Drop Edit", self)
        self.drop_edit_action.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.drop_edit_action.setToolTip("Forget the text typed since the caption was last saved")
        self.drop_edit_action.triggered.connect(self.drop_edit)

    def _review_box(self) -> QFrame:
        box = QFrame()
        box.setObjectName("reviewBox")
        box.setStyleSheet(REVIEW_STYLE)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        self.review_header = QLabel()
        self.review_header.setObjectName("reviewHeader")
        self.review_header.setWordWrap(True)
        self.review_header.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.review_header)
        self.review_notice = QLabel()
        self.review_notice.setObjectName("reviewNotice")
        self.review_notice.setWordWrap(True)
        self.review_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.review_notice.setStyleSheet(NOTICE_STYLE)
        layout.addWidget(self.review_notice)
        # Why the last change was not applied (the caption changed since it was shown, or the text is
        # too long): stays until the next change is sent or another photo is shown.
        self.review_alert = QLabel()
        self.review_alert.setObjectName("reviewAlert")
        self.review_alert.setWordWrap(True)
        self.review_alert.setTextFormat(Qt.TextFormat.PlainText)
        self.review_alert.setStyleSheet(NOTICE_STYLE)
        self.review_alert.hide()
        layout.addWidget(self.review_alert)

        self.editor = CaptionEditor()
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * EDITOR_LINES + 14)
        self.editor.edited.connect(self._on_edited)
        self.drop_edit_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.editor.addAction(self.drop_edit_action)  # Esc inside the editor only
        layout.addWidget(self.editor)
        self.review_status = QLabel()
        self.review_status.setObjectName("reviewStatus")
        self.review_status.setWordWrap(True)
        self.review_status.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = self.review_status.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.review_status.setFont(small)
        layout.addWidget(self.review_status)

        buttons = QHBoxLayout()
        buttons.setSpacing(6)
        self.approve_button = QPushButton("Approve")
        self.approve_button.setObjectName("approveButton")
        self.approve_button.setToolTip(
            "Approve the caption as it reads (Ctrl+Enter also moves to the next photo)")
        self.approve_button.clicked.connect(lambda: self.approve())
        self.reject_button = QPushButton("Reject")
        self.reject_button.setObjectName("rejectButton")
        self.reject_button.setToolTip(
            "Reject the caption (Ctrl+Shift+Backspace also moves to the next photo)")
        self.reject_button.clicked.connect(lambda: self.reject())
        self.regenerate_button = QPushButton("Regenerate")
        self.regenerate_button.clicked.connect(self.regenerate)
        for button in (self.approve_button, self.reject_button, self.regenerate_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        # Icons, not words: the row must fit a narrow pane.
        self.undo_button = QToolButton()
        self.undo_button.setText("↶")
        self.undo_button.setToolTip("Undo the last caption change (Ctrl+Z)")
        self.undo_button.setAutoRaise(True)
        self.undo_button.clicked.connect(self.undo)
        self.redo_button = QToolButton()
        self.redo_button.setText("↷")
        self.redo_button.setToolTip("Redo (Ctrl+Shift+Z)")
        self.redo_button.setAutoRaise(True)
        self.redo_button.clicked.connect(self.redo)
        for button in (self.undo_button, self.redo_button):
            glyph = button.font()
            glyph.setPointSizeF(glyph.pointSizeF() * 1.4)
            button.setFont(glyph)
            buttons.addWidget(button)
        layout.addLayout(buttons)

        hints = QLabel("Ctrl+Enter approve and next · Ctrl+Shift+Backspace reject and next · F2 edit · "
                       "Esc drop edit · Alt+↑/↓ previous/next")
        hints.setWordWrap(True)
        hints.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        hints.setFont(small)
        layout.addWidget(hints)
        return box

    def metadata_text(self) -> dict[str, str]:
        """The metadata rows as shown, by label."""
        shown = {}
        for row in range(self.metadata.rowCount()):
            label = self.metadata.itemAt(row, QFormLayout.ItemRole.LabelRole)
            field = self.metadata.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label and field:
                shown[label.widget().text()] = field.widget().text()
        return shown

    def caption_texts(self) -> list[str]:
        return [widget.findChild(QLabel, "captionText").text() for widget in self._caption_cards()]

    def caption_notices(self) -> list[str | None]:
        """Each caption card's notice as shown (None where it has none), in the cards' order."""
        labels = (widget.findChild(QLabel, "captionNotice") for widget in self._caption_cards())
        return [label.text() if label is not None else None for label in labels]

    # -- building blocks -----------------------------------------------------------------------

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = QLabel(text.upper())
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 0.8)
        label.setFont(font)
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        label.setContentsMargins(0, 12, 0, 2)
        return label

    def _set_metadata(self, rows: list[tuple[str, str | None, str | None]]) -> None:
        while self.metadata.rowCount():
            self.metadata.removeRow(0)
        for label, value, colour in rows:
            name = QLabel(label)
            name.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            if colour:
                field.setStyleSheet(f"color: {colour};")
            self.metadata.addRow(name, field)

    def _caption_cards(self) -> list[QWidget]:
        cards = []
        for number in range(self.captions.count()):
            widget = self.captions.itemAt(number).widget()
            if widget is not None and widget.objectName() == "captionCard":
                cards.append(widget)
        return cards

    def _set_captions(self, captions: list[dict[str, Any]]) -> None:
        while self.captions.count():
            item = self.captions.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()  # deleteLater waits for the event loop; until then it would still show
                widget.deleteLater()
        if not captions:
            if self.photo_id is None:
                return
            empty = QLabel("No captions yet.")
            empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self.captions.addWidget(empty)
            return
        # The current caption first: it is the one search and exports use.
        for caption in sorted(captions, key=lambda c: not c["current"]):
            self.captions.addWidget(self._caption_card(caption))

    def _caption_card(self, caption: dict[str, Any]) -> QWidget:
        card = QFrame()
        card.setObjectName("captionCard")
        card.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(4)

        label, fg, bg = STATE_STYLES.get(caption["state"], (caption["state"], "#333", "#eee"))
        chips = [f'<span style="color:{fg}; background:{bg};">&nbsp;{label}&nbsp;</span>']
        if caption["current"]:
            chips.append("<b>Current</b>")
        chips.append(ORIGIN_LABELS.get(caption["origin"], caption["origin"]))
        header = QLabel(" &nbsp;·&nbsp; ".join(chips))
        header.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(header)

        text = QLabel(caption["text"])
        text.setObjectName("captionText")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(text)

        if caption.get("notice"):
            notice = QLabel(f"⚠ {caption['notice']}")
            notice.setObjectName("captionNotice")
            notice.setWordWrap(True)
            notice.setTextFormat(Qt.TextFormat.PlainText)
            notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            notice.setStyleSheet(NOTICE_STYLE)
            layout.addWidget(notice)

        if not caption["current"] and self.review is not None and self.unreadable_reason() is None:
            use = QPushButton("Use This Caption")
            use.setObjectName("useCaptionButton")
            use.setToolTip("Make this the photo's current caption: the one search, exports and the "
                           "files' metadata use. The current one stays, with its history.")
            caption_id = caption["id"]
            use.clicked.connect(lambda: self.choose_caption(caption_id))
            row = QHBoxLayout()
            row.addWidget(use)
            row.addStretch(1)
            layout.addLayout(row)

        facts = _provenance(caption)
        if caption.get("author"):
            facts.append(f"by {caption['author']}")
        facts.append(_local_time(caption["updated_at"]))
        revisions = len(caption.get("history") or [])
        if revisions > 1:
            facts.append(f"{revisions} revisions")
        meta = QLabel(" · ".join(facts))
        meta.setWordWrap(True)
        meta.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        small = meta.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        meta.setFont(small)
        layout.addWidget(meta)
        return card


def _provenance(caption: dict[str, Any]) -> list[str]:
    """Which captioner and model wrote the caption, and how sure the model was."""
    facts = [caption[key] for key in ("captioner", "model") if caption.get(key)]
    if caption.get("confidence") is not None:
        facts.append(f"{caption['confidence']:.0%} confident")
    return facts


def _based_on(caption: dict[str, Any] | None) -> BasedOn:
    """A review action's base: the photo_json caption shown (None: the photo has none)."""
    return BasedOn(caption["id"], caption["revision"]) if caption is not None else BasedOn(None, 0)


def _revision_count(details: dict[str, Any]) -> int:
    return sum(len(caption.get("history") or []) for caption in details.get("captions") or [])
