"""File ▸ Save on a worker thread: a large model's weights take seconds to write, and the window must not freeze.

The UI thread copies what is written (``files.plan_save``); a worker writes the
weights and then the project file (``files.write_save``); the outcome comes
back to the UI thread. One save runs at a time: a Save asked for meanwhile runs
after it, on the project as it is then. Closing the window, or replacing its
project, first waits for the saves asked for (the window goes on painting;
clicks and keys wait until the save is written).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QEventLoop, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from designer.core import project as projects
from designer.ui import files, settings
from designer.ui.background import run_in_background


class Saver(QObject):
    """The window's saves, written one at a time on a worker thread.

    Attributes:
        writer: what writes a ``files.SavePlan`` on the worker thread (``files.write_save``).
    """

    finished = Signal(object, bool)  # the file, and whether it was written
    idle = Signal()  # every save asked for is written (or failed)

    def __init__(self, window, writer: Callable[[files.SavePlan], files.Saved] = files.write_save):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.writer = writer
        self._plan: files.SavePlan | None = None  # the save being written
        self._queued: Path | None = None  # a Save asked for while another was written
        self._ok = True
        self.document.project_replaced.connect(self._forget_queued)

    @property
    def busy(self) -> bool:
        """A save is being written (or waits for the one being written)."""
        return self._plan is not None

    @property
    def target(self) -> Path | None:
        """The file the newest save asked for goes to, while one is being written."""
        return self._queued or (self._plan.path if self._plan is not None else None)

    def save(self, path: Path) -> None:
        """Write the project (and its trained weights) to ``path``; after the save in flight, if there is one."""
        if self._plan is not None:
            self._queued = Path(path)
            return
        plan = files.plan_save(self.document, path)
        self._plan = plan
        self.window.statusBar().showMessage(self.tr("Saving {file}…").format(file=plan.path))
        writer = self.writer
        run_in_background(lambda: writer(plan), lambda saved: self._written(plan, saved),
                          lambda exc: self._failed(plan, exc), context=self)

    def wait(self) -> bool:
        """Return once every save asked for is written; False when the last one failed.

        The window paints meanwhile (the status bar says what is being saved);
        clicks and keys are held back until then, not lost.
        """
        if self._plan is None:
            return self._ok
        loop = QEventLoop()
        self.idle.connect(loop.quit)
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            QApplication.restoreOverrideCursor()
            self.idle.disconnect(loop.quit)
        return self._ok

    def _forget_queued(self) -> None:
        self._queued = None  # it was asked for the project that has just been replaced

    def _written(self, plan: files.SavePlan, saved: files.Saved) -> None:
        document = self.document
        if document.project is plan.source:  # else another project was opened meanwhile: the file is still written
            project = document.project
            if document.weights is plan.weights:
                project.weights, project.weights_signature = saved.weights, saved.signature
            before, after = plan.dataset
            if after != before and (project.training or {}).get("dataset") == before:
                project.training = {**project.training, "dataset": after}
            document.set_path(plan.path)
            if document.weights is plan.weights and projects.dumps(project) == saved.text:
                document.mark_saved()
                self.window.autosaver.discard()
            else:  # edited while it was written: what is on disk is not what the window shows
                document.undo_stack.resetClean()
        settings.add_recent_file(plan.path)
        self.window.statusBar().showMessage(self.tr("Saved {file}").format(file=plan.path), 4000)
        self._ok = True
        self._next(plan, True)

    def _failed(self, plan: files.SavePlan, exc: Exception) -> None:
        self._queued = None  # a Save asked for meanwhile would fail alike: the message says what to fix
        self._ok = False
        self.window.statusBar().clearMessage()
        if not isinstance(exc, (OSError, ValueError)):  # a bug: the error report, after the state is right
            self._next(plan, False)
            raise exc
        QMessageBox.critical(self.window, self.tr("Cannot save"),
                             self.tr("Could not save {file}:").format(file=plan.path) + f"\n\n{exc}")
        self._next(plan, False)

    def _next(self, plan: files.SavePlan, ok: bool) -> None:
        self._plan = None
        self.finished.emit(plan.path, ok)
        queued, self._queued = self._queued, None
        if queued is not None:
            self.save(queued)
        else:
            self.idle.emit()
