"""``predict FILE --weights W.pt IMAGE...``: classify images as the drawing pad does.

For a project trained on an image folder (``folder:PATH``), images are
converted as that folder's pictures were and the class is its folder name.
Prints one line per image: the file name, the class and its probability,
separated by tabs (file names may contain spaces). Problems go to stderr.
Exit codes: 0 all classified; 1 the graph is invalid or the weights do not fit
it; 2 the project, the weights or an image could not be read (or held no ink).
"""

from __future__ import annotations

import sys
from pathlib import Path

from designer.core.i18n import _


def _error(message: str) -> None:
    print(_("error: {message}").format(message=message), file=sys.stderr)


def run(args) -> int:
    import numpy as np

    from designer.ml import models
    from designer.ml.data import folders
    from designer.ml.data.datasets import is_folder
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
    dataset = (project.training or {}).get("dataset")
    classes = None
    if is_folder(dataset):  # pictures are converted as the folder's were, and answered by class name
        try:
            folders.picture_size(input_shape)
            classes = folders.classes_of(dataset, Path(args.file).resolve().parent)
        except folders.FolderError as exc:
            _error(f"{args.file}: training.dataset: {exc}")
            return 1
        if len(classes) != out_shape[0]:
            _error(_("{file}: the model gives {scores} scores but {dataset} has {count} classes ({names}): set the "
                     "last Linear's out_features → {count} and train again").format(
                file=args.file, scores=out_shape[0], dataset=dataset, count=len(classes), names=", ".join(classes)))
            return 1
    else:
        try:
            adapt(np.zeros((1, 28, 28), np.uint8), input_shape)
        except PreprocessError as exc:
            _error(f"{args.file}: {exc}")
            return 1
    try:
        model = models.build(project)
        models.attach(model, models.read_weights(args.weights), source=str(args.weights))
    except models.ModelError as exc:
        _error(str(exc) if str(exc).startswith(str(args.weights)) else f"{args.file}: {exc}")
        return exc.exit_code

    code = 0
    for path in args.images:
        try:
            if classes is not None:
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
