"""Lessons that follow the tutorial, step by step, with a check that sees when a step is done.

Each lesson is a JSON file in ``designer/resources/lessons``. Its title and each
step's text stand in both languages side by side (``{"en": ..., "zh_CN": ...}``);
the steps, the part of the window each points at (``target``: a dock's English
name or ``canvas``) and the checks are shared, so both languages teach the same
thing. A check is a predicate on a ``State`` (the project, its inferred shapes,
and a few facts the app reports), so it is tested without a window. A step
without a check is read, then the learner moves on; a step with one cannot be
skipped. An ``answer`` check is a prediction the learner types, with a hint
for a wrong one. A teacher's lessons are files of the same format, opened from
a file or a folder and checked field by field (``designer.core.lesson_check``;
the format is documented in ``docs/lessons.md``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

from designer.core import i18n, lesson_check
from designer.core.graph import Graph
from designer.core.i18n import _
from designer.core.params import ParamError
from designer.core.shapes import ModelShapes, infer


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class State:
    """What a check may look at.

    ``facts`` come from the app: ``runs`` (the training settings of each finished run),
    ``tried`` (the model classified a drawing), ``visible`` (English names of the docks on
    screen), ``selected`` (the selected node's type), ``saved`` (the project has a file),
    ``compared`` (two runs selected in the Runs tab), ``answers`` (step id → the text typed).
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


def _answer(state: State, spec: dict) -> bool:
    """The learner typed one of ``accept`` for this step (a number within ``tolerance``; ``6 x 6`` is ``6×6``)."""
    typed = state.facts.get("answers", {}).get(spec.get("step"))
    return typed is not None and any(same_answer(typed, right, spec.get("tolerance", 1e-6))
                                     for right in spec["accept"])


def same_answer(typed: str, right: str | float, tolerance: float = 1e-6) -> bool:
    def tidy(text: str) -> str:
        """A shape however it is written: ``6 x 6``, ``6*6``, ``(16, 6, 6)``, ``torch.Size([16, 6, 6])``."""
        text = str(text).strip().lower().replace(" ", "").replace("torch.size", "")
        for mark in "()[]":
            text = text.replace(mark, "")
        for times in ("x", "*", ",", "，"):
            text = text.replace(times, "×")
        return text

    try:
        return abs(float(str(typed).strip()) - float(right)) <= tolerance
    except ValueError:
        return tidy(typed) == tidy(str(right))


CHECKS: dict[str, Callable[[State, dict], bool]] = {
    "chain": _chain, "layer": _layer, "output": _output, "parameters": _parameters, "input": _input,
    "valid": _valid, "error": _error, "training": _training, "ran": _ran, "fact": _fact,
    "visible": _visible, "all": _all, "answer": _answer,
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

    @property
    def asks(self) -> bool:
        """The step asks the learner to type an answer (a prediction checked against the app)."""
        return self.check is not None and self.check["kind"] == "answer"

    @property
    def layer(self) -> str | None:
        """The layer the step's check names (a ``layer`` or ``error`` check, or one inside ``all``), if any.

        A ``canvas`` step that names one points at that layer's block.
        """
        return _named_layer(self.check)

    def hint(self, language: str | None = None) -> str:
        """What to look at after a wrong answer."""
        hint = self.check["hint"] if self.asks else {}
        return hint.get(language or i18n.language()) or hint.get(i18n.ENGLISH, "")


def _named_layer(check: dict | None) -> str | None:
    if check is None:
        return None
    if check["kind"] in ("layer", "error"):
        return check.get("name")
    for inner in check.get("checks", []) if check["kind"] == "all" else []:
        found = _named_layer(inner)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class Lesson:
    id: str
    number: int
    title: dict[str, str]
    steps: tuple[Step, ...]
    template: str | None = None  # the project it starts from (a template id), or None: keep the learner's
    source: str = ""  # the file it was read from ("" for a built-in lesson)

    def name(self, language: str | None = None) -> str:
        return self.title.get(language or i18n.language()) or self.title[i18n.ENGLISH]

    def advance(self, done: int, state: State) -> int:
        """Steps done after this state: from ``done`` on, each step whose check passes is done."""
        while done < len(self.steps) and passes(self.steps[done].check, state):
            done += 1
        return done

    def may_skip(self, done: int, state: State) -> bool:
        """Next may leave step ``done``: a step to read, or one whose check passes (never an unfinished task)."""
        if done >= len(self.steps):
            return False
        check = self.steps[done].check
        return check is None or passes(check, state)


def lesson_files(folder: str | os.PathLike | None = None) -> list:
    """The ``.json`` lessons in ``folder`` (the built-in ones when None), by file name."""
    folder = resources.files("designer") / "resources" / "lessons" if folder is None else Path(folder)
    return sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)


def load(file, builtin: bool = True) -> Lesson:
    """One lesson file, checked: both languages everywhere, known check kinds, targets, layers and settings."""
    where = f"lessons/{file.name}" if builtin else str(file)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LessonError(f"{where}: {exc}") from exc
    found = lesson_check.problems(data)
    if found:
        raise LessonError("\n".join(f"{where}: {problem}" for problem in found))
    steps = tuple(Step(s["id"], dict(s["text"]), s.get("target"), _checked(s.get("check"), s["id"]))
                  for s in data["steps"])
    return Lesson(data["id"], data["number"], dict(data["title"]), steps, data.get("template"),
                  "" if builtin else str(file))


def _checked(check: dict | None, step_id: str) -> dict | None:
    """The check, with each answer check told which step's answer it reads."""
    if check is None:
        return None
    check = dict(check)
    if check["kind"] == "answer":
        check["step"] = step_id
    if check["kind"] == "all":
        check["checks"] = [_checked(inner, step_id) for inner in check["checks"]]
    return check


def all_lessons(folder: str | os.PathLike | None = None) -> tuple[Lesson, ...]:
    """The built-in lessons, or those in ``folder`` (a teacher's), in their numbers' order."""
    files = lesson_files(folder)
    return tuple(sorted((load(f, folder is None) for f in files), key=lambda lesson: lesson.number))


def open_lessons(path: str | os.PathLike) -> tuple[Lesson, ...]:
    """A teacher's lesson file, or every lesson in a folder; LessonError names what is wrong."""
    path = Path(path)
    if path.is_dir():
        found = all_lessons(path)
        if not found:
            raise LessonError(_("{folder}: holds no lesson (.json) files").format(folder=path))
        return found
    return (load(path, builtin=False),)


def progress_text(lesson: Lesson, done: int) -> str:
    return _("Step {step} of {count}").format(step=min(done + 1, len(lesson.steps)), count=len(lesson.steps)) \
        if done < len(lesson.steps) else _("Lesson complete")
