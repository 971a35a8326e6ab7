"""The one way the GUI runs work off its thread: a ``Worker`` on a QThread of its own, behind a ``Service``.

Every adapter in this package is such a pair. The window calls the Service's methods on the GUI thread;
they queue a call to the worker and return at once. The worker runs its calls one at a time, in the
order they were made, and answers with signals that arrive on the GUI thread as the Service's signals
of the same names. A call that raises becomes one line on ``failed``; the worker keeps serving.

The Qt rules behind each choice (https://doc.qt.io/qt-6/threads-qobject.html; superqt's
``_qthreading`` makes the same ones):

- A QObject's slots run on the thread the object lives in. The worker is created without a parent
  (``moveToThread`` refuses an object that has one) and moved before its thread starts; the Service,
  made on the GUI thread, stays there, and so do the listeners of its signals.
- Calls cross as one queued signal, ``_call(method, args)``, connected to the worker's ``_serve`` slot:
  Qt posts each emission to the worker thread's event queue, which delivers them in order (one sender,
  one receiver, one connection), so an undo asked for before its change was written still follows it.
- Answers cross the same way: the worker's signals are connected to the Service's, whose receiver
  lives on the GUI thread, so AutoConnection queues them. Values travel as Python objects ("object"
  signals): no conversion to Qt containers, and never an ORM object bound to another thread's session.
- Stopping: destroying a QThread that still runs aborts the process, so ``shutdown`` waits for the
  thread, with no timeout. It first calls ``stop`` (thread-safe flags that make a long call return
  early: a scan, an embedding run, a job), then queues the quit behind the calls already made: a quit
  posted with ``QThread.quit()`` from the GUI thread would end the event loop with calls still queued,
  and a write someone asked for would be lost. ``close`` then runs on the worker thread, the one that
  opened what it closes.
- The GUI thread was blocked in ``wait()`` while the last answers were posted to it: they are delivered
  before ``shutdown`` returns, so no answer is lost even when the application exits right after.
- The worker is deleted on its own thread when the thread finishes (``deleteLater`` on ``finished``),
  where a QObject's deletion belongs. At application exit (``aboutToQuit``) every Service still running
  shuts down, so no QThread outlives the event loop.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, QThread, Signal, Slot

from desktop_app.catalogue import Catalogue, CatalogueError
from desktop_app.errors import one_line

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def request(failure: str, *, answers_later: bool = False) -> Callable[[F], F]:
    """Mark a worker method as a call its Service may queue. Should it raise, ``failed`` carries one line,
    ``"<failure>: <reason>"``; ``failure`` may name the call's arguments ("cannot resume job {0}").
    ``answers_later``: the method emits ``done`` itself once its answer is complete (a listing sent in
    chunks over later turns of the event loop); other calls are done when they return."""
    def mark(method: F) -> F:
        method.failure = failure  # type: ignore[attr-defined]
        method.answers_later = answers_later  # type: ignore[attr-defined]
        return method

    return mark


class Worker(QObject):
    """The part of an adapter that lives on the worker thread: the calls (methods marked ``@request``)
    and the signals that answer them. Its methods may also be called directly, without a thread (tests)."""

    failed = Signal(str)  # a call failed: one line for the user
    done = Signal()  # after every call, whatever its outcome (see Service.pending)

    def __init__(self) -> None:
        super().__init__()  # no parent: moveToThread refuses an object that has one
        self.catalogue: Catalogue | None = None

    @request(QT_TRANSLATE_NOOP("Worker", "cannot use the catalogue"))
    def open(self, catalogue: Catalogue) -> None:
        """Use ``catalogue`` from now on (the Backend opened it; each call makes its own sessions)."""
        self.catalogue = catalogue

    def close(self) -> None:
        """The last thing run on the worker thread, after every call made before ``shutdown``."""

    def require_catalogue(self) -> Catalogue:
        if self.catalogue is None:
            raise CatalogueError(self.tr("no catalogue is open"))
        return self.catalogue

    def report(self, what: str, exc: Exception) -> None:
        """``exc`` as one line on ``failed``; the traceback goes to the log only when the failure is a
        bug (not ours and not a catalogue's state), the line alone otherwise."""
        if isinstance(exc, CatalogueError):
            log.warning("%s: %s", what, exc)
            self.failed.emit(str(exc))  # a whole sentence already: which catalogue, why, what to do
            return
        log.warning("%s: %s", what, one_line(exc))
        log.debug("%s", what, exc_info=exc)
        self.failed.emit(f"{what}: {one_line(exc)}")

    @Slot(object, object)
    def _serve(self, method: Callable[..., Any], args: tuple[Any, ...]) -> None:
        answers_later = getattr(method, "answers_later", False)
        try:
            method(*args)
        except Exception as exc:  # a failed call reaches the window as one line; the thread lives on
            # The failure is marked for lupdate where the method is (@request); translated here.
            failure = getattr(method, "failure", QT_TRANSLATE_NOOP("Worker", "the request failed"))
            self.report(QCoreApplication.translate("Worker", failure).format(*args), exc)
            answers_later = False
        finally:
            if not answers_later:
                self.done.emit()

    @Slot()
    def _quit(self) -> None:
        try:
            self.close()
        except Exception as exc:
            self.report(self.tr("cannot close"), exc)
        finally:
            # Quit from here, once every call queued before has run (see the module docstring).
            self.thread().quit()


class Service(QObject):
    """The GUI thread's handle on a worker and its thread: queue calls with ``call``, listen to the
    signals the subclass declares (each fed by the worker's signal of the same name, or of the name
    ``renamed`` maps to it: {worker's name: this class's}), ``shutdown`` once. Subclasses keep a typed
    ``worker`` attribute of their own."""

    _call = Signal(object, object)  # a bound method of the worker, its arguments
    _quit = Signal()

    def __init__(self, worker: Worker, name: str, parent: QObject | None = None,
                 renamed: Mapping[str, str] | None = None) -> None:
        super().__init__(parent)
        self.pending = 0  # calls made and not yet done
        self.closed = False
        self._worker: Worker = worker
        self._thread = QThread(self)  # its object lives on the GUI thread; it runs the worker's loop
        self._thread.setObjectName(name)  # the name debuggers and py-spy show
        worker.moveToThread(self._thread)
        self._thread.finished.connect(worker.deleteLater)
        self._call.connect(worker._serve)
        self._quit.connect(worker._quit)
        worker.done.connect(self._on_done)
        if "failed" not in self._forward(worker, renamed):
            # This service's `failed` carries more than a line (a request id): a failure without one is
            # unexpected, and goes where the application shows those.
            worker.failed.connect(self._on_unexpected)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the worker's thread runs (until ``shutdown``)."""
        return self._thread.isRunning()

    def _forward(self, worker: Worker, renamed: Mapping[str, str] | None) -> list[str]:
        """Connect each signal this class declares to ``worker``'s signal of the same name (or of the name
        ``renamed`` maps to it); the worker's signals connected. Queued: listeners run on the GUI thread."""
        sources = {value: key for key, value in (renamed or {}).items()}
        connected = []
        for name in _declared_signals(type(self)):
            source = sources.get(name, name)
            if isinstance(getattr(type(worker), source, None), Signal):
                getattr(worker, source).connect(getattr(self, name))
                connected.append(source)
        return connected

    def call(self, method: Callable[..., Any], *args: Any) -> bool:
        """Queue ``method(*args)`` (a ``@request`` method of the worker) on the worker thread; False, and
        nothing queued, once shut down."""
        if self.closed:
            return False
        if getattr(method, "__self__", None) is not self._worker or not hasattr(method, "failure"):
            raise TypeError(f"{method!r} is not a request of this service's worker")
        self.pending += 1
        self._call.emit(method, args)
        return True

    def open(self, catalogue: Catalogue) -> None:
        """Let the worker use ``catalogue`` (calls made before are answered without one)."""
        self.call(self._worker.open, catalogue)

    def stop(self) -> None:
        """Ask a long call to return early; runs on the GUI thread before ``shutdown`` waits, so it may
        only set thread-safe flags. Nothing by default: every call is short, or must finish."""

    @Slot()
    def shutdown(self) -> None:
        """Run the calls already made (``stop`` asks a long one to return early), close the worker, end
        its thread and deliver its last answers. Harmless when done already."""
        if self.closed:
            return
        self.closed = True
        self.stop()
        if self._thread.isRunning():
            self._quit.emit()
            self._thread.wait()  # no timeout: a QThread destroyed while it runs aborts the process
        # Answers posted while this thread waited, delivered now, before the application may exit.
        QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)

    @Slot()
    def _on_done(self) -> None:
        self.pending -= 1

    @Slot(str)
    def _on_unexpected(self, message: str) -> None:
        error = RuntimeError(message)
        sys.excepthook(type(error), error, None)


def _declared_signals(cls: type) -> list[str]:
    """The public signals declared by ``cls`` and its bases up to (not including) Service and QObject."""
    names: list[str] = []
    for klass in cls.__mro__:
        if klass in (Service, QObject) or not issubclass(klass, QObject):
            break
        names += [name for name, value in vars(klass).items()
                  if isinstance(value, Signal) and not name.startswith("_") and name not in names]
    return names

