"""Shape inference inside blocks: an instance's result from its definition, and what the inferences of one
definition share.

``instance_result`` infers an instance's definition with its arguments and input shape (through
``instance_shapes``, cached per definition, argument values and input shape) and reports an inner error on
the instance, ``layer2_0 › conv1: ...``, with the fix lifted to the instance's argument where the inner value
is ``"$name"``. A definition's model path, generated names and per-node results are shared by all its
inferences until the graph changes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable

from designer.core import blocks
from designer.core.graph import Graph
from designer.core.i18n import _
from designer.core.rules import Fix


def instance_result(graph: Graph, node_id: str, result, names: dict[str, str] | None,
                    infer_instance: Callable) -> object:
    """A block instance's ``NodeResult``: its definition inferred for its arguments and input shape.

    ``infer_instance(library, name, args, in_shape)`` is ``shapes.instance_shapes`` (passed in: ``shapes``
    imports this module).
    """
    library = graph.blocks
    node = graph.nodes[node_id]
    label = (names or {}).get(node_id) or node.name or node_id
    loop = library.loop(node.type)
    if loop:
        result.error = _("{block} contains itself ({loop}); a block cannot contain itself: "
                         "remove the inner block").format(block=node.type, loop=" › ".join(loop + [loop[0]]))
        return result
    inner = infer_instance(library, node.type, result.resolved, result.in_shape)
    result.inner = inner
    if not inner.problems:  # the common case, said without looking further
        result.out_shape = inner.output_shape
        return result
    definition = library[node.type].graph
    on_path = set(inner.path)
    if inner.valid:
        result.out_shape = inner.output_shape
        # A risky setting inside (Softmax without dim) is said on the instance too, as a warning.
        problem = next((p for p in inner.problems if p.severity == "warning" and p.node_id in on_path), None)
        if problem is not None:
            result.warning = f"{label} › {_inner_message(definition, problem)}"
            result.fix = lift_fix(problem.fix, definition, problem.node_id, node_id)
        return result
    problem = next((p for p in inner.problems if p.severity == "error"
                    and (p.node_id is None or p.node_id in on_path)), None)
    if problem is None or problem.node_id is None:
        message = problem.message if problem is not None else _("the block has no layers")
        result.error = f"{label} › {message}"
        return result
    result.error = f"{label} › {_inner_message(definition, problem)}"
    result.fix = lift_fix(problem.fix, definition, problem.node_id, node_id)
    return result


def _inner_message(definition: Graph, problem) -> str:
    """``conv1: <message>``; an inner block's message already starts with its name (``down › conv1: ...``)."""
    if definition.nodes[problem.node_id].type in definition.blocks:
        return problem.message
    names = definition.generated_names()
    return f"{names.get(problem.node_id, problem.node_id)}: {problem.message}"


def lift_fix(fix: Fix | None, definition: Graph, inner_id: str, instance_id: str) -> Fix | None:
    """An inner fix as seen from the instance: set the instance's argument when the inner value is
    ``"$name"``, else change the definition (``Fix.block``)."""
    if fix is None:
        return None
    if fix.block is not None:
        return fix  # already points into a deeper definition
    target = fix.node_id or inner_id
    if fix.action == "set_param":
        raw = definition.nodes[target].params.get(fix.param) if target in definition.nodes else None
        if blocks.is_ref(raw):
            return replace(fix, param=raw[1:], node_id=instance_id)
    return replace(fix, node_id=target, block=definition.block.name if definition.block else None)


def model_path(graph: Graph):
    """``graph.model_path()``, shared by the inferences of one definition until the graph changes."""
    if graph.block is None:
        return graph.model_path()
    memo = graph.__dict__.get("_shapes_path")
    if memo is None or memo[0] != graph.version:
        memo = graph.__dict__["_shapes_path"] = (graph.version, graph.model_path())
    return memo[1]


def refs(graph: Graph) -> dict[str, tuple[str, ...] | None]:
    """Each node of a definition -> the names of the arguments its parameters read (``"$name"``; None for the
    Input, which reads the input shape), until the graph changes."""
    memo = graph.__dict__.get("_shapes_refs")
    if memo is None or memo[0] != graph.version:
        table = {node_id: None if node.type == "Input" else
                 tuple(v[1:] for v in node.params.values() if type(v) is str and v[:1] == "$")
                 for node_id, node in graph.nodes.items()}
        memo = graph.__dict__["_shapes_refs"] = (graph.version, table)
    return memo[1]


def shared(graph: Graph) -> dict:
    """Results shared by the inferences of one definition, until the graph changes."""
    memo = graph.__dict__.get("_shapes_shared")
    if memo is None or memo[0] != graph.version or len(memo[1]) > 20_000:
        memo = graph.__dict__["_shapes_shared"] = (graph.version, {})
    return memo[1]


def names(graph: Graph) -> dict[str, str]:
    if graph.block is None:
        return graph.generated_names()
    memo = graph.__dict__.get("_shapes_names")
    if memo is None or memo[0] != graph.version:
        memo = graph.__dict__["_shapes_names"] = (graph.version, graph.generated_names())
    return memo[1]
