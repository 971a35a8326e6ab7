"""The generic worker/service pair every Qt adapter is built on (desktop_app/ui/workers/threaded.py):
answers on the GUI thread, a failed call as one line with the worker serving on, a shutdown that runs
what was asked for and delivers its answers, harmless twice, and at application exit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QThread, Signal
from pytestqt.qtbot import QtBot

from desktop_app.ui.workers.threaded import Service, Worker, request
from tests.gui_helpers import WAIT_MS


class Echo(Worker):
    answered = Signal(object, str)  # the value, the thread that answered it (or the listing's part)
    started = Signal()
    _rest = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._rest.connect(self._send_rest, Qt.ConnectionType.QueuedConnection)
        self.release = threading.Event()
        self.written: list[str] = []
        self.closed_on: list[str] = []

    @request("cannot echo {0}")
    def echo(self, value: str) -> None:
        if value == "boom":
            raise ValueError("it broke\nand a second line")
        self.answered.emit(value, QThread.currentThread().objectName())

    @request("cannot write {0}")
    def slow_write(self, value: str) -> None:
        self.started.emit()
        self.release.wait()  # a long call: it returns when the service's stop() asks
        self.written.append(value)
        self.answered.emit(value, QThread.currentThread().objectName())

    @request("cannot list {0}", answers_later=True)
    def listing(self, value: str) -> None:
        self.answered.emit(value, "first part")
        self._rest.emit(value)  # the rest on a later turn of the event loop, after waiting calls

    def _send_rest(self, value: str) -> None:
        self.answered.emit(value, "last part")
        self.done.emit()  # the listing is complete

    def not_a_request(self) -> None:
        pass

    def close(self) -> None:
        self.closed_on.append(QThread.currentThread().objectName())


class EchoService(Service):
    answered = Signal(object, str)
    started = Signal()
    failed = Signal(str)

    def __init__(self) -> None:
        worker = Echo()
        super().__init__(worker, "echo")
        self.worker = worker

    def stop(self) -> None:
        self.worker.release.set()


@pytest.fixture
def service(qapp: QCoreApplication) -> Iterator[EchoService]:
    opened = EchoService()
    yield opened
    opened.shutdown()


def test_answers_arrive_on_the_gui_thread_from_the_workers_own(qtbot: QtBot, service: EchoService) -> None:
    gui = QThread.currentThread()
    heard: list[tuple[object, str, bool]] = []
    service.answered.connect(
        lambda value, thread: heard.append((value, thread, QThread.currentThread() is gui)))
    with qtbot.waitSignal(service.answered, timeout=WAIT_MS):
        assert service.call(service.worker.echo, "hello")
    assert heard == [("hello", "echo", True)]
    qtbot.waitUntil(lambda: service.pending == 0, timeout=WAIT_MS)


def test_a_failing_call_is_one_reported_line_and_the_worker_serves_on(
    qtbot: QtBot, service: EchoService
) -> None:
    with qtbot.waitSignal(service.failed, timeout=WAIT_MS) as failed:
        service.call(service.worker.echo, "boom")
    assert failed.args == ["cannot echo boom: it broke"]
    with qtbot.waitSignal(service.answered, timeout=WAIT_MS) as answered:
        service.call(service.worker.echo, "after")
    assert answered.args == ["after", "echo"]
    qtbot.waitUntil(lambda: service.pending == 0, timeout=WAIT_MS)


def test_a_call_answering_later_is_pending_until_its_last_part(qtbot: QtBot, service: EchoService) -> None:
    parts: list[str] = []
    service.answered.connect(lambda _value, part: parts.append(part))
    service.answered.connect(lambda _value, _part: parts.append(f"pending {service.pending}"))
    last = lambda _value, part: part == "last part"  # noqa: E731
    with qtbot.waitSignal(service.answered, timeout=WAIT_MS, check_params_cb=last):
        service.call(service.worker.listing, "photos")
    qtbot.waitUntil(lambda: service.pending == 0, timeout=WAIT_MS)
    assert parts == ["first part", "pending 1", "last part", "pending 1"]  # done after the last part


class KeyedService(Service):
    """A service whose `failed` carries a request id, as the search's does."""

    answered = Signal(object, str)
    failed = Signal(int, str)

    def __init__(self) -> None:
        worker = Echo()
        super().__init__(worker, "keyed", renamed={"echo_failed": "failed"})  # keyed failures, were there any
        self.worker = worker


def test_a_failure_a_service_has_no_signal_for_goes_where_unexpected_errors_go(
    qtbot: QtBot, qapp: QCoreApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    unexpected: list[str] = []
    monkeypatch.setattr("sys.excepthook", lambda _kind, value, _traceback: unexpected.append(str(value)))
    service = KeyedService()
    try:
        service.call(service.worker.echo, "boom")
        qtbot.waitUntil(lambda: bool(unexpected), timeout=WAIT_MS)
    finally:
        service.shutdown()
    assert unexpected == ["cannot echo boom: it broke"]


def test_only_the_workers_requests_can_be_called(service: EchoService) -> None:
    with pytest.raises(TypeError, match="not a request"):
        service.call(service.worker.not_a_request)
    with pytest.raises(TypeError, match="not a request"):
        service.call(Echo().echo, "another worker's")
    assert service.pending == 0


def test_shutdown_during_a_call_runs_what_was_asked_and_delivers_every_answer(
    qtbot: QtBot, service: EchoService
) -> None:
    worker = service.worker
    written, closed_on = worker.written, worker.closed_on  # the worker is deleted with its thread
    heard: list[object] = []
    service.answered.connect(lambda value, _thread: heard.append(value))
    with qtbot.waitSignal(service.started, timeout=WAIT_MS):
        service.call(worker.slow_write, "first")
    service.call(worker.echo, "asked before the shutdown")
    service.shutdown()  # stop() lets the long call return; the queued one still runs

    assert not service.running
    assert written == ["first"] and closed_on == ["echo"]  # closed on its own thread, after the calls
    assert heard == ["first", "asked before the shutdown"]  # delivered before shutdown returned
    assert service.pending == 0
    assert service.call(worker.echo, "too late") is False
    service.shutdown()  # twice: harmless
    assert heard == ["first", "asked before the shutdown"]


def test_shutdown_of_an_idle_service_twice_is_harmless(qapp: QCoreApplication) -> None:
    service = EchoService()
    service.shutdown()
    service.shutdown()
    assert not service.running and service.closed


def test_the_application_quitting_shuts_every_service_down(qapp: QCoreApplication) -> None:
    services = [EchoService(), EchoService()]
    assert all(service.running for service in services)
    qapp.aboutToQuit.emit()  # what QCoreApplication.exec() emits as it returns
    assert not any(service.running for service in services)
