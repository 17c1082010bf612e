"""Random parameters and torch's deliberate differences for the catalog's newer layers.

Shared by the shape tests against torch (tests/core/test_shapes_vs_torch.py)
and the parameter counts (tests/core/test_layers.py). ``module`` gives the
torch module of any catalog layer, a layer written in forward (Slice) too.
"""

from __future__ import annotations

from hypothesis import strategies as st
from torch import nn

from designer.core import layers

IMAGE_LAYERS = {"ZeroPad2d", "ReflectionPad2d", "Upsample", "AdaptiveMaxPool2d", "InstanceNorm2d"}
TRAIN_MATTERS = {"InstanceNorm2d", "Dropout1d", "AlphaDropout"}


def _float(layer_type: str, name: str):
    param = layers.get(layer_type).param(name)
    return st.floats(param.minimum, param.maximum, allow_nan=False)


def _optional(draw, strategies: dict) -> dict:
    return {k: draw(s) for k, s in strategies.items() if draw(st.booleans())}


def _pad(draw):
    return draw(st.one_of(st.integers(0, 4), st.lists(st.integers(0, 6), min_size=4, max_size=4)))


def _channel(draw, shape: tuple) -> int:
    return draw(st.one_of(st.just(shape[0]), st.just(shape[0]), st.integers(1, 8)))


def params(draw, layer_type: str, shape: tuple) -> dict | None:
    """Random parameters for one of the newer types, or None when ``layer_type`` is not one of them."""
    if layer_type in ("ReLU6", "Hardswish", "Hardsigmoid", "SiLU"):
        return _optional(draw, {"inplace": st.booleans()})
    if layer_type == "ELU":
        return _optional(draw, {"alpha": _float("ELU", "alpha"), "inplace": st.booleans()})
    if layer_type == "PReLU":
        return _optional(draw, {"num_parameters": st.one_of(st.just(1), st.just(shape[0]), st.integers(1, 8)),
                                "init": _float("PReLU", "init")})
    if layer_type in ("ZeroPad2d", "ReflectionPad2d"):
        return {"padding": _pad(draw)}
    if layer_type == "Upsample":
        p = _optional(draw, {"size": st.one_of(st.integers(1, 9), st.lists(st.integers(1, 9), min_size=2,
                                                                            max_size=2)),
                             "scale_factor": st.one_of(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]),
                                                       _float("Upsample", "scale_factor")),
                             "align_corners": st.booleans()})
        p["mode"] = draw(st.sampled_from(["nearest", "bilinear"]))
        return p
    if layer_type == "InstanceNorm2d":
        p = {"num_features": _channel(draw, shape)}
        p.update(_optional(draw, {"eps": _float(layer_type, "eps"), "affine": st.booleans(),
                                  "track_running_stats": st.booleans(),
                                  "momentum": st.one_of(st.none(), _float(layer_type, "momentum"))}))
        return p
    if layer_type == "GroupNorm":
        groups = draw(st.sampled_from([1, 2, 3, 4]))
        channels = draw(st.sampled_from([shape[0], shape[0], groups * draw(st.integers(1, 3)),
                                         draw(st.integers(1, 8))]))
        p = {"num_groups": groups, "num_channels": channels}
        p.update(_optional(draw, {"eps": _float(layer_type, "eps"), "affine": st.booleans()}))
        return p
    if layer_type == "LayerNorm":
        k = draw(st.integers(1, min(3, len(shape))))
        tail = list(shape[len(shape) - k:])
        normalized = draw(st.one_of(st.just(tail), st.just(tail),
                                    st.lists(st.integers(1, 8), min_size=1, max_size=3)))
        p = {"normalized_shape": normalized}
        p.update(_optional(draw, {"eps": _float(layer_type, "eps"), "elementwise_affine": st.booleans(),
                                  "bias": st.booleans()}))
        return p
    if layer_type == "AdaptiveMaxPool2d":
        return {"output_size": draw(st.one_of(st.integers(1, 6), st.lists(st.integers(1, 6), min_size=2,
                                                                           max_size=2)))}
    if layer_type == "ChannelShuffle":
        return {"groups": draw(st.sampled_from([1, 2, 3, 4]))}
    if layer_type == "Unflatten":
        near = st.integers(max(-4, -len(shape) - 2), min(3, len(shape) + 1))  # the dim field takes -4 to 3
        dim = draw(st.one_of(st.integers(1, len(shape)), near))
        size = shape[dim % (len(shape) + 1) - 1] if -len(shape) - 1 <= dim <= len(shape) else draw(st.integers(1, 8))
        first = draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
        second = draw(st.sampled_from([d for d in range(1, size // first + 1) if (size // first) % d == 0]))
        splits = [[size], [first, size // first], [first, second, size // first // second]]
        fits = splits[:max(1, 4 - len(shape))]  # mostly a sample of at most three dimensions
        exact = draw(st.one_of(st.sampled_from(fits), st.sampled_from(fits), st.sampled_from(splits)))
        sizes = draw(st.one_of(st.just(exact), st.just(exact), st.lists(st.integers(1, 6), min_size=1, max_size=3)))
        return {"dim": dim, "unflattened_size": sizes}
    if layer_type == "Slice":
        near = st.integers(max(-4, -len(shape) - 2), min(3, len(shape) + 1))  # the dim field takes -4 to 3
        dim = draw(st.one_of(st.integers(1, len(shape)), near))
        size = shape[dim % (len(shape) + 1) - 1] if -len(shape) - 1 <= dim <= len(shape) else 4
        p = {"dim": dim, "start": draw(st.one_of(st.integers(0, size - 1), st.integers(0, size + 1)))}
        after = st.integers(p["start"] + 1, size) if p["start"] < size else st.none()
        p.update(_optional(draw, {"end": st.one_of(st.none(), after, st.integers(1, size + 2))}))
        return p
    if layer_type in ("Dropout1d", "AlphaDropout"):
        return _optional(draw, {"p": _float(layer_type, "p"), "inplace": st.booleans()})
    return None


def deliberate(layer_type: str, params: dict, shape: tuple) -> str | None:
    """Why we refuse a configuration of a newer layer that torch accepts, or None."""
    if layer_type in IMAGE_LAYERS and len(shape) < 3:
        return "torch reads a 3-D tensor (N, H, W) as one unbatched image; a sample must be (C, H, W)"
    if layer_type == "InstanceNorm2d" and shape[1] * shape[2] == 1:
        return "torch refuses a 1×1 image in train(), and the model trains"
    if layer_type == "Dropout1d" and len(shape) == 1:
        return "torch reads (N, F) as one unbatched sequence (C, L) and would drop whole samples"
    if layer_type == "Unflatten" and -len(shape) - 1 <= params["dim"] <= len(shape):
        if params["dim"] % (len(shape) + 1) == 0:
            return "unflattening dim 0 splits the batch, not a sample"
        if len(shape) - 1 + len(params["unflattened_size"]) > 3:
            return "a sample of more than three dimensions, which no other layer here takes"
    if layer_type == "Slice" and -len(shape) - 1 <= params["dim"] <= len(shape):
        axis = params["dim"] % (len(shape) + 1)
        if axis == 0:
            return "slicing dim 0 drops samples, not a part of each"
        if (params.get("end") or 0) > shape[axis - 1]:
            return "torch stops a slice whose end is past the size at the size; we say the end is wrong"
    normalized = params.get("normalized_shape") if layer_type == "LayerNorm" else None
    if normalized is not None and len(normalized) > len(shape):
        return "a normalized_shape that reaches into the batch mixes the samples"
    return None


class Generated(nn.Module):
    """A layer written in forward (Slice): the expression the generated code holds, run by torch."""

    def __init__(self, layer_type: str, params: dict):
        super().__init__()
        spec = layers.get(layer_type)
        resolved = spec.resolve(params)
        self.code = spec.expression("x", {name: repr(value) for name, value in resolved.items()})

    def forward(self, x):
        return eval(self.code, {"x": x})  # noqa: S307 - the app's own generated expression


def module(layer_type: str, params: dict) -> nn.Module:
    """The torch module for a catalog layer: its torch.nn class, or the code written in forward."""
    if layers.get(layer_type).expression is not None:
        return Generated(layer_type, params)
    return getattr(nn, layer_type)(**params)
