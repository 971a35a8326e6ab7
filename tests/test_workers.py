"""The generic worker/service pair every Qt adapter is built on (desktop_app/ui/workers/threaded.py):
answers on the GUI thread, a failed call as one line with the worker serving on, a shutdown that runs
what was asked for and delivers its answers, harmless twice, and at application exit."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QThread, Signal
from pytestqt.qtbot import QtBot

from desktop_app.ui.workers.threaded import Service, Worker, request

WAIT_MS = 10_000


class Echo(Worker):
    answered = Signal(object, str)  # the value, the thread that answered it
    started = Signal()

    def __init__(self) -> None:
        super().__init__()
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
