"""Reshapes and slices that real files write by hand import as the layer they mean.

A GAN generator's ``x.view(N, C, H, W)`` after a Linear is an Unflatten;
ShuffleNet's channel shuffle by ``view``, ``transpose`` and ``view`` is a
ChannelShuffle; ``x.chunk(2, dim=1)`` and ``x[:, :c]`` are Slices. Each
result is checked layer by layer against the file's model (the importer's
own check).
"""

from __future__ import annotations

import textwrap

import pytest

from designer.core import codegen
from designer.core import project as project_io
from tests.ml.importing.flat import flat
from tests.ml.importing.test_import import HEADER, _in_process, _types

GENERATOR = HEADER + textwrap.dedent("""
    class Generator(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 16 * 4 * 4)
            self.up = nn.ConvTranspose2d(16, 3, 4, 2, 1)

        def forward(self, z):
            x = F.relu(self.fc(z))
            x = {view}
            return torch.tanh(self.up(x))
    """)
VIEWS = ["x.view(z.size(0), 16, 4, 4)", "x.view(-1, 16, 4, 4)", "x.reshape(x.size(0), 16, 4, 4)",
         "x.unflatten(1, (16, 4, 4))", "x.view(x.shape[0], 16, -1, 4)"]


@pytest.mark.parametrize("view", VIEWS)
def test_a_generator_viewing_a_linear_as_an_image_gets_unflatten(tmp_path, view):
    result = _in_process(tmp_path, GENERATOR.format(view=view))
    assert result.ok and result.check.ok and not result.problems, result.report()
    assert _types(result) == ["Linear", "ReLU", "Unflatten", "ConvTranspose2d", "Tanh"]
    graph = flat(result.project.graph)
    unflatten = next(n for n in graph.nodes.values() if n.type == "Unflatten")
    assert unflatten.params == {"dim": 1, "unflattened_size": [16, 4, 4]}
    assert result.input_shape == (8,)


SQUEEZE = HEADER + textwrap.dedent("""
    class SqueezeExcite(nn.Module):
        def __init__(self, channels=8, reduction=4):
            super().__init__()
            self.fc1 = nn.Linear(channels, channels // reduction)
            self.fc2 = nn.Linear(channels // reduction, channels)

        def forward(self, x):
            b, c, _, _ = x.size()
            y = F.adaptive_avg_pool2d(x, 1).view(b, c)
            y = torch.sigmoid(self.fc2(F.relu(self.fc1(y)))).view(b, c, 1, 1)
            return x * y


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, padding=1)
            self.se = SqueezeExcite()

        def forward(self, x):
            return self.se(self.conv(x))
    """)


def test_squeeze_excitation_with_linear_layers_views_the_weights_back_as_channels(tmp_path):
    result = _in_process(tmp_path, SQUEEZE, input_shape=[3, 8, 8])
    assert result.ok and result.check.ok, result.report()
    assert _types(result) == ["Conv2d", "AdaptiveAvgPool2d", "Flatten", "Linear", "ReLU", "Linear", "Sigmoid",
                              "Unflatten", "Mul"]


def test_a_reshape_that_moves_values_between_dimensions_is_still_refused(tmp_path):
    text = GENERATOR.format(view="x.view(-1, 4, 16, 4).transpose(1, 2).reshape(-1, 16, 4, 4)")
    result = _in_process(tmp_path, text)
    assert not result.ok and "swapping dimensions has no block" in result.error, result.report()


SHUFFLE = HEADER + textwrap.dedent("""
    def channel_shuffle(x, groups):
        b, c, h, w = x.size()
        {shuffle}
        return x


    class Unit(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(6, 6, 1, groups=3)
            self.conv2 = nn.Conv2d(6, 6, 1, groups=3)

        def forward(self, x):
            x = channel_shuffle(F.relu(self.conv1(x)), 3)
            return self.conv2(x)
    """)
SHUFFLES = [
    "x = x.view(b, groups, c // groups, h, w); x = torch.transpose(x, 1, 2).contiguous(); x = x.view(b, -1, h, w)",
    "x = x.reshape(b, groups, -1, h, w).transpose(1, 2).reshape(b, c, h, w)",
    "x = x.view(b, groups, c // groups, h, w).permute(0, 2, 1, 3, 4).contiguous().view(b, c, h, w)",
    "x = x.unflatten(1, (groups, -1)).swapaxes(2, 1).flatten(1, 2)",
]


@pytest.mark.parametrize("shuffle", SHUFFLES)
def test_a_channel_shuffle_written_by_hand_becomes_channel_shuffle(tmp_path, shuffle):
    result = _in_process(tmp_path, SHUFFLE.format(shuffle=shuffle), input_shape=[6, 5, 5])
    assert result.ok and result.check.ok and not result.problems, result.report()
    assert _types(result) == ["Conv2d", "ReLU", "ChannelShuffle", "Conv2d"]
    graph = flat(result.project.graph)
    assert next(n for n in graph.nodes.values() if n.type == "ChannelShuffle").params == {"groups": 3}


@pytest.mark.parametrize("shuffle, words", [
    # dimensions 2 and 3 swapped: the values move between positions, which no layer here does
    ("x = x.view(b, groups, c // groups, h, w).transpose(2, 3).reshape(b, c, h, w)", "swapping dimensions"),
    # the grouped tensor is used again: the three calls are not one layer
    ("y = x.view(b, groups, c // groups, h, w); x = y.transpose(1, 2).reshape(b, c, h, w) + y.reshape(b, c, h, w)",
     "more than three dimensions"),
])
def test_a_reshape_and_swap_that_is_not_a_shuffle_is_refused(tmp_path, shuffle, words):
    result = _in_process(tmp_path, SHUFFLE.format(shuffle=shuffle), input_shape=[6, 5, 5])
    assert not result.ok and words in result.error, result.report()


SPLIT = HEADER + textwrap.dedent("""
    class Unit(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 3, 3, padding=1)

        def forward(self, x):
            {split}
            return torch.cat((x1, self.conv(x2)), dim=1)
    """)
SPLITS = [
    ("x1, x2 = x.chunk(2, dim=1)", [(1, 0, 3), (1, 3, None)]),
    ("x1, x2 = torch.chunk(x, 2, 1)", [(1, 0, 3), (1, 3, None)]),
    ("x1, x2 = x.split(3, dim=1)", [(1, 0, 3), (1, 3, None)]),
    ("x1, x2 = torch.split(x, [3, 3], dim=-3)", [(1, 0, 3), (1, 3, None)]),
    ("x1, x2 = x[:, :3], x[:, 3:]", [(1, 0, 3), (1, 3, None)]),
    ("x1, x2 = x[:, -6:3], x[..., 3:, :, :]", [(1, 0, 3), (1, 3, None)]),
    ("x1, x2 = x.narrow(1, 0, 3), torch.narrow(x, 1, 3, 3)", [(1, 0, 3), (1, 3, None)]),
    ("x1, x2 = x[:, 1:4], x[:, 2:5]", [(1, 1, 4), (1, 2, 5)]),
]


@pytest.mark.parametrize("split, parts", SPLITS)
def test_a_split_of_the_channels_becomes_slices(tmp_path, split, parts):
    result = _in_process(tmp_path, SPLIT.format(split=split), input_shape=[6, 5, 5])
    assert result.ok and result.check.ok and not result.problems, result.report()
    graph = result.project.graph
    slices = [graph.nodes[n] for n in graph.model_path().nodes if graph.nodes[n].type == "Slice"]
    assert [(n.params.get("dim", 1), n.params.get("start", 0), n.params.get("end")) for n in slices] == parts
    code = codegen.generate(result.project)
    assert f"x[:, {parts[0][1] or ''}:{parts[0][2] or ''}]" in code, code
    assert result.project.extra["imported"] and project_io.from_dict(project_io.to_dict(result.project)).graph


def test_a_slice_of_rows_keeps_its_dimension(tmp_path):
    text = SPLIT.format(split="x1, x2 = x[:, :, 1:4], x[:, :, :3]")
    result = _in_process(tmp_path, text.replace("dim=1", "dim=2"), input_shape=[3, 5, 5])
    assert result.ok and result.check.ok, result.report()
    assert "x[:, :, 1:4]" in codegen.generate(result.project)


@pytest.mark.parametrize("split, words", [
    ("x1, x2 = x[:, :3], x[:, [3, 4, 5]]", "indexing (a number, None, a list or a tensor in x[...]) has no block"),
    ("x1, x2 = x[:, :3], x[:, ::2]", "a slice with a step (x[:, ::2]) has no block"),
    ("x1, x2 = x[:, :3, 1:], x[:, 3:, 1:]", "slicing two dimensions at once"),
    ("x1, x2 = x[:, :3][:1], x[:, 3:][:1]", "slicing the batch (dimension 0) has no block"),
    ("x1, x2 = x.chunk(2, dim=0); x1, x2 = x1[:, :3], x2[:, 3:]", "slicing the batch (dimension 0) has no block"),
])
def test_what_a_slice_cannot_be_is_refused_with_its_line(tmp_path, split, words):
    result = _in_process(tmp_path, SPLIT.format(split=split), input_shape=[6, 5, 5])
    assert not result.ok and words in result.error and "line 12" in result.error, result.report()
