"""An imported model keeps its structure: the user's modules become blocks.

The child records, for every operation, the modules the forward was inside
(its scope: path, class, which call, whether a plain container). Here, after
the importer has built the flat graph, every module call becomes one block
instance, innermost first, through Make Block (so a call that does not take
one input and give one output stays as layers, and the report says why).
Then the definitions are merged: calls of one class (of one attribute name for
an ``nn.Sequential`` or ``nn.ModuleList``) with the same layers and wires share
one definition, and the inner parameters that differ between them become its
arguments (``names``: ``in_channels``, ``stride``, ``conv1_stride``). Calls of
one class with different layers (a ``BasicBlock`` with and without its
downsample path) keep separate definitions (``BasicBlock``, ``BasicBlock2``).

Nodes are named after their module path relative to the block that holds them
(``conv1``, ``0``), so the file's ``state_dict`` key of every layer is the
names from the top down (``layer1.0.conv1``): ``key_map`` reads it back.
"""

from __future__ import annotations

import re

from designer.core import blocks as blocks_
from designer.core import shapes
from designer.core.block_edits import make_block
from designer.core.blocks import BlockError
from designer.core.codegen_blocks import layer_paths
from designer.core.graph import Graph
from designer.core.i18n import _, ngettext
from designer.ml.importing import names


def checked_scope(raw) -> list[tuple[str, str, str, bool]]:
    """A layer's scope from the child's answer, checked; raises TypeError/ValueError."""
    if not isinstance(raw, list):
        raise TypeError("scope must be a list")
    out = []
    for item in raw:
        if not (isinstance(item, list) and len(item) == 4 and all(isinstance(v, str) for v in item[:3])
                and isinstance(item[3], bool)):
            raise ValueError(f"scope entry {item!r}")
        out.append((item[0], item[1], item[2], item[3]))
    return out


def apply(graph: Graph, info: dict[str, tuple[str | None, list]]) -> list[str]:
    """Turn the module calls of ``info`` (node id -> (module path, scope)) into blocks; returns report lines.

    Every node of ``info`` is renamed to its module path first (functional operations keep no name).
    """
    for node_id, (path, _scope) in info.items():
        if path:
            graph.rename(node_id, path)
    chains = {node_id: [entry[2] for entry in scope] for node_id, (_p, scope) in info.items()}
    calls: dict[str, tuple[str, str, bool, int]] = {}
    for _p, scope in info.values():
        for depth, (path, cls, call, container) in enumerate(scope):
            calls.setdefault(call, (path, cls, container, depth))
    notes: dict[str, list[str]] = {}  # class -> a line per call that stays as layers
    kinds: dict[str, tuple[str, str, bool]] = {}  # temporary definition name -> (base name, path, a container)
    for number, call in enumerate(sorted(calls, key=lambda c: -calls[c][3])):
        path, cls, container, depth = calls[call]
        members = [n for n in graph.nodes if len(chains.get(n, ())) > depth and chains[n][depth] == call]
        if not members:
            continue
        temp = f"ImportTmp{number}x"
        try:
            block, instance = make_block(graph, members, temp)
        except BlockError as exc:
            notes.setdefault(cls, []).append(_("{module} stays as layers, not a block: {why}").format(
                module=path or cls, why=exc))
            continue
        for inner in block.graph.nodes.values():
            if inner.name and inner.name.startswith(path + "."):
                block.graph.rename(inner.id, inner.name[len(path) + 1:])
        graph.rename(instance, path)
        _in_order(block.graph)
        chains[instance] = chains[members[0]][:depth]
        kinds[temp] = (_base_name(path, cls, container), path, container)
    if kinds:
        _merge(graph.blocks, kinds, _widths(graph))
    _in_order(graph)
    return [_collapsed(cls, lines) for cls, lines in notes.items()]


def _collapsed(cls: str, lines: list[str]) -> str:
    """The first call's line, and how many more calls of its class stay as layers (DenseNet: 54)."""
    if len(lines) == 1:
        return lines[0]
    return lines[0] + " " + ngettext("(and {count} more call of {cls})", "(and {count} more calls of {cls})",
                                     len(lines) - 1).format(count=len(lines) - 1, cls=cls)


def _in_order(graph: Graph) -> None:
    """Nodes listed in forward order (the Input first), as the file's forward runs them."""
    path = graph.model_path().nodes
    rest = [n for n in graph.nodes if n not in set(path)]
    graph.reorder(list(path) + rest, list(graph.edges))


def _base_name(path: str, cls: str, container: bool) -> str:
    """A class keeps its name; a plain container is named after its attribute: layer1 -> Layer1."""
    if container:
        segments = path.split(".")  # an element of a list (stages.0) is named after the list: StagesItem
        words = segments[-1] if not segments[-1].isdigit() or len(segments) == 1 else segments[-2] + "_item"
        base = "".join(w[:1].upper() + w[1:] for w in re.split(r"[^0-9A-Za-z]+", words) if w)
        if not base or base[0].isdigit():
            base = "Block" + base
    else:
        base = re.sub(r"[^0-9A-Za-z_]", "", cls) or "Block"
    return base if blocks_.valid_name(base) else base + "Block"


def _signature(graph: Graph, canonical: dict[str, str]):
    order = {node_id: i for i, node_id in enumerate(graph.nodes)}
    nodes = tuple((canonical.get(n.type, n.type), n.name) for n in graph.nodes.values())
    edges = tuple(sorted((order[s], order[d], graph.port(s, d) or 0) for s, d in graph.edges))
    return nodes, edges


def _widths(graph: Graph) -> dict[str, tuple]:
    """Every block's (input width, output width, rank): channels of a map, features of a vector.

    Before the merge each definition has one call, so one pair; a block whose shapes are unknown has none.
    """
    out: dict[str, tuple] = {}

    def walk(g: Graph, model) -> None:
        for node_id, result in model.nodes.items():
            node = g.nodes.get(node_id)
            if node is None or node.type not in g.blocks or result.inner is None:
                continue
            if result.ok and result.in_shape:
                out.setdefault(node.type, (result.in_shape[0], result.out_shape[0], len(result.in_shape)))
            walk(g.blocks[node.type].graph, result.inner)

    walk(graph, shapes.infer(graph))
    return out


def _merge(library, kinds: dict[str, tuple[str, str, bool]], widths: dict[str, tuple]) -> None:
    canonical: dict[str, str] = {}
    groups: dict[tuple, list[str]] = {}
    for name in library.order():
        if name not in kinds:
            continue
        key = (kinds[name][0], _signature(library[name].graph, canonical))
        groups.setdefault(key, []).append(name)
        canonical[name] = groups[key][0]
    taken = {n for n in library if n not in kinds}
    finals: dict[str, str] = {}
    # The file's classes name their blocks first: DoubleConv is the class, and the nn.Sequential it keeps
    # in self.double_conv is DoubleConvLayers (not the class DoubleConv2, as if a variant of it).
    for (base, _sig), members in sorted(groups.items(), key=lambda item: kinds[item[1][0]][2]):
        final, n = base, 1
        if kinds[members[0]][2] and final in taken:
            final = base = f"{base}Layers"
        while final in taken:
            n += 1
            final = f"{base}{n}"
        taken.add(final)
        finals.update(dict.fromkeys(members, final))
    prefixes = {temp: blocks_.prefix_of(final) for temp, final in finals.items()}  # as the final names
    for members in groups.values():
        _share(library, members, widths, prefixes)
    for members in groups.values():
        library.rename(members[0], finals[members[0]])


def _value(graph: Graph, node, key: str):
    if key in node.params:
        return node.params[key]
    param = graph.spec(node.type).param(key)
    return param.default if param is not None else None


def _share(library, members: list[str], widths: dict[str, tuple], prefixes: dict[str, str]) -> None:
    """One definition for ``members`` (same layers and wires); the parameters that differ become arguments."""
    first = library[members[0]].graph
    graphs = [library[m].graph for m in members]
    rows = [list(g.nodes.values()) for g in graphs]
    uses: dict[tuple, list[tuple[int, str]]] = {}  # the values across members -> (node position, parameter)
    for i, node in enumerate(rows[0]):
        if node.type == "Input":
            continue
        keys = dict.fromkeys(k for row in rows for k in row[i].params)
        for key in keys:
            values = [_value(g, row[i], key) for g, row in zip(graphs, rows)]
            if len({repr(blocks_.freeze(v)) for v in values}) == 1:
                continue
            uses.setdefault(tuple(repr(blocks_.freeze(v)) for v in values), []).append((i, key))
    ends = [widths.get(m) for m in members]
    given_widths = None
    if all(ends) and len({e[2] for e in ends}) == 1:
        given_widths = (tuple(repr(e[0]) for e in ends), tuple(repr(e[1]) for e in ends), ends[0][2])
    named = names.arguments(first, rows[0], list(uses.values()), given_widths, list(uses), prefixes)
    refs = [(i, key, arg) for places, arg in zip(uses.values(), named) for i, key in places]
    given = [{arg: _value(g, row[i], key) for i, key, arg in refs} for g, row in zip(graphs, rows)]
    # An instance given None takes the argument's default: an argument that some call leaves None (a Slice's
    # end, an Upsample's size) defaults to None, and the calls with a value give it.
    args = {arg: None if any(values[arg] is None for values in given) else _value(first, rows[0][places[0][0]],
                                                                                  places[0][1])
            for arg, places in sorted(zip(named, uses.values()), key=lambda item: names.rank(item[0]))}
    if args:
        library.set_args(members[0], args)
        for i, key, arg in refs:
            first.set_param(rows[0][i].id, key, "$" + arg)
    for member, values in zip(members, given):
        for graph, node_id in library.instances(member):
            if member != members[0]:
                graph.retype(node_id, members[0])
            for arg, value in values.items():
                graph.set_param(node_id, arg, value)
    for member in members[1:]:
        library.remove(member)


def key_paths(graph: Graph) -> dict[str, str]:
    """The file's module path of every layer (its names from the top down) -> its module path in the export."""
    out = {}
    for ident_path, ids in layer_paths(graph).items():
        g, names = graph, []
        for node_id in ids:
            node = g.nodes[node_id]
            names.append(node.name or "")
            if node.type in g.blocks:
                g = g.blocks[node.type].graph
        if all(names):
            out[".".join(names)] = ident_path
    return out
