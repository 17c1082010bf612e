"""The pad's quick training (mnist-5k, a couple of epochs), mixed into ``Tryout``.

Its weights belong to the project and the model they were trained for: a
project replaced while it runs (New, Open, Open Recent, Import, a lesson or a
challenge opening theirs, a drop) stops it, and weights that arrive for a
project no longer open are discarded, with a line in the status bar. torch is
imported in the worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from designer.ui.background import Cancelled, Job, run_in_background

QUICK_EPOCHS = 2
translate = QCoreApplication.translate  # a mixin: Tryout's context, named


def _quick_train(graph, config, control, job) -> tuple[dict, float] | str:
    """On a worker thread: build the model and train it on mnist-5k, reporting (batches done, batches in all).

    Returns the best state_dict and its held-out accuracy, or a message saying why it failed.
    """
    from designer.ml.training import service
    from designer.ml.training.events import BatchEnd, Failed, Finished

    try:
        prepared = service.prepare(graph, config)
    except service.SetupError as exc:  # e.g. too large to allocate
        return str(exc)
    for event in service.events(prepared, control):
        if isinstance(event, BatchEnd):
            job.report((event.step, event.steps))
        elif isinstance(event, Finished):
            return event.best_state, float(event.best_val_acc)
        elif isinstance(event, Failed):
            return event.message
    return translate("Tryout", "Training ended without a result.")


@dataclass
class _Run:
    """One quick training: what it trains for (the project object and its model's signature) and its steering."""

    project: object
    signature: object
    control: object
    job: Job | None = None


class QuickTraining:
    """Tryout's quick training. Attributes: ``training`` (a run is going), ``job`` (its worker), ``quick_epochs``."""

    def _init_quick_training(self) -> None:
        self.training = False
        self.quick_epochs = QUICK_EPOCHS
        self.job: Job | None = None  # the quick training in flight
        self._run: _Run | None = None
        self._stopped: list[Job] = []  # runs stopped that may still be ending (waited for on quit)
        replaced = getattr(self.document, "project_replaced", None)
        if replaced is not None:
            replaced.connect(self._project_replaced)

    def quick_train(self) -> None:
        """Train on mnist-5k for a couple of epochs in a worker thread; the weights go to the document."""
        if self.training or self.status()[0] not in ("untrained", "ready"):
            return
        if getattr(self.document, "locked", False):  # the Training panel's run holds the model (and will unlock it)
            return
        from designer.core.training import ConfigError, TrainConfig
        from designer.ml.training.control import Control

        try:
            config = TrainConfig.from_project(getattr(self.document.project, "training", None))
        except ConfigError:
            config = TrainConfig()
        config = config.updated(dataset="mnist-5k", epochs=self.quick_epochs, device="cpu")

        graph = self.document.snapshot().graph
        run = _Run(self.document.project, self.document.model_signature(), Control())
        self._run = run
        self.training = True
        if hasattr(self.document, "set_locked"):  # the weights must fit the graph they were trained on
            self.document.set_locked(True, translate("Tryout", "Training on mnist-5k from the drawing pad…"))
        self.status_changed.emit()
        run.job = self.job = run_in_background(
            lambda job: _quick_train(graph, config, run.control, job),
            lambda outcome: self._train_done(run, outcome), lambda exc: self._train_crashed(run, exc), self,
            on_progress=lambda done: self._progress(run, done))

    def stop_training(self, message: str = "") -> None:
        """Stop the quick training without waiting for it: its weights are not kept. ``message``: the pad's note."""
        run, self._run = self._run, None
        if run is None:
            return
        run.job.cancel()  # no weights from it, even if it ends before it hears
        run.control.stop()  # and the loop ends within a batch
        self._stopped.append(run.job)
        self.job = None
        self._unlock()
        self.message = message
        self.status_changed.emit()

    def shutdown(self) -> None:
        """Stop a quick training run and wait for its thread, and for a forward in flight (on quit)."""
        self._jobs.discard()
        self._jobs.wait(10)
        self.stop_training(translate("Tryout", "Training was cancelled."))
        for job in self._stopped:
            job.wait(5)
        self._stopped = [job for job in self._stopped if job.running]

    def _project_replaced(self) -> None:
        if self._run is not None:
            self.stop_training()
            self.discarded.emit(translate("Tryout", "The quick training was stopped: another project was opened, "
                                                    "and its weights are not kept."))

    def _progress(self, run: _Run, done: tuple) -> None:
        if run is self._run:
            self.training_progress.emit(*done)

    def _current(self, run: _Run) -> bool:
        """The run is the one going, for the project and the model that are open."""
        return run is self._run and self.document.project is run.project \
            and self.document.model_signature() == run.signature

    def _train_done(self, run: _Run, outcome) -> None:
        if not self._current(run):  # stopped, or its project is gone: weights trained for another must not land here
            if not isinstance(outcome, str):
                self.discarded.emit(translate("Tryout", "The quick training's weights were not kept: they were "
                                                        "trained for another project."))
            self._forget(run)
            return
        self._run = self.job = None
        if isinstance(outcome, str):
            self._train_failed(outcome)
        else:
            self._trained(*outcome)

    def _train_crashed(self, run: _Run, exc: Exception) -> None:
        if not self._current(run):
            self._forget(run)
            return
        self._run = self.job = None
        self._train_failed(translate("Tryout", "Training was cancelled.") if isinstance(exc, Cancelled)
                           else translate("Tryout", "Training failed: {error}").format(error=exc))

    def _forget(self, run: _Run) -> None:
        if run is self._run:  # the project changed under it without a replacement (never expected): end it
            self.stop_training()
        if run.job in self._stopped:
            self._stopped.remove(run.job)

    def _trained(self, state: dict, accuracy: float) -> None:
        self._unlock()
        from designer.ml import models
        from designer.ml.data.datasets import CLASSES

        record = models.record_for(self.document.graph, state, "mnist-5k", CLASSES["mnist-5k"])
        self.document.set_weights(state, record)  # -> weights_changed -> rebuilt with these weights
        if hasattr(self.document, "mark_modified"):
            self.document.mark_modified()  # the weights are the project's now: Save keeps them, Close asks
        self.message = translate("Tryout", "Trained on mnist-5k: {accuracy:.1%} of held-out digits right.").format(
            accuracy=accuracy)
        self.status_changed.emit()

    def _train_failed(self, message: str) -> None:
        self._unlock()
        self.message = message
        self.status_changed.emit()

    def _unlock(self) -> None:
        if self.training:
            self.training = False
            if hasattr(self.document, "set_locked"):
                self.document.set_locked(False)
