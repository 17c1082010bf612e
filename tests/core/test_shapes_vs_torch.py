"""Shape inference against real torch modules run on real tensors.

For every catalog layer type, random parameters (within the catalog's ranges,
int and pair forms) and random input shapes are given both to our rules and to
``getattr(torch.nn, type)(**params)`` (for Slice, the expression the generated
forward holds) on a batch of 2: torch raises (at
construction or in forward) exactly when our rule reports an error, and
otherwise the output shapes are identical. Random chains are compared with an
``nn.Sequential`` the same way: the first failing node is where torch raises.

Deliberate divergences (``deliberate()`` below) are cases where we refuse what
torch accepts, for the learner's sake; for those we only check that we refuse.
"""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from torch import nn

from designer.core import layers
from designer.core.graph import Graph
from designer.core.params import ParamError
from designer.core.rules import ShapeError
from designer.core.shapes import infer
from tests.core import extra_layers

torch.set_num_threads(1)

IMAGE_LAYERS = {"Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"} | extra_layers.IMAGE_LAYERS
TRAIN_MATTERS = {"BatchNorm1d", "BatchNorm2d", "Dropout", "Dropout2d"} | extra_layers.TRAIN_MATTERS
GRAD_MATTERS = {"MaxPool2d", "AvgPool2d", "Conv2d", "ConvTranspose2d"}
TYPES = [spec.type for spec in layers.palette_types() if not spec.merge]  # one input each
# More examples where the arithmetic has more corners.
EXAMPLES = {"Conv2d": 500, "ConvTranspose2d": 400, "MaxPool2d": 400, "AvgPool2d": 300, "Flatten": 200,
            "Linear": 150, "BatchNorm1d": 150, "BatchNorm2d": 150, "Softmax": 100, "LogSoftmax": 100,
            "Upsample": 200, "ReflectionPad2d": 150, "GroupNorm": 150, "LayerNorm": 150, "InstanceNorm2d": 100,
            "PReLU": 100, "ChannelShuffle": 80, "Unflatten": 200, "Slice": 200}
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
                database=None)


def deliberate(layer_type: str, params: dict, shape: tuple) -> str | None:
    """Why we refuse a configuration torch accepts, or None."""
    if layer_type in IMAGE_LAYERS and len(shape) < 3:
        return ("torch reads a 3-D tensor (N, H, W) as ONE unbatched image whose channels are the batch "
                "(and AdaptiveAvgPool2d even pools a 2-D (N, F) over the batch); a sample must be (C, H, W)")
    if layer_type == "Flatten":
        full = len(shape) + 1
        start, end = params.get("start_dim", 1), params.get("end_dim", -1)
        if -full <= start < full and -full <= end < full:
            start, end = start % full, end % full
            if start == 0 and end > 0:
                return "start_dim=0 merges the batch into the features: the model would no longer be per-sample"
    if layer_type == "MaxPool2d" and params.get("return_indices"):
        return "return_indices=True returns a tuple, which the next layer of a Sequential cannot take"
    return extra_layers.deliberate(layer_type, params, shape)


# Strategies ---------------------------------------------------------------

def _pair(lo: int, hi: int):
    return st.one_of(st.integers(lo, hi), st.lists(st.integers(lo, hi), min_size=2, max_size=2))


def _float(layer_type: str, name: str):
    param = layers.get(layer_type).param(name)
    return st.floats(param.minimum, param.maximum, allow_nan=False)


def _choice(layer_type: str, name: str):
    return st.sampled_from(layers.get(layer_type).param(name).choices)


def _channel(shape: tuple):
    """Mostly the channels the layer receives, sometimes any (a mismatch)."""
    return st.one_of(st.just(shape[0]), st.just(shape[0]), st.just(shape[0]), st.integers(1, 8))


def _optional(draw, strategies: dict) -> dict:
    """Each optional parameter is given (or left to torch's default) at random."""
    return {k: draw(s) for k, s in strategies.items() if draw(st.booleans())}


@st.composite
def layer_params(draw, layer_type: str, shape: tuple) -> dict:
    """Random parameters for ``layer_type`` fed with a sample of ``shape``."""
    if layer_type == "Conv2d":
        groups = draw(st.sampled_from([1, 1, 1, 2, 3, 4]))
        p = {"in_channels": draw(st.one_of(_channel(shape), st.just(groups * 2))),
             "out_channels": draw(st.sampled_from([groups, 2 * groups, draw(st.integers(1, 8))])),
             "kernel_size": draw(_pair(1, 5))}
        p.update(_optional(draw, {
            "stride": _pair(1, 3),
            "padding": st.one_of(_pair(0, 3), st.sampled_from(["same", "valid"])),
            "dilation": _pair(1, 3), "groups": st.just(groups), "bias": st.booleans(),
            "padding_mode": _choice("Conv2d", "padding_mode")}))
        return p
    if layer_type == "ConvTranspose2d":
        groups = draw(st.sampled_from([1, 1, 1, 2, 3]))
        p = {"in_channels": draw(st.one_of(_channel(shape), st.just(groups * 2))),
             "out_channels": draw(st.sampled_from([groups, 2 * groups, draw(st.integers(1, 8))])),
             "kernel_size": draw(_pair(1, 4))}
        p.update(_optional(draw, {
            "stride": _pair(1, 3), "padding": _pair(0, 3), "output_padding": _pair(0, 3),
            "groups": st.just(groups), "bias": st.booleans(), "dilation": _pair(1, 3)}))
        return p
    if layer_type in ("MaxPool2d", "AvgPool2d"):
        p = {"kernel_size": draw(_pair(1, 5))}
        extra = {"stride": st.one_of(st.none(), _pair(1, 3)), "padding": _pair(0, 3), "ceil_mode": st.booleans()}
        if layer_type == "MaxPool2d":
            extra.update(dilation=_pair(1, 3), return_indices=st.sampled_from([False, False, False, True]))
        else:
            extra.update(count_include_pad=st.booleans())
        p.update(_optional(draw, extra))
        return p
    if layer_type == "AdaptiveAvgPool2d":
        return {"output_size": draw(_pair(1, 6))}
    if layer_type == "Linear":
        want = st.sampled_from([shape[-1], shape[-1], shape[-1], math.prod(shape)])
        p = {"in_features": draw(st.one_of(want, st.integers(1, 64))), "out_features": draw(st.integers(1, 16))}
        p.update(_optional(draw, {"bias": st.booleans()}))
        return p
    if layer_type in ("BatchNorm1d", "BatchNorm2d"):
        p = {"num_features": draw(_channel(shape))}
        p.update(_optional(draw, {
            "eps": _float(layer_type, "eps"),
            "momentum": st.one_of(st.none(), _float(layer_type, "momentum")),
            "affine": st.booleans(), "track_running_stats": st.booleans()}))
        return p
    if layer_type in ("Dropout", "Dropout2d"):
        return _optional(draw, {"p": _float(layer_type, "p"), "inplace": st.booleans()})
    if layer_type in ("Softmax", "LogSoftmax"):
        return _optional(draw, {"dim": st.one_of(st.none(), st.integers(-4, 3))})
    if layer_type == "Flatten":
        return _optional(draw, {"start_dim": st.integers(-4, 3), "end_dim": st.integers(-4, 3)})
    if layer_type == "LeakyReLU":
        return _optional(draw, {"negative_slope": _float("LeakyReLU", "negative_slope"), "inplace": st.booleans()})
    if layer_type == "ReLU":
        return _optional(draw, {"inplace": st.booleans()})
    if layer_type == "GELU":
        return _optional(draw, {"approximate": _choice("GELU", "approximate")})
    newer = extra_layers.params(draw, layer_type, shape)
    if newer is not None:
        return newer
    assert not layers.get(layer_type).params, f"no strategy for {layer_type}'s parameters"
    return {}


@st.composite
def sample_shapes(draw, rank: int | None = None) -> tuple:
    """One sample's shape (no batch): (F), (C, L) or (C, H, W), kept tiny."""
    rank = rank or draw(st.sampled_from([1, 2, 3, 3]))
    if rank == 1:
        return (draw(st.integers(1, 12)),)
    return (draw(st.integers(1, 8)), *(draw(st.integers(1, 12)) for _ in range(rank - 1)))


# The two sides ------------------------------------------------------------

def torch_shape(layer_type: str, params: dict, shape: tuple, train: bool, grad: bool = False):
    """The sample shape torch outputs, or the exception it raises.

    ``grad``: the input requires grad (as activations do while training), which
    sends pooling to other CPU kernels with their own checks.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Softmax(dim=None), Dropout2d on 2-D input
            module = extra_layers.module(layer_type, params)
            module.train(train)
            with torch.set_grad_enabled(grad):
                out = module(torch.randn(2, *shape, requires_grad=grad))
    except Exception as exc:  # noqa: BLE001 - any torch error is "torch raises"
        return exc
    if isinstance(out, tuple):  # MaxPool2d(return_indices=True)
        out = out[0]
    assert out.shape[0] == 2, f"{layer_type} changed the batch dimension: {tuple(out.shape)}"
    return tuple(out.shape[1:])


def our_shape(layer_type: str, params: dict, shape: tuple):
    spec = layers.get(layer_type)
    try:
        return tuple(spec.rule(shape, spec.resolve(params)))
    except (ShapeError, ParamError) as exc:
        return exc


def assert_agree(layer_type: str, params: dict, shape: tuple, ours, theirs) -> None:
    where = f"{layer_type}({params}) on a sample {shape}"
    event("torch raises" if isinstance(theirs, Exception) else "torch runs")
    if isinstance(theirs, Exception):
        assert isinstance(ours, Exception), f"{where}: torch raises {theirs!r} but we infer {ours}"
    elif 0 in theirs:
        # Deliberate: torch's CPU kernels disagree on a zero-size output (ConvTranspose2d with too much
        # padding raises in some, returns an empty tensor in others); we always refuse it.
        assert isinstance(ours, Exception), f"{where}: torch gives an empty {theirs} and we accept it"
    else:
        assert not isinstance(ours, Exception), f"{where}: torch gives {theirs} but we report: {ours}"
        assert ours == theirs, f"{where}: torch gives {theirs}, we infer {ours}"


# Single layers ------------------------------------------------------------

@pytest.mark.parametrize("layer_type", TYPES)
def test_every_layer_type_agrees_with_torch(layer_type):
    @settings(max_examples=EXAMPLES.get(layer_type, 40), **SETTINGS)
    @given(data=st.data())
    def check(data):
        rank = 3 if layer_type in IMAGE_LAYERS and data.draw(st.integers(0, 9)) else None
        shape = data.draw(sample_shapes(rank), label="shape")
        params = data.draw(layer_params(layer_type, shape), label="params")
        train = layer_type in TRAIN_MATTERS and data.draw(st.booleans(), label="train")
        grad = layer_type in GRAD_MATTERS and data.draw(st.booleans(), label="grad")
        ours = our_shape(layer_type, params, shape)
        reason = deliberate(layer_type, params, shape)
        if reason:
            event("deliberately refused")
            assert isinstance(ours, Exception), f"{layer_type}({params}) on {shape} must be refused: {reason}"
            return
        assert_agree(layer_type, params, shape, ours, torch_shape(layer_type, params, shape, train, grad))

    check()


# Chains -------------------------------------------------------------------

SHAPE_LAYERS = {1: ["Linear", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Softmax", "Flatten", "Tanh"],
                2: ["Linear", "BatchNorm1d", "Flatten", "LeakyReLU", "LogSoftmax", "GELU", "Dropout2d"],
                3: ["Conv2d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
                    "BatchNorm2d", "ReLU", "Flatten", "Sigmoid", "Identity", "Dropout2d"]}


@st.composite
def chains(draw):
    """An input shape and 2-6 layers, each mostly suited to the shape it will receive."""
    shape = draw(sample_shapes(), label="input")
    current, chain = shape, []
    for _ in range(draw(st.integers(2, 6))):
        suited = SHAPE_LAYERS[len(current)]
        layer_type = draw(st.one_of(st.sampled_from(suited), st.sampled_from(suited), st.sampled_from(TYPES)))
        params = draw(layer_params(layer_type, current))
        chain.append((layer_type, params))
        out = our_shape(layer_type, params, current)
        if not isinstance(out, Exception):
            current = out
    return shape, chain, draw(st.booleans(), label="train")


def _graph(shape: tuple, chain: list) -> tuple[Graph, list[str]]:
    graph = Graph()
    previous = graph.add_node("Input", {"shape": list(shape)}).id
    ids = []
    for layer_type, params in chain:
        node = graph.add_node(layer_type, params)
        graph.connect(previous, node.id)
        previous = node.id
        ids.append(node.id)
    return graph, ids


@settings(max_examples=600, **SETTINGS)
@given(case=chains())
def test_random_chains_fail_exactly_where_sequential_raises(case):
    shape, chain, train = case
    graph, ids = _graph(shape, chain)
    result = infer(graph)
    assert result.path == [graph.input_node().id, *ids]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = nn.Sequential(*(extra_layers.module(t, p) for t, p in chain))
        except Exception:  # noqa: BLE001 - a constructor raised: find which one below
            model = None
    current = shape
    x = torch.randn(2, *shape)
    for index, ((layer_type, params), node_id) in enumerate(zip(chain, ids)):
        node = result.nodes[node_id]
        assert node.in_shape == current, f"layer {index} {layer_type}: in_shape {node.in_shape} != {current}"
        reason = deliberate(layer_type, params, current)
        if reason:
            assert node.error, f"layer {index} {layer_type}({params}) on {current} must be refused: {reason}"
            return _later_layers_wait(result, ids[index + 1:])
        theirs = _torch_step(model, index, layer_type, params, x, train)
        if isinstance(theirs, Exception):
            assert node.error, f"layer {index} {layer_type}({params}) on {current}: torch raises {theirs!r}"
            return _later_layers_wait(result, ids[index + 1:])
        if 0 in theirs.shape:
            assert node.error, f"layer {index} {layer_type}({params}): torch gives an empty tensor, we accept it"
            return _later_layers_wait(result, ids[index + 1:])
        x = theirs
        assert node.error is None, f"layer {index} {layer_type}({params}) on {current}: torch runs, we say {node.error}"
        current = tuple(x.shape[1:])
        assert node.out_shape == current, f"layer {index} {layer_type}({params}): torch {current}, ours {node.out_shape}"
    event("valid chain")
    assert result.valid and result.output_shape == current


def _later_layers_wait(result, later: list[str]) -> None:
    """Only the first error is reported; the layers after it have no input shape yet."""
    assert not result.valid and result.output_shape is None and result.parameters is None
    for node_id in later:
        assert result.nodes[node_id].in_shape is None and result.nodes[node_id].error is None


def _torch_step(model, index: int, layer_type: str, params: dict, x, train: bool):
    """Run layer ``index`` of the Sequential (building it alone if the Sequential could not be built)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = model[index] if model is not None else extra_layers.module(layer_type, params)
            module.train(train)
            with torch.no_grad():
                return module(x)
    except Exception as exc:  # noqa: BLE001
        return exc


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)])
def test_softmax_warning_names_the_dim_torch_picks(shape):
    warning, _ = layers.get("Softmax").warning(shape, {"dim": None})
    picked = int(warning.split("torch picks dim=")[1][0])
    x = torch.randn(2, *shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert torch.equal(nn.Softmax()(x), nn.Softmax(dim=picked)(x))
