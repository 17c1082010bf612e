"""What ``training.dataset`` names: a built-in dataset, or an image folder (``folder:PATH``).

Everything that reads or writes a dataset reference goes through here: the
settings check, the Training panel, Save As, Try it, the commands, the
training-script export and the loaders in ``designer.ml.data``. A relative
PATH counts from the project file's folder (``project_folder``). The
pictures themselves are ml's (``designer.ml.data.folders``); no torch here.
"""

from __future__ import annotations

import os
from pathlib import Path

from designer.core.i18n import _

FOLDER_PREFIX = "folder:"
BUILT_IN = ("mnist-5k", "mnist", "fashion-mnist")
DIGITS = ("mnist-5k", "mnist")  # a mirrored digit is not a digit: no flips
TRAIN_SAMPLES = {"mnist-5k": 4500, "mnist": 60000, "fashion-mnist": 60000}  # each one's training samples
# Class names in the order of the model's outputs (torchvision's for Fashion-MNIST).
CLASSES = {
    "mnist-5k": [str(i) for i in range(10)],
    "mnist": [str(i) for i in range(10)],
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}


def is_folder(name: object) -> bool:
    """True for ``folder:PATH``, an image folder."""
    return isinstance(name, str) and name.startswith(FOLDER_PREFIX)


def folder_text(name: object) -> str:
    """The PATH of ``folder:PATH`` as written (stripped); empty for anything else."""
    return name[len(FOLDER_PREFIX):].strip() if is_folder(name) else ""


def project_folder(project_file: str | os.PathLike | None) -> Path | None:
    """The folder a relative image folder counts from: the project file's; None for a project never saved."""
    return Path(project_file).resolve().parent if project_file else None


def resolve(name: str, base: str | os.PathLike | None = None) -> Path:
    """The folder that ``folder:PATH`` names (``~`` expanded; a relative PATH counts from ``base``).

    Raises:
        ValueError: no PATH after ``folder:`` (the message says what to write).
    """
    text = folder_text(name)
    if not text:
        raise ValueError(_("{name}: write the folder after 'folder:', e.g. folder:pictures").format(name=repr(name)))
    path = Path(os.path.expanduser(text))
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    return path


def folder_reference(path: str | os.PathLike, base: str | os.PathLike | None) -> str:
    """``folder:PATH`` for a chosen folder: relative to ``base`` (the project's folder) where it has one."""
    text = str(path).strip()
    if not text:
        return FOLDER_PREFIX
    if base is not None and os.path.isabs(text):
        try:
            text = os.path.relpath(text, base)
        except ValueError:  # another drive (Windows): no relative path reaches it
            pass
    return FOLDER_PREFIX + Path(text).as_posix()


def rebase(name: str, old_base: str | os.PathLike | None, new_base: str | os.PathLike) -> str:
    """The reference to write when the project file moves from ``old_base`` to ``new_base`` (Save, Save As).

    A relative PATH is rewritten to name the same folder from ``new_base``. A
    project never saved (``old_base`` None) had nothing to count from: its
    relative PATH counted from the current folder, and a folder chosen by its
    absolute path is written relative to the file from its first Save on.
    Built-in datasets, ``~`` paths and other absolute paths come back unchanged.
    """
    text = folder_text(name)
    if not text or text.startswith("~") or (os.path.isabs(text) and old_base is not None):
        return name
    target = os.path.abspath(os.path.join(old_base if old_base is not None else os.getcwd(), text))
    return folder_reference(target, os.path.abspath(new_base))


def class_names(name: str) -> list[str] | None:
    """A built-in dataset's class names in output order; None for an image folder or an unknown name."""
    return list(CLASSES[name]) if name in CLASSES else None
