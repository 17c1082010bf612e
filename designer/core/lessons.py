"""Lessons that follow the tutorial, step by step, with a check that sees when a step is done.

Each lesson is a JSON file in ``designer/resources/lessons``. Its title and each
step's text stand in both languages side by side (``{"en": ..., "zh_CN": ...}``);
the steps, the part of the window each points at (``target``: a dock's English
name or ``canvas``) and the checks are shared, so both languages teach the same
thing. A check is a predicate on a ``State`` (the project, its inferred shapes,
and a few facts the app reports), so it is tested without a window. A step
without a check is read, then the learner moves on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Callable

from designer.core import i18n
from designer.core.graph import Graph
from designer.core.i18n import _
from designer.core.params import ParamError
from designer.core.shapes import ModelShapes, infer


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class State:
    """What a check may look at.

    ``facts`` come from the app: ``runs`` (one ``{"optimizer", "loss", ...}`` per finished
    training run), ``tried`` (the model classified a drawing), ``visible`` (English names of
    the docks on screen), ``selected`` (the selected node's type).
    """

    graph: Graph
    shapes: ModelShapes
    training: dict = field(default_factory=dict)
    facts: dict = field(default_factory=dict)


def state_of(project, facts: dict | None = None) -> State:
    return State(project.graph, infer(project.graph), dict(project.training), dict(facts or {}))


# Checks -------------------------------------------------------------------------------------------

def _chain(state: State, spec: dict) -> bool:
    """The model's layers, from Input on, are ``types`` (or begin with them, with ``prefix``)."""
    types = [state.graph.nodes[n].type for n in state.shapes.path]
    want = list(spec["types"])
    return types[:len(want)] == want if spec.get("prefix") else types == want


def _layer(state: State, spec: dict) -> bool:
    """A layer of ``type`` on the model's path whose settings include ``params`` (and its ``name``)."""
    names = state.graph.generated_names()
    for node_id in state.shapes.path:
        node = state.graph.nodes[node_id]
        if node.type != spec["type"] or ("name" in spec and names[node_id] != spec["name"]):
            continue
        result = state.shapes.nodes.get(node_id)
        if result is None or result.resolved is None:
            continue
        wanted = {key: node.spec.param(key).check(value) for key, value in spec.get("params", {}).items()}
        if all(result.resolved.get(key) == value for key, value in wanted.items()):
            return True
    return False


def _output(state: State, spec: dict) -> bool:
    return state.shapes.valid and list(state.shapes.output_shape or ()) == list(spec["shape"])


def _parameters(state: State, spec: dict) -> bool:
    return state.shapes.valid and state.shapes.parameters == spec["count"]


def _input(state: State, spec: dict) -> bool:
    node = state.graph.input_node()
    return node is not None and list(node.params.get("shape", ())) == list(spec["shape"])


def _valid(state: State, spec: dict) -> bool:
    return state.shapes.valid


def _error(state: State, spec: dict) -> bool:
    """The layer called ``name`` shows an error about ``param`` (the learner is meant to see it, then fix it)."""
    names = state.graph.generated_names()
    return any(names.get(r.node_id) == spec["name"] and r.error and r.param == spec["param"]
               for r in state.shapes.nodes.values())


def _training(state: State, spec: dict) -> bool:
    """The project's training settings include ``settings``."""
    return all(str(state.training.get(k, "")).lower() == str(v).lower() for k, v in spec["settings"].items())


def _ran(state: State, spec: dict) -> bool:
    """A finished run with these settings (``optimizer``, ``loss``, ...)."""
    return any(all(str(run.get(k, "")).lower() == str(v).lower() for k, v in spec["settings"].items())
               for run in state.facts.get("runs", ()))


def _fact(state: State, spec: dict) -> bool:
    return state.facts.get(spec["fact"]) == spec.get("value", True)


def _visible(state: State, spec: dict) -> bool:
    return spec["dock"] in state.facts.get("visible", ())


def _all(state: State, spec: dict) -> bool:
    return all(passes(check, state) for check in spec["checks"])


CHECKS: dict[str, Callable[[State, dict], bool]] = {
    "chain": _chain, "layer": _layer, "output": _output, "parameters": _parameters, "input": _input,
    "valid": _valid, "error": _error, "training": _training, "ran": _ran, "fact": _fact,
    "visible": _visible, "all": _all,
}


def passes(check: dict | None, state: State) -> bool:
    """True when ``check`` holds (a step without a check is never done by itself)."""
    if check is None:
        return False
    try:
        return bool(CHECKS[check["kind"]](state, check))
    except (KeyError, TypeError, ValueError, ParamError):
        return False  # a half-typed setting is simply not done yet


# Lessons ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    id: str
    text: dict[str, str]
    target: str | None = None
    check: dict | None = None

    def say(self, language: str | None = None) -> str:
        return self.text.get(language or i18n.language()) or self.text[i18n.ENGLISH]


@dataclass(frozen=True)
class Lesson:
    id: str
    number: int
    title: dict[str, str]
    steps: tuple[Step, ...]
    template: str | None = None  # the project it starts from (a template id), or None: keep the learner's

    def name(self, language: str | None = None) -> str:
        return self.title.get(language or i18n.language()) or self.title[i18n.ENGLISH]

    def advance(self, done: int, state: State) -> int:
        """Steps done after this state: from ``done`` on, each step whose check passes is done."""
        while done < len(self.steps) and passes(self.steps[done].check, state):
            done += 1
        return done


def lesson_files() -> list[resources.abc.Traversable]:
    folder = resources.files("designer") / "resources" / "lessons"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)


def load(file: resources.abc.Traversable) -> Lesson:
    """One lesson file, checked: both languages everywhere, known check kinds, known targets."""
    where = f"lessons/{file.name}"
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
        steps = tuple(Step(s["id"], _texts(s["text"], f"{where}: steps[{i}].text"), s.get("target"),
                           _checked(s.get("check"), f"{where}: steps[{i}].check"))
                      for i, s in enumerate(data["steps"]))
        return Lesson(data["id"], int(data["number"]), _texts(data["title"], f"{where}: title"), steps,
                      data.get("template"))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, LessonError):
            raise
        raise LessonError(f"{where}: {exc}") from exc


def _texts(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) or not value[lang].strip()
                                          for lang in i18n.LANGUAGES):
        raise LessonError(f"{where}: needs a text in each of {', '.join(i18n.LANGUAGES)}")
    return dict(value)


def _checked(check: Any, where: str) -> dict | None:
    if check is None:
        return None
    if not isinstance(check, dict) or check.get("kind") not in CHECKS:
        raise LessonError(f"{where}: kind must be one of {', '.join(CHECKS)}")
    for inner in check.get("checks", ()):
        _checked(inner, where)
    return check


def all_lessons() -> tuple[Lesson, ...]:
    return tuple(sorted((load(f) for f in lesson_files()), key=lambda lesson: lesson.number))


def progress_text(lesson: Lesson, done: int) -> str:
    return _("Step {step} of {count}").format(step=min(done + 1, len(lesson.steps)), count=len(lesson.steps)) \
        if done < len(lesson.steps) else _("Lesson complete")
