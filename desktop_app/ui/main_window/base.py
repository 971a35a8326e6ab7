"""What every controller of the main window has: a line for the status bar and a visible error."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class WindowController(QObject):
    """A plain QObject driving one area of the window; it reports through its signals, never by reaching
    into the window or another controller."""

    status = Signal(str)  # a line for the status bar
    error = Signal(str)  # a one-line message the window shows (and puts in the status bar)
