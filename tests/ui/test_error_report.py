"""Unexpected errors: logged, shown in a non-modal report with Copy details, and still failing the tests."""
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from designer.ui.dialogs import error_report

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def install(qapp, tmp_path):
    """The app's hooks, installed by the test itself: inside pytest's and pytest-qt's own, which must still
    see every exception (the report passes them on)."""
    log = error_report.start_log(tmp_path)
    installed = []

    def do():
        installed.append(error_report.install(qapp, log))
        return installed[-1].reporter, log

    yield do
    for uninstall in reversed(installed):
        uninstall()  # idempotent: a test may have put the old hooks back itself
        if uninstall.reporter.dialog is not None:
            uninstall.reporter.dialog.close()


def _broken_button(qtbot) -> QPushButton:
    button = QPushButton("Broken")
    qtbot.addWidget(button)
    button.clicked.connect(lambda: {}["missing"])
    button.show()
    return button


def test_an_exception_in_a_slot_is_shown_logged_and_passed_on(qtbot, install):
    button = _broken_button(qtbot)
    with qtbot.capture_exceptions() as caught:
        reporter, log = install()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        error_report.uninstall_all()
    assert [type(e[1]) for e in caught] == [KeyError]  # not swallowed: pytest-qt still sees it
    dialog = reporter.dialog
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert "KeyError: 'missing'" in dialog.summary.text() and str(log) in dialog.summary.text()
    assert "Traceback" in dialog.details.toPlainText()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert "KeyError: 'missing'" in copied and "Python" in copied and "PySide6" in copied
    assert "KeyError: 'missing'" in log.read_text(encoding="utf-8")


def test_later_errors_join_the_same_report(qtbot, install):
    button = _broken_button(qtbot)
    with qtbot.capture_exceptions() as caught:
        reporter, _ = install()
        for _ in range(3):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        error_report.uninstall_all()
    assert len(caught) == 3
    reports = [w for w in QApplication.topLevelWidgets() if isinstance(w, error_report.ErrorReport) and w.isVisible()]
    assert reports == [reporter.dialog]
    assert "3 errors so far" in reports[0].summary.text()
    assert reports[0].details.toPlainText().count("Traceback") == 3


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")  # pytest's own hook saw it too
def test_an_exception_in_a_worker_thread_reaches_the_report(qtbot, install):
    reporter, log = install()
    thread = threading.Thread(target=lambda: 1 / 0)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=3000)
    assert "ZeroDivisionError" in reporter.dialog.summary.text()
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8")


def _start_app(env_extra: dict, code: str = "") -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(ROOT / "nonexistent-home"), **env_extra}
    script = ("import sys, tempfile\nfrom PySide6.QtCore import QSettings\n"
              "QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())\n"
              f"{code}\nfrom designer.cli import main\nsys.exit(main([]))\n")
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=env)


def test_without_a_display_one_sentence_says_what_is_missing_and_names_the_headless_commands():
    result = _start_app({})
    assert result.returncode == 2
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "DISPLAY" in message and "WAYLAND_DISPLAY" in message
    assert all(command in message for command in ("check", "train", "export", "predict")), message
    assert "plugin" not in message.lower()


def test_in_the_running_app_an_error_in_a_slot_opens_the_report():
    code = ("from PySide6.QtCore import QTimer\nfrom PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "def broken():\n    raise RuntimeError('boom in a slot')\n"
            "def look():\n"
            "    shown = [w.objectName() for w in QApplication.topLevelWidgets() if w.isVisible()]\n"
            "    print('SHOWN', shown, flush=True)\n    app.quit()\n"
            "QTimer.singleShot(300, broken)\nQTimer.singleShot(900, look)\n")
    result = _start_app({"QT_QPA_PLATFORM": "offscreen"}, code)
    assert "errorReport" in result.stdout and "MainWindow" in result.stdout, result.stdout + result.stderr
    assert "RuntimeError: boom in a slot" in result.stderr  # still printed, as Python would
