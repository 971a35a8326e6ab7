"""Spoken announcements of state changes (approved, rejected, the next photo, a job's end, a search's
results) for screen readers, through Qt's accessibility events (Qt 6.8 and later): AT-SPI on Linux, UI
Automation on Windows, VoiceOver on macOS."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QFontInfo
from PySide6.QtWidgets import QWidget

# Who else hears each announcement: tests, since nothing in-process can observe what the platform's
# accessibility bridge receives (Qt exposes no update handler to Python).
Listener = Callable[[QWidget, str, bool], None]
_listeners: list[Listener] = []


def announce(widget: QWidget, text: str, assertive: bool = False) -> None:
    """Have screen readers say ``text`` on behalf of ``widget``: politely (after what they are saying) or,
    ``assertive``, at once (a failure the user must hear)."""
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if assertive
                        else QAccessible.AnnouncementPoliteness.Polite)
    QAccessible.updateAccessibility(event)
    for listener in list(_listeners):
        listener(widget, text, assertive)


def add_listener(listener: Listener) -> Callable[[], None]:
    """Call ``listener(widget, text, assertive)`` after each announcement; returns what removes it."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


USUAL_TEXT_PX = 12  # the usual desktop text: 9 pt at 96 dpi (macOS: 13 pt at 72 dpi, 13 px)


def text_scale(widget: QWidget) -> float:
    """How many times larger than usual the desktop makes text (a text size setting), at least 1: what
    sizes given in pixels for the usual text are multiplied by."""
    return max(1.0, QFontInfo(widget.font()).pixelSize() / USUAL_TEXT_PX)
