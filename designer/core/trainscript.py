"""A standalone training script for an exported model, ready for torchrun.

``generate(project, model_module)`` returns the text of a ``train.py`` that
sits beside the exported model file and trains it on torchvision's MNIST or
FashionMNIST. The same file runs as one process or, unchanged, under
``torchrun --nproc_per_node N`` as DistributedDataParallel.

Every value taken from the project reaches the script as a literal made by
``ascii()`` or ``int``/``float`` conversion, never as pasted text.
"""

from __future__ import annotations

import re

from designer.core.project import Project
from designer.core.templates import RESOURCES

OPTIMIZERS = ("SGD", "Adam", "AdamW")
LOSSES = ("CrossEntropyLoss", "NLLLoss", "MSELoss")
DATASETS = ("mnist", "fashion-mnist")


def _number(value, kind, default, low, high):
    """``value`` as ``kind`` clamped to [low, high], or ``default`` when it is not a number."""
    try:
        if isinstance(value, bool):
            raise TypeError
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        return default
    if number != number or not low <= number <= high:  # NaN or out of range
        return default
    return number


def _input_shape(project: Project) -> tuple[int, ...]:
    node = project.graph.input_node()
    shape = node.params.get("shape") if node is not None else None
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 4096 for d in shape):
        return tuple(int(d) for d in shape)
    return (1, 28, 28)


def _loss(project: Project) -> str:
    chosen = project.training.get("loss")
    if chosen in LOSSES:
        return chosen
    path = project.graph.model_path().nodes
    last = project.graph.nodes[path[-1]].type if path else None
    return "NLLLoss" if last == "LogSoftmax" else "CrossEntropyLoss"


def _dataset(project: Project) -> str:
    chosen = str(project.training.get("dataset", "")).lower()
    return "fashion-mnist" if chosen == "fashion-mnist" else "mnist"


def _title(name: str) -> str:
    """The project name reduced to harmless characters, for the docstring."""
    cleaned = re.sub(r"[^A-Za-z0-9 _.,()+-]", "", str(name))[:60].strip()
    return cleaned or "model"


def generate(project: Project, model_module: str) -> str:
    """The training script's source text.

    Args:
        project: the project whose model the script trains.
        model_module: file name of the exported model beside the script
            (``"lenet.py"``, or ``"lenet"`` which gets ``.py``).
    """
    model_file = str(model_module)
    if not model_file.endswith(".py"):
        model_file += ".py"
    training = project.training or {}
    optimizer = training.get("optimizer") if training.get("optimizer") in OPTIMIZERS else "Adam"
    values = {
        "__TITLE__": _title(project.name),
        "__MODEL_FILE__": ascii(model_file),
        "__PROJECT_NAME__": ascii(str(project.name)),
        "__INPUT_SHAPE__": repr(_input_shape(project)),
        "__EPOCHS__": str(_number(training.get("epochs"), int, 5, 1, 100000)),
        "__BATCH_SIZE__": str(_number(training.get("batch_size"), int, 64, 1, 1 << 20)),
        "__LR__": repr(_number(training.get("lr"), float, 1e-3, 1e-12, 1e6)),
        "__OPTIMIZER__": ascii(optimizer),
        "__LOSS__": ascii(_loss(project)),
        "__DATASET__": ascii(_dataset(project)),
    }
    # One pass, so a value that looks like a placeholder is never substituted again.
    return re.sub(r"__[A-Z_]+__", lambda m: values.get(m.group(0), m.group(0)), TEMPLATE)


# The script itself lives in designer/resources/ as a plain file, so that it reads (and diffs) as the code it is.
TEMPLATE = (RESOURCES / "codegen" / "train_script.py.txt").read_text(encoding="utf-8")
