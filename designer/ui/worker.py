"""A training run: the run service (``designer.ml.training.service``) on a thread of its own.

The UI thread never waits on it: it hands over a snapshot of the project
(plain data, so later edits cannot reach the running model), steers it
through the thread-safe ``Control``, and hears every event in order in the
UI thread. torch is imported in the worker thread, when a run starts.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Callable

from designer.core import project as projects
from designer.core.training import TrainConfig
from designer.ml.training.control import Control
from designer.ml.training.events import Failed, Loading, Recorded, Skipped
from designer.ui.background import Job, run_in_background

MAX_UPDATES_PER_S = 20  # batch events the loop sends; the panel redraws at most 30 times a second
log = logging.getLogger("netdesigner")


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


class TrainingRun:
    """One training run. ``on_event`` hears, in order: status texts (str), Loading, Recorded, Started, BatchEnd
    and EpochEnd events, then Mistakes and Finished, or Failed (``designer.ml.training.events``); ``on_ended`` comes last."""

    def __init__(self, project: projects.Project, config: TrainConfig, initial_state: dict | None = None,
                 threads: int | None = None, base=None, history=None, resume=None):
        self.base = base  # the project file's folder: a relative image folder counts from it
        self.history = history  # the project file: runs are recorded beside it (None: unsaved, not recorded)
        self.resume = resume  # a designer.core.runs.Run to continue from its checkpoint
        self.threads = threads or default_threads()
        self.snapshot = projects.to_dict(project)
        self.snapshot.pop("training", None)  # the run uses ``config``; the file's limits do not apply to it
        self.config = config
        self.initial_state = initial_state
        self.control = Control()
        self.job: Job | None = None
        self.watch_health = True  # costs about 1% of the run (benchmarks/bench_health.py)

    def start(self, on_event: Callable[[object], None], on_ended: Callable[[], None], context=None) -> None:
        def crashed(exc: Exception) -> None:  # a bug must end the run visibly, and be logged
            log.error("Training stopped by an unexpected error", exc_info=exc)
            on_event(Failed(f"Training stopped by an unexpected error: {type(exc).__name__}: {exc}"))
            on_ended()

        # Its own thread: the run lowers that thread's priority and sets torch's thread count for it.
        self.job = run_in_background(self._train, lambda _: on_ended(), crashed, context,
                                     on_progress=on_event, own_thread=True)

    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def stop(self, wait_ms: int = 0) -> None:
        """Ask the loop to stop (it does within a batch); optionally wait, e.g. when the app quits."""
        self.control.stop()
        if wait_ms and self.job is not None:
            self.job.wait(wait_ms / 1000)

    def _train(self, job: Job) -> None:
        import torch

        # OpenMP's thread count is per thread: set it here, in the thread that trains.
        torch.set_num_threads(self.threads)
        _lower_priority()
        from designer.ml.training import service

        job.report(f"Loading {self.config.dataset}…")
        last = [0.0]

        def loading(what: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] > 0.1 or done == total:
                last[0] = now
                job.report(Loading(what, done, total))

        project = projects.from_dict(self.snapshot)
        try:
            prepared = service.prepare(project, self.config, base=self.base, history=self.history,
                                       resume=self.resume, initial_state=self.initial_state, progress=loading)
        except service.SetupError as exc:
            job.report(Failed(str(exc)))
            return
        if prepared.dataset.warnings:  # said where it stays: the folder's summary (a status line would be overwritten)
            job.report(Skipped(list(prepared.dataset.warnings)))
        if prepared.record_problem:
            job.report(f"{prepared.record_problem}: this run is not recorded")
        if prepared.recorder is not None:
            job.report(Recorded(prepared.recorder.run))
        # A probe between epochs: HealthReport events for the Health dock.
        for event in service.events(prepared, self.control, events_per_s=MAX_UPDATES_PER_S,
                                    health=self.watch_health, mistakes=True):
            job.report(event)
            if isinstance(event, Failed):
                return
