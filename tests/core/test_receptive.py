"""Receptive fields and jumps against torch gradients, for chains and for graphs that branch and join.

A random chain is run in torch with every weight 1, no bias, identity in
place of activations and averaging in place of max pooling, so that every
path from an input pixel to an output cell carries a positive gradient. The
input pixels with a non-zero gradient for one output cell are then exactly
the pixels that cell sees: their bounding box must be the computed window
(for a cell whose window lies inside the image) or lie within it, clipped
to the image (for a cell whose window reaches into the padding).
"""

from __future__ import annotations

import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from torch import nn

from designer.core.graph import Graph
from designer.core.receptive import Field, receptive_fields
from designer.core.shapes import infer

torch.set_num_threads(1)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None, max_examples=150)


def _pair(lo: int, hi: int):
    return st.tuples(st.integers(lo, hi), st.integers(lo, hi))


@st.composite
def layer(draw):
    kind = draw(st.sampled_from(["Conv2d", "Conv2d", "MaxPool2d", "AvgPool2d", "ReLU", "BatchNorm2d"]))
    if kind == "Conv2d":
        params = {"kernel_size": draw(_pair(1, 4)), "dilation": draw(_pair(1, 3))}
        if draw(st.booleans()):
            params["padding"] = "same"
        else:
            params["stride"], params["padding"] = draw(_pair(1, 3)), draw(_pair(0, 2))
        return kind, params
    if kind in ("MaxPool2d", "AvgPool2d"):
        kernel = draw(_pair(1, 3))
        params = {"kernel_size": kernel, "stride": draw(_pair(1, 3)),
                  "padding": tuple(draw(st.integers(0, k // 2)) for k in kernel)}
        if kind == "MaxPool2d" and draw(st.booleans()):
            params["dilation"] = draw(_pair(1, 2))
        else:
            params["ceil_mode"] = draw(st.booleans())
        return kind, params
    return kind, {}


def build(size: tuple[int, int], chain: list[tuple[str, dict]]) -> tuple[Graph, list[str]]:
    graph = Graph()
    previous = graph.add_node("Input", {"shape": [1, *size]}).id
    ids = [previous]
    for kind, params in chain:
        params = dict(params)
        if kind == "Conv2d":
            params.update(in_channels=1, out_channels=1)
        elif kind == "BatchNorm2d":
            params["num_features"] = 1
        node = graph.add_node(kind, params)
        graph.connect(previous, node.id)
        previous = node.id
        ids.append(previous)
    return graph, ids


def positive_module(kind: str, p: dict) -> nn.Module:
    """The layer with unit weights, identity activations and averaging pools."""
    if kind == "Conv2d":
        conv = nn.Conv2d(1, 1, p["kernel_size"], stride=p.get("stride", 1), padding=p["padding"],
                         dilation=p["dilation"], bias=False)
        nn.init.ones_(conv.weight)
        return conv
    if kind == "MaxPool2d" and "dilation" in p:  # averaging has no dilation; a unit depthwise conv has
        conv = nn.Conv2d(1, 1, p["kernel_size"], stride=p["stride"], padding=p["padding"], dilation=p["dilation"],
                         bias=False)
        nn.init.ones_(conv.weight)
        return conv
    if kind in ("MaxPool2d", "AvgPool2d"):
        return nn.AvgPool2d(p["kernel_size"], p["stride"], p["padding"], ceil_mode=p.get("ceil_mode", False))
    return nn.Identity()


def seen_boxes(model: nn.Module, size: tuple[int, int]) -> torch.Tensor:
    """Per output cell (of channel 0), the bounding box of input pixels with a non-zero gradient."""
    x = torch.rand(1, 1, *size, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda t: model(t)[0, 0], x, vectorize=True)[:, :, 0, 0]
    return jac != 0  # (H', W', H, W)


def check_field(field: Field, seen: torch.Tensor, size: tuple[int, int]) -> int:
    """Compare every output cell; returns how many cells lay wholly inside the image."""
    inside = 0
    height, width = size
    for i in range(seen.shape[0]):
        for j in range(seen.shape[1]):
            rows = seen[i, j].any(dim=1).nonzero().flatten()
            cols = seen[i, j].any(dim=0).nonzero().flatten()
            top, bottom, left, right = field.region(i, j)
            if top >= 0 and left >= 0 and bottom < height and right < width:
                inside += 1
                assert (rows.min(), rows.max(), cols.min(), cols.max()) == (top, bottom, left, right), (i, j)
            elif len(rows):
                assert rows.min() >= top and rows.max() <= bottom and cols.min() >= left and cols.max() <= right
    return inside


@settings(**SETTINGS)
@given(size=_pair(6, 24), chain=st.lists(layer(), min_size=1, max_size=4))
def test_receptive_field_is_the_input_region_with_nonzero_gradient(size, chain):
    graph, ids = build(size, chain)
    shapes = infer(graph)
    assume(shapes.valid)
    fields = receptive_fields(graph, shapes)
    model = nn.Sequential(*(positive_module(kind, p) for kind, p in chain)).double()
    seen = seen_boxes(model, size)
    last = fields[ids[-1]]
    assert last is not None
    assert tuple(seen.shape[:2]) == shapes.nodes[ids[-1]].out_shape[1:]
    check_field(last, seen, size)


def test_lenet_fields_and_where_they_end():
    graph, ids = build((28, 28), [("Conv2d", {"kernel_size": 5, "padding": 2}), ("ReLU", {}),
                                  ("MaxPool2d", {"kernel_size": 2}),
                                  ("Conv2d", {"kernel_size": 5}), ("MaxPool2d", {"kernel_size": 2})])
    flatten = graph.add_node("Flatten")
    graph.connect(ids[-1], flatten.id)
    fc = graph.add_node("Linear", {"in_features": 400, "out_features": 10})
    graph.connect(flatten.id, fc.id)
    fields = receptive_fields(graph, infer(graph))
    assert [fields[n].size for n in ids] == [(1, 1), (5, 5), (5, 5), (6, 6), (14, 14), (16, 16)]
    assert [fields[n].jump for n in ids] == [(1, 1), (1, 1), (1, 1), (2, 2), (2, 2), (4, 4)]
    assert fields[ids[1]].start == (-2, -2)
    assert fields[flatten.id] is None and fields[fc.id] is None


def test_no_field_past_adaptive_pools_transposed_convs_or_for_vectors():
    graph, ids = build((8, 8), [("Conv2d", {"kernel_size": 3})])
    ada = graph.add_node("AdaptiveAvgPool2d", {"output_size": 2})
    graph.connect(ids[-1], ada.id)
    relu = graph.add_node("ReLU")
    graph.connect(ada.id, relu.id)
    deconv = graph.add_node("ConvTranspose2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 2})
    graph.connect(relu.id, deconv.id)
    off = graph.add_node("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3})
    fields = receptive_fields(graph, infer(graph))
    assert fields[ids[-1]].size == (3, 3)
    assert fields[ada.id] is None and fields[relu.id] is None and fields[deconv.id] is None
    assert off.id not in fields  # a scratch block is not part of the model

    vector = Graph()
    vector.add_node("Input", {"shape": [10]})
    assert list(receptive_fields(vector, infer(vector)).values()) == [None]


def test_softmax_over_channels_keeps_the_field_but_over_positions_ends_it():
    for dim, keeps in ((1, True), (None, True), (2, False), (-1, False)):
        graph, ids = build((8, 8), [("Conv2d", {"kernel_size": 3})])
        soft = graph.add_node("Softmax", {} if dim is None else {"dim": dim})
        graph.connect(ids[-1], soft.id)
        field = receptive_fields(graph, infer(graph))[soft.id]
        assert (field is not None) == keeps, dim


# Graphs that branch and join ----------------------------------------------------------

@st.composite
def branching(draw):
    """Blocks over a 1-channel image: a residual Add, a strided projection Add, or a Concat of branches."""
    blocks = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["residual", "projection", "concat", "chain"]))
        if kind == "chain":
            blocks.append(("chain", draw(layer())))
        else:
            k = [draw(st.sampled_from([1, 3, 5])) for _ in range(3)]
            d = [draw(st.integers(1, 2)) for _ in range(3)]
            blocks.append((kind, k, d, draw(st.integers(1, 2))))
    return blocks


def build_branching(size, blocks):
    """The graph, and a torch function that runs it with positive modules node by node."""
    graph = Graph()
    start = graph.add_node("Input", {"shape": [1, *size]}).id
    steps: list[tuple[str, object, list[str]]] = []  # (node id, module or merge kind, inputs)

    def add(kind, params, sources, module):
        node = graph.add_node(kind, params)
        for port, source in enumerate(sources):
            graph.connect(source, node.id, {"port": port} if len(sources) > 1 else None)
        steps.append((node.id, module, sources))
        return node.id

    def conv(source, k, d, stride=1):
        p = {"in_channels": 1, "out_channels": 1, "kernel_size": k, "dilation": d, "stride": stride,
             "padding": d * (k - 1) // 2}
        return add("Conv2d", p, [source], positive_module("Conv2d", p))

    current = start
    for block in blocks:
        if block[0] == "chain":
            kind, params = block[1]
            if kind == "Conv2d":
                params = dict(params, in_channels=1, out_channels=1)
            elif kind == "BatchNorm2d":
                params = {"num_features": 1}
            current = add(kind, params, [current], positive_module(kind, params))
            continue
        kind, k, d, stride = block
        if kind == "residual":
            x = conv(conv(current, k[0], d[0]), k[1], d[1])
            current = add("Add", {}, [x, current], "add")
        elif kind == "projection":
            x = conv(current, k[0], d[0], stride)
            skip = conv(current, 1, 1, stride)
            current = add("Add", {}, [x, skip], "add")
        else:
            branches = [conv(current, k[i], d[i]) for i in range(2)]
            current = add("Concat", {"dim": 1}, branches, "cat")
            current = add("Conv2d", {"in_channels": 2, "out_channels": 1, "kernel_size": 1},
                          [current], _unit_conv(2))

    def run(x):
        values = {start: x}
        for node_id, module, sources in steps:
            inputs = [values[s] for s in sources]
            if module == "add":
                values[node_id] = torch.stack(inputs).sum(0)
            elif module == "cat":
                values[node_id] = torch.cat(inputs, dim=1)
            else:
                values[node_id] = module.double()(inputs[0])
        return values[current]

    return graph, current, run


def _unit_conv(channels: int) -> nn.Module:
    conv = nn.Conv2d(channels, 1, 1, bias=False)
    nn.init.ones_(conv.weight)
    return conv


@settings(**SETTINGS)
@given(size=_pair(8, 20), blocks=branching())
def test_receptive_field_through_merges_is_the_union_torch_sees(size, blocks):
    graph, last, run = build_branching(size, blocks)
    shapes = infer(graph)
    assume(shapes.valid)
    field = receptive_fields(graph, shapes)[last]
    assert field is not None
    x = torch.rand(1, 1, *size, dtype=torch.float64)
    seen = torch.autograd.functional.jacobian(lambda t: run(t)[0, 0], x, vectorize=True)[:, :, 0, 0] != 0
    assert tuple(seen.shape[:2]) == shapes.nodes[last].out_shape[1:]
    check_field(field, seen, size)


def test_a_broadcast_add_or_a_concat_over_positions_has_no_field():
    graph, ids = build((8, 8), [("Conv2d", {"kernel_size": 3, "padding": 1})])
    squeeze = graph.add_node("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 8})  # (1, 1, 1)
    graph.connect(ids[0], squeeze.id)
    add = graph.add_node("Add")
    graph.connect(ids[1], add.id, {"port": 0})
    graph.connect(squeeze.id, add.id, {"port": 1})
    wide = graph.add_node("Concat", {"dim": 3})
    graph.connect(ids[1], wide.id, {"port": 0})
    graph.connect(ids[0], wide.id, {"port": 1})
    fields = receptive_fields(graph, infer(graph))
    assert fields[squeeze.id].size == (8, 8)
    assert fields[add.id] is None
