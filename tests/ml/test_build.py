"""ml.build: the in-app module is the generated source, executed (seam 4)."""
import copy
from pathlib import Path

import pytest
import torch
from torch import nn

from designer.core import codegen, layers, project as project_io, shapes
from designer.core.graph import Graph
from designer.ml import build

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"


def chain(shape, *items) -> Graph:
    graph = Graph()
    prev = graph.add_node("Input", {"shape": list(shape)}, node_id="input")
    for item in items:
        node = graph.add_node(item[0], item[1], item[2] if len(item) > 2 else None)
        graph.connect(prev.id, node.id)
        prev = node
    return graph


def lenet() -> Graph:
    return project_io.load(EXAMPLES / "lenet-28.netproj.json").graph


def test_reserved_names_cover_this_torch():
    public = {n for n in dir(nn.Sequential()) + dir(nn.Module()) if not n.startswith("_")}
    assert public <= codegen.RESERVED, sorted(public - codegen.RESERVED)


def test_lenet_matches_shape_inference():
    graph = lenet()
    model = build.build_model(graph)
    inferred = shapes.infer(graph)
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, *inferred.output_shape)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == inferred.parameters == 61706
    assert list(model.state_dict())[:2] == ["conv1.weight", "conv1.bias"]
    assert type(model).__name__ == "Net"


def test_styles_share_keys_and_outputs():
    graph = lenet()
    net, seq = build.seeded_model(graph, 3), build.build_model(graph, "sequential")
    assert isinstance(seq, nn.Sequential)
    assert list(net.state_dict()) == list(seq.state_dict())
    seq.load_state_dict(net.state_dict(), strict=True)
    x = torch.randn(2, 1, 28, 28)
    assert torch.equal(net(x), seq(x))


# type -> (input shape, parameters that differ from torch's defaults)
NON_DEFAULT = {
    "Conv2d": ((2, 9, 9), {"in_channels": 2, "out_channels": 4, "kernel_size": [3, 2], "stride": [2, 1],
                           "padding": [1, 0], "dilation": [1, 2], "groups": 2, "bias": False,
                           "padding_mode": "reflect"}),
    "ConvTranspose2d": ((2, 5, 5), {"in_channels": 2, "out_channels": 4, "kernel_size": 3, "stride": 2,
                                    "padding": 1, "output_padding": 1, "groups": 2, "bias": False,
                                    "dilation": 1}),
    "MaxPool2d": ((2, 9, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1, "ceil_mode": True}),
    "AvgPool2d": ((2, 9, 9), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
                              "count_include_pad": False}),
    "AdaptiveAvgPool2d": ((2, 9, 9), {"output_size": [3, 2]}),
    "Linear": ((7,), {"in_features": 7, "out_features": 3, "bias": False}),
    "ReLU": ((4,), {"inplace": True}),
    "LeakyReLU": ((4,), {"negative_slope": 0.2, "inplace": True}),
    "Sigmoid": ((4,), {}),
    "Tanh": ((4,), {}),
    "GELU": ((4,), {"approximate": "tanh"}),
    "Softmax": ((4,), {"dim": 1}),
    "LogSoftmax": ((4,), {"dim": -1}),
    "BatchNorm2d": ((3, 4, 4), {"num_features": 3, "eps": 1e-3, "momentum": None, "affine": False,
                                "track_running_stats": False}),
    "BatchNorm1d": ((5,), {"num_features": 5, "eps": 0.01, "momentum": 0.5}),
    "Dropout": ((4,), {"p": 0.25, "inplace": True}),
    "Dropout2d": ((2, 3, 3), {"p": 0.75}),
    "Flatten": ((2, 3, 3), {"start_dim": 2, "end_dim": -1}),
    "Identity": ((4,), {}),
    "ReLU6": ((4,), {"inplace": True}),
    "Hardswish": ((4,), {"inplace": True}),
    "Hardsigmoid": ((4,), {"inplace": True}),
    "SiLU": ((4,), {"inplace": True}),
    "ELU": ((4,), {"alpha": 0.5, "inplace": True}),
    "PReLU": ((3, 4, 4), {"num_parameters": 3, "init": 0.1}),
    "ZeroPad2d": ((2, 4, 4), {"padding": [1, 2, 3, 0]}),
    "ReflectionPad2d": ((2, 4, 4), {"padding": 2}),
    "Upsample": ((2, 4, 4), {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True}),
    "InstanceNorm2d": ((3, 4, 4), {"num_features": 3, "eps": 1e-3, "momentum": 0.2, "affine": True,
                                   "track_running_stats": True}),
    "GroupNorm": ((4, 3, 3), {"num_groups": 2, "num_channels": 4, "eps": 1e-3, "affine": False}),
    "LayerNorm": ((2, 3, 3), {"normalized_shape": [3, 3], "eps": 1e-3, "elementwise_affine": True, "bias": False}),
    "AdaptiveMaxPool2d": ((2, 9, 9), {"output_size": [3, 2]}),
    "ChannelShuffle": ((4, 3, 3), {"groups": 2}),
    "Dropout1d": ((3, 5), {"p": 0.25}),
    "AlphaDropout": ((4,), {"p": 0.25}),
    "Unflatten": ((2, 12), {"dim": -1, "unflattened_size": [3, 4]}),
}


def test_every_catalog_type_reaches_torch_with_its_parameters():
    """Each layer's constructor, as generated, gives torch exactly the catalog's values."""
    assert set(NON_DEFAULT) == {s.type for s in layers.palette_types() if not s.merge and not s.expression}
    for type_name, (shape, params) in NON_DEFAULT.items():
        graph = chain(shape, (type_name, params))
        model = build.build_model(graph)
        module = getattr(model, codegen.identifiers(graph)["n1"])
        assert type(module) is getattr(nn, type_name)
        resolved = shapes.infer(graph).nodes["n1"].resolved
        for name, want in resolved.items():
            if name == "bias":
                got = module.bias is not None
            else:
                got = getattr(module, name)
                pair = layers.CATALOG[type_name].param(name).kind == "pair"
                if pair and isinstance(got, int):
                    got = (got, got)
            assert (tuple(got) if isinstance(got, list) else got) == want, (type_name, name, got, want)
        x = torch.randn(2, *shape)
        assert model.eval()(x).shape == (2, *shapes.infer(graph).output_shape), type_name


def test_seeded_model_is_reproducible_and_leaves_the_global_rng_alone():
    graph = lenet()
    torch.manual_seed(123)
    before = torch.get_rng_state()
    a, b, c = build.seeded_model(graph, 0), build.seeded_model(graph, 0), build.seeded_model(graph, 1)
    assert torch.equal(torch.get_rng_state(), before)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    assert not torch.equal(a.conv1.weight, c.conv1.weight)


def test_invalid_graph_raises_build_error_naming_the_node():
    graph = chain((1, 28, 28), ("Flatten", {}), ("Linear", {"in_features": 10, "out_features": 2}, "head"))
    with pytest.raises(build.BuildError, match=r"head \(Linear\).*in_features"):
        build.build_model(graph)


def test_absurd_sizes_are_refused_before_allocating():
    graph = chain((4096,), ("Linear", {"in_features": 4096, "out_features": 1 << 20}))
    with pytest.raises(build.BuildError, match="4,296,015,872 trainable parameters; the limit is 200,000,000"):
        build.build_model(graph)
    with pytest.raises(build.BuildError, match="limit"):
        build.seeded_model(graph)


def test_built_model_can_be_copied_and_traced():
    """Training keeps best-weights copies and the importer traces with torch.fx."""
    model = build.build_model(lenet())
    clone = copy.deepcopy(model)
    assert torch.equal(clone.fc3.weight, model.fc3.weight)
    traced = torch.fx.symbolic_trace(model)
    x = torch.randn(1, 1, 28, 28)
    assert torch.equal(traced(x), model(x))
    assert [n.target for n in traced.graph.nodes if n.op == "call_module"][:2] == ["conv1", "relu1"]
