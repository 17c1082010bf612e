"""Import keeps the structure: the file's modules come back as blocks, and the model is still the file's.

Each ``nn.Module`` class used as a sub-module is a block (calls of one class with different layers are separate
definitions; the inner parameters that differ between calls are its arguments); an ``nn.Sequential`` or
``nn.ModuleList`` is a block named after its attribute. Whatever the nesting, the parameter count and outputs
are torch's, and the file's own ``state_dict`` loads strictly into the exported import (with its own keys
where torch's names are attribute names, numbered children included; through the key map where they are not,
as ``fuse.mix``).
"""

from __future__ import annotations

import keyword
import re
import textwrap

import pytest
import torch

from designer.core import codegen, shapes
from designer.core import project as project_io
from designer.core.codegen_blocks import TAKEN_ARGS
from designer.ml import build
from designer.ml.importing import importer
from tests.ml.importing.flat import flat
from tests.ml.importing.test_corpus import Case, _import, _original
from tests.ml.importing.test_import import HEADER, _in_process


def _top(graph):
    return [(graph.nodes[n].name, graph.nodes[n].type) for n in graph.model_path().nodes[1:]]


def _same_as_torch(case: Case, result: importer.ImportResult) -> None:
    assert result.ok and result.check.ok, result.report()
    original = _original(case)
    assert shapes.infer(result.project.graph).parameters == sum(p.numel() for p in original.parameters())
    exported = build.build_model(result.project.graph).eval()
    exported.load_state_dict(importer.remap(original.state_dict(), result.key_map), strict=True)
    x = torch.randn(2, *case.shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want, got = original(x), exported(x)
    assert torch.allclose(got, want, rtol=1e-4, atol=1e-5 * float(want.abs().max()))


def test_torchvision_resnet18_opens_as_stem_four_layers_pool_and_fc_with_basic_blocks_inside():
    case = Case("tv_resnet18.py", (3, 64, 64), "model")
    result = _import(case, case.shape)
    _same_as_torch(case, result)
    graph = result.project.graph
    assert _top(graph) == [("conv1", "Conv2d"), ("bn1", "BatchNorm2d"), ("relu", "ReLU"), ("maxpool", "MaxPool2d"),
                           ("layer1", "Layer1"), ("layer2", "Layer2"), ("layer3", "Layer3"), ("layer4", "Layer4"),
                           ("avgpool", "AdaptiveAvgPool2d"), (None, "Flatten"), ("fc", "Linear")]
    library = graph.blocks
    # BasicBlock with and without the downsample path: two definitions, eight calls
    assert _top(library["Layer1"].graph) == [("0", "BasicBlock"), ("1", "BasicBlock")]
    assert _top(library["Layer2"].graph) == [("0", "BasicBlock2"), ("1", "BasicBlock")]
    assert library.count("BasicBlock") == 5 and library.count("BasicBlock2") == 3
    assert "Downsample" in library.direct("BasicBlock2") and "Downsample" not in library.direct("BasicBlock")
    # the channels that differ between the calls are arguments; the layers inside read them
    assert list(library["BasicBlock2"].args) == ["in_channels", "out_channels"]
    assert list(library["BasicBlock"].args) == ["channels"]  # in and out are one width in every call
    inner = library["BasicBlock2"].graph
    conv1 = next(n for n in inner.nodes.values() if n.name == "conv1")
    assert conv1.params["in_channels"] == "$in_channels" and conv1.params["out_channels"] == "$out_channels"
    # exported back with torch's own keys: the original weights load strictly, with no key map
    assert all(path == ident for path, ident in result.key_map.items())
    exported = build.build_model(graph)
    exported.load_state_dict(_original(case).state_dict(), strict=True)
    source = codegen.generate(result.project)
    assert 'self.add_module("0", BasicBlock2(64, 128))' in source
    assert 'x = getattr(self, "0")(x)' in source
    assert "used 3 times in this model" in source.split("class Downsample(", 1)[1].split("def __init__")[0]
    assert "blocks from the file's modules: Downsample ×1, BasicBlock ×5, BasicBlock2 ×3, Layer1 ×1" in \
        result.report()


@pytest.mark.slow
def test_torchvision_mobilenet_v2_keeps_its_inverted_residuals():
    case = Case("tv_mobilenet_v2.py", (3, 64, 64), "model")
    result = _import(case, case.shape)
    _same_as_torch(case, result)
    graph = result.project.graph
    assert _top(graph) == [("features", "Features"), (None, "AdaptiveAvgPool2d"), (None, "Flatten"),
                           ("classifier", "Classifier")]
    residuals = [name for name in graph.blocks if name.startswith("InvertedResidual")]
    assert sum(graph.blocks.count(name) for name in residuals) == 17
    assert graph.blocks.count("Conv2dNormActivation") >= 2
    # the expansion is mid_channels; with a residual, input and output are one width
    assert list(graph.blocks["InvertedResidual2"].args) == ["in_channels", "out_channels", "mid_channels", "stride"]
    assert list(graph.blocks["InvertedResidual3"].args) == ["channels", "mid_channels"]
    _readable_arguments(result)


def _readable_arguments(result) -> None:
    """Every argument is a name the exported code can use as it is, never a numbered stand-in."""
    for name, block in result.project.graph.blocks.items():
        for arg in block.args:
            assert arg.isidentifier() and not keyword.iskeyword(arg) and arg not in TAKEN_ARGS, (name, arg)
            assert not re.fullmatch(r"arg\d+", arg), (name, arg)


PAIRS = HEADER + textwrap.dedent("""
    class Pair(nn.Module):
        def __init__(self, c_in, c_out, first, second):
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, c_out, 3, first, 1)
            self.conv2 = nn.Conv2d(c_out, c_out, 3, second, 1, groups=c_out if second == 2 else 1)

        def forward(self, x):
            return F.relu(self.conv2(F.relu(self.conv1(x))))


    net = nn.Sequential(Pair(3, 4, 1, 2), Pair(4, 8, 2, 1), Pair(8, 8, 1, 1), nn.AdaptiveAvgPool2d(1),
                        nn.Flatten(), nn.Linear(8, 2))
    """)


def test_arguments_are_named_for_their_parameter_and_their_layer_where_two_want_one_name(tmp_path):
    result = _in_process(tmp_path, PAIRS, input_shape=[3, 16, 16])
    assert result.ok and result.check.ok, result.report()
    pair = result.project.graph.blocks["Pair"]
    assert list(pair.args) == ["in_channels", "out_channels", "conv1_stride", "conv2_stride", "groups"]
    conv2 = next(n for n in pair.graph.nodes.values() if n.name == "conv2")
    assert conv2.params["stride"] == "$conv2_stride" and conv2.params["groups"] == "$groups"
    _readable_arguments(result)
    code = codegen.generate(result.project)
    assert "def __init__(self, in_channels, out_channels, conv1_stride, conv2_stride, groups):" in code
    assert "Pair(3, 4, 1, 2, 4)" in code


@pytest.mark.parametrize("case", [Case("zoo_resnet.py", (3, 32, 32), "ResNet18"),
                                  Case("course_containers.py", (1, 28, 28), "net"),
                                  Case("structure_mixed.py", (3, 16, 16), "net"),
                                  Case("structure_nested_widths.py", (3, 16, 16), "net")], ids=lambda c: c.file)
def test_corpus_files_import_as_blocks_with_torchs_parameters_weights_and_outputs(case):
    result = _import(case, case.shape)
    _same_as_torch(case, result)
    assert len(result.project.graph.blocks) >= 3
    _readable_arguments(result)


def test_a_block_class_with_different_channels_is_one_definition_and_a_list_is_named_after_its_attribute():
    case = Case("structure_mixed.py", (3, 16, 16), "net")
    result = _import(case, case.shape)
    graph = result.project.graph
    # Fuse takes two tensors: its layers stay at the top, and the report says why
    assert _top(graph) == [("stem", "ConvBNReLU"), ("stages", "Stages"), (None, "ReLU"), ("fuse.mix", "Conv2d"),
                           (None, "Add"), ("head", "Head")]
    assert any(line.startswith("fuse stays as layers, not a block: a block takes one input")
               for line in result.problems), result.problems
    library = graph.blocks
    assert library.count("ConvBNReLU") == 4 and list(library["ConvBNReLU"].args) == ["in_channels", "out_channels",
                                                                                       "stride"]
    stages = library["Stages"].graph
    assert [stages.nodes[n].params for n in stages.model_path().nodes[1:]] == [
        {"in_channels": 8, "out_channels": 16, "stride": 2}, {"in_channels": 16, "out_channels": 16, "stride": 1},
        {"in_channels": 16, "out_channels": 32, "stride": 2}]
    assert _top(library["Head"].graph) == [("0", "HeadItem"), ("1", "Linear")]
    # unpacked, it is the same layers as the file's forward
    assert [t for _n, t in _top(flat(graph))] == ["Conv2d", "BatchNorm2d", "ReLU"] * 4 + [
        "ReLU", "Conv2d", "Add", "AdaptiveAvgPool2d", "Flatten", "Linear"]


def test_each_call_of_a_shared_structure_passes_its_own_widths_down_to_the_nested_layers():
    case = Case("structure_nested_widths.py", (3, 16, 16), "net")
    result = _import(case, case.shape)
    _same_as_torch(case, result)
    library = result.project.graph.blocks
    assert library.count("FeaturesItem") == 3
    # each width is named for its place: the stage's input and output, each call's expansion
    assert list(library["FeaturesItem"].args) == ["in_channels", "out_channels", "inverted_0_mid_channels",
                                                  "inverted2_1_mid_channels", "kernel_size", "padding"]
    assert list(library["Inverted2"].args) == ["channels", "mid_channels", "kernel_size", "padding"]
    # the second call of a stage takes the stage's width; the stage passes it on as one of its arguments
    second = next(n for n in library["FeaturesItem"].graph.nodes.values() if n.name == "1")
    width = second.params["channels"]
    assert isinstance(width, str) and width.startswith("$")
    features = library["Features"].graph
    stages = [features.nodes[n] for n in features.model_path().nodes[1:] if features.nodes[n].type == "FeaturesItem"]
    assert [stage.params[width[1:]] for stage in stages] == [6, 8, 10]


@pytest.mark.slow
def test_torchvision_mnasnet_stacks_keep_their_own_widths():
    case = Case("tv_mnasnet.py", (3, 64, 64), "model")
    result = _import(case, case.shape)
    _same_as_torch(case, result)
    _readable_arguments(result)
    assert list(result.project.graph.blocks["_InvertedResidual2"].args) == ["channels", "mid_channels",
                                                                             "kernel_size", "padding"]


def test_an_imported_structure_exports_and_imports_again_to_the_same_blocks_and_weights(tmp_path):
    case = Case("zoo_resnet.py", (3, 32, 32), "ResNet18")
    first = _import(case, case.shape)
    assert first.ok, first.report()
    again = _in_process(tmp_path, codegen.generate(first.project), "exported.py", input_shape=list(case.shape))
    assert again.ok and again.check.ok, again.report()
    assert [t for _n, t in _top(again.project.graph)] == [t for _n, t in _top(first.project.graph)]
    assert sorted(again.project.graph.blocks) == sorted(first.project.graph.blocks)
    model = build.seeded_model(first.project.graph, 4).eval()
    back = build.build_model(again.project.graph).eval()
    back.load_state_dict(importer.remap(model.state_dict(), again.key_map), strict=True)
    x = torch.randn(2, *case.shape, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        assert torch.equal(back(x), model(x))
    saved = project_io.loads(project_io.dumps(again.project))
    assert shapes.infer(saved.graph).parameters == shapes.infer(first.project.graph).parameters


def test_a_dense_block_whose_layers_read_a_growing_list_imports_and_its_layers_are_told_once():
    # DenseLayer(features) joins a list that the block appends to after the call; the first joins one tensor
    case = Case("zoo_densenet.py", (3, 32, 32), "net")
    result = _import(case, case.shape)
    _same_as_torch(case, result)
    stays = [line for line in result.problems if "stays as layers" in line and "DenseLayer" in line]
    assert stays == ["dense1.layers.1 stays as layers, not a block: a block takes one input, but 2 wires from "
                     "different blocks come into the selection (and 3 more calls of DenseLayer)"]
    graph = result.project.graph
    # the two dense blocks share one definition; inside it, the first layer (one input) is a block
    assert graph.blocks.count("DenseBlock") == 2 and graph.blocks.count("DenseLayer") == 1


def test_a_class_keeps_its_name_when_a_container_inside_it_would_take_it():
    # UNet's DoubleConv keeps its layers in self.double_conv, an nn.Sequential: the class is DoubleConv
    result = _import(Case("seg_unet.py", (3, 64, 64), "UNet"), (3, 64, 64))
    library = result.project.graph.blocks
    assert library.direct("DoubleConv") == ["DoubleConvLayers"]
    assert library.count("DoubleConv") == 5 and "DoubleConv2" not in library


PARTS = HEADER + textwrap.dedent("""
    class Part(nn.Module):
        def __init__(self, start, end):
            super().__init__()
            self.start, self.end = start, end

        def forward(self, x):
            return x[:, self.start:self.end]


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.left, self.right = Part(0, 2), Part(2, None)
            self.conv = nn.Conv2d(4, 4, 1)

        def forward(self, x):
            return torch.cat([self.left(x), self.conv(self.right(x))], dim=1)
    """)


def test_calls_of_one_class_where_one_leaves_a_parameter_unset_share_a_definition_that_defaults_to_unset(tmp_path):
    result = _in_process(tmp_path, PARTS, input_shape=[6, 3, 3])
    assert result.ok and result.check.ok, result.report()
    graph = result.project.graph
    assert graph.blocks["Part"].args == {"start": 0, "end": None}
    calls = {graph.nodes[n].name: graph.nodes[n].params for n in graph.model_path().nodes if graph.nodes[n].name}
    assert calls["left"] == {"start": 0, "end": 2} and calls["right"] == {"start": 2}
    code = codegen.generate(result.project)
    assert "self.right = Part(2)" in code and "x[:, self.start:self.end]" in code, code
