"""Unexpected errors: logged, and shown in a small non-modal report instead of vanishing into stderr.

``install(app)`` routes ``sys.excepthook`` (an exception escaping a Qt slot or
event handler lands there) and ``threading.excepthook`` to one ``ErrorReporter``
living in the UI thread. Each error is written to the log, then shown in one
report window (later errors are added to it, never a storm of dialogs), and
then handed on to the hook that was there before: Python's own, which prints
it, or pytest-qt's, which fails the test.
"""

from __future__ import annotations

import logging
import platform
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (QApplication, QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QPushButton,
                               QVBoxLayout, QWidget)

log = logging.getLogger("netdesigner")
_installed: list = []  # the uninstall functions of the hooks in place, oldest first


class ErrorReport(QDialog):
    """What happened, the traceback, and a Copy details button; never modal."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("errorReport")
        self.setWindowTitle(self.tr("NetDesigner: unexpected error"))
        self.setModal(False)
        self.count = 0
        self.log_path: Path | None = None
        self.summary = QLabel()
        self.summary.setObjectName("errorSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)  # messages are never read as HTML
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QPlainTextEdit()
        self.details.setObjectName("errorDetails")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Copy details"))
        self.copy_button.setObjectName("copyDetails")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(620, 360)

    def add(self, what: str, details: str) -> None:
        """Show one more error (the newest one is summarised; every traceback stays in the details)."""
        self.count += 1
        more = " " + self.tr("({count} errors so far.)").format(count=self.count) if self.count > 1 else ""
        where = " " + self.tr("Details are also in {file}.").format(file=self.log_path) if self.log_path else ""
        self.summary.setText(self.tr("Something went wrong: {what}\n\nThe window keeps working, but save your "
                                     "project to be safe.").format(what=what) + more + where)
        header = "" if not self.details.toPlainText() else "\n"
        self.details.appendPlainText(header + details.rstrip())

    def copy_details(self) -> None:
        """Put versions and every traceback on the clipboard, ready to paste into a bug report."""
        from PySide6 import __version__ as qt_version

        versions = f"NetDesigner on Python {platform.python_version()}, PySide6 {qt_version}, {platform.platform()}"
        QGuiApplication.clipboard().setText(f"{versions}\n\n{self.details.toPlainText()}\n")


class ErrorReporter(QObject):
    """Lives in the UI thread; errors from any thread reach it through a queued signal."""

    reported = Signal(str, str)  # one line, full traceback

    def __init__(self, parent: QObject | None = None, log_path: Path | None = None):
        super().__init__(parent)
        self.log_path = log_path
        self.dialog: ErrorReport | None = None
        self.reported.connect(self._show)

    def report(self, kind: type[BaseException], value: BaseException, tb) -> None:
        """Log the error and show it (safe to call from any thread)."""
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("Unexpected error\n%s", details.rstrip())
        self.reported.emit(f"{kind.__name__}: {value}", details)

    def _show(self, what: str, details: str) -> None:
        if self.dialog is None:
            parent = QApplication.activeWindow()
            self.dialog = ErrorReport(parent)
            self.dialog.log_path = self.log_path
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.dialog.destroyed.connect(self._closed)
        self.dialog.add(what, details)
        self.dialog.show()
        self.dialog.raise_()

    def _closed(self) -> None:
        self.dialog = None


def start_log(folder: Path) -> Path:
    """Write warnings and errors to ``folder``/netdesigner.log (kept small: two files of 256 KB)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "netdesigner.log"
    for old in [h for h in log.handlers if isinstance(h, RotatingFileHandler)]:
        log.removeHandler(old)
        old.close()
    handler = RotatingFileHandler(path, maxBytes=256 * 1024, backupCount=1, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def install(app: QObject, log_path: Path | None = None):
    """Route uncaught exceptions to a report window; returns a function that puts the old hooks back."""
    reporter = ErrorReporter(app, log_path)
    previous, previous_thread = sys.excepthook, threading.excepthook

    def hook(kind, value, tb) -> None:
        try:
            reporter.report(kind, value, tb)
        except Exception:  # noqa: BLE001 - reporting must never hide the error it reports
            pass
        previous(kind, value, tb)  # Python prints it; under pytest-qt the test fails

    def thread_hook(args) -> None:
        if args.exc_type is not SystemExit:
            try:
                reporter.report(args.exc_type, args.exc_value, args.exc_traceback)
            except Exception:  # noqa: BLE001
                pass
        previous_thread(args)

    sys.excepthook, threading.excepthook = hook, thread_hook

    def uninstall() -> None:
        if sys.excepthook is hook:
            sys.excepthook = previous
        if threading.excepthook is thread_hook:
            threading.excepthook = previous_thread
        if uninstall in _installed:
            _installed.remove(uninstall)

    uninstall.reporter = reporter
    _installed.append(uninstall)
    return uninstall


def uninstall_all() -> None:
    """Put back the hooks that were there before every ``install`` (newest first)."""
    for uninstall in reversed(list(_installed)):
        uninstall()
