"""A standalone training script for an exported model that trains it as the app does, ready for torchrun.

``generate(project, model_module)`` returns the text of a ``train.py`` that
sits beside the exported model file. Run in one process with the project's
settings, it ends with the same weights as the app's Training panel and
``netdesigner train``: it carries copies of the app's own data preparation
(``designer/ml/standalone/prepare.py``, and ``designer/ml/standalone/pictures.py`` for image
folders), of its settings-to-torch translation (``designer/ml/standalone/config.py``),
learning-rate schedules and augmentation, all written to import only the
standard library, numpy, torch and Pillow. The
same file runs, unchanged, under ``torchrun --nproc_per_node N`` as
DistributedDataParallel.

Every value taken from the project is checked by the settings model first and
reaches the script as a literal made by ``ascii()`` or ``repr()`` of a number,
never as pasted text.
"""

from __future__ import annotations

import ast
import os
import re

from designer.core.project import Project
from designer.core.templates import RESOURCES
from designer.core.datasets import BUILT_IN, FOLDER_PREFIX, is_folder, resolve
from designer.core.training import INITS, LOSSES, OPTIMIZERS, SCHEDULES, SETTINGS, TrainConfig

# The app's files that the script carries, read as text: designer.ml.standalone imports nothing of designer.
COPIED = ("prepare.py", "pictures.py", "config.py", "schedules.py", "augment.py")
ML_SOURCES = RESOURCES.parent / "ml" / "standalone"


def _input_shape(project: Project) -> tuple[int, ...]:
    node = project.graph.input_node()
    shape = node.params.get("shape") if node is not None else None
    if isinstance(shape, (list, tuple)) and shape and all(
            isinstance(d, int) and not isinstance(d, bool) and 0 < d <= 4096 for d in shape):
        return tuple(int(d) for d in shape)
    return (1, 28, 28)


def _title(name: str) -> str:
    """The project name reduced to harmless characters, for the docstring."""
    cleaned = re.sub(r"[^A-Za-z0-9 _.,()+-]", "", str(name))[:60].strip()
    return cleaned or "model"


def copied_code(names: tuple[str, ...] = COPIED) -> str:
    """The bodies of the app's files that the script (or a notebook) carries: no docstring, no imports."""
    parts = []
    for name in names:
        source = (ML_SOURCES / name).read_text(encoding="utf-8")
        body = [node for node in ast.parse(source).body if not isinstance(node, (ast.Import, ast.ImportFrom))]
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # the module docstring
        first = body[0]
        start = min([first.lineno] + [d.lineno for d in getattr(first, "decorator_list", [])]) - 1
        while start > 0 and source.splitlines()[start - 1].startswith("#"):
            start -= 1  # keep the comment above the first definition
        text = "".join(source.splitlines(keepends=True)[start:]).rstrip()
        parts.append(f"# --- copied from NetDesigner's designer/ml/standalone/{name} ---\n\n{text}\n")
    return "\n\n".join(parts)


def _dataset(name: str, base: str | os.PathLike | None) -> str:
    """The project's dataset for the script: an image folder's relative path made absolute against ``base``."""
    if not is_folder(name):
        return name
    path = str(resolve(name, base))
    return FOLDER_PREFIX + (os.path.normpath(os.path.abspath(path)) if base is not None else path)


def generate(project: Project, model_module: str, base: str | os.PathLike | None = None) -> str:
    """The training script's source text.

    Args:
        project: the project whose model the script trains.
        model_module: file name of the exported model beside the script
            (``"lenet.py"``, or ``"lenet"`` which gets ``.py``).
        base: the project file's folder, against which a relative image
            folder (``folder:pictures``) is made absolute for the script's
            default; without it the script counts it from its own folder.

    Raises:
        ConfigError: a training setting the app would not run with, naming it.
    """
    model_file = str(model_module)
    if not model_file.endswith(".py"):
        model_file += ".py"
    config = TrainConfig.from_project(project.training)
    values = {
        "__TITLE__": _title(project.name),
        "__MODEL_FILE__": ascii(model_file),
        "__PROJECT_NAME__": ascii(str(project.name)),
        "__INPUT_SHAPE__": repr(_input_shape(project)),
        "__DATASET__": ascii(_dataset(config.dataset, base)),
        "__EPOCHS__": repr(int(config.epochs)),
        "__BATCH_SIZE__": repr(int(config.batch_size)),
        "__OPTIMIZER__": ascii(config.optimizer),
        "__LR__": repr(float(config.lr)),
        "__MOMENTUM__": repr(float(config.momentum)),
        "__NESTEROV__": repr(bool(config.nesterov)),
        "__WEIGHT_DECAY__": repr(float(config.weight_decay)),
        "__LOSS__": ascii(config.loss),
        "__INIT__": ascii(config.init),
        "__SEED__": repr(None if config.seed is None else int(config.seed)),
        "__LR_SCHEDULE__": ascii(config.lr_schedule),
        "__LR_STEP_EPOCHS__": repr(int(config.lr_step_epochs)),
        "__LR_STEP_FACTOR__": repr(float(config.lr_step_factor)),
        "__PATIENCE__": repr(int(config.patience)),
        "__AUGMENT__": repr(bool(config.augment)),
        "__AUGMENT_SHIFT__": repr(float(config.augment_shift)),
        "__AUGMENT_ROTATION__": repr(float(config.augment_rotation)),
        "__AUGMENT_SCALE__": repr(float(config.augment_scale)),
        "__AUGMENT_FLIP__": repr(bool(config.augment_flip)),
        "__AUGMENT_COLOR__": repr(float(config.augment_color)),
        "__MAX_SEED__": repr(int(SETTINGS["seed"].high)),
        "__DATASETS__": ascii(BUILT_IN),
        "__OPTIMIZERS__": ascii(OPTIMIZERS),
        "__LOSSES__": ascii(LOSSES),
        "__INITS__": ascii(INITS),
        "__SCHEDULES__": ascii(SCHEDULES),
        "__COPIED_CODE__": copied_code(),
    }
    # One pass, so a value that looks like a placeholder is never substituted again.
    return re.sub(r"__[A-Z_]+__", lambda m: values.get(m.group(0), m.group(0)), TEMPLATE)


# The script itself lives in designer/resources/ as a plain file, so that it reads (and diffs) as the code it is.
TEMPLATE = (RESOURCES / "codegen" / "train_script.py.txt").read_text(encoding="utf-8")
