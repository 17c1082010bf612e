"""``export FILE --py OUT.py [--style] [--weights] [--from-weights] [--onnx] [--train-script]``.

Everything is checked before anything is written: the project, the graph, and
the weights given with --from-weights. Exit codes: 0 written, 1 invalid graph
or unusable weights (or a missing optional exporter), 2 unreadable project file
or a usage error.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from designer.core import codegen, project as project_io

SEED = 0  # fixed, so that two exports of the same project write the same weights


def _err(message: str) -> None:
    print(f"export: {message}", file=sys.stderr)


def run(args) -> int:
    outputs = [args.py, args.weights, args.onnx, args.train_script]
    if not any(outputs):
        _err("nothing to write: give --py OUT.py (and optionally --weights, --onnx, --train-script)")
        return 2
    if args.train_script and not args.py:
        _err("--train-script needs --py: the training script imports the model from that file")
        return 2
    if args.train_script and Path(args.train_script).resolve().parent != Path(args.py).resolve().parent:
        _err(f"--train-script {args.train_script}: write it in the same folder as --py {args.py}; "
             "the script loads the model file that sits beside it")
        return 2
    try:
        project = project_io.load(args.file)
    except project_io.ProjectError as exc:
        _err(str(exc))
        return 2
    try:
        source = codegen.generate(project, args.style)
    except codegen.CodegenError as exc:
        _err(f"{args.file}: {exc}")
        return 1
    # Optional exporters are looked up first, so a missing one writes nothing.
    export_onnx = make_script = None
    if args.onnx:
        export_onnx = _optional("designer.ml.onnx_export", "export_onnx", "ONNX export")
        if export_onnx is None or not _onnx_ready():
            return 1
    if args.train_script:
        make_script = _optional("designer.core.trainscript", "generate", "Training-script export")
        if make_script is None:
            return 1
    model = None
    if args.weights or args.onnx or args.from_weights:
        model = _model(args, project)
        if model is None:
            return 1
    elif project.weights:
        print(f"note: the project has trained weights ({project.weights}); pass --from-weights to export them")
    if args.py:
        if not _write(args.py, source):
            return 1
        print(f"wrote {args.py} ({args.style} style)")
    if args.weights:
        from designer.ml import weights

        try:
            weights.save_state_dict(model.state_dict(), args.weights)
        except weights.WeightsError as exc:
            _err(str(exc))
            return 1
        origin = args.from_weights or f"fresh, seed {SEED}"
        print(f"wrote {args.weights} ({len(model.state_dict())} tensors, {origin})")
    if args.onnx and not _onnx(export_onnx, args, project, model):
        return 1
    if args.train_script:
        if not _write(args.train_script, make_script(project, Path(args.py).name)):
            return 1
        print(f"wrote {args.train_script}")
    return 0


def _write(path: str, text: str) -> bool:
    try:
        project_io.write_atomic(Path(path), text.encode("utf-8"))
    except OSError as exc:
        _err(f"{path}: cannot be written ({exc.strerror or exc})")
        return False
    return True


def _model(args, project):
    """The seeded model, with --from-weights loaded and checked; None after printing why not."""
    # torch is imported only here, so `export --py` alone stays fast.
    from designer.ml import build, weights

    try:
        model = build.seeded_model(project.graph, SEED, args.style)
    except build.BuildError as exc:
        _err(f"{args.file}: {exc}")
        return None
    if args.from_weights:
        try:
            state = weights.load_state_dict(args.from_weights)
        except weights.WeightsError as exc:
            _err(str(exc))
            return None
        report = weights.compare(model.state_dict(), state)
        if not report.ok and args.style != "class":  # weights from `train` have the class style's keys
            state = build.restyle_state(project.graph, state, args.style)
            report = weights.compare(model.state_dict(), state)
        if not report.ok:
            _err(f"{args.from_weights} does not fit {args.file}:\n{report.summary()}")
            return None
        model.load_state_dict(state, strict=True)
    elif project.weights:
        print(f"note: the project has trained weights ({project.weights}); these are fresh ones (seed {SEED}); "
              "pass --from-weights to export the trained ones")
    return model


def _optional(module: str, attribute: str, what: str):
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            _err(f"{what} is not available in this version of NetDesigner")
        else:
            _err(f"{what} needs the {exc.name} package, which is not installed (pip install {exc.name})")
        return None
    function = getattr(found, attribute, None)
    if function is None:
        _err(f"{what} is not available in this version of NetDesigner")
    return function


def _onnx_ready() -> bool:
    """Whether the onnx extra is installed; says how to install it when not."""
    module = importlib.import_module("designer.ml.onnx_export")
    if getattr(module, "available", lambda: True)():
        return True
    _err(getattr(module, "INSTALL_HINT", "ONNX export needs the onnx and onnxscript packages"))
    return False


def _onnx(export_onnx, args, project, model) -> bool:
    input_shape = tuple(project.graph.input_node().params["shape"])
    try:
        export_onnx(model.eval(), input_shape, args.onnx)
    except Exception as exc:  # the exporter's own message (e.g. onnx not installed) is what the user needs
        if type(exc).__name__ == "OnnxUnavailable":
            _err(str(exc))
        else:
            _err(f"{args.onnx}: ONNX export failed: {exc}")
        return False
    print(f"wrote {args.onnx}")
    return True
