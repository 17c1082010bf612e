"""Make Block and Unpack: turning a selection into a block instance, and an instance back into layers.

``make_block(graph, node_ids, name)`` moves the selected nodes into a new
definition and puts one instance in their place; ``unpack(graph, node_id)``
puts an instance's layers back, its arguments written in. Both work through
the graph's own edits (so every change is an event), and refuse with a
``BlockError`` whose message says why: a block has one input (boundary wires
are grouped by the outer node they come from, so a residual block's identity
path is one input) and one output, and a selection that a path leaves and
re-enters would make a cycle.
"""

from __future__ import annotations

from designer.core import blocks
from designer.core.blocks import Block, BlockError
from designer.core.graph import Graph
from designer.core.i18n import _


def make_block(graph: Graph, node_ids, name: str, args: dict | None = None) -> tuple[Block, str]:
    """Replace ``node_ids`` by one instance of a new block ``name``; returns the block and the instance's id."""
    selected = list(dict.fromkeys(node_ids))
    chosen = set(selected)
    if not selected:
        raise BlockError(_("select the layers that make the block"))
    for node_id in selected:
        if graph.node(node_id).type == "Input":
            raise BlockError(_("the Input cannot go into a block"))
    incoming = [(s, d) for s, d in graph.edges if d in chosen and s not in chosen]
    outgoing = [(s, d) for s, d in graph.edges if s in chosen and d not in chosen]
    if _leaves_and_returns(graph, chosen, [d for _, d in outgoing]):
        raise BlockError(_("a path leaves the selection and comes back into it; select the layers on it too"))
    sources = list(dict.fromkeys(s for s, _ in incoming))
    if len(sources) != 1:
        raise BlockError(_("a block takes one input, but {count} wires from different blocks come into the "
                           "selection").format(count=len(sources)) if sources else
                         _("a block takes one input: nothing comes into the selection"))
    exits = list(dict.fromkeys(s for s, _ in outgoing))
    if len(exits) > 1:
        raise BlockError(_("a block has one output, but {count} of the selected layers feed layers outside it")
                         .format(count=len(exits)))
    block = graph.blocks.add(name, args or {}, Graph(graph.blocks))
    inner = block.graph
    input_id = "in" if "in" not in chosen else next(f"in{i}" for i in range(2, len(chosen) + 3)
                                                   if f"in{i}" not in chosen)
    xs = [graph.nodes[n].pos[0] for n in selected]
    ys = [graph.nodes[n].pos[1] for n in selected]
    inner.add_node("Input", node_id=input_id, pos=(min(xs) - 180.0, ys[0]))
    for node_id in selected:
        node = graph.nodes[node_id]
        inner.add_node(node.type, node.params, node.name, node.pos, node_id, node.extra)
    for s, d in graph.edges:
        if d in chosen and (s in chosen or s == sources[0]):
            inner.connect(input_id if s not in chosen else s, d, graph.edge_extra.get((s, d)))
    outside = [(d, graph.edge_extra.get((s, d))) for s, d in outgoing]
    for node_id in selected:
        graph.remove_node(node_id)
    instance = graph.add_node(name, {}, None, (sum(xs) / len(xs), sum(ys) / len(ys)))
    graph.connect(sources[0], instance.id)
    for target, extra in outside:
        graph.connect(instance.id, target, extra)
    return block, instance.id


def _leaves_and_returns(graph: Graph, chosen: set, starts: list[str]) -> bool:
    succ: dict[str, list[str]] = {}
    for s, d in graph.edges:
        succ.setdefault(s, []).append(d)
    seen, stack = set(), list(starts)
    while stack:
        current = stack.pop()
        if current in chosen:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(succ.get(current, ()))
    return False


def unpack(graph: Graph, node_id: str) -> dict[str, str]:
    """Put an instance's layers in its place, arguments written in; returns inner id -> new id."""
    node = graph.node(node_id)
    block = graph.blocks.get(node.type)
    if block is None:
        raise BlockError(_("only a block can be unpacked"))
    args = {**block.args, **node.params}
    inner = block.graph
    start = inner.input_node()
    output = inner.model_path().output
    sources = graph.inputs(node_id)
    targets = [(d, graph.edge_extra.get((s, d))) for s, d in graph.edges if s == node_id]
    origin = start.pos if start is not None else (0.0, 0.0)
    new_ids: dict[str, str] = {}
    for inner_id, inner_node in inner.nodes.items():
        if inner_node.type == "Input":
            continue
        pos = (node.pos[0] + inner_node.pos[0] - origin[0], node.pos[1] + inner_node.pos[1] - origin[1])
        params = blocks.substitute(inner_node.params, args)
        new_ids[inner_id] = graph.add_node(inner_node.type, params, inner_node.name, pos, None,
                                           inner_node.extra).id
    graph.remove_node(node_id)
    for s, d in inner.edges:
        extra = inner.edge_extra.get((s, d))
        if start is not None and s == start.id:
            for source in sources:
                graph.connect(source, new_ids[d], extra)
        elif s in new_ids and d in new_ids:
            graph.connect(new_ids[s], new_ids[d], extra)
    if output in new_ids:
        for target, extra in targets:
            graph.connect(new_ids[output], target, extra)
    return new_ids


def make_argument(graph: Graph, node_id: str, key: str) -> str:
    """Inside a definition: expose ``key`` of ``node_id`` as a new argument (its value the default); returns its name.

    Every instance keeps its behaviour (it passes nothing, so the default holds) until it sets its own value.
    """
    block = getattr(graph, "block", None)
    if block is None:
        raise BlockError(_("only a layer inside a block can have an argument"))
    node = graph.node(node_id)
    param = graph.spec(node.type).param(key)
    value = node.params.get(key, param.default if param is not None else None)
    if blocks.is_ref(value):
        raise BlockError(_("{key} already comes from the argument {ref}").format(key=key, ref=value))
    if value is None:
        raise BlockError(_("{key} has no value to start the argument from: set one first").format(key=key))
    name, n = key, 2
    while name in block.args:
        name, n = f"{key}{n}", n + 1
    graph.blocks.set_args(block.name, {**block.args, name: value})
    graph.set_param(node_id, key, "$" + name)
    return name
