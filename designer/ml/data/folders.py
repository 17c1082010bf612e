"""Image-folder datasets (``folder:PATH``): torchvision's ImageFolder layout, decoded once.

The folder holds one sub-folder per class (``cats/``, ``dogs/``...), or
``train/`` and ``val/`` (or ``test/``) each laid out that way. Classes and
files are listed as torchvision's ``ImageFolder`` lists them, so the class
numbers are the ones an ``ImageFolder`` over the same folder gives; the tests
check it against torchvision. torchvision itself is not imported: it pulls in
``torch._dynamo`` and costs seconds at every start. Without ``train/``+``val/``
a seeded 10% of every class is held out. The listing, the split and the
conversion of a picture are ``designer.ml.standalone.pictures``, which the exported
training script carries too.

Every picture is decoded once, converted to the Input's channels and size,
and kept as ``uint8`` in a cache file keyed by the folder's content (every
file's name, size and modification time), so an edited folder is decoded
again. Up to a memory budget the cache is read into RAM; past it, it stays a
memory-mapped file. The training loop turns batches into floats as it goes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from PIL import Image

from designer.core.i18n import _, said
from designer.ml.standalone import pictures
from designer.core import datasets as references
from designer.ml.data.base import Dataset, DatasetError, cache_dir
from designer.ml.standalone.prepare import normalise
# The layout, the split and the conversion live in pictures.py, which the exported training script copies.
from designer.ml.standalone.pictures import (EXTENSIONS, FOLDER_SPLIT_SEED, HELD_OUT_NAMES, HELD_OUT_SHARE,  # noqa: F401
                                  PICTURE_MEAN, PICTURE_STD, TRAIN_NAMES, UNREADABLE, Layout, PictureFolderError,
                                  decode_picture, fit_picture, split_held_out)

SPLIT_SEED = FOLDER_SPLIT_SEED
MEAN, STD = PICTURE_MEAN, PICTURE_STD  # the same in the exported script
MEMORY_BUDGET = 2 << 30  # bytes of decoded pictures kept in RAM; more stays memory-mapped
CACHE_VERSION = 1  # bump when the conversion changes: old caches are then ignored

Progress = Callable[[str, int, int], None]


class FolderError(DatasetError):
    """A folder that cannot be trained on; the message names the folder and what to change."""


@dataclass
class Decoded:
    """uint8 pictures ``(N, C, H, W)`` for ``files`` (train first), and the files skipped."""

    pictures: np.ndarray
    labels: np.ndarray
    train_count: int
    skipped: list[str] = field(default_factory=list)  # "path: why"
    from_cache: bool = False


def resolve(name: str, base: str | os.PathLike | None = None) -> Path:
    """``designer.core.datasets.resolve``, raising FolderError."""
    try:
        return references.resolve(name, base)
    except ValueError as exc:
        raise FolderError(said(exc)) from None


def scan(root: str | os.PathLike) -> Layout:
    """List the classes and pictures of ``root``; raises FolderError for a folder that cannot train."""
    try:
        layout = pictures.scan_folder(root)
    except PictureFolderError as exc:
        raise FolderError(said(exc)) from None
    return dataclasses.replace(layout, split=split_note(layout.root))


def split_note(root: Path) -> str:
    """How the held-out set of ``root`` is chosen, in the user's language (pictures.py keeps its English)."""
    train_dir, held_dir = pictures.split_folders(root)
    if train_dir:
        return _("{train}/ for training, {held}/ held out").format(train=train_dir, held=held_dir)
    return _("{share} of each class held out, the same pictures every run").format(share=f"{HELD_OUT_SHARE:.0%}")


def picture_size(shape: Sequence[int]) -> tuple[int, int, int]:
    """``(channels, height, width)`` for an Input of ``shape``; raises FolderError for one pictures cannot fill."""
    try:
        return pictures.picture_size(shape)
    except PictureFolderError as exc:
        raise FolderError(said(exc)) from None


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
    what = f"decoding {len(files):,} pictures"
    ok, messages = pictures.decode_pictures(files, size, out, workers,
                                            (lambda done, total: progress(what, done, total)) if progress else None)
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
    os.replace(tmp, folder / f"{key}.npy")
    meta = {"labels": labels.tolist(), "train_count": train_count, "skipped": messages}
    meta_tmp = folder / f"{key}.{os.getpid()}.tmp.json"
    meta_tmp.write_text(json.dumps(meta), encoding="utf-8")
    os.replace(meta_tmp, folder / f"{key}.json")  # written last: a cache without it is not used
    decoded = _read_cache(folder, key)
    if decoded is None:
        raise FolderError(_("{root}: the decoded pictures could not be read back from {cache}").format(
            root=layout.root, cache=folder))
    decoded.from_cache = False
    return decoded


def _read_cache(folder: Path, key: str) -> Decoded | None:
    try:
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
        stored = np.load(folder / f"{key}.npy", mmap_mode="c")
    except (OSError, ValueError):
        return None
    labels = np.asarray(meta.get("labels", []), dtype=np.int64)
    if len(stored) < len(labels):
        return None
    stored = stored[:len(labels)]
    if stored.nbytes <= memory_budget():
        stored = np.ascontiguousarray(stored)  # small enough: read into RAM once
    return Decoded(stored, labels, int(meta.get("train_count", 0)), list(meta.get("skipped", [])), True)


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
        raise FolderError((_("{root}: no training picture could be read") if n == 0
                           else _("{root}: no held-out picture could be read")).format(root=layout.root))
    x = torch.from_numpy(decoded.pictures)
    y = torch.from_numpy(decoded.labels)
    if len(input_shape) == 2:
        x = x[:, 0]
    dataset = Dataset(name, x[:n], y[:n], x[n:], y[n:], list(layout.classes), mean=MEAN, std=STD)
    dataset.warnings = [_("skipped {message}").format(message=message) for message in decoded.skipped]
    return dataset


def classes_of(name: str, base: str | os.PathLike | None = None) -> list[str]:
    """The class names of ``folder:PATH`` without listing its pictures (for ``predict`` and Try it)."""
    root = resolve(name, base)
    if not root.is_dir():
        raise FolderError(_("{root}: no such folder, so the class names are unknown").format(root=root))
    train_dir, _held = pictures.split_folders(root)
    try:
        return pictures.list_classes(root / train_dir if train_dir else root)
    except PictureFolderError as exc:
        raise FolderError(said(exc)) from None


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
    except UNREADABLE as exc:
        raise FolderError(_("{path}: not a readable picture ({error})").format(path=path, error=exc)) from None
    return normalise(torch.from_numpy(pixels), MEAN, STD).reshape(1, *[int(s) for s in shape])
