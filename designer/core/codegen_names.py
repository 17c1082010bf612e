"""Names and constructor calls in the generated code: nothing from a project file is pasted in as it is.

Node names become sanitised, unique identifiers (``identifiers``); names and titles reach comments and
docstrings only through ``_printable``; parameter values are written by ``constructor`` as torch spells
them.
"""

from __future__ import annotations

import keyword
import re
import unicodedata

from designer.core import layers
from designer.core.graph import Graph
from designer.core.params import PADDING, PAIR, QUAD, SHAPE

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


def identifiers(graph: Graph, legacy: bool = False) -> dict[str, str]:
    """A safe, unique attribute name per layer on the model path (Input excluded).

    The name is the attribute in ``Net`` and the prefix of the layer's
    ``state_dict`` keys (``<name>.weight``). It is a Python identifier, or a
    number as ``nn.Sequential`` names its children (``"0"``): a model imported
    from a file keeps such names so its original weights load. ``legacy`` gives
    the names NetDesigner wrote before numbers were kept (``conv_0``).
    """
    display = graph.generated_names()
    taken: set[str] = set()
    out: dict[str, str] = {}
    for node_id in graph.model_path().nodes:
        node = graph.nodes[node_id]
        spec = graph.spec(node.type)
        if node.type == "Input" or spec.merge or spec.expression:  # written in forward, not as modules
            continue
        shown = display.get(node_id) or ""
        base = shown if is_number(shown) and not legacy else _sanitise(shown, spec.prefix)
        if base in taken and is_number(base):  # "0_2" is no name: a second "0" is conv_0
            base = _sanitise(shown, spec.prefix)
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}_{n}"
        taken.add(candidate)
        out[node_id] = candidate
    return out


def is_number(name: str) -> bool:
    """Whether ``name`` is a child's name as ``nn.Sequential`` gives it: ``"0"``, ``"12"``."""
    return name.isascii() and name.isdigit() and len(name) <= 6 and (name == "0" or name[0] != "0")


def get_attribute(name: str) -> str:
    """How forward reads a layer: ``self.conv1``, or ``getattr(self, "0")`` for a numbered child."""
    return f'getattr(self, "{name}")' if is_number(name) else f"self.{name}"


def set_attribute(name: str, call: str) -> str:
    """How ``__init__`` stores a layer: ``self.conv1 = ...``, or ``self.add_module("0", ...)`` for a numbered child."""
    return f'self.add_module("{name}", {call})' if is_number(name) else f"self.{name} = {call}"


def attribute_pattern(name: str) -> str:
    """A regular expression for the lines that store or read the layer ``name`` (``set_attribute``, ``get_attribute``)."""
    if is_number(name):
        return rf'(?:getattr\(self, |self\.add_module\()"{name}"'
    return rf"\bself\.{re.escape(name)}\b"


def variable(name: str, prefix: str) -> str:
    """A Python variable named after a layer (a numbered child's gets the layer type's prefix: ``conv_0``)."""
    return _sanitise(name, prefix) if is_number(name) else name


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


def constructor(spec: layers.LayerSpec, resolved: dict, refs: dict[str, str] | None = None) -> str:
    """``nn.Type(...)`` with required parameters positional and non-default ones as keywords.

    ``refs`` maps a parameter to the name written in its place (a block's argument, ``channels``).
    """
    args = []
    for param in spec.params:
        if refs and param.name in refs:
            args.append(refs[param.name] if param.positional else f"{param.name}={refs[param.name]}")
            continue
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
