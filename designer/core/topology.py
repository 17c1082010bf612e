"""The model inside a graph: which nodes it uses, in which order, and what is wrong with its wiring.

``dag_path`` reads a version-2 graph (fan-out anywhere, merges join
branches); ``chain_path`` keeps version 1's rules (a single chain from Input).
Both run in time linear in the number of nodes and edges.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from designer.core import layers
from designer.core.i18n import N_, _

V2_HINT = N_("version 2 of the project file allows branches (set \"version\": 2)")
GOES_NOWHERE = N_("This branch goes nowhere: join it or delete it.")


@dataclass
class ModelPath:
    """The model: every node reachable from Input, in topological order, and what lies off it.

    Attributes:
        nodes: the model's nodes in topological order, Input first and the output last
            (for a chain, the chain in order).
        off_path: the nodes not reachable from Input (scratch blocks), in insertion order.
        errors: node id -> structural error (a branch that goes nowhere, a layer with two
            inputs, a merge with one, a cycle; in a version-1 graph any fork or join).
        inputs: node id -> the ids feeding it, in order (a merge's inputs in port order),
            for every node in ``nodes`` but the Input.
        output: the node whose output is the model's output, or None.
    """

    nodes: list[str]
    off_path: list[str]
    errors: dict[str, str]
    inputs: dict[str, list[str]] = field(default_factory=dict)
    output: str | None = None


PORTS = "ports"  # edge_extra key: the ports of a source that feeds one merge more than once

def edge_ports(sources: list[str], dst: str, edge_extra: dict) -> list[int | None]:
    """The port of each of ``sources`` (in edge order), None where none was given.

    A source that feeds ``dst`` more than once (``x + x``) has one port per feed, in ``edge_extra``'s ``ports``.
    """
    if not edge_extra:
        return [None] * len(sources)
    ports, count = [], {}
    for s in sources:
        extra = edge_extra.get((s, dst), {})
        k = count[s] = count.get(s, -1) + 1
        many = extra.get(PORTS)
        ports.append(many[k] if isinstance(many, list) and k < len(many) else extra.get("port") if k == 0 else None)
    return ports


def places(sources: list[str], dst: str, edge_extra: dict) -> list[int]:
    """The input place of each of ``sources`` (in edge order): its port, or else the lowest free place in order."""
    ports = edge_ports(sources, dst, edge_extra)
    taken = {p for p in ports if p is not None}
    free = (i for i in range(len(sources) + len(taken)) if i not in taken)
    return [p if p is not None else next(free) for p in ports]


def ordered_inputs(sources: list[str], dst: str, edge_extra: dict) -> list[str]:
    """``sources`` (in edge order) sorted by their places (see ``places``)."""
    if len(sources) < 2 or not edge_extra:
        return list(sources)
    placed = places(sources, dst, edge_extra)
    return [sources[i] for _, i in sorted(zip(placed, range(len(sources))))]


def _is_merge(node) -> bool:
    return node.type in layers.MERGES


def dag_path(graph) -> ModelPath:
    nodes = graph.nodes
    start = graph.input_node()
    if start is None:
        return ModelPath([], list(nodes), {})
    succ: dict[str, list[str]] = {}
    pred: dict[str, list[str]] = {}
    for s, d in graph.edges:
        succ.setdefault(s, []).append(d)
        pred.setdefault(d, []).append(s)
    reachable = {start.id}
    queue = deque([start.id])
    while queue:
        for d in succ.get(queue.popleft(), ()):
            if d not in reachable:
                reachable.add(d)
                queue.append(d)
    # Kahn's algorithm over the reachable part; a node left over lies on (or after) a cycle.
    waiting = dict.fromkeys(reachable, 0)
    for s, d in graph.edges:
        if s in reachable:
            waiting[d] += 1
    order: list[str] = []
    queue = deque([start.id])
    while queue:
        current = queue.popleft()
        order.append(current)
        for d in succ.get(current, ()):
            waiting[d] -= 1
            if waiting[d] == 0:
                queue.append(d)
    errors: dict[str, str] = {}
    if len(order) < len(reachable):
        placed = set(order)
        for n in nodes:
            if n in reachable and n not in placed:
                errors[n] = _("This block is part of a cycle: data must flow one way. Remove a wire of the loop.")
                order.append(n)
    inputs: dict[str, list[str]] = {}
    extra = graph.edge_extra
    sinks = []
    for n in order:
        sources = pred.get(n, [])
        node = nodes[n]
        if n != start.id:
            inputs[n] = ordered_inputs(sources, n, extra) if len(sources) > 1 else list(sources)
        if not succ.get(n):
            sinks.append(n)
        if n in errors:
            continue
        if _is_merge(node):
            if len(sources) < 2:
                errors[n] = _("{type} joins two or more branches, but only one wire comes in: "
                              "wire another branch into it, or delete it.").format(type=node.type)
            else:
                loose = [s for s in sources if s not in reachable]
                if loose:
                    errors[n] = _("{count} of its inputs come from blocks not connected to the Input, so this block "
                                  "cannot be computed: wire that branch to the model, or remove its wire.").format(
                        count=len(loose))
        elif len(sources) > 1:
            errors[n] = _("This block has {count} incoming wires, but a layer takes one input: "
                          "join the branches with an Add or a Concat block first, or remove a wire.").format(
                count=len(sources))
    output = sinks[0] if len(sinks) == 1 else None
    if len(sinks) > 1:
        # The output is the sink furthest from Input (the main path); the other sinks are dead ends.
        depth = {start.id: 0}
        for n in order:
            for d in succ.get(n, ()):
                depth[d] = max(depth.get(d, 0), depth.get(n, 0) + 1)
        rank = {n: i for i, n in enumerate(nodes)}
        output = max(sinks, key=lambda n: (depth.get(n, 0), rank[n]))
        for n in sinks:
            if n != output and n not in errors:
                errors[n] = _(GOES_NOWHERE)
    if output is not None:
        if order[-1] != output:
            order.remove(output)  # a sink can move last without breaking the order
            order.append(output)
    off = [n for n in nodes if n not in reachable]
    return ModelPath(order, off, errors, inputs, output)


def chain_path(graph) -> ModelPath:
    """Version 1: walk from Input along single edges; a fork or join ends the chain with an error there."""
    errors: dict[str, str] = {}
    edges = graph.edges
    fan_out: dict[str, int] = {}
    fan_in: dict[str, int] = {}
    for s, d in edges:
        fan_out[s] = fan_out.get(s, 0) + 1
        fan_in[d] = fan_in.get(d, 0) + 1
    following = dict(edges)  # the successor, for nodes with exactly one
    start = graph.input_node()
    path: list[str] = []
    inputs: dict[str, list[str]] = {}
    if start is not None:
        current, previous, seen = start.id, None, set()
        while current is not None and current not in seen:
            seen.add(current)
            path.append(current)
            if previous is not None:
                inputs[current] = [previous]
            if fan_in.get(current, 0) > 1:
                errors[current] = _("This block has more than one incoming wire; a version-1 project's model is "
                                    "a single chain, so it takes exactly one. Remove the extra wire: {hint}.").format(
                    hint=_(V2_HINT))
                break
            if _is_merge(graph.nodes[current]):
                errors[current] = _("{type} joins branches, which a version-1 project cannot hold: {hint}.").format(
                    type=graph.nodes[current].type, hint=_(V2_HINT))
                break
            if fan_out.get(current, 0) > 1:
                errors[current] = _("This block feeds more than one block; a version-1 project's model is a "
                                    "single chain. Remove the extra wire: {hint}.").format(hint=_(V2_HINT))
                break
            previous, current = current, following.get(current)
    on = set(path)
    return ModelPath(path, [n for n in graph.nodes if n not in on], errors, inputs, path[-1] if path else None)


def branches(graph) -> bool:
    """Whether the graph needs version 2: a merge block, a Slice (no torch.nn class, which version 1's types
    are), or a node with two inputs or two outputs."""
    if any(n.type in layers.IN_FORWARD for n in graph.nodes.values()):
        return True
    sources, targets = set(), set()
    for s, d in graph.edges:
        if s in sources or d in targets:
            return True
        sources.add(s)
        targets.add(d)
    return False
