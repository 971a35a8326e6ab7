"""Accessibility checks any Qt test can run on a shown window: every control has an accessible name (read
through Qt's accessibility interface, as a screen reader gets it), can get keyboard focus, and shows its
text whole at twice the text size; and contrast ratios (WCAG 2.1) of a widget's text.

``problems(window)`` lists what fails; ``at_text_scale(app, 2.0)`` doubles the application's font for a
``with`` block. Screen readers cannot run here: Qt's own accessibility interfaces are what they read
through AT-SPI, UI Automation and VoiceOver, so the checks read those in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible, QColor, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSlider,
    QTabBar,
    QTextEdit,
    QToolBar,
    QToolButton,
    QWidget,
)

# What a person operates: each needs a name a screen reader reads and a way to it by keyboard.
CONTROL_TYPES: tuple[type[QWidget], ...] = (
    QAbstractButton, QLineEdit, QTextEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QSlider,
    QAbstractItemView, QTabBar,
)
# Qt's own parts of a control (a combo box's line edit, a spin box's, a tab bar's scroll arrows, a dock's
# title buttons, a toolbar's overflow arrow): named and reached through the control that holds them.
INNER_PART_NAMES = frozenset({"qt_spinbox_lineedit", "qt_toolbar_ext_button", "qt_dockwidget_closebutton",
                              "qt_dockwidget_floatbutton", "ScrollLeftButton", "ScrollRightButton"})
WCAG_TEXT = 4.5  # WCAG 2.1 AA: normal text against its background
WCAG_HIGH_CONTRAST = 7.0  # WCAG 2.1 AAA: what a high-contrast theme must reach


@dataclass(frozen=True)
class Problem:
    widget: str  # where: the window's title, then the object names or classes down to the control
    what: str

    def __str__(self) -> str:
        return f"{self.widget}: {self.what}"


def describe(widget: QWidget) -> str:
    """A path a developer finds the widget by: window title, then object names (or class names)."""
    parts = []
    current: QWidget | None = widget
    while current is not None and not current.isWindow():
        name = current.objectName() or type(current).__name__
        text = _text(current)
        parts.append(f"{name}({text!r})" if text else name)
        current = current.parentWidget()
    top = current.windowTitle() or type(current).__name__ if current is not None else "?"
    return " > ".join([top, *reversed(parts)])


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader reads for ``widget``: Qt's accessible interface's, which Qt derives from a
    button's text or a QLabel buddy when no accessible name is set."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def accessible_description(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Description).strip() if interface is not None else ""


def controls(root: QWidget) -> list[QWidget]:
    """The controls shown in ``root`` (its own window only, not the dialogs it owns), Qt's inner parts
    left out."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, CONTROL_TYPES) or not widget.isVisible() or widget.window() is not root:
            continue
        if _inner_part(widget):
            continue
        found.append(widget)
    return found


def _inner_part(widget: QWidget) -> bool:
    if widget.objectName() in INNER_PART_NAMES:
        return True
    parent = widget.parentWidget()
    # An editable combo box's line edit, a spin box's, a line edit's clear button, a view's header:
    # reached with (or through) the control that holds them.
    return isinstance(parent, (QComboBox, QAbstractSpinBox, QTabBar, QLineEdit, QAbstractItemView))


def reachable_from_menu(widget: QWidget) -> bool:
    """A toolbar button whose action is also in the window's menus (Alt, F10) or has a shortcut: a keyboard
    user reaches it there, as in every desktop app (toolbar buttons take no focus by design)."""
    if not isinstance(widget, QToolButton) or not isinstance(widget.parentWidget(), QToolBar):
        return False
    action = widget.defaultAction()
    if action is None:
        return False
    in_menu = any(isinstance(owner, QMenu) for owner in action.associatedObjects())
    return in_menu or not action.shortcut().isEmpty()


def name_problem(widget: QWidget) -> str | None:
    """Why a screen reader cannot say what ``widget`` is, or None."""
    name = accessible_name(widget)
    kind = type(widget).__name__
    if not name:
        return f"{kind} without an accessible name"
    if not any(character.isalnum() for character in name):
        return f"{kind} named only by the symbol {name!r}: name what it does"
    # Qt names an unnamed combo box by its current item: that is its value, not what it chooses.
    if isinstance(widget, QComboBox) and not widget.accessibleName() and not _has_buddy(widget):
        return f"{kind} named only by its current item {name!r}: name what it chooses"
    return None


def _has_buddy(widget: QWidget) -> bool:
    return any(label.buddy() is widget for label in widget.window().findChildren(QLabel))


def name_problems(root: QWidget) -> list[Problem]:
    return [Problem(describe(widget), problem) for widget in controls(root)
            if (problem := name_problem(widget)) is not None]


Check = Callable[[QWidget], bool]


def focus_problems(root: QWidget, reachable: Check = reachable_from_menu) -> list[Problem]:
    """Controls that cannot get keyboard focus with Tab, unless ``reachable`` says how else a keyboard
    user reaches them."""
    return [Problem(describe(widget), f"{type(widget).__name__} cannot get keyboard focus (Tab)")
            for widget in controls(root)
            if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus and not reachable(widget)]


def clipping_problems(root: QWidget, elided: Check = lambda _widget: False) -> list[Problem]:
    """Labels and buttons whose text needs more room than they have (run it after ``at_text_scale``):
    a label's or button's size hint is its text's room, and a label that elides (``is_elided()``) fails
    while it does. ``elided`` names those cut short by design (their whole text reachable another way)."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, (QLabel, QAbstractButton)) or not widget.isVisible():
            continue
        if widget.window() is not root or _inner_part(widget) or not _text(widget) or elided(widget):
            continue
        if isinstance(widget, QLabel) and widget.wordWrap():
            needed = widget.heightForWidth(widget.contentsRect().width()) + widget.margin() * 2
            if needed > widget.height() + 1:
                found.append(Problem(describe(widget), f"wrapped text needs {needed} px height, has "
                                                       f"{widget.height()}"))
            continue
        is_elided = getattr(widget, "is_elided", None)  # a label that elides: its minimum is a few letters
        if callable(is_elided) and is_elided():
            found.append(Problem(describe(widget), f"elided: text needs {widget.sizeHint().width()} px, has "
                                                   f"{widget.width()}"))
            continue
        needed = widget.minimumSizeHint().width() if isinstance(widget, QLabel) else widget.sizeHint().width()
        if needed > widget.width() + 1:
            found.append(Problem(describe(widget), f"text needs {needed} px, has {widget.width()}"))
    for widget in [*root.findChildren(QLabel), *root.findChildren(QAbstractButton)]:
        if widget.isVisible() and widget.window() is root and _text(widget) and not _inner_part(widget):
            cut = _cut_by(widget)
            if cut is not None:
                found.append(Problem(describe(widget), f"cut at the right edge of {cut}"))
    return found


def _cut_by(widget: QWidget) -> str | None:
    """The ancestor whose right edge cuts ``widget`` off (one that cannot be scrolled sideways), or None."""
    right = widget.width()
    current = widget
    while not current.isWindow():
        parent = current.parentWidget()
        if parent is None:
            return None
        right = current.mapToParent(QPoint(right, 0)).x()
        scroll = parent.parentWidget()
        if (isinstance(scroll, QAbstractScrollArea) and parent is scroll.viewport()
                and scroll.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff):
            return None  # scrolled sideways to it
        if right > parent.width() + 1:
            return parent.objectName() or type(parent).__name__
        current = parent
    return None


def problems(root: QWidget, reachable: Check = reachable_from_menu) -> list[Problem]:
    """Names and keyboard reach: what ``root`` fails at its current text size."""
    return name_problems(root) + focus_problems(root, reachable)


def _text(widget: QWidget) -> str:
    if isinstance(widget, (QLabel, QAbstractButton)):
        return widget.text()
    return ""


def settle_layouts(app: QApplication) -> None:
    """Let every layout recompute after a font or style change."""
    for _round in range(3):
        app.processEvents()
        for window in app.topLevelWidgets():
            if not window.isVisible():
                continue
            for widget in [window, *window.findChildren(QWidget)]:
                if widget.layout() is not None:
                    widget.layout().activate()
        app.processEvents()


def set_font(app: QApplication, font: QFont) -> None:
    """The application font, also on the widgets already shown: with an application style sheet Qt
    leaves their fonts as they were until the sheet is applied again."""
    app.setFont(font)
    sheet = app.styleSheet()
    app.setStyleSheet("")
    app.setStyleSheet(sheet)


@contextmanager
def at_text_scale(app: QApplication, factor: float) -> Iterator[None]:
    """The application font at ``factor`` times its point size (as a user's text scale setting makes
    it), layouts recomputed; the font comes back after the block."""
    original = QFont(app.font())
    scaled = QFont(original)
    scaled.setPointSizeF(original.pointSizeF() * factor)
    set_font(app, scaled)
    settle_layouts(app)
    try:
        yield
    finally:
        set_font(app, original)
        settle_layouts(app)


# -- contrast (WCAG 2.1) -----------------------------------------------------------------------------

def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = channel(colour.redF()), channel(colour.greenF()), channel(colour.blueF())
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: QColor, background: QColor) -> float:
    """WCAG 2.1's contrast ratio, 1 to 21."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def painted_background(widget: QWidget) -> QColor:
    """The colour behind ``widget``'s text: its own for the controls that fill their background (item views
    and text editors fill with Base, buttons with Button), else that of the nearest widget that fills
    its background, or of the window."""
    own = QColor()
    if isinstance(widget, (QAbstractItemView, QPlainTextEdit, QTextEdit, QLineEdit)):
        own = widget.palette().color(QPalette.ColorRole.Base)
    elif isinstance(widget, (QAbstractButton, QComboBox)):
        own = widget.palette().color(QPalette.ColorRole.Button)
    if own.isValid() and own.alpha() == 255:
        return own
    # A transparent one (a style sheet's "background: transparent") shows what is behind it.
    current: QWidget | None = widget if not own.isValid() else widget.parentWidget()
    while current is not None:
        colour = current.palette().color(current.backgroundRole())
        if (current.autoFillBackground() or current.isWindow()) and colour.alpha() == 255:
            return colour
        current = current.parentWidget()
    return widget.palette().color(QPalette.ColorRole.Window)


def foreground(widget: QWidget) -> QColor:
    palette = widget.palette()
    if isinstance(widget, (QAbstractItemView, QPlainTextEdit, QTextEdit, QLineEdit)):
        return palette.color(QPalette.ColorRole.Text)
    if isinstance(widget, (QAbstractButton, QComboBox)):
        return palette.color(QPalette.ColorRole.ButtonText)
    return palette.color(widget.foregroundRole())


def text_contrast(widget: QWidget) -> float:
    """The contrast of ``widget``'s text against the background it is painted on, from the palettes."""
    return contrast_ratio(foreground(widget), painted_background(widget))


def palette_contrast(palette: QPalette, text: QPalette.ColorRole, background: QPalette.ColorRole) -> float:
    return contrast_ratio(palette.color(QPalette.ColorGroup.Active, text),
                          palette.color(QPalette.ColorGroup.Active, background))
