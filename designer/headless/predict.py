"""``predict FILE --weights W.pt IMAGE...``: classify images as the weights were trained to see them.

The weights' record (``designer.ml.record``) says how pictures were converted
(as the drawing pad does, or as an image folder's pictures were) and names the
classes; weights of another model are refused with the reason. Weights without
a record are read with the project's own settings: its ``folder:PATH`` data set
converts pictures as that folder's were and names the classes.
Prints one line per image: the file name, the class and its probability,
separated by tabs (file names may contain spaces). Problems go to stderr.
Exit codes: 0 all classified; 1 the graph is invalid or the weights do not fit
it; 2 the project, the weights or an image could not be read (or held no ink).
"""

from __future__ import annotations

import sys

from designer.core.datasets import is_folder, project_folder
from designer.core.i18n import _


def _error(message: str) -> None:
    print(_("error: {message}").format(message=message), file=sys.stderr)


def run(args) -> int:
    import numpy as np

    from designer.ml import models
    from designer.ml.data import folders
    from designer.ml.explain.inside import classify
    from designer.ml.data.preprocess import PreprocessError, adapt, load_image, preprocess

    try:
        project = models.load_project(args.file)
        result = models.valid_shapes(project, args.file)
    except models.ModelError as exc:
        _error(str(exc))
        return exc.exit_code
    out_shape = result.output_shape
    if out_shape is None or len(out_shape) != 1:
        _error(_("{file}: the model's output has shape {shape}; predict needs one score per class, "
                 "e.g. (10,): end the model with Linear(..., 10)").format(file=args.file, shape=out_shape))
        return 1
    input_shape = result.nodes[result.path[0]].out_shape
    try:
        state, record = models.read_weights_record(args.weights)
        models.check_record(project, state, record, str(args.weights))
    except models.ModelError as exc:
        _error(str(exc))
        return exc.exit_code
    classes = None
    if record is not None:  # the weights say how their pictures were converted and what the classes are called
        classes = list(record.classes)
        folder = record.folder
    else:
        folder = is_folder((project.training or {}).get("dataset"))
        if folder:
            classes = _project_classes(args.file, project, input_shape, out_shape[0])
            if classes is None:
                return 1
    if folder:
        try:
            folders.picture_size(input_shape)
        except folders.FolderError as exc:
            _error(f"{args.file}: {exc}")
            return 1
    else:
        try:
            adapt(np.zeros((1, 28, 28), np.uint8), input_shape)
        except PreprocessError as exc:
            _error(f"{args.file}: {exc}")
            return 1
    try:
        model = models.build(project)
        models.attach(model, state, source=str(args.weights))
    except models.ModelError as exc:
        _error(str(exc) if str(exc).startswith(str(args.weights)) else f"{args.file}: {exc}")
        return exc.exit_code

    code = 0
    for path in args.images:
        try:
            if folder:
                tensor = folders.prepare_picture(path, input_shape)
            else:
                prepared = preprocess(load_image(path), input_shape)
                if prepared.empty:
                    _error(_("{file}: no ink found (a blank image): nothing to classify").format(file=path))
                    code = 2
                    continue
                tensor = prepared.tensor
        except (PreprocessError, folders.FolderError) as exc:
            _error(str(exc))
            code = 2
            continue
        probs = classify(model, tensor)[0]
        best = int(probs.argmax())
        print(f"{path}\t{classes[best] if classes else best}\t{float(probs[best]):.4f}", flush=True)
    return code


def _project_classes(file: str, project, input_shape, scores: int) -> list[str] | None:
    """Weights without a record: the class names of the project's own image folder (None: said why)."""
    from designer.ml.data import folders

    dataset = project.training["dataset"]
    try:
        folders.picture_size(input_shape)
        classes = folders.classes_of(dataset, project_folder(file))
    except folders.FolderError as exc:
        _error(f"{file}: training.dataset: {exc}")
        return None
    if len(classes) != scores:
        _error(_("{file}: the model gives {scores} scores but {dataset} has {count} classes ({names}): set the "
                 "last Linear's out_features → {count} and train again").format(
            file=file, scores=scores, dataset=dataset, count=len(classes), names=", ".join(classes)))
        return None
    return classes
