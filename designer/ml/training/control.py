"""The run's remote control, without torch: the GUI holds one before torch loads."""

from __future__ import annotations

import threading


class Control:
    """Stop, pause and resume a run from any thread; the loop checks it every batch."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()  # so a pause can never land after a stop and hang the loop

    def stop(self) -> None:
        with self._lock:
            self._stop.set()
            self._running.set()  # a paused loop wakes up to see the stop

    def pause(self) -> None:
        with self._lock:
            if not self._stop.is_set():
                self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self) -> None:
        self._running.wait()
