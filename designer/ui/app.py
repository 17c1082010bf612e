"""Start the desktop app: ``run_app(argv)`` is what ``python main.py [FILE]`` calls.

Nothing here (or in what it imports before the first paint) imports torch:
the window must be on screen fast; torch loads later, only when needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Qt platforms that need a desktop session; any other (offscreen, vnc, eglfs, ...) is the user's explicit choice.
DESKTOP_PLATFORMS = ("", "xcb", "wayland", "wayland-egl")


def missing_display() -> str | None:
    """Why no window can open here, in one sentence naming the headless commands; None when one can."""
    if not sys.platform.startswith("linux"):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0].strip()
    if platform not in DESKTOP_PLATFORMS or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    from designer.headless import COMMANDS

    prog = "python main.py" if Path(sys.argv[0]).name == "main.py" else "netdesigner"
    commands = ", ".join(f"{prog} {name}" for name in COMMANDS)
    return (f"NetDesigner needs a graphical desktop and none was found (neither DISPLAY nor WAYLAND_DISPLAY is set): "
            f"start it from a desktop session, or work without a window through the headless commands "
            f"({commands}; see {prog} --help).")


def run_app(argv: list[str]) -> int:
    """Open the main window on FILE (the first argument) or on the LeNet template."""
    problem = missing_display()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from designer.ui import settings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    app.setApplicationDisplayName("NetDesigner")
    from designer.ui import gc_guard, i18n
    from designer.ui.dialogs import error_report

    i18n.install(app)  # before any widget exists: each is built in one language

    gc_guard.install(app)  # workers must never destroy Qt objects
    # An exception in a slot is logged and shown in a report window, not lost on stderr.
    error_report.install(app, error_report.start_log(settings.data_dir()))

    from designer.ui.main_window import MainWindow

    files = [a for a in argv if not a.startswith("-")]
    window = MainWindow()
    if files:
        window.open_file(files[0], show_errors=True)
    window.show_first()
    QTimer.singleShot(0, window.after_shown)
    code = app.exec()
    # Background work (a torch import, an autosave) must end before Python tears its modules down.
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(30_000)
    return code
