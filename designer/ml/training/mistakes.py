"""The held-out samples a trained model gets wrong, as pictures a person can look at."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from designer.ml.data.datasets import Dataset
from designer.ml.training.loop import Mistake


@dataclass
class Shown:
    """One mistake ready to show: the picture, the true and the predicted class by name."""

    index: int  # in the held-out set
    picture: np.ndarray  # uint8 (H, W) grey or (H, W, 3) colour, as the model saw it (before normalisation)
    true: str
    predicted: str
    confidence: float
    name: str = ""  # the picture's file within a checked folder (designer.ml.training.own_pictures)


def picture_of(sample: torch.Tensor, dataset: Dataset) -> np.ndarray:
    """A stored sample (uint8 or normalised float; (C, H, W), (H, W) or a square vector) as uint8 pixels."""
    if sample.dtype == torch.uint8:
        pixels = sample.numpy()
    else:
        pixels = np.clip((sample.float().numpy() * dataset.std + dataset.mean) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if pixels.ndim == 1:
        side = math.isqrt(pixels.size)
        pixels = pixels.reshape(side, side) if side * side == pixels.size else pixels.reshape(1, -1)
    if pixels.ndim == 3:
        pixels = pixels[0] if pixels.shape[0] == 1 else np.ascontiguousarray(pixels[:3].transpose(1, 2, 0))
    return np.ascontiguousarray(pixels)


def shown(mistakes: list[Mistake], dataset: Dataset) -> list[Shown]:
    """The mistakes with their pictures and class names, in the order given (most confident first)."""
    names = dataset.classes
    return [Shown(m.index, picture_of(dataset.test_x[m.index], dataset), names[m.true], names[m.predicted],
                  m.confidence) for m in mistakes]
