"""The numbers behind the convolution explainer, computed the long way.

``Explainer`` takes one layer's settings (the model's, or "what if" ones),
its input for one sample and its weights, and answers what the view shows:
the padded input, the taps of the window for each output cell, and that
cell's arithmetic (the products, their sum, the bias, the result). The
arithmetic is done here with numpy, tap by tap, not by calling the layer:
the tests compare it with the layer's real output.

For ConvTranspose2d the picture is a scatter: each input cell stamps its
value times the kernel into the output; ``stamp`` gives where, and
``contributions`` lists what lands on one output cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from designer.core import layers
from designer.core.i18n import _
from designer.core.rules import ShapeError

Pair = tuple[int, int]
WHAT_IF = ("kernel_size", "stride", "padding", "dilation")


class ExplainError(ValueError):
    """Settings the layer cannot run with; the message is the shape rule's, for the learner."""


@dataclass
class CellNumbers:
    """One output cell's arithmetic.

    Attributes:
        inputs: the window's input values, (channels, kh, kw); NaN where a tap is outside the padded input.
        weights: the kernel for this output channel, same shape (None for pools).
        products: inputs × weights (conv), or the inputs (pools).
        total: the sum of the products (conv, average pool) or the largest input (max pool).
        bias: added after the sum (0.0 when the layer has none).
        divisor: what an average pool divides by (1 otherwise).
        result: the output cell's value.
    """

    inputs: np.ndarray
    weights: np.ndarray | None
    products: np.ndarray
    total: float
    bias: float
    divisor: int
    result: float


class Explainer:
    """One layer's computation on one sample; ``params`` are as a node holds them (defaults may be missing)."""

    def __init__(self, layer_type: str, params: dict, x: torch.Tensor, weight: torch.Tensor | None = None,
                 bias: torch.Tensor | None = None):
        if layer_type not in layers.EXPLAINABLE:
            raise ExplainError(_("{layer} has no sliding window to explain").format(layer=layer_type))
        spec = layers.CATALOG[layer_type]
        self._spec = spec
        self.type = layer_type
        try:
            self.p = spec.resolve(params)
            self.in_shape = tuple(x.shape)
            self.out_shape = tuple(spec.rule(self.in_shape, self.p))
        except (ShapeError, ValueError) as exc:
            raise ExplainError(getattr(exc, "message", None) or str(exc)) from None
        p = self.p
        self.kernel: Pair = p["kernel_size"]
        self.stride: Pair = p["stride"] if p["stride"] is not None else self.kernel
        self.dilation: Pair = p.get("dilation", (1, 1)) if layer_type != "AvgPool2d" else (1, 1)
        self.groups = p.get("groups", 1)
        self.before, self.after = self._padding()
        self.x = x.detach().to(torch.float64)
        fits = weight is not None and tuple(weight.shape[2:]) == self.kernel
        # What-if kernels have no learned weights: the picture and the formula still follow.
        self.weight = weight.detach().to(torch.float64).numpy() if fits else None
        self.bias = bias.detach().to(torch.float64).numpy() if (fits and bias is not None) else None
        self.padded = self._pad()

    @property
    def formula(self) -> str:
        """The output-size formula with this layer's numbers, in the language of the moment."""
        return self._spec.formula(self.in_shape, self.p, self.out_shape) if self._spec.formula else ""

    # geometry -------------------------------------------------------------------------
    def _padding(self) -> tuple[Pair, Pair]:
        pad = self.p["padding"]
        if self.type == "ConvTranspose2d":
            return (0, 0), (0, 0)  # its padding crops the output instead
        if pad == "valid":
            pad = (0, 0)
        if pad == "same":
            total = tuple(d * (k - 1) for k, d in zip(self.kernel, self.dilation))
            before = tuple(t // 2 for t in total)
            return before, tuple(t - b for t, b in zip(total, before))
        return tuple(pad), tuple(pad)

    def _pad(self) -> np.ndarray:
        """The input with its border: zeros, torch's other padding modes, or -inf for max pooling.

        Pools in ceil mode may slide past the border; those taps are NaN (not part of any window).
        """
        x = self.x.unsqueeze(0)
        (top, left), (bottom, right) = self.before, self.after
        mode = self.p.get("padding_mode", "zeros")
        if self.type == "MaxPool2d":
            padded = F.pad(x, (left, right, top, bottom), value=-np.inf)
        elif mode == "zeros" or not (top or left or bottom or right):
            padded = F.pad(x, (left, right, top, bottom))
        else:
            padded = F.pad(x, (left, right, top, bottom), mode={"reflect": "reflect", "replicate": "replicate",
                                                                  "circular": "circular"}[mode])
        padded = padded[0].numpy()
        if self.type == "ConvTranspose2d":
            return padded
        need = [(o - 1) * s + d * (k - 1) + 1 for o, s, d, k in
                zip(self.out_shape[1:], self.stride, self.dilation, self.kernel)]
        extra = [max(0, n - have) for n, have in zip(need, padded.shape[1:])]
        if any(extra):
            padded = np.pad(padded, ((0, 0), (0, extra[0]), (0, extra[1])), constant_values=np.nan)
        return padded

    @property
    def steps(self) -> int:
        """Frames of the animation: one per output cell, or per input cell for the scatter."""
        h, w = self.in_shape[1:] if self.type == "ConvTranspose2d" else self.out_shape[1:]
        return h * w

    def position(self, step: int) -> Pair:
        width = self.in_shape[2] if self.type == "ConvTranspose2d" else self.out_shape[2]
        return divmod(step % self.steps, width)

    def taps(self, i: int, j: int) -> list[Pair]:
        """Where output cell (i, j)'s window reads, in padded-input coordinates, row by row."""
        (sh, sw), (dh, dw), (kh, kw) = self.stride, self.dilation, self.kernel
        return [(i * sh + a * dh, j * sw + b * dw) for a in range(kh) for b in range(kw)]

    def input_channels(self, out_channel: int) -> range:
        """The input channels output channel ``out_channel`` sees (all of them for pools: channel by channel)."""
        if self.type in ("MaxPool2d", "AvgPool2d"):
            return range(out_channel, out_channel + 1)
        cin, cout = self.in_shape[0], self.out_shape[0]
        group = out_channel // (cout // self.groups)
        share = cin // self.groups
        return range(group * share, (group + 1) * share)

    # arithmetic -----------------------------------------------------------------------
    def cell(self, out_channel: int, i: int, j: int) -> CellNumbers:
        """Output cell (out_channel, i, j) of a Conv2d or pool, tap by tap."""
        if self.type == "ConvTranspose2d":
            raise ExplainError(_("a transposed convolution scatters: use contributions()"))
        channels = self.input_channels(out_channel)
        (sh, sw), (dh, dw), (kh, kw) = self.stride, self.dilation, self.kernel
        rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
        cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
        inputs = self.padded[channels.start:channels.stop, rows, cols]
        if self.type == "MaxPool2d":
            best = float(np.nanmax(inputs))
            return CellNumbers(inputs, None, inputs, best, 0.0, 1, best)
        if self.type == "AvgPool2d":
            total = float(np.nansum(inputs))
            divisor = self._avg_divisor(i, j)
            return CellNumbers(inputs, None, inputs, total, 0.0, divisor, total / divisor)
        if self.weight is None:
            raise ExplainError(_("no weights for this kernel size: only the model's own kernel has them"))
        weights = self.weight[out_channel]  # (in_channels / groups, kh, kw): its group's channels
        products = inputs * weights
        total = float(products.sum())
        bias = float(self.bias[out_channel]) if self.bias is not None else 0.0
        return CellNumbers(inputs, weights, products, total, bias, 1, total + bias)

    def _avg_divisor(self, i: int, j: int) -> int:
        """torch's divisor: the window clipped to the padded input, or to the image without count_include_pad."""
        size = 1
        for index, s, k, pad, n in zip((i, j), self.stride, self.kernel, self.before, self.in_shape[1:]):
            start = index * s - pad
            end = min(start + k, n + pad)
            inside = end - start
            if not self.p["count_include_pad"]:
                inside = min(end, n) - max(start, 0)
            size *= inside
        return size

    # transposed convolution -----------------------------------------------------------
    @property
    def full_shape(self) -> Pair:
        """A transposed convolution's output before ``padding`` crops it (output_padding included)."""
        return tuple((n - 1) * s + d * (k - 1) + 1 + op for n, s, d, k, op in
                     zip(self.in_shape[1:], self.stride, self.dilation, self.kernel, self.p["output_padding"]))

    def stamp(self, i: int, j: int) -> list[Pair]:
        """Where input cell (i, j) of a transposed convolution writes, in uncropped output coordinates."""
        return self.taps(i, j)

    def contributions(self, out_channel: int, y: int, x: int) -> CellNumbers:
        """Everything a transposed convolution adds into output cell (out_channel, y, x) (cropped coordinates).

        ``inputs``/``weights``/``products`` are flat lists here, one entry per (input channel, input cell, tap)
        that lands on the cell.
        """
        if self.type != "ConvTranspose2d":
            raise ExplainError(_("only a transposed convolution scatters"))
        if self.weight is None:
            raise ExplainError(_("no weights for this kernel size: only the model's own kernel has them"))
        pad = self.p["padding"]
        fy, fx = y + pad[0], x + pad[1]
        cout_g = self.out_shape[0] // self.groups
        group, local = divmod(out_channel, cout_g)
        share = self.in_shape[0] // self.groups
        inputs, weights = [], []
        (sh, sw), (dh, dw), (kh, kw) = self.stride, self.dilation, self.kernel
        for a in range(kh):
            for b in range(kw):
                top, left = fy - a * dh, fx - b * dw
                if top % sh or left % sw:
                    continue
                i, j = top // sh, left // sw
                if 0 <= i < self.in_shape[1] and 0 <= j < self.in_shape[2]:
                    for c in range(group * share, (group + 1) * share):
                        inputs.append(float(self.x[c, i, j]))
                        weights.append(float(self.weight[c, local, a, b]))
        inputs_a, weights_a = np.array(inputs), np.array(weights)
        products = inputs_a * weights_a
        total = float(products.sum())
        bias = float(self.bias[out_channel]) if self.bias is not None else 0.0
        return CellNumbers(inputs_a, weights_a, products, total, bias, 1, total + bias)

    # whole maps, for the picture -------------------------------------------------------
    def output(self) -> np.ndarray | None:
        """The layer's output with these settings, (C, H', W'); None when a what-if kernel has no weights."""
        x = self.x.unsqueeze(0)
        p = self.p
        if self.type == "MaxPool2d":
            out = F.max_pool2d(x, self.kernel, self.stride, p["padding"], self.dilation, p["ceil_mode"])
        elif self.type == "AvgPool2d":
            out = F.avg_pool2d(x, self.kernel, self.stride, p["padding"], p["ceil_mode"], p["count_include_pad"])
        elif self.weight is None:
            return None
        elif self.type == "Conv2d":
            out = F.conv2d(torch.from_numpy(self.padded).unsqueeze(0), torch.from_numpy(self.weight),
                           None if self.bias is None else torch.from_numpy(self.bias),
                           self.stride, 0, self.dilation, self.groups)
        else:
            out = F.conv_transpose2d(x, torch.from_numpy(self.weight),
                                     None if self.bias is None else torch.from_numpy(self.bias),
                                     self.stride, p["padding"], p["output_padding"], self.groups, self.dilation)
        return out[0].numpy()


def what_if(params: dict, changes: dict) -> dict:
    """The node's parameters with the what-if settings put in (values as the inspector gives them)."""
    merged = dict(params)
    merged.update({k: v for k, v in changes.items() if k in WHAT_IF})
    return merged


def for_node(graph, path: list[str], model, tensor: torch.Tensor, node_id: str,
             changes: dict | None = None, inner: tuple[str, ...] = ()) -> Explainer:
    """The explainer of one node of a built model (class style), on the model input ``tensor`` (a batch of one).

    ``changes``: what-if settings (kernel_size, stride, padding, dilation) laid over the node's own. The
    layer's input is taken by a hook on the layer itself, so a layer after a merge is explained as well.
    ``inner``: for a layer inside a block, the node ids from the instance ``node_id`` down to the layer
    (its parameters are the instance's, arguments filled in).
    """
    from designer.core.codegen import identifiers
    from designer.ml.explain.inside import evaluating

    node, params = graph.nodes[node_id], graph.nodes[node_id].params
    ident = identifiers(graph).get(node_id) if node_id in path else None
    if inner and not ident:  # the instance entered through is not wired into the model
        raise ExplainError(_("this block is not part of the model: wire it in first"))
    if inner and ident:
        from designer.core.shapes import infer

        result, level = infer(graph).nodes[node_id], graph
        for inner_id in inner:
            block = level.blocks.get(node.type)
            result = result.inner.nodes.get(inner_id) if result is not None and result.inner is not None else None
            if block is None or result is None or inner_id not in block.graph.nodes:
                raise ExplainError(_("this block is not part of the model: wire it in first"))
            level = block.graph
            node, ident = level.nodes[inner_id], f"{ident}.{identifiers(level).get(inner_id)}"
        params = result.resolved or {}
    if node.type not in layers.EXPLAINABLE:
        raise ExplainError(_("{layer} has no sliding window to explain: choose a Conv2d, ConvTranspose2d, "
                             "MaxPool2d or AvgPool2d").format(layer=node.type))
    try:
        module = model.get_submodule(ident) if ident else None
    except AttributeError:
        module = None
    if module is None:
        raise ExplainError(_("this block is not part of the model: wire it in first"))
    seen: list[torch.Tensor] = []
    handle = module.register_forward_pre_hook(lambda _module, inputs: seen.append(inputs[0][0].detach().cpu()))
    try:
        with evaluating(model):
            model(tensor)
    finally:
        handle.remove()
    if not seen:
        raise ExplainError(_("the model ran without reaching this layer"))
    return Explainer(node.type, what_if(params, changes or {}), seen[0], getattr(module, "weight", None),
                     getattr(module, "bias", None))
