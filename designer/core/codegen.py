"""The graph as a readable, standalone PyTorch file (the tutorial's style).

This is the one compiler of seam 4: ``designer.ml.build`` executes the source
written here, so the exported file and the in-app model cannot drift.

Nothing from a project file is pasted into code as it is: node names become
sanitised identifiers (``identifiers``), and names or the project name appear
in comments and the docstring only after ``_printable`` strips line breaks and
control characters and escapes backslashes and quotes.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from dataclasses import dataclass

from designer.core import forward, layers, shapes
from designer.core.graph import Graph
from designer.core.params import PADDING, PAIR, QUAD, SHAPE

STYLES = ("class", "sequential")
MAX_IDENTIFIER = 48

# Attributes of nn.Module and nn.Sequential instances (torch 2.x). A layer
# stored under one of these names would shadow a method (``forward``,
# ``to``) or state (``training``); tests/ml/test_build.py checks this set
# still covers the installed torch.
RESERVED = frozenset("""
T_destination add_module append apply bfloat16 buffers call_super_init children compile cpu cuda double
dump_patches eval extend extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half
insert ipu load_state_dict modules mtia named_buffers named_children named_modules named_parameters parameters
pop register_backward_hook register_buffer register_forward_hook register_forward_pre_hook
register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook
register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook
register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty
train training type xpu zero_grad hpu npu maia mps
""".split())


class CodegenError(ValueError):
    """The graph cannot become code; ``errors`` lists (node id, name, message)."""

    def __init__(self, message: str, errors: list[tuple[str | None, str, str]] | None = None):
        super().__init__(message)
        self.errors = errors or []


def identifiers(graph: Graph) -> dict[str, str]:
    """A safe, unique Python identifier per layer on the model path (Input excluded).

    The identifier is the attribute name in ``Net`` and the prefix of the
    layer's ``state_dict`` keys (``<identifier>.weight``).
    """
    display = graph.generated_names()
    taken: set[str] = set()
    out: dict[str, str] = {}
    for node_id in graph.model_path().nodes:
        node = graph.nodes[node_id]
        spec = graph.spec(node.type)
        if node.type == "Input" or spec.merge:  # merges are written in forward, not as modules
            continue
        base = _sanitise(display.get(node_id) or "", spec.prefix)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        out[node_id] = candidate
    return out


def _sanitise(name: str, prefix: str) -> str:
    # Accents become plain letters (ü -> u); anything else outside [A-Za-z0-9]
    # becomes "_". Leading/trailing "_" go, so no dunder or private name
    # (_modules, __class__) can reach setattr.
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^0-9A-Za-z]+", "_", ascii_text).strip("_")[:MAX_IDENTIFIER].strip("_")
    if not text:
        text = prefix
    elif text[0].isdigit():
        text = f"{prefix}_{text}"
    if keyword.iskeyword(text) or text in RESERVED:
        text += "_"
    return text


def _printable(text: str, limit: int = 80) -> str:
    """One line of text that is safe inside a comment or a docstring."""
    kept = "".join(c if c.isprintable() else " " for c in str(text))
    if len(kept) > limit:
        kept = kept[:limit - 3] + "..."
    return kept.replace("\\", "\\\\").replace('"', '\\"')


def _value(value) -> str:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == value[1]:
            return repr(value[0])
        return repr(tuple(value))
    return repr(value)


def _argument(kind: str, value) -> str:
    if kind == SHAPE:  # LayerNorm((4, 4)) is not LayerNorm(4)
        return repr(list(value))
    if kind == QUAD and len(set(value)) == 1:
        return repr(value[0])
    return _value(value)


def constructor(spec: layers.LayerSpec, resolved: dict) -> str:
    """``nn.Type(...)`` with required parameters positional and non-default ones as keywords."""
    args = []
    for param in spec.params:
        value = resolved.get(param.name)
        if param.required or param.positional:
            text = _argument(param.kind, value)
            args.append(text if param.positional else f"{param.name}={text}")
            continue
        default = param.check(param.default) if param.default is not None else None
        if _same(param.kind, value, default):
            continue
        args.append(f"{param.name}={_argument(param.kind, value)}")
    return f"nn.{spec.type}({', '.join(args)})"


def _same(kind: str, value, default) -> bool:
    if kind in (PAIR, PADDING) and isinstance(value, tuple) and isinstance(default, tuple):
        return tuple(value) == tuple(default)
    return type(value) is type(default) and value == default


def _shape(shape) -> str:
    return "(" + ", ".join(["N", *(str(d) for d in shape)]) + ")"


def _check(graph: Graph) -> shapes.ModelShapes:
    result = shapes.infer(graph)
    if result.valid:
        return result
    names = graph.generated_names()
    errors = []
    for problem in result.problems:
        if problem.severity != "error" or (problem.node_id is not None and problem.node_id not in result.path):
            continue
        node = graph.nodes.get(problem.node_id) if problem.node_id else None
        label = f"{names.get(node.id, node.id)} ({node.type})" if node else "model"
        errors.append((problem.node_id, label, problem.message))
    if not errors:
        errors.append((None, "model", "The model has no layers."))
    lines = "\n".join(f"  - {label}: {message}" for _, label, message in errors)
    raise CodegenError(f"The model is not valid, so it cannot be written as code:\n{lines}", errors)


def is_chain(result: shapes.ModelShapes) -> bool:
    """Whether the model is a plain chain (a Sequential): no merge, no fork."""
    fed: set[str] = set()
    for node_id in result.path[1:]:
        sources = result.inputs.get(node_id, ())
        if len(sources) != 1 or sources[0] in fed or result.nodes[node_id].in_shapes is not None:
            return False
        fed.add(sources[0])
    return True


def generate(project, style: str = "class") -> str:
    """The standalone ``.py`` source for a project (or a bare Graph).

    A chain becomes a class with a step-by-step forward, or one nn.Sequential;
    a graph that branches becomes a class whose forward names the tensors it
    keeps, in both styles (the compact one holds each chain of layers as an
    nn.Sequential block).

    Raises:
        CodegenError: the graph is invalid (the message lists each node's error),
            or ``style`` is unknown.
    """
    if style not in STYLES:
        raise CodegenError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    graph = project if isinstance(project, Graph) else project.graph
    name = "Untitled" if isinstance(project, Graph) else project.name
    result = _check(graph)
    idents = identifiers(graph)
    display = graph.generated_names()
    input_shape = result.nodes[result.path[0]].out_shape
    classes = {}
    if any(result.nodes[n].inner is not None for n in result.path):
        from designer.core import codegen_blocks

        classes = codegen_blocks.used_blocks(graph, result)
    layers_ = {}  # node id -> (identifier, constructor, output shape comment, original-name note)
    for node_id in result.path[1:]:
        node = graph.nodes[node_id]
        if node.type in layers.MERGES:
            continue
        res = result.nodes[node_id]
        ident = idents[node_id]
        shown = display.get(node_id, "")
        note = f'designer name "{_printable(shown, 60)}"' if shown and shown != ident else ""
        call = classes[node.type].call(node.params) if node.type in classes else constructor(node.spec, res.resolved)
        layers_[node_id] = (ident, call, _shape(res.out_shape), note)
    parameters = result.parameters or 0
    chain = is_chain(result)
    head = _header(name, input_shape, parameters, style, chain)
    if classes:
        head += "\n\n".join(codegen_blocks.class_source(graph, c, classes) for c in classes.values()) + "\n\n"
    if not chain:
        body = graph_body(graph, result, layers_, style, display)
    elif style == "class":
        body = _class_body(list(layers_.values()), input_shape)
    else:
        body = _sequential_body(list(layers_.values()), input_shape)
    return head + body + _main_block()


# Graphs that branch ----------------------------------------------------------

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
        extend = (compact and node.type not in layers.MERGES and source != start
                  and graph.nodes[source].type not in layers.MERGES
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


def module_paths(graph: Graph, style: str = "class") -> dict[str, str]:
    """Each layer's module path in the generated model (its state_dict prefix): ``conv1``, or ``stem.conv1``."""
    idents = identifiers(graph)
    if style == "class":
        return idents
    result = shapes.infer(graph)
    if not result.valid or is_chain(result):
        return idents
    units, unit_inputs = _units(graph, result, compact=True)
    _attributes(units, idents, result, unit_inputs)
    paths = {}
    for unit in units.values():
        for node_id in unit.nodes:
            if node_id in idents:
                paths[node_id] = idents[node_id] if len(unit.nodes) == 1 else f"{unit.attribute}.{idents[node_id]}"
    return paths


def graph_body(graph: Graph, result: shapes.ModelShapes, layers_: dict, style: str, display: dict) -> str:
    lines = class_lines(graph, result, layers_, style != "class", display)
    lines += ["", "", "def build_model():", '    """A freshly initialised network."""', "    return Net()"]
    return "\n".join(lines) + "\n"


def class_lines(graph: Graph, result: shapes.ModelShapes, layers_: dict, compact: bool, display: dict,
                head: tuple[str, str, str] = ("Net", "", ""), comments: bool = True,
                concat_dim=None) -> list[str]:
    """One ``nn.Module`` class for ``graph``: layers in ``__init__``, the wiring in ``forward``.

    Args:
        layers_: node id -> (identifier, constructor call, output shape comment, note).
        head: (class name, extra ``__init__`` parameters such as ``", channels, stride=1"``, docstring);
            the docstring defaults to the network's.
        comments: shape comments on forward's lines (a block's shapes differ per instance: none).
        concat_dim: node id -> the text of a Concat's dim (default: its resolved value).
    """
    class_name, init_params, doc = head
    idents = identifiers(graph)
    units, unit_inputs = _units(graph, result, compact)
    _attributes(units, idents, result, unit_inputs)
    start = result.path[0]
    ordered = forward.order(result.path[-1], unit_inputs, start)
    merges = {key for key, unit in units.items() if graph.nodes[unit.nodes[0]].type in layers.MERGES}
    names = {}
    for key, unit in units.items():
        first = unit.nodes[0]
        names[key] = _sanitise(display.get(first, ""), graph.spec(graph.nodes[first].type).prefix) if key in merges \
            else unit.attribute
    lines_, returned = forward.plan(ordered, unit_inputs, merges, names, start)
    doc = doc or ("The network: layers are created in __init__; forward wires them, keeping a tensor by name "
                  "where a later line needs it again." if not compact else
                  "The network: each chain of layers is one nn.Sequential block; forward joins the blocks.")
    lines = [f"class {class_name}(nn.Module):", f'    """{doc}"""', "", f"    def __init__(self{init_params}):",
             "        super().__init__()"]
    for key in ordered:
        unit = units[key]
        if key in merges:
            continue
        if len(unit.nodes) == 1:
            ident, call, _, note = layers_[unit.nodes[0]]
            lines.append(f"        self.{ident} = {call}" + (f"  # {note}" if note else ""))
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
                dim = concat_dim(line.unit) if concat_dim else result.nodes[line.unit].resolved["dim"]
                expression = f"torch.cat([{', '.join(line.sources)}], dim={dim})"
        else:
            expression = f"self.{unit.attribute}({line.sources[0]})"
        lines.append(f"        {line.target} = {expression}" + comment(line.unit))
    lines.append(f"        return {returned}")
    return lines


def _header(name: str, input_shape, parameters: int, style: str, chain: bool = True) -> str:
    title = _printable(name).strip() or "Untitled"
    if style == "class":
        kind = "a class with a step-by-step forward"
    else:
        kind = "a compact nn.Sequential" if chain else "compact nn.Sequential blocks joined in forward"
    lines = [
        f'"""{title}',
        "",
        f"A neural network designed in NetDesigner, written as {kind}.",
        f"Trainable parameters: {parameters:,}. Shapes in comments include the batch size N.",
        "",
        "Import this file and call build_model() to get the network. Its state_dict keys",
        "match the weights file exported with it, so this works with strict=True:",
        "",
        "    model = build_model()",
        '    model.load_state_dict(torch.load("weights.pt", weights_only=True))',
        "",
        "Run it as a script to print the model and its output shape for one sample.",
        '"""',
        "",
    ]
    if style == "sequential":
        lines.append("from collections import OrderedDict")
        lines.append("")
    lines += [
        "import torch",
        "from torch import nn",
        "",
        f"INPUT_SHAPE = {tuple(input_shape)!r}  # one sample, without the batch dimension",
        "",
        "",
    ]
    return "\n".join(lines) + "\n"


def _class_body(layers_, input_shape) -> str:
    lines = [
        "class Net(nn.Module):",
        '    """The network: layers are created in __init__ and applied in order in forward."""',
        "",
        "    def __init__(self):",
        "        super().__init__()",
    ]
    for ident, call, _, note in layers_:
        lines.append(f"        self.{ident} = {call}" + (f"  # {note}" if note else ""))
    lines += ["", f"    def forward(self, x):  # x: {_shape(input_shape)}"]
    for ident, _, shape, _ in layers_:
        lines.append(f"        x = self.{ident}(x)  # {shape}")
    lines += [
        "        return x",
        "",
        "",
        "def build_model():",
        '    """A freshly initialised network."""',
        "    return Net()",
    ]
    return "\n".join(lines) + "\n"


def _sequential_body(layers_, input_shape) -> str:
    lines = [
        "def build_model():",
        '    """A freshly initialised network; layer names are the state_dict prefixes."""',
        f"    # input: {_shape(input_shape)}",
        "    return nn.Sequential(OrderedDict([",
    ]
    for ident, call, shape, note in layers_:
        lines.append(f"        ({ident!r}, {call}),  # {shape}" + (f", {note}" if note else ""))
    lines.append("    ]))")
    return "\n".join(lines) + "\n"


def _main_block() -> str:
    return "\n".join([
        "",
        "",
        'if __name__ == "__main__":',
        "    model = build_model()",
        "    print(model)",
        "    model.eval()  # BatchNorm and Dropout behave as at inference time",
        "    with torch.no_grad():",
        "        out = model(torch.zeros(1, *INPUT_SHAPE))",
        '    print("Output shape for one sample:", tuple(out.shape))',
        "",
    ])
