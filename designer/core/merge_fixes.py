"""Repairs for a merge whose inputs disagree, found on the graph around it.

Two repairs, the two a learner meets in every ResNet: give the branch the
skip's channels (``out_channels → 16`` on the Conv2d that sets them), or put
a 1×1 Conv2d on the skip path (a projection, strided when the branch
downsamples).
"""

from __future__ import annotations

from designer.core.i18n import _
from designer.core.rules import Fix, ShapeError, Shape

# Layers a branch's channels pass through unchanged, with no parameter of their own that counts channels.
PASSTHROUGH = frozenset({"ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "Dropout", "Dropout2d", "Identity", "ReLU6",
                         "Hardswish", "Hardsigmoid", "SiLU", "ELU", "AlphaDropout", "Dropout1d"})
CONVS = ("Conv2d", "ConvTranspose2d")
MAX_STRIDE = 255


def _fan_out(graph, node_id: str) -> int:
    return sum(1 for s, _ in graph.edges if s == node_id)


def _channel_source(graph, node_id: str) -> str | None:
    """The convolution that sets this branch's channels, if changing it changes nothing else."""
    current = node_id
    while True:
        if _fan_out(graph, current) != 1:
            return None
        node = graph.nodes[current]
        if node.type in CONVS:
            return current
        preds = graph.predecessors(current)
        if node.type not in PASSTHROUGH or len(preds) != 1:
            return None
        current = preds[0]


def _stride(size: int, target: int) -> int | None:
    """The stride of a 1×1 convolution that turns ``size`` into ``target`` (1 keeps it), or None."""
    if target in (1, size):
        return 1
    if target > size:
        return None
    stride = -(-size // target)
    return stride if stride <= MAX_STRIDE and (size - 1) // stride + 1 == target else None


def projection(skip: Shape, target: Shape) -> dict | None:
    if len(skip) != 3 or len(target) != 3:
        return None
    strides = [_stride(s, t) for s, t in zip(skip[1:], target[1:])]
    if None in strides:
        return None
    params = {"in_channels": skip[0], "out_channels": target[0] if target[0] != 1 else skip[0], "kernel_size": 1}
    if strides != [1, 1]:
        params["stride"] = strides[0] if strides[0] == strides[1] else strides
    return params


def suggest(graph, merge_id: str, inputs: list[str], shapes: tuple[Shape, ...], exc: ShapeError,
            names: dict[str, str]) -> tuple[Fix | None, str]:
    """A fix for an Add whose inputs disagree, and a sentence naming every fix found ('' when none)."""
    if graph.nodes[merge_id].type != "Add" or exc.inputs is None or exc.dim is None:
        return None, ""
    j, i = exc.inputs
    sides = ((inputs[j], shapes[j], shapes[i]), (inputs[i], shapes[i], shapes[j]))
    fixes: list[tuple[Fix, str]] = []
    rest_agrees = all(a == b or 1 in (a, b) for a, b in zip(shapes[j][1:], shapes[i][1:]))
    if exc.dim == 0 and rest_agrees:
        for source, own, other in sides:
            conv = _channel_source(graph, source)
            if conv is not None:
                name = names.get(conv, conv)
                label = _("set out_channels to {value} on {name}").format(value=other[0], name=name)
                fixes.append((Fix("set_param", label, param="out_channels", value=other[0], node_id=conv),
                              _("set out_channels → {value} on {name}").format(value=other[0], name=name)))
                break
    for source, own, other in reversed(sides):  # the skip is usually the later input
        if _fan_out(graph, source) < 2:
            continue
        params = projection(own, other)
        if params is not None:
            name = names.get(source, source)
            if "stride" in params:
                what = _("a 1×1 Conv2d ({c_in} → {c_out} channels, stride {stride})").format(
                    c_in=params["in_channels"], c_out=params["out_channels"], stride=params["stride"])
            else:
                what = _("a 1×1 Conv2d ({c_in} → {c_out} channels)").format(
                    c_in=params["in_channels"], c_out=params["out_channels"])
            label = _("insert {what} on the skip path from {name}").format(what=what, name=name)
            fixes.append((Fix("insert_on_edge", label, layer_type="Conv2d", layer_params=params,
                              edge=(source, merge_id)), label))
            break
    if not fixes:
        return None, ""
    return fixes[0][0], " " + _("Fix: {fixes}.").format(fixes=_(", or ").join(text for _f, text in fixes))
