"""The input shape of an imported model, and how it was found (part of the import child).

In order: the shape given; the file's ``INPUT_SHAPE``; the tensor the file
itself feeds the model (``X = torch.rand(1, 1, 224, 224)`` then ``net(X)`` or
``for layer in net: X = layer(X)``: the last one before the call); the
convention of the model's family (torchvision classifiers 3×224×224, CIFAR
models 3×32×32, MNIST models 1×28×28); a tensor the file makes that the model
runs on; the side at which the first Linear gets its in_features; for an
encoder–decoder (a UNet: its output as large as its input), the largest
multiple of its total stride that its deepest layer's receptive field covers
(its skip joins line up, its bottleneck sees the whole picture: 64 for three
halvings, 128 for four); else the smallest square it runs on. Never below the
model's total stride: a ResNet runs on 1×1 thanks to its padding, but then
sees nothing but padding.
"""

from __future__ import annotations

import ast
import re

import torch
import torch.nn.functional as F
from torch import nn

from designer.core.i18n import _, ngettext
from designer.ml.importing import trace

MAX_SIDE = 512
DEFAULT_SIDE = 28  # MNIST, the tutorial's data, when any size runs
FAMILIES = (  # (pattern in the file, channels, side, name)
    (re.compile(r"cifar", re.I), 3, 32, "CIFAR"),
    (re.compile(r"mnist", re.I), 1, 28, "MNIST"),
)
TORCHVISION_SIDE = {"Inception3": 299}


class ShapeProblem(Exception):
    """No input shape could be found (the message says how to give one)."""


def _feeds(stmt):
    """(callee, argument) names of ``callee(arg)``, ``callee.forward(arg)`` and ``for layer in callee: arg = layer(arg)``."""
    out = []
    if isinstance(stmt, ast.For) and isinstance(stmt.iter, ast.Name):
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == getattr(
                    stmt.target, "id", None) and node.args and isinstance(node.args[0], ast.Name):
                out.append((stmt.iter.id, node.args[0].id))
                break
    for node in ast.walk(stmt):
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Name):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "forward" and isinstance(func.value, ast.Name):
            func = func.value
        if isinstance(func, ast.Name):
            out.append((func.id, node.args[0].id))
    return out


def snapshot(stmt, namespace: dict) -> list:
    """Before ``stmt`` runs: the shapes of the tensors it feeds to a callee, as (callee, argument, shape)."""
    shots = []
    for callee, arg in _feeds(stmt):
        value = namespace.get(arg)
        if isinstance(value, torch.Tensor) and 2 <= value.dim() <= 4 and value.is_floating_point():
            shots.append((callee, arg, tuple(value.shape), stmt.lineno))
    return shots


def _runs(model, shape, path):
    try:
        trace.run(model, torch.zeros(2, *shape), path)
        return True
    except Exception:
        return False


def _first_layer(model):
    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.BatchNorm2d, nn.Linear, nn.BatchNorm1d)
    return next((m for m in model.modules() if isinstance(m, kinds)), None)


def input_shape(module, model, given, path, names, fed, text):
    """The input shape of one sample and a sentence saying how it was found.

    Args:
        names: the module-level names that hold the chosen model (the callees that count as "the model").
        fed: (callee, argument, shape, line) for every tensor the file fed to a callee, in order.
        text: the file's source (its words name the model's family).
    """
    if given:
        return list(given), _("given")
    declared = getattr(module, "INPUT_SHAPE", None)
    if isinstance(declared, (list, tuple)) and declared and all(type(d) is int and d > 0 for d in declared):
        return list(declared), _("from the file's INPUT_SHAPE")
    for callee, arg, shape, line in reversed(fed):
        if callee in names and _runs(model, shape[1:], path):
            return list(shape[1:]), _("from the tensor {name} {shape} the file feeds the model (line {line})").format(
                name=arg, shape=tuple(shape), line=line)
    first = _first_layer(model)
    family = _family(model, first, text)
    if family is not None and _runs(model, family[0], path):
        return list(family[0]), family[1]
    for name, value in vars(module).items():
        if isinstance(value, torch.Tensor) and 2 <= value.dim() <= 4 and value.is_floating_point() \
                and _runs(model, tuple(value.shape[1:]), path):
            return list(value.shape[1:]), _("from the file's tensor {name} {shape}").format(
                name=name, shape=tuple(value.shape))
    if first is None:
        raise ShapeProblem(_("cannot infer the input shape: the model has no Conv2d, BatchNorm or Linear; "
                             "give it (--input-shape C,H,W or the dialog's Input shape)"))
    if isinstance(first, (nn.Linear, nn.BatchNorm1d)):
        features = first.in_features if isinstance(first, nn.Linear) else first.num_features
        how = (f"Linear({first.in_features} → {first.out_features})" if isinstance(first, nn.Linear)
               else f"BatchNorm1d({features})")
        return [features], _("inferred from {layer}").format(layer=how)
    channels = first.in_channels if hasattr(first, "in_channels") else first.num_features
    return _search_side(model, channels, path)


def _family(model, first, text):
    """((C, H, W), sentence) for the model's family, or None."""
    channels = getattr(first, "in_channels", None)
    if type(model).__module__.startswith("torchvision.models"):
        side = TORCHVISION_SIDE.get(type(model).__name__, 224)
        return (channels or 3, side, side), _("the torchvision convention for {model} ({shape})").format(
            model=type(model).__name__, shape=f"{channels or 3}×{side}×{side}")
    for pattern, want, side, name in FAMILIES:
        if pattern.search(text or "") and channels in (None, want):
            return (want, side, side), _("the {family} convention ({shape}): the file speaks of {family}").format(
                family=name, shape=f"{want}×{side}×{side}")
    return None


def total_stride(recorder) -> int:
    """The largest product of strides from the input to any recorded layer (1 for a model without any)."""
    jumps = {-1: 1}
    best = 1
    for index, record in enumerate(recorder.records):
        jump = max((jumps.get(i, 1) for i in record["inputs"]), default=1)
        jump *= _stride(record)
        jumps[index] = jump
        best = max(best, jump)
    return best


def _stride(record) -> int:
    module = record.get("module")
    if module is not None and isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        stride = module.stride if module.stride is not None else module.kernel_size
        stride = stride if isinstance(stride, (tuple, list)) else (stride, stride)
        return max(int(s) for s in stride)
    if record["kind"] == "function" and record.get("in_shapes") and record.get("out_shape"):
        before, after = record["in_shapes"][0], record["out_shape"]
        if len(before) == 4 and len(after) == 4 and after[-1] and before[-1] > after[-1] > 1:
            return before[-1] // after[-1]  # F.max_pool2d and the like
    return 1


def deepest_field(recorder) -> int | None:
    """The receptive field side of the deepest map (the largest total stride) before any upsampling, or None.

    Per record, with its input's field ``(size, jump)``: ``size + dilation·(kernel − 1)·jump``, ``jump·stride``
    (designer.core.receptive's rule, on the recorded layers); an upsampling ends the field.
    """
    fields = {-1: (1, 1)}
    for index, record in enumerate(recorder.records):
        given = [fields.get(i) for i in record["inputs"]]
        out = record.get("out_shape")
        if not given or None in given or out is None or len(out) != 4:
            fields[index] = None
            continue
        size, jump = max(f[0] for f in given), max(f[1] for f in given)
        window = _window(record)
        if window is False:
            fields[index] = None
            continue
        if window is not None:
            kernel, stride, dilation = window
            size, jump = size + dilation * (kernel - 1) * jump, jump * stride
        fields[index] = (size, jump)
    known = [f for f in fields.values() if f is not None]
    deepest = max(j for _s, j in known)
    return max(s for s, j in known if j == deepest) if deepest > 1 else None


def _window(record):
    """(kernel, stride, dilation) of a sliding window layer, None for one that keeps positions, False for an
    upsampling (its output no longer maps to input positions one to one)."""
    module = record.get("module")
    if isinstance(module, (nn.ConvTranspose2d, nn.Upsample)) or record.get("target") is F.interpolate:
        return False
    if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        kernel, stride = module.kernel_size, module.stride if module.stride is not None else module.kernel_size
        dilation = getattr(module, "dilation", 1)
        return _largest(kernel), _largest(stride or kernel), _largest(dilation)
    if record.get("target") in (F.max_pool2d, F.avg_pool2d):
        args, kwargs = record.get("args") or (), record.get("kwargs") or {}
        kernel = kwargs.get("kernel_size", args[0] if args else 1)
        stride = kwargs.get("stride", args[1] if len(args) > 1 else None) or kernel
        return _largest(kernel), _largest(stride), 1
    return None


def _largest(value) -> int:
    return max(int(v) for v in value) if isinstance(value, (tuple, list)) else int(value)


def _dense(out, side) -> bool:
    """Whether the output is a map as large as the input (a segmentation model's, an autoencoder's)."""
    return isinstance(out, torch.Tensor) and out.dim() == 4 and tuple(out.shape[-2:]) == (side, side)


def _aligned(model, channels, side, path) -> bool:
    """Whether the model runs on ``side`` and no ``F.pad`` in it pads anything (every skip join lines up)."""
    try:
        recorder, _out = trace.run(model, torch.zeros(1, channels, side, side), path)
    except Exception:
        return False
    return all(tuple(r["in_shapes"][0]) == tuple(r["out_shape"]) for r in recorder.records
               if r["kind"] == "function" and r["target"] is F.pad and r.get("in_shapes") and r.get("out_shape"))


def _encoder_decoder(model, channels, path, recorder, stride, floor):
    """[C, side, side] and why for a model whose output is as large as its input, or None."""
    field = deepest_field(recorder)
    if field is None:
        return None
    for side in range(min(field, MAX_SIDE) // stride * stride, floor - 1, -stride):
        if _aligned(model, channels, side, path) and _runs(model, (channels, side, side), path):
            return [channels, side, side], _(
                "an encoder–decoder (its output is as large as its input): {side}×{side}, the largest multiple of "
                "its total stride ({stride}: its joins line up without padding) that the receptive field of its "
                "deepest layer ({field}×{field}) covers").format(side=side, stride=stride, field=field)
    return None


def _linear_fits(model, channels, side, path, wanted) -> bool:
    """Whether the first Linear gets its ``wanted`` features from a ``side``×``side`` input too."""
    try:
        recorder, _out = trace.run(model, torch.zeros(1, channels, side, side), path, stop_at_linear=True)
    except Exception:
        return False
    got = recorder.first_linear[2] if recorder.first_linear else None
    return bool(got) and got[-1] == wanted


def _search_side(model, channels, path):
    """The smallest square side for which forward runs and the first Linear gets its in_features; where any
    size runs (an adaptive pool before the Linear, or none), at least its total stride and DEFAULT_SIDE."""
    runs_at = None
    for side in range(1, MAX_SIDE + 1):
        try:
            recorder, _out = trace.run(model, torch.zeros(1, channels, side, side), path, stop_at_linear=True)
        except Exception:
            continue
        if recorder.first_linear:  # stopped at the first Linear: does it get its in_features?
            wanted, out, got = recorder.first_linear
            features = got[-1] if got else None
            if not (features == wanted and got[0] == 1 and _runs(model, (channels, side, side), path)):
                if features is not None and features > wanted:
                    raise ShapeProblem(_("no square input up to {side}×{side} gives the first Linear({wanted} → "
                                         "{out}) its {wanted} inputs; give the input shape (--input-shape C,H,W)"
                                         ).format(side=side, wanted=wanted, out=out))
                continue
            if not _linear_fits(model, channels, 2 * side + 1, path, wanted):
                return [channels, side, side], _("inferred from {layer}").format(layer=f"Linear({wanted} → {out})")
            # an adaptive pool before the Linear: any size fits it, and the rule for any size below holds
        runs_at = runs_at or side
        stride = total_stride(recorder)
        floor = max(DEFAULT_SIDE, stride)
        if _dense(_out, side) and stride > 1:
            found = _encoder_decoder(model, channels, path, recorder, stride, floor)
            if found is not None:
                return found
        for candidate in range(max(side, floor), MAX_SIDE + 1):
            if candidate % stride == 0 and _runs(model, (channels, candidate, candidate), path):
                return [channels, candidate, candidate], _(
                    "assumed: the model runs on any size from {side}×{side}; {chosen}×{chosen} is at least its "
                    "total stride ({stride}) and the tutorial's 28").format(side=runs_at, chosen=candidate,
                                                                           stride=stride)
        break
    raise ShapeProblem(ngettext("forward does not run on any square input from 1×1 to {side}×{side} with "
                                "{channels} channel; give the input shape (--input-shape C,H,W)",
                                "forward does not run on any square input from 1×1 to {side}×{side} with "
                                "{channels} channels; give the input shape (--input-shape C,H,W)",
                                channels).format(side=MAX_SIDE, channels=channels))
