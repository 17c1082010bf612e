"""A lesson file checked field by field, so a teacher's mistake is named by its step and field.

``problems(data)`` lists every problem in a lesson's JSON (already parsed), each
one saying where it is (``step 3 “stride”: check.params.strid``) and what is
wrong; the engine (``designer.core.lessons``) refuses a file with any. The
format itself is documented in ``docs/lessons.md``.
"""

from __future__ import annotations

from typing import Any

from designer.core import i18n, layers, templates, training
from designer.core.i18n import _

# What a step may point at: the canvas or a dock, by its English name.
TARGETS = ("canvas", "Layers", "Inspector", "Model", "History", "Training", "Try it", "Look inside", "Explain",
           "Code", "Health")
# Facts the app reports (see ``lessons.State``) that a ``fact`` check may ask about.
FACTS = ("tried", "saved", "compared", "selected")
LESSON_KEYS = {"id", "number", "title", "template", "steps"}
STEP_KEYS = {"id", "text", "target", "check"}
# Each check kind: its required fields and its optional ones.
FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "chain": ({"types"}, {"prefix"}), "layer": ({"type"}, {"params", "name"}), "output": ({"shape"}, set()),
    "parameters": ({"count"}, set()), "input": ({"shape"}, set()), "valid": (set(), set()),
    "error": ({"name", "param"}, set()), "training": ({"settings"}, set()), "ran": ({"settings"}, set()),
    "fact": ({"fact"}, {"value"}), "visible": ({"dock"}, set()), "all": ({"checks"}, set()),
    "answer": ({"accept", "hint"}, {"tolerance"}),
}


def problems(data: Any) -> list[str]:
    """Every problem in a lesson, each naming where it is; empty when the lesson can be used."""
    if not isinstance(data, dict):
        return [_("the file must hold one JSON object (a lesson)")]
    found: list[str] = []
    for key in sorted(set(data) - LESSON_KEYS):
        found.append(_("{field}: unknown field (a lesson has {fields})").format(
            field=key, fields=", ".join(sorted(LESSON_KEYS))))
    if not isinstance(data.get("id"), str) or not data.get("id", "").strip():
        found.append(_("id: must be a short name such as “my-lesson”"))
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        found.append(_("number: must be a whole number from 1 (the lesson's place in the list)"))
    found += _texts(data.get("title"), "title")
    template = data.get("template")
    known = [t.id for t in templates.TEMPLATES]
    if template is not None and template not in known:
        found.append(_("template: {value} is not one of {options}").format(value=template, options=", ".join(known)))
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        found.append(_("steps: must be a list of at least one step"))
        return found
    seen: set[str] = set()
    for index, step in enumerate(steps):
        where = _("step {number}").format(number=index + 1)
        if not isinstance(step, dict):
            found.append(_("{step}: must be an object with an id and a text").format(step=where))
            continue
        step_id = step.get("id")
        if isinstance(step_id, str) and step_id.strip():
            where = f"{where} “{step_id}”"
            if step_id in seen:
                found.append(_("{step}: id: another step has this id").format(step=where))
            seen.add(step_id)
        else:
            found.append(_("{step}: id: must be a short name").format(step=where))
        for key in sorted(set(step) - STEP_KEYS):
            found.append(_("{step}: {field}: unknown field (a step has {fields})").format(
                step=where, field=key, fields=", ".join(sorted(STEP_KEYS))))
        found += [f"{where}: {p}" for p in _texts(step.get("text"), "text")]
        target = step.get("target")
        if target is not None and target not in TARGETS:
            found.append(_("{step}: target: {value} is not one of {options}").format(
                step=where, value=target, options=", ".join(TARGETS)))
        if step.get("check") is not None:
            found += [f"{where}: {p}" for p in _check(step["check"], "check")]
    return found


def _texts(value: Any, field: str) -> list[str]:
    if not isinstance(value, dict) or any(not isinstance(value.get(lang), str) or not value[lang].strip()
                                          for lang in i18n.LANGUAGES):
        return [_("{field}: needs a text in each of {languages}").format(field=field,
                                                                          languages=", ".join(i18n.LANGUAGES))]
    return []


def _check(check: Any, field: str) -> list[str]:
    if not isinstance(check, dict) or check.get("kind") not in FIELDS:
        return [_("{field}.kind: must be one of {kinds}").format(field=field, kinds=", ".join(FIELDS))]
    kind = check["kind"]
    required, optional = FIELDS[kind]
    found = [_("{field}.{name}: missing (a {kind} check needs {names})").format(
        field=field, name=name, kind=kind, names=", ".join(sorted(required))) for name in sorted(required - set(check))]
    found += [_("{field}.{name}: unknown field for a {kind} check").format(field=field, name=name, kind=kind)
              for name in sorted(set(check) - required - optional - {"kind"})]
    if found:
        return found
    return found + _values(kind, check, field)


def _values(kind: str, check: dict, field: str) -> list[str]:
    """The check's values: known layer types and settings, well-formed shapes."""
    def bad(name: str, problem: str) -> list[str]:
        return [f"{field}.{name}: {problem}"]

    if kind == "chain":
        types = check["types"]
        if not isinstance(types, list) or not types:
            return bad("types", _("must be a list of layer types"))
        return [p for t in types for p in _layer_type(t, f"{field}.types")]
    if kind == "layer":
        found = _layer_type(check["type"], f"{field}.type")
        params = check.get("params", {})
        if found or not isinstance(params, dict):
            return found or bad("params", _("must be an object of settings"))
        spec = layers.get(check["type"])
        names = [p.name for p in spec.params]
        return [p for key in params for p in (bad(f"params.{key}", _("{type} has no setting {name} (it has {names})")
                                                  .format(type=check["type"], name=key, names=", ".join(names)))
                                              if key not in names else [])]
    if kind in ("output", "input"):
        shape = check["shape"]
        if not isinstance(shape, list) or not shape or not all(isinstance(d, int) and d > 0 for d in shape):
            return bad("shape", _("must be a list of positive whole numbers, such as [1, 28, 28]"))
    if kind == "parameters" and (not isinstance(check["count"], int) or check["count"] < 0):
        return bad("count", _("must be a whole number"))
    if kind in ("training", "ran"):
        settings = check["settings"]
        if not isinstance(settings, dict):
            return bad("settings", _("must be an object of training settings"))
        return [p for key in settings for p in (bad(f"settings.{key}", _("not a training setting (one of {names})")
                                                    .format(names=", ".join(training.SETTINGS)))
                                                if key not in training.SETTINGS else [])]
    if kind == "fact" and check["fact"] not in FACTS:
        return bad("fact", _("must be one of {options}").format(options=", ".join(FACTS)))
    if kind == "visible" and check["dock"] not in TARGETS[1:]:
        return bad("dock", _("must be one of {options}").format(options=", ".join(TARGETS[1:])))
    if kind == "all":
        inner = check["checks"]
        if not isinstance(inner, list) or not inner:
            return bad("checks", _("must be a list of checks"))
        return [p for i, c in enumerate(inner) for p in _check(c, f"{field}.checks[{i}]")]
    if kind == "answer":
        accept = check["accept"]
        if not isinstance(accept, list) or not accept or not all(isinstance(a, (str, int, float)) for a in accept):
            return bad("accept", _("must be a list of the answers that count as right"))
        return [f"{field}.{p}" for p in _texts(check["hint"], "hint")]
    return []


def _layer_type(value: Any, field: str) -> list[str]:
    if isinstance(value, str) and layers.get(value) is not None:
        return []
    return [_("{field}: {value} is not a layer type (such as Conv2d, ReLU, Linear)").format(field=field, value=value)]
