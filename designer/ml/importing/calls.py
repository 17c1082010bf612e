"""Functional calls and layers whose arguments are not a catalog layer's, translated (or refused by name).

Part of the import child, next to ``trace``: ``F.pad`` becomes ZeroPad2d or
ReflectionPad2d, ``F.interpolate`` an Upsample, ``x.mean((2, 3),
keepdim=True)`` (squeeze-and-excitation) an AdaptiveAvgPool2d(1), and without
keepdim an AdaptiveAvgPool2d(1) then a Flatten. Each
function takes the call's arguments by name and returns an entry for
``trace.describe``: ``{"type": ..., "params": ...}`` or ``{"type": None,
"what": ...}``.
"""

from __future__ import annotations

from designer.core.i18n import _


def _refused(what: str) -> dict:
    return {"type": None, "what": what}


def pad(params: dict, rank: int) -> dict:
    """``F.pad(x, pad, mode, value)`` on an (N, C, H, W) tensor."""
    sides = list(params.get("pad") or ())
    mode = params.get("mode", "constant")
    value = params.get("value")
    if rank != 4 or len(sides) not in (2, 4):
        return _refused(_("F.pad of {count} sides on a {rank}-D tensor has no block (ZeroPad2d and ReflectionPad2d "
                          "pad the height and width of (N, C, H, W))").format(count=len(sides), rank=rank))
    if len(sides) == 2:
        sides += [0, 0]
    if mode == "constant" and value in (None, 0, 0.0):
        return {"type": "ZeroPad2d", "params": {"padding": sides}}
    if mode == "reflect":
        return {"type": "ReflectionPad2d", "params": {"padding": sides}}
    if mode == "constant":
        return _refused(_("F.pad with the value {value} has no block (ZeroPad2d pads with 0)").format(value=value))
    return _refused(_('F.pad with mode "{mode}" has no block (ZeroPad2d and ReflectionPad2d do "constant" and '
                      '"reflect")').format(mode=mode))


def _one_scale(scale):
    if isinstance(scale, (list, tuple)):
        if len(set(scale)) != 1:
            return None
        scale = scale[0]
    return float(scale)


def upsample(params: dict) -> dict:
    """``F.interpolate(...)`` or an ``nn.Upsample``'s attributes, as Upsample parameters."""
    mode = params.get("mode", "nearest")
    if mode not in ("nearest", "bilinear"):
        return _refused(_('resizing with mode "{mode}" has no block (Upsample does "nearest" and "bilinear")').format(
            mode=mode))
    if params.get("antialias"):
        return _refused(_("resizing with antialias=True has no block"))
    out = {"mode": mode}
    if params.get("size") is not None:
        size = params["size"]
        out["size"] = list(size) if isinstance(size, (list, tuple)) else size
    if params.get("scale_factor") is not None:
        scale = _one_scale(params["scale_factor"])
        if scale is None:
            return _refused(_("resizing height and width by different factors ({scale}) has no block").format(
                scale=params["scale_factor"]))
        out["scale_factor"] = scale
    if params.get("align_corners") is not None and mode == "bilinear":
        out["align_corners"] = bool(params["align_corners"])
    return {"type": "Upsample", "params": out}


def mean(params: dict, rank: int) -> dict:
    """``x.mean((2, 3), keepdim=True)``: the global average pool of squeeze-and-excitation."""
    dims = params.get("dim")
    dims = [dims] if isinstance(dims, int) else list(dims or ())
    spatial = rank == 4 and sorted(d % 4 for d in dims) == [2, 3]
    if spatial and params.get("keepdim"):
        return {"type": "AdaptiveAvgPool2d", "params": {"output_size": 1}}
    if spatial:
        return {"type": "AdaptiveAvgPool2d", "params": {"output_size": 1}, "then": "Flatten"}
    return _refused(_("an average over dimensions {dims} has no block").format(dims=dims or _("all")))
