"""Writing a project: plain JSON data in a fixed key order, then an atomic save.

A project that uses no block is written as version 1 when its model is a
chain without merges, else as version 2; one that defines blocks as
version 3, so that older versions still open what they can.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from designer.core.topology import PORTS
from designer.core import topology
from designer.core.graph import Graph
from designer.core.i18n import _
from designer.core.project_base import FORMAT, _TOP_KEYS, Project, ProjectError
from designer.core.project_files import write_atomic


def to_dict(project: Project) -> dict:
    """The project as plain JSON data, keys in a fixed order (unknown keys last, as read)."""
    graph = project.graph
    nodes, edges = _graph_data(graph)
    library = graph.blocks
    if library:
        version = 3
    else:
        version = 2 if not graph.chain_only and topology.branches(graph) else 1
    data = {"format": FORMAT, "version": version, "name": project.name}
    if library:
        data["blocks"] = {name: _block_data(block) for name, block in library.items()}
    data.update(nodes=nodes, edges=edges)
    if project.training:
        data["training"] = project.training
    if project.weights:
        data["weights"] = project.weights
        if project.weights_signature:
            data["weights_signature"] = project.weights_signature
    data.update((k, v) for k, v in project.extra.items()
                if k not in data and (k not in _TOP_KEYS or k == "blocks"))
    return data


def _graph_data(graph: Graph) -> tuple[list, list]:
    nodes = []
    for node in graph.nodes.values():
        item = {"id": node.id, "type": node.type, "params": node.params, "pos": [_num(node.pos[0]), _num(node.pos[1])]}
        if node.name is not None:
            item["name"] = node.name
        item.update((k, v) for k, v in node.extra.items() if k not in item)
        nodes.append(item)
    edges, fed = [], {}
    for s, d in graph.edges:
        edge = {"from": s, "to": d}
        extra = graph.edge_extra.get((s, d), {})
        k = fed[s, d] = fed.get((s, d), -1) + 1
        if PORTS in extra:  # one output fed into a merge more than once: each feed has its own port
            port = extra[PORTS][k] if k < len(extra[PORTS]) else None
            extra = {key: v for key, v in extra.items() if key not in (PORTS, "port")}
            if port is not None:
                edge["port"] = port
        edge.update((key, v) for key, v in extra.items() if key not in edge)
        edges.append(edge)
    return nodes, edges


def _block_data(block) -> dict:
    nodes, edges = _graph_data(block.graph)
    data = {"args": dict(block.args), "nodes": nodes, "edges": edges}
    data.update((k, v) for k, v in block.extra.items() if k not in data)
    return data


def dumps(project: Project) -> str:
    """The file text: deterministic (same project, same text), UTF-8-ready, ending in a newline."""
    return json.dumps(to_dict(project), indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def save(project: Project, path: str | os.PathLike) -> None:
    """Write atomically: a temp file in the same folder, then rename over the target.

    Raises ProjectError when it cannot write; the old file is then left as it was.
    """
    try:
        payload = dumps(project).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:  # NaN, surrogates, a non-JSON value
        raise ProjectError(str(path), "", _("cannot be saved: the project holds a value JSON cannot store "
                                            "({reason})").format(
                               reason=exc)) \
            from None
    try:
        write_atomic(Path(path), payload)
    except OSError as exc:
        raise ProjectError(str(path), "", _("cannot be saved ({reason}); the old file is unchanged").format(
                               reason=exc.strerror or exc)) \
            from None



def _num(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v

