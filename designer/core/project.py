"""Project files (format v1): load, validate, save atomically.

Every error names the file and the field (``nodes[3].params.kernel_size``);
keys this version does not know are kept and written back unchanged.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from designer.core.graph import Graph, GraphError

FORMAT = "netdesigner.project"
VERSION = 1


class ProjectError(ValueError):
    """A project file that cannot be read; ``str()`` names the file and the field."""

    def __init__(self, source: str, field_path: str, message: str):
        where = f"{source}: {field_path}: " if field_path else f"{source}: "
        super().__init__(where + message)
        self.source = source
        self.field = field_path
        self.message = message


@dataclass
class Project:
    """A graph plus everything else the file holds."""

    graph: Graph = field(default_factory=Graph)
    name: str = "Untitled"
    training: dict = field(default_factory=dict)
    weights: str | None = None  # state_dict file, relative to the project file
    extra: dict = field(default_factory=dict)  # unknown top-level keys


def loads(text: str, source: str = "<project>") -> Project:
    """Parse and validate project JSON text."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ProjectError(source, "", f"not valid JSON ({exc})") from None
    return from_dict(data, source)


def load(path: str | os.PathLike) -> Project:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(str(path), "", f"cannot be read ({exc})") from None
    return loads(text, str(path))


def from_dict(data: object, source: str = "<project>") -> Project:
    if not isinstance(data, dict):
        raise ProjectError(source, "", "a project file must be a JSON object")
    if data.get("format") != FORMAT:
        raise ProjectError(source, "format", f'must be "{FORMAT}"')
    if data.get("version") != VERSION:
        raise ProjectError(source, "version", f"must be {VERSION}")
    project = Project(name=str(data.get("name", "Untitled")))
    project.training = dict(data.get("training") or {})
    project.weights = data.get("weights")
    graph = project.graph
    for i, raw in enumerate(data.get("nodes", [])):
        known = {"id", "type", "params", "name", "pos"}
        try:
            graph.add_node(raw["type"], raw.get("params") or {}, raw.get("name"), tuple(raw.get("pos", (0, 0))),
                           raw["id"], {k: v for k, v in raw.items() if k not in known})
        except (GraphError, KeyError, TypeError) as exc:
            raise ProjectError(source, f"nodes[{i}]", str(exc)) from None
    for i, raw in enumerate(data.get("edges", [])):
        try:
            graph.connect(raw["from"], raw["to"], {k: v for k, v in raw.items() if k not in ("from", "to")})
        except (GraphError, KeyError, TypeError) as exc:
            raise ProjectError(source, f"edges[{i}]", str(exc)) from None
    project.extra = {k: v for k, v in data.items()
                     if k not in {"format", "version", "name", "nodes", "edges", "training", "weights"}}
    return project


def to_dict(project: Project) -> dict:
    graph = project.graph
    nodes = []
    for node in graph.nodes.values():
        item = {"id": node.id, "type": node.type, "params": node.params}
        if node.name:
            item["name"] = node.name
        item["pos"] = [_num(node.pos[0]), _num(node.pos[1])]
        item.update(node.extra)
        nodes.append(item)
    edges = [{"from": s, "to": d, **graph.edge_extra.get((s, d), {})} for s, d in graph.edges]
    data = {"format": FORMAT, "version": VERSION, "name": project.name, "nodes": nodes, "edges": edges}
    if project.training:
        data["training"] = project.training
    if project.weights:
        data["weights"] = project.weights
    data.update(project.extra)
    return data


def dumps(project: Project) -> str:
    return json.dumps(to_dict(project), indent=1, ensure_ascii=False) + "\n"


def save(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temp file in the same folder, then rename over the target."""
    write_atomic(Path(path), dumps(project).encode("utf-8"))


def write_atomic(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v
