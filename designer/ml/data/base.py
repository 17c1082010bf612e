"""What both kinds of dataset load into: ``Dataset`` (tensors shaped for the model), its error, its cache."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import torch

from designer.ml.standalone.prepare import normalise


class DatasetError(RuntimeError):
    """A dataset that cannot be loaded; the message says what to do instead."""


@dataclass
class Dataset:
    """Training and held-out samples shaped like the Input node.

    Samples are float32 and normalised already, or uint8 pictures (image
    folders: a quarter of the memory) that ``prepare`` normalises batch by batch.
    """

    name: str
    train_x: torch.Tensor  # (N, *input_shape) float32, or uint8 pictures
    train_y: torch.Tensor  # (N,) int64
    test_x: torch.Tensor
    test_y: torch.Tensor
    classes: list[str]
    mean: float = 0.0  # the normalisation: float samples are (pixel/255 - mean) / std
    std: float = 1.0
    warnings: list[str] = field(default_factory=list)  # e.g. pictures skipped because they could not be read

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def raw(self) -> bool:
        """True when samples are uint8 pictures that ``prepare`` turns into model input."""
        return self.train_x.dtype == torch.uint8

    def prepare(self, x: torch.Tensor) -> torch.Tensor:
        """Model input for a batch of samples: uint8 pictures normalised, float samples as they are."""
        return normalise(x, self.mean, self.std) if x.dtype == torch.uint8 else x

    def subset(self, train: int, test: int | None = None) -> "Dataset":
        """The first ``train`` (and ``test``) samples: tiny runs for tests and previews."""
        test = train if test is None else test
        return Dataset(self.name, self.train_x[:train], self.train_y[:train], self.test_x[:test],
                       self.test_y[:test], self.classes, self.mean, self.std, list(self.warnings))


def cache_dir() -> Path:
    """Where parsed datasets are cached (``NETDESIGNER_CACHE_DIR`` overrides)."""
    env = os.environ.get("NETDESIGNER_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "netdesigner"
