"""Open a model file of either kind the importer reads: a PyTorch .py or an ONNX graph."""

from __future__ import annotations

import os
from pathlib import Path

from designer.ml.importing import importer, onnx_import


def import_model(path: str | os.PathLike, input_shape=None, class_name: str | None = None) -> importer.ImportResult:
    """A .py (``importer.import_py``) or an ONNX file (``onnx_import.import_onnx``, which brings its weights)."""
    if Path(path).suffix.lower() == ".onnx":
        return onnx_import.import_onnx(path, input_shape)
    return importer.import_py(path, input_shape, class_name)
