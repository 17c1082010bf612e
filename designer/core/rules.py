"""Shape rules: what each torch.nn layer does to the shape of one sample.

Shapes here exclude the batch dimension; ``len(shape) + 1`` is the rank torch
sees. Each rule returns the output shape or raises ShapeError exactly where
torch raises, with a learner-facing message and, where one exists, a Fix.
Each formula function renders the rule with the numbers filled in.

tests/core/test_shapes_vs_torch.py checks every rule against real torch
modules. Deliberately stricter than torch (the learner's model stays a
per-sample Sequential): image layers refuse (H, W) and (F) samples that torch
would read as one unbatched image; Flatten(start_dim=0) merging the batch;
MaxPool2d(return_indices=True), whose tuple the next layer cannot take; and a
zero-size ConvTranspose2d output, which some torch CPU kernels return empty.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from designer.core.i18n import _

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Fix:
    """A machine-usable repair: set a parameter, or insert a layer before the node."""

    action: str  # "set_param" | "insert_before" | "insert_on_edge"
    label: str
    param: str | None = None
    value: Any = None
    layer_type: str | None = None
    layer_params: dict = field(default_factory=dict)
    node_id: str | None = None  # the node to change, when it is not the node with the error
    edge: tuple[str, str] | None = None  # insert_on_edge: the wire that gets the new layer
    block: str | None = None  # node_id (and edge) lie in this block's definition, not in the graph at hand

    def to_json(self) -> dict:
        data = {"action": self.action, "label": self.label}
        if self.action == "set_param":
            data.update(param=self.param, value=self.value)
        else:
            data.update(type=self.layer_type, params=dict(self.layer_params))
        if self.node_id is not None:
            data["node"] = self.node_id
        if self.edge is not None:
            data["edge"] = list(self.edge)
        if self.block is not None:
            data["block"] = self.block
        return data


class ShapeError(Exception):
    """Raised by a rule where torch would raise."""

    def __init__(self, message: str, fix: Fix | None = None, param: str | None = None,
                 inputs: tuple[int, int] | None = None, dim: int | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.param = param
        self.inputs = inputs  # a merge: the two inputs (positions) that disagree
        self.dim = dim  # a merge: the disagreeing dimension of one sample (0 = channels of (C, H, W))


def set_fix(param: str, value: Any) -> Fix:
    """The fix that sets ``param`` to ``value``, labelled as the learner reads it."""
    if isinstance(value, bool):
        shown = "true" if value else "false"  # as the inspector and the file write it
    else:
        shown = f'"{value}"' if isinstance(value, str) else value
    return Fix("set_param", _("set {param} to {value}").format(param=param, value=shown), param=param, value=value)


def fmt(shape: Shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")"


def _need_image(shape: Shape, layer: str) -> None:
    if len(shape) != 3:
        hint = (_("Move it before the Flatten, or use Linear on vectors.") if len(shape) == 1 else
                _("Give the Input a channel dimension, e.g. [1, H, W]."))
        raise ShapeError(_("{layer} needs an image (C, H, W) per sample, but it receives {shape}.").format(
            layer=layer, shape=fmt(shape)) + " " + hint)
    if 0 in shape:
        raise ShapeError(_("{layer} received an empty tensor {shape}.").format(layer=layer, shape=fmt(shape)))


def _channels(shape: Shape, expected: int, param: str, layer: str) -> None:
    got = shape[0]
    if got != expected:
        raise ShapeError(
            _("{param} is {expected}, but the input has {got} channels {shape}. "
              "Set {param} to {got} so that it matches the layer before.").format(
                param=param, expected=expected, got=got, shape=fmt(shape)),
            set_fix(param, got), param=param)


def _groups(p: dict) -> None:
    g = p["groups"]
    for key in ("in_channels", "out_channels"):
        if p[key] % g:
            raise ShapeError(
                _("groups={groups} must divide {key}={value}: each group takes an equal share of the channels.")
                .format(groups=g, key=key, value=p[key]),
                set_fix("groups", 1), param="groups")


# Conv2d -----------------------------------------------------------------

def _conv_padding(p: dict) -> tuple[int, int] | str:
    pad = p["padding"]
    if pad == "valid":
        return (0, 0)
    return pad


def conv2d(shape: Shape, p: dict) -> Shape:
    _groups(p)
    pad = _conv_padding(p)
    if pad == "same" and p["stride"] != (1, 1):
        raise ShapeError(_('padding="same" only works with stride 1: set stride to 1 or give padding as numbers.'),
                         set_fix("stride", 1), param="padding")
    _need_image(shape, "Conv2d")
    _channels(shape, p["in_channels"], "in_channels", "Conv2d")
    if pad == "same":
        if p["padding_mode"] != "zeros":
            _check_mode_padding(shape, tuple((d * (k - 1) + 1) // 2 for d, k in zip(p["dilation"], p["kernel_size"])), p)
        return (p["out_channels"],) + shape[1:]
    _check_mode_padding(shape, pad, p)
    out = []
    for size, k, s, pd, d in zip(shape[1:], p["kernel_size"], p["stride"], pad, p["dilation"]):
        span = d * (k - 1) + 1
        if size + 2 * pd < span:
            raise ShapeError(
                _("The kernel ({span} wide with dilation) is larger than the padded input ({size} + 2·{pad} = "
                  "{padded}). Use a smaller kernel_size or dilation, or more padding.").format(
                    span=span, size=size, pad=pd, padded=size + 2 * pd), param="kernel_size")
        out.append((size + 2 * pd - span) // s + 1)
    return (p["out_channels"], *out)




def _check_mode_padding(shape: Shape, pad: tuple[int, int], p: dict) -> None:
    mode = p["padding_mode"]
    for size, pd in zip(shape[1:], pad):
        if mode == "reflect" and pd >= size:
            raise ShapeError(_('padding_mode="reflect" needs padding ({pad}) smaller than the input size ({size}): '
                               'it mirrors the border, which must exist.').format(pad=pd, size=size),
                             set_fix("padding_mode", "zeros"), param="padding")
        if mode == "circular" and pd > size:
            raise ShapeError(_('padding_mode="circular" needs padding ({pad}) at most the input size ({size}): '
                               'it wraps around the image only once.').format(pad=pd, size=size),
                             set_fix("padding_mode", "zeros"), param="padding")


def conv2d_formula(shape: Shape, p: dict, out: Shape) -> str:
    if p["padding"] == "same":
        return _('padding="same": H, W unchanged = {h}, {w}').format(h=out[1], w=out[2])
    pad = _conv_padding(p)
    lines = []
    for axis, size, k, s, pd, d, o in zip("HW", shape[1:], p["kernel_size"], p["stride"], pad, p["dilation"], out[1:]):
        lines.append(f"{axis} = ⌊({size} + 2·{pd} − {d}·({k}−1) − 1)/{s}⌋ + 1 = {o}")
    return "\n".join(lines)


# ConvTranspose2d --------------------------------------------------------

def conv_transpose2d(shape: Shape, p: dict) -> Shape:
    _groups(p)
    for axis, op, s, d in zip("HW", p["output_padding"], p["stride"], p["dilation"]):
        if op >= s and op >= d:
            raise ShapeError(
                _("output_padding ({output_padding}) must be smaller than stride ({stride}) or dilation "
                  "({dilation}).").format(output_padding=op, stride=s, dilation=d),
                set_fix("output_padding", 0), param="output_padding")
    _need_image(shape, "ConvTranspose2d")
    _channels(shape, p["in_channels"], "in_channels", "ConvTranspose2d")
    out = []
    for size, k, s, pd, op, d in zip(shape[1:], p["kernel_size"], p["stride"], p["padding"],
                                     p["output_padding"], p["dilation"]):
        o = (size - 1) * s - 2 * pd + d * (k - 1) + op + 1
        if o <= 0:
            raise ShapeError(_("The output would be {width} wide: padding ({pad}) is too large for this input. "
                               "Use less padding or a larger stride.").format(width=o, pad=pd),
                             set_fix("padding", 0), param="padding")
        out.append(o)
    return (p["out_channels"], *out)


def conv_transpose2d_formula(shape: Shape, p: dict, out: Shape) -> str:
    lines = []
    for axis, size, k, s, pd, op, d, o in zip("HW", shape[1:], p["kernel_size"], p["stride"], p["padding"],
                                              p["output_padding"], p["dilation"], out[1:]):
        lines.append(f"{axis} = ({size}−1)·{s} − 2·{pd} + {d}·({k}−1) + {op} + 1 = {o}")
    return "\n".join(lines)


# Pooling ----------------------------------------------------------------

def _pool_sizes(shape: Shape, p: dict, layer: str, dilation: tuple[int, int]) -> Shape:
    stride = p["stride"] if p["stride"] is not None else p["kernel_size"]
    for k, pd in zip(p["kernel_size"], p["padding"]):
        if pd > k // 2:
            raise ShapeError(_("padding ({pad}) must be at most half the kernel size ({kernel}//2 = {half}).")
                             .format(pad=pd, kernel=k, half=k // 2), set_fix("padding", k // 2), param="padding")
    _need_image(shape, layer)
    out = []
    for size, k, s, pd, d in zip(shape[1:], p["kernel_size"], stride, p["padding"], dilation):
        o = _pool_out(size, k, s, pd, d, p["ceil_mode"])
        if o < 1:
            raise ShapeError(_("The input ({size} wide) is too small for this pooling window "
                               "({span} wide): the output would be {width} wide.").format(
                                 size=size, span=d * (k - 1) + 1, width=o), param="kernel_size")
        out.append(o)
    return (shape[0], *out)


def _pool_out(size: int, k: int, s: int, pd: int, d: int, ceil: bool) -> int:
    span = d * (k - 1) + 1
    o = (size + 2 * pd - span + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= size + pd:
        o -= 1
    return o


def max_pool2d(shape: Shape, p: dict) -> Shape:
    if p["return_indices"]:
        # Deliberately stricter than torch: the module then returns a tuple
        # (values, indices), which no next layer of a Sequential accepts.
        raise ShapeError(_("return_indices=true makes MaxPool2d return two tensors (values and indices); "
                           "a Sequential model can only pass one on. Set return_indices to false."),
                         set_fix("return_indices", False), param="return_indices")
    return _pool_sizes(shape, p, "MaxPool2d", p["dilation"])


def avg_pool2d(shape: Shape, p: dict) -> Shape:
    return _pool_sizes(shape, p, "AvgPool2d", (1, 1))


def pool_formula(shape: Shape, p: dict, out: Shape) -> str:
    stride = p["stride"] if p["stride"] is not None else p["kernel_size"]
    dilation = p.get("dilation", (1, 1))
    rounding = "⌈⌉" if p["ceil_mode"] else "⌊⌋"
    lines = []
    for axis, size, k, s, pd, d, o in zip("HW", shape[1:], p["kernel_size"], stride, p["padding"], dilation, out[1:]):
        line = f"{axis} = {rounding[0]}({size} + 2·{pd} − {d}·({k}−1) − 1)/{s}{rounding[1]} + 1"
        rounded = (size + 2 * pd - d * (k - 1) - 1 + (s - 1 if p["ceil_mode"] else 0)) // s + 1
        if rounded != o:
            # ceil_mode: torch drops a last window that would start in the right padding.
            line += " = " + _("{rounded} − 1 (the last window would start in the padding)").format(rounded=rounded)
        lines.append(f"{line} = {o}")
    return "\n".join(lines)


def adaptive_avg_pool2d(shape: Shape, p: dict) -> Shape:
    _need_image(shape, "AdaptiveAvgPool2d")
    return (shape[0], *p["output_size"])


# Linear, Flatten, normalisation, element-wise ---------------------------

def linear(shape: Shape, p: dict) -> Shape:
    want = p["in_features"]
    if shape[-1] == want:
        return shape[:-1] + (p["out_features"],)
    total = math.prod(shape)
    if len(shape) > 1:
        factors = "×".join(str(d) for d in shape)
        if total == want:
            raise ShapeError(
                _("Linear works on the last dimension, which is {last} here, not in_features={want}. "
                  "The input {shape} holds {factors} = {total} values: insert Flatten before this Linear.").format(
                    last=shape[-1], want=want, shape=fmt(shape), factors=factors, total=total),
                _flatten_fix(), param="in_features")
        raise ShapeError(
            _("in_features is {want}, but the input is {shape}. Insert Flatten before this Linear; "
              "in_features should then be {total} = {factors}.").format(
                want=want, shape=fmt(shape), total=total, factors=factors),
            _flatten_fix(), param="in_features")
    raise ShapeError(_("in_features should be {total}, the size of its input {shape}, not {want}.").format(
        total=total, shape=fmt(shape), want=want), set_fix("in_features", total), param="in_features")


def _flatten_fix() -> Fix:
    return Fix("insert_before", _("insert Flatten before"), layer_type="Flatten")


def linear_formula(shape: Shape, p: dict, out: Shape) -> str:
    return _("y = x·Aᵀ + b: A is {rows}×{cols}; last dim {last} → {out}").format(
        rows=p["out_features"], cols=p["in_features"], last=shape[-1], out=out[-1])


DEFAULT_DIMS = {"start_dim": 1, "end_dim": -1}


def _flatten_dims(rank: int, p: dict) -> tuple[int, int]:
    """Start and end dims counted with the batch dim, checked as torch checks them."""
    full = rank + 1
    dims = []
    for key in ("start_dim", "end_dim"):
        d = p[key]
        if not -full <= d < full:
            raise ShapeError(_out_of_range(key, d, full), set_fix(key, DEFAULT_DIMS[key]), param=key)
        dims.append(d + full if d < 0 else d)
    start, end = dims
    if start > end:
        raise ShapeError(_("start_dim ({start}) comes after end_dim ({end}): nothing lies between.").format(
            start=p["start_dim"], end=p["end_dim"]), set_fix("end_dim", -1), param="start_dim")
    if start == 0 and end > 0:
        raise ShapeError(_("start_dim=0 would merge the batch dimension into the features; keep start_dim at 1."),
                         set_fix("start_dim", 1), param="start_dim")
    return start, end


def flatten(shape: Shape, p: dict) -> Shape:
    start, end = _flatten_dims(len(shape), p)
    if start == end:
        return shape
    s, e = start - 1, end - 1
    return shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:]


def flatten_formula(shape: Shape, p: dict, out: Shape) -> str:
    start, end = _flatten_dims(len(shape), p)
    kept = shape[start - 1:end] if start else shape
    return f"{' × '.join(str(d) for d in kept)} = {math.prod(kept)}"


def batch_norm2d(shape: Shape, p: dict) -> Shape:
    if len(shape) != 3:
        raise ShapeError(_("BatchNorm2d needs (C, H, W) per sample, but receives {shape}; "
                           "use BatchNorm1d on vectors.").format(shape=fmt(shape)))
    _norm_channels(shape, p, "BatchNorm2d")
    return shape


def batch_norm1d(shape: Shape, p: dict) -> Shape:
    if len(shape) not in (1, 2):
        raise ShapeError(_("BatchNorm1d needs (C) or (C, L) per sample, but receives {shape}; "
                           "use BatchNorm2d on images.").format(shape=fmt(shape)))
    _norm_channels(shape, p, "BatchNorm1d")
    return shape


def _norm_channels(shape: Shape, p: dict, layer: str) -> None:
    # With neither affine weights nor running statistics torch holds nothing of
    # size num_features, so it never compares it with the channels it receives.
    if p["affine"] or p["track_running_stats"]:
        _channels(shape, p["num_features"], "num_features", layer)


def softmax(shape: Shape, p: dict) -> Shape:
    d, full = p["dim"], len(shape) + 1
    if d is not None and not -full <= d < full:
        raise ShapeError(_out_of_range("dim", d, full), set_fix("dim", 1), param="dim")
    return shape


def softmax_warning(shape: Shape, p: dict) -> tuple[str, Fix] | None:
    """torch's implicit dim (deprecated, with a warning) is the batch for a 3-D tensor."""
    if p["dim"] is not None:
        return None
    full = len(shape) + 1
    picked = 0 if full in (1, 3) else 1  # torch.nn.functional._get_softmax_dim
    if picked == 0:
        text = _("dim is not set, so torch picks dim={picked} for this {rank}-D tensor and warns that this is "
                 "deprecated; dim 0 is the batch, so the samples of a batch would be mixed together. "
                 "Set dim, usually 1 (the classes).")
    else:
        text = _("dim is not set, so torch picks dim={picked} for this {rank}-D tensor and warns that this is "
                 "deprecated. Set dim, usually 1 (the classes).")
    return text.format(picked=picked, rank=full), set_fix("dim", 1)


def _out_of_range(key: str, value: int, rank: int) -> str:
    return _("{key}={value} is out of range for a {rank}-D tensor (batch included): "
             "use a value from {low} to {high}.").format(key=key, value=value, rank=rank, low=-rank, high=rank - 1)


def same(shape: Shape, p: dict) -> Shape:
    return shape


def input_rule(shape: Shape, p: dict) -> Shape:
    return tuple(p["shape"])


# Merges: rules over several input shapes --------------------------------
#
# A merge rule takes the inputs' shapes in input order and their names (for
# the message). On a disagreement it raises ShapeError with ``inputs`` (the two
# input positions) and ``dim``, so that shape inference can propose a fix on
# the graph (change a branch's out_channels, or add a 1×1 Conv2d on the skip).

def batch_fmt(shape: Shape) -> str:
    return "(" + ", ".join(["N", *(str(d) for d in shape)]) + ")"


def dim_name(dim: int, rank: int) -> str:
    """``dimension 1 (channels)``: counted with the batch, as torch counts."""
    names = {3: (_("channels"), _("height"), _("width")), 2: (_("channels"), _("length")),
             1: (_("features"),)}.get(rank, ())
    if dim < len(names):
        return _("dimension {number} ({name})").format(number=dim + 1, name=names[dim])
    return _("dimension {number}").format(number=dim + 1)


def _rank_error(layer: str, shapes: tuple[Shape, ...], labels, j: int, i: int) -> ShapeError:
    return ShapeError(
        _("{layer} needs inputs with the same number of dimensions, but {a} gives {a_shape} and {b} gives "
          "{b_shape}. Flatten both branches, or neither.").format(
            layer=layer, a=labels[j], a_shape=batch_fmt(shapes[j]), b=labels[i], b_shape=batch_fmt(shapes[i])),
        inputs=(j, i))


def add(shapes: tuple[Shape, ...], p: dict, labels) -> Shape:
    """``x1 + x2 + ...`` with torch's broadcasting (each size equal, or 1).

    Deliberately stricter than torch: inputs of different rank are refused,
    since broadcasting would line the batch dimension up with a feature one.
    """
    return add_broadcast(shapes, labels, "Add")


def add_broadcast(shapes: tuple[Shape, ...], labels, layer: str) -> Shape:
    """The shape of an element-wise ``layer`` (Add or Mul) over ``shapes``, broadcast as torch does."""
    out = shapes[0]
    for i in range(1, len(shapes)):
        other = shapes[i]
        if len(other) != len(out):
            raise _rank_error(layer, shapes, labels, 0, i)
        for d, (a, b) in enumerate(zip(out, other)):
            if a != b and a != 1 and b != 1:
                j = next(k for k in range(i) if shapes[k][d] not in (1, b))
                text = (_("Add cannot add {a} {a_shape} and {b} {b_shape}: {dimension} is {a_size} on one and "
                          "{b_size} on the other; sizes must be equal, or 1 to broadcast.") if layer == "Add" else
                        _("Mul cannot multiply {a} {a_shape} and {b} {b_shape}: {dimension} is {a_size} on one and "
                          "{b_size} on the other; sizes must be equal, or 1 to broadcast."))
                raise ShapeError(text.format(
                    a=labels[j], a_shape=batch_fmt(shapes[j]), b=labels[i], b_shape=batch_fmt(other),
                    dimension=dim_name(d, len(out)), a_size=shapes[j][d], b_size=b), inputs=(j, i), dim=d)
        out = tuple(b if a == 1 else a for a, b in zip(out, other))
    return out


def add_formula(shapes: tuple[Shape, ...], p: dict, out: Shape) -> str:
    return " + ".join(batch_fmt(s) for s in shapes) + f" = {batch_fmt(out)}"


def _concat_dim(rank: int, p: dict) -> int:
    """Concat's dim as an index into one sample's shape; raises ShapeError as torch does (and for the batch)."""
    d, full = p["dim"], rank + 1
    if not -full <= d < full:
        raise ShapeError(_("dim={dim} is out of range for a {rank}-D tensor (batch included): "
                           "use a value from {low} to {high}.").format(dim=d, rank=full, low=-full, high=full - 1),
                         Fix("set_param", _("set dim to 1"), param="dim", value=1), param="dim")
    index = d + full if d < 0 else d
    if index == 0:
        raise ShapeError(_("dim 0 is the batch: concatenating along it would join samples, not features. "
                           "Use dim=1 (the channels)."), Fix("set_param", _("set dim to 1"), param="dim", value=1),
                         param="dim")
    return index - 1


def concat(shapes: tuple[Shape, ...], p: dict, labels) -> Shape:
    """``torch.cat([x1, x2, ...], dim)``: every other dimension must agree."""
    first = shapes[0]
    for i in range(1, len(shapes)):
        if len(shapes[i]) != len(first):
            raise _rank_error("Concat", shapes, labels, 0, i)
    axis = _concat_dim(len(first), p)
    for i in range(1, len(shapes)):
        for d, (a, b) in enumerate(zip(first, shapes[i])):
            if d != axis and a != b:
                raise ShapeError(
                    _("Concat joins along {axis}, so every other dimension must agree, but {dimension} is "
                      "{a_size} on {a} {a_shape} and {b_size} on {b} {b_shape}.").format(
                        axis=dim_name(axis, len(first)), dimension=dim_name(d, len(first)), a_size=a, a=labels[0],
                        a_shape=batch_fmt(first), b_size=b, b=labels[i], b_shape=batch_fmt(shapes[i])),
                    inputs=(0, i), dim=d)
    return first[:axis] + (sum(s[axis] for s in shapes),) + first[axis + 1:]


def concat_formula(shapes: tuple[Shape, ...], p: dict, out: Shape) -> str:
    axis = _concat_dim(len(shapes[0]), p)
    return f"{dim_name(axis, len(out))}: " + " + ".join(str(s[axis]) for s in shapes) + f" = {out[axis]}"
