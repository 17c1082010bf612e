"""Open a PyTorch ``.py`` as a project, and attach a ``.pt`` state_dict to it.

Importing a ``.py`` runs its code, so it happens in a child process
(``designer.ml.importing.child``) inside the sandbox (``designer.ml.importing.sandbox``): no network,
writes only in a temporary folder, memory, CPU and time limits, and no process
left behind. The child runs the script, records what the model's forward does
on a real tensor and answers with plain JSON; here every value is checked
against the catalog as the file loader checks a project, the layers become a
project, and the project is rebuilt by the app's own compiler and must
compute what the file's model computes.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from designer.core import codegen, i18n, layers, layout
from designer.core import project as project_io
from designer.core.i18n import N_, _, ngettext
from designer.core.codegen_blocks import layer_paths
from designer.core.params import ParamError
from designer.ml.importing import sandbox, structure

# torch is imported only once the child has answered, so a caller can start it while the child runs.

CHILD = "designer.ml.importing.child"
TIMEOUT = 60.0
POOLS = ("MaxPool2d", "AvgPool2d")
MERGES = ("Add", "Concat", "Mul")
KINDS = {"class": N_("class"), "instance": N_("instance"), "function": N_("function")}  # found["kind"] in words
FAILED_MODEL, FAILED_FILE = "model", "file"  # exit 1: no model it can represent; exit 2: cannot read or run


@dataclass
class ImportResult:
    """What an import produced: a project (or an error) and what it found on the way."""

    path: str
    project: project_io.Project | None = None
    input_shape: tuple | None = None
    shape_source: str = ""  # "given", "from the file's INPUT_SHAPE", "inferred from Linear(400 → 120)", ...
    found: list[dict] = field(default_factory=list)  # models in the file: name, kind, line, inside, note, chosen
    chosen: str = ""
    error: str | None = None  # the import failed entirely
    failure: str | None = None  # FAILED_MODEL or FAILED_FILE when it did
    skipped: list[dict] = field(default_factory=list)  # top-level statements that failed: line, source, error
    main_line: int | None = None  # the if __name__ == "__main__": block, never run
    unsupported: list[str] = field(default_factory=list)  # "line N `source`: what": why the import was refused
    problems: list[str] = field(default_factory=list)  # other notes, with their lines
    key_map: dict[str, str | None] = field(default_factory=dict)  # file's key prefix -> layer name (None: dropped)
    check: object | None = None  # a designer.ml.export.verify.Check: the rebuilt project against the file's model
    layer_index: dict = field(default_factory=dict)  # node id -> (the child's record index, where in the file)
    state: dict | None = None  # an ONNX file's weights, with the project's names
    onnx_check: object | None = None  # an ONNX file: the project with its weights against onnxruntime
    protections: dict = field(default_factory=dict)  # what the sandbox applied: name -> bool

    @property
    def ok(self) -> bool:
        return self.project is not None

    def report(self) -> str:
        """What was found, in a few lines for the import dialog and the command line."""
        name = Path(self.path).name
        lines = []
        if self.found:
            lines.append(_("{file}: found {models}").format(file=name, models="; ".join(
                _found_text(f) for f in self.found)))
        lines += [_("skipped line {line} `{source}`: {error}").format(line=s.get("line"), source=s.get("source"),
                                                                      error=s.get("error")) for s in self.skipped]
        if self.main_line:
            lines.append(_('not run: the if __name__ == "__main__": block (line {line})').format(line=self.main_line))
        if self.error:
            lines.append(_("{where}: {what}").format(where=name, what=self.error))
            return "\n".join(lines)
        shape = "×".join(str(d) for d in self.input_shape)
        count = len(self.project.graph.nodes) - 1
        lines.append(ngettext("imported {count} layer from {model}; input {shape} {source}",
                              "imported {count} layers from {model}; input {shape} {source}", count).format(
            count=count, model=self.chosen, shape=shape, source=self.shape_source))
        lines += self.problems
        if self.check is None:
            pass
        elif self.check.ok:
            lines.append(_("rebuilt model {verdict}").format(verdict=self.check.message))
        else:
            lines.append(_("the rebuilt model does not match the file: {verdict}").format(verdict=self.check.message))
        if self.onnx_check is not None:
            lines.append(_("with the file's weights, against onnxruntime: {verdict}").format(
                verdict=self.onnx_check.message))
        return "\n".join(lines)


def _found_text(found: dict) -> str:
    kind = found.get("kind")
    details = _(KINDS[kind]) if kind in KINDS else str(kind)
    if kind != "class" and found.get("class"):
        details = _("{kind}, a {cls}").format(kind=details, cls=found["class"])
    if found.get("line"):
        details = _("{kind}, line {line}").format(kind=details, line=found["line"])
    text = _("{name} ({details})").format(name=found.get("name"), details=details)
    if found.get("chosen"):
        text = _("{model} chosen").format(model=text)
    elif found.get("inside"):
        text = _("{model} used inside {outer}").format(model=text, outer=found["inside"])
    if found.get("note"):
        text = _("{where}: {what}").format(where=text, what=found["note"])
    return text


def catalog_params() -> dict[str, list[str]]:
    return {spec.type: [p.name for p in spec.params] for spec in layers.SPECS if spec.type != "Input"}


def import_py(path: str | os.PathLike, input_shape=None, class_name: str | None = None,
              timeout: float = TIMEOUT, namespaces: bool = True) -> ImportResult:
    """Run the file in the sandbox, record its model and turn it into a project."""
    path = Path(path)
    result = ImportResult(str(path))
    if not path.is_file():
        result.error, result.failure = _("no such file"), FAILED_FILE
        return result
    with tempfile.TemporaryDirectory(prefix="netdesigner-import-") as tmp:
        request = {"catalog": catalog_params(), "tensors": str(Path(tmp, "tensors.pt")), "class": class_name,
                   "input_shape": list(input_shape) if input_shape else None, "language": i18n.language()}
        Path(tmp, "request.json").write_text(json.dumps(request), encoding="utf-8")
        answer = Path(tmp, "result.json")
        run = sandbox.run(CHILD, [str(path.resolve()), str(Path(tmp, "request.json")), str(answer)], tmp, timeout,
                          namespaces=namespaces)
        result.protections = run.protections
        problem = run.problem(_("running the file"), timeout)
        data = _read_answer(answer)
        if data is None:
            result.error = problem or _("the file ended the import process before it finished")
            result.failure = FAILED_FILE
            return result
        if not data.get("ok"):
            _found(result, data)
            result.error = data.get("error") or problem or _("the import failed")
            result.failure = data.get("failure", FAILED_MODEL)
            return result
        import torch

        tensors = torch.load(request["tensors"], weights_only=True)
    return finish(result, data, tensors)


def finish(result: ImportResult, data: dict, tensors: dict) -> ImportResult:
    """Turn the child's answer into the project, and check it against the file's outputs."""
    _found(result, data)
    try:
        _to_project(result, data, Path(result.path))
    except _Unrepresentable as exc:
        result.error, result.failure, result.project = str(exc), FAILED_MODEL, None
        return result
    except (ParamError, project_io.ProjectError, KeyError, TypeError, ValueError) as exc:
        result.error, result.failure, result.project = _("the import child's answer is not valid: {error}").format(
            error=exc), FAILED_MODEL, None
        return result
    _check(result, tensors)
    return result


class _Unrepresentable(Exception):
    """The recorded forward cannot be drawn as a project (the message names the line)."""


def _found(result: ImportResult, data: dict) -> None:
    result.found = [dict(f) for f in data.get("found", []) if isinstance(f, dict)]
    result.chosen = str(data.get("chosen", ""))
    result.skipped = [s for s in data.get("skipped", []) if isinstance(s, dict)]
    result.main_line = data.get("main_line") if isinstance(data.get("main_line"), int) else None


def _read_answer(answer: Path) -> dict | None:
    try:
        data = json.loads(answer.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _at(entry: dict) -> str:
    if isinstance(entry.get("file"), str) and isinstance(entry.get("line"), int):  # in a library (torchvision)
        return _("{file} line {line} `{source}`").format(file=entry["file"], line=entry["line"],
                                                         source=entry.get("source", ""))
    if not isinstance(entry.get("line"), int):
        return _("forward `{source}`").format(source=entry["source"]) if entry.get("source") else "forward"
    if entry.get("source"):
        return _("line {line} `{source}`").format(line=entry["line"], source=entry["source"])
    return _("line {line}").format(line=entry["line"])


def _to_project(result: ImportResult, data: dict, path: Path) -> None:
    shape = [int(d) for d in data["input_shape"]]
    result.input_shape = tuple(shape)
    result.shape_source = str(data.get("shape_source", ""))
    nodes = [{"id": "input", "type": "Input", "params": {"shape": shape}, "pos": [0, 0]}]
    edges: list[dict] = []
    value = {-1: "input"}  # the child's record index -> the node that holds its value
    paths: dict[str, str] = {}  # node id -> module path in the file (first use only)
    uses: dict[str, int] = {}
    refused: list[tuple[dict, str]] = []
    notes: list[tuple[dict, str]] = []
    scoped: dict[str, tuple[str | None, list]] = {}  # node id -> (module path, the modules it ran inside)
    for entry in data["layers"]:
        inputs = [value[int(i)] for i in entry["inputs"]]
        index = int(entry["index"])
        kind = entry.get("type")
        if kind == "pass":
            value[index] = inputs[0]
            continue
        spec = layers.get(kind) if isinstance(kind, str) else None
        what = entry.get("what") or _("{layer} has no block in NetDesigner").format(layer=kind)
        params = None
        if spec is not None:
            try:
                params = _params(spec, entry.get("params", {}))
            except ParamError as exc:
                what = f"{kind}: {exc}"
        if kind in MERGES and spec is not None and len(set(inputs)) != len(inputs):
            params, what = None, _("joins a tensor with itself (a layer between them has no block)")
        if params is None:
            # Never left out, which would make the project compute something else than the file: every
            # operation it cannot draw is listed, and the import refused.
            refused.append((entry, what))
            value[index] = inputs[0]
            continue
        node_id = f"n{len(nodes)}"
        node = {"id": node_id, "type": spec.type, "params": params, "pos": [200 * len(nodes), 0]}
        module_path = entry.get("path")
        scoped[node_id] = (None, structure.checked_scope(entry.get("scope", [])))
        if module_path:
            uses[module_path] = uses.get(module_path, 0) + 1
            if uses[module_path] == 1:
                paths[node_id] = module_path
            scoped[node_id] = (module_path if uses[module_path] == 1 else f"{module_path}_{uses[module_path]}",
                               scoped[node_id][1])
            base = entry.get("name")
            if isinstance(base, str) and base:
                node["name"] = base if uses[module_path] == 1 else f"{base}_{uses[module_path]}"
        if entry.get("note"):
            notes.append((entry, entry["note"]))
        result.layer_index[node_id] = (index, _at(entry))
        nodes.append(node)
        edges += [{"from": src, "to": node_id, **({"port": port} if kind in MERGES else {})}
                  for port, src in enumerate(inputs)]
        value[index] = node_id
        if entry.get("then") == "Flatten":  # one call, two layers: x.mean((2, 3)) is a global pool and a Flatten
            del result.layer_index[node_id]  # the pool's output is not the call's
            flat = f"n{len(nodes)}"
            nodes.append({"id": flat, "type": "Flatten", "params": {}, "pos": [200 * len(nodes), 0]})
            scoped[flat] = (None, scoped[node_id][1])
            edges.append({"from": node_id, "to": flat})
            result.layer_index[flat] = (index, _at(entry))
            value[index] = flat
    result.problems += _collapsed(notes)
    for module_path, lines in (data.get("shared") or {}).items():
        result.problems.append(_("{module} is used {count} times in forward (lines {lines}): the uses share one "
                                 "set of weights, which a project cannot draw; each use gets its own layer").format(
            module=module_path, count=len(lines), lines=", ".join(str(n) for n in lines)))
    if refused:
        result.unsupported = _collapsed(refused)
        raise _Unrepresentable(ngettext("forward does an operation that NetDesigner cannot draw: {operations}",
                                        "forward does operations that NetDesigner cannot draw: {operations}",
                                        len(refused)).format(operations="; ".join(result.unsupported)))
    if len(nodes) == 1:
        raise _Unrepresentable(_("forward has no layer that NetDesigner can draw"))
    end = value[int(data["output"])]
    fans_out = any(sum(e["from"] == n["id"] for e in edges) > 1 for n in nodes)
    graphs = 2 in getattr(project_io, "VERSIONS", (1,))  # this NetDesigner reads version 2 (branches)
    if end != nodes[-1]["id"] or (fans_out and not graphs):
        raise _Unrepresentable(_("forward is not a single chain: a tensor is used twice (a branch or a skip "
                                 "connection); this NetDesigner draws chains only"))
    branches = fans_out or any(n["type"] in layers.IN_FORWARD for n in nodes)  # version 2: merges, Slice
    data_ = {"format": project_io.FORMAT, "version": 2 if branches else 1, "name": project_name(path),
             "nodes": nodes, "edges": edges}
    result.project = project_io.from_dict(data_, str(path))
    if any(scope for _path, scope in scoped.values()):
        _structure(result, scoped, paths)
    else:
        idents = codegen.identifiers(result.project.graph)
        result.key_map = {module_path: idents[node_id] for node_id, module_path in paths.items()
                          if node_id in idents}
    homeless = [k for k in data.get("state_keys", []) if _prefix(k, result.key_map) is None]
    for key in homeless:
        result.key_map[key] = None
    if homeless:
        result.problems.append(_("not used by forward, so not in the project: {keys}").format(
            keys=", ".join(homeless[:8]) + (" ..." if len(homeless) > 8 else "")))
    layout.lay_out_unplaced(result.project, every=True)  # layered, wrapped to a laptop's canvas, blocks too
    result.project.extra["imported"] = {"file": path.name, "model": result.chosen, "key_map": result.key_map}


def _structure(result: ImportResult, scoped: dict, paths: dict[str, str]) -> None:
    """The file's modules become blocks; the key map and the layer-by-layer check follow them inside."""
    graph = result.project.graph
    result.problems += structure.apply(graph, scoped)
    by_path = {path: node_id for node_id, (path, _scope) in scoped.items() if path}
    found = structure.key_paths(graph)
    wanted = set(paths.values())
    result.key_map = {path: ident for path, ident in found.items() if path in wanted}
    chains = {ident: ids for ident, ids in layer_paths(graph).items()}
    index = {}
    for path, ident in found.items():
        ids = chains[ident]
        original = by_path.get(path)
        if original in result.layer_index:
            index[ids[0] if len(ids) == 1 else ids] = result.layer_index[original]
    result.layer_index = index
    if len(graph.blocks):
        result.problems.append(_("blocks from the file's modules: {names}").format(
            names=", ".join(f"{name} ×{graph.blocks.count(name)}" for name in graph.blocks)))


def _collapsed(refused: list[tuple[dict, str]]) -> list[str]:
    """One line per kind of refusal: the first place it happens, and how many more there are."""
    kinds: dict[str, list[dict]] = {}
    for entry, what in refused:
        kinds.setdefault(what, []).append(entry)
    lines = []
    for what, entries in kinds.items():
        line = _("{where}: {what}").format(where=_at(entries[0]), what=what)
        if len(entries) > 1:
            line += " " + ngettext("(and {count} more time)", "(and {count} more times)", len(entries) - 1).format(
                count=len(entries) - 1)
        lines.append(line)
    return lines


def project_name(path: Path) -> str:
    return re.sub(r"[_-]+", " ", path.stem).strip() or "Imported"


def _params(spec: layers.LayerSpec, raw: dict) -> dict:
    """Catalog parameters from the read-back values, torch's defaults left out; raises ParamError."""
    if not isinstance(raw, dict):
        raise ParamError("params", _("must be a mapping"))
    out = {}
    for param in spec.params:
        if param.name not in raw:
            if param.required:
                raise ParamError(param.name, _("is required for {layer}").format(layer=spec.type))
            continue
        value = param.check(raw[param.name])
        if not param.required:
            default = param.check(param.default) if param.default is not None else None
            if value == default:
                continue
            if spec.type in POOLS and param.name == "stride" and value == spec.param("kernel_size").check(
                    raw.get("kernel_size")):
                continue  # torch stores the default stride as kernel_size
        out[param.name] = _json(value)
    spec.resolve(out)
    return out


def _json(value):
    if isinstance(value, tuple):
        return value[0] if len(value) == 2 and value[0] == value[1] else list(value)
    return value


def _prefix(key: str, key_map: dict) -> str | None:
    if key in key_map:
        return key
    return next((p for p in sorted(key_map, key=len, reverse=True) if key.startswith(p + ".")), None)


def key_map_of(project: project_io.Project) -> dict[str, str | None]:
    """The key map an import stored in the project (``imported.key_map``), checked; {} if none."""
    imported = project.extra.get("imported")
    key_map = imported.get("key_map") if isinstance(imported, dict) else None
    if not isinstance(key_map, dict):
        return {}
    return {k: v for k, v in key_map.items() if isinstance(k, str) and (v is None or isinstance(v, str))}


def remap(state: dict, key_map: dict[str, str | None]) -> dict:
    """The file's state_dict keys renamed to the project's layer names; keys mapped to None are dropped."""
    out = {}
    for key, value in state.items():
        prefix = _prefix(key, key_map)
        if prefix is None:
            out[key] = value
        elif key_map[prefix] is not None:
            out[key_map[prefix] + key[len(prefix):]] = value
    return out


def _check(result: ImportResult, tensors: dict) -> None:
    """Rebuild the project with the app's compiler and the file's weights; compare outputs."""
    from designer.ml import models
    from designer.ml.export import verify

    try:
        model = models.build(result.project)
    except models.ModelError as exc:
        result.problems.append(_("the imported project is not valid yet: {error}").format(
            error=str(exc).splitlines()[-1].strip()))
        return
    try:
        models.attach(model, remap(tensors["state"], result.key_map))
    except models.WeightsMismatch as exc:
        result.check = verify.Check(False, exc.report.summary())
        return
    final = verify.compare(tensors["output"], verify.reference_output(model, tensors["probe"].clone()))
    result.check = _first_difference(result, model, tensors) or final


def _first_difference(result: ImportResult, model, tensors: dict):
    """The first layer, in forward order, whose output differs from the file's (a Check), or None.

    Each layer is compared against its own scale, so that a layer computed
    differently cannot hide behind a final output that happens to agree.
    """
    from designer.ml.explain import inside
    from designer.ml.export import verify

    expected = tensors.get("layers") or {}
    if not expected:
        return None
    _out, records = inside.capture(model, tensors["probe"].clone(), graph=result.project.graph)
    for record in records:
        key = (record.node_id, *record.inner) if record.inner else record.node_id
        index, where = result.layer_index.get(key, (None, ""))
        want = expected.get(str(index))
        if want is None:
            continue
        check = verify.compare(want, record.output)
        if not check.ok:
            return verify.Check(False, _("{where} ({layer}): {verdict}").format(
                where=where, layer=record.type, verdict=check.message), check.max_abs_diff)
    return None


def attach_weights(project: project_io.Project, path: str | os.PathLike, key_map: dict | None = None):
    """Read a state_dict file for ``project``; returns (state, CompatReport).

    ``key_map`` (from an import) renames the file's keys to the project's
    layer names first. Load the state only when ``report.ok`` (or when the
    user chooses a partial load).

    Raises:
        designer.ml.weights.WeightsError: the file cannot be read.
    """
    from designer.ml import models, weights

    state = remap(weights.load_state_dict(path), key_map or {})
    return state, models.fit(models.build(project), state)
