"""Shape rules of padding, resizing, the per-sample normalisations, PReLU, channel shuffle, Unflatten, Slice
and Mul.

As in ``rules``: shapes exclude the batch, and each rule raises ShapeError
where torch raises (tests/core/test_new_layers_vs_torch.py runs them against
torch). Deliberately stricter than torch, for the same reason as there: the
image layers refuse (H, W) and (F) samples, which torch reads as one
unbatched image; InstanceNorm2d refuses a 1×1 image, which torch refuses only
while training; Dropout1d refuses an (F) sample, which torch reads as one
unbatched (C, L) and so drops whole samples; LayerNorm refuses a
normalized_shape that reaches into the batch; Unflatten refuses to split
the batch and a sample of more than three dimensions, which no other layer
here takes. Slice refuses to cut the batch, an end past the size (torch
stops at the size) and an empty slice.
"""

from __future__ import annotations

import math

from designer.core.i18n import _
from designer.core.params import MAX_SHAPE_RANK
from designer.core.rules import (Shape, ShapeError, _channels, _need_image, _out_of_range, add_broadcast, batch_fmt,
                                 dim_name, fmt, set_fix)


# Padding ----------------------------------------------------------------

def zero_pad2d(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "ZeroPad2d")
    left, right, top, bottom = p["padding"]
    return (shape[0], shape[1] + top + bottom, shape[2] + left + right)


def reflection_pad2d(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "ReflectionPad2d")
    left, right, top, bottom = p["padding"]
    for side, pad, size, axis in ((_("left"), left, shape[2], "W"), (_("right"), right, shape[2], "W"),
                                  (_("top"), top, shape[1], "H"), (_("bottom"), bottom, shape[1], "H")):
        if pad >= size:
            raise ShapeError(_("ReflectionPad2d mirrors the border, so each padding must be smaller than the image: "
                               "{side} is {pad} but {axis} is only {size}. Use less padding, or ZeroPad2d.").format(
                side=side, pad=pad, axis=axis, size=size), param="padding")
    return (shape[0], shape[1] + top + bottom, shape[2] + left + right)


def pad_formula(shape: Shape, p: dict, out: Shape) -> str:
    left, right, top, bottom = p["padding"]
    return f"H = {shape[1]} + {top} + {bottom} = {out[1]}\nW = {shape[2]} + {left} + {right} = {out[2]}"


# Resizing ---------------------------------------------------------------

def upsample(shape: Shape, p: dict) -> Shape:
    size, scale = p["size"], p["scale_factor"]
    if size is None and scale is None:
        raise ShapeError(_("Upsample needs either size or scale_factor: set scale_factor to 2 to double H and W."),
                         set_fix("scale_factor", 2.0), param="scale_factor")
    if size is not None and scale is not None:
        raise ShapeError(_("Upsample takes size or scale_factor, not both: clear one of them."),
                         set_fix("size", None), param="size")
    if p["align_corners"] is not None and p["mode"] == "nearest":
        raise ShapeError(_('align_corners only applies to mode "bilinear"; with "nearest" leave it unset.'),
                         set_fix("align_corners", None), param="align_corners")
    _need_image(shape, "Upsample")
    if size is not None:
        return (shape[0], *size)
    out = tuple(math.floor(float(d) * scale) for d in shape[1:])
    if min(out) < 1:
        raise ShapeError(_("scale_factor {scale:g} shrinks the {h}×{w} image to {oh}×{ow}: nothing is left. "
                           "Use a larger scale_factor.").format(scale=scale, h=shape[1], w=shape[2], oh=out[0],
                                                               ow=out[1]), param="scale_factor")
    return (shape[0], *out)


def upsample_formula(shape: Shape, p: dict, out: Shape) -> str:
    if p["size"] is not None:
        return _("size: H, W = {h}, {w}").format(h=out[1], w=out[2])
    scale = p["scale_factor"]
    return "\n".join(f"{axis} = ⌊{size}·{scale:g}⌋ = {o}" for axis, size, o in zip("HW", shape[1:], out[1:]))


def adaptive_max_pool2d(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "AdaptiveMaxPool2d")
    return (shape[0], *p["output_size"])


# Normalisation over one sample -----------------------------------------

def instance_norm2d(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "InstanceNorm2d")
    if shape[0] != p["num_features"] and (p["affine"] or p["track_running_stats"]):
        _channels(shape, p["num_features"], "num_features", "InstanceNorm2d")
    if shape[1] * shape[2] == 1:
        raise ShapeError(_("InstanceNorm2d normalises each channel over its own H×W values, and this image is 1×1: "
                           "torch refuses it while training. Move it before the layers that shrink the image."))
    return shape


def group_norm(shape: Shape, p: dict) -> Shape:
    groups, channels = p["num_groups"], p["num_channels"]
    if channels % groups:
        raise ShapeError(_("num_groups={groups} must divide num_channels={channels}: each group normalises an equal "
                           "share of the channels.").format(groups=groups, channels=channels),
                         set_fix("num_groups", 1), param="num_groups")
    if p["affine"] or shape[0] % groups:
        _channels(shape, channels, "num_channels", "GroupNorm")
    return shape


def layer_norm(shape: Shape, p: dict) -> Shape:
    normalized = tuple(p["normalized_shape"])
    if len(normalized) > len(shape) or tuple(shape[len(shape) - len(normalized):]) != normalized:
        last = tuple(shape[-len(normalized):]) if len(normalized) <= len(shape) else shape
        raise ShapeError(_("LayerNorm normalises the last dimensions of each sample, so normalized_shape must equal "
                           "them: it is {given}, but the input is {shape}. Set it to {last}.").format(
            given=fmt(normalized), shape=fmt(shape), last=fmt(last)),
            set_fix("normalized_shape", list(last)), param="normalized_shape")
    return shape


# Element-wise with parameters, channel shuffle, dropout -----------------

def prelu(shape: Shape, p: dict) -> Shape:
    count = p["num_parameters"]
    if count != 1 and count != shape[0]:
        raise ShapeError(_("num_parameters is {count}, but the input has {channels} channels {shape}: use 1 (one "
                           "slope for all) or {channels} (one per channel).").format(
            count=count, channels=shape[0], shape=fmt(shape)), set_fix("num_parameters", shape[0]),
            param="num_parameters")
    return shape


def channel_shuffle(shape: Shape, p: dict) -> Shape:
    if len(shape) < 2:
        raise ShapeError(_("ChannelShuffle needs channels and positions, (C, L) or (C, H, W), but receives "
                           "{shape}.").format(shape=fmt(shape)))
    if shape[0] % p["groups"]:
        raise ShapeError(_("groups={groups} must divide the {channels} channels it receives.").format(
            groups=p["groups"], channels=shape[0]), set_fix("groups", 1), param="groups")
    return shape


def dropout1d(shape: Shape, p: dict) -> Shape:
    if len(shape) != 2:
        raise ShapeError(_("Dropout1d drops whole channels of a sequence (C, L), but receives {shape}; use Dropout "
                           "on vectors and Dropout2d on images.").format(shape=fmt(shape)))
    return shape


# Unflatten ---------------------------------------------------------------

def _sample_axis(shape: Shape, p: dict, on_batch: str) -> int:
    """``dim`` (counting the batch) as an index into one sample's shape; raises ShapeError as torch does, and
    with ``on_batch`` for dim 0."""
    full = len(shape) + 1
    if not -full <= p["dim"] < full:
        raise ShapeError(_out_of_range("dim", p["dim"], full), set_fix("dim", 1), param="dim")
    index = p["dim"] % full
    if index == 0:
        raise ShapeError(on_batch, set_fix("dim", 1), param="dim")
    return index - 1


def _unflatten_axis(shape: Shape, p: dict) -> int:
    return _sample_axis(shape, p, _("dim 0 is the batch: Unflatten would split the samples, not a sample's "
                                    "features. Use dim=1."))


def unflatten(shape: Shape, p: dict) -> Shape:
    """``nn.Unflatten(dim, unflattened_size)``: one dimension becomes several, the reverse of Flatten."""
    axis = _unflatten_axis(shape, p)
    sizes = tuple(p["unflattened_size"])
    if math.prod(sizes) != shape[axis]:
        raise ShapeError(_("Unflatten splits {dimension} of {shape}, which is {size}, into {sizes}: their product is "
                           "{product}, not {size}.").format(
            dimension=dim_name(axis, len(shape)), shape=batch_fmt(shape), size=shape[axis], sizes=fmt(sizes),
            product=math.prod(sizes)), param="unflattened_size")
    out = shape[:axis] + sizes + shape[axis + 1:]
    if len(out) > MAX_SHAPE_RANK:
        raise ShapeError(_("Unflatten would give each sample {rank} dimensions {shape}; a sample here has at most "
                           "{most}, (C, H, W).").format(rank=len(out), shape=fmt(out), most=MAX_SHAPE_RANK),
                         param="unflattened_size")
    return out


def unflatten_formula(shape: Shape, p: dict, out: Shape) -> str:
    axis = _unflatten_axis(shape, p)
    return f"{shape[axis]} = {' × '.join(str(d) for d in p['unflattened_size'])}"


# Slice: written in forward ---------------------------------------------

def _slice_axis(shape: Shape, p: dict) -> int:
    return _sample_axis(shape, p, _("dim 0 is the batch: a Slice there would drop samples, not a part of each. "
                                    "Use dim=1 (the channels)."))


def slice_rule(shape: Shape, p: dict) -> Shape:
    """``x[:, start:end]`` along ``dim``: the part from start up to (not including) end."""
    axis = _slice_axis(shape, p)
    size, start, end = shape[axis], p["start"], p["end"]
    where = dim_name(axis, len(shape))
    if start >= size:
        raise ShapeError(_("start={start} is past the end of {dimension}, which has {size}: nothing is left. Use a "
                           "start below {size}.").format(start=start, dimension=where, size=size),
                         set_fix("start", 0), param="start")
    if end is not None and end > size:
        raise ShapeError(_("end={end} is past the end of {dimension}, which has {size}. Use end={size} or less, or "
                           "leave it unset to keep everything to the end.").format(end=end, dimension=where, size=size),
                         set_fix("end", None), param="end")
    stop = size if end is None else end
    if stop <= start:
        raise ShapeError(_("end={end} is not after start={start}: the slice would be empty.").format(
            end=stop, start=start), set_fix("end", None), param="end")
    return shape[:axis] + (stop - start,) + shape[axis + 1:]


def slice_formula(shape: Shape, p: dict, out: Shape) -> str:
    axis = _slice_axis(shape, p)
    stop = shape[axis] if p["end"] is None else p["end"]
    return f"{dim_name(axis, len(shape))}: {stop} − {p['start']} = {out[axis]}"


def slice_summary(p: dict) -> str:
    end = "" if p["end"] is None else p["end"]
    start = p["start"] or ""
    return f"dim={p['dim']}, {start}:{end}"


def slice_code(x: str, texts: dict) -> str:
    """``x[:, 0:58]`` (``x[..., 2:4]`` for a negative dim); ``x.narrow`` where dim is a block's argument."""
    dim, start, end = texts["dim"], texts["start"], texts["end"]
    span = ("" if start == "0" else start) + ":" + ("" if end == "None" else end)
    try:
        d = int(dim)
    except ValueError:
        return f"{x}.narrow({dim}, {start}, ({x}.size({dim}) if {end} is None else {end}) - {start})"
    if d >= 0:
        return f"{x}[{':, ' * d}{span}]"
    return f"{x}[..., {span}{', :' * (-d - 1)}]"


# Mul: a merge -----------------------------------------------------------

def mul(shapes: tuple[Shape, ...], p: dict, labels) -> Shape:
    """``x1 * x2 * ...`` with torch's broadcasting; the same strictness as Add."""
    return add_broadcast(shapes, labels, "Mul")


def mul_formula(shapes: tuple[Shape, ...], p: dict, out: Shape) -> str:
    return " × ".join(batch_fmt(s) for s in shapes) + f" = {batch_fmt(out)}"
