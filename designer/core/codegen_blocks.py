"""Blocks as classes in the exported code: ``class BasicBlock(nn.Module)``, ``__init__(self, channels, stride=1)``.

Each definition the model uses becomes one class, written before the
classes that use it. Its arguments are ``__init__``'s parameters: those that
every instance sets come first and without a default, the others keep the
definition's default; an inner parameter written ``"$channels"`` becomes the
name ``channels`` in the layer's constructor. An instance is an attribute,
``self.layer1_0 = BasicBlock(16, stride=2)``, so ``state_dict`` keys nest
(``layer1_0.conv1.weight``). A block's forward has no shape comments: its
shapes differ from one instance to the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.core import blocks, layers, shapes
from designer.core.codegen_graph import class_lines
from designer.core.codegen_names import RESERVED, _printable, _sanitise, constructor, identifiers
from designer.core.graph import Graph

# Names a class must not take (they are the file's own), and names an argument must not take
# (they would shadow what __init__ uses).
TAKEN_CLASSES = frozenset({"Net", "nn", "torch", "OrderedDict", "INPUT_SHAPE", "build_model"})
TAKEN_ARGS = frozenset({"self", "nn", "torch", "super", "x", "OrderedDict"})


@dataclass
class BlockClass:
    """How one definition is written: its class name and ``__init__``'s parameters.

    Attributes:
        name: the definition's name in the project.
        ident: the class name in the code.
        args: (argument, parameter name in code, has a default, the default) in ``__init__``'s order.
        inner: the definition inferred for its first instance (resolved values of the other parameters).
        uses: how many instances the model holds.
    """

    name: str
    ident: str
    args: list[tuple[str, str, bool, object]]
    inner: shapes.ModelShapes
    uses: int = 0

    def call(self, params: dict, outer: BlockClass | None = None) -> str:
        """An instance's constructor: ``BasicBlock(16, stride=2)``; ``outer``'s arguments may be passed on."""
        parts = []
        for arg, _, has_default, default in self.args:
            if arg not in params:
                continue
            value = params[arg]
            text = _literal(value, outer)
            if not has_default:
                parts.append(text)
            elif blocks.is_ref(value) or blocks.freeze(value) != blocks.freeze(default):
                parts.append(f"{self.ident_of(arg)}={text}")
        return f"{self.ident}({', '.join(parts)})"

    def ident_of(self, arg: str) -> str:
        return next(ident for name, ident, _, _ in self.args if name == arg)


def _literal(value, outer: BlockClass | None) -> str:
    if blocks.is_ref(value) and outer is not None:
        return outer.ident_of(value[1:])
    if isinstance(value, list):
        return repr(tuple(value))
    return repr(value)


def used_blocks(graph: Graph, result: shapes.ModelShapes) -> dict[str, BlockClass]:
    """The definitions the model uses, in the order they must be written (used ones before their users)."""
    library = graph.blocks
    first: dict[str, shapes.ModelShapes] = {}
    params: dict[str, list[dict]] = {}
    direct: dict[str | None, dict[str, int]] = {}  # definition (None: the model) -> blocks in it, counted
    pending = [(None, graph, result)]
    while pending:
        owner, g, res = pending.pop()
        counts = direct.setdefault(owner, {})
        for node_id in res.path:
            node = g.nodes[node_id]
            inner = res.nodes[node_id].inner
            if inner is None:
                continue
            params.setdefault(node.type, []).append(node.params)
            counts[node.type] = counts.get(node.type, 0) + 1
            if node.type not in first:
                first[node.type] = inner
                pending.append((node.type, library[node.type].graph, inner))
    # Instances in the model: a block used twice inside a block used four times is there eight times.
    total: dict[str, int] = {}
    for name in [None, *reversed(library.order())]:
        if name is not None and name not in first:
            continue
        times = 1 if name is None else total.get(name, 0)
        for inner_name, n in direct.get(name, {}).items():
            total[inner_name] = total.get(inner_name, 0) + n * times
    out: dict[str, BlockClass] = {}
    taken = set(TAKEN_CLASSES)
    for name in library.order():
        if name not in first:
            continue
        ident = _unique(_sanitise(name, "Block"), taken)
        if ident[0].islower():
            ident = _unique(ident[0].upper() + ident[1:], taken)
        taken.add(ident)
        definition = library[name]
        given = params[name]
        arg_taken: set[str] = set()
        required, optional = [], []
        for arg, default in definition.args.items():
            arg_ident = _unique(argument_name(arg), arg_taken | TAKEN_ARGS)
            arg_taken.add(arg_ident)
            if all(arg in p for p in given):
                required.append((arg, arg_ident, False, default))
            else:
                optional.append((arg, arg_ident, True, default))
        out[name] = BlockClass(name, ident, required + optional, first[name], total[name])
    return out


def argument_name(text: str) -> str:
    """A block argument's name in ``__init__``: a safe identifier that shadows nothing ``__init__`` uses."""
    base = _sanitise(text, "arg")  # keywords already get their "_"
    return base + "_" if base in TAKEN_ARGS else base


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def class_source(graph: Graph, block: BlockClass, classes: dict[str, BlockClass]) -> str:
    """The class of one definition (``graph`` is the top-level graph)."""
    definition = graph.blocks[block.name].graph
    inner = block.inner
    idents = identifiers(definition)
    display = definition.generated_names()
    layers_ = {}
    for node_id in inner.path[1:]:
        node = definition.nodes[node_id]
        if node.type in layers.IN_FORWARD:
            continue
        if node.type in classes:
            call = classes[node.type].call(node.params, block)
        else:
            call = _constructor(definition.spec(node.type), inner.nodes[node_id].resolved, node.params, block)
        shown = display.get(node_id, "")
        ident = idents[node_id]
        note = f'designer name "{_printable(shown, 60)}"' if shown and shown != ident else ""
        layers_[node_id] = (ident, call, "", note)
    init = "".join(f", {ident}" if not has_default else f", {ident}={_literal(default, None)}"
                   for _, ident, has_default, default in block.args)
    times = "once" if block.uses == 1 else f"{block.uses} times"
    doc = f"Block {_printable(block.name, 60)} of the design, used {times} in this model."

    stored: dict[str, str] = {}  # an argument forward reads (a Concat's dim, a Slice's end) -> its attribute
    taken = set(idents.values()) | RESERVED

    def param_text(node_id: str, param: str) -> str:
        raw = definition.nodes[node_id].params.get(param)
        if not blocks.is_ref(raw):
            return repr(inner.nodes[node_id].resolved[param])
        ident = block.ident_of(raw[1:])
        if ident not in stored:
            stored[ident] = _unique(ident, taken)
            taken.add(stored[ident])
        return f"self.{stored[ident]}"

    lines = class_lines(definition, inner, layers_, False, display, (block.ident, init, doc),
                        comments=False, param_text=param_text)
    at = lines.index("        super().__init__()") + 1
    lines[at:at] = [f"        self.{attribute} = {ident}" for ident, attribute in stored.items()]
    return "\n".join(lines) + "\n"


def _constructor(spec, resolved: dict, raw: dict, block: BlockClass) -> str:
    """``nn.Type(...)`` as ``codegen_names.constructor`` writes it, with argument names where the value is ``"$name"``."""
    refs = {key: block.ident_of(value[1:]) for key, value in raw.items() if blocks.is_ref(value)}
    return constructor(spec, resolved, refs)


def layer_paths(graph: Graph, prefix: str = "", owners: tuple[str, ...] = (),
                legacy: bool = False) -> dict[str, tuple[str, ...]]:
    """Every layer of the class-style model, inner layers of blocks included, by module path.

    ``layer1_0.conv1`` -> ``("b1", "c1")``: the node ids from the top-level instance down to the layer.
    A top-level layer's path is its own id alone. Merges are not modules and are not listed.
    ``legacy``: the paths of earlier versions, which renamed numbered layers (``identifiers``).
    """
    out: dict[str, tuple[str, ...]] = {}
    for node_id, ident in identifiers(graph, legacy).items():
        node = graph.nodes[node_id]
        if node.type in graph.blocks:
            if not graph.blocks.loop(node.type):
                out.update(layer_paths(graph.blocks[node.type].graph, f"{prefix}{ident}.", owners + (node_id,),
                                       legacy))
        else:
            out[prefix + ident] = owners + (node_id,)
    return out


def nested_name(graph: Graph, ids: tuple[str, ...] | list[str]) -> str | None:
    """The name of the node reached through ``ids`` (instance ids, outermost first, then the node's own id), as
    Look inside and the ``state_dict`` keys write it: ``("n7", "n1")`` -> ``layer2_1.conv1``.

    A merge or an Input (no module) gets its display name after the instances' path. None where an instance on
    the way is not part of the model (it has no attribute name) or an id is unknown.
    """
    parts = []
    for depth, node_id in enumerate(ids):
        if node_id not in graph.nodes:
            return None
        ident = identifiers(graph).get(node_id)
        if depth == len(ids) - 1:
            parts.append(ident or graph.generated_names()[node_id])
            break
        node = graph.nodes[node_id]
        if ident is None or node.type not in graph.blocks:
            return None
        parts.append(ident)
        graph = graph.blocks[node.type].graph
    return ".".join(parts) if parts else None


def instance_names(graph: Graph, block: str, prefix: str = "") -> list[str]:
    """The nested names of ``block``'s instances in the model, in model order (``["layer1_0", "layer1_1"]``;
    an instance inside another block's instances: ``layer2.block``, once per outer instance)."""
    found: list[str] = []
    for node_id, ident in identifiers(graph).items():
        node_type = graph.nodes[node_id].type
        if node_type == block:
            found.append(prefix + ident)
        elif node_type in graph.blocks and not graph.blocks.loop(node_type):
            found.extend(instance_names(graph.blocks[node_type].graph, block, f"{prefix}{ident}."))
    return found


def class_names(graph: Graph) -> dict[str, str]:
    """Block name -> its class name in the generated code (for the blocks the model uses)."""
    result = shapes.infer(graph)
    if not result.valid:
        return {}
    return {name: c.ident for name, c in used_blocks(graph, result).items()}


def legacy_paths(graph: Graph) -> dict[str, str]:
    """Module paths that earlier versions wrote differently: old path -> today's (``conv_0`` -> ``0``)."""
    now = {ids: path for path, ids in layer_paths(graph).items()}
    return {old: now[ids] for old, ids in layer_paths(graph, legacy=True).items() if now.get(ids, old) != old}
