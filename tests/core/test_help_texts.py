"""Help texts that state numbers say what torch does."""
import re

import torch

from designer.core import layers
from designer.core.i18n import _


def help_of(type_name: str, param: str) -> str:
    return _(next(p.help for p in layers.get(type_name).params if p.name == param))


def test_conv_transpose_padding_crops_the_output_as_its_help_says():
    text = help_of("ConvTranspose2d", "padding")
    numbers = re.search(r"padding (\d), (\d), (\d) give (\d), (\d), (\d)", text).groups()
    for padding, size in zip(numbers[:3], numbers[3:]):
        layer = torch.nn.ConvTranspose2d(1, 1, 3, padding=int(padding))
        assert layer(torch.zeros(1, 1, 5, 5)).shape[-1] == int(size)


def test_stride_help_gives_torchs_size_for_its_example():
    text = help_of("Conv2d", "stride")
    before, after = map(int, re.search(r"(\d+) becomes (\d+)", text).groups())
    assert "halves the height" not in text
    assert torch.nn.Conv2d(1, 1, 5, stride=2)(torch.zeros(1, 1, before, before)).shape[-1] == after
