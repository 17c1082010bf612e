"""ONNX export with a dynamic batch dimension (the optional ``onnx`` extra)."""

from __future__ import annotations

import contextlib
import copy as copy_module
import io
import os
import warnings
from pathlib import Path

import torch
from torch import nn

from designer.core.i18n import _

INSTALL_HINT = 'ONNX export needs the onnx and onnxscript packages: pip install "netdesigner[onnx]"'
RUNTIME_HINT = 'Checking an ONNX file needs onnxruntime: pip install "netdesigner[onnx]"'


class OnnxUnavailable(RuntimeError):
    """onnx/onnxscript (or onnxruntime, for the check) is not installed."""


def available() -> bool:
    """Whether ONNX export can run here."""
    try:
        import onnx  # noqa: F401
        import onnxscript  # noqa: F401
    except ImportError:
        return False
    return True


def runtime_available() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def export_onnx(model: nn.Module, input_shape, path: str | os.PathLike) -> Path:
    """Write ``model`` (in eval mode) as ONNX with input ``input`` (batch, *input_shape).

    The batch dimension is dynamic, so the file takes any batch size. The
    model's train/eval mode is restored afterwards.

    Raises:
        OnnxUnavailable: onnx or onnxscript is missing (the message says how to install them).
    """
    if not available():
        raise OnnxUnavailable(INSTALL_HINT)
    path = Path(path)
    was_training = model.training
    model.eval()
    # Batch 2, not 1: torch.export specialises sizes 0 and 1, which would pin the batch.
    example = torch.zeros((2, *[int(d) for d in input_shape]))
    batch = torch.export.Dim("batch")
    try:
        portable = _portable(model, example)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(portable, (example,), input_names=["input"], output_names=["output"],
                                        dynamic_shapes=({0: batch},), dynamo=True, verbose=False)
        program.save(str(path))
    finally:
        model.train(was_training)
    return path


def _portable(model: nn.Module, example: torch.Tensor) -> nn.Module:
    """``model``, or a copy whose layers that ONNX computes otherwise are replaced by equal ones.

    ONNX has no adaptive max pool: each AdaptiveMaxPool2d becomes the
    MaxPool2d it equals. ONNX's Resize picks other source pixels than torch's
    "nearest" when a given size is not a whole multiple of the input: such an
    Upsample becomes a gather of the rows and columns torch picks.

    Raises:
        ValueError: an AdaptiveMaxPool2d whose output size does not divide its input, which no MaxPool2d equals.
    """
    sizes = {}
    changed = {name: m for name, m in model.named_modules()
               if isinstance(m, nn.AdaptiveMaxPool2d) or (isinstance(m, nn.Upsample) and m.mode == "nearest"
                                                          and m.size is not None)}
    if not changed:
        return model

    def seen(name):
        def hook(module, args):
            sizes.setdefault(name, tuple(args[0].shape[-2:]))
        return hook

    handles = [m.register_forward_pre_hook(seen(name)) for name, m in changed.items()]
    try:
        with torch.no_grad():
            model(example)
    finally:
        for handle in handles:
            handle.remove()
    copy = copy_module.deepcopy(model)
    for name, layer in changed.items():
        if name not in sizes:
            continue
        parent, _dot, attr = name.rpartition(".")
        replacement = (_max_pool(name, layer, sizes[name]) if isinstance(layer, nn.AdaptiveMaxPool2d)
                       else _Gather(layer, sizes[name]))
        if not name:
            return replacement  # the model is this one layer
        setattr(copy.get_submodule(parent) if parent else copy, attr, replacement)
    return copy


def _max_pool(name: str, pool: nn.AdaptiveMaxPool2d, size: tuple) -> nn.Module:
    out = [o if o is not None else i for o, i in zip(_pair(pool.output_size), size)]
    if any(i % o for i, o in zip(size, out)):
        raise ValueError(_("{layer} pools {size} to {out}, which ONNX cannot express: choose an output size "
                           "that divides the input size").format(
            layer=name, size="×".join(map(str, size)), out="×".join(map(str, out))))
    kernel = tuple(i // o for i, o in zip(size, out))
    return nn.MaxPool2d(kernel, kernel)


class _Gather(nn.Module):
    """torch's nearest resize to a fixed size, as two index_select calls (exported as Gather)."""

    def __init__(self, upsample: nn.Upsample, size: tuple):
        super().__init__()
        rows = torch.arange(size[0], dtype=torch.float32).view(1, 1, -1, 1).expand(1, 1, size[0], size[1])
        cols = torch.arange(size[1], dtype=torch.float32).view(1, 1, 1, -1).expand(1, 1, size[0], size[1])
        with torch.no_grad():  # the indices torch's own kernel picks, read back through it
            self.register_buffer("rows", upsample(rows)[0, 0, :, 0].long(), persistent=False)
            self.register_buffer("cols", upsample(cols)[0, 0, 0, :].long(), persistent=False)

    def forward(self, x):
        return x.index_select(2, self.rows).index_select(3, self.cols)


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def run_onnx(path: str | os.PathLike, batch: torch.Tensor) -> torch.Tensor:
    """The ONNX file's output for ``batch``, through onnxruntime on the CPU."""
    try:
        import onnxruntime
    except ImportError:
        raise OnnxUnavailable(RUNTIME_HINT) from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return torch.from_numpy(session.run(None, {name: batch.detach().cpu().numpy()})[0])
