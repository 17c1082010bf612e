"""UI fixtures: settings and recovery files in a temporary folder, a fresh main window."""
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"


@pytest.fixture(scope="session", autouse=True)
def gc_in_ui_thread(qapp):
    """As in the app: the cyclic GC runs only in the UI thread, never in a worker."""
    from designer.ui import gc_guard

    gc_guard.install(qapp)


@pytest.fixture(autouse=True)
def errors_fail_the_test():
    """pytest-qt fails a test on an exception in a slot; the app's error report must never outlive a test
    that installed it, so later tests keep pytest-qt's hook in front."""
    yield
    from designer.ui.dialogs import error_report

    error_report.uninstall_all()


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory, qapp):
    """Point QSettings (and so recovery files) at a temp folder: tests never touch the user's."""
    folder = tmp_path_factory.mktemp("settings")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    qapp.setOrganizationName("NetDesignerTests")
    return folder


@pytest.fixture
def window(qtbot):
    from designer.ui.main_window import MainWindow

    win = MainWindow()
    win.resize(1500, 950)  # the offscreen screen is small: give the canvas a desktop-sized room
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.document.mark_saved()  # no close prompt while tearing down
    win.close()
    win.deleteLater()
    QApplication.clipboard().clear()  # copied blocks left on the clipboard crash Qt at interpreter exit


def answer_dialog(qtbot, button, seen: list | None = None, timeout_ms: int = 60_000):
    """Click ``button`` on the next modal message box (recording its text in ``seen``).

    It looks for the box every 20 ms for ``timeout_ms`` at most, so a box that never came cannot be answered
    by this call in a later test.
    """
    tries = [max(1, timeout_ms // 20)]

    def poll():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            if seen is not None:
                seen.append(box.text())
            box.button(button).click()
        elif tries[0] > 0:
            tries[0] -= 1
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


@pytest.fixture
def chinese(qapp):
    """The app in Chinese (its translators and core's messages) for one test, English again after it."""
    from designer.ui import i18n

    i18n.install(qapp, "zh_CN")
    yield
    i18n.install(qapp, "en")


def saving(qtbot, window, timeout_ms: int = 30000):
    """Wait (as a block: ``with saving(qtbot, window): <Save>``) until the Save it starts is on disk.

    File ▸ Save writes on a worker thread: the window answers at once, the files follow.
    """
    return qtbot.waitSignal(window.saver.idle, timeout=timeout_ms)
