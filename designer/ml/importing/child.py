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
from designer.core.i18n import _, ngettext
from designer.ml.importing import trace

MAX_SIDE = 512
STATEMENT_LIMIT = 10.0  # seconds for one top-level statement (a training loop is stopped and skipped)
DEFAULT_SIDE = 28  # MNIST, the tutorial's data, when any size runs
DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class ImportProblem(Exception):
    """The file ran, but holds no model that can be represented (exit 1)."""


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
    skipped, main_line = [], None
    for stmt in tree.body:
        if _is_main_block(stmt):
            main_line = stmt.lineno
            continue
        code = compile(ast.Module(body=[stmt], type_ignores=[]), path, "exec")
        if timed and not isinstance(stmt, DEFINITIONS):
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
            skipped.append({"line": stmt.lineno, "source": _first_line(path, stmt), "error": _error_text(exc)})
        finally:
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
    return module, skipped, main_line, tree


def _assigned_lines(tree) -> dict:
    lines = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    lines[target.id] = stmt.lineno
        elif isinstance(stmt, DEFINITIONS):
            lines[stmt.name] = stmt.lineno
    return lines


def find_models(module, tree):
    """Every model in the file: module-level instances, build_model(), classes defined here."""
    lines = _assigned_lines(tree)
    found = []
    for name, value in vars(module).items():
        if isinstance(value, nn.Module) and not name.startswith("_"):
            found.append({"name": name, "kind": "instance", "line": lines.get(name), "model": value})
    factory = vars(module).get("build_model")
    if isinstance(factory, types.FunctionType) and factory.__module__ == module.__name__:
        entry = {"name": "build_model()", "kind": "function", "line": lines.get("build_model")}
        try:
            entry["model"] = factory()
            if not isinstance(entry["model"], nn.Module):
                entry.update(model=None, note=_("returns {type}, not an nn.Module").format(
                    type=type(entry["model"]).__name__))
        except Exception as exc:
            entry["note"] = _("failed: {error}").format(error=_error_text(exc))
        found.append(entry)
    for name, value in vars(module).items():
        if isinstance(value, type) and issubclass(value, nn.Module) and value.__module__ == module.__name__:
            entry = {"name": name, "kind": "class", "line": lines.get(name), "cls": value}
            if any(type(f.get("model")) is value for f in found):
                continue  # the script made one: that instance is this class's model
            try:
                entry["model"] = value()
            except Exception as exc:
                entry["note"] = _("{name}() failed: {error}").format(name=name, error=_error_text(exc))
            found.append(entry)
    for entry in found:
        model = entry.get("model")
        if model is None:
            continue
        for other in found:
            inner = other.get("model")
            if other is entry or inner is None:
                continue
            if any(sub is model or (entry["kind"] == "class" and type(sub) is type(model))
                   for sub in list(inner.modules())[1:]):
                entry["inside"] = other["name"]
                break
    return found


def choose(found, wanted):
    """The model to import: ``wanted``, else the outermost (the largest; the last defined on a tie)."""
    names = ", ".join(f["name"] for f in found) or _("none")
    if wanted:
        match = [f for f in found if f["name"] in (wanted, f"{wanted}()")]
        if not match:
            raise ImportProblem(_("the file has no model called {name} (found: {names})").format(name=wanted,
                                                                                                 names=names))
        if match[0].get("model") is None:
            why = match[0].get("note") or _("could not be built")
            raise ImportProblem(f"{wanted}: {why}")
        return match[0]
    usable = [f for f in found if f.get("model") is not None]
    if not found:
        raise ImportProblem(_("no model found: the file defines no nn.Module class and makes no model at "
                              "module level"))
    if not usable:
        raise ImportProblem(_("no model could be built: {reasons}. Make one at module level (model = Net(...)) or "
                              "pass --class").format(reasons="; ".join(f"{f['name']}: {f.get('note')}" for f in found)))
    outer = [f for f in usable if "inside" not in f] or usable
    return max(outer, key=lambda f: (len(list(f["model"].modules())), f["line"] or 0))


def _runs(model, shape, path):
    try:
        trace.run(model, torch.zeros(2, *shape), path)
        return True
    except Exception:
        return False


def _first_layer(model):
    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d, nn.Linear, nn.BatchNorm1d)
    return next((m for m in model.modules() if isinstance(m, kinds)), None)


def input_shape(module, model, given, path):
    """The input shape of one sample, and how it was found (a sentence for the report)."""
    if given:
        return list(given), _("given")
    declared = getattr(module, "INPUT_SHAPE", None)
    if isinstance(declared, (list, tuple)) and declared and all(type(d) is int and d > 0 for d in declared):
        return list(declared), _("from the file's INPUT_SHAPE")
    for name, value in vars(module).items():
        if isinstance(value, torch.Tensor) and 2 <= value.dim() <= 4 and value.is_floating_point() \
                and _runs(model, tuple(value.shape[1:]), path):
            return list(value.shape[1:]), _("from the file's tensor {name} {shape}").format(
                name=name, shape=tuple(value.shape))
    first = _first_layer(model)
    if first is None:
        raise ImportProblem(_("cannot infer the input shape: the model has no Conv2d, BatchNorm or Linear; "
                              "give it (--input-shape C,H,W or the dialog's Input shape)"))
    if isinstance(first, (nn.Linear, nn.BatchNorm1d)):
        features = first.in_features if isinstance(first, nn.Linear) else first.num_features
        how = (f"Linear({first.in_features} → {first.out_features})" if isinstance(first, nn.Linear)
               else f"BatchNorm1d({features})")
        return [features], _("inferred from {layer}").format(layer=how)
    channels = first.in_channels if hasattr(first, "in_channels") else first.num_features
    return _search_side(model, channels, path)


def _search_side(model, channels, path):
    """The smallest square side for which forward runs and the first Linear gets its in_features."""
    runs_at = None
    for side in range(1, MAX_SIDE + 1):
        try:
            recorder, _out = trace.run(model, torch.zeros(1, channels, side, side), path, stop_at_linear=True)
        except Exception:
            continue
        if recorder.first_linear:  # stopped at the first Linear: does it get its in_features?
            wanted, out, got = recorder.first_linear
            features = got[-1] if got else None
            if features == wanted and got[0] == 1 and _runs(model, (channels, side, side), path):
                return [channels, side, side], _("inferred from {layer}").format(layer=f"Linear({wanted} → {out})")
            if features is not None and features > wanted:
                raise ImportProblem(_("no square input up to {side}×{side} gives the first Linear({wanted} → {out}) "
                                      "its {wanted} inputs; give the input shape (--input-shape C,H,W)").format(
                    side=side, wanted=wanted, out=out))
            continue
        runs_at = runs_at or side
        if side >= DEFAULT_SIDE or _runs(model, (channels, DEFAULT_SIDE, DEFAULT_SIDE), path):
            side = max(side, DEFAULT_SIDE)
            return [channels, side, side], _("assumed (the model runs on any size from {side}×{side})").format(
                side=runs_at)
    raise ImportProblem(ngettext("forward does not run on any square input from 1×1 to {side}×{side} with "
                                 "{channels} channel; give the input shape (--input-shape C,H,W)",
                                 "forward does not run on any square input from 1×1 to {side}×{side} with "
                                 "{channels} channels; give the input shape (--input-shape C,H,W)",
                                 channels).format(side=MAX_SIDE, channels=channels))


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
        found = find_models(module, tree)
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
        shape, how = input_shape(module, model, request.get("input_shape"), py_path)
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
            output = model(probe)
        state = model.state_dict()
        result["state_keys"] = list(state)
        tensors = {"state": state, "probe": probe, "output": output}
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
