"""The export check: the written files must compute what the in-app model computes.

``verify_py`` imports the exported ``.py`` in a fresh Python process, loads
the exported weights there (``weights_only=True`` or safetensors), runs a
fixed probe batch and compares the result with the in-app model on the same
batch. ``verify_onnx`` does the same through onnxruntime.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from designer.ml import child
from designer.ml.inspect import evaluating

IDENTICAL = "verified: identical outputs"
ONNX_TOLERANCE = 1e-5
PROBE_BATCH = 4
PROBE_SEED = 1234

# Runs in the fresh process; argv: model.py weights probe.pt out.pt. Needs only torch
# (and safetensors for .safetensors weights).
_CHILD = r"""
import importlib.util, sys
import torch
py, weights, probe, out = sys.argv[1:5]
spec = importlib.util.spec_from_file_location("exported_model", py)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
model = module.build_model()
if weights.endswith(".safetensors"):
    from safetensors.torch import load_file
    state = load_file(weights)
else:
    state = torch.load(weights, map_location="cpu", weights_only=True)
model.load_state_dict(state, strict=True)
model.eval()
with torch.no_grad():
    result = model(torch.load(probe, weights_only=True))
torch.save(result, out)
"""


@dataclass
class Check:
    """The outcome of one export check."""

    ok: bool
    message: str  # IDENTICAL, the exact difference, or why the check could not run
    max_abs_diff: float | None = None
    identical: bool = False


def probe_batch(input_shape, batch: int = PROBE_BATCH, seed: int = PROBE_SEED) -> torch.Tensor:
    """A fixed random batch of samples shaped like the model's input."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn((batch, *[int(d) for d in input_shape]), generator=gen)


def reference_output(model: nn.Module, probe: torch.Tensor) -> torch.Tensor:
    """The in-app model's eval-mode output on the CPU; its mode is restored."""
    with evaluating(model):
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        return model(probe.to(device)).cpu()


def compare(expected: torch.Tensor, got: torch.Tensor, tolerance: float = 0.0) -> Check:
    """``IDENTICAL`` for bit-equal tensors, else the exact max abs difference (ok within ``tolerance``)."""
    if expected.shape != got.shape:
        return Check(False, f"output shapes differ: {tuple(expected.shape)} in the app, {tuple(got.shape)} exported")
    if torch.equal(expected, got):
        return Check(True, IDENTICAL, 0.0, True)
    diff = (expected.double() - got.double()).abs()
    nan = bool(torch.isnan(diff).any())
    worst = float("nan") if nan else float(diff.max())
    if not nan and worst <= tolerance:
        return Check(True, f"verified: max abs difference {worst:.3g} (tolerance {tolerance:g})", worst)
    return Check(False, f"outputs differ: max abs difference {worst!r}", worst)


def verify_py(model: nn.Module, py_path: str | os.PathLike, weights_path: str | os.PathLike, input_shape,
              timeout: float = 120.0) -> Check:
    """Import ``py_path`` in a fresh process with ``weights_path`` and compare it with ``model``."""
    probe = probe_batch(input_shape)
    expected = reference_output(model, probe)
    with tempfile.TemporaryDirectory(prefix="netdesigner-verify-") as tmp:
        probe_file, out_file = Path(tmp, "probe.pt"), Path(tmp, "out.pt")
        torch.save(probe, probe_file)
        # cwd is the empty temp folder, so no file beside the export can shadow torch.
        result = child.run_python(["-c", _CHILD, str(Path(py_path).resolve()), str(Path(weights_path).resolve()),
                                   str(probe_file), str(out_file)], timeout, cwd=tmp)
        problem = result.problem(f"importing {Path(py_path).name}", timeout)
        if problem:
            return Check(False, problem)
        got = torch.load(out_file, weights_only=True)
    if not isinstance(got, torch.Tensor):
        return Check(False, f"{Path(py_path).name}: the model returned {type(got).__name__}, not a tensor")
    return compare(expected, got)


def verify_onnx(model: nn.Module, onnx_path: str | os.PathLike, input_shape,
                tolerance: float = ONNX_TOLERANCE) -> Check:
    """Run ``onnx_path`` through onnxruntime on the probe batch and compare within ``tolerance``."""
    from designer.ml.onnx_export import OnnxUnavailable, run_onnx

    probe = probe_batch(input_shape)
    expected = reference_output(model, probe)
    try:
        got = run_onnx(onnx_path, probe)
    except OnnxUnavailable as exc:
        return Check(False, str(exc))
    except Exception as exc:  # onnxruntime raises its own types for unreadable files
        return Check(False, f"{Path(onnx_path).name}: onnxruntime could not run it ({exc})")
    return compare(expected, got.to(expected.dtype), tolerance)
