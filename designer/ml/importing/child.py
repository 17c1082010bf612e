"""Child process of the importer: runs a user's script and describes the model in it.

Run inside the sandbox (``designer.ml.importing.sandbox``) as ``child MODEL.py
REQUEST.json RESULT.json``. It needs only torch and the standard library, and
writes its findings as plain JSON to RESULT.json (the user's file may print
anything) and the tensors of the check to the request's ``tensors`` path.

A tutorial file is a script: it prints, moves models to the GPU, downloads
data and trains. So the file's top-level statements run one by one; one that
fails is skipped and reported unless it defines a class or function, and the
``if __name__ == "__main__":`` block never runs. The model's forward is then
run for real and recorded (``designer.ml.importing.trace``).
"""

import ast
import json
import sys
import traceback
import signal
import types
import warnings
from pathlib import Path

import torch
from torch import nn

from designer.core import i18n
from designer.core.i18n import _
from designer.ml.importing import inputs, trace
from designer.ml.importing.finding import ImportProblem, choose, find_models, model_names

LAYER_ELEMENTS = 16_000_000  # floats of all layers' outputs kept for the layer-by-layer check
STATEMENT_LIMIT = 10.0  # seconds for one top-level statement (a training loop is stopped and skipped)
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)




class FileProblem(Exception):
    """The file could not be read or run (exit 2)."""


def _first_line(path, stmt) -> str:
    segment = ast.get_source_segment(Path(path).read_text(encoding="utf-8"), stmt) or ""
    line = segment.strip().splitlines()[0] if segment.strip() else ""
    return line if len(line) <= 100 else line[:97] + "..."


def _is_main_block(stmt) -> bool:
    if not isinstance(stmt, ast.If):
        return False
    test = stmt.test
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = [test.left, test.comparators[0]]
    return (any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
            and any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides))


class StatementTimeout(BaseException):
    """A top-level statement ran too long (a training loop).

    A BaseException, so that an ``except Exception`` in the learner's code does not swallow it.
    """


def _timeout(signum, frame):
    raise StatementTimeout()


def _error_text(exc) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:240] if first else type(exc).__name__


def run_script(path):
    """Run the file's statements one by one; returns (module, skipped, main_line, tree)."""
    timed = hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGALRM, _timeout) if timed else None
    try:
        return _run_statements(path, timed)
    finally:
        if timed:
            signal.signal(signal.SIGALRM, previous)


def _run_statements(path, timed):
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileProblem(_("cannot be read: {error}").format(error=_error_text(exc))) from None
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise FileProblem(_("line {line}: this is not valid Python ({error})").format(line=exc.lineno,
                                                                                      error=exc.msg)) from None
    module = types.ModuleType("imported_model")
    module.__file__ = path
    sys.modules["imported_model"] = module
    sys.path.insert(0, str(Path(path).parent))  # sibling imports work
    skipped, main_line, fed = [], None, []
    for stmt in tree.body:
        if _is_main_block(stmt):
            main_line = stmt.lineno
            continue
        fed += inputs.snapshot(stmt, module.__dict__)
        if isinstance(stmt, ast.ImportFrom) and stmt.level:
            # A file of a package (from .unet_parts import *) opened alone: its siblings are next to it.
            stmt = ast.copy_location(ast.ImportFrom(module=stmt.module, names=stmt.names, level=0), stmt)
        code = compile(ast.fix_missing_locations(ast.Module(body=[stmt], type_ignores=[])), path, "exec")
        if timed and not isinstance(stmt, DEFINITIONS + (ast.Import, ast.ImportFrom)):  # a slow import is no loop
            signal.setitimer(signal.ITIMER_REAL, STATEMENT_LIMIT)
        try:
            exec(code, module.__dict__)
        except StatementTimeout:
            skipped.append({"line": stmt.lineno, "source": _first_line(path, stmt),
                            "error": _("stopped after {seconds} s (importing does not need it)").format(
                                seconds=f"{STATEMENT_LIMIT:g}")})
        except (Exception, SystemExit) as exc:
            if isinstance(stmt, DEFINITIONS):
                lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
                raise FileProblem(_("line {line}: defining {name} failed: {error}").format(
                    line=lines[-1] if lines else stmt.lineno, name=stmt.name, error=_error_text(exc))) from None
            entry = {"line": stmt.lineno, "source": _first_line(path, stmt), "error": _error_text(exc)}
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                entry["import"] = True  # named again where a name it would have given is missing
            skipped.append(entry)
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
    module.__fed__ = fed
    return module, skipped, main_line, tree


def _layer_outputs(model, probe, path, indices) -> dict:
    """Each recorded layer's output for the probe's first sample (none when they would take too much room)."""
    try:
        recorder, _out = trace.run(model, probe, path, keep_outputs=True)
    except Exception:
        return {}
    outputs = {str(i): recorder.outputs[i] for i in indices if i in recorder.outputs}
    return outputs if sum(t.numel() for t in outputs.values()) <= LAYER_ELEMENTS else {}


def _where(exc, path) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == path]
    if not frames:
        return ""
    frame = frames[-1]
    return _("line {line} (`{source}`): ").format(line=frame.lineno, source=(frame.line or "").strip())


def describe(py_path, request):
    """Run the file and describe its model; returns (result dict, tensors or None)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the learner's deprecation warnings are not the import's business
        return _describe(py_path, request)


def _describe(py_path, request):
    result, tensors = {"ok": False}, None
    try:
        torch.manual_seed(0)
        module, skipped, main_line, tree = run_script(py_path)
        result.update(skipped=skipped, main_line=main_line)
        missing = next((_("line {line} `{source}`").format(line=s["line"], source=s["source"])
                        for s in skipped if s.get("import")), "")
        found = find_models(module, tree, missing)
        chosen = choose(found, request.get("class"))
        result["found"] = [{"name": f["name"], "kind": f["kind"], "line": f["line"], "inside": f.get("inside"),
                            "note": f.get("note"), "chosen": f is chosen,
                            "class": type(f["model"]).__name__ if f.get("model") is not None else None}
                           for f in found]
        result["chosen"] = chosen["name"]
        model = chosen["model"].cpu().eval()
        if type(model).forward is nn.Module.forward:
            raise ImportProblem(_("{name} has no forward method: define forward(self, x) to say how the input "
                                  "flows through its layers").format(name=chosen["name"]))
        try:
            shape, how = inputs.input_shape(module, model, request.get("input_shape"), py_path,
                                            model_names(module, chosen), module.__fed__,
                                            Path(py_path).read_text(encoding="utf-8"))
        except inputs.ShapeProblem as exc:
            raise ImportProblem(str(exc)) from None
        result.update(input_shape=shape, shape_source=how)
        try:
            recorder, out = trace.run(model, torch.randn(2, *shape, generator=torch.Generator().manual_seed(7)),
                                      py_path)
        except Exception as exc:
            raise ImportProblem(_("the model does not run on input {shape}: {error}").format(
                shape="×".join(map(str, shape)), error=_where(exc, py_path) + _error_text(exc))) from None
        try:
            result.update(trace.describe(recorder, out, request["catalog"]))
        except ValueError as exc:
            raise ImportProblem(str(exc)) from None
        batch = 1 if recorder.folds else 2  # the original model only runs one sample at a time
        probe = torch.randn((batch, *shape), generator=torch.Generator().manual_seed(request.get("seed", 0)))
        with torch.no_grad():
            output = model(probe.clone())  # a first layer with inplace=True would change the probe
        state = model.state_dict()
        result["state_keys"] = list(state)
        tensors = {"state": state, "probe": probe, "output": output,
                   "layers": _layer_outputs(model, probe.clone(), py_path, [e["index"] for e in result["layers"]])}
        result["ok"] = True
    except ImportProblem as exc:
        result.update(error=str(exc), failure="model")
    except FileProblem as exc:
        result.update(error=str(exc), failure="file")
    except Exception as exc:  # the user's code failed where we called it: its line, not ours
        result.update(error=f"{_where(exc, py_path)}{_error_text(exc)}", failure="model")
    return result, tensors


def main(argv):
    py_path, request_path, result_path = argv[:3]
    with open(request_path, encoding="utf-8") as handle:
        request = json.load(handle)
    i18n.set_language(request.get("language", i18n.ENGLISH))  # the sandbox's locale is C: speak the app's language
    result, tensors = describe(str(Path(py_path).resolve()), request)
    if tensors is not None:
        torch.save(tensors, request["tensors"])
    with open(result_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main(sys.argv[1:])
