"""Grading a class: every hand-in and project in a folder, judged against a challenge.

Nothing from the folder is run: projects are data (the same loader as File ▸
Open), weights are read as tensors only (safetensors, or ``torch.load`` with
``weights_only=True``), and the accuracy is measured here on the challenge's
held-out data, never read from the submission. One submission that cannot be
read is a row with its problem; it never stops the others.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from designer.core import challenges, handin
from designer.core import project as project_io
from designer.core.challenges import Challenge, Verdict
from designer.core.i18n import _
from designer.core.project import Project
from designer.core.shapes import infer
from designer.ml import models
from designer.ml.data import datasets

INVALID, GRADED = "invalid", "graded"
MAX_PARAMETERS = 50_000_000  # a model this large is not a classroom exercise: refused before it is built
MAX_INPUT = 3 * 256 * 256  # values in one sample: the held-out set is adapted to the Input's shape in memory
BATCH = 500


@dataclass
class Row:
    """One submission judged."""

    file: str
    learner: str = ""
    status: str = INVALID
    passed: bool = False
    parameters: int | None = None
    accuracy: float | None = None  # measured here
    reported: float | None = None  # what the learner's own run said (shown, never trusted)
    verdicts: list[Verdict] = field(default_factory=list)
    problem: str = ""
    layers: list[str] = field(default_factory=list)  # the model's layer types in order, for the report's picture


def submissions(folder: str | os.PathLike) -> list[Path]:
    """Hand-in files and project files in ``folder`` (not its sub-folders), sorted by name."""
    found = []
    for path in sorted(Path(folder).iterdir(), key=lambda p: p.name):
        name = path.name
        if name.endswith(handin.SUFFIX) or name.endswith(".netproj.json"):
            found.append(path)
    return found


def grade_folder(challenge: Challenge, folder: str | os.PathLike,
                 progress: Callable[[Row], None] | None = None) -> list[Row]:
    """Judge every submission in ``folder``; ``progress`` is called with each row as it is done."""
    rows = []
    for path in submissions(folder):
        row = grade_one(challenge, path, Path(folder))
        rows.append(row)
        if progress is not None:
            progress(row)
    return rows


def grade_one(challenge: Challenge, path: Path, folder: Path) -> Row:
    row = Row(file=path.name, learner=_learner_from_name(path.name))
    try:
        _grade(challenge, path, folder, row)
    except (handin.HandInError, project_io.ProjectError, models.ModelError, datasets.DatasetError) as exc:
        row.status, row.passed, row.problem = INVALID, False, _one_line(str(exc))
    except (RuntimeError, ValueError, TypeError, OverflowError, MemoryError) as exc:
        # torch refusing the model or the weights at run time: this submission's problem, not the grader's
        row.status, row.passed = INVALID, False
        row.problem = _("could not be run: {reason}").format(reason=_one_line(str(exc)) or type(exc).__name__)
    return row


def _learner_from_name(name: str) -> str:
    for suffix in (handin.SUFFIX, ".netproj.json"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _one_line(text: str, limit: int = 300) -> str:
    return " ".join(text.split())[:limit]


def _grade(challenge: Challenge, path: Path, folder: Path, row: Row) -> None:
    if path.name.endswith(handin.SUFFIX):
        submitted = handin.read(path)
        row.learner = submitted.learner or row.learner
        project, state = submitted.project, _safetensors(submitted.weights, path.name)
        reported = submitted.summary.get("accuracy")
        if isinstance(reported, (int, float)) and not isinstance(reported, bool) and 0 <= reported <= 1:
            row.reported = float(reported)
    else:
        project = project_io.load(path)
        state = _project_weights(project, path, folder)
    shapes = infer(project.graph)
    row.layers = [project.graph.node(n).type for n in shapes.path]
    row.parameters = shapes.parameters
    if not shapes.valid:
        row.verdicts = challenges.judge(challenge, project, shapes)
        row.problem = _("the model is not valid: {reason}").format(
            reason=next((p.message for p in shapes.problems if p.severity == "error"), "?"))
        return
    if row.parameters > MAX_PARAMETERS:
        raise ValueError(_("{count:,} parameters: too large to grade").format(count=row.parameters))
    input_shape = tuple(project.graph.input_node().params.get("shape") or ())
    size = 1
    for d in input_shape:
        size *= int(d)
    if size > MAX_INPUT:
        raise ValueError(_("an input of {shape} is too large to grade").format(shape=list(input_shape)))
    model = models.build(project, seed=0)
    models.attach(model, state, source=path.name)
    row.accuracy = measure(model, challenge.dataset, input_shape)
    row.verdicts = challenges.judge(challenge, project, shapes, row.accuracy)
    row.status, row.passed = GRADED, challenges.passed(row.verdicts)


def _safetensors(data: bytes, source: str) -> dict:
    from safetensors import SafetensorError
    from safetensors.torch import load

    try:
        state = load(data)
    except (SafetensorError, ValueError, OSError) as exc:
        raise handin.HandInError(_("{file}: {member}: not readable weights ({reason})").format(
            file=source, member=handin.WEIGHTS, reason=_one_line(str(exc)))) from None
    if not state:
        raise handin.HandInError(_("{file}: {member}: holds no weights (the model was never trained?)").format(
            file=source, member=handin.WEIGHTS))
    return state


def _project_weights(project: Project, path: Path, folder: Path) -> dict:
    if not project.weights:
        raise models.ModelError(_("{file}: names no trained weights (train it and save it, or hand it in)").format(
            file=path.name))
    target = (path.parent / project.weights).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise models.ModelError(_("{file}: its weights {weights!r} are outside the folder being graded").format(
            file=path.name, weights=project.weights))
    if not target.exists():
        raise models.ModelError(_("{file}: its weights file {weights} is missing").format(
            file=path.name, weights=project.weights))
    return models.read_weights(target)


def measure(model: torch.nn.Module, dataset_name: str, input_shape: tuple[int, ...]) -> float:
    """Held-out accuracy of ``model`` on the dataset's held-out split, adapted to ``input_shape``."""
    data = datasets.load(dataset_name, input_shape)
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(data.test_y), BATCH):
            x = data.prepare(data.test_x[start:start + BATCH])
            out = model(x)
            if out.dim() != 2 or out.shape[1] != data.num_classes:
                raise ValueError(_("the model gives {shape} per sample, not one score for each of the {count} "
                                   "classes").format(shape=list(out.shape[1:]), count=data.num_classes))
            correct += int((out.argmax(1) == data.test_y[start:start + BATCH]).sum())
    return correct / max(1, len(data.test_y))


def write_hand_in(path: str | os.PathLike, project: Project, state: dict, summary: dict, learner: str,
                  challenge_title: str, record: dict | None = None) -> None:
    """File ▸ Hand In: the project, its weights as safetensors (tensors only, with their record) and the run's."""
    import json

    from safetensors.torch import save

    from designer import __version__
    from designer.ml import weights

    tensors = {key: value.detach().cpu().contiguous() for key, value in state.items()}
    metadata = {weights.ORDER_KEY: json.dumps(list(tensors))}
    if record is not None:
        metadata[weights.RECORD_KEY] = json.dumps(record, ensure_ascii=False, sort_keys=True)
    handin.write(path, project, save(tensors, metadata=metadata), summary, learner, challenge_title, __version__)
