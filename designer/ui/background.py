"""Run a function on Qt's thread pool and hand its result to the UI thread.

Workers are Qt's own pool threads, and nothing Qt-owned is ever released on
them: when the last reference to a widget dropped in a worker, Qt destroyed it
there, its timers stayed registered in the UI thread, and the next timer event
crashed the app. So ``work`` must hold no Qt objects, the relay belongs to the
application (Qt deletes it, in the UI thread), and callbacks run in the UI thread.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

_running: set = set()  # relays of tasks in flight, kept alive until they report


class _Relay(QObject):
    finished = Signal(object, object)  # result, exception


class _Task(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.work = work
        self.relay = relay

    def run(self) -> None:
        work, relay, self.work, self.relay = self.work, self.relay, None, None
        try:
            result, error = work(), None
        except Exception as exc:  # reported to the UI thread, never lost in the pool
            result, error = None, exc
        del work
        relay.finished.emit(result, error)


def run_in_background(work: Callable[[], Any], on_result: Callable[[Any], None],
                      on_error: Callable[[Exception], None] | None = None,
                      context: QObject | None = None) -> None:
    """Call ``work()`` on a pool thread; then ``on_result(value)`` or ``on_error(exc)`` in the UI thread.

    Nothing is delivered once ``context`` (e.g. the dialog that asked) has been destroyed.
    """
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(pool.maxThreadCount(), 4))  # a slow import must not starve the others
    relay = _Relay(QCoreApplication.instance())  # UI thread: its signal is queued there; owned by Qt
    _running.add(relay)

    def deliver(result: Any, error: Exception | None) -> None:
        _running.discard(relay)
        relay.deleteLater()
        if context is not None and not isValid(context):
            return
        if error is None:
            on_result(result)
        elif on_error is not None:
            on_error(error)
        else:
            raise error

    relay.finished.connect(deliver)
    pool.start(_Task(work, relay))
