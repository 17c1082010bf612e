"""Open a PyTorch ``.py`` as a project, and attach a ``.pt`` state_dict to it.

Importing a ``.py`` runs its code, so it happens in a child process
(``_import_child.py``) with a time limit and an output limit: a file that
crashes, hangs or prints endlessly is reported, and the app carries on. The
child builds the model, reads its layers in order (``torch.fx`` recovers the
chain from a custom ``forward``) and sends back each layer's type and
constructor arguments, read from the module's attributes. Here they are
checked against the catalog and become a v1 project; the result is then
rebuilt by the app's own compiler and must compute what the file computes.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import torch

from designer.core import codegen, layers
from designer.core import project as project_io
from designer.core.params import ParamError
from designer.ml import child, verify

CHILD = Path(__file__).with_name("_import_child.py")
TIMEOUT = 60.0
POOLS = ("MaxPool2d", "AvgPool2d")
# Run the child by path without putting designer/ml on sys.path (its inspect.py would shadow the stdlib's).
_LAUNCH = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')"
WARNING = ("Importing a .py file runs its Python code on this computer, with your permissions. "
           "Only import files you trust.")


@dataclass
class ImportResult:
    """What an import produced: a project (or an error) and a report."""

    path: str
    project: project_io.Project | None = None
    input_shape: tuple | None = None
    input_shape_assumed: bool = False
    origin: str = ""  # how the model was found: build_model(), a variable name, Net()
    error: str | None = None  # the import failed entirely
    unsupported: list[str] = field(default_factory=list)  # layers outside the catalog, by name
    problems: list[str] = field(default_factory=list)  # other warnings
    key_map: dict[str, str] = field(default_factory=dict)  # the file's module path -> project layer name
    check: verify.Check | None = None  # the rebuilt project against the file's own model

    @property
    def ok(self) -> bool:
        return self.project is not None

    def report(self) -> str:
        """A few lines for the import dialog."""
        name = Path(self.path).name
        if self.error:
            return f"{name}: {self.error}"
        layers_ = len(self.project.graph.nodes) - 1
        shape = "×".join(str(d) for d in self.input_shape)
        lines = [f"{name}: imported {layers_} layer(s) from {self.origin}; input {shape}"
                 + (" (assumed: the file has no INPUT_SHAPE)" if self.input_shape_assumed else "")]
        if self.unsupported:
            lines.append("Not in the catalog, left out: " + ", ".join(self.unsupported))
        lines += self.problems
        if self.check is not None:
            lines.append(("Rebuilt model " + self.check.message) if self.check.ok
                         else "Rebuilt model does not match the file: " + self.check.message)
        return "\n".join(lines)


def catalog_params() -> dict[str, list[str]]:
    return {spec.type: [p.name for p in spec.params] for spec in layers.SPECS if spec.type != "Input"}


def import_py(path: str | os.PathLike, input_shape=None, timeout: float = TIMEOUT) -> ImportResult:
    """Build the model in ``path`` in a child process and turn it into a project."""
    path = Path(path)
    result = ImportResult(str(path))
    if not path.is_file():
        result.error = "no such file"
        return result
    with tempfile.TemporaryDirectory(prefix="netdesigner-import-") as tmp:
        request = {"catalog": catalog_params(), "tensors": str(Path(tmp, "tensors.pt")),
                   "input_shape": list(input_shape) if input_shape else None}
        Path(tmp, "request.json").write_text(json.dumps(request), encoding="utf-8")
        answer = Path(tmp, "result.json")
        run = child.run_python(["-c", _LAUNCH, str(CHILD), str(path.resolve()), str(Path(tmp, "request.json")), str(answer)],
                               timeout, cwd=tmp)
        problem = run.problem("running the file", timeout)
        data = _read_answer(answer)
        if data is None:
            result.error = problem or "the file ended the import process before it finished"
            return result
        if not data.get("ok"):
            result.error = data.get("error") or problem or "the import failed"
            return result
        tensors = torch.load(request["tensors"], weights_only=True)
    return finish(result, data, tensors)


def finish(result: ImportResult, data: dict, tensors: dict) -> ImportResult:
    """Turn the child's answer into the project, and check it against the file's outputs."""
    _to_project(result, data, Path(result.path))
    _check(result, tensors)
    return result


def _read_answer(answer: Path) -> dict | None:
    try:
        return json.loads(answer.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _to_project(result: ImportResult, data: dict, path: Path) -> None:
    shape = [int(d) for d in data["input_shape"]]
    result.input_shape = tuple(shape)
    result.input_shape_assumed = bool(data.get("assumed"))
    result.origin = data.get("origin", "")
    nodes = [{"id": "input", "type": "Input", "params": {"shape": shape}, "pos": [0, 0]}]
    paths: dict[str, str] = {}  # node id -> module path in the file
    seen_paths: set[str] = set()
    for entry in data["chain"]:
        label = entry.get("path") or entry.get("call") or "?"
        if entry.get("type") is None:
            result.unsupported.append(f"{label} ({entry.get('class', 'unknown')})")
            continue
        spec = layers.get(entry["type"])
        try:
            params = _params(spec, entry.get("params", {}))
        except ParamError as exc:
            result.unsupported.append(f"{label} ({entry['type']}: {exc})")
            continue
        node_id = f"n{len(nodes)}"
        node = {"id": node_id, "type": spec.type, "params": params, "pos": [200 * len(nodes), 0]}
        module_path = entry.get("path")
        if module_path:
            if module_path in seen_paths:
                result.problems.append(f"{module_path} is used more than once in forward; the project gets "
                                       "a separate layer for each use")
            else:
                seen_paths.add(module_path)
                paths[node_id] = module_path
            if not module_path.isdigit():
                node["name"] = module_path.replace(".", "_")
        nodes.append(node)
    edges = [{"from": a["id"], "to": b["id"]} for a, b in zip(nodes, nodes[1:])]
    data_ = {"format": project_io.FORMAT, "version": project_io.VERSION, "name": _project_name(path),
             "nodes": nodes, "edges": edges}
    result.project = project_io.from_dict(data_, str(path))
    idents = codegen.identifiers(result.project.graph)
    result.key_map = {module_path: idents[node_id] for node_id, module_path in paths.items() if node_id in idents}


def _project_name(path: Path) -> str:
    return re.sub(r"[_-]+", " ", path.stem).strip() or "Imported"


def _params(spec: layers.LayerSpec, raw: dict) -> dict:
    """Catalog parameters from the read-back attributes, torch's defaults left out."""
    out = {}
    for param in spec.params:
        if param.name not in raw:
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
    return out


def _json(value):
    if isinstance(value, tuple):
        return value[0] if len(value) == 2 and value[0] == value[1] else list(value)
    return value


def remap(state: dict, key_map: dict[str, str]) -> dict:
    """The file's state_dict keys renamed to the project's layer names (unknown keys kept)."""
    out = {}
    prefixes = sorted(key_map, key=len, reverse=True)
    for key, value in state.items():
        prefix = next((p for p in prefixes if key.startswith(p + ".")), None)
        out[key_map[prefix] + key[len(prefix):] if prefix else key] = value
    return out


def _check(result: ImportResult, tensors: dict) -> None:
    """Rebuild the project with the app's compiler and the file's weights; compare outputs."""
    from designer.ml import build, weights

    try:
        model = build.build_model(result.project.graph)
    except build.BuildError as exc:
        result.problems.append(f"The imported project is not valid yet: {str(exc).splitlines()[-1].strip()}")
        return
    state = remap(tensors["state"], result.key_map)
    fit = weights.compare(model.state_dict(), state)
    if not fit.ok:
        result.check = verify.Check(False, fit.summary())
        return
    model.load_state_dict(state, strict=True)
    result.check = verify.compare(tensors["output"], verify.reference_output(model, tensors["probe"]))


def attach_weights(project: project_io.Project, path: str | os.PathLike, key_map: dict[str, str] | None = None):
    """Read a state_dict file for ``project``; returns (state, CompatReport).

    ``key_map`` (from an import) renames the file's keys to the project's
    layer names first. Load the state only when ``report.ok`` (or when the
    user chooses a partial load).

    Raises:
        designer.ml.weights.WeightsError: the file cannot be read.
    """
    from designer.ml import build, weights

    state = remap(weights.load_state_dict(path), key_map or {})
    expected = build.build_model(project.graph).state_dict()
    return state, weights.compare(expected, state)
