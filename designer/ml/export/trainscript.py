"""A standalone training script for an exported model that trains it as the app does, ready for torchrun.

``generate(project, model_module)`` returns the text of a ``train.py`` that
sits beside the exported model file. Run in one process with the project's
settings, it ends with the same weights as the app's Training panel and
``netdesigner train``: it carries copies of the app's own data preparation
(``designer/ml/standalone/prepare.py``, and ``designer/ml/standalone/pictures.py`` for image
folders), of its settings-to-torch translation (``designer/ml/standalone/config.py``),
learning-rate schedules and augmentation, all written to import only the
standard library, numpy, torch and Pillow. Only what the project uses is
written: a digits project's script has no image-folder code (and the other
way round), and of each copied file only the definitions the script calls.
The tutorial's steps come first, as ``train_one_epoch`` and ``evaluate``. The
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
from designer.core.datasets import BUILT_IN, CLASSES, FOLDER_PREFIX, is_folder, resolve
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


def _definitions(name: str) -> list[tuple[str, str]]:
    """(name defined, its text with the comment lines above it) for each top-level statement of a carried file."""
    source = (ML_SOURCES / name).read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    body = [node for node in ast.parse(source).body if not isinstance(node, (ast.Import, ast.ImportFrom))]
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the module docstring
    parts = []
    for node in body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        while start > 0 and lines[start - 1].startswith("#"):
            start -= 1  # keep the comment above the definition
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names = [node.name]
        else:  # constants: every name they bind
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            names = [t.id for target in targets if target is not None for t in ast.walk(target)
                     if isinstance(t, ast.Name)]
        text = "".join(lines[start:node.end_lineno]).rstrip()
        parts.extend((n, text) for n in names)
    return parts


def copied_code(files: tuple[str, ...] = COPIED, uses: str | None = None) -> str:
    """The definitions of the app's files that ``uses`` (the script's own text) needs, directly or not; all without.

    Each carried file gives only what is used: no image-folder code in a digits script, no function that is
    never called.
    """
    definitions = {name: _definitions(name) for name in files}
    if uses is None:
        uses = " ".join(n for parts in definitions.values() for n, _ in parts)
    needed, text = set(), uses
    while True:
        found = {n for parts in definitions.values() for n, _ in parts
                 if n and n not in needed and re.search(rf"\b{re.escape(n)}\b", text)}
        if not found:
            break
        needed |= found
        text += "\n".join(t for parts in definitions.values() for n, t in parts if n in found)
    out = []
    for name in files:
        kept = [t for n, t in definitions[name] if n in needed]
        if kept:
            text = ""
            for part in dict.fromkeys(kept):  # constants one under the other, definitions two lines apart
                text += ("\n\n\n" if text and (part.lstrip("#@ ").startswith(("def ", "class "))
                                                 or "\ndef " in "\n" + part or "\nclass " in "\n" + part)
                         else "\n" if text else "") + part
            out.append(f"# --- copied from NetDesigner's designer/ml/standalone/{name} ---\n\n{text}\n")
    return "\n\n".join(out)


def _flavour(template: str, flavour: str) -> str:
    """The template with the other flavour's sections (``# {folder}`` ... ``# {/folder}``) left out."""
    kept, skipping = [], None
    for line in template.splitlines(keepends=True):
        marker = re.fullmatch(r"# \{(/?)(digits|folder)\}\n?", line)
        if marker:
            closing, name = marker.groups()
            skipping = None if closing else (name if name != flavour else None)
            continue
        if skipping is None:
            kept.append(line)
    return "".join(kept)


def _dataset(name: str, base: str | os.PathLike | None) -> str:
    """The project's dataset for the script: an image folder's relative path made absolute against ``base``."""
    if not is_folder(name):
        return name
    path = str(resolve(name, base))
    return FOLDER_PREFIX + (os.path.normpath(os.path.abspath(path)) if base is not None else path)


def generate(project: Project, model_module: str, base: str | os.PathLike | None = None,
             signature: str = "") -> str:
    """The training script's source text.

    Args:
        project: the project whose model the script trains.
        model_module: file name of the exported model beside the script
            (``"lenet.py"``, or ``"lenet"`` which gets ``.py``).
        base: the project file's folder, against which a relative image
            folder (``folder:pictures``) is made absolute for the script's
            default; without it the script counts it from its own folder.
        signature: the model's signature (``designer.ml.models.signature``), written into the weights'
            record so that the app recognises the weights as this model's.

    Raises:
        ConfigError: a training setting the app would not run with, naming it.
    """
    model_file = str(model_module)
    if not model_file.endswith(".py"):
        model_file += ".py"
    config = TrainConfig.from_project(project.training)
    folder = config.dataset.startswith(FOLDER_PREFIX)
    shape = _input_shape(project)
    pictures = {"kind": "digits"}
    if folder:
        from designer.ml.standalone.pictures import PictureFolderError, picture_size

        try:
            channels, height, width = picture_size(shape)
            pictures = {"kind": "folder", "channels": channels, "height": height, "width": width}
        except PictureFolderError:
            pass  # an Input pictures cannot fill: the script says so when it runs
    values = {
        "__TITLE__": _title(project.name),
        "__MODEL_FILE__": ascii(model_file),
        "__PROJECT_NAME__": ascii(str(project.name)),
        "__INPUT_SHAPE__": repr(shape),
        "__SIGNATURE__": ascii(str(signature)),
        "__PICTURES__": ascii(pictures),
        "__CLASSES__": ascii({name: list(CLASSES[name]) for name in BUILT_IN}),
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
    }
    template = _flavour(TEMPLATE, "folder" if folder else "digits")
    values["__COPIED_CODE__"] = copied_code(COPIED, template)
    # One pass, so a value that looks like a placeholder is never substituted again.
    return re.sub(r"__[A-Z_]+__", lambda m: values.get(m.group(0), m.group(0)), template)


# The script itself lives in designer/resources/ as a plain file, so that it reads (and diffs) as the code it is.
TEMPLATE = (RESOURCES / "codegen" / "train_script.py.txt").read_text(encoding="utf-8")
