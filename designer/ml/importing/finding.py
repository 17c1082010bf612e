"""The models a file holds, and the one to import (part of the import child).

A model is a module-level instance, a module-level function that returns
one (``def ResNet18(): return ResNet(BasicBlock, [2, 2, 2, 2])``, or
``build_model()``), or an ``nn.Module`` class of the file that builds with its
defaults. A loss (``criterion = nn.BCELoss()``) and a module whose forward
takes two inputs are never chosen: they are listed with the reason.
"""

from __future__ import annotations

import ast
import inspect
import signal
import types

from torch import nn

from designer.core.i18n import _

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
FACTORY_LIMIT = 10.0  # seconds for calling one factory


class ImportProblem(Exception):
    """The file ran, but holds no model that can be represented (exit 1)."""


def error_text(exc) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:240] if first else type(exc).__name__


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


def _factories(tree) -> list[str]:
    """Module-level functions that return a call (``return ResNet(...)``) and need no argument."""
    names = []
    for stmt in tree.body:
        if not isinstance(stmt, ast.FunctionDef) or stmt.name.startswith("_"):
            continue
        args = stmt.args
        if len(args.args) - len(args.defaults) > 0 or args.posonlyargs or any(
                d is None for d in args.kw_defaults):
            continue
        if any(isinstance(node, ast.Return) and isinstance(node.value, ast.Call) for node in ast.walk(stmt)):
            names.append(stmt.name)
    return names


def _not_a_model(value) -> str | None:
    """Why this module is no model to import (a loss, two inputs), or None."""
    cls = value if isinstance(value, type) else type(value)
    if issubclass(cls, nn.modules.loss._Loss):
        return _("a loss, not a model")
    try:
        params = list(inspect.signature(cls.forward).parameters.values())[1:]
    except (TypeError, ValueError):
        return None
    required = [p for p in params if p.default is inspect.Parameter.empty
                and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(required) > 1:
        return _("its forward takes {count} inputs ({names}); a model here takes one").format(
            count=len(required), names=", ".join(p.name for p in required))
    return None


def _too_long(signum, frame):
    raise TimeoutError(_("took more than {seconds} s").format(seconds=f"{FACTORY_LIMIT:g}"))


def _call(factory, timed: bool):
    """``factory()``, stopped after FACTORY_LIMIT seconds (a function that trains instead of building)."""
    if not timed:
        return factory()
    previous = signal.signal(signal.SIGALRM, _too_long)
    signal.setitimer(signal.ITIMER_REAL, FACTORY_LIMIT)
    try:
        return factory()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def find_models(module, tree, missing_import: str = ""):
    """Every model in the file: module-level instances, factories, classes defined here.

    ``missing_import`` ("line 3 `from .unet_parts import *`") is named where a
    class or factory fails with a NameError, the usual result of that import failing.
    """
    lines = _assigned_lines(tree)
    timed = hasattr(signal, "setitimer")
    found = []

    def failed(name, exc):
        text = _("{name} failed: {error}").format(name=name, error=error_text(exc))
        if isinstance(exc, NameError) and missing_import:
            text = _("{failure}, probably because {statement} failed").format(failure=text,
                                                                              statement=missing_import)
        return text

    for name, value in vars(module).items():
        if isinstance(value, nn.Module) and not name.startswith("_"):
            entry = {"name": name, "kind": "instance", "line": lines.get(name), "model": value}
            why = _not_a_model(value)
            if why:
                entry.update(model=None, note=why)
            found.append(entry)
    for name in _factories(tree):
        factory = vars(module).get(name)
        if not isinstance(factory, types.FunctionType) or factory.__module__ != module.__name__:
            continue
        entry = {"name": f"{name}()", "kind": "function", "line": lines.get(name)}
        try:
            entry["model"] = _call(factory, timed)
        except Exception as exc:
            entry["note"] = failed(f"{name}()", exc)
        else:
            if not isinstance(entry["model"], nn.Module):
                if name != "build_model":
                    continue  # a helper that returns something else: not a model factory
                entry.update(model=None, note=_("returns {type}, not an nn.Module").format(
                    type=type(entry["model"]).__name__))
            elif _not_a_model(entry["model"]):
                entry.update(model=None, note=_not_a_model(entry["model"]))
        found.append(entry)
    for name, value in vars(module).items():
        if isinstance(value, type) and issubclass(value, nn.Module) and value.__module__ == module.__name__:
            entry = {"name": name, "kind": "class", "line": lines.get(name), "cls": value}
            if any(type(f.get("model")) is value for f in found):
                continue  # the script made one: that instance is this class's model
            why = _not_a_model(value)
            if why:
                entry["note"] = why
            else:
                try:
                    entry["model"] = _call(value, timed)
                except Exception as exc:
                    entry["note"] = failed(f"{name}()", exc)
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


def model_names(module, chosen) -> set:
    """The module-level names that hold the chosen model (or make it): the callees that feed it."""
    model = chosen["model"]
    names = {chosen["name"].removesuffix("()")}
    names |= {name for name, value in vars(module).items() if value is model or (
        isinstance(value, nn.Module) and type(value) is type(model))}
    if chosen["kind"] == "class":
        names.add(chosen["name"])
    return names
