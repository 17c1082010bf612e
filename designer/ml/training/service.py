"""One training run set up the same way everywhere: the Training panel, ``main.py train`` and quick training.

``prepare`` builds the model (from trained weights to continue, where given),
reads the checkpoint of a run to resume, loads the data and opens the run's
record; ``events`` drives the loop with that record, the health probe and
the mistakes browser as asked. Each caller only shows the events its own way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Iterator

from designer.core import runs
from designer.core.i18n import _
from designer.core.training import TrainConfig
from designer.ml import models
from designer.ml.data import datasets as data
from designer.ml.data.base import Dataset
from designer.ml.training import checkpoint
from designer.ml.training.control import Control
from designer.ml.training.events import Finished, Mistakes
from designer.ml.training.loop import train
from designer.ml.training.recorder import Recorder


class SetupError(RuntimeError):
    """The run cannot start; ``stage`` names what failed: "model", "weights", "checkpoint" or "data"."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage


@dataclass
class Prepared:
    """Everything a run needs, ready: ``events`` drives it."""

    model: object  # torch.nn.Module
    dataset: Dataset
    config: TrainConfig  # as run (``init="keep"`` when continuing from trained weights)
    recorder: Recorder | None  # None: not recorded
    saved: dict | None  # the checkpoint a resumed run continues from
    record_problem: str = ""  # why a run that should have been recorded is not


def prepare(project, config: TrainConfig, *, base: str | os.PathLike | None = None,
            history: str | os.PathLike | None = None, resume: runs.Run | None = None,
            initial_state: dict | None = None,
            progress: Callable[[str, int, int], None] | None = None) -> Prepared:
    """Set a run up; raises SetupError.

    Args:
        project: a Project (or a bare Graph) to train.
        config: its settings (a resumed run's own, for ``resume``).
        base: the project file's folder, from which a relative image folder counts.
        history: the project file: the run is recorded beside it; None records nothing.
        resume: a recorded run to continue from its checkpoint (recorded in the same record).
        initial_state: trained weights to continue from.
        progress: told (what, done, total) while data is downloaded or decoded.
    """
    try:
        model = models.build(project)
    except models.ModelError as exc:
        raise SetupError("model", str(exc)) from None
    if initial_state is not None:
        try:
            models.attach(model, initial_state)
        except models.WeightsMismatch:
            raise SetupError("weights", _("The trained weights do not fit this model any more: train from scratch.")) from None
        config = config.updated(init="keep")
    saved = None
    if resume is not None:
        try:
            saved = checkpoint.load(resume.checkpoint_path)
        except checkpoint.CheckpointError as exc:
            raise SetupError("checkpoint", str(exc)) from None
    graph = project if not hasattr(project, "graph") else project.graph
    shape = graph.input_node().params.get("shape", [1, 28, 28])
    try:
        dataset = data.load(config.dataset, shape, progress=progress, base=base)
    except data.DatasetError as exc:
        raise SetupError("data", str(exc)) from None
    recorder, problem = None, ""
    try:
        if resume is not None:
            recorder = Recorder(resume, project)
        elif history is not None:
            recorder = Recorder(runs.new_run(history, config.to_project(), dataset.classes), project)
    except runs.RunError as exc:
        problem = str(exc)
    if recorder is not None and dataset.warnings:
        recorder.run.skipped = list(dataset.warnings)  # kept with the run: which pictures were left out, and why
    return Prepared(model, dataset, config, recorder, saved, problem)


def events(prepared: Prepared, control: Control | None = None, *, events_per_s: float | None = None,
           health: bool = False, mistakes: bool = False) -> Iterator:
    """The run's events, each recorded first; a HealthReport after each epoch with ``health``, and the held-out
    mistakes (``Mistakes``, perhaps none) just before the Finished of a run that was not stopped with ``mistakes``."""
    options = {} if events_per_s is None else {"events_per_s": events_per_s}
    recorder = prepared.recorder
    found = train(prepared.model, prepared.dataset, prepared.config, control,
                  checkpoint=recorder.checkpoint if recorder else None, resume=prepared.saved, **options)
    if health:
        from designer.ml.training.health import watch

        found = watch(found, prepared.model, prepared.dataset, config=prepared.config)
    try:
        for event in found:
            if recorder is not None:
                recorder(event)
            if mistakes and isinstance(event, Finished) and event.epochs_done and not event.stopped:  # none: say so
                from designer.ml.training.mistakes import shown

                yield Mistakes(shown(event.mistakes, prepared.dataset))
            yield event
    finally:
        found.close()  # an interrupted caller ends the loop (and its checkpoint writes) here
