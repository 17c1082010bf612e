"""``export FILE --py OUT.py [--style] [--weights] [--from-weights] [--onnx] [--train-script] [--no-check]``.

Everything is checked before anything is written: the project, the graph, and
the weights given with --from-weights. Then, as File ▸ Export does, the .py
(with the weights) is imported in a fresh Python process and the ONNX file
run through onnxruntime, and one verdict line per file is printed. Exit
codes: 0 written (and verified), 1 invalid graph, unusable weights, a missing
optional exporter or outputs that differ, 2 unreadable project file or a
usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _err(message: str) -> None:
    print(f"export: {message}", file=sys.stderr)


def _usage_problem(args) -> str | None:
    if not any([args.py, args.weights, args.onnx, args.train_script]):
        return "nothing to write: give --py OUT.py (and optionally --weights, --onnx, --train-script)"
    if args.train_script and not args.py:
        return "--train-script needs --py: the training script imports the model from that file"
    if args.train_script and Path(args.train_script).resolve().parent != Path(args.py).resolve().parent:
        return (f"--train-script {args.train_script}: write it in the same folder as --py {args.py}; "
                "the script loads the model file that sits beside it")
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

    # torch is imported only from here on.
    from designer.ml import models

    state = None
    if args.from_weights:
        try:
            state = models.read_weights(args.from_weights)
        except models.ModelError as exc:
            _err(str(exc))
            return 1
    elif project.weights:
        print(f"note: the project has trained weights ({project.weights}); these are fresh ones "
              f"(seed {models.SEED}); pass --from-weights to export the trained ones")
    request = models.Request(py=_path(args.py), style=args.style, weights=_path(args.weights),
                             onnx=_path(args.onnx), train_script=_path(args.train_script),
                             verify=not args.no_check)
    outcome = models.export(project, state, request, origin=str(args.from_weights or "trained weights"))
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
        _err("the exported files do not compute what the model computes: " + "; ".join(failed))
        return 1
    return 0


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _onnx_ready() -> bool:
    """Whether the onnx extra is installed; says how to install it when not."""
    from designer.ml import onnx_export

    if onnx_export.available():
        return True
    _err(onnx_export.INSTALL_HINT)
    return False
