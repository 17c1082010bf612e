"""What trained weights belong to: the model's layers, their settings and names, its wiring and its blocks.

``model_key`` is compared as the model is edited (the document, Try it, the
Runs tab); ``designer.ml.models.signature`` hashes the same description with
the tensors' keys and shapes into the signature a project file records.
Moving blocks or renaming the project changes neither.
"""

from __future__ import annotations

import hashlib
import json
from typing import Sequence

from designer.core.graph import Graph


def describe(graph: Graph, path: Sequence[str]) -> dict:
    """The model along ``path`` (the shape inference's model path) as JSON-ready data."""
    names = graph.generated_names()
    model_nodes = set(path)
    description = {
        "layers": [[names.get(n, n), graph.nodes[n].type, graph.nodes[n].params] for n in path],
        "wires": [[names.get(s, s), names.get(d, d)] for s, d in graph.edges if s in model_nodes and d in model_nodes],
    }
    used = sorted({graph.nodes[n].type for n in path} & set(graph.blocks))
    if used:  # what a block computes is in its definition (and the blocks it uses)
        used = sorted(set(used).union(*(graph.blocks.uses(name) for name in used)))
        description["blocks"] = {name: _definition(graph.blocks[name]) for name in used}
    return description


def model_key(graph: Graph, path: Sequence[str]) -> str:
    """``describe`` as one string: equal before and after an edit that leaves the model as it was."""
    return json.dumps(describe(graph, path), sort_keys=True, default=str)


def digest(graph: Graph, path: Sequence[str]) -> str:
    """``model_key`` hashed: a short name for the model, kept with a figure measured on it (a template's accuracy)."""
    return "sha256:" + hashlib.sha256(model_key(graph, path).encode("utf-8")).hexdigest()


def _definition(block) -> list:
    inner = block.graph
    names = inner.generated_names()
    return [block.args, [[names[n], node.type, node.params] for n, node in inner.nodes.items()],
            [[names[s], names[d]] for s, d in inner.edges]]
