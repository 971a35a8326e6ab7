"""What the screenshot scripts share: running the event loop until the window shows what a shot needs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer


def wait(check: Callable[[], bool], what: str, timeout_s: float = 120,
         status: Callable[[], str] | None = None) -> None:
    """Run the event loop until ``check()`` holds (several polls in a row, so that layouts settle); else
    exit with one line naming the script, ``what`` did not happen and, given ``status``, what the window
    says."""
    loop, deadline, held = QEventLoop(), time.monotonic() + timeout_s, [0]

    def poll() -> None:
        held[0] = held[0] + 1 if check() else 0
        if held[0] >= 5:
            loop.exit(0)
        elif time.monotonic() > deadline:
            loop.exit(1)

    timer = QTimer()
    timer.setInterval(100)
    timer.timeout.connect(poll)
    timer.start()
    if loop.exec() != 0:
        import __main__

        script = Path(getattr(__main__, "__file__", "screenshot")).name
        said = f": {status()}" if status is not None else ""
        raise SystemExit(f"{script}: error: {what} did not happen within {timeout_s:.0f} s{said}")
    timer.stop()
