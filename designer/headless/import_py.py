"""``import MODEL.py|MODEL.onnx --out P.netproj.json [--class NAME] [--input-shape C,H,W]``.

An ONNX file is converted to torch first (``designer.ml.importing.onnx_import``)
and brings its weights, written next to the project (P.pt).

Runs the file in the import sandbox, records its model's forward and writes
the project. Prints what it found (the models in the file, the chosen one, the
input shape and how it was found) and what it could not represent, with the
lines. Exit codes: 0 imported; 1 the file holds no model it can represent;
2 the file could not be read or run, or a usage error.
"""

from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

from designer.core.i18n import _


def _err(message: str) -> None:
    print(_("import: {message}").format(message=message), file=sys.stderr)


def run(args) -> int:
    from designer.core import project as project_io
    from designer.core.params import ParamError, parse_shape

    try:
        shape = parse_shape(args.input_shape or "")
    except ParamError as exc:
        _err(_("{where}: {what}").format(where="--input-shape", what=exc.message))
        return 2
    if not Path(args.file).is_file():
        _err(_("{file}: no such file").format(file=args.file))
        return 2
    from designer.ml.importing import files, importer
    from designer.ml.importing import sandbox

    # Start torch here while the sandboxed child starts its own: the check after it needs torch.
    threading.Thread(target=importlib.import_module, args=("designer.ml.export.verify",), daemon=True).start()
    for protection in sandbox.missing():
        print(_("warning: this system cannot give the imported file this protection: {protection}").format(
            protection=protection), file=sys.stderr)
    result = files.import_model(args.file, shape, args.class_name)
    print(result.report())
    if not result.ok:
        _err(_("{where}: {what}").format(where=args.file, what=result.error))
        return 2 if result.failure == importer.FAILED_FILE else 1
    try:
        project_io.save(result.project, args.out)
    except OSError as exc:
        _err(_("{file}: cannot be written ({error})").format(file=args.out, error=exc.strerror or exc))
        return 2
    print(_("wrote {file}").format(file=args.out))
    if result.state is not None:
        from designer.ml import weights

        out = Path(args.out)
        target = out.with_name(out.name.removesuffix(".json").removesuffix(".netproj") + ".pt")
        try:
            weights.save_state_dict(result.state, target)
        except OSError as exc:
            _err(_("{file}: cannot be written ({error})").format(file=target, error=exc.strerror or exc))
            return 2
        print(_("wrote {file}").format(file=target))
    return 0
