"""A start-up check that the Qt binding can run the app at all.

PySide6 6.12.0 on CPython 3.11 hands Python references to ``None``, ``True`` and ``False`` that it
does not own: every call of a void method (``painter.save()``), every ``signal.emit()`` and every
invalid QVariant read back (``index.data(role)``) takes one reference away. Those objects hold a few
thousand references, so a window that paints a grid of thumbnails aborts within minutes ("none_dealloc:
deallocating None"). CPython 3.12 made these objects immortal, which hides the bug; PySide6 6.11 does
not have it. Failing at start with a way out beats crashing in the middle of someone's work.
"""

from __future__ import annotations

import ctypes
import sys

import PySide6
from PySide6.QtCore import QRect

PROBE_CALLS = 16


def binding_problem() -> str | None:
    """Why this PySide6 cannot run the app (a one-line message), or None when it can."""
    if sys.version_info >= (3, 12):
        return None  # None, True and False are immortal: a missing reference to them is harmless
    probe = QRect()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setWidth(1)  # a void method: returns None
    lost = before - sys.getrefcount(None)
    if lost <= 0:
        return None
    for _ in range(lost):  # give back what the probe itself took
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return (
        f"PySide6 {PySide6.__version__} on Python {python} loses references to None (a bug of that "
        "release) and would crash the app; install another release (pip install "
        "'PySide6-Essentials<6.12') or use Python 3.12 or newer"
    )
