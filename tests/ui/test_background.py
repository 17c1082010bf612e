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


def _gated(gate, value):
    def work():
        gate.wait(5)
        return value
    return work


def test_latest_runs_one_at_a_time_and_only_the_newest_request_waiting_runs(qtbot):
    from designer.ui.background import Latest

    latest, gate, prepared, shown = Latest(), threading.Event(), [], []

    def request(value):
        def prepare():
            prepared.append(value)
            return _gated(gate, value)
        latest.request(prepare, shown.append)

    request(1)
    for value in (2, 3, 4):  # made while 1 runs: each replaces the one waiting
        request(value)
    assert prepared == [1] and latest.busy
    with qtbot.waitSignal(latest.settled, timeout=5000):
        gate.set()
    assert prepared == [1, 4]  # 2 and 3 never ran
    assert shown == [4]  # 1 was superseded before it arrived: a preview shows only the newest
    assert not latest.busy


def test_latest_shows_superseded_results_in_order_unless_discarded(qtbot):
    from designer.ui.background import Latest

    latest, gate, shown = Latest(show_superseded=True), threading.Event(), []
    latest.request(lambda: _gated(gate, "old model"), shown.append)
    latest.discard()  # e.g. the model was edited while it ran
    latest.request(lambda: _gated(gate, "first"), shown.append)
    latest.request(lambda: _gated(gate, "second"), shown.append)
    with qtbot.waitSignal(latest.settled, timeout=5000):
        gate.set()
    assert shown == ["second"]  # "first" never started: "second" replaced it while "old model" ran

    gate.clear()
    latest.request(lambda: _gated(gate, "a"), shown.append)
    latest.request(lambda: _gated(gate, "b"), shown.append)
    with qtbot.waitSignal(latest.settled, timeout=5000):
        gate.set()
    assert shown == ["second", "a", "b"]  # a drawing shows each answer on the way


def test_latest_wait_blocks_until_the_job_in_flight_has_returned(qtbot):
    """What the pad does when the app quits mid-forward: no worker may outlive the app."""
    from designer.ui.background import Latest

    latest, gate = Latest(), threading.Event()
    latest.request(lambda: _gated(gate, 1), lambda _: None)
    assert not latest.wait(0)  # held at the gate
    gate.set()
    assert latest.wait(5)
    qtbot.waitUntil(lambda: not latest.busy, timeout=5000)
