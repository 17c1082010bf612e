"""The newer layers end to end: generated code, a fresh process, ONNX through onnxruntime, receptive fields."""

from __future__ import annotations

import pytest
import torch

from designer.core import codegen, receptive, shapes
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
    ("AlphaDropout", {"p": 0.2}), ("Upsample", {"size": [6, 4]}), ("AdaptiveMaxPool2d", {"output_size": 2}),
    ("LayerNorm", {"normalized_shape": [8, 2, 2]}), ("Flatten", {}),
    ("Unflatten", {"dim": 1, "unflattened_size": [2, 4, 4]}), ("Flatten", {}),
    ("Linear", {"in_features": 32, "out_features": 10}),
]


def every_new_layer() -> Graph:
    """A chain through every newer layer, with a squeeze-and-excitation Mul in the middle."""
    graph = Graph()
    prev = graph.add_node("Input", {"shape": [3, 7, 6]}, node_id="input").id

    def then(source: str, kind: str, params: dict) -> str:
        node = graph.add_node(kind, params)
        graph.connect(source, node.id)
        return node.id

    for kind, params in CHAIN:
        prev = then(prev, kind, params)
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
    assert "x * " in codegen.generate(graph) or " * x" in codegen.generate(graph)
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
