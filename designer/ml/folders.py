"""Image-folder datasets (``folder:PATH``): torchvision's ImageFolder layout, decoded once.

The folder holds one sub-folder per class (``cats/``, ``dogs/``...), or
``train/`` and ``val/`` (or ``test/``) each laid out that way. Classes and
files are listed as torchvision's ``ImageFolder`` lists them (sorted class
folders, then each one walked in sorted order), so the class numbers are the
ones an ``ImageFolder`` over the same folder gives; the tests check it
against torchvision. torchvision itself is not imported: it pulls in
``torch._dynamo`` and costs seconds at every start. Without ``train/``+``val/`` a seeded
10% of every class is held out.

Every picture is decoded once, converted to the Input's channels and size,
and kept as ``uint8`` in a cache file keyed by the folder's content (every
file's name, size and modification time), so an edited folder is decoded
again. Up to a memory budget the cache is read into RAM; past it, it stays a
memory-mapped file. The training loop turns batches into floats as it goes.
"""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from designer.ml.data import Dataset, DatasetError, cache_dir, normalise

PREFIX = "folder:"
EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp")
HELD_OUT_SHARE = 0.1
SPLIT_SEED = 20240531  # the held-out pictures must not change between runs
MEAN, STD = 0.5, 0.5  # pixels 0..1 -> -1..1, the same in the exported script
MEMORY_BUDGET = 2 << 30  # bytes of decoded pictures kept in RAM; more stays memory-mapped
CACHE_VERSION = 1  # bump when the conversion changes: old caches are then ignored
CHUNK = 256  # pictures decoded between progress reports
TRAIN_NAMES, HELD_OUT_NAMES = ("train",), ("val", "test")

Progress = Callable[[str, int, int], None]


class FolderError(DatasetError):
    """A folder that cannot be trained on; the message names the folder and what to change."""


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
    classes: list[str]
    train: list[tuple[str, int]]
    held_out: list[tuple[str, int]]
    split: str

    def counts(self) -> list[tuple[str, int, int]]:
        """``(class, training pictures, held-out pictures)`` per class."""
        train = np.bincount([c for _, c in self.train], minlength=len(self.classes))
        held = np.bincount([c for _, c in self.held_out], minlength=len(self.classes))
        return [(name, int(train[i]), int(held[i])) for i, name in enumerate(self.classes)]


@dataclass
class Decoded:
    """uint8 pictures ``(N, C, H, W)`` for ``files`` (train first), and the files skipped."""

    pictures: np.ndarray
    labels: np.ndarray
    train_count: int
    skipped: list[str] = field(default_factory=list)  # "path: why"
    from_cache: bool = False


def resolve(name: str, base: str | os.PathLike | None = None) -> Path:
    """The folder that ``folder:PATH`` names; a relative PATH counts from ``base`` (the project's folder)."""
    text = name[len(PREFIX):].strip()
    if not text:
        raise FolderError(f"{name!r}: write the folder after 'folder:', e.g. folder:pictures")
    path = Path(os.path.expanduser(text))
    if not path.is_absolute() and base is not None:
        path = Path(base) / path
    return path


def scan(root: str | os.PathLike) -> Layout:
    """List the classes and pictures of ``root``; raises FolderError for a folder that cannot train."""
    root = Path(root)
    if not root.is_dir():
        raise FolderError(f"{root}: no such folder (an image folder holds one sub-folder per class)")
    subdirs = {entry.name.lower(): entry.name for entry in os.scandir(root) if entry.is_dir()}
    train_dir = next((subdirs[n] for n in TRAIN_NAMES if n in subdirs), None)
    held_dir = next((subdirs[n] for n in HELD_OUT_NAMES if n in subdirs), None)
    if train_dir and held_dir:
        top = root / train_dir
        classes = _classes(top)
        train = _files(top, {c: i for i, c in enumerate(classes)})
        held_classes = _classes(root / held_dir)
        extra = sorted(set(held_classes) - set(classes))
        if extra:
            raise FolderError(f"{root / held_dir}: the classes {', '.join(extra)} are not in {top}: "
                              f"every held-out class needs training pictures")
        held_out = _files(root / held_dir, {c: i for i, c in enumerate(classes) if c in held_classes})
        split = f"{train_dir}/ for training, {held_dir}/ held out"
    else:
        classes = _classes(root)
        everything = _files(root, {c: i for i, c in enumerate(classes)})
        train, held_out = split_held_out(everything, len(classes))
        split = f"{HELD_OUT_SHARE:.0%} of each class held out, the same pictures every run"
        top = root
    layout = Layout(root, classes, train, held_out, split)
    empty = [name for name, n_train, _ in layout.counts() if n_train == 0]
    if empty:
        raise FolderError(f"{top}: the class folder{'s' * (len(empty) > 1)} {', '.join(empty)} "
                          f"hold{'s' * (len(empty) == 1)} no pictures ({', '.join(EXTENSIONS)}): "
                          "add some or remove the folder")
    if len(classes) < 2:
        raise FolderError(f"{top}: only one class ({classes[0]}): a classifier needs at least two class folders")
    if not held_out:
        raise FolderError(f"{root}: no held-out pictures: put at least two pictures in each class")
    return layout


def _classes(directory: Path) -> list[str]:
    """Sorted sub-folder names, as ``torchvision.datasets.folder.find_classes``."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FolderError(f"{directory}: no class folders in it; put each class's pictures in a sub-folder "
                          "named after the class (e.g. cats/, dogs/)")
    return classes


def _files(directory: Path, class_to_idx: dict[str, int]) -> list[tuple[str, int]]:
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


def split_held_out(samples: list[tuple[str, int]], num_classes: int) -> tuple[list, list]:
    """A seeded ``HELD_OUT_SHARE`` of every class (at least one picture where a class has two)."""
    generator = torch.Generator().manual_seed(SPLIT_SEED)
    held = set()
    for c in range(num_classes):
        members = [i for i, (_, label) in enumerate(samples) if label == c]
        if len(members) < 2:
            continue
        count = max(1, round(len(members) * HELD_OUT_SHARE))
        order = torch.randperm(len(members), generator=generator)[:count].tolist()
        held.update(members[i] for i in order)
    return ([s for i, s in enumerate(samples) if i not in held], [s for i, s in enumerate(samples) if i in held])


def picture_size(shape: Sequence[int]) -> tuple[int, int, int]:
    """``(channels, height, width)`` for an Input of ``shape``; raises FolderError for one pictures cannot fill."""
    shape = [int(s) for s in shape]
    if len(shape) == 2:
        shape = [1, *shape]
    if len(shape) != 3 or shape[0] not in (1, 3) or min(shape) < 1:
        raise FolderError(f"an Input of shape {shape} cannot take pictures: an image folder needs "
                          "[1, H, W] (grey) or [3, H, W] (colour), e.g. [3, 64, 64]")
    return shape[0], shape[1], shape[2]


def decode_picture(path: str | os.PathLike, channels: int, height: int, width: int) -> np.ndarray:
    """One picture file -> uint8 ``(channels, height, width)``: grey or RGB, resized to fill the size.

    JPEGs are decoded at the smallest scale still at least as big as the
    target (``draft``), which makes large photos several times faster.
    Raises OSError (or PIL's errors) for a file that is not a readable picture.
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


def cache_key(layout: Layout, shape: tuple[int, int, int]) -> str:
    """Changes when any file is added, removed, renamed or rewritten, or the Input's size changes."""
    digest = hashlib.sha256(f"{CACHE_VERSION} {shape} {len(layout.train)}\n".encode())
    for path, label in layout.train + layout.held_out:
        stat = os.stat(path)
        digest.update(f"{os.path.relpath(path, layout.root)}\0{label}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                      .encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:32]


def decode(layout: Layout, shape: Sequence[int], progress: Progress | None = None,
           workers: int | None = None) -> Decoded:
    """Every picture of ``layout`` as uint8 at the Input's size, from the cache when the folder is unchanged."""
    size = picture_size(shape)
    folder = cache_dir() / "folders"
    key = cache_key(layout, size)
    cached = _read_cache(folder, key)
    if cached is not None:
        return cached
    files = layout.train + layout.held_out
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{key}.{os.getpid()}.tmp.npy"
    # Decoded straight into a file-backed array: memory stays bounded however many pictures there are.
    out = np.lib.format.open_memmap(tmp, mode="w+", dtype=np.uint8, shape=(max(len(files), 1), *size))
    ok = np.zeros(len(files), dtype=bool)
    skipped = []

    def one(i: int):
        try:
            out[i] = decode_picture(files[i][0], *size)
            ok[i] = True
        except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as exc:
            skipped.append((i, f"{files[i][0]}: not a readable picture ({exc})"))

    workers = workers or min(8, os.cpu_count() or 1)
    what = f"decoding {len(files):,} pictures"
    with ThreadPoolExecutor(workers) as pool:  # PIL decodes and resizes without holding the GIL
        for start in range(0, len(files), CHUNK):
            list(pool.map(one, range(start, min(start + CHUNK, len(files)))))
            if progress:
                progress(what, min(start + CHUNK, len(files)), len(files))
    kept = np.flatnonzero(ok)
    labels = np.array([files[i][1] for i in kept], dtype=np.int64)
    train_count = int((kept < len(layout.train)).sum())
    if len(kept) < len(files):  # compact: the cache holds only the pictures that decoded
        compact_path = folder / f"{key}.{os.getpid()}.tmp2.npy"
        compact = np.lib.format.open_memmap(compact_path, mode="w+", dtype=np.uint8, shape=(max(len(kept), 1), *size))
        for start in range(0, len(kept), 4096):
            compact[start:start + 4096] = out[kept[start:start + 4096]]
        compact.flush()
        del out, compact
        os.replace(compact_path, tmp)
    else:
        out.flush()
        del out
    messages = [message for _, message in sorted(skipped)]
    os.replace(tmp, folder / f"{key}.npy")
    meta = {"labels": labels.tolist(), "train_count": train_count, "skipped": messages}
    meta_tmp = folder / f"{key}.{os.getpid()}.tmp.json"
    meta_tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(meta_tmp, folder / f"{key}.json")  # written last: a cache without it is not used
    decoded = _read_cache(folder, key)
    if decoded is None:
        raise FolderError(f"{layout.root}: the decoded pictures could not be read back from {folder}")
    decoded.from_cache = False
    return decoded


def _read_cache(folder: Path, key: str) -> Decoded | None:
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        pictures = np.load(folder / f"{key}.npy", mmap_mode="c")
    except (OSError, ValueError):
        return None
    labels = np.asarray(meta.get("labels", []), dtype=np.int64)
    if len(pictures) < len(labels):
        return None
    pictures = pictures[:len(labels)]
    if pictures.nbytes <= memory_budget():
        pictures = np.ascontiguousarray(pictures)  # small enough: read into RAM once
    return Decoded(pictures, labels, int(meta.get("train_count", 0)), list(meta.get("skipped", [])), True)


def memory_budget() -> int:
    """Bytes of pictures held in RAM (``NETDESIGNER_MEMORY_BUDGET`` overrides, for tests and small machines)."""
    env = os.environ.get("NETDESIGNER_MEMORY_BUDGET")
    return int(env) if env and env.isdigit() else MEMORY_BUDGET


def load(name: str, input_shape: Sequence[int], base: str | os.PathLike | None = None,
         progress: Progress | None = None) -> Dataset:
    """The ``folder:PATH`` dataset for an Input of ``input_shape``; pictures stay uint8 until batched."""
    size = picture_size(input_shape)
    layout = scan(resolve(name, base))
    decoded = decode(layout, size, progress)
    n = decoded.train_count
    if n == 0 or n == len(decoded.labels):
        raise FolderError(f"{layout.root}: no {'training' if n == 0 else 'held-out'} picture could be read")
    x = torch.from_numpy(decoded.pictures)
    y = torch.from_numpy(decoded.labels)
    if len(input_shape) == 2:
        x = x[:, 0]
    dataset = Dataset(name, x[:n], y[:n], x[n:], y[n:], list(layout.classes), mean=MEAN, std=STD)
    dataset.warnings = [f"skipped {message}" for message in decoded.skipped]
    return dataset


def classes_of(name: str, base: str | os.PathLike | None = None) -> list[str]:
    """The class names of ``folder:PATH`` without listing its pictures (for ``predict`` and Try it)."""
    root = resolve(name, base)
    if not root.is_dir():
        raise FolderError(f"{root}: no such folder, so the class names are unknown")
    subdirs = {entry.name.lower(): entry.name for entry in os.scandir(root) if entry.is_dir()}
    train_dir = next((subdirs[n] for n in TRAIN_NAMES if n in subdirs), None)
    held_dir = next((subdirs[n] for n in HELD_OUT_NAMES if n in subdirs), None)
    return _classes(root / train_dir if train_dir and held_dir else root)


def prepare_array(pixels: np.ndarray, shape: Sequence[int]) -> torch.Tensor:
    """A uint8 picture ``(H, W)`` or ``(H, W, 3)`` -> the model input ``(1, *shape)``, converted as training was."""
    channels, height, width = picture_size(shape)
    fitted = fit_picture(Image.fromarray(np.ascontiguousarray(pixels)), channels, height, width)
    return normalise(torch.from_numpy(fitted), MEAN, STD).reshape(1, *[int(s) for s in shape])


def prepare_picture(path: str | os.PathLike, shape: Sequence[int]) -> torch.Tensor:
    """One picture file -> the model input ``(1, *shape)``, converted exactly as the training pictures were."""
    channels, height, width = picture_size(shape)
    try:
        pixels = decode_picture(path, channels, height, width)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as exc:
        raise FolderError(f"{path}: not a readable picture ({exc})") from None
    return normalise(torch.from_numpy(pixels), MEAN, STD).reshape(1, *[int(s) for s in shape])
