"""How long the GUI thread's event loop could not run: shared by the GUI tests and the benchmarks."""

from __future__ import annotations


class StallMeter:
    """The longest gap between ticks of a 5 ms timer on the GUI thread: how long the window froze."""

    def __init__(self) -> None:
        from PySide6.QtCore import QElapsedTimer, QTimer

        self.clock = QElapsedTimer()
        self.longest_ms = 0
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.longest_ms = max(self.longest_ms, self.clock.elapsed())

    def _tick(self) -> None:
        self.longest_ms = max(self.longest_ms, self.clock.restart())
        self.ticks += 1
