"""A real uvicorn server with the HTTP API on 127.0.0.1, on a free port, in a thread of the test process
(the tests' and the benchmark's); httpx clients to it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from desktop_app.catalogue import Catalogue


class ApiServer:
    """The server's address, and clients with or without a token."""

    def __init__(self, url: str) -> None:
        self.url = url

    def client(self, token: str | None = None, **options: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **options)


@contextmanager
def running_api(catalogue: Catalogue, **app_options: Any) -> Iterator[ApiServer]:
    """``create_app(catalogue, **app_options)`` served by uvicorn on 127.0.0.1 until the block ends."""
    import uvicorn

    from desktop_app.api.app import create_app

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    server = uvicorn.Server(uvicorn.Config(create_app(catalogue, **app_options), log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    _wait(lambda: server.started or not thread.is_alive())
    assert server.started, "the API server did not start"
    try:
        yield ApiServer(f"http://127.0.0.1:{listener.getsockname()[1]}")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


def _wait(ready: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready() and time.monotonic() < deadline:
        time.sleep(0.02)
