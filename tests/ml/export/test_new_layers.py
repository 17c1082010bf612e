"""The newer layers end to end: generated code, a fresh process, ONNX through onnxruntime, receptive fields."""

from __future__ import annotations

import pytest
import torch

from designer.core import block_edits, codegen, receptive, shapes
from designer.core.graph import Graph
from designer.core.project import Project
from designer.ml import build
from designer.ml.export import onnx_export, verify
from tests.ml.export.test_export_roundtrip import export_project, one_thread, run_child  # noqa: F401 (a fixture)

CHAIN = [
    ("ZeroPad2d", {"padding": [1, 2, 0, 1]}), ("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3}),
    ("InstanceNorm2d", {"num_features": 8, "affine": True}), ("ReLU6", {}),
    ("ReflectionPad2d", {"padding": 1}), ("Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3}),
    ("GroupNorm", {"num_groups": 2, "num_channels": 8}), ("Hardswish", {}), ("ChannelShuffle", {"groups": 2}),
    ("PReLU", {"num_parameters": 8}),
]
TAIL = [
    ("Upsample", {"scale_factor": 2.0, "mode": "bilinear"}), ("SiLU", {}), ("ELU", {"alpha": 0.5}),
    ("AlphaDropout", {"p": 0.2}), ("Upsample", {"size": [6, 4]}), ("Slice", {"dim": -1, "start": 1, "end": 3}),
    ("AdaptiveMaxPool2d", {"output_size": 2}),
    ("LayerNorm", {"normalized_shape": [8, 2, 2]}), ("Flatten", {}),
    ("Unflatten", {"dim": 1, "unflattened_size": [2, 4, 4]}), ("Flatten", {}),
    ("Linear", {"in_features": 32, "out_features": 10}),
]


def every_new_layer() -> Graph:
    """A chain through every newer layer, with a split in two by Slices and a squeeze-and-excitation Mul."""
    graph = Graph()
    prev = graph.add_node("Input", {"shape": [3, 7, 6]}, node_id="input").id

    def then(source: str, kind: str, params: dict) -> str:
        node = graph.add_node(kind, params)
        graph.connect(source, node.id)
        return node.id

    for kind, params in CHAIN:
        prev = then(prev, kind, params)
    halves = [then(prev, "Slice", {"end": 4}), then(then(prev, "Slice", {"start": 4}), "Conv2d", {
        "in_channels": 4, "out_channels": 4, "kernel_size": 1})]  # ShuffleNet's x.chunk(2, dim=1)
    prev = graph.add_node("Concat", {}).id
    for port, half in enumerate(halves):
        graph.connect(half, prev, {"port": port})
    squeeze = then(prev, "AdaptiveAvgPool2d", {"output_size": 1})
    squeeze = then(squeeze, "Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 1})
    squeeze = then(squeeze, "Hardsigmoid", {})
    mul = graph.add_node("Mul", {})
    graph.connect(prev, mul.id)
    graph.connect(squeeze, mul.id)
    prev = mul.id
    for kind, params in TAIL:
        prev = then(prev, kind, params)
    return graph


def test_every_new_layer_infers_torchs_shapes_and_writes_code_torch_runs():
    graph = every_new_layer()
    result = shapes.infer(graph)
    assert result.valid, [(n, r.error) for n, r in result.nodes.items() if r.error]
    model = build.seeded_model(graph)
    code = codegen.generate(graph)
    assert "x * " in code or " * x" in code
    assert "= x[:, :4]" in code and "= x[:, 4:]" in code and "x = x[..., 1:3]" in code, code
    out = model.eval()(torch.randn(2, 3, 7, 6))
    assert out.shape == (2, 10) == (2, *result.output_shape)
    assert result.parameters == sum(p.numel() for p in model.parameters())


def test_every_new_layer_round_trips_through_a_fresh_process(tmp_path):
    project = Project(graph=every_new_layer(), name="new layers")
    run_child([export_project(project, tmp_path / "m", style) for style in ("class", "sequential")], tmp_path)


def test_every_new_layer_exports_to_onnx_with_the_same_outputs(tmp_path):
    graph = every_new_layer()
    model = build.seeded_model(graph)
    path = onnx_export.export_onnx(model, (3, 7, 6), tmp_path / "m.onnx")
    check = verify.verify_onnx(model, path, (3, 7, 6))
    assert check.ok, check.message


@pytest.mark.parametrize("pad", ["ZeroPad2d", "ReflectionPad2d"])
def test_a_pad_moves_the_receptive_field_by_its_top_and_left(pad):
    graph = Graph()
    source = graph.add_node("Input", {"shape": [1, 8, 8]}).id
    padded = graph.add_node(pad, {"padding": [2, 0, 1, 0]})
    conv = graph.add_node("Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3})
    graph.connect(source, padded.id)
    graph.connect(padded.id, conv.id)
    fields = receptive.receptive_fields(graph, shapes.infer(graph))
    # Output cell (0, 0) sees padded rows 0..2 and columns 0..2, which are input rows -1..1 and columns -2..0.
    assert fields[conv.id].region(0, 0) == (-1, 1, -2, 0)
    x = torch.zeros(1, 1, 8, 8, requires_grad=True)
    model = build.seeded_model(graph)
    model(x)[0, 0, 0, 0].backward()
    rows, cols = torch.nonzero(x.grad[0, 0], as_tuple=True)
    seen = (int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max()))
    assert seen[1] <= 1 and seen[3] <= 0 or pad == "ReflectionPad2d"


def test_an_adaptive_max_pool_onnx_cannot_express_is_named(tmp_path):
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.AdaptiveMaxPool2d((2, 3)))
    with pytest.raises(ValueError, match=r"1 pools 5×5 to 2×3"):
        onnx_export.export_onnx(model, (1, 7, 7), tmp_path / "m.onnx")
    assert isinstance(model[1], torch.nn.AdaptiveMaxPool2d)  # the model itself is left as it was


@pytest.mark.parametrize("dim, start, end", [(2, 2, None), (3, 1, 7), (1, 0, 2)])
def test_a_slice_moves_the_receptive_field_by_its_start_on_rows_and_columns(dim, start, end):
    graph = Graph()
    source = graph.add_node("Input", {"shape": [3, 8, 8]}).id
    cut = graph.add_node("Slice", {"dim": dim, "start": start, "end": end})
    conv = graph.add_node("Conv2d", {"in_channels": 3 if dim != 1 else 2, "out_channels": 1, "kernel_size": 3})
    graph.connect(source, cut.id)
    graph.connect(cut.id, conv.id)
    fields = receptive.receptive_fields(graph, shapes.infer(graph))
    x = torch.zeros(1, 3, 8, 8, requires_grad=True)
    build.seeded_model(graph)(x)[0, 0, 1, 2].backward()
    rows, cols = torch.nonzero(x.grad[0].abs().sum(0), as_tuple=True)
    assert fields[conv.id].region(1, 2) == (int(rows.min()), int(rows.max()), int(cols.min()), int(cols.max()))


def test_a_block_whose_slice_reads_an_argument_keeps_it_for_forward():
    graph = Graph()
    source = graph.add_node("Input", {"shape": [6, 4, 4]}).id
    left, right = graph.add_node("Slice", {"end": 2}).id, graph.add_node("Slice", {"start": 2}).id
    relu, cat = graph.add_node("ReLU", {}).id, graph.add_node("Concat", {}).id
    for src, dst in ((source, left), (source, right), (right, relu)):
        graph.connect(src, dst)
    graph.connect(left, cat, {"port": 0})
    graph.connect(relu, cat, {"port": 1})
    block, instance = block_edits.make_block(graph, [left, right, relu, cat], "Halves")
    graph.blocks.set_args("Halves", {"split": 2})
    inner = {n.type + str(n.params): n.id for n in block.graph.nodes.values()}
    block.graph.set_param(inner["Slice{'end': 2}"], "end", "$split")
    block.graph.set_param(inner["Slice{'start': 2}"], "start", "$split")
    graph.set_param(instance, "split", 4)
    code = codegen.generate(graph)
    assert "self.split = split" in code and "x[:, :self.split]" in code and "x[:, self.split:]" in code, code
    x = torch.randn(2, 6, 4, 4)
    out = build.seeded_model(graph)(x)
    assert torch.equal(out, torch.cat([x[:, :4], torch.relu(x[:, 4:])], dim=1))
