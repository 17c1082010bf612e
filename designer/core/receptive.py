"""Receptive fields: which input pixels one output cell of a node sees.

For a node whose output is ``(C, H, W)`` and whose every path from Input
runs through convolutions, pools and shape-keeping layers, output cell
``(i, j)`` sees the input rectangle that starts at ``start + (i, j) * jump``
and is ``size`` pixels tall and wide (before clipping to the image; ``start``
is negative where padding reaches outside it). Per layer, with the input's
field ``(size, jump, start)``:

    size' = size + dilation·(kernel − 1)·jump
    jump' = jump · stride
    start' = start − padding · jump

Through a merge the field is the union over its inputs, which is again one
rectangle per cell when the inputs' jumps agree. Anything else (Flatten,
Linear, adaptive pools, ConvTranspose2d, a merge of different jumps or a
broadcast) has no field: the output no longer maps to image positions.

A block instance passes its input's field through its definition, as
inferred for its own arguments (``NodeResult.inner``).
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.core.graph import Graph

Pair = tuple[int, int]

# Layers whose output cell (c, i, j) depends on the input at (·, i, j) only.
SHAPE_KEEPING = frozenset({"ReLU", "LeakyReLU", "Sigmoid", "Tanh", "GELU", "BatchNorm2d", "Dropout", "Dropout2d",
                           "Identity", "ReLU6", "Hardswish", "Hardsigmoid", "SiLU", "ELU", "PReLU", "AlphaDropout",
                           "ChannelShuffle"})
PADS = frozenset({"ZeroPad2d", "ReflectionPad2d"})
SOFTMAXES = frozenset({"Softmax", "LogSoftmax"})


@dataclass(frozen=True)
class Field:
    """One output cell's window in input pixels, per axis (height, width)."""

    size: Pair
    jump: Pair
    start: Pair

    def region(self, i: int, j: int) -> tuple[int, int, int, int]:
        """Rows top..bottom and columns left..right (inclusive) that cell (i, j) sees, before clipping."""
        top = self.start[0] + i * self.jump[0]
        left = self.start[1] + j * self.jump[1]
        return top, top + self.size[0] - 1, left, left + self.size[1] - 1


INPUT_FIELD = Field((1, 1), (1, 1), (0, 0))


def receptive_fields(graph: Graph, shapes, start: Field = INPUT_FIELD) -> dict[str, Field | None]:
    """A field (or None) for every node on the model of ``shapes`` (a ``ModelShapes`` of ``graph``).

    ``start`` is the Input's field: a block's definition starts from its instance's input field.
    """
    on_model = set(shapes.path)
    before: dict[str, list[str]] = {n: [] for n in on_model}
    after: dict[str, list[str]] = {n: [] for n in on_model}
    for src, dst in graph.edges:  # edge order is a merge's input order
        if src in on_model and dst in on_model:
            before[dst].append(src)
            after[src].append(dst)
    fields: dict[str, Field | None] = {}
    for node_id in _topological(shapes.path, before, after):
        result = shapes.nodes.get(node_id)
        if result is None or result.error is not None or result.out_shape is None or len(result.out_shape) != 3:
            fields[node_id] = None
            continue
        node = graph.nodes[node_id]
        if node.type == "Input":
            fields[node_id] = start
            continue
        inputs = before[node_id]
        given = [fields.get(p) for p in inputs]
        if not given or any(f is None for f in given):
            fields[node_id] = None
        elif result.inner is not None:
            inner = result.inner
            fields[node_id] = receptive_fields(graph.blocks[node.type].graph, inner, given[0]).get(inner.path[-1])
        elif len(given) > 1 or node.type in ("Add", "Concat", "Mul"):
            in_shapes = [shapes.nodes[p].out_shape for p in inputs]
            fields[node_id] = _union(given, in_shapes, result.out_shape, result.resolved or {}, node.type)
        else:
            fields[node_id] = _through(node.type, result.resolved or {}, given[0])
    return fields


def fields_inside(graph: Graph, shapes, level, start: Field = INPUT_FIELD) -> dict[str, Field | None]:
    """The fields of the definition entered through the instances ``level`` (ids, outermost first).

    Each definition starts from the field of what feeds its instance, so the same inner node has another
    field in each instance. Empty where an instance on the way has no shapes (it is not on the model).
    """
    fields = receptive_fields(graph, shapes, start)
    for node_id in level:
        node = graph.nodes.get(node_id)
        result = shapes.nodes.get(node_id)
        if node is None or node.type not in graph.blocks or result is None or result.inner is None:
            return {}
        feeds = [p for p in graph.predecessors(node_id) if p in shapes.nodes]
        start = fields.get(feeds[0]) if len(feeds) == 1 else None
        graph, shapes = graph.blocks[node.type].graph, result.inner
        fields = receptive_fields(graph, shapes, start)
    return fields


def field_of(graph: Graph, shapes, ids) -> Field | None:
    """The field of the node reached through ``ids`` (instance ids, then the node's): ``("n7", "n1")``."""
    return fields_inside(graph, shapes, list(ids)[:-1]).get(list(ids)[-1]) if ids else None


def _topological(nodes: list[str], before: dict, after: dict) -> list[str]:
    """``nodes`` ordered so that each comes after its predecessors (the given order breaks ties)."""
    waiting = {n: len(before[n]) for n in nodes}
    order = [n for n in nodes if waiting[n] == 0]
    index = 0
    while index < len(order):
        for succ in after[order[index]]:
            if succ in waiting:
                waiting[succ] -= 1
                if waiting[succ] == 0:
                    order.append(succ)
        index += 1
    return order


def _through(layer_type: str, p: dict, field: Field) -> Field | None:
    if layer_type in SHAPE_KEEPING:
        return field
    if layer_type in SOFTMAXES:
        # Over the channels (dim 1 of (N, C, H, W), also torch's implicit choice) each cell keeps its place.
        return field if p.get("dim") in (None, 1, -3) else None
    if layer_type == "Conv2d":
        kernel, dilation = p["kernel_size"], p["dilation"]
        padding = p["padding"]
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":  # torch pads dilation·(kernel−1) in all, the smaller half before
            padding = tuple((d * (k - 1)) // 2 for k, d in zip(kernel, dilation))
        return _window(field, kernel, p["stride"], padding, dilation)
    if layer_type in PADS:  # a 1×1 window moved by the top and left padding (a mirrored border is seen as padding)
        left, _right, top, _bottom = p["padding"]
        return _window(field, (1, 1), (1, 1), (top, left), (1, 1))
    if layer_type == "Slice":  # channels: each cell keeps its place; rows or columns: a crop moves the window
        axis = p["dim"] % 4  # the output is (C, H, W)
        if axis == 1:
            return field
        offset = (p["start"], 0) if axis == 2 else (0, p["start"])
        return _window(field, (1, 1), (1, 1), (-offset[0], -offset[1]), (1, 1))
    if layer_type == "MaxPool2d":
        stride = p["stride"] if p["stride"] is not None else p["kernel_size"]
        return _window(field, p["kernel_size"], stride, p["padding"], p["dilation"])
    if layer_type == "AvgPool2d":
        stride = p["stride"] if p["stride"] is not None else p["kernel_size"]
        return _window(field, p["kernel_size"], stride, p["padding"], (1, 1))
    return None


def _window(field: Field, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> Field:
    size = tuple(r + d * (k - 1) * j for r, k, d, j in zip(field.size, kernel, dilation, field.jump))
    jump = tuple(j * s for j, s in zip(field.jump, stride))
    start = tuple(a - pd * j for a, pd, j in zip(field.start, padding, field.jump))
    return Field(size, jump, start)


def _union(fields: list[Field], in_shapes: list, out_shape, params: dict, layer_type: str) -> Field | None:
    if layer_type == "Concat":
        dim = params.get("dim", 1)
        if dim not in (1, -3):  # joined along height or width: cells come from different inputs
            return None
    if any(tuple(s[1:]) != tuple(out_shape[1:]) for s in in_shapes):
        return None  # a broadcast input: its one cell is seen by every output cell
    jump = fields[0].jump
    if any(f.jump != jump for f in fields):
        return None
    start = tuple(min(f.start[a] for f in fields) for a in (0, 1))
    end = tuple(max(f.start[a] + f.size[a] for f in fields) for a in (0, 1))
    return Field((end[0] - start[0], end[1] - start[1]), jump, start)
