"""The one way the app works in the background: ``run_in_background``.

Training, the pad's quick training, export, import and weight loading all run
``work`` on a worker thread and hear back in the UI thread: the result, the
error, and (with ``on_progress``) every value the work reported on the way, in
order. The returned ``Job`` can be cancelled and waited for. ``Latest`` runs
requests that replace each other (a drawing classified as it changes, a preview
redrawn as settings change): one at a time, the newest wins, stale results dropped.

Workers are Qt's own pool threads, and nothing Qt-owned is ever released on
them: when the last reference to a widget dropped in a worker, Qt destroyed it
there, its timers stayed registered in the UI thread, and the next timer event
crashed the app. So ``work`` must hold no Qt objects, the relay belongs to the
application (Qt deletes it, in the UI thread), and callbacks run in the UI thread.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

_running: set = set()  # relays of tasks in flight, kept alive until they report


class Cancelled(Exception):
    """The job was cancelled: what ``on_error`` receives instead of a result."""


class Job:
    """One background task, from any thread: ``report`` progress, ``cancel``, ``wait``.

    Attributes:
        cancelled: ``cancel()`` was called; ``report`` then raises Cancelled, ending the work.
    """

    def __init__(self, relay: "_Relay"):
        self._relay = relay
        self._cancel = threading.Event()
        self._done = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def cancel(self) -> None:
        """Ask the work to stop at its next ``report``; ``on_error`` then gets Cancelled."""
        self._cancel.set()

    def report(self, value: Any) -> None:
        """From inside the work: hand ``value`` to ``on_progress`` in the UI thread (queued, in order)."""
        if self._cancel.is_set():
            raise Cancelled()
        relay = self._relay
        if relay is not None:
            relay.progress.emit(value)

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the work has returned (e.g. when the app quits); False when it timed out."""
        return self._done.wait(timeout_s)


class _Relay(QObject):
    progress = Signal(object)
    finished = Signal(object, object)  # result, exception


class _Task(QRunnable):
    def __init__(self, work: Callable[..., Any], job: Job, with_job: bool):
        super().__init__()
        self.work, self.job, self.with_job = work, job, with_job

    def run(self) -> None:
        work, job, self.work, self.job = self.work, self.job, None, None
        try:
            result, error = (work(job) if self.with_job else work()), None
            if job.cancelled:
                result, error = None, Cancelled()
        except Exception as exc:  # reported to the UI thread, never lost in the pool
            result, error = None, exc
        del work
        relay, job._relay = job._relay, None
        relay.finished.emit(result, error)
        job._done.set()  # after the result is queued: once wait() returns, the UI thread has it to deliver


def run_in_background(work: Callable[..., Any], on_result: Callable[[Any], None],
                      on_error: Callable[[Exception], None] | None = None,
                      context: QObject | None = None, *,
                      on_progress: Callable[[Any], None] | None = None,
                      own_thread: bool = False) -> Job:
    """Call ``work()`` on a worker thread; then ``on_result(value)`` or ``on_error(exc)`` in the UI thread.

    With ``on_progress``, ``work`` is called as ``work(job)`` and each ``job.report(value)`` reaches
    ``on_progress(value)`` in the UI thread, before the result. ``own_thread`` runs the work on a
    thread that ends with it, for work that changes its thread (priority, torch's thread count).
    Without ``on_error`` an error is raised in the UI thread (and so reaches the error report);
    a cancelled job then ends silently. Nothing is delivered once ``context`` (e.g. the dialog
    that asked) has been destroyed.
    """
    if own_thread:
        pool = QThreadPool()  # dropped in the UI thread after the result: its thread then ends
        pool.setMaxThreadCount(1)
    else:
        pool = QThreadPool.globalInstance()
        pool.setMaxThreadCount(max(pool.maxThreadCount(), 4))  # a slow import must not starve the others
    relay = _Relay(QCoreApplication.instance())  # UI thread: its signals are queued there; owned by Qt
    job = Job(relay)
    _running.add(relay)
    relay.pool = pool if own_thread else None

    def alive() -> bool:
        return context is None or isValid(context)

    def progress(value: Any) -> None:
        if alive() and not job.cancelled:
            on_progress(value)

    def deliver(result: Any, error: Exception | None) -> None:
        _running.discard(relay)
        relay.deleteLater()
        if relay.pool is not None:
            relay.pool.waitForDone()  # the thread has returned from the work: microseconds
            relay.pool = None
        if not alive():
            return
        if error is None:
            on_result(result)
        elif on_error is not None:
            on_error(error)
        elif not isinstance(error, Cancelled):
            raise error

    if on_progress is not None:
        relay.progress.connect(progress)
    relay.finished.connect(deliver)
    pool.start(_Task(work, job, on_progress is not None))
    return job


_PREPARING = object()


class Latest(QObject):
    """Newest request wins: one job at a time, a request made meanwhile replaces the one waiting.

    ``request(prepare, on_result, on_error)``: ``prepare()`` runs in the UI thread when the
    request's turn comes (so it sees the newest state, e.g. a model the job before just built)
    and returns the work for the worker thread, or None when there is nothing to do. A result
    is dropped when ``discard()`` was called after its request (the model it ran on was
    edited), and, unless ``show_superseded``, when a newer request is waiting (a drawing
    shows each answer on the way; a preview shows only the last).
    """

    settled = Signal()  # nothing in flight, nothing waiting: what is shown is the newest

    def __init__(self, parent: QObject | None = None, *, show_superseded: bool = False):
        super().__init__(parent)
        self.show_superseded = show_superseded
        self._ticket = 0  # the newest request's number
        self._floor = 0  # requests up to this number were discarded
        self._waiting: tuple | None = None  # (ticket, prepare, on_result, on_error)
        self._running: Job | None = None

    @property
    def busy(self) -> bool:
        """A job is in flight or waiting."""
        return self._running is not None or self._waiting is not None

    def request(self, prepare: Callable[[], Callable[[], Any] | None], on_result: Callable[[Any], None],
                on_error: Callable[[Exception], None] | None = None) -> None:
        self._ticket += 1
        self._waiting = (self._ticket, prepare, on_result, on_error)
        if self._running is None:
            self._next()

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the job in flight has returned (e.g. when the app quits); False when it timed out."""
        running = self._running
        return not isinstance(running, Job) or running.wait(timeout_s)

    def discard(self) -> None:
        """Forget every request made so far: none of their results will be delivered."""
        self._floor = self._ticket
        self._waiting = None

    def _next(self) -> None:
        while self._waiting is not None:
            (ticket, prepare, on_result, on_error), self._waiting = self._waiting, None
            self._running = _PREPARING  # a request made by prepare() waits its turn
            try:
                work = prepare()
            finally:
                self._running = None
            if work is None:
                continue
            self._running = run_in_background(
                work, lambda value: self._done(ticket, on_result, value),
                lambda exc: self._done(ticket, on_error, exc, failed=True), context=self)
            return
        self.settled.emit()

    def _done(self, ticket: int, deliver, value, failed: bool = False) -> None:
        self._running = None
        try:
            if ticket > self._floor and (self.show_superseded or self._waiting is None):
                if deliver is not None:
                    deliver(value)
                elif failed and not isinstance(value, Cancelled):
                    raise value
        finally:
            self._next()
