"""Start-up checks that Qt can run the app here at all, each failing with one line and the way out
instead of a crash.

The binding: PySide6 6.12.0 on CPython 3.11 hands Python references to ``None``, ``True`` and ``False``
that it does not own: every call of a void method (``painter.save()``), every ``signal.emit()`` and every
invalid QVariant read back (``index.data(role)``) takes one reference away. Those objects hold a few
thousand references, so a window that paints a grid of thumbnails aborts within minutes ("none_dealloc:
deallocating None"). CPython 3.12 made these objects immortal, which hides the bug; PySide6 6.11 does
not have it.

The system libraries: Qt's X11 platform plugin (xcb) links a dozen X libraries that minimal Linux
installs (containers, servers, CI) lack, and Qt aborts the process when it cannot load the plugin, with
a hint that names only the first of them. So the libraries are tried here first, and every missing one
is named at once with the line that installs them. Qt itself is imported lazily, so that this module
can also explain an import of Qt that fails for want of a library.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from collections.abc import Iterable, Mapping

import PySide6

PROBE_CALLS = 16

# What libqxcb.so (the xcb platform plugin of the PySide6 wheels) links, beyond Qt's own libraries and
# glibc: the shared object, and the Debian/Ubuntu package that ships it. `ldd` on the plugin lists them.
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}
# What Qt's GUI libraries link on every platform (the offscreen one included): without them importing
# PySide6.QtGui fails.
QT_LIBRARIES: dict[str, str] = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}
_MISSING_LIBRARY = re.compile(r"(\S+\.so(?:\.\d+)*): cannot open shared object file")


def binding_problem() -> str | None:
    """Why this PySide6 cannot run the app (a one-line message), or None when it can."""
    if sys.version_info >= (3, 12):
        return None  # None, True and False are immortal: a missing reference to them is harmless
    from PySide6.QtCore import QRect

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


def uses_xcb(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether Qt will start on its X11 (xcb) platform: Linux, and QT_QPA_PLATFORM naming xcb first
    (``xcb``, ``xcb:options``, ``xcb;offscreen``) or unset outside a Wayland session."""
    if not sys.platform.startswith("linux"):
        return False
    platforms = environ.get("QT_QPA_PLATFORM", "").strip()
    if platforms:
        return platforms.split(";")[0].split(":")[0].strip() == "xcb"
    # Qt's own choice: Wayland in a Wayland session that has a compositor, X11 everywhere else.
    return not (environ.get("XDG_SESSION_TYPE") == "wayland" and environ.get("WAYLAND_DISPLAY"))


def missing_libraries(libraries: Mapping[str, str]) -> dict[str, str]:
    """The shared objects of ``libraries`` (soname: package) that this system cannot load."""
    missing = {}
    for soname, package in libraries.items():
        try:
            ctypes.CDLL(soname)  # what the dynamic loader does for Qt: same paths, same dependencies
        except OSError:
            missing[soname] = package
    return missing


def install_line(packages: Iterable[str]) -> str:
    """The Debian/Ubuntu command that installs ``packages`` (each once, in the order given)."""
    return "sudo apt-get install " + " ".join(dict.fromkeys(packages))


def _libraries_message(missing: Mapping[str, str | None], what: str) -> str:
    packages = [package for package in missing.values() if package]
    unknown = [soname for soname, package in missing.items() if not package]
    how = [f"Debian/Ubuntu: {install_line(packages)}"] if packages else []
    how += [f"the package that provides {soname}" for soname in unknown]
    return (f"{what} needs system libraries that are missing ({', '.join(missing)}); install them "
            f"({'; '.join(how)}) and start again")


def platform_problem(environ: Mapping[str, str] = os.environ,
                     libraries: Mapping[str, str] = XCB_LIBRARIES) -> str | None:
    """Why Qt's X11 platform would abort the app here (a one-line message naming every missing
    library and the packages to install), or None: it will not be used, or it has what it needs."""
    if not uses_xcb(environ):
        return None
    missing = missing_libraries(libraries)
    if not missing:
        return None
    return _libraries_message(missing, "Qt's X11 platform (xcb)")


def import_problem(exc: ImportError, libraries: Mapping[str, str] = QT_LIBRARIES) -> str:
    """A one-line reason for an import of Qt that failed: every system library Qt's GUI needs that is
    missing (not only the one the import stumbled on) and how to install them."""
    found = _MISSING_LIBRARY.search(str(exc))
    if found is None:
        lines = str(exc).strip().splitlines()
        return f"cannot load Qt: {lines[0] if lines else type(exc).__name__}"
    missing: dict[str, str | None] = dict(missing_libraries(libraries))
    missing.setdefault(found.group(1), libraries.get(found.group(1)))
    return _libraries_message(missing, "Qt")
