"""Import never lies: what it cannot draw is refused by name and line, the check is layer by layer and relative,
the input shape comes from the file before any guess, and factories, losses and package imports are understood."""

from __future__ import annotations

import sys
import textwrap

from designer.ml.importing import child, importer
from tests.ml.importing.test_import import HEADER, _in_process, _types

BLOCKS = HEADER + textwrap.dedent("""
    class Block(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.conv = nn.Conv2d(channels, channels, 3, padding=1)

        def forward(self, x):
            return F.softmax(F.relu6(self.conv(x))) + x


    class Net(nn.Module):
        def __init__(self, width=4, depth=3):
            super().__init__()
            self.stem = nn.Conv2d(3, width, 3, stride=2, padding=1)
            self.blocks = nn.Sequential(*[Block(width) for _ in range(depth)])
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(width, 10)

        def forward(self, x):
            return self.fc(torch.flatten(self.pool(self.blocks(self.stem(x))), 1))
    """)


def test_identical_notes_become_one_line_with_a_count_and_the_first_place(tmp_path):
    result = _in_process(tmp_path, BLOCKS, input_shape=[3, 16, 16])
    assert result.ok and result.check.ok, result.report()
    assert _types(result).count("ReLU6") == 3
    notes = [p for p in result.problems if "without dim" in p]
    assert notes == ["line 12 `return F.softmax(F.relu6(self.conv(x))) + x`: Softmax without dim: torch picks dim=1; "
                     "the project says so (and 2 more times)"], result.problems


def test_every_operation_it_cannot_draw_is_listed_once_with_a_count(tmp_path):
    text = BLOCKS.replace("F.softmax(F.relu6(self.conv(x))) + x", "torch.clamp(self.conv(x), 0, 1)[:, [3, 2, 1, 0]]")
    result = _in_process(tmp_path, text, input_shape=[3, 16, 16])
    assert not result.ok and result.failure == importer.FAILED_MODEL
    assert result.unsupported == [
        "line 12 `return torch.clamp(self.conv(x), 0, 1)[:, [3, 2, 1, 0]]`: `clamp` has no block in NetDesigner "
        "(and 2 more times)",
        "line 12 `return torch.clamp(self.conv(x), 0, 1)[:, [3, 2, 1, 0]]`: indexing (a number, None, a list or a "
        "tensor in x[...]) has no block; a slice of one dimension (x[:, 2:5]) has (and 2 more times)"]
    assert result.error.startswith("forward does operations that NetDesigner cannot draw: line 12")


def test_a_wrong_layer_is_found_layer_by_layer_even_where_outputs_are_tiny(tmp_path):
    """A layer computed otherwise is named by its line, though the untrained outputs are ~1e-9."""
    text = HEADER + textwrap.dedent("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 4, 3)
                self.act = nn.ReLU6()
                self.fc = nn.Linear(4 * 6 * 6, 2)
                with torch.no_grad():
                    self.conv.weight.mul_(50)  # well above ReLU6's cap
                    self.fc.weight.mul_(1e-8)
                    self.fc.bias.zero_()

            def forward(self, x):
                return self.fc(torch.flatten(self.act(self.conv(x)), 1))
        """)
    (tmp_path / "model.py").write_text(text)
    request = {"catalog": importer.catalog_params(), "class": None, "input_shape": [1, 8, 8]}
    data, tensors = child.describe(str(tmp_path / "model.py"), request)
    assert float(tensors["output"].abs().max()) < 1e-6
    for entry in data["layers"]:  # what an importer that loses ReLU6's cap would build
        if entry.get("type") == "ReLU6":
            entry["type"] = "ReLU"
    result = importer.finish(importer.ImportResult(str(tmp_path / "model.py")), data, tensors)
    assert result.ok and not result.check.ok
    assert result.check.message.startswith("line 18 `return self.fc(torch.flatten(self.act(self.conv(x)), 1))` "
                                           "(ReLU): outputs differ")


FACTORY = HEADER + textwrap.dedent("""
    class ResNet(nn.Module):
        def __init__(self, widths, classes=10):
            super().__init__()
            self.conv = nn.Conv2d(3, widths[0], 3, padding=1)
            self.fc = nn.Linear(widths[0], classes)

        def forward(self, x):
            return self.fc(F.adaptive_avg_pool2d(F.relu(self.conv(x)), 1).flatten(1))


    def ResNet8():
        return ResNet([4])


    def ResNet16(classes=10):
        return ResNet([8], classes)


    def helper(x):
        return ResNet([2])


    criterion = nn.CrossEntropyLoss()
    # CIFAR-10 classifiers
    """)


def test_factories_are_models_a_loss_never_is_and_class_names_a_function(tmp_path):
    result = _in_process(tmp_path, FACTORY)
    assert result.ok, result.report()
    found = {f["name"]: f for f in result.found}
    assert set(found) == {"criterion", "ResNet8()", "ResNet16()"}  # the class is what the factories make
    assert found["criterion"]["note"] == "a loss, not a model" and not found["criterion"]["chosen"]
    assert result.chosen == "ResNet16()"  # the largest
    assert result.input_shape == (3, 32, 32)
    assert result.shape_source == "the CIFAR convention (3×32×32): the file speaks of CIFAR"
    chosen = _in_process(tmp_path, FACTORY, class_name="ResNet8")
    assert chosen.ok and chosen.chosen == "ResNet8()"
    loss = _in_process(tmp_path, FACTORY, class_name="criterion")
    assert not loss.ok and loss.error == "criterion: a loss, not a model"


def test_the_tensor_the_file_feeds_the_model_is_its_input_the_last_one_before_the_call(tmp_path):
    text = HEADER + textwrap.dedent("""
        net = nn.Sequential(nn.Conv2d(1, 4, 5), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
        X = torch.rand(1, 1, 64, 64)
        X = torch.rand(size=(1, 1, 96, 96))
        print(net(X).shape)
        X = torch.rand(1, 1, 40, 40)
        """)
    result = _in_process(tmp_path, text)
    assert result.ok and result.input_shape == (1, 96, 96)
    assert result.shape_source == "from the tensor X (1, 1, 96, 96) the file feeds the model (line 9)"


def test_a_model_that_runs_on_any_size_gets_at_least_its_total_stride(tmp_path):
    text = HEADER + textwrap.dedent("""
        net = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                            nn.Conv2d(4, 4, 3, stride=2, padding=1), nn.MaxPool2d(2, ceil_mode=True),
                            nn.Conv2d(4, 4, 3, stride=2, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        """)
    result = _in_process(tmp_path, text)
    assert result.ok and result.input_shape == (3, 32, 32)
    assert result.shape_source == ("assumed: the model runs on any size from 1×1; 32×32 is at least its total "
                                   "stride (32) and the tutorial's 28")


def test_a_relative_import_of_a_sibling_works_and_a_missing_one_is_named(tmp_path, monkeypatch):
    (tmp_path / "unet_parts.py").write_text(HEADER + "class Part(nn.Module):\n"
                                            "    def __init__(self):\n        super().__init__()\n"
                                            "        self.conv = nn.Conv2d(1, 2, 3)\n\n"
                                            "    def forward(self, x):\n        return self.conv(x)\n")
    text = HEADER + "from .unet_parts import *\n\n\nclass UNet(nn.Module):\n    def __init__(self):\n" \
        "        super().__init__()\n        self.part = Part()\n\n    def forward(self, x):\n" \
        "        return self.part(x)\n"
    result = _in_process(tmp_path, text, input_shape=[1, 8, 8])
    assert result.ok and result.chosen == "UNet", result.report()
    (tmp_path / "unet_parts.py").unlink()
    monkeypatch.delitem(sys.modules, "unet_parts")  # the import child is a fresh process each time
    missing = _in_process(tmp_path, text, name="unet_model.py", input_shape=[1, 8, 8])
    assert not missing.ok
    assert missing.error == ("no model could be built: UNet: UNet() failed: NameError: name 'Part' is not defined, "
                             "probably because line 5 `from .unet_parts import *` failed. Make one at module level "
                             "(model = Net(...)) or pass --class")


def test_a_global_average_by_mean_becomes_a_pool_and_a_flatten(tmp_path):
    text = HEADER + textwrap.dedent("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 8, 3, stride=2)
                self.fc = nn.Linear(8, 4)

            def forward(self, x):
                return self.fc(F.relu(self.conv(x)).mean([2, 3]))
        """)
    result = _in_process(tmp_path, text, input_shape=[3, 9, 9])
    assert result.ok and result.check.ok, result.report()
    assert _types(result) == ["Conv2d", "ReLU", "AdaptiveAvgPool2d", "Flatten", "Linear"]


UNET = HEADER + textwrap.dedent("""
    def double_conv(c_in, c_out):
        return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(c_out, c_out, 3, padding=1), nn.ReLU())


    class UNet(nn.Module):
        def __init__(self, widths=(2, 3, 4, 5, 6)):
            super().__init__()
            self.downs = nn.ModuleList([double_conv(1, widths[0])] + [
                nn.Sequential(nn.MaxPool2d(2), double_conv(a, b)) for a, b in zip(widths, widths[1:])])
            self.ups = nn.ModuleList([nn.ConvTranspose2d(b, a, 2, stride=2) for a, b in zip(widths, widths[1:])])
            self.joins = nn.ModuleList([double_conv(2 * a, a) for a in widths[:-1]])
            self.out = nn.Conv2d(widths[0], 2, 1)

        def forward(self, x):
            skips = []
            for down in self.downs:
                x = down(x)
                skips.append(x)
            for up, join, skip in reversed(list(zip(self.ups, self.joins, skips))):
                x = join(torch.cat([skip, up(x)], dim=1))
            return self.out(x)
    """)


def test_a_unet_gets_the_largest_aligned_side_its_bottleneck_sees_whole(tmp_path):
    # four halvings: every join lines up at multiples of 16, and the deepest layer's receptive field is
    # 1 + 2·2·(1 + 2 + 4 + 8 + 16) + (1 + 2 + 4 + 8) = 140 pixels: 128×128, as such a UNet is used
    result = _in_process(tmp_path, UNET)
    assert result.ok and result.check.ok, result.report()
    assert result.input_shape == (1, 128, 128)
    assert result.shape_source == (
        "an encoder–decoder (its output is as large as its input): 128×128, the largest multiple of its total "
        "stride (16: its joins line up without padding) that the receptive field of its deepest layer (140×140) "
        "covers")


def test_a_classifier_with_an_adaptive_pool_before_its_linear_is_not_given_one_pixel(tmp_path):
    # any side gives the Linear its 8 inputs: the rule for any size holds (at least the total stride and 28)
    text = HEADER + textwrap.dedent("""
        net = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(), nn.Conv2d(8, 8, 3, stride=2, padding=1),
                            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))
        """)
    result = _in_process(tmp_path, text)
    assert result.ok and result.input_shape == (3, 28, 28)
    assert result.shape_source == ("assumed: the model runs on any size from 1×1; 28×28 is at least its total "
                                   "stride (4) and the tutorial's 28")
