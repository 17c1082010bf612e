"""Crash recovery: the unsaved project is written to a recovery file every few seconds.

Each running app writes ``recovery-<pid>.json`` in the settings data folder and
deletes it on a clean exit or a save. A recovery file whose process is gone is
what a crash leaves behind; the next start offers to restore it.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from designer.core import project as projects
from designer.ui import settings

INTERVAL_MS = 4000


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stale_recovery_files() -> list[Path]:
    """Recovery files left by processes that no longer run, newest first."""
    found = []
    for path in settings.data_dir().glob("recovery-*.json"):
        try:
            pid = int(path.stem.split("-", 1)[1])
        except ValueError:
            continue
        if not _alive(pid):
            found.append(path)
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


class Autosaver(QObject):
    """Writes the document to this process's recovery file while it has unsaved changes."""

    def __init__(self, document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.path = settings.data_dir() / f"recovery-{os.getpid()}.json"
        self._written_version = None
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.write_now)

    def start(self) -> None:
        self.timer.start()

    def write_now(self) -> None:
        doc = self.document
        if not doc.modified:
            self.discard()
            return
        key = (id(doc.project), doc.graph.version)
        if key == self._written_version:
            return
        payload = {"source": str(doc.path) if doc.path else None, "saved_at": time.time(),
                   "project": projects.to_dict(doc.project)}
        projects.write_atomic(self.path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        self._written_version = key

    def discard(self) -> None:
        self._written_version = None
        self.path.unlink(missing_ok=True)

    def offer_restore(self, parent: QWidget) -> bool:
        """Ask whether to restore the newest crash leftover; True when one was restored."""
        for path in stale_recovery_files():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                project = projects.from_dict(data["project"], str(path))
            except (OSError, ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)  # unreadable leftovers help nobody
                continue
            source = data.get("source")
            when = time.strftime("%H:%M:%S", time.localtime(data.get("saved_at", path.stat().st_mtime)))
            what = f"“{Path(source).name}”" if source else f"“{project.name}” (never saved)"
            buttons = QMessageBox.StandardButton
            answer = QMessageBox.question(
                parent, "Restore unsaved work?",
                f"NetDesigner did not close properly last time.\n\nRestore the unsaved changes to {what}, "
                f"autosaved at {when}?", buttons.Yes | buttons.No, buttons.Yes)
            path.unlink(missing_ok=True)
            if answer == buttons.Yes:
                self.document.set_project(project, Path(source) if source else None, modified=True)
                return True
            return False
        return False
