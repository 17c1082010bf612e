"""Images -> the model's input: the normalisation, the resize or pad, the mnist-5k split.

Imports only numpy and torch, because the exported training script carries
a copy of this file (see ``designer.ml.export.trainscript``): the script then
prepares its data exactly as the app does.
"""

import numpy as np
import torch
import torch.nn.functional as F

# (mean, std) of the training images in [0, 1]: the constants the tutorials use.
NORMALISATION = {"mnist-5k": (0.1307, 0.3081), "mnist": (0.1307, 0.3081), "fashion-mnist": (0.2860, 0.3530)}
HELD_OUT_PER_CLASS = 50  # mnist-5k: 500 held-out samples, 50 of each digit
SPLIT_SEED = 20240531  # fixed forever: the held-out set must not change between runs


class PrepareError(ValueError):
    """An Input that images cannot fill; the app translates ``template`` (listed in datasets.py) with ``values``."""

    def __init__(self, template: str, **values):
        super().__init__(template.format(**values))
        self.template, self.values = template, values


def adapt(images: np.ndarray, shape: tuple, mean: float, std: float) -> torch.Tensor:
    """uint8 (N, 28, 28) -> float32 (N, *shape), normalised with ``mean``/``std``.

    28x28 images are padded (centred, with black) to a larger Input, resized
    to a smaller one, repeated over channels for C > 1 and flattened for a
    vector Input of 784 (or any square number) features. Raises ValueError
    for a shape that images cannot fill.
    """
    if len(shape) == 3:
        channels, height, width = shape
    elif len(shape) == 2:
        channels, (height, width) = 1, shape
    elif len(shape) == 1 and round(shape[0] ** 0.5) ** 2 == shape[0]:
        channels, height, width = 1, round(shape[0] ** 0.5), round(shape[0] ** 0.5)
    else:
        raise PrepareError("an Input of shape {shape} cannot hold 28x28 images: use [1, 28, 28], [C, H, W] or a "
                           "vector of a square number of features (784 = 28x28)",  # untranslated: the app does
                           shape=list(shape))
    if min(channels, height, width) < 1:
        raise PrepareError("an Input of shape {shape} cannot hold images",  # untranslated: the app does
                           shape=list(shape))
    x = _fit(images, height, width, mean, std)  # (N, 1, H, W)
    if channels > 1:
        x = x.expand(-1, channels, -1, -1)
    if len(shape) == 2:
        x = x[:, 0]
    elif len(shape) == 1:
        x = x.reshape(len(x), -1)
    return x.contiguous()


def _fit(images: np.ndarray, height: int, width: int, mean: float, std: float) -> torch.Tensor:
    # A 256-entry table turns uint8 pixels into normalised floats in one numpy pass.
    table = ((np.arange(256, dtype=np.float32) / 255.0 - mean) / std).astype(np.float32)
    n, h, w = images.shape
    if height >= h and width >= w:  # the tutorial's LeNet: 28 -> 32 with a 2-pixel black border
        top, left = (height - h) // 2, (width - w) // 2
        x = np.full((n, 1, height, width), table[0], dtype=np.float32)
        x[:, 0, top:top + h, left:left + w] = table[images]
        return torch.from_numpy(x)
    x = torch.from_numpy(table[images]).unsqueeze(1)
    mode = "area" if height <= h and width <= w else "bilinear"
    return F.interpolate(x, size=(height, width), mode=mode)


def normalise(pixels: torch.Tensor, mean: float, std: float) -> torch.Tensor:
    """uint8 pixels -> float32 ``(pixel / 255 - mean) / std``: one formula for training, Try it and predict."""
    return pixels.to(torch.float32).mul_(1.0 / (255.0 * std)).sub_(mean / std)


def split_mnist_5k(table: np.ndarray) -> tuple:
    """mnist-5k's CSV rows -> (train images, train labels, held-out images, held-out labels).

    Shuffled with a fixed seed, then the first 50 of each digit are held out.
    """
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1].astype(np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(labels))
    held_out = np.zeros(len(labels), dtype=bool)
    for digit in np.unique(labels):
        held_out[order[labels[order] == digit][:HELD_OUT_PER_CLASS]] = True
    train, test = order[~held_out[order]], order[held_out[order]]
    return (np.ascontiguousarray(images[train]), labels[train],
            np.ascontiguousarray(images[test]), labels[test])
