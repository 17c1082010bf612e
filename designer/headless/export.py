"""``export FILE --py OUT.py [--style] [--weights] [--from-weights] [--onnx] [--train-script] [--notebook OUT.ipynb]
[--no-check]``.

Everything is checked before anything is written: the project, the graph, and
the weights given with --from-weights. Then, as File ▸ Export does, the .py
(with the weights) is imported in a fresh Python process and the ONNX file
run through onnxruntime, and one verdict line per file is printed. Exit
codes: 0 written (and verified), 1 invalid graph, unusable weights, a missing
optional exporter, outputs that differ or a model the notebook cannot train,
2 unreadable project file or a usage error. ``--notebook`` alone writes only
the notebook.
"""

from __future__ import annotations

import sys
from pathlib import Path

from designer.core.datasets import project_folder
from designer.core.i18n import _


def _err(message: str) -> None:
    print(_("export: {message}").format(message=message), file=sys.stderr)


def _usage_problem(args) -> str | None:
    if not any([args.py, args.weights, args.onnx, args.train_script, args.notebook]):
        return _("nothing to write: give --py OUT.py (and optionally --weights, --onnx, --train-script) or "
                 "--notebook OUT.ipynb")
    if args.train_script and not args.py:
        return _("--train-script needs --py: the training script imports the model from that file")
    if args.train_script and Path(args.train_script).resolve().parent != Path(args.py).resolve().parent:
        return _("--train-script {script}: write it in the same folder as --py {py}; "
                 "the script loads the model file that sits beside it").format(script=args.train_script, py=args.py)
    return None


def run(args) -> int:
    problem = _usage_problem(args)
    if problem:
        _err(problem)
        return 2
    from designer.core import project as project_io

    try:
        project = project_io.load(args.file)
    except project_io.ProjectError as exc:
        _err(str(exc))
        return 2
    if args.onnx and not _onnx_ready():
        return 1
    if args.notebook:
        status = _notebook(project, args)
        if status or not any([args.py, args.weights, args.onnx, args.train_script]):
            return status

    # torch is imported only from here on.
    from designer.ml import models

    state = record = None
    if args.from_weights:
        try:
            state, record = models.read_weights_record(args.from_weights)  # whether they fit: export says
        except models.ModelError as exc:
            _err(str(exc))
            return 1
    elif project.weights:
        print(_("note: the project has trained weights ({file}); these are fresh ones "
                "(seed {seed}); pass --from-weights to export the trained ones").format(
                    file=project.weights, seed=models.SEED))
    request = models.Request(py=_path(args.py), style=args.style, weights=_path(args.weights),
                             onnx=_path(args.onnx), train_script=_path(args.train_script),
                             verify=not args.no_check, project_dir=project_folder(args.file), record=record)
    outcome = models.export(project, state, request, origin=str(args.from_weights or _("trained weights")))
    for line in outcome.lines:
        print(line, flush=True)
    if outcome.error:
        error = outcome.error
        if not error.startswith(tuple(str(p) for p in (args.file, args.from_weights) if p)):
            error = f"{args.file}: {error}"
        _err(error)
        return 1
    failed = [check.message for check in outcome.checks.values() if not check.ok]
    if failed:
        _err(_("the exported files do not compute what the model computes: {problems}").format(
            problems="; ".join(failed)))
        return 1
    return 0


def _notebook(project, args) -> int:
    from designer.core import codegen
    from designer.ml.export import notebook

    try:
        notebook.write(project, args.notebook)
    except codegen.CodegenError as exc:
        _err(f"{args.file}: {exc}")
        return 1
    except OSError as exc:
        _err(_("{file} could not be written: {reason}").format(file=args.notebook, reason=exc.strerror or exc))
        return 1
    print(_("wrote {file}: a notebook that trains the model with all of its settings").format(file=args.notebook))
    return 0


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _onnx_ready() -> bool:
    """Whether the onnx extra is installed; says how to install it when not."""
    from designer.ml.export import onnx_export

    if onnx_export.available():
        return True
    _err(onnx_export.INSTALL_HINT)
    return False
