"""Challenges: what a teacher hands out, and the goals a learner's project is judged on.

A challenge file (``.netchallenge.json``) holds a title and text in one or
more languages, the dataset the accuracy is measured on, an optional starting
project and a list of goals. Goals that need no training (parameters, layers,
output shape) are judged here on the project alone; ``min_accuracy`` needs an
accuracy measured by ``designer.ml.grading`` (or by a finished run in the app)
and is judged with ``judge(..., accuracy=...)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from designer.core import project as project_io
from designer.core import safe_json
from designer.core.i18n import _, language
from designer.core.project import Project, ProjectError
from designer.core.shapes import ModelShapes
from designer.core.datasets import BUILT_IN as DATASETS

FORMAT = "netdesigner.challenge"
VERSION = 1
SUFFIX = ".netchallenge.json"
MAX_BYTES = 4 << 20
KINDS = ("max_parameters", "min_accuracy", "uses_layer", "output_shape")
YES, NO, UNKNOWN = "yes", "no", "-"


class ChallengeError(ValueError):
    """A challenge file that cannot be used; the message names the file and the field."""


@dataclass
class Goal:
    """One thing the project must do.

    Attributes:
        kind: one of ``KINDS``.
        value: the number or shape the goal names (None for ``uses_layer``).
        layer: for ``uses_layer``, the layer type (``Conv2d``).
        params: for ``uses_layer``, parameters that layer must have (``{"dilation": 2}``).
    """

    kind: str
    value: object = None
    layer: str | None = None
    params: dict = field(default_factory=dict)

    def label(self) -> str:
        """The goal in words, in the interface language."""
        if self.kind == "max_parameters":
            return _("at most {count:,} parameters").format(count=self.value)
        if self.kind == "min_accuracy":
            return _("held-out accuracy at least {percent:.1f}%").format(percent=100 * self.value)
        if self.kind == "output_shape":
            return _("output shape {shape}").format(shape=list(self.value))
        wanted = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return _("uses {layer}").format(layer=f"{self.layer}({wanted})" if wanted else self.layer)

    def column(self, index: int) -> str:
        """A short, stable column name for the CSV: ``goal1_max_parameters``."""
        return f"goal{index + 1}_{self.kind}"


@dataclass
class Challenge:
    """A parsed challenge file."""

    title: dict[str, str]
    text: dict[str, str]
    goals: list[Goal]
    dataset: str = "mnist-5k"
    project: Project | None = None  # the starting project, if the file gives one
    source: str = "<challenge>"

    def title_text(self) -> str:
        return _pick(self.title)

    def body_text(self) -> str:
        return _pick(self.text)


def _pick(texts: dict[str, str]) -> str:
    """The text in the interface language, else English, else any."""
    lang = language()
    return texts.get(lang) or texts.get(lang.split("_")[0]) or texts.get("en") or next(iter(texts.values()), "")


# Reading ---------------------------------------------------------------------

def load(path: str | os.PathLike) -> Challenge:
    """Read and check a challenge file; raises ChallengeError naming the file and the field."""
    source = str(path)
    try:
        payload = project_io.read_regular_file(path, MAX_BYTES, source)
    except ProjectError as exc:
        raise ChallengeError(str(exc)) from None
    return loads(payload, source)


def loads(text: str | bytes, source: str = "<challenge>") -> Challenge:
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ChallengeError(_("{file}: is not UTF-8 text; a challenge file is UTF-8 JSON").format(
                file=source)) from None
    try:
        data = safe_json.parse(text.removeprefix("\ufeff"), max_values=100_000, max_depth=64)
    except safe_json.UnsafeJSON as exc:
        raise ChallengeError(f"{source}: {exc.message}") from None
    return from_dict(data, source)


def _fail(source: str, where: str, message: str) -> ChallengeError:
    return ChallengeError(_("{file}: {field}: {message}").format(file=source, field=where, message=message))


def from_dict(data: object, source: str = "<challenge>") -> Challenge:
    if not isinstance(data, dict):
        raise ChallengeError(_("{file}: is not a challenge (a JSON object was expected)").format(file=source))
    if data.get("format") != FORMAT:
        raise _fail(source, "format", _("must be {expected!r}").format(expected=FORMAT))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _fail(source, "version", _("must be a whole number from 1"))
    if version > VERSION:
        raise _fail(source, "version", _("version {found} is newer than this app reads ({known}); "
                                         "update NetDesigner").format(found=version, known=VERSION))
    title = _texts(data.get("title"), source, "title")
    text = _texts(data.get("text", {"en": ""}), source, "text")
    dataset = data.get("dataset", "mnist-5k")
    if dataset not in DATASETS:
        raise _fail(source, "dataset", _("{name!r} is not a dataset the class can all measure on; use one of "
                                         "{names}").format(name=dataset, names=", ".join(DATASETS)))
    raw_goals = data.get("goals")
    if not isinstance(raw_goals, list) or not raw_goals:
        raise _fail(source, "goals", _("must be a non-empty list"))
    goals = [_goal(raw, source, f"goals[{i}]") for i, raw in enumerate(raw_goals)]
    start = None
    if data.get("project") is not None:
        try:
            start = project_io.from_dict(data["project"], f"{source}: project")
        except ProjectError as exc:
            raise ChallengeError(str(exc)) from None
    return Challenge(title, text, goals, dataset, start, source)


def _texts(value: object, source: str, where: str) -> dict[str, str]:
    if isinstance(value, str) and value.strip():
        return {"en": value}
    if isinstance(value, dict) and value and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return dict(value)
    raise _fail(source, where, _("must be a text, or an object of texts by language ({example})").format(
        example='{"en": "…", "zh_CN": "…"}'))


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _goal(raw: object, source: str, where: str) -> Goal:
    if not isinstance(raw, dict):
        raise _fail(source, where, _("must be an object with a kind"))
    kind = raw.get("kind")
    if kind not in KINDS:
        raise _fail(source, f"{where}.kind", _("{kind!r} is not a goal; use one of {kinds}").format(
            kind=kind, kinds=", ".join(KINDS)))
    value = raw.get("value")
    if kind == "max_parameters":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _fail(source, f"{where}.value", _("must be a whole number of parameters"))
        return Goal(kind, value)
    if kind == "min_accuracy":
        if not _number(value) or not 0 <= value <= 1:
            raise _fail(source, f"{where}.value", _("must be a fraction from 0 to 1 (0.97 for 97%)"))
        return Goal(kind, float(value))
    if kind == "output_shape":
        if not isinstance(value, list) or not value or not all(
                isinstance(d, int) and not isinstance(d, bool) and d > 0 for d in value):
            raise _fail(source, f"{where}.value", _("must be a list of positive whole numbers, e.g. [10]"))
        return Goal(kind, list(value))
    layer = raw.get("type")
    if not isinstance(layer, str) or not layer:
        raise _fail(source, f"{where}.type", _("must name a layer type, e.g. Conv2d"))
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise _fail(source, f"{where}.params", _("must be an object of parameter values"))
    return Goal(kind, None, layer, dict(params))


# Judging ---------------------------------------------------------------------

@dataclass
class Verdict:
    """One goal judged: ``YES``, ``NO`` or ``UNKNOWN`` (not measured), with what was found."""

    goal: Goal
    result: str
    found: str = ""


def judge(challenge: Challenge, project: Project, shapes: ModelShapes, accuracy: float | None = None) -> list[Verdict]:
    """Each goal judged on the project; ``min_accuracy`` stays UNKNOWN until an accuracy is given."""
    return [_judge(goal, project, shapes, accuracy) for goal in challenge.goals]


def _same(a: object, b: object) -> bool:
    """Parameter values equal as torch sees them: 2 and [2, 2] are one kernel size."""
    def norm(v):
        if isinstance(v, (list, tuple)) and v and all(x == v[0] for x in v):
            return v[0]
        return list(v) if isinstance(v, tuple) else v
    return norm(a) == norm(b)


def _judge(goal: Goal, project: Project, shapes: ModelShapes, accuracy: float | None) -> Verdict:
    valid = shapes.valid
    if goal.kind == "max_parameters":
        if not valid:
            return Verdict(goal, NO, _("the model is not valid"))
        count = shapes.parameters
        return Verdict(goal, YES if count <= goal.value else NO, f"{count:,}")
    if goal.kind == "output_shape":
        out = list(shapes.output_shape) if valid and shapes.output_shape is not None else None
        return Verdict(goal, YES if out == goal.value else NO, str(out) if out else _("the model is not valid"))
    if goal.kind == "min_accuracy":
        if accuracy is None:
            return Verdict(goal, UNKNOWN, _("train the model to measure it"))
        return Verdict(goal, YES if accuracy >= goal.value else NO, f"{100 * accuracy:.1f}%")
    graph = project.graph
    for node_id in shapes.path:
        node = graph.node(node_id)
        if node.type == goal.layer and all(_same(node.params.get(k, _default(node, k)), v)
                                           for k, v in goal.params.items()):
            return Verdict(goal, YES, node.name or node_id)
    return Verdict(goal, NO, _("no such layer on the model's path"))


def _default(node, key: str) -> object:
    try:
        spec = node.spec
    except Exception:  # a type the catalog does not know: no defaults to compare with
        return None
    for param in spec.params:
        if param.name == key:
            return param.default
    return None


def passed(verdicts: list[Verdict]) -> bool:
    return all(v.result == YES for v in verdicts)

