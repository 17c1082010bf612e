"""The layer catalog: one declarative entry per torch.nn type.

The palette, inspector, file loader, shape inference, summary and code
generation all read these entries. Adding a layer type means adding one entry
here (and a rule in ``rules`` when its shape arithmetic is new).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from designer.core import rules, rules_extra
from designer.core.i18n import N_, _
from designer.core.params import (BOOL, CHOICE, FLOAT, INT, OPT_FLOAT, OPT_INT, PADDING, PAIR, QUAD, SHAPE, Param,
                                  ParamError)

Shape = tuple[int, ...]

# Keys of the palette's groups; shown through _() (N_ puts them in the catalog).
CATEGORIES = (N_("Input"), N_("Convolution"), N_("Pooling"), N_("Linear"), N_("Activation"), N_("Normalization"),
              N_("Regularization"), N_("Shape"), N_("Merge"))

MAX_CHANNELS = 1 << 16
MAX_FEATURES = 1 << 20
MAX_KERNEL = 255
# Layers whose arithmetic Explain shows number by number (designer.ml.explain.numbers).
EXPLAINABLE = ("Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d")


@dataclass(frozen=True)
class LayerSpec:
    """How one torch.nn class behaves, for every part of the app."""

    type: str
    category: str
    help: str
    params: tuple[Param, ...]
    rule: Callable[[Shape, dict], Shape]
    prefix: str  # generated names: conv1, fc2, ...
    formula: Callable[[Shape, dict, Shape], str] | None = None
    summary: Callable[[dict], str] | None = None
    weights: Callable[[dict], int] | None = None  # trainable parameter count
    macs: Callable[[Shape, dict, Shape], int] | None = None
    # A valid but risky setting: (message, fix) or None; shown as a warning on the node.
    warning: Callable[[Shape, dict], tuple[str, rules.Fix] | None] | None = None
    # A merge takes two or more inputs: ``rule(shapes, params, labels)`` over their shapes in input
    # order, and ``formula(shapes, params, out)``. It is written in forward, not as a module.
    merge: bool = False
    # A layer written in forward as an expression on its one input, not as a module (Slice: ``x[:, 0:58]``):
    # ``expression(x, texts)`` with the input's variable and each parameter's value as code.
    expression: Callable[[str, dict], str] | None = None

    def param(self, name: str) -> Param | None:
        return self._by_name().get(name)

    def _by_name(self) -> dict[str, Param]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {p.name: p for p in self.params}
            object.__setattr__(self, "_index", cached)
        return cached

    def resolve(self, given: dict) -> dict:
        """Defaults filled in and every value checked; raises ParamError."""
        index = self._by_name()
        defaults, required = self._defaults()
        out = dict(defaults)
        try:  # the common case, every value fine; a problem is found again below, in the catalog's order
            for key, value in given.items():
                out[key] = index[key].check(value)
            if required <= given.keys():
                return out
        except (KeyError, ParamError):
            pass
        return self._resolve_in_order(given)

    def _resolve_in_order(self, given: dict) -> dict:
        index = self._by_name()
        for key in given:
            if key not in index:
                known = ", ".join(index) or _("none")
                raise ParamError(key, _("{type} has no parameter {key!r} (it takes: {known})").format(
                    type=self.type, key=key, known=known))
        # Defaults are checked once per spec; only the given values are checked on each call.
        defaults, required = self._defaults()
        out = dict(defaults)
        for p in self.params:
            if p.name in given:
                out[p.name] = p.check(given[p.name])
            elif p.name in required:
                raise ParamError(p.name, _("is required for {type}").format(type=self.type))
        return out

    def _defaults(self) -> tuple[dict, frozenset]:
        cached = self.__dict__.get("_default_values")
        if cached is None:
            values = {p.name: p.check(p.default) if p.default is not None else None for p in self.params}
            cached = (values, frozenset(p.name for p in self.params if p.required))
            object.__setattr__(self, "_default_values", cached)
        return cached


# Parameter helpers -------------------------------------------------------

def _channels(name: str, help: str) -> Param:
    return Param(name, INT, None, 1, MAX_CHANNELS, help, required=True, positional=True)


def _features(name: str, help: str) -> Param:
    return Param(name, INT, None, 1, MAX_FEATURES, help, required=True, positional=True)


KERNEL = Param("kernel_size", PAIR, None, 1, MAX_KERNEL,
               N_("Size of the window that slides over the image: 5 means 5×5."), required=True, positional=True)
STRIDE = Param("stride", PAIR, 1, 1, MAX_KERNEL,
               N_("How far the window moves at each step. 2 does not simply halve: the output-size formula on the block "
                  "decides (kernel 5, padding 0: 28 becomes 12)."))
DILATION = Param("dilation", PAIR, 1, 1, MAX_KERNEL,
                 N_("Spacing between kernel taps: 2 spreads a 3×3 kernel over 5×5 without more weights."))
GROUPS = Param("groups", INT, 1, 1, MAX_CHANNELS,
               N_("Splits channels into independent groups; must divide in_channels and out_channels."))
BIAS = Param("bias", BOOL, True, help=N_("Adds a learnable bias b to every output (y = x·w + b)."))
INPLACE = Param("inplace", BOOL, False, help=N_("Overwrites the input to save memory; the result is the same."))
CEIL = Param("ceil_mode", BOOL, False, help=N_("Round the output size up instead of down, keeping a partial window."))


def _pool_padding() -> Param:
    return Param("padding", PAIR, 0, 0, MAX_KERNEL, N_("Implicit border added on each side; at most half the kernel."))


# Counting helpers --------------------------------------------------------

def _conv_weights(p: dict) -> int:
    kh, kw = p["kernel_size"]
    w = p["out_channels"] * (p["in_channels"] // p["groups"]) * kh * kw
    return w + (p["out_channels"] if p["bias"] else 0)


def _conv_macs(shape: Shape, p: dict, out: Shape) -> int:
    kh, kw = p["kernel_size"]
    return math.prod(out) * (p["in_channels"] // p["groups"]) * kh * kw


def _convt_macs(shape: Shape, p: dict, out: Shape) -> int:
    kh, kw = p["kernel_size"]
    return math.prod(shape) * (p["out_channels"] // p["groups"]) * kh * kw


def _pair_text(v) -> str:
    if isinstance(v, str):
        return v
    return str(v[0]) if v[0] == v[1] else f"{v[0]}×{v[1]}"


def _conv_summary(p: dict) -> str:
    kh, kw = p["kernel_size"]
    parts = [f"{p['out_channels']} @ {kh}×{kw}", f"s{_pair_text(p['stride'])}", f"p{_pair_text(p['padding'])}"]
    if p["dilation"] != (1, 1):
        parts.append(f"d{_pair_text(p['dilation'])}")
    if p["groups"] != 1:
        parts.append(f"g{p['groups']}")
    return ", ".join(parts)


def _pool_summary(p: dict) -> str:
    kh, kw = p["kernel_size"]
    stride = p["stride"] if p["stride"] is not None else p["kernel_size"]
    return f"{kh}×{kw}, s{_pair_text(stride)}, p{_pair_text(p['padding'])}"


def _bn_weights(p: dict) -> int:
    return 2 * p["num_features"] if p["affine"] else 0


def _norm_params(affine: bool = True) -> tuple[Param, ...]:
    return (
        Param("num_features", INT, None, 1, MAX_CHANNELS,
              N_("Number of channels C to normalise; must equal the channels it receives."), required=True,
              positional=True),
        Param("eps", FLOAT, 1e-5, 1e-12, 1.0,  # torch refuses eps <= 0 in train()
              N_("Small number added to the variance so it never divides by zero.")),
        Param("momentum", OPT_FLOAT, 0.1, 0.0, 1.0, N_("How fast the running mean and variance follow each batch.")),
        Param("affine", BOOL, affine, help=N_("Learn a scale γ and shift β per channel.")),
        Param("track_running_stats", BOOL, affine,
              help=N_("Keep running mean/variance (buffers in state_dict) to use in eval() mode.")),
    )


def _dropout(name: str, help: str, rule=rules.same) -> LayerSpec:
    return LayerSpec(name, "Regularization", help,
                     (Param("p", FLOAT, 0.5, 0.0, 1.0, N_("Probability of zeroing an element during training.")),
                      INPLACE),
                     rule, "drop", summary=lambda p: f"p={p['p']:g}")


def _pad(name: str, help: str, rule) -> LayerSpec:
    return LayerSpec(name, "Shape", help,
                     (Param("padding", QUAD, None, 0, MAX_KERNEL,
                            N_("Rows and columns added: one number for every side, or four: left, right, top, "
                               "bottom."), required=True, positional=True),),
                     rule, "pad", rules_extra.pad_formula,
                     summary=lambda p: "/".join(str(v) for v in p["padding"]) if len(set(p["padding"])) > 1
                     else str(p["padding"][0]))


def _affine_count(p: dict, size: int, key: str = "affine") -> int:
    return 2 * size if p[key] else 0


def _simple(name: str, category: str, help: str, prefix: str, params: tuple[Param, ...] = (),
            summary: Callable[[dict], str] | None = None) -> LayerSpec:
    return LayerSpec(name, category, help, params, rules.same, prefix, summary=summary)


_SOFTMAX_DIM = Param("dim", OPT_INT, None, -4, 3,
                     N_("Dimension the probabilities sum over; 1 is the class dimension of (N, classes)."))

SPECS: tuple[LayerSpec, ...] = (
    LayerSpec("Input", "Input", N_("The shape of one sample, without the batch dimension: [C, H, W] or [F]."),
              (Param("shape", SHAPE, None, 1, 4096, N_("One sample's shape, e.g. [1, 28, 28] for MNIST."),
                     required=True),),
              rules.input_rule, "input", summary=lambda p: "×".join(str(d) for d in p["shape"])),
    LayerSpec("Conv2d", "Convolution", N_("2-D convolution: slides out_channels learned filters over the image."),
              (_channels("in_channels", N_("Channels of the input image (1 for grey MNIST, 3 for RGB).")),
               _channels("out_channels", N_("Number of filters, which is the number of output channels.")),
               KERNEL, STRIDE,
               Param("padding", PADDING, 0, 0, MAX_KERNEL,
                     N_('Border added on each side; "same" keeps H and W, "valid" means 0.')),
               DILATION, GROUPS, BIAS,
               Param("padding_mode", CHOICE, "zeros", help=N_("What the border is filled with."),
                     choices=("zeros", "reflect", "replicate", "circular"))),
              rules.conv2d, "conv", rules.conv2d_formula, _conv_summary, _conv_weights, _conv_macs),
    LayerSpec("ConvTranspose2d", "Convolution",
              N_("Transposed convolution: grows the image, the reverse of a strided Conv2d's shape change."),
              (_channels("in_channels", N_("Channels of the input.")),
               _channels("out_channels", N_("Channels of the output.")),
               KERNEL, STRIDE,
               Param("padding", PAIR, 0, 0, MAX_KERNEL,
                     N_("Crops padding rows and columns from each side of the output (kernel 3 on 5×5: padding 0, 1, 2 "
                        "give 7, 5, 3).")),
               Param("output_padding", PAIR, 0, 0, MAX_KERNEL,
                     N_("Extra size added to one side of the output; must be smaller than stride or dilation.")),
               GROUPS, BIAS, DILATION),
              rules.conv_transpose2d, "deconv", rules.conv_transpose2d_formula, _conv_summary,
              lambda p: (p["in_channels"] * (p["out_channels"] // p["groups"]) * p["kernel_size"][0]
                         * p["kernel_size"][1] + (p["out_channels"] if p["bias"] else 0)),
              _convt_macs),
    LayerSpec("MaxPool2d", "Pooling", N_("Keeps the largest value in each window: shrinks H and W."),
              (KERNEL, Param("stride", PAIR, None, 1, MAX_KERNEL, N_("Step of the window; defaults to kernel_size.")),
               _pool_padding(), DILATION,
               Param("return_indices", BOOL, False, help=N_("Also return where the maxima were (for MaxUnpool2d).")),
               CEIL),
              rules.max_pool2d, "pool", rules.pool_formula, _pool_summary),
    LayerSpec("AvgPool2d", "Pooling", N_("Averages each window: shrinks H and W."),
              (KERNEL, Param("stride", PAIR, None, 1, MAX_KERNEL, N_("Step of the window; defaults to kernel_size.")),
               _pool_padding(), CEIL,
               Param("count_include_pad", BOOL, True, help=N_("Count the zero padding in the average."))),
              rules.avg_pool2d, "avgpool", rules.pool_formula, _pool_summary),
    LayerSpec("AdaptiveAvgPool2d", "Pooling", N_("Averages to a fixed output size, whatever the input size."),
              (Param("output_size", PAIR, None, 1, 4096, N_("Height and width of the output."), required=True,
                     positional=True),),
              rules.adaptive_avg_pool2d, "adapool", summary=lambda p: f"→ {_pair_text(p['output_size'])}"),
    LayerSpec("AdaptiveMaxPool2d", "Pooling", N_("Keeps the largest value of each region, for a fixed output size "
                                                 "whatever the input size."),
              (Param("output_size", PAIR, None, 1, 4096, N_("Height and width of the output."), required=True,
                     positional=True),),
              rules_extra.adaptive_max_pool2d, "adamaxpool", summary=lambda p: f"→ {_pair_text(p['output_size'])}"),
    LayerSpec("Linear", "Linear", N_("Fully connected layer: y = x·Aᵀ + b on the last dimension."),
              (_features("in_features", N_("Size of each input vector: must equal the last dimension it receives.")),
               _features("out_features", N_("Size of each output vector (10 for ten digit classes).")), BIAS),
              rules.linear, "fc", rules.linear_formula,
              lambda p: f"{p['in_features']} → {p['out_features']}",
              lambda p: p["in_features"] * p["out_features"] + (p["out_features"] if p["bias"] else 0),
              lambda s, p, o: math.prod(o) * p["in_features"]),
    _simple("ReLU", "Activation", N_("max(0, x): keeps positives, zeroes negatives."), "relu", (INPLACE,)),
    _simple("LeakyReLU", "Activation", N_("Like ReLU, but negatives are scaled by negative_slope instead of zeroed."),
            "lrelu", (Param("negative_slope", FLOAT, 0.01, 0.0, 1.0, N_("Slope for negative inputs.")), INPLACE),
            summary=lambda p: f"slope {p['negative_slope']:g}"),
    _simple("Sigmoid", "Activation", N_("1 / (1 + e^−x): squashes to (0, 1)."), "sigmoid"),
    _simple("Tanh", "Activation", N_("Squashes to (−1, 1)."), "tanh"),
    _simple("GELU", "Activation", N_("Smooth ReLU used in transformers."), "gelu",
            (Param("approximate", CHOICE, "none", help=N_("Use the tanh approximation."), choices=("none", "tanh")),)),
    _simple("ReLU6", "Activation", N_("min(max(0, x), 6): a ReLU capped at 6 (MobileNet)."), "relu", (INPLACE,)),
    _simple("Hardswish", "Activation", N_("x · ReLU6(x + 3) / 6: a cheap smooth ReLU (MobileNetV3)."), "hswish",
            (INPLACE,)),
    _simple("Hardsigmoid", "Activation", N_("ReLU6(x + 3) / 6: a cheap sigmoid made of straight lines."),
            "hsigmoid", (INPLACE,)),
    _simple("SiLU", "Activation", N_("x · sigmoid(x), also called Swish (EfficientNet)."), "silu", (INPLACE,)),
    _simple("ELU", "Activation", N_("x for positives, alpha·(eˣ − 1) for negatives: smooth, with negative outputs."),
            "elu", (Param("alpha", FLOAT, 1.0, 0.0, 10.0, N_("The value negative inputs approach: −alpha.")),
                    INPLACE), summary=lambda p: f"alpha {p['alpha']:g}"),
    LayerSpec("PReLU", "Activation", N_("Like LeakyReLU, but the slope for negatives is learned."),
              (Param("num_parameters", INT, 1, 1, MAX_CHANNELS,
                     N_("Number of learned slopes: 1 for all channels, or one per channel.")),
               Param("init", FLOAT, 0.25, 0.0, 1.0, N_("Starting value of the slope(s)."))),
              rules_extra.prelu, "prelu", summary=lambda p: f"{p['num_parameters']} × {p['init']:g}",
              weights=lambda p: p["num_parameters"]),
    LayerSpec("Softmax", "Activation", N_("Turns scores into probabilities that sum to 1 along dim."),
              (_SOFTMAX_DIM,), rules.softmax, "softmax", summary=lambda p: f"dim={p['dim']}",
              warning=rules.softmax_warning),
    LayerSpec("LogSoftmax", "Activation", N_("log(Softmax): pair it with NLLLoss."),
              (_SOFTMAX_DIM,), rules.softmax, "logsoftmax", summary=lambda p: f"dim={p['dim']}",
              warning=rules.softmax_warning),
    LayerSpec("BatchNorm2d", "Normalization", N_("Normalises each channel over the batch; has running statistics."),
              _norm_params(), rules.batch_norm2d, "bn", summary=lambda p: str(p["num_features"]),
              weights=_bn_weights),
    LayerSpec("BatchNorm1d", "Normalization", N_("Normalises each feature over the batch; has running statistics."),
              _norm_params(), rules.batch_norm1d, "bn", summary=lambda p: str(p["num_features"]),
              weights=_bn_weights),
    LayerSpec("InstanceNorm2d", "Normalization", N_("Normalises each channel of each image over its own H×W (style "
                                                    "transfer, GANs); no running statistics by default."),
              _norm_params(affine=False), rules_extra.instance_norm2d, "inorm", summary=lambda p: str(p["num_features"]),
              weights=_bn_weights),
    LayerSpec("GroupNorm", "Normalization", N_("Normalises groups of channels within each sample: works the same "
                                               "with a batch of 1 or 100."),
              (Param("num_groups", INT, None, 1, MAX_CHANNELS, N_("Number of channel groups; must divide "
                                                                  "num_channels."), required=True, positional=True),
               Param("num_channels", INT, None, 1, MAX_CHANNELS, N_("Channels C it receives."), required=True,
                     positional=True),
               Param("eps", FLOAT, 1e-5, 1e-12, 1.0, N_("Small number added to the variance so it never divides by "
                                                       "zero.")),
               Param("affine", BOOL, True, help=N_("Learn a scale γ and shift β per channel."))),
              rules_extra.group_norm, "gn", summary=lambda p: f"{p['num_groups']} × {p['num_channels'] // max(1, p['num_groups'])}",
              weights=lambda p: _affine_count(p, p["num_channels"])),
    LayerSpec("LayerNorm", "Normalization", N_("Normalises the last dimensions of each sample (transformers, "
                                               "ConvNeXt)."),
              (Param("normalized_shape", SHAPE, None, 1, MAX_FEATURES, N_("The last dimensions of the input to "
                                                                          "normalise over, e.g. [64]."),
                     required=True, positional=True),
               Param("eps", FLOAT, 1e-5, 1e-12, 1.0, N_("Small number added to the variance so it never divides by "
                                                       "zero.")),
               Param("elementwise_affine", BOOL, True, help=N_("Learn a scale γ and shift β per element.")),
               Param("bias", BOOL, True, help=N_("Learn the shift β too (with elementwise_affine)."))),
              rules_extra.layer_norm, "ln", summary=lambda p: "×".join(str(d) for d in p["normalized_shape"]),
              weights=lambda p: (math.prod(p["normalized_shape"]) * (1 + p["bias"]) if p["elementwise_affine"]
                                 else 0)),
    _dropout("Dropout", N_("Zeroes random elements with probability p while training; does nothing in eval().")),
    _dropout("Dropout2d", N_("Zeroes whole random channels with probability p while training.")),
    _dropout("Dropout1d", N_("Zeroes whole random channels of a sequence (C, L) with probability p while training."),
             rules_extra.dropout1d),
    _dropout("AlphaDropout", N_("Dropout for SELU networks: keeps the mean and variance of its input while "
                                "training.")),
    LayerSpec("Flatten", "Shape", N_("Joins dimensions start_dim..end_dim into one: (16, 5, 5) → (400)."),
              (Param("start_dim", INT, 1, -4, 3, N_("First dimension to flatten (0 is the batch).")),
               Param("end_dim", INT, -1, -4, 3, N_("Last dimension to flatten (−1 is the last)."))),
              rules.flatten, "flatten", rules.flatten_formula),
    LayerSpec("Unflatten", "Shape", N_("Splits one dimension into several, the reverse of Flatten: (1024) → (64, 4, "
                                       "4), as a GAN generator turns a Linear's output into a small image."),
              (Param("dim", INT, None, -4, 3, N_("Dimension to split, counting the batch: 1 is the features of (N, "
                                                 "F)."), required=True, positional=True),
               Param("unflattened_size", SHAPE, None, 1, MAX_FEATURES,
                     N_("The sizes it becomes, e.g. [64, 4, 4]; their product must equal the size of dim."),
                     required=True, positional=True)),
              rules_extra.unflatten, "unflatten", rules_extra.unflatten_formula,
              summary=lambda p: "→ " + "×".join(str(d) for d in p["unflattened_size"])),
    _simple("Identity", "Shape", N_("Passes its input through unchanged."), "identity"),
    _pad("ZeroPad2d", N_("Adds a border of zeros around the image: 1 makes 28×28 into 30×30."), rules_extra.zero_pad2d),
    _pad("ReflectionPad2d", N_("Adds a border that mirrors the image's edge (no hard zero frame): common in "
                               "style transfer and GAN generators."), rules_extra.reflection_pad2d),
    LayerSpec("Upsample", "Shape", N_("Makes the image larger: copies each pixel (nearest) or blends neighbours "
                                      "(bilinear); the decoder half of a UNet or a GAN generator."),
              (Param("size", PAIR, None, 1, 4096, N_("Output height and width; leave unset to use scale_factor.")),
               Param("scale_factor", OPT_FLOAT, None, 0.01, 64.0,
                     N_("Multiplies H and W: 2 doubles them (rounded down).")),
               Param("mode", CHOICE, "nearest", help=N_("How new pixels are filled: copies (nearest) or a blend "
                                                        "of the four neighbours (bilinear)."),
                     choices=("nearest", "bilinear")),
               Param("align_corners", BOOL, None, help=N_("bilinear only: line up the corner pixels of input and "
                                                          "output; unset is false."))),
              rules_extra.upsample, "up", rules_extra.upsample_formula,
              summary=lambda p: (f"→ {_pair_text(p['size'])}" if p["size"] is not None else
                                 f"×{p['scale_factor']:g}" if p["scale_factor"] is not None else "") + f", {p['mode']}"),
    LayerSpec("ChannelShuffle", "Shape", N_("Interleaves the channels of its groups, so that the next grouped "
                                            "convolution mixes them (ShuffleNet)."),
              (Param("groups", INT, None, 1, MAX_CHANNELS, N_("Number of groups; must divide the channels."),
                     required=True, positional=True),),
              rules_extra.channel_shuffle, "shuffle", summary=lambda p: f"g{p['groups']}"),
    LayerSpec("Slice", "Shape", N_("Keeps a part of one dimension: x[:, 0:58] keeps the first 58 channels. Two "
                                   "Slices split a tensor in two, as ShuffleNet's x.chunk(2, dim=1) does."),
              (Param("dim", INT, 1, -4, 3, N_("Dimension to cut, counting the batch: 1 is the channels of (N, C, H, "
                                              "W); 0 (the batch) is refused.")),
               Param("start", INT, 0, 0, MAX_FEATURES, N_("The first index kept, counting from 0.")),
               Param("end", OPT_INT, None, 1, MAX_FEATURES, N_("The index where the slice stops (not kept); unset "
                                                               "keeps everything to the end."))),
              rules_extra.slice_rule, "slice", rules_extra.slice_formula, summary=rules_extra.slice_summary,
              expression=rules_extra.slice_code),
    LayerSpec("Add", "Merge", N_("Adds its inputs element-wise (x1 + x2 + ...), with broadcasting: a skip "
                                 "connection joins here."), (), rules.add, "add", rules.add_formula, merge=True),
    LayerSpec("Concat", "Merge", N_("Joins its inputs along dim (torch.cat): 8 + 8 channels give 16."),
              (Param("dim", INT, 1, -4, 3, N_("Dimension to join along, counting the batch: 1 is the channels of "
                                              "(N, C, H, W); 0 (the batch) is refused.")),),
              rules.concat, "cat", rules.concat_formula, summary=lambda p: f"dim={p['dim']}", merge=True),
    LayerSpec("Mul", "Merge", N_("Multiplies its inputs element-wise (x1 * x2), with broadcasting: squeeze-and-"
                                 "excitation scales each channel by a learned weight here."), (), rules_extra.mul,
              "mul", rules_extra.mul_formula, merge=True),
)

CATALOG: dict[str, LayerSpec] = {spec.type: spec for spec in SPECS}
MERGES = frozenset(spec.type for spec in SPECS if spec.merge)  # the types that join branches
IN_FORWARD = frozenset(spec.type for spec in SPECS if spec.merge or spec.expression)  # written in forward, no module


def get(type_name: str) -> LayerSpec | None:
    return CATALOG.get(type_name)


def palette_types() -> list[LayerSpec]:
    """Every placeable layer (everything but Input), in catalog order."""
    return [s for s in SPECS if s.type != "Input"]
