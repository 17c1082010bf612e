"""Crash recovery: the unsaved project is written to a recovery file every few seconds.

Each running app writes ``recovery-<pid>.json`` (and ``recovery-<pid>.pt`` for
trained weights) in the settings data folder and deletes them on a clean exit
or a save. Every change counts: the graph, the name, the training settings and
the weights. A recovery file whose process is gone is what a crash leaves
behind; the next start offers to restore it, and declining keeps it as an
ordinary project file (listed under Open Recent) instead of deleting it.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from designer.core import project as projects
from designer.ui import settings
from designer.ui.background import run_in_background

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


def recovered_dir() -> Path:
    """Where declined recoveries are kept as project files."""
    return settings.data_dir() / "recovered"


class Autosaver(QObject):
    """Writes the document to this process's recovery file while it has unsaved changes.

    Weights are written by torch.save on a worker thread, then the file that names them; restored
    weights are read on one too.
    """

    written = Signal()  # the recovery file is up to date

    def __init__(self, document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.path = settings.data_dir() / f"recovery-{os.getpid()}.json"
        self.weights_path = self.path.with_suffix(".pt")
        self._written: tuple | None = None  # (project text, weights version) last written
        self._weights_version = 0
        self._weights_written = -1
        self._saving: threading.Event | None = None  # set when the weights being written are no longer wanted
        document.weights_changed.connect(self._weights_changed)
        document.project_replaced.connect(self._weights_changed)
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.write_now)

    def start(self) -> None:
        self.timer.start()

    def _weights_changed(self) -> None:
        self._weights_version += 1

    def write_now(self) -> None:
        """Write the recovery file if something changed; new weights are written on a worker thread first."""
        doc = self.document
        if not doc.modified:
            self.discard()
            return
        if self._saving is not None:
            return  # the weights are being written: the file follows them
        text = projects.dumps(doc.project)  # the whole file: graph, name, training settings, weights name
        key = (text, self._weights_version)
        if key == self._written:
            return
        weights = doc.weights
        if weights is None:
            self.weights_path.unlink(missing_ok=True)
        elif self._weights_written != self._weights_version:
            self._save_weights(weights, self._weights_version)
            return
        self._weights_written = self._weights_version
        payload = {"source": str(doc.path) if doc.path else None, "saved_at": time.time(),
                   "weights": self.weights_path.name if weights is not None else None,
                   "project": json.loads(text)}
        projects.write_atomic(self.path, json.dumps(payload, ensure_ascii=False).encode("utf-8"))
        self._written = key
        self.written.emit()

    def _save_weights(self, weights: dict, version: int) -> None:
        """torch.save on a worker thread, to a side file that becomes the recovery weights in the UI thread."""
        doc = self.document
        part, discarded = self.weights_path.with_name(self.weights_path.name + ".part"), threading.Event()
        project, known, folder = doc.snapshot(), doc.weights_record, doc.folder
        self._saving = discarded

        def work() -> None:
            from designer.ml import models
            from designer.ml.weights import save_state_dict

            save_state_dict(weights, part, models.record_to_save(project, weights, known, folder))
            if discarded.is_set():  # the project was saved or closed meanwhile
                part.unlink(missing_ok=True)

        def saved(_none) -> None:
            self._saving = None
            if discarded.is_set():
                part.unlink(missing_ok=True)
                return
            os.replace(part, self.weights_path)
            self._weights_written = version
            self.write_now()  # the file that names them

        def failed(exc: Exception) -> None:
            self._saving = None
            part.unlink(missing_ok=True)
            raise exc

        run_in_background(work, saved, failed, context=self)

    def discard(self) -> None:
        if self._saving is not None:
            self._saving.set()
            self._saving = None
        self._written = None
        self._weights_written = -1
        self.path.unlink(missing_ok=True)
        self.weights_path.unlink(missing_ok=True)

    def offer_restore(self, parent: QWidget) -> bool:
        """Ask whether to restore the newest crash leftover; True when one was restored.

        "No" keeps it as a project file in ``recovered_dir()`` and lists it under Open Recent.
        """
        for path in stale_recovery_files():
            weights_file = path.with_suffix(".pt")
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                project = projects.from_dict(data["project"], str(path))
            except (OSError, ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)  # unreadable leftovers help nobody
                weights_file.unlink(missing_ok=True)
                continue
            if not data.get("weights"):
                weights_file = None
            source = data.get("source")
            when = time.strftime("%H:%M:%S", time.localtime(data.get("saved_at", path.stat().st_mtime)))
            what = f"“{Path(source).name}”" if source else self.tr("“{name}” (never saved)").format(name=project.name)
            buttons = QMessageBox.StandardButton
            answer = QMessageBox.question(
                parent, self.tr("Restore unsaved work?"),
                self.tr("NetDesigner did not close properly last time.\n\nRestore the unsaved changes to {what}, "
                        "autosaved at {when}?\n\nNo keeps them as a project file in {folder} "
                        "(listed under File ▸ Open Recent).").format(what=what, when=when, folder=recovered_dir()),
                buttons.Yes | buttons.No, buttons.Yes)
            if answer == buttons.Yes:
                self.document.set_project(project, Path(source) if source else None, modified=True)
                if weights_file is None:
                    _remove(path, None)
                else:
                    self._restore_weights(path, weights_file, data)
                return True
            try:
                kept = self._keep(project, source, weights_file)
            except (OSError, projects.ProjectError) as exc:  # e.g. a full disk: leave the leftover where it is
                message = self.tr("The unsaved work could not be kept as a project ({error}); it stays in {file}").format(
                    error=exc, file=path)
            else:
                _remove(path, weights_file)
                message = self.tr("The unsaved work was kept in {file} (File ▸ Open Recent)").format(file=kept)
            if hasattr(parent, "statusBar"):
                parent.statusBar().showMessage(message, 15000)
            return False
        return False

    def _restore_weights(self, path: Path, weights_file: Path, data: dict) -> None:
        """Read the restored project's autosaved weights on a worker thread; they join it if it is still as restored.

        Replaced or edited meanwhile, the unsaved work is kept as a project file
        (as "No" keeps it) instead of being lost.
        """
        document, project = self.document, self.document.project
        signature = document.model_signature()
        document.weights_pending = True

        def arrived(found: tuple) -> None:
            state, record = found
            if document.project is project:
                document.weights_pending = False
                if document.model_signature() == signature:
                    if state is not None:
                        document.set_weights(state, record)
                        document.mark_modified()  # unsaved work, even if the project was saved meanwhile
                    _remove(path, weights_file)
                    return
            self._keep_late(path, weights_file, data)

        run_in_background(lambda: _read_weights(weights_file), arrived, context=self)

    def _keep_late(self, path: Path, weights_file: Path, data: dict) -> None:
        """The restored weights came after their project was replaced or edited: keep the work where Open Recent finds it."""
        window = self.parent()
        try:
            kept = self._keep(projects.from_dict(data["project"], str(path)), data.get("source"), weights_file)
        except (OSError, projects.ProjectError) as exc:
            message = self.tr("The unsaved work could not be kept as a project ({error}); it stays in {file}").format(
                error=exc, file=path)
        else:
            _remove(path, weights_file)
            message = self.tr("The restored weights came after the project changed: the unsaved work was kept in "
                              "{file} (File ▸ Open Recent)").format(file=kept)
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(message, 15000)

    @staticmethod
    def _keep(project, source: str | None, weights_file: Path | None) -> Path:
        """Write a declined recovery as NAME-recovered-DATE.netproj.json (+ .pt); returns the project file."""
        folder = recovered_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stem = Path(source).name.split(".")[0] if source else (project.name or "project")
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60] or "project"
        target = folder / f"{stem}-recovered-{time.strftime('%Y%m%d-%H%M%S')}.netproj.json"
        project.weights = project.weights_signature = None  # the signature was the source file's weights'
        kept_weights = None
        if weights_file is not None and weights_file.is_file():
            kept_weights = target.with_name(target.name.removesuffix(".netproj.json") + ".pt")
            os.replace(weights_file, kept_weights)  # the same folder tree: moved at once, not copied in the UI thread
            project.weights = kept_weights.name
        try:
            projects.save(project, target)
        except BaseException:
            if kept_weights is not None:
                os.replace(kept_weights, weights_file)  # back where the leftover names them
            raise
        settings.add_recent_file(target)
        return target


def _read_weights(path: Path | None) -> tuple:
    """The autosaved weights and their record, read as Load Weights reads them (weights_only); None if absent."""
    if path is None or not path.is_file():
        return None, None
    from designer.ml import models

    try:
        return models.read_weights_record(path)
    except models.ModelError:
        return None, None


def _remove(path: Path, weights_file: Path | None) -> None:
    path.unlink(missing_ok=True)
    if weights_file is not None:
        weights_file.unlink(missing_ok=True)
