"""The one way from a project to a working model: load, infer, build, attach weights, export and check.

Every front end calls these functions (the headless commands, the drawing
pad, Model ▸ Load Weights, opening a project with weights, File ▸ Export), so
each step is written once and behaves the same everywhere: weights are read
with ``weights_only=True`` and checked key by key, and every export is
imported again in a fresh process and compared with the model here.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from torch import nn

from designer.core.i18n import _
from designer.core import codegen, codegen_blocks
from designer.ml.export import trainscript
from designer.core import project as project_io
from designer.core.graph import Graph
from designer.core.project import Project
from designer.core.shapes import ModelShapes, infer
from designer.core.signature import describe
from designer.ml import build as _build
from designer.ml import weights
from designer.ml.export import verify
from designer.ml.record import Record, for_dataset, mismatch
from designer.ml.weights import CompatReport

SEED = 0  # fresh weights are seeded, so two exports of one project agree
EXIT_INVALID, EXIT_UNREADABLE = 1, 2


class ModelError(ValueError):
    """Why there is no model (or no weights for it); the message names the file.

    Attributes:
        message: one line saying what is wrong.
        details: more lines (one per node error, or the weights report), possibly empty.
        exit_code: 2 when a file could not be read, 1 when the model or the weights do not work.
    """

    def __init__(self, message: str, details: list[str] | None = None, exit_code: int = EXIT_INVALID):
        super().__init__("\n".join([message, *(details or [])]))
        self.message = message
        self.details = details or []
        self.exit_code = exit_code


class WeightsMismatch(ModelError):
    """The weights do not fit the model; ``report`` says key by key how."""

    def __init__(self, source: str, report: CompatReport):
        first, *rest = report.summary().splitlines()
        super().__init__(f"{source}: {first}", rest)
        self.report = report


# Project -> shapes -> module --------------------------------------------------------

def load_project(path: str | os.PathLike) -> Project:
    """Read a project file; raises ModelError (exit code 2) naming the file and the field."""
    try:
        return project_io.load(path)
    except project_io.ProjectError as exc:
        raise ModelError(str(exc), exit_code=EXIT_UNREADABLE) from None


def valid_shapes(project: Project | Graph, source: str = "the model") -> ModelShapes:
    """The inferred shapes; raises ModelError listing each error on the model's path."""
    graph = _graph(project)
    result = infer(graph)
    if result.valid:
        return result
    names = graph.generated_names()
    details = []
    for problem in result.problems:
        if problem.severity != "error" or (problem.node_id is not None and problem.node_id not in result.path):
            continue
        node = graph.nodes.get(problem.node_id) if problem.node_id else None
        where = _("{name} ({type}), node {id}: ").format(name=names.get(node.id, node.id), type=node.type,
                                                         id=node.id) if node else ""
        details.append(f"  {where}{problem.message}")
    if not details:
        details.append("  " + _("the model has no layers: add some after the Input"))
    raise ModelError(_("{file}: the model has errors; fix them first:").format(file=source), details)


def build(project: Project | Graph, seed: int | None = None, style: str = "class") -> nn.Module:
    """A freshly initialised module (seeded when ``seed`` is given); raises ModelError."""
    graph = _graph(project)
    try:
        model = _build.build_model(graph, style) if seed is None else _build.seeded_model(graph, seed, style)
    except _build.BuildError as exc:
        raise ModelError(str(exc)) from None
    if style == "class":
        # Weights saved by earlier versions name numbered layers differently (conv_0.weight for 0.weight).
        model.legacy_paths = codegen_blocks.legacy_paths(graph)
    return model


def _graph(project: Project | Graph) -> Graph:
    return project if isinstance(project, Graph) else project.graph


# Weights -------------------------------------------------------------------------

def read_weights(path: str | os.PathLike) -> dict:
    """A state_dict from a .pt/.pth/.safetensors file (``weights_only=True``); raises ModelError (exit 2)."""
    try:
        return weights.load_state_dict(path)
    except weights.WeightsError as exc:
        raise ModelError(str(exc), exit_code=EXIT_UNREADABLE) from None


def read_weights_record(path: str | os.PathLike) -> tuple[dict, Record | None]:
    """The state_dict and its record (None for a plain state_dict made elsewhere); raises ModelError (exit 2)."""
    try:
        state, data = weights.load_weights(path)
    except weights.WeightsError as exc:
        raise ModelError(str(exc), exit_code=EXIT_UNREADABLE) from None
    return state, Record.from_dict(data)


def record_for(project: Project | Graph, state: dict, dataset: str, classes) -> Record:
    """The record of ``state``, trained on ``dataset`` (with these class names) for this project's model."""
    graph = _graph(project)
    return for_dataset(signature(graph, state), graph.input_node().params.get("shape", [1, 28, 28]), dataset, classes)


def record_to_save(project: Project, state: dict, record: Record | None,
                   folder: str | os.PathLike | None) -> dict | None:
    """The record to write with ``state``: the known one signed for the model as it is, else the project's settings.

    None when neither says what the classes are (an image folder that cannot be listed).
    """
    if record is not None:
        return replace(record, signature=signature(project, state)).to_dict()
    from designer.ml.data import datasets

    dataset = (project.training or {}).get("dataset") or datasets.DEFAULT
    try:
        if datasets.is_folder(dataset):
            from designer.ml.data import folders

            classes = folders.classes_of(dataset, folder)
        else:
            classes = datasets.CLASSES[dataset]
        return record_for(project, state, dataset, classes).to_dict()
    except (datasets.DatasetError, KeyError):
        return None


def check_record(project: Project | Graph, state: dict, record: Record | None, source: str) -> None:
    """Raise ModelError saying why weights with ``record`` are not this model's; nothing without a record."""
    if record is None:
        return
    graph = _graph(project)
    shapes = infer(graph)
    out = shapes.output_shape
    reason = mismatch(record, signature(graph, state), graph.input_node().params.get("shape", [1, 28, 28]),
                      out[0] if out is not None and len(out) == 1 else None)
    if reason:
        raise ModelError(_("{file}: these weights are not this model's: {reason}").format(file=source, reason=reason))


def fit(model: nn.Module, state: dict) -> CompatReport:
    """How ``state`` fits ``model``: matching, missing, unexpected and misshapen keys."""
    return weights.compare(model.state_dict(), _renamed(model, state))


def _renamed(model: nn.Module, state: dict) -> dict:
    """``state`` with the keys an earlier version gave numbered layers renamed to ``model``'s (see ``build``)."""
    renames = getattr(model, "legacy_paths", None)
    if not renames:
        return state
    expected = model.state_dict()
    if all(key in expected for key in state):
        return state
    out = {}
    for key, value in state.items():
        parts = key.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            if prefix in renames:
                key = renames[prefix] + key[len(prefix):]
                break
        out[key] = value
    return out


def attach(model: nn.Module, state: dict, partial: bool = False, source: str = "the weights") -> CompatReport:
    """Load ``state`` into ``model`` when every tensor fits; with ``partial``, the matching ones only.

    Raises:
        WeightsMismatch: they do not fit (and ``partial`` is off, or nothing matches).
    """
    state = _renamed(model, state)
    report = fit(model, state)
    if report.ok:
        model.load_state_dict(state, strict=True)
    elif partial and report.matched:
        model.load_state_dict({key: state[key] for key in report.matched}, strict=False)
    else:
        raise WeightsMismatch(source, report)
    return report


def signature(project: Project | Graph, state: dict) -> str:
    """What a set of weights belongs to: the model's layers, settings and wiring, and the tensors' keys and shapes.

    Moving blocks or renaming the project leaves it unchanged; any edit that
    changes the model (a layer, a parameter, a name, a wire) changes it.
    """
    graph = _graph(project)
    record = describe(graph, infer(graph).path)
    record["tensors"] = [[key, list(value.shape), str(value.dtype).removeprefix("torch.")]
                         for key, value in state.items()]
    text = json.dumps(record, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class ProjectWeights:
    """The outcome of checking a project's recorded weights file.

    Attributes:
        state: the weights, when they belong to the model; else None.
        message: one sentence for the user: loaded, or why not.
    """

    state: dict | None
    message: str
    record: Record | None = None  # what they were trained for, when the file says


def project_weights(project: Project, folder: str | os.PathLike) -> ProjectWeights | None:
    """Read ``project.weights`` (relative to ``folder``) and check that they belong to the model; None if none."""
    if not project.weights:
        return None
    path = Path(folder) / project.weights
    try:
        state, record = read_weights_record(path)
        model = build(project)
    except ModelError as exc:
        return ProjectWeights(None, _("The trained weights were not loaded: {reason}").format(reason=exc.message))
    report = fit(model, state)
    if not report.ok:
        return ProjectWeights(None, f"The weights in {path.name} no longer fit this model, so it counts as "
                                    f"untrained: {report.summary().splitlines()[0]}")
    recorded = project.weights_signature
    if recorded and recorded != signature(project, state):
        return ProjectWeights(None, f"The weights in {path.name} were trained for an earlier version of this model "
                                    "(it was edited after training), so it counts as untrained.")
    try:
        check_record(project, state, record, path.name)
    except ModelError as exc:
        return ProjectWeights(None, _("The trained weights were not loaded: {reason}").format(reason=exc.message))
    return ProjectWeights(state, _("Loaded the trained weights from {file}.").format(file=path.name), record)


# Export ---------------------------------------------------------------------------

@dataclass
class Request:
    """What to write; ``None`` skips that file. Without ``py`` there is nothing to check the weights with."""

    py: Path | None
    style: str = "class"
    weights: Path | None = None  # .pt or .safetensors
    onnx: Path | None = None
    train_script: Path | None = None
    verify: bool = True
    project_dir: Path | None = None  # the project file's folder: the training script's image folder counts from it
    record: Record | None = None  # what the exported weights were trained for, where known (else the project's)


@dataclass
class Outcome:
    """What was written and what the checks found."""

    written: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # in order, for the dialog's log and the command line
    checks: dict[str, verify.Check] = field(default_factory=dict)  # "py", "onnx"
    error: str | None = None

    @property
    def verified(self) -> bool:
        """Every check ran and found the written files compute what the model computes."""
        return self.error is None and bool(self.checks) and all(c.ok for c in self.checks.values())

    def text(self) -> str:
        return "\n".join(self.lines + ([f"error: {self.error}"] if self.error else []))


def export(project: Project, state: dict | None, request: Request, origin: str = "trained weights") -> Outcome:
    """Write the .py (and weights, ONNX, training script), then check each one in a fresh process.

    ``state`` (described by ``origin``) must fit the model, or nothing is
    written; without it the weights are fresh and seeded. Never raises for
    the user's errors: they are in ``Outcome.error``.
    """
    out = Outcome()
    try:
        _export(project, state, request, origin, out)
    except (ModelError, codegen.CodegenError, weights.WeightsError, OSError, ValueError) as exc:
        out.error = str(exc)
    return out


def _write_text(path: Path, text: str, out: Outcome) -> None:
    project_io.write_atomic(path, text.encode("utf-8"))
    out.written.append(path)


def _export(project: Project, state: dict | None, request: Request, origin: str, out: Outcome) -> None:
    # Everything is checked before anything is written.
    source = codegen.generate(project, request.style) if request.py else None
    shape = tuple(project.graph.input_node().params["shape"])
    model = build(project, SEED, request.style)
    if state is not None:
        if request.style != "class" and not fit(model, state).ok:
            # Trained weights have the class style's keys; a branching graph's compact style nests them.
            state = _build.restyle_state(project.graph, state, request.style)
        attach(model, state, source=origin)
    note = origin if state is not None else _("fresh, seed {seed}").format(seed=SEED)
    if request.py:
        _write_text(request.py, source, out)
        out.lines.append(_("wrote {file} ({style} style)").format(file=request.py, style=request.style))
    if request.weights:
        # The record's signature is the class style's (the app's); a compact style's keys are another model's.
        record = record_to_save(project, model.state_dict(), request.record, request.project_dir) \
            if request.style == "class" else None
        weights.save_state_dict(model.state_dict(), request.weights, record)
        out.written.append(request.weights)
        out.lines.append(_("wrote {file} ({count} tensors, {note})").format(
            file=request.weights, count=len(model.state_dict()), note=note))
    if request.train_script:
        module = os.path.relpath(request.py, request.train_script.parent)
        script = trainscript.generate(project, module, request.project_dir,
                                      signature(project, build(project).state_dict()))
        _write_text(request.train_script, script, out)
        out.lines.append(_("wrote {file} (python {name} --data DIR, or torchrun --nproc_per_node N ...)").format(
            file=request.train_script, name=request.train_script.name))
    if request.verify and request.py:
        out.checks["py"] = _check_py(model, request, shape, note, out)
    if request.onnx:
        _export_onnx(model, request, shape, out)


def _check_py(model: nn.Module, request: Request, shape, note: str, out: Outcome) -> verify.Check:
    if request.weights:
        check = verify.verify_py(model, request.py, request.weights, shape)
        out.lines.append(_("{py} + {weights} in a fresh process: {verdict}").format(
            py=request.py.name, weights=request.weights.name, verdict=check.message))
        return check
    # No weights file asked for: check the .py with the same weights in a temporary one.
    with tempfile.TemporaryDirectory(prefix="netdesigner-export-") as tmp:
        temporary = Path(tmp, "weights.pt")
        weights.save_state_dict(model.state_dict(), temporary)
        check = verify.verify_py(model, request.py, temporary, shape)
    out.lines.append(_("{py} in a fresh process ({note}): {verdict}").format(
        py=request.py.name, note=note, verdict=check.message))
    return check


def _export_onnx(model: nn.Module, request: Request, shape, out: Outcome) -> None:
    from designer.ml.export import onnx_export

    try:
        onnx_export.export_onnx(model, shape, request.onnx)
    except onnx_export.OnnxUnavailable as exc:
        out.lines.append(_("ONNX skipped: {reason}").format(reason=exc))
        return
    except Exception as exc:  # torch.onnx raises many types; the exporter's message is what the user needs
        raise ModelError(_("{file}: ONNX export failed: {error}").format(file=request.onnx, error=exc)) from None
    out.written.append(request.onnx)
    out.lines.append(_("wrote {file}").format(file=request.onnx))
    if request.verify:
        check = verify.verify_onnx(model, request.onnx, shape)
        out.checks["onnx"] = check
        out.lines.append(_("{file} through onnxruntime: {verdict}").format(file=request.onnx.name,
                                                                           verdict=check.message))
