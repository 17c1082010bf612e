"""Augmentation: random shifts, rotations, scaling, flips and colour changes, on whole batches.

Each picture of a batch gets its own random transform, and the batch is
transformed by a handful of tensor operations (one ``affine_grid`` and one
``grid_sample`` for all the geometry), on the device the batch is on.
torchvision's ``transforms.v2`` also takes batched tensors, but draws one set
of parameters per call: every picture of a batch would move the same way.
Random numbers come from the run's own generator, so a resumed run augments
exactly as an uninterrupted one. Only training batches are augmented, never
the held-out set. This file imports only the standard library and torch
because the exported training script carries a copy of it (see
``designer.ml.export.trainscript``).
"""

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F


class AugmentError(ValueError):
    """Data that cannot be augmented; the app translates ``template`` (listed in loop.py) with ``values``."""

    def __init__(self, template: str, **values):
        super().__init__(template.format(**values))
        self.template, self.values = template, values


@dataclass(frozen=True)
class Augmentation:
    """How far each random change may go (0 / False: not at all).

    Attributes:
        shift: up to this fraction of the width (height) left or right (up or down).
        rotation: up to this many degrees either way.
        scale: zoomed in or out by up to this fraction.
        flip: mirrored left-right half the time (wrong for digits and text).
        color: brightness, contrast and saturation changed by up to this fraction.
    """

    shift: float = 0.0
    rotation: float = 0.0
    scale: float = 0.0
    flip: bool = False
    color: float = 0.0

    @property
    def active(self) -> bool:
        return bool(self.shift or self.rotation or self.scale or self.flip or self.color)


def augment(x: torch.Tensor, how: Augmentation, generator: torch.Generator, mean: float = 0.0,
            std: float = 1.0) -> torch.Tensor:
    """A randomly changed copy of the model-input batch ``x`` (normalised with ``mean``/``std``).

    ``x`` is ``(N, C, H, W)``, ``(N, H, W)`` or ``(N, F)`` with F a square
    number (a flattened square picture); the result has the shape of ``x``.
    Areas moved in from outside the picture are black.
    """
    if not how.active or len(x) == 0:
        return x
    shape = x.shape
    pictures = _as_pictures(x)
    pictures = pictures * std + mean  # back to pixels 0..1: black pads, colours change as colours
    n, device = len(pictures), pictures.device

    def uniform(limit: float) -> torch.Tensor:  # n values in [-limit, limit], from the run's generator
        return ((torch.rand(n, generator=generator) * 2 - 1) * limit).to(device)

    if how.shift or how.rotation or how.scale:
        pictures = _affine(pictures, uniform(math.radians(how.rotation)), 1 + uniform(how.scale),
                           uniform(how.shift), uniform(how.shift))
    if how.flip:
        flip = (torch.rand(n, generator=generator) < 0.5).to(device)
        pictures = torch.where(flip[:, None, None, None], pictures.flip(-1), pictures)
    if how.color:
        pictures = _color(pictures, 1 + uniform(how.color), 1 + uniform(how.color), 1 + uniform(how.color))
    return ((pictures - mean) / std).reshape(shape)


def _as_pictures(x: torch.Tensor) -> torch.Tensor:
    if x.dim() == 4:
        return x
    if x.dim() == 3:
        return x.unsqueeze(1)
    side = math.isqrt(x.shape[1]) if x.dim() == 2 else 0
    if side * side != (x.shape[1] if x.dim() == 2 else -1):
        raise AugmentError("augmentation needs pictures, not samples of shape {shape}",  # untranslated: the app does
                           shape=list(x.shape[1:]))
    return x.reshape(len(x), 1, side, side)


def _affine(x: torch.Tensor, angle: torch.Tensor, scale: torch.Tensor, dx: torch.Tensor,
            dy: torch.Tensor) -> torch.Tensor:
    """Rotate by ``angle``, scale by ``scale`` and move by (dx, dy) picture sizes, each picture its own."""
    n, _, height, width = x.shape
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    aspect = height / width  # affine_grid's coordinates run -1..1 both ways: rotate in pixels, not in those
    theta = torch.zeros(n, 2, 3, device=x.device, dtype=x.dtype)
    # The inverse map (output -> input pixel), as grid_sample wants it.
    theta[:, 0, 0], theta[:, 0, 1] = cos, sin * aspect
    theta[:, 1, 0], theta[:, 1, 1] = -sin / aspect, cos
    theta[:, 0, 2] = -(theta[:, 0, 0] * dx * 2 + theta[:, 0, 1] * dy * 2)
    theta[:, 1, 2] = -(theta[:, 1, 0] * dx * 2 + theta[:, 1, 1] * dy * 2)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _color(x: torch.Tensor, brightness: torch.Tensor, contrast: torch.Tensor, saturation: torch.Tensor):
    x = x * brightness[:, None, None, None]
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * contrast[:, None, None, None] + mean
    if x.shape[1] == 3:
        grey = (0.299 * x[:, 0:1] + 0.587 * x[:, 1:2] + 0.114 * x[:, 2:3])
        x = (x - grey) * saturation[:, None, None, None] + grey
    return x.clamp_(0.0, 1.0)
