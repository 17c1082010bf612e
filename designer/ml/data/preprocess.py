"""A drawn or loaded image -> the tensor the model expects, the way MNIST was made.

MNIST's digits were cropped to their ink, scaled to fit a 20x20 box keeping the
aspect ratio (antialiased, so grey edges appear), then placed in a 28x28 field
so that their centre of mass sits at the centre. A network trained on MNIST has
only ever seen digits like that: a digit drawn small in a corner of the pad and
resized naively looks nothing like its training data. One function,
``preprocess``, serves the drawing pad and the ``predict`` command alike.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from designer.core.i18n import _
from designer.ml.data import datasets as data

MEAN, STD = data.NORMALISATION[data.DEFAULT]  # the training data's normalisation: one source of truth

FIELD = 28  # MNIST's image size
BOX = 20  # the digit is scaled to fit this box
CENTRE = 14.0  # where MNIST's centre of mass sits (row, column; measured on mnist-5k: 13.99, 14.00)
INK = 0.05  # a pixel brighter than this (0..1, after background removal) counts as ink for the bounding box


class PreprocessError(ValueError):
    """An image that cannot be turned into the model's input; ``str()`` says why."""


@dataclass
class Prepared:
    """The result of ``preprocess``.

    Attributes:
        image: the 28x28 picture the model sees, 0..1 white on black (before
            normalisation); all zeros when ``empty``.
        tensor: the model input with a batch dimension, ``(1, *shape)``; None when empty.
        empty: True when the image holds no ink (nothing to classify).
    """

    image: np.ndarray
    tensor: torch.Tensor | None
    empty: bool


def preprocess(image, shape: Sequence[int] = (1, FIELD, FIELD)) -> Prepared:
    """Turn an image into the normalised input tensor for an Input node of ``shape``.

    Args:
        image: a PIL image or a numpy array (H, W) or (H, W, C), any size; uint8
            0..255 or float 0..1. White ink on black, or dark ink on a light
            background (a photo or a scan), which is inverted automatically.
        shape: the Input node's shape without the batch dimension: ``[C, H, W]``,
            ``[H, W]`` or ``[F]``.
    """
    field = to_mnist(to_gray(image))
    if field is None:
        return Prepared(np.zeros((FIELD, FIELD), np.float32), None, True)
    # MNIST is 8-bit: quantise as it was, then adapt exactly as the training data was adapted.
    pixels = np.round(field * 255.0).astype(np.uint8)
    return Prepared(pixels.astype(np.float32) / 255.0, adapt(pixels[None], shape), False)


def naive(image, shape: Sequence[int] = (1, FIELD, FIELD)) -> torch.Tensor:
    """The baseline the MNIST recipe beats: the whole image resized to 28x28, nothing else."""
    gray = to_gray(image)
    small = Image.fromarray(gray).resize((FIELD, FIELD), Image.Resampling.BOX)
    pixels = np.round(np.clip(np.asarray(small, np.float32), 0, 1) * 255.0).astype(np.uint8)
    return adapt(pixels[None], shape)


def load_image(path: str | Path) -> np.ndarray:
    """Read an image file as a float 0..1 grayscale array; raises PreprocessError naming the file."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a named pipe would block the reader for ever
            raise PreprocessError(_("{path}: not a regular file (a folder, a named pipe or a device); "
                                    "only regular files are read").format(path=path))
        with Image.open(path) as img:
            img.load()
            return to_gray(img)
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError) as exc:
        raise PreprocessError(_("{path}: not a readable image ({reason})").format(path=path, reason=exc)) from None


def to_gray(image) -> np.ndarray:
    """Any image -> float32 (H, W) in 0..1, ink bright on a dark background."""
    if isinstance(image, Image.Image):
        img = ImageOps.exif_transpose(image)  # phone photos are often stored sideways
        if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
            img = img.convert("RGBA")
            background = Image.new("RGBA", img.size, (255, 255, 255, 255))
            img = Image.alpha_composite(background, img)  # transparent counts as paper
        arr = np.asarray(img.convert("F"), np.float32) / 255.0
    else:
        arr = np.asarray(image)
        if arr.ndim == 3:
            arr = arr[..., :3].mean(axis=2) if arr.shape[2] >= 3 else arr[..., 0]
        if arr.ndim != 2 or arr.size == 0:
            raise PreprocessError(_("an image must be 2-D (height, width) or 3-D with channels, not {shape}")
                                  .format(shape=arr.shape))
        arr = arr.astype(np.float32)
        if arr.max(initial=0.0) > 1.0:
            arr = arr / 255.0
    arr = np.clip(arr, 0.0, 1.0)
    if _border_mean(arr) > 0.5:  # dark ink on light paper: make the ink bright
        arr = 1.0 - arr
    # A photo's paper is not pure black once inverted; its most common level is background.
    background = float(np.median(arr))
    if background > 0.0:
        arr = np.clip(arr - background, 0.0, None)
    peak = float(arr.max(initial=0.0))
    if peak > 1e-3:
        arr = arr / peak
    return np.ascontiguousarray(arr, np.float32)


def to_mnist(gray: np.ndarray) -> np.ndarray | None:
    """A white-on-black float image -> MNIST-style 28x28 float32 (0..1), or None without ink."""
    rows = np.flatnonzero(gray.max(axis=1) > INK)
    cols = np.flatnonzero(gray.max(axis=0) > INK)
    if rows.size == 0 or cols.size == 0:
        return None
    crop = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    # BOX averages every source pixel under a target pixel: the antialiasing MNIST has.
    resample = Image.Resampling.BOX if scale <= 1 else Image.Resampling.BILINEAR
    small = np.asarray(Image.fromarray(crop).resize((new_w, new_h), resample), np.float32)
    small = np.clip(small, 0.0, 1.0)
    total = float(small.sum())
    if total <= 0.0:
        return None
    ys, xs = np.indices(small.shape)
    cy, cx = float((ys * small).sum()) / total, float((xs * small).sum()) / total
    # Integer shift so the centre of mass lands on MNIST's, kept inside the field.
    top = int(np.clip(round(CENTRE - cy), 0, FIELD - new_h))
    left = int(np.clip(round(CENTRE - cx), 0, FIELD - new_w))
    field = np.zeros((FIELD, FIELD), np.float32)
    field[top:top + new_h, left:left + new_w] = small
    return field


def adapt(pixels: np.ndarray, shape: Sequence[int]) -> torch.Tensor:
    """uint8 (N, 28, 28) -> the normalised model input (N, *shape), exactly as training data is adapted.

    ``[C, H, W]``: padded with black (or resized) to H x W, channels repeated;
    ``[H, W]``: the same without channels; ``[F]``: flattened (F = 784, or any
    square number after a resize). Raises PreprocessError for a shape images cannot fill.
    """
    try:
        return data.adapt(pixels, tuple(int(s) for s in shape), MEAN, STD)
    except data.DatasetError as exc:
        raise PreprocessError(str(exc)) from None


def _border_mean(arr: np.ndarray) -> float:
    edge = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    return float(edge.mean())
