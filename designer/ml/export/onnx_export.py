"""ONNX export with a dynamic batch dimension (the optional ``onnx`` extra)."""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path

import torch
from torch import nn

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
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            program = torch.onnx.export(model, (example,), input_names=["input"], output_names=["output"],
                                        dynamic_shapes=({0: batch},), dynamo=True, verbose=False)
        program.save(str(path))
    finally:
        model.train(was_training)
    return path


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
