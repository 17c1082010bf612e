"""A few training samples as a run sees them, augmented: the Training panel's live preview.

The pictures are converted to the Input's shape as a run converts them
(``designer.ml.standalone.prepare`` for digits, ``designer.ml.data.folders`` for image folders)
and changed by ``designer.ml.standalone.augment``, the run's own code. Called on a worker
thread (it imports torch and may decode pictures).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch

from designer.core.datasets import is_folder
from designer.core.i18n import _
from designer.ml.data import datasets as data
from designer.ml.standalone.augment import Augmentation, augment

COUNT = 8  # samples in the preview


def augmentation(config) -> Augmentation:
    """The augmentation a run with ``config`` applies to its training batches."""
    return Augmentation(config.augment_shift, config.augment_rotation, config.augment_scale, config.augment_flip,
                        config.augment_color)


def samples(config, input_shape: Sequence[int], draw: int = 0, files: Sequence[str] = (),
            count: int = COUNT) -> tuple[np.ndarray, np.ndarray]:
    """``count`` training samples, as stored and augmented: two uint8 arrays ``(N, H, W, 3)``.

    Args:
        config: the run's TrainConfig (its dataset and augmentation settings).
        input_shape: the model's Input shape.
        draw: which samples and which random changes (the same draw gives the same preview).
        files: an image folder's training pictures (``Layout.train`` paths); unused for digits.
        count: how many samples.

    Returns:
        (original, augmented) pixels.

    Raises:
        DatasetError: the dataset is not on this computer yet, or cannot fill the Input.
    """
    generator = torch.Generator().manual_seed(draw)
    shape = tuple(int(s) for s in input_shape)
    if is_folder(config.dataset):
        from designer.ml.data import folders

        size = folders.picture_size(shape)
        picked = torch.randperm(len(files), generator=generator)[:count].tolist()
        pictures = [folders.decode_picture(files[i], *size) for i in picked]
        if not pictures:
            raise data.DatasetError(_("no training pictures to show"))
        x = torch.from_numpy(np.stack(pictures)).float().div_(255.0).reshape(len(pictures), *shape)
    else:
        if not data.is_local(config.dataset):
            raise data.DatasetError(_("{dataset} is not downloaded yet: samples show after the first run").format(
                dataset=config.dataset))
        raw = data.load_raw(config.dataset).train_x
        picked = torch.randperm(len(raw), generator=generator)[:count].numpy()
        x = data.adapt(raw[np.sort(picked)], shape, 0.0, 1.0)
    changed = augment(x, augmentation(config), generator)
    return _pixels(x), _pixels(changed)


def _pixels(x: torch.Tensor) -> np.ndarray:
    """Model-input pixels 0..1 of any picture shape -> uint8 ``(N, H, W, 3)``."""
    if x.dim() == 2:  # flattened square pictures
        side = math.isqrt(x.shape[1])
        x = x.reshape(len(x), 1, side, side)
    elif x.dim() == 3:
        x = x.unsqueeze(1)
    x = x[:, :3] if x.shape[1] >= 3 else x[:, :1].expand(-1, 3, -1, -1)
    return np.ascontiguousarray((x.clamp(0, 1) * 255 + 0.5).to(torch.uint8).permute(0, 2, 3, 1).numpy())


MAX_POINTS = 2000  # the planned curve's resolution: enough for a plot, cheap for a long run


def planned_rates(config, train_samples: int) -> tuple[list[float], list[float]]:
    """The learning rate over the whole run with ``config``, before it starts: (steps, rates) to plot.

    Computed by ``designer.ml.standalone.schedules`` (the run's own schedulers) with at
    most MAX_POINTS batches, each standing for as many real batches as needed.
    """
    from designer.ml.standalone.config import steps_per_epoch
    from designer.ml.standalone.schedules import learning_rates

    steps = steps_per_epoch(max(1, train_samples), config.batch_size)
    per_epoch = min(steps, max(1, MAX_POINTS // config.epochs))
    rates = learning_rates(config.lr_schedule, config.lr, per_epoch, config.epochs, config.lr_step_epochs,
                           config.lr_step_factor)
    scale = steps / per_epoch
    return [1 + i * scale for i in range(len(rates))], rates
