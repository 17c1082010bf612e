"""One ``nn.Module`` class for a graph: layers in ``__init__``, the wiring in ``forward``.

Used for the network (``Net``) and for each block's class. In the compact style a chain of layers is one
``nn.Sequential`` unit; ``forward`` names the tensors it keeps (see ``designer.core.forward``).
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.core import forward, layers, shapes
from designer.core.codegen_names import _sanitise, _shape, get_attribute, identifiers, set_attribute, variable
from designer.core.graph import Graph


@dataclass
class _Unit:
    """A block of the compact style: a chain of layers (an nn.Sequential, or one layer), or a merge."""

    nodes: list[str]
    attribute: str = ""


def _units(graph: Graph, result: shapes.ModelShapes, compact: bool) -> tuple[dict[str, _Unit], dict[str, list[str]]]:
    """Units keyed by their last node, and each unit's inputs (values, by node id)."""
    inputs = result.inputs
    start = result.path[0]
    consumers: dict[str, int] = {}
    for node_id in result.path[1:]:
        for source in inputs[node_id]:
            consumers[source] = consumers.get(source, 0) + 1
    unit_of: dict[str, str] = {}  # node -> the key its unit has now
    units: dict[str, _Unit] = {}
    unit_inputs: dict[str, list[str]] = {}
    for node_id in result.path[1:]:
        node = graph.nodes[node_id]
        source = inputs[node_id][0]
        extend = (compact and node.type not in layers.IN_FORWARD and source != start
                  and graph.nodes[source].type not in layers.IN_FORWARD
                  and consumers[source] == 1)
        if extend:
            key = unit_of[source]
            unit = units.pop(key)
            unit.nodes.append(node_id)
            unit_inputs[node_id] = unit_inputs.pop(key)
        else:
            unit = _Unit([node_id])
            unit_inputs[node_id] = list(inputs[node_id])
        units[node_id] = unit
        for member in unit.nodes:
            unit_of[member] = node_id
    return units, unit_inputs


def _attributes(units: dict[str, _Unit], idents: dict[str, str], result: shapes.ModelShapes,
                unit_inputs: dict[str, list[str]]) -> None:
    """Name each multi-layer block: stem (from the Input), head (to the output), block1, block2, ..."""
    taken = {idents[u.nodes[0]] for u in units.values() if len(u.nodes) == 1 and u.nodes[0] in idents}
    count = 0
    start = result.path[0]
    from_start = sum(1 for ins in unit_inputs.values() if start in ins)
    for key, unit in units.items():
        if len(unit.nodes) == 1:
            unit.attribute = idents.get(unit.nodes[0], "")
            continue
        if key == result.path[-1]:
            base = "head"
        elif unit_inputs[key] == [start] and from_start == 1:
            base = "stem"
        else:
            count += 1
            base = f"block{count}"
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        unit.attribute = candidate


def class_lines(graph: Graph, result: shapes.ModelShapes, layers_: dict, compact: bool, display: dict,
                head: tuple[str, str, str] = ("Net", "", ""), comments: bool = True,
                param_text=None) -> list[str]:
    """One ``nn.Module`` class for ``graph``: layers in ``__init__``, the wiring in ``forward``.

    Args:
        layers_: node id -> (identifier, constructor call, output shape comment, note).
        head: (class name, extra ``__init__`` parameters such as ``", channels, stride=1"``, docstring);
            the docstring defaults to the network's.
        comments: shape comments on forward's lines (a block's shapes differ per instance: none).
        param_text: (node id, parameter) -> the code for a parameter of a layer written in forward (a
            Concat's dim, a Slice's start), default: its resolved value.
    """
    class_name, init_params, doc = head
    idents = identifiers(graph)
    units, unit_inputs = _units(graph, result, compact)
    _attributes(units, idents, result, unit_inputs)
    start = result.path[0]
    ordered = forward.order(result.path[-1], unit_inputs, start)
    merges = {key for key, unit in units.items() if graph.nodes[unit.nodes[0]].type in layers.MERGES}
    inline = {key for key, unit in units.items() if graph.nodes[unit.nodes[0]].type in layers.IN_FORWARD}
    names = {}
    for key, unit in units.items():
        first = unit.nodes[0]
        prefix = graph.spec(graph.nodes[first].type).prefix
        names[key] = _sanitise(display.get(first, ""), prefix) if key in inline else variable(unit.attribute, prefix)

    def text(node_id: str, param: str) -> str:
        return param_text(node_id, param) if param_text else repr(result.nodes[node_id].resolved[param])
    lines_, returned = forward.plan(ordered, unit_inputs, merges, names, start)
    doc = doc or ("The network: layers are created in __init__; forward wires them, keeping a tensor by name "
                  "where a later line needs it again." if not compact else
                  "The network: each chain of layers is one nn.Sequential block; forward joins the blocks.")
    lines = [f"class {class_name}(nn.Module):", f'    """{doc}"""', "", f"    def __init__(self{init_params}):",
             "        super().__init__()"]
    for key in ordered:
        unit = units[key]
        if key in inline:
            continue
        if len(unit.nodes) == 1:
            ident, call, _, note = layers_[unit.nodes[0]]
            lines.append(f"        {set_attribute(ident, call)}" + (f"  # {note}" if note else ""))
            continue
        lines.append(f"        self.{unit.attribute} = nn.Sequential(OrderedDict([")
        for node_id in unit.nodes:
            ident, call, shape, note = layers_[node_id]
            lines.append(f"            ({ident!r}, {call}),  # {shape}" + (f", {note}" if note else ""))
        lines.append("        ]))")

    def comment(value: str) -> str:
        return f"  # {_shape(result.nodes[value].out_shape)}" if comments else ""

    input_shape = result.nodes[start].out_shape
    lines += ["", "    def forward(self, x):" + (f"  # x: {_shape(input_shape)}" if comments else "")]
    for line in lines_:
        for kept, value in line.saves:
            lines.append(f"        {kept} = x" + comment(value))
        unit = units[line.unit]
        if line.unit in merges:
            node = graph.nodes[line.unit]
            if node.type in ("Add", "Mul"):
                expression = (" + " if node.type == "Add" else " * ").join(line.sources)
            else:
                expression = f"torch.cat([{', '.join(line.sources)}], dim={text(line.unit, 'dim')})"
        elif line.unit in inline:
            spec = graph.spec(graph.nodes[line.unit].type)
            expression = spec.expression(line.sources[0], {p.name: text(line.unit, p.name) for p in spec.params})
        else:
            expression = f"{get_attribute(unit.attribute)}({line.sources[0]})"
        lines.append(f"        {line.target} = {expression}" + comment(line.unit))
    lines.append(f"        return {returned}")
    return lines
