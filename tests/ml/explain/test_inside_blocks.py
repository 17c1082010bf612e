"""Look inside, Explain, Health and the code map see through blocks: inner layers by their nested names."""

import types

import pytest
import torch

from designer.core import codegen, codemap, project
from designer.core.shapes import infer
from designer.headless.explain import _find_layer
from designer.ml import build
from designer.ml.explain.inside import capture, layers
from designer.ml.explain.numbers import ExplainError, for_node
from designer.ml.training.health import Probe
from designer.ml.training.loop import EpochEnd
from tests.core.block_projects import small_resnet


@pytest.fixture
def resnet():
    proj = project.from_dict(small_resnet())
    return proj.graph, build.seeded_model(proj.graph, 0).eval()


def _inferred(shapes, record):
    result = shapes.nodes[record.node_id]
    for inner_id in record.inner:
        result = result.inner.nodes[inner_id]
    return result.out_shape


def test_look_inside_records_every_inner_layer_with_its_nested_name_and_shape(resnet):
    graph, model = resnet
    shapes = infer(graph)
    x = torch.randn(1, 1, 16, 16, generator=torch.Generator().manual_seed(0))
    out, records = capture(model, x, shapes.path, graph)
    names = [r.name for r in records]
    assert names[:6] == ["stem", "layer1_0.conv1", "layer1_0.relu1", "layer1_0.conv2", "layer1_0.add1",
                         "layer1_1.conv1"]
    assert "layer2.down.bn1" in names and "layer2.block.add1" in names and names[-1] == "fc"
    conv = records[names.index("layer2.down.conv1")]
    assert (conv.node_id, conv.inner, conv.type) == ("s", ("d", "c1"), "Conv2d")
    for record in records:
        assert record.shape == _inferred(shapes, record), record.name
    add = records[names.index("layer1_0.add1")]  # a block's output merge is recorded as what the instance gives
    assert (add.node_id, add.inner, add.type) == ("b1", ("add",), "Add")
    assert torch.equal(add.output, model.layer1_0(model.stem(x))[0])


def test_explain_reaches_a_convolution_inside_a_nested_block(resnet):
    graph, model = resnet
    path = infer(graph).path
    assert _find_layer(graph, path, "layer2.down.conv1") == ("s", ("d", "c1"))
    x = torch.randn(1, 1, 16, 16)
    explainer = for_node(graph, path, model, x, "s", inner=("d", "c1"))
    assert explainer.type == "Conv2d" and explainer.out_shape == (16, 8, 8)
    assert explainer.p["in_channels"] == 8 and explainer.p["stride"] == (2, 2)
    with pytest.raises(ExplainError, match="no sliding window"):
        for_node(graph, path, model, x, "s", inner=("d", "bn"))


def test_health_names_the_layers_inside_blocks(resnet):
    graph, model = resnet
    assert "layer1_0.conv1" in dict(layers(model))
    data = types.SimpleNamespace(test_x=torch.randn(8, 1, 16, 16), raw=False)
    probe = Probe(model, data, samples=8)
    probe.start()
    report = probe.report(EpochEnd(1, 1, 1.0, 0.5, 1.0, 0.5, {}, 0.0, 0.0))
    by_name = {layer.name: layer for layer in report.layers}
    assert by_name["layer2.block.conv1"].type == "Conv2d" and by_name["layer1_1.relu1"].dead is not None


def test_the_code_map_links_instances_in_net_and_inner_layers_in_their_class(resnet):
    graph, _ = resnet
    source = codegen.generate(graph)
    lines = source.splitlines()
    top = codemap.node_lines(source, graph)
    assert [lines[n].strip() for n in top["b1"]] == ["self.layer1_0 = BasicBlock(8)",
                                                    "x = self.layer1_0(x)  # (N, 8, 16, 16)"]
    inner = codemap.block_lines(source, graph, "BasicBlock")
    assert [lines[n].strip() for n in inner["c1"]] == ["self.conv1 = nn.Conv2d(channels, channels, 3, "
                                                      "stride=stride, padding=1)", "x = self.conv1(x)"]
    assert all(n < source.splitlines().index("class Net(nn.Module):") for n in inner["c1"])


def test_nested_names_and_instances_are_the_built_models_module_names(resnet):
    """What the panels call a layer inside a block is its module in torch: ``layer2.block.conv1``."""
    from designer.core.codegen_blocks import instance_names, layer_paths, nested_name

    graph, model = resnet
    modules = dict(model.named_modules())
    for name, ids in layer_paths(graph).items():
        assert nested_name(graph, ids) == name and name in modules
    for block in ("BasicBlock", "DownBlock", "Stage"):
        assert instance_names(graph, block) == [n for n, m in model.named_modules() if type(m).__name__ == block]
    assert instance_names(graph, "BasicBlock") == ["layer1_0", "layer1_1", "layer2.block"]
    assert nested_name(graph, ("s", "b", "add")) == "layer2.block.add1"  # a merge: its display name, no module
    assert nested_name(graph, ("nowhere", "c1")) is None
