"""Start the desktop app: ``run_app(argv)`` is what ``python main.py [FILE]`` calls.

Nothing here (or in what it imports before the first paint) imports torch:
the window must be on screen fast; torch loads later, only when needed.
"""

from __future__ import annotations

import sys


def run_app(argv: list[str]) -> int:
    """Open the main window on FILE (the first argument) or on the LeNet template."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from designer.ui import settings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    app.setApplicationDisplayName("NetDesigner")
    from designer.ui import gc_guard, i18n

    i18n.install(app)  # before any widget exists: each is built in one language

    gc_guard.install(app)  # workers must never destroy Qt objects

    from designer.ui.main_window import MainWindow

    files = [a for a in argv if not a.startswith("-")]
    window = MainWindow()
    if files:
        window.open_file(files[0], show_errors=True)
    window.show()
    QTimer.singleShot(0, window.after_shown)
    return app.exec()
