"""A trained model checked on a folder of pictures it never saw: a class's own handwriting, say.

The folder holds one sub-folder per class (``3/``, ``7/``...; Try it ▸ Save
Drawing As writes it so). Every picture is converted as the weights' own
pictures were (the record, ``designer.ml.record``): for a model trained on
digits as the drawing pad converts a drawing, for an image-folder model as its
folder's pictures were. A picture's true class is its sub-folder's name; the
answer is right when the model's class of that name scores highest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from designer.core.i18n import _
from designer.ml.data.base import DatasetError
from designer.ml.data.folders import MEAN, STD, prepare_picture
from designer.ml.data.preprocess import PreprocessError, load_image, preprocess
from designer.ml.explain.inside import probabilities
from designer.ml.record import Record
from designer.ml.standalone import pictures
from designer.ml.training.mistakes import Shown


class CheckError(ValueError):
    """A folder that cannot be checked; the message says why."""


@dataclass
class Checked:
    """How a model did on a folder: counts, the mistakes (most confident first) and the files skipped."""

    folder: Path
    total: int
    correct: int
    mistakes: list[Shown] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)  # of each mistake, in the same order
    skipped: list[str] = field(default_factory=list)  # "path: why"
    unknown: list[str] = field(default_factory=list)  # sub-folders named after no class of the model

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def check_folder(model: torch.nn.Module, folder, input_shape: Sequence[int], classes: Sequence[str],
                 record: Record | None, progress: Callable[[int, int], None] | None = None) -> Checked:
    """Run ``model`` (eval mode) on every picture of ``folder``; ``classes`` name its scores in order.

    ``record`` says how its pictures were converted; None (weights made elsewhere) converts as the pad does.
    ``progress(done, total)`` is called as pictures are classified (it may raise to stop the check).
    """
    root = Path(folder)
    try:
        found = pictures.list_classes(root)
    except (pictures.PictureFolderError, OSError) as exc:
        raise CheckError(str(exc)) from None
    files = pictures.list_pictures(root, {c: i for i, c in enumerate(found)})
    if not files:
        raise CheckError(_("{root}: no pictures in its class folders").format(root=root))
    names = [str(c) for c in classes]
    convert = _folder_picture if record is not None and record.folder else _drawing
    result = Checked(root, 0, 0, unknown=[c for c in found if c not in names])
    wrong = []
    model.eval()
    for done, (path, label) in enumerate(files):
        if progress is not None:
            progress(done, len(files))
        true = found[label]
        if true not in names:
            continue
        try:
            tensor, picture = convert(path, input_shape)
        except (PreprocessError, DatasetError) as exc:  # both name the file
            result.skipped.append(str(exc))
            continue
        if tensor is None:
            result.skipped.append(_("{path}: no ink").format(path=path))
            continue
        with torch.no_grad():
            out = model(tensor).reshape(-1).float()
        probs = probabilities(out)
        best = int(probs.argmax())
        result.total += 1
        if best < len(names) and names[best] == true:
            result.correct += 1
        else:
            predicted = names[best] if best < len(names) else str(best)
            wrong.append((float(probs[best]), Shown(len(wrong), picture, true, predicted, float(probs[best]),
                                                          str(Path(path).relative_to(root))), path))
    wrong.sort(key=lambda w: -w[0])
    result.mistakes = [w[1] for w in wrong]
    result.paths = [Path(w[2]) for w in wrong]
    return result


def _drawing(path, shape) -> tuple[torch.Tensor | None, np.ndarray]:
    """As the drawing pad converts a drawing: MNIST's recipe."""
    prepared = preprocess(load_image(path), shape)
    return prepared.tensor, np.clip(prepared.image * 255 + 0.5, 0, 255).astype(np.uint8)


def _folder_picture(path, shape) -> tuple[torch.Tensor, np.ndarray]:
    """As an image folder's pictures were converted for training."""
    tensor = prepare_picture(path, shape)
    pixels = tensor[0].numpy().reshape(-1, *tensor.shape[-2:]) * STD + MEAN
    pixels = np.clip(pixels * 255 + 0.5, 0, 255).astype(np.uint8)
    picture = pixels[0] if len(pixels) == 1 else pixels[:3].transpose(1, 2, 0)
    return tensor, np.ascontiguousarray(picture)
