"""The training worker: runs ``designer.ml.train`` in a QThread and reports by signals only.

The UI thread never waits on it: it hands over a snapshot of the project
(plain data, so later edits cannot reach the running model), steers it
through the thread-safe ``Control``, and hears back through queued signals.
torch is imported here, in the worker thread, when a run starts.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from PySide6.QtCore import QObject, QThread, Signal, Slot

from designer.core import project as projects
from designer.core.training import TrainConfig
from designer.ml.control import Control

MAX_UPDATES_PER_S = 20  # batch events the loop sends; the panel redraws at most 30 times a second


def default_threads() -> int:
    """Every core but one: the one left keeps the window responsive (and OpenMP from spinning against it)."""
    return max(1, (os.cpu_count() or 2) - 1)


def _lower_priority(niceness: int = 10) -> None:
    """Make this thread yield the CPU to the UI thread: Linux gives each thread its own nice value."""
    if sys.platform.startswith("linux"):
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
        except OSError:
            pass  # not allowed here: the run is just as correct


class TrainingWorker(QObject):
    """One training run. Signals arrive in order: started, progress/epoch..., then finished or failed, then done."""

    status = Signal(str)  # loading the dataset
    loading = Signal(str, int, int)  # (what, done, total): bytes downloaded or pictures decoded
    started = Signal(object)  # designer.ml.train.Started
    progress = Signal(object)  # BatchEnd
    epoch = Signal(object)  # EpochEnd
    finished = Signal(object)  # Finished
    kept = Signal(object)  # Failed carrying the best weights before the failure; comes just before failed
    failed = Signal(str)
    done = Signal()  # always last, after finished or failed

    def __init__(self, project: projects.Project, config: TrainConfig, initial_state: dict | None = None,
                 threads: int | None = None, base=None):
        super().__init__()
        self.base = base  # the project file's folder: a relative image folder counts from it
        self.threads = threads or default_threads()
        self.snapshot = projects.to_dict(project)
        self.snapshot.pop("training", None)  # the run uses ``config``; the file's limits do not apply to it
        self.config = config
        self.initial_state = initial_state
        self.control = Control()

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a bug must end the run visibly, not kill the thread silently
            self.failed.emit(f"Training stopped by an unexpected error: {type(exc).__name__}: {exc}")
        finally:
            self.done.emit()

    def _run(self) -> None:
        import torch

        # OpenMP's thread count is per thread: set it here, in the thread that trains.
        torch.set_num_threads(self.threads)
        _lower_priority()
        from designer.ml import data
        from designer.ml import models
        from designer.ml.train import BatchEnd, EpochEnd, Failed, Finished, Started, train

        project = projects.from_dict(self.snapshot)
        try:
            model = models.build(project)
        except models.ModelError as exc:
            self.failed.emit(str(exc))
            return
        config = self.config
        if self.initial_state is not None:
            try:
                models.attach(model, self.initial_state)
            except models.WeightsMismatch:
                self.failed.emit("The trained weights do not fit this model any more: train from scratch.")
                return
            config = config.updated(init="keep")
        shape = project.graph.input_node().params.get("shape", [1, 28, 28])
        self.status.emit(f"Loading {config.dataset}…")
        last = [0.0]

        def loading(what: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 0.1 or done == total:
                last[0] = now
                self.loading.emit(what, done, total)

        try:
            dataset = data.load(config.dataset, shape, progress=loading, base=self.base)
        except data.DatasetError as exc:
            self.failed.emit(str(exc))
            return
        if dataset.warnings:
            more = f" (and {len(dataset.warnings) - 3} more)" if len(dataset.warnings) > 3 else ""
            self.status.emit("; ".join(dataset.warnings[:3]) + more)
        signals = {Started: self.started, BatchEnd: self.progress, EpochEnd: self.epoch, Finished: self.finished}
        for event in train(model, dataset, config, self.control, events_per_s=MAX_UPDATES_PER_S):
            if isinstance(event, Failed):
                if event.best_state is not None:
                    self.kept.emit(event)
                self.failed.emit(event.message)
                return
            signals[type(event)].emit(event)


class TrainingRun(QObject):
    """A worker and its thread, started together and cleaned up when the run ends."""

    ended = Signal()
    _alive: set["TrainingRun"] = set()  # a run outlives a closed panel until its thread ends

    def __init__(self, worker: TrainingWorker):
        super().__init__()
        self.worker = worker
        self.qthread = QThread()
        self.qthread.setObjectName("training")
        worker.moveToThread(self.qthread)
        self.qthread.started.connect(worker.run)
        worker.done.connect(self.qthread.quit)
        self.qthread.finished.connect(self._ended)

    def start(self) -> None:
        TrainingRun._alive.add(self)
        self.qthread.start()

    @property
    def running(self) -> bool:
        return self.qthread.isRunning()

    def stop(self, wait_ms: int = 0) -> None:
        """Ask the loop to stop (it does within a batch); optionally wait, e.g. when the app quits."""
        self.worker.control.stop()
        if wait_ms:
            self.qthread.wait(wait_ms)

    def _ended(self) -> None:
        # ``finished`` comes from the thread just before it exits: let it exit (microseconds)
        # so that dropping this object can never destroy a running QThread.
        self.qthread.wait()
        self.worker.deleteLater()
        TrainingRun._alive.discard(self)
        self.ended.emit()
