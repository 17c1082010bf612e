"""The explainer's arithmetic for one output cell equals the layer's real output at that cell; it refuses a
layer exactly when torch refuses to run it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from designer.ml.explain.numbers import ExplainError, Explainer

torch.set_num_threads(1)
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                database=None, max_examples=60)
pairs = st.tuples(st.integers(1, 3), st.integers(1, 3))


def torch_runs(layer: nn.Module, x: torch.Tensor) -> torch.Tensor | None:
    """The layer's output for ``x`` (one sample), or None when torch refuses it (e.g. a window larger than
    the padded input, reflect padding wider than the picture) or its output is empty (no cell to explain)."""
    try:
        out = layer(x.unsqueeze(0))
    except (RuntimeError, ValueError):
        return None
    return out if out.numel() else None


def explain_as_torch(real: torch.Tensor | None, *args) -> Explainer | None:
    """The Explainer for ``args``; it must refuse (ExplainError) exactly when torch did (``real`` None)."""
    if real is None:
        with pytest.raises(ExplainError):
            Explainer(*args)
        return None
    return Explainer(*args)  # torch runs it: a refusal here fails the test


def every_cell(explainer: Explainer, real: torch.Tensor) -> None:
    real = real.detach().double()[0]
    assert tuple(real.shape) == explainer.out_shape
    for c in range(real.shape[0]):
        for i in range(real.shape[1]):
            for j in range(real.shape[2]):
                numbers = (explainer.contributions(c, i, j) if explainer.type == "ConvTranspose2d"
                           else explainer.cell(c, i, j))
                assert numbers.result == pytest.approx(float(real[c, i, j]), rel=1e-5, abs=1e-5), (c, i, j)
    shown = explainer.output()
    np.testing.assert_allclose(shown, real.numpy(), rtol=1e-5, atol=1e-5)


@settings(**SETTINGS)
@given(size=st.tuples(st.integers(5, 11), st.integers(5, 11)), kernel=pairs, stride=pairs, dilation=pairs,
       padding=st.one_of(st.tuples(st.integers(0, 2), st.integers(0, 2)), st.just("same")),
       groups=st.sampled_from([1, 2]), bias=st.booleans(),
       mode=st.sampled_from(["zeros", "zeros", "reflect", "replicate", "circular"]))
def test_conv2d_cells_with_groups_and_dilation(size, kernel, stride, dilation, padding, groups, bias, mode):
    if padding == "same":
        stride = (1, 1)
    params = {"in_channels": 2 * groups, "out_channels": 2 * groups, "kernel_size": list(kernel),
              "stride": list(stride), "padding": padding if padding == "same" else list(padding),
              "dilation": list(dilation), "groups": groups, "bias": bias, "padding_mode": mode}
    x = torch.randn(2 * groups, *size)
    layer = nn.Conv2d(**params)
    real = torch_runs(layer, x)
    explainer = explain_as_torch(real, "Conv2d", params, x, layer.weight, layer.bias)
    if explainer is not None:
        assert explainer.weight.shape == tuple(layer.weight.shape)
        every_cell(explainer, real)


def test_conv2d_uses_the_layers_own_weights_and_names_its_group():
    torch.manual_seed(0)
    layer = nn.Conv2d(4, 6, 3, padding=1, dilation=2, groups=2)
    x = torch.randn(4, 9, 9)
    explainer = Explainer("Conv2d", {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "padding": 1,
                                     "dilation": 2, "groups": 2}, x, layer.weight, layer.bias)
    every_cell(explainer, layer(x.unsqueeze(0)))
    assert list(explainer.input_channels(0)) == [0, 1] and list(explainer.input_channels(5)) == [2, 3]
    numbers = explainer.cell(4, 2, 3)
    assert numbers.products.shape == (2, 3, 3)
    assert numbers.total == pytest.approx(float(numbers.products.sum()))
    assert numbers.result == pytest.approx(numbers.total + float(layer.bias[4].detach()))
    assert explainer.taps(2, 3)[:3] == [(2, 3), (2, 5), (2, 7)]  # dilation 2: gaps of one pixel


@settings(**SETTINGS)
@given(size=st.tuples(st.integers(4, 10), st.integers(4, 10)), kernel=pairs, stride=pairs,
       dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)), ceil=st.booleans(), data=st.data())
def test_max_pool_cells(size, kernel, stride, dilation, ceil, data):
    padding = [data.draw(st.integers(0, k // 2)) for k in kernel]
    params = {"kernel_size": list(kernel), "stride": list(stride), "padding": padding,
              "dilation": list(dilation), "ceil_mode": ceil}
    x = torch.randn(2, *size)
    real = torch_runs(nn.MaxPool2d(**params), x)
    explainer = explain_as_torch(real, "MaxPool2d", params, x)
    if explainer is not None:
        every_cell(explainer, real)


@settings(**SETTINGS)
@given(size=st.tuples(st.integers(4, 10), st.integers(4, 10)), kernel=pairs, stride=pairs, ceil=st.booleans(),
       include=st.booleans(), data=st.data())
def test_avg_pool_cells(size, kernel, stride, ceil, include, data):
    padding = [data.draw(st.integers(0, k // 2)) for k in kernel]
    params = {"kernel_size": list(kernel), "stride": list(stride), "padding": padding, "ceil_mode": ceil,
              "count_include_pad": include}
    x = torch.randn(2, *size)
    real = torch_runs(nn.AvgPool2d(**params), x)
    explainer = explain_as_torch(real, "AvgPool2d", params, x)
    if explainer is not None:
        every_cell(explainer, real)


@settings(**SETTINGS)
@given(size=st.tuples(st.integers(2, 6), st.integers(2, 6)), kernel=pairs, stride=pairs, dilation=pairs,
       padding=st.tuples(st.integers(0, 2), st.integers(0, 2)), groups=st.sampled_from([1, 2]), data=st.data())
def test_conv_transpose_contributions(size, kernel, stride, dilation, padding, groups, data):
    output_padding = [data.draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation)]
    params = {"in_channels": 2 * groups, "out_channels": groups, "kernel_size": list(kernel),
              "stride": list(stride), "padding": list(padding), "output_padding": output_padding,
              "dilation": list(dilation), "groups": groups}
    layer = nn.ConvTranspose2d(**params)
    x = torch.randn(2 * groups, *size)
    real = torch_runs(layer, x)
    explainer = explain_as_torch(real, "ConvTranspose2d", params, x, layer.weight, layer.bias)
    if explainer is None:
        return
    every_cell(explainer, real)
    full = explainer.full_shape
    assert full[0] - 2 * padding[0] == explainer.out_shape[1]
    assert all(0 <= r < full[0] and 0 <= c < full[1] for r, c in explainer.stamp(size[0] - 1, size[1] - 1))


def test_what_if_kernel_keeps_the_picture_but_has_no_weights():
    layer = nn.Conv2d(1, 2, 5, padding=2)
    x = torch.randn(1, 28, 28)
    explainer = Explainer("Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 3, "stride": 2},
                          x, layer.weight, layer.bias)
    assert explainer.out_shape == (2, 13, 13) and explainer.output() is None
    assert "⌊(28 + 2·0 − 1·(3−1) − 1)/2⌋ + 1 = 13" in explainer.formula
    with pytest.raises(ExplainError, match="no weights"):
        explainer.cell(0, 0, 0)
    with pytest.raises(ExplainError, match="larger than the padded input"):
        Explainer("Conv2d", {"in_channels": 1, "out_channels": 2, "kernel_size": 30}, x)
