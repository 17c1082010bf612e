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

from designer.core.i18n import N_, _
from designer.ml import process
from designer.ml.explain.inside import evaluating

# The verdict lines (shown through _(): in Chinese under a Chinese interface).
IDENTICAL = N_("verified: identical outputs")
ROUNDING = N_("verified: outputs match within floating-point rounding (max difference {diff:.3g})")
DIFFER = N_("outputs differ: max difference {diff:.3g}")
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
    """The outcome of one export check.

    Attributes:
        ok: the written file computes what the app computes (identical, or within rounding).
        message: the verdict line (IDENTICAL, ROUNDING or DIFFER with the difference), or why the check could not run.
        max_abs_diff: the largest absolute difference, when both outputs were had.
        identical: the outputs are bitwise equal.
    """

    ok: bool
    message: str
    max_abs_diff: float | None = None
    identical: bool = False


def probe_batch(input_shape, batch: int = PROBE_BATCH, seed: int = PROBE_SEED) -> torch.Tensor:
    """A fixed random batch of samples shaped like the model's input."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn((batch, *[int(d) for d in input_shape]), generator=gen)


def reference_output(model: nn.Module, probe: torch.Tensor) -> torch.Tensor:
    """The in-app model's eval-mode output on the CPU, computed on one thread as in the checking process.

    Split over several threads, a long sum (Linear(5408, 10)) is added up in
    another order and its last bits change; on one thread both processes run
    the same kernels. The model's mode and this thread's thread count are restored.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # per calling thread (OpenMP): other threads keep theirs
    try:
        with evaluating(model):
            device = next((p.device for p in model.parameters()), torch.device("cpu"))
            return model(probe.to(device)).cpu()
    finally:
        torch.set_num_threads(threads)


def _bitwise_equal(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dim() == 0 or not a.dtype.is_floating_point:
        return torch.equal(a, b)
    # Compare the bytes, so that NaNs in the same places (and -0.0 against 0.0) are judged as stored.
    return torch.equal(a.contiguous().view(torch.uint8), b.contiguous().view(torch.uint8))


def compare(expected: torch.Tensor, got: torch.Tensor) -> Check:
    """The one verdict on two outputs: bitwise equal, within rounding (1e-5 of the output's scale), or different.

    Two processes may sum in a different order (thread counts, kernels), so a
    difference of a few units in the last place is rounding, not a wrong export.
    """
    if expected.shape != got.shape:
        return Check(False, _("outputs differ: output shapes {app} in the app, {exported} exported").format(
            app=tuple(expected.shape), exported=tuple(got.shape)))
    got = got.to(expected.dtype)
    if _bitwise_equal(expected, got):
        return Check(True, _(IDENTICAL), 0.0, True)
    diff = (expected.double() - got.double()).abs()
    worst = float("nan") if bool(torch.isnan(diff).any()) else float(diff.max())
    # Rounding of a long sum grows with the size of its terms, not of its result: an output near zero after
    # cancellation may differ by more than 1e-5 of itself, so the absolute tolerance follows the output's scale.
    # No absolute floor: an untrained model's outputs may all be ~1e-10, and a missing layer must still show.
    finite = expected.double().abs()
    finite = finite[torch.isfinite(finite)]
    scale = float(finite.max()) if finite.numel() else 0.0
    if torch.allclose(got.double(), expected.double(), rtol=1e-5, atol=1e-5 * scale):
        return Check(True, _(ROUNDING).format(diff=worst), worst)
    return Check(False, _(DIFFER).format(diff=worst), worst)


def verify_py(model: nn.Module, py_path: str | os.PathLike, weights_path: str | os.PathLike, input_shape,
              timeout: float = 120.0) -> Check:
    """Import ``py_path`` in a fresh process with ``weights_path`` and compare it with ``model``."""
    probe = probe_batch(input_shape)
    expected = reference_output(model, probe)
    with tempfile.TemporaryDirectory(prefix="netdesigner-verify-") as tmp:
        probe_file, out_file = Path(tmp, "probe.pt"), Path(tmp, "out.pt")
        torch.save(probe, probe_file)
        # cwd is the empty temp folder, so no file beside the export can shadow torch.
        result = process.run_python(["-c", _CHILD, str(Path(py_path).resolve()), str(Path(weights_path).resolve()),
                                   str(probe_file), str(out_file)], timeout, cwd=tmp)
        problem = result.problem(_("importing {file}").format(file=Path(py_path).name), timeout)
        if problem:
            return Check(False, problem)
        got = torch.load(out_file, weights_only=True)
    if not isinstance(got, torch.Tensor):
        return Check(False, _("{file}: the model returned {kind}, not a tensor").format(
            file=Path(py_path).name, kind=type(got).__name__))
    return compare(expected, got)


def verify_onnx(model: nn.Module, onnx_path: str | os.PathLike, input_shape) -> Check:
    """Run ``onnx_path`` through onnxruntime on the probe batch and give the same verdict as ``verify_py``."""
    from designer.ml.export.onnx_export import OnnxUnavailable, run_onnx

    probe = probe_batch(input_shape)
    expected = reference_output(model, probe)
    try:
        got = run_onnx(onnx_path, probe)
    except OnnxUnavailable as exc:
        return Check(False, str(exc))
    except Exception as exc:  # onnxruntime raises its own types for unreadable files
        return Check(False, _("{file}: onnxruntime could not run it ({error})").format(
            file=Path(onnx_path).name, error=exc))
    return compare(expected, got)
