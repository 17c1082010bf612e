"""run_in_background: results, progress in order, errors, cancelling, and a thread of its own."""
import os
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QThread
from shiboken6 import isValid

from designer.ui.background import Cancelled, run_in_background


def test_progress_arrives_in_order_in_the_ui_thread_before_the_result(qtbot):
    seen, ui = [], QThread.currentThread()

    def work(job):
        for i in range(50):
            job.report(i)
        return "done"

    def progress(value):
        assert QThread.currentThread() is ui
        seen.append(value)

    with qtbot.waitCallback(timeout=5000) as finished:
        job = run_in_background(work, finished, on_progress=progress)
    finished.assert_called_with("done")
    assert seen == list(range(50)) and not job.running


def test_cancel_ends_the_work_at_its_next_report_and_says_so(qtbot):
    started, reports = threading.Event(), []

    def work(job):
        started.set()
        while True:  # runs until cancelled
            job.report(1)

    errors = []
    with qtbot.waitCallback(timeout=5000) as failed:
        job = run_in_background(work, lambda _: errors.append("a result"), failed, on_progress=reports.append)
        started.wait(5)
        job.cancel()
    assert isinstance(failed.args[0], Cancelled) and not errors
    assert job.wait(5) and job.cancelled


def test_an_error_without_a_handler_reaches_the_ui_thread_hook(qtbot):
    job = None
    with qtbot.capture_exceptions() as caught:
        job = run_in_background(lambda: {}["nope"], lambda _: None)
        qtbot.waitUntil(lambda: bool(caught), timeout=5000)
    assert isinstance(caught[0][1], KeyError)


def test_nothing_is_delivered_to_a_destroyed_context(qtbot):
    context, gate, delivered = QObject(), threading.Event(), []

    def work():
        gate.wait(5)
        return 1

    job = run_in_background(work, delivered.append, context=context)
    context.deleteLater()
    qtbot.waitUntil(lambda: not isValid(context), timeout=2000)
    gate.set()
    assert job.wait(5)
    QCoreApplication.processEvents()  # the queued result arrives, and is dropped
    assert delivered == []


def test_own_thread_work_runs_on_a_thread_that_ends_with_it(qtbot):
    """Training lowers its thread's priority: that thread must not go back to the shared pool."""
    with qtbot.waitCallback(timeout=5000) as finished:
        run_in_background(lambda: threading.get_native_id(), finished, own_thread=True)
    tid = finished.args[0]
    assert tid != threading.get_native_id()
    qtbot.waitUntil(lambda: not Path(f"/proc/{os.getpid()}/task/{tid}").exists(), timeout=5000)
