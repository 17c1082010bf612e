"""The graph as a readable, standalone PyTorch file (the tutorial's style).

This is the one compiler of seam 4: ``designer.ml.build`` executes the source
written here, so the exported file and the in-app model cannot drift.

Nothing from a project file is pasted into code as it is: node names become
sanitised identifiers (``identifiers``), and names or the project name appear
in comments and the docstring only after ``_printable`` strips line breaks and
control characters and escapes backslashes and quotes.
"""

from __future__ import annotations

from designer.core import codegen_blocks, layers, shapes
from designer.core.codegen_graph import _attributes, _units, class_lines
from designer.core.codegen_names import (MAX_IDENTIFIER, RESERVED, _argument, _printable, _same, _sanitise, _shape,
                                         _value, constructor, get_attribute, identifiers, set_attribute)
from designer.core.graph import Graph
from designer.core.i18n import _

__all__ = ["MAX_IDENTIFIER", "RESERVED", "STYLES", "CodegenError", "class_lines", "constructor", "generate",
           "graph_body", "identifiers", "is_chain", "module_paths", "_argument", "_printable", "_same", "_sanitise",
           "_value"]

STYLES = ("class", "sequential")
class CodegenError(ValueError):
    """The graph cannot become code; ``errors`` lists (node id, name, message)."""

    def __init__(self, message: str, errors: list[tuple[str | None, str, str]] | None = None):
        super().__init__(message)
        self.errors = errors or []


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
    raise CodegenError(_("The model is not valid, so it cannot be written as code:") + f"\n{lines}", errors)


def is_chain(result: shapes.ModelShapes) -> bool:
    """Whether the model is a plain chain (a Sequential): no merge, no fork, no layer written in forward (Slice)."""
    fed: set[str] = set()
    for node_id in result.path[1:]:
        sources = result.inputs.get(node_id, ())
        if len(sources) != 1 or sources[0] in fed or result.nodes[node_id].in_shapes is not None \
                or result.nodes[node_id].type in layers.IN_FORWARD:
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
        raise CodegenError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")  # untranslated: a caller's bug
    graph = project if isinstance(project, Graph) else project.graph
    name = "Untitled" if isinstance(project, Graph) else project.name
    result = _check(graph)
    idents = identifiers(graph)
    display = graph.generated_names()
    input_shape = result.nodes[result.path[0]].out_shape
    classes = {}
    if any(result.nodes[n].inner is not None for n in result.path):
        classes = codegen_blocks.used_blocks(graph, result)
    layers_ = {}  # node id -> (identifier, constructor, output shape comment, original-name note)
    for node_id in result.path[1:]:
        node = graph.nodes[node_id]
        if node.type in layers.IN_FORWARD:
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
        lines.append(f"        {set_attribute(ident, call)}" + (f"  # {note}" if note else ""))
    lines += ["", f"    def forward(self, x):  # x: {_shape(input_shape)}"]
    for ident, _, shape, _ in layers_:
        lines.append(f"        x = {get_attribute(ident)}(x)  # {shape}")
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
