"""Starting the desktop app, and its screenshot mode for documentation and checks without a person."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import (
    QCoreApplication,
    QEventLoop,
    QMessageLogContext,
    QObject,
    QSize,
    QTimer,
    QtMsgType,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop_app import locations
from desktop_app.errors import one_line
from desktop_app.settings import load_settings
from desktop_app.ui import themes
from desktop_app.ui.accessibility import text_scale
from desktop_app.ui.language import install_language
from desktop_app.ui.main_window.window import DEFAULT_SIZE, MainWindow
from desktop_app.ui.qt_check import binding_problem, platform_problem

log = logging.getLogger(__name__)

SCREENSHOT_TIMEOUT_S = 120.0
POLL_MS = 50
# Warnings the offscreen platform gives for every window; they say nothing about the app.
HARMLESS_QT_MESSAGES = frozenset({"This plugin does not support propagateSizeHints()"})
# Settled for this many polls in a row: a reply that starts more work (a scan's end reloading the
# libraries, then the photos) is always in flight between two polls for less than this.
SETTLED_POLLS = 3


def _application() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app  # tests create theirs first; there can be only one per process
    app = QApplication(sys.argv[:1])
    app.setApplicationName("Photo Annotator")
    app.setOrganizationName("photo-annotator")
    # Before any widget is made: texts are translated as widgets are built.
    install_language(app, load_settings().language)
    apply_look(app)
    return app


def apply_look(app: QApplication, appearance: str | None = None) -> None:
    """The app's icon, and its theme (ui/themes.py): ``appearance``, by default the settings' (System:
    light or dark as the system is, following it as it changes)."""
    resources = locations.resources_dir()
    app.setWindowIcon(QIcon(str(resources / "icons" / "photo-annotator.svg")))
    themes.look(app).apply(appearance or load_settings().appearance)


def _display_problem(screenshot: bool) -> str | None:
    """Why no window can open here, or None. A screenshot needs no screen: it is drawn offscreen."""
    if QApplication.instance() is not None or not sys.platform.startswith("linux"):
        return None
    if not (os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY")
            or os.environ.get("WAYLAND_DISPLAY")):
        if screenshot:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            return None
        # Qt would abort the process with a multi-line message of its own.
        return "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set)"
    # So would it for want of a library of its X11 platform, naming one of them at most.
    return platform_problem()


def _initial_size(app: QApplication, window: MainWindow, share: float = 0.95) -> QSize:
    """The default size, larger as the desktop's text is (up to ``share`` of the screen)."""
    scale = text_scale(window)
    wanted = QSize(round(DEFAULT_SIZE.width() * scale), round(DEFAULT_SIZE.height() * min(scale, 1.2)))
    screen = app.primaryScreen()
    if screen is None:
        return wanted
    available = screen.availableGeometry().size()
    return QSize(min(wanted.width(), int(available.width() * share)),
                 min(wanted.height(), int(available.height() * share)))


class ScreenshotTaker(QObject):
    """Waits until the window has settled, saves a PNG of it, and ends ``loop`` with an exit status."""

    def __init__(self, window: MainWindow, out: str, loop: QEventLoop,
                 timeout_s: float = SCREENSHOT_TIMEOUT_S) -> None:
        super().__init__(window)
        self.loop = loop
        self.window = window
        self.out = out
        self.deadline = time.monotonic() + timeout_s
        self.timeout_s = timeout_s
        self.settled_polls = 0
        self.status = 1
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    @Slot()
    def _poll(self) -> None:
        self.settled_polls = self.settled_polls + 1 if self.window.is_settled() else 0
        if self.settled_polls >= SETTLED_POLLS:
            self._finish(self._save())
        elif time.monotonic() > self.deadline:
            self._fail(f"the window did not finish loading within {self.timeout_s:.0f} s")
            self._finish(1)

    def _save(self) -> int:
        if not self.window.grab().save(self.out, "PNG"):
            self._fail(f"cannot write the screenshot to {self.out}")
            return 1
        errors = self.window.errors()
        if errors:
            self._fail(f"{errors[-1]} (screenshot saved to {self.out})")
            return 1
        return 0

    @staticmethod
    def _fail(message: str) -> None:
        sys.stderr.write(f"photo-annotator: error: {message[:1].lower()}{message[1:]}\n")

    def _finish(self, status: int) -> None:
        self.timer.stop()
        self.status = status
        self.loop.exit(status)


def run_app(folder: str | None = None, db: str | None = None, screenshot: str | None = None) -> int:
    """Run the desktop app until its window closes; return the exit status.

    ``folder`` is scanned and shown; with none, an empty catalogue gets the bundled sample library.
    With ``screenshot``, the window is saved as a PNG once loaded and the app exits: 0 when the PNG is
    written and nothing failed, 1 (with a line on stderr) otherwise.
    """
    problem = binding_problem() or _display_problem(screenshot is not None)
    if problem:
        sys.stderr.write(f"photo-annotator: error: {problem}\n")
        return 1
    app = _application()
    window = MainWindow()
    restore_hooks = install_error_hooks(window)
    try:
        if screenshot:
            return _screenshot(window, folder, db, screenshot)
        if not window.restore_geometry():  # where and as large as it was closed, else fitted
            window.resize(_initial_size(app, window))
        window.show()
        window.start(db=db, folder=folder)
        return app.exec()
    finally:
        window.shutdown()  # closing the window does it; this covers the loop ending otherwise
        restore_hooks()


def install_error_hooks(window: MainWindow) -> Callable[[], None]:
    """Show an unexpected error, from any thread, as a line in the window instead of a traceback on
    stderr (or nothing at all): the traceback goes to the log, and the app goes on. Returns a function
    that puts the previous hooks back."""
    previous, previous_threading = sys.excepthook, threading.excepthook

    def report(kind: type[BaseException], value: BaseException, traceback: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, value, traceback)
            return
        log.error("unexpected error", exc_info=(kind, value, traceback))
        # A signal: queued to the GUI thread when raised elsewhere.
        window.unexpected_error.emit(QCoreApplication.translate(
            "MainWindow", "Unexpected error: {error} (the details are in the log; the app goes on)").format(
                error=one_line(value)))

    sys.excepthook = report
    threading.excepthook = lambda args: report(args.exc_type, args.exc_value or args.exc_type(),
                                               args.exc_traceback)

    def restore() -> None:
        sys.excepthook, threading.excepthook = previous, previous_threading

    return restore


def _print_qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    if message not in HARMLESS_QT_MESSAGES:
        sys.stderr.write(message + "\n")


def _screenshot(window: MainWindow, folder: str | None, db: str | None, out: str) -> int:
    # A local loop, not app.exec()/app.exit(): after the application's own loop has been ended, a
    # later QEventLoop.exec() on the GUI thread can return -1 at once (seen under pytest-qt), so a
    # process that goes on (a test session) could no longer wait for the worker threads' signals.
    loop = QEventLoop()
    taker = ScreenshotTaker(window, out, loop)
    # Screenshots are taken by scripts, which read stderr: keep it to what went wrong.
    previous = qInstallMessageHandler(_print_qt_message)
    try:
        # The documented size, whatever the screen; larger with larger text, up to the screen's size.
        app = QApplication.instance()
        large = text_scale(window) > 1 and isinstance(app, QApplication)
        window.resize(_initial_size(app, window, share=1.0) if large else DEFAULT_SIZE)  # type: ignore[arg-type]
        window.show()
        window.start(db=db, folder=folder)
        loop.exec()
        window.close()
    finally:
        qInstallMessageHandler(previous)
    return taker.status
