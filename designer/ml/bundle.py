"""Write every export the user asked for, then prove each one computes what the app computes.

The export dialog runs ``export_bundle`` on a worker thread; everything here
is plain code (no Qt) so the command line can use it too.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from designer.core import codegen, trainscript
from designer.core.project import Project, write_atomic
from designer.ml import build, verify, weights

SEED = 0  # fresh weights are seeded, so two exports of one project agree


@dataclass
class Request:
    """What to write; ``None`` skips that file."""

    py: Path
    style: str = "class"
    weights: Path | None = None  # .pt or .safetensors
    onnx: Path | None = None
    train_script: Path | None = None
    verify: bool = True


@dataclass
class Outcome:
    """What was written and what the checks found."""

    written: list[Path] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # for the dialog, in order
    checks: dict[str, verify.Check] = field(default_factory=dict)  # "py", "onnx"
    error: str | None = None

    @property
    def verified(self) -> bool:
        return self.error is None and bool(self.checks) and all(c.ok for c in self.checks.values())

    def text(self) -> str:
        return "\n".join(self.lines + ([f"error: {self.error}"] if self.error else []))


def model_for(project: Project, state: dict | None, style: str = "class"):
    """The in-app model: trained ``state`` when it fits, else seeded fresh weights; and a note saying which."""
    model = build.seeded_model(project.graph, SEED, style)
    if state is None:
        return model, f"fresh weights, seed {SEED}"
    report = weights.compare(model.state_dict(), state)
    if not report.ok and style != "class":
        state = build.restyle_state(project.graph, state, style)
        report = weights.compare(model.state_dict(), state)
    if not report.ok:
        return model, f"fresh weights, seed {SEED}: the trained weights do not fit the model"
    model.load_state_dict(state, strict=True)
    return model, "trained weights"


def export_bundle(project: Project, state: dict | None, request: Request) -> Outcome:
    """Write the .py (and weights, ONNX, training script) and verify them; never raises for user errors."""
    out = Outcome()
    try:
        _export(project, state, request, out)
    except (codegen.CodegenError, build.BuildError, weights.WeightsError, OSError, ValueError) as exc:
        out.error = str(exc)
    return out


def _write_text(path: Path, text: str, out: Outcome) -> None:
    write_atomic(path, text.encode("utf-8"))
    out.written.append(path)


def _export(project: Project, state: dict | None, request: Request, out: Outcome) -> None:
    source = codegen.generate(project, request.style)
    shape = tuple(project.graph.input_node().params["shape"])
    _write_text(request.py, source, out)
    out.lines.append(f"wrote {request.py.name} ({request.style} style)")
    model, note = model_for(project, state, request.style)
    if request.weights:
        weights.save_state_dict(model.state_dict(), request.weights)
        out.written.append(request.weights)
        out.lines.append(f"wrote {request.weights.name} ({note})")
    if request.train_script:
        module = os.path.relpath(request.py, request.train_script.parent)
        _write_text(request.train_script, trainscript.generate(project, module), out)
        out.lines.append(f"wrote {request.train_script.name} (python {request.train_script.name} --data DIR, "
                         "or torchrun --nproc_per_node N ...)")
    if request.verify and request.weights:
        check = verify.verify_py(model, request.py, request.weights, shape)
        out.checks["py"] = check
        out.lines.append(f"{request.py.name} + {request.weights.name} in a fresh process: {check.message}")
    elif request.verify:
        # No weights file asked for: check the .py with the same weights in a temporary one.
        with tempfile.TemporaryDirectory(prefix="netdesigner-export-") as tmp:
            temporary = Path(tmp, "weights.pt")
            weights.save_state_dict(model.state_dict(), temporary)
            check = verify.verify_py(model, request.py, temporary, shape)
        out.checks["py"] = check
        out.lines.append(f"{request.py.name} in a fresh process ({note}): {check.message}")
    if request.onnx:
        from designer.ml import onnx_export

        try:
            onnx_export.export_onnx(model, shape, request.onnx)
        except onnx_export.OnnxUnavailable as exc:
            out.lines.append(f"ONNX skipped: {exc}")
        else:
            out.written.append(request.onnx)
            out.lines.append(f"wrote {request.onnx.name}")
            if request.verify:
                check = verify.verify_onnx(model, request.onnx, shape)
                out.checks["onnx"] = check
                out.lines.append(f"{request.onnx.name} through onnxruntime: {check.message}")
