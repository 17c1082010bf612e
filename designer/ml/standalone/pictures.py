"""Image folders without the app: the layout, the split and the conversion of each picture.

One implementation for the app (``designer.ml.data.folders`` adds the decode-once
cache) and the exported training script, which carries a verbatim copy of
this file (see ``designer.ml.export.trainscript``): both put the same pictures in
the same split, with the same class numbers and the same pixels. So it
imports only the standard library, numpy, torch and PIL, and raises its own
``PictureFolderError`` that each side turns into its own error.

Classes and files are listed as torchvision's ``ImageFolder`` lists them
(sorted class folders, then each one walked in sorted order). A folder holds
one sub-folder per class, or ``train/`` and ``val/`` (or ``test/``) each laid
out that way; without those a seeded 10% of every class is held out.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")
HELD_OUT_SHARE = 0.1
FOLDER_SPLIT_SEED = 20240531  # the held-out pictures must not change between runs
PICTURE_MEAN, PICTURE_STD = 0.5, 0.5  # pixels 0..1 -> -1..1
TRAIN_NAMES, HELD_OUT_NAMES = ("train",), ("val", "test")
DECODE_CHUNK = 256  # pictures decoded between progress reports
# What PIL raises for a file that is not a readable picture.
UNREADABLE = (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError)


def N_(text: str) -> str:
    """Marks a message for the app's catalog (the app says it in the user's language); the script keeps English."""
    return text


class PictureFolderError(Exception):
    """A folder or an Input that pictures cannot train; the message names the folder and what to change.

    ``template`` and ``values`` let the app translate the message: ``_(template).format(**values)``.
    """

    def __init__(self, template: str, **values):
        super().__init__(template.format(**values))
        self.template, self.values = template, values


@dataclass
class Layout:
    """What a folder holds, before anything is decoded.

    Attributes:
        root: the folder.
        classes: class names (sub-folder names, sorted as ImageFolder sorts them).
        train, held_out: ``(path, class index)`` pairs.
        split: how the held-out set was chosen, in words.
    """

    root: Path
    classes: list
    train: list
    held_out: list
    split: str

    def counts(self) -> list:
        """``(class, training pictures, held-out pictures)`` per class."""
        train = np.bincount([c for _, c in self.train], minlength=len(self.classes))
        held = np.bincount([c for _, c in self.held_out], minlength=len(self.classes))
        return [(name, int(train[i]), int(held[i])) for i, name in enumerate(self.classes)]


def split_folders(root: Path):
    """The ``(train, held-out)`` sub-folder names of ``root`` when it has both, else ``(None, None)``."""
    subdirs = {entry.name.lower(): entry.name for entry in os.scandir(root) if entry.is_dir()}
    train_dir = next((subdirs[n] for n in TRAIN_NAMES if n in subdirs), None)
    held_dir = next((subdirs[n] for n in HELD_OUT_NAMES if n in subdirs), None)
    return (train_dir, held_dir) if train_dir and held_dir else (None, None)


def scan_folder(root) -> Layout:
    """List the classes and pictures of ``root``; raises PictureFolderError for a folder that cannot train."""
    root = Path(root)
    if not root.is_dir():
        raise PictureFolderError(N_("{root}: no such folder (an image folder holds one sub-folder per class)"),
                                 root=root)
    train_dir, held_dir = split_folders(root)
    if train_dir:
        top = root / train_dir
        classes = list_classes(top)
        train = list_pictures(top, {c: i for i, c in enumerate(classes)})
        held_classes = list_classes(root / held_dir)
        extra = sorted(set(held_classes) - set(classes))
        if extra:
            raise PictureFolderError(N_("{held}: the classes {classes} are not in {top}: "
                                        "every held-out class needs training pictures"),
                                     held=root / held_dir, classes=", ".join(extra), top=top)
        held_out = list_pictures(root / held_dir, {c: i for i, c in enumerate(classes) if c in held_classes})
        split = f"{train_dir}/ for training, {held_dir}/ held out"
    else:
        top = root
        classes = list_classes(root)
        train, held_out = split_held_out(list_pictures(root, {c: i for i, c in enumerate(classes)}), len(classes))
        split = f"{HELD_OUT_SHARE:.0%} of each class held out, the same pictures every run"
    layout = Layout(root, classes, train, held_out, split)
    empty = [name for name, n_train, _ in layout.counts() if n_train == 0]
    if empty:
        template = (N_("{top}: the class folder {classes} holds no pictures ({extensions}): "
                       "add some or remove the folder") if len(empty) == 1 else
                    N_("{top}: the class folders {classes} hold no pictures ({extensions}): "
                       "add some or remove the folders"))
        raise PictureFolderError(template, top=top, classes=", ".join(empty), extensions=", ".join(EXTENSIONS))
    if len(classes) < 2:
        raise PictureFolderError(N_("{top}: only one class ({name}): a classifier needs at least two "
                                    "class folders"), top=top, name=classes[0])
    if not held_out:
        raise PictureFolderError(N_("{root}: no held-out pictures: put at least two pictures in each class"),
                                 root=root)
    return layout


def list_classes(directory: Path) -> list:
    """Sorted sub-folder names, as ``torchvision.datasets.folder.find_classes``."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise PictureFolderError(N_("{folder}: no class folders in it; put each class's pictures in a sub-folder "
                                    "named after the class (e.g. cats/, dogs/)"), folder=directory)
    return classes


def list_pictures(directory: Path, class_to_idx: dict) -> list:
    """``(path, class index)`` of every picture, in ``torchvision.datasets.folder.make_dataset``'s order."""
    found = []
    for name in sorted(class_to_idx):
        folder = os.path.join(str(directory), name)
        if not os.path.isdir(folder):
            continue
        for top, _, names in sorted(os.walk(folder, followlinks=True)):
            found += [(os.path.join(top, n), class_to_idx[name]) for n in sorted(names)
                      if n.lower().endswith(EXTENSIONS)]
    return found


def split_held_out(samples: list, num_classes: int) -> tuple:
    """A seeded ``HELD_OUT_SHARE`` of every class (at least one picture where a class has two)."""
    generator = torch.Generator().manual_seed(FOLDER_SPLIT_SEED)
    held = set()
    for c in range(num_classes):
        members = [i for i, (_, label) in enumerate(samples) if label == c]
        if len(members) < 2:
            continue
        count = max(1, round(len(members) * HELD_OUT_SHARE))
        order = torch.randperm(len(members), generator=generator)[:count].tolist()
        held.update(members[i] for i in order)
    return ([s for i, s in enumerate(samples) if i not in held], [s for i, s in enumerate(samples) if i in held])


def picture_size(shape) -> tuple:
    """``(channels, height, width)`` for an Input of ``shape``; PictureFolderError for one pictures cannot fill."""
    shape = [int(s) for s in shape]
    if len(shape) == 2:
        shape = [1, *shape]
    if len(shape) != 3 or shape[0] not in (1, 3) or min(shape) < 1:
        raise PictureFolderError(N_("an Input of shape {shape} cannot take pictures: an image folder needs "
                                    "[1, H, W] (grey) or [3, H, W] (colour), e.g. [3, 64, 64]"), shape=shape)
    return shape[0], shape[1], shape[2]


def decode_picture(path, channels: int, height: int, width: int) -> np.ndarray:
    """One picture file -> uint8 ``(channels, height, width)``: grey or RGB, resized to fill the size.

    JPEGs are decoded at the smallest scale still at least as big as the
    target (``draft``), which makes large photos several times faster.
    Raises one of ``UNREADABLE`` for a file that is not a readable picture.
    """
    with Image.open(path) as img:
        img.draft("L" if channels == 1 else "RGB", (width, height))
        return fit_picture(img, channels, height, width)


def fit_picture(img: Image.Image, channels: int, height: int, width: int) -> np.ndarray:
    """A PIL image -> uint8 ``(channels, height, width)``: the one conversion for training, Try it and predict."""
    mode = "L" if channels == 1 else "RGB"
    img = img.convert(mode)
    if img.size != (width, height):
        img = img.resize((width, height), Image.Resampling.BILINEAR)
    pixels = np.array(img, dtype=np.uint8)  # a writable copy: torch takes it as it is
    return pixels[None] if channels == 1 else pixels.transpose(2, 0, 1)


def decode_pictures(files: list, size: tuple, out: np.ndarray, workers=None, progress=None) -> tuple:
    """Decode ``files[i]`` (path, label) into ``out[i]``, a uint8 ``(N, *size)`` array (maybe memory-mapped).

    Args:
        files: ``(path, class index)`` pairs.
        size: ``(channels, height, width)``.
        out: where the pictures go.
        workers: decoding threads (PIL decodes and resizes without holding the GIL).
        progress: called with ``(done, total)`` after each chunk.

    Returns:
        ``(ok, skipped)``: a bool array, True where the picture decoded, and
        ``"path: not a readable picture (why)"`` for each file that did not, in file order.
    """
    ok = np.zeros(len(files), dtype=bool)
    skipped = []

    def one(i):
        try:
            out[i] = decode_picture(files[i][0], *size)
            ok[i] = True
        except UNREADABLE as exc:
            skipped.append((i, f"{files[i][0]}: not a readable picture ({exc})"))

    with ThreadPoolExecutor(workers or min(8, os.cpu_count() or 1)) as pool:
        for start in range(0, len(files), DECODE_CHUNK):
            list(pool.map(one, range(start, min(start + DECODE_CHUNK, len(files)))))
            if progress:
                progress(min(start + DECODE_CHUNK, len(files)), len(files))
    return ok, [message for _, message in sorted(skipped)]

