"""Random graphs with blocks: a random branching graph, then parts of it made into blocks.

``blockify`` turns random convex stretches of a graph into blocks (Make
Block), exposes an inner parameter as an argument (``"$c"``, its current
value as the default, sometimes set again on the instance), sometimes wraps
a block inside another, and sometimes makes a second instance of a block in
place of an identical stretch. The model computes the same function as the
flat graph it came from, node for node (inner nodes keep their ids), so
torch run on the flat graph is the reference.
"""

from __future__ import annotations

from designer.core import block_edits, blocks
from designer.core.graph import Graph, copy_graph


def _stretch(graph: Graph, rng) -> list[str]:
    """Nodes between a random node a and a random node b after it (reachable from a and reaching b)."""
    path = graph.model_path()
    candidates = [n for n in path.nodes if graph.nodes[n].type != "Input"]
    if not candidates:
        return []
    a = rng.choice(candidates)
    succ: dict[str, list[str]] = {}
    pred: dict[str, list[str]] = {}
    for s, d in graph.edges:
        succ.setdefault(s, []).append(d)
        pred.setdefault(d, []).append(s)
    after = _reach(a, succ)
    ordered = [n for n in path.nodes if n in after]  # topological: prefer a far end, for blocks of a few layers
    b = ordered[rng.randint(min(len(ordered) - 1, 2), len(ordered) - 1)] if rng.random() < 0.7 else rng.choice(ordered)
    before = _reach(b, pred)
    return [n for n in graph.nodes if n in after and n in before]


def _reach(start: str, links: dict) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(links.get(current, ()))
    return seen


def blockify(graph: Graph, rng, tries: int = 5) -> Graph:
    """A copy of ``graph`` with up to ``tries`` stretches made into blocks (see the module docstring)."""
    out = copy_graph(graph, blocks.Library())
    count = 0
    for _ in range(tries):
        selection = _stretch(out, rng)
        if not selection:
            continue
        count += 1
        try:
            block, instance = block_edits.make_block(out, selection, f"Block{count}")
        except blocks.BlockError:
            continue
        _expose(out, block, instance, rng)
    return out


def _expose(graph: Graph, block: blocks.Block, instance: str, rng) -> None:
    inner = block.graph
    choices = [(n.id, key) for n in inner.nodes.values() for key, value in n.params.items()
               if isinstance(value, int) and not isinstance(value, bool) and key != "dim"]
    if not choices or rng.random() < 0.3:
        return
    node_id, key = rng.choice(choices)
    value = inner.nodes[node_id].params[key]
    graph.blocks.set_args(block.name, {**block.args, "c": value})
    inner.set_param(node_id, key, "$c")
    if rng.random() < 0.5:
        graph.set_param(instance, "c", value)


def instances(graph: Graph) -> list[tuple[Graph, str]]:
    return [(graph, n) for n, node in graph.nodes.items() if node.type in graph.blocks]
