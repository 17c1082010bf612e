"""Records a run's events into its history folder (``designer.core.runs``), for the CLI and the GUI alike."""

from __future__ import annotations

from designer.core.runs import Run, RunError
from designer.ml.training.loop import EpochEnd, Failed, Finished, Started
from designer.ml.weights import WeightsError, save_state_dict


class Recorder:
    """Feed it every event of a run; it keeps ``run.json`` and ``best.pt`` up to date.

    A resumed run keeps the epochs recorded before it stopped. Writing
    problems never stop training: they are collected in ``problems``.
    """

    def __init__(self, run: Run, project=None):
        self.run = run
        self.project = project  # the model trained: its weights file records what they were trained for
        self.problems: list[str] = []

    @property
    def checkpoint(self):
        return self.run.checkpoint_path

    def __call__(self, event) -> None:
        run = self.run
        if isinstance(event, Started):
            run.status, run.message = "running", ""
            run.classes = list(event.classes)
            run.epochs = [e for e in run.epochs if e.get("epoch", 0) <= event.resumed_after]
        elif isinstance(event, EpochEnd):
            run.epochs.append({"epoch": event.epoch, "train_loss": event.train_loss, "val_loss": event.val_loss,
                               "train_acc": event.train_acc, "val_acc": event.val_acc, "lr": event.lr})
            if event.improved or run.best_val_acc is None:
                run.best_val_acc, run.best_epoch = event.val_acc, event.epoch
        elif isinstance(event, Finished):
            run.status = "early-stopped" if event.early_stopped else "stopped" if event.stopped else "finished"
            if event.epochs_done:
                self._write_weights(event.best_state)
                run.best_val_acc, run.best_epoch = event.best_val_acc, event.best_epoch
        elif isinstance(event, Failed):
            run.status, run.message = "failed", event.message
            if event.best_state is not None:  # the epochs before the failure still count
                self._write_weights(event.best_state)
                run.best_val_acc, run.best_epoch = event.best_val_acc, event.best_epoch
        else:
            return
        try:
            run.save()
        except RunError as exc:
            self.problems.append(str(exc))

    def _write_weights(self, state: dict) -> None:
        record = None
        if self.project is not None:
            from designer.ml import models

            record = models.record_for(self.project, state, self.run.settings.get("dataset", ""),
                                       self.run.classes).to_dict()
        try:
            save_state_dict(state, self.run.weights_path, record)
        except WeightsError as exc:
            self.problems.append(str(exc))
