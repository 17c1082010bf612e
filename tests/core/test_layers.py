"""The layer catalog: names, defaults and counts as torch has them."""

from __future__ import annotations

import inspect
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from designer.core import layers
from designer.core.params import ParamError
from tests.core.test_shapes_vs_torch import SETTINGS, layer_params, our_shape, sample_shapes

ALL_TYPES = [spec.type for spec in layers.SPECS  # torch.nn classes
             if spec.type != "Input" and not spec.merge and not spec.expression]
WEIGHTED = [s.type for s in layers.SPECS if s.weights is not None]
WITH_MACS = [s.type for s in layers.SPECS if s.macs is not None]


def _torch_defaults(layer_type: str) -> dict:
    signature = inspect.signature(getattr(nn, layer_type).__init__)
    return {name: p.default for name, p in signature.parameters.items()
            if name != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD}


@pytest.mark.parametrize("layer_type", ALL_TYPES)
def test_every_parameter_is_named_and_defaulted_as_torch_does(layer_type):
    torch_params = _torch_defaults(layer_type)
    for param in layers.get(layer_type).params:
        assert param.name in torch_params, f"torch.nn.{layer_type} has no argument {param.name}"
        theirs = torch_params[param.name]
        if param.required:
            assert theirs is inspect.Parameter.empty, f"{layer_type}.{param.name} has a default in torch"
        else:
            assert param.default == theirs, f"{layer_type}.{param.name}: default {param.default!r} vs torch {theirs!r}"
        assert param.help, f"{layer_type}.{param.name} needs a help text for its tooltip"


@pytest.mark.parametrize("layer_type", ALL_TYPES)
def test_torch_builds_each_type_from_its_resolved_defaults(layer_type):
    """Every default the catalog fills in is a value torch accepts."""
    spec = layers.get(layer_type)
    required = {"in_channels": 4, "out_channels": 4, "kernel_size": 3, "in_features": 5, "out_features": 3,
                "num_features": 4, "output_size": 2, "num_groups": 2, "num_channels": 4, "normalized_shape": [4],
                "padding": 1, "groups": 2, "dim": 1, "unflattened_size": [2, 2]}
    given = {p.name: required[p.name] for p in spec.params if p.required}
    module = getattr(nn, layer_type)(**spec.resolve(given))
    assert isinstance(module, nn.Module)


def test_catalog_covers_the_issue_and_the_palette_leaves_out_input():
    wanted = {"Conv2d", "ConvTranspose2d", "MaxPool2d", "Linear", "ReLU", "Flatten", "AvgPool2d",
              "AdaptiveAvgPool2d", "BatchNorm2d", "BatchNorm1d", "Dropout", "Dropout2d", "LeakyReLU", "Sigmoid",
              "Tanh", "GELU", "Softmax", "LogSoftmax", "Identity", "ReLU6", "Hardswish", "Hardsigmoid", "SiLU",
              "ELU", "PReLU", "Mul", "ZeroPad2d", "ReflectionPad2d", "Upsample", "InstanceNorm2d", "GroupNorm",
              "LayerNorm", "AdaptiveMaxPool2d", "ChannelShuffle", "Dropout1d", "AlphaDropout",
              "Unflatten", "Slice"}
    assert wanted <= set(layers.CATALOG)
    palette = [s.type for s in layers.palette_types()]
    assert "Input" not in palette and set(palette) == set(layers.CATALOG) - {"Input"}
    assert layers.get("Conv2d") is layers.CATALOG["Conv2d"]
    assert layers.get("os.system") is None
    assert all(s.category in layers.CATEGORIES for s in layers.SPECS)


def test_resolve_fills_defaults_and_normalises_pairs():
    resolved = layers.get("Conv2d").resolve({"in_channels": 1, "out_channels": 6, "kernel_size": [5, 3]})
    assert resolved == {"in_channels": 1, "out_channels": 6, "kernel_size": (5, 3), "stride": (1, 1),
                        "padding": (0, 0), "dilation": (1, 1), "groups": 1, "bias": True, "padding_mode": "zeros"}
    assert list(resolved) == [p.name for p in layers.get("Conv2d").params]
    assert layers.get("MaxPool2d").resolve({"kernel_size": 2})["stride"] is None


@pytest.mark.parametrize("given, param, words", [
    ({"in_channels": 1, "out_channels": 6}, "kernel_size", "required"),
    ({"in_channels": 1, "out_channels": 6, "kernel_size": 5, "kernal_size": 3}, "kernal_size", "no parameter"),
    ({"in_channels": 0, "out_channels": 6, "kernel_size": 5}, "in_channels", "at least 1"),
    ({"in_channels": 1, "out_channels": 6, "kernel_size": 5.5}, "kernel_size", "whole number"),
    ({"in_channels": 1, "out_channels": 6, "kernel_size": [5, 5, 5]}, "kernel_size", "pair"),
    ({"in_channels": 1, "out_channels": 6, "kernel_size": 5, "padding": "full"}, "padding", '"same" or "valid"'),
    ({"in_channels": 1, "out_channels": 6, "kernel_size": 5, "bias": 1}, "bias", "true or false"),
    ({"in_channels": True, "out_channels": 6, "kernel_size": 5}, "in_channels", "whole number"),
    ({"in_channels": 1, "out_channels": 6, "kernel_size": 5, "padding_mode": "mirror"}, "padding_mode", "one of"),
])
def test_resolve_errors_name_the_parameter_and_the_problem(given, param, words):
    with pytest.raises(ParamError) as caught:
        layers.get("Conv2d").resolve(given)
    assert caught.value.param == param
    assert words in str(caught.value) and str(caught.value).startswith(param)


def test_float_params_refuse_non_finite_and_out_of_range():
    spec = layers.get("Dropout")
    for bad in (float("nan"), float("inf"), 1.5, -0.1, "0.5"):
        with pytest.raises(ParamError):
            spec.resolve({"p": bad})
    assert layers.get("BatchNorm2d").resolve({"num_features": 2, "momentum": None})["momentum"] is None
    with pytest.raises(ParamError, match="at least"):  # torch refuses eps=0 in train()
        layers.get("BatchNorm2d").resolve({"num_features": 2, "eps": 0.0})


def test_input_shape_is_checked():
    spec = layers.get("Input")
    assert spec.resolve({"shape": [1, 28, 28]}) == {"shape": (1, 28, 28)}
    for bad in ([], [1, 2, 3, 4], [0, 28, 28], "28", [4096, 4096, 4096]):
        with pytest.raises(ParamError):
            spec.resolve({"shape": bad})


def _trainable(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


@pytest.mark.parametrize("layer_type", ALL_TYPES)
def test_parameter_counts_match_torch(layer_type):
    spec = layers.get(layer_type)

    @settings(max_examples=25 if spec.weights else 5, **SETTINGS)
    @given(data=st.data())
    def check(data):
        shape = data.draw(sample_shapes(3))
        params = data.draw(layer_params(layer_type, shape))
        try:
            module = getattr(nn, layer_type)(**params)
        except ValueError:  # e.g. groups not dividing the channels: no module to count
            return
        ours = spec.weights(spec.resolve(params)) if spec.weights else 0
        assert ours == _trainable(module), f"{layer_type}({params})"

    check()


@pytest.mark.parametrize("layer_type", WITH_MACS)
def test_macs_match_torchs_flop_counter(layer_type):
    """Multiply-accumulates per sample = torch's FLOPs for a batch of 2, divided by 2·2."""
    spec = layers.get(layer_type)

    @settings(max_examples=40, **SETTINGS)
    @given(data=st.data())
    def check(data):
        shape = data.draw(sample_shapes(3 if layer_type != "Linear" else None))
        params = data.draw(layer_params(layer_type, shape))
        out = our_shape(layer_type, params, shape)
        if isinstance(out, Exception) or 0 in out:
            return
        module = getattr(nn, layer_type)(**params)
        with FlopCounterMode(display=False) as counter, torch.no_grad():
            module(torch.randn(2, *shape))
        assert spec.macs(shape, spec.resolve(params), out) * 2 * 2 == counter.get_total_flops(), \
            f"{layer_type}({params}) on {shape}"

    check()


def test_lenet_counts_from_the_tutorial():
    conv1 = layers.get("Conv2d").resolve({"in_channels": 1, "out_channels": 6, "kernel_size": 5})
    assert layers.get("Conv2d").weights(conv1) == 156
    assert layers.get("Conv2d").macs((1, 32, 32), conv1, (6, 28, 28)) == 6 * 28 * 28 * 25
    fc1 = layers.get("Linear").resolve({"in_features": 400, "out_features": 120})
    assert layers.get("Linear").weights(fc1) == 48120
    assert layers.get("Linear").macs((400,), fc1, (120,)) == 48000
    assert math.prod((16, 5, 5)) == 400


def test_summaries_read_like_the_tutorial():
    conv = layers.get("Conv2d")
    text = conv.summary(conv.resolve({"in_channels": 1, "out_channels": 6, "kernel_size": 5, "padding": 2}))
    assert text == "6 @ 5×5, s1, p2"
    pool = layers.get("MaxPool2d")
    assert pool.summary(pool.resolve({"kernel_size": 2})) == "2×2, s2, p0"
    fc = layers.get("Linear")
    assert fc.summary(fc.resolve({"in_features": 400, "out_features": 120})) == "400 → 120"


@pytest.mark.parametrize("given, param", [
    ({"kernel_size": 5.5, "out_channels": 6, "in_channels": 0}, "in_channels"),
    ({"kernel_size": 5, "in_channels": 1}, "out_channels"),  # missing, before a later bad value
    ({"kernel_size": 0, "in_channels": 1}, "out_channels"),
    ({"out_channels": 0, "in_channels": 1}, "out_channels"),  # bad, before a later missing one
    ({"stride": 0, "kernal_size": 3, "in_channels": 1, "out_channels": 6, "kernel_size": 3}, "kernal_size"),
])
def test_resolve_names_the_first_problem_in_the_catalogs_order_whatever_order_values_come_in(given, param):
    with pytest.raises(ParamError) as caught:
        layers.get("Conv2d").resolve(given)
    assert caught.value.param == param
