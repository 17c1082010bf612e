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

from designer.core import layers, shapes
from designer.core.graph import Graph
from designer.core.params import PADDING, PAIR

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
        if node.type == "Input":
            continue
        base = _sanitise(display.get(node_id) or "", node.spec.prefix)
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


def constructor(spec: layers.LayerSpec, resolved: dict) -> str:
    """``nn.Type(...)`` with required parameters positional and non-default ones as keywords."""
    args = []
    for param in spec.params:
        value = resolved.get(param.name)
        if param.required or param.positional:
            args.append(_value(value) if param.positional else f"{param.name}={_value(value)}")
            continue
        default = param.check(param.default) if param.default is not None else None
        if _same(param.kind, value, default):
            continue
        args.append(f"{param.name}={_value(value)}")
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


def generate(project, style: str = "class") -> str:
    """The standalone ``.py`` source for a project (or a bare Graph).

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
    layers_ = []  # (identifier, constructor, output shape comment, original-name note)
    for node_id in result.path[1:]:
        node = graph.nodes[node_id]
        res = result.nodes[node_id]
        ident = idents[node_id]
        shown = display.get(node_id, "")
        note = f'designer name "{_printable(shown, 60)}"' if shown and shown != ident else ""
        layers_.append((ident, constructor(node.spec, res.resolved), _shape(res.out_shape), note))
    parameters = result.parameters or 0
    head = _header(name, input_shape, parameters, style)
    body = _class_body(layers_, input_shape) if style == "class" else _sequential_body(layers_, input_shape)
    return head + body + _main_block()


def _header(name: str, input_shape, parameters: int, style: str) -> str:
    title = _printable(name).strip() or "Untitled"
    kind = "a class with a step-by-step forward" if style == "class" else "a compact nn.Sequential"
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
