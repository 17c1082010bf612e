"""Open an ONNX file as a project: onnx2torch turns it into a torch module, then the .py importer takes over.

The graph is converted to a ``torch.fx`` module by onnx2torch (the optional
``onnx`` extra), written as a three-line Python file next to a copy of the
graph, and imported like any other file: in the sandbox, traced on a real
tensor, checked layer by layer. The ONNX file itself is then run through
onnxruntime on the same probe and compared with the rebuilt project.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from designer.core.i18n import _

INSTALL_HINT = 'Importing ONNX needs the onnx, onnx2torch and onnxruntime packages: pip install "netdesigner[onnx]"'
OPSET = 17  # the newest opset onnx2torch reads; newer files are converted down first


class OnnxImportError(ValueError):
    """The ONNX file cannot be read or converted (the message says why)."""


def _converted(path: Path):
    """The graph as an onnx ModelProto that onnx2torch reads; raises OnnxImportError."""
    try:
        import onnx
        from onnx import version_converter
    except ImportError:
        raise OnnxImportError(INSTALL_HINT) from None
    try:
        model = onnx.load(str(path))
    except Exception as exc:  # a damaged or foreign file: onnx raises several types
        raise OnnxImportError(_("not an ONNX file onnx can read ({error})").format(error=exc)) from None
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), OPSET)
    if opset > OPSET:
        try:
            model = version_converter.convert_version(model, OPSET)
        except Exception as exc:
            raise OnnxImportError(_("cannot convert opset {opset} to {target}: {error}").format(
                opset=opset, target=OPSET, error=exc)) from None
    for node in model.graph.node:
        if node.op_type == "Reshape":
            # torch's exporter marks reshapes allowzero=1, which onnx2torch refuses; it changes nothing unless
            # the target shape holds a 0, which a model's reshape of a non-empty batch does not.
            kept = [a for a in node.attribute if a.name != "allowzero"]
            del node.attribute[:]
            node.attribute.extend(kept)
    return model


def input_shape(model) -> tuple[int, ...] | None:
    """One sample's shape from the graph's first input (its batch dimension left out), or None if not fixed."""
    inputs = [i for i in model.graph.input if i.name not in {t.name for t in model.graph.initializer}]
    if not inputs:
        return None
    dims = inputs[0].type.tensor_type.shape.dim
    sizes = [d.dim_value for d in dims[1:]]
    return tuple(sizes) if sizes and all(s > 0 for s in sizes) else None


def prepare(path: str | os.PathLike, folder: str | os.PathLike) -> tuple[Path, tuple | None]:
    """Write ``folder``/model.onnx (readable by onnx2torch) and the Python file that converts it.

    Returns the Python file and the graph's input shape (None when not fixed). Raises OnnxImportError.
    """
    import onnx

    try:
        from onnx2torch import convert
    except ImportError:
        raise OnnxImportError(INSTALL_HINT) from None
    model = _converted(Path(path))
    try:
        convert(model)
    except NotImplementedError as exc:
        raise OnnxImportError(_("the converter cannot read this graph: {error}").format(error=exc)) from None
    except Exception as exc:
        raise OnnxImportError(_("the converter failed: {error}").format(error=exc)) from None
    graph = Path(folder, "model.onnx")
    onnx.save(model, str(graph))
    shape = input_shape(model)
    source = Path(folder, f"{_identifier(Path(path).stem)}.py")
    # The graph is read here, not by onnx2torch, which would write beside it (outside the sandbox's folder).
    source.write_text("import onnx\nfrom onnx2torch import convert\n\n"
                      f"model = convert(onnx.load({str(graph)!r}))\n"
                      + (f"INPUT_SHAPE = {shape!r}\n" if shape else ""), encoding="utf-8")
    return source, shape


def _identifier(stem: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in stem).strip("_")
    return cleaned or "model"


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="netdesigner-onnx-")


def import_onnx(path: str | os.PathLike, input_shape=None, timeout: float | None = None, namespaces: bool = True):
    """Import an ONNX file as a project with its weights (``result.state``), checked against onnxruntime."""
    from designer.ml.importing import importer

    path = Path(path)
    result = importer.ImportResult(str(path))
    if not path.is_file():
        result.error, result.failure = _("no such file"), importer.FAILED_FILE
        return result
    with temporary_folder() as folder:
        try:
            source, _shape = prepare(path, folder)
        except OnnxImportError as exc:
            result.error, result.failure = str(exc), importer.FAILED_FILE
            return result
        options = {"timeout": timeout} if timeout else {}
        inner = importer.import_py(source, input_shape, "model", namespaces=namespaces, **options)
        inner.path = str(path)
        if inner.project is None:
            return inner
        import onnx
        from onnx2torch import convert

        converted = convert(onnx.load(str(Path(folder, "model.onnx"))))
    inner.project.name = importer.project_name(path)
    inner.project.extra["imported"]["file"] = path.name
    inner.state = importer.remap(converted.state_dict(), inner.key_map)
    inner.onnx_check = _against_onnxruntime(inner, path)
    return inner


def _against_onnxruntime(result, path: Path):
    """The rebuilt project with the file's initializers against the file run by onnxruntime (a Check)."""
    from designer.ml import models
    from designer.ml.export import onnx_export, verify

    model = models.build(result.project)
    try:
        models.attach(model, result.state)
    except models.WeightsMismatch as exc:
        return verify.Check(False, exc.report.summary())
    probe = verify.probe_batch(result.input_shape)
    try:
        expected = onnx_export.run_onnx(path, probe)
    except onnx_export.OnnxUnavailable as exc:
        return verify.Check(False, str(exc))
    return verify.compare(expected, verify.reference_output(model, probe))
