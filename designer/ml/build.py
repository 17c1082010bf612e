"""Graph -> nn.Module, by executing the code that the export writes (seam 4).

There is one compiler: ``designer.core.codegen.generate``. The app's model is
the exported file's ``build_model()`` run in a fresh namespace (the way
``torch.fx.GraphModule`` builds itself from generated source), so the two can
never disagree about layers, arguments or ``state_dict`` keys.
"""

from __future__ import annotations

import hashlib
import linecache

import torch
from torch import nn

from designer.core import codegen, shapes
from designer.core.graph import Graph
from designer.core.i18n import _

MAX_PARAMETERS = 200_000_000


class BuildError(ValueError):
    """The graph cannot be built: invalid, or too large to allocate."""

    def __init__(self, message: str, errors: list | None = None):
        super().__init__(message)
        self.errors = errors or []


def model_source(graph: Graph, style: str = "class") -> str:
    """The generated source that ``build_model`` executes; raises BuildError."""
    try:
        return codegen.generate(graph, style)
    except codegen.CodegenError as exc:
        raise BuildError(str(exc).replace("written as code", "built"), exc.errors) from None


def check_size(graph: Graph, limit: int = MAX_PARAMETERS) -> int:
    """The trainable parameter count, or BuildError when it is above ``limit``."""
    result = shapes.infer(graph)
    count = result.parameters
    if count is not None and count > limit:
        raise BuildError(_("The model has {count} trainable parameters; the limit is {limit} "
                           "(about {mib} MiB of float32 weights). Make the layers smaller.").format(
                               count=f"{count:,}", limit=f"{limit:,}", mib=f"{limit * 4 // 2**20:,}"))
    return count or 0


def build_model(graph: Graph, style: str = "class") -> nn.Module:
    """A freshly initialised module for ``graph`` (uses torch's global RNG)."""
    check_size(graph)
    source = model_source(graph, style)
    return _execute(source)()


def seeded_model(graph: Graph, seed: int = 0, style: str = "class") -> nn.Module:
    """``build_model`` with initial weights fixed by ``seed``; the global RNG is left untouched."""
    check_size(graph)
    source = model_source(graph, style)
    factory = _execute(source)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return factory()


def restyle_state(graph: Graph, state: dict, style: str) -> dict:
    """A class-style ``state_dict`` (the app's model, the ``train`` command's weights) with ``style``'s keys.

    The compact style of a graph that branches holds chains of layers in
    nn.Sequential blocks (``stem.conv1.weight`` for ``conv1.weight``); keys
    that belong to no layer are left as they are.
    """
    source, target = codegen.module_paths(graph, "class"), codegen.module_paths(graph, style)
    renamed = {source[n]: target[n] for n in source if n in target and source[n] != target[n]}
    if not renamed:
        return dict(state)
    out = {}
    for key, value in state.items():
        head, dot, rest = key.partition(".")
        out[f"{renamed[head]}.{rest}" if dot and head in renamed else key] = value
    return out


def _execute(source: str):
    # A unique file name registered in linecache lets tracebacks and
    # inspect.getsource show the generated lines.
    filename = f"<netdesigner model {hashlib.sha1(source.encode('utf-8')).hexdigest()[:12]}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    namespace = {"__name__": "netdesigner_model", "__builtins__": __builtins__}
    exec(compile(source, filename, "exec"), namespace)
    return namespace["build_model"]
