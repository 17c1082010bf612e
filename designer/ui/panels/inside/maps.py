"""Feature maps as a grid of grayscale tiles, and the numpy that turns maps into pixels.

A ResNet's first convolution gives 64 maps of 112×112 for every drawing:
turning them into pixels is milliseconds of numpy that the UI thread, busy with
the pad's mouse events, cannot spare. So Look inside has ``map_pixels`` run on
a worker thread and hands the result to ``MapGrid.set_pixels``, which only
wraps it in images.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:  # numpy arrives with the first drawing, not with the window
    import numpy as np

MAX_MAPS = 64  # feature maps drawn per layer; more would be too small to read


def gray(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """``values`` as opaque gray pixels (uint32 0xffRRGGBB, what QImage's Format_RGB32 reads): ``low`` black,
    ``high`` white. Any thread.

    Qt paints RGB32 as it is; an 8-bit gray image it converts on every paint, which doubles the cost of
    painting 64 tiles.
    """
    import numpy as np

    level = np.subtract(values, low, dtype=np.float32)
    level *= 255.0 / (high - low if high > low else 1.0)
    level += 0.5
    np.clip(level, 0, 255, out=level)
    out = level.astype(np.uint32)
    out *= 0x010101
    out |= 0xFF000000
    return out


def map_pixels(maps: np.ndarray) -> tuple[np.ndarray, int]:
    """The first ``MAX_MAPS`` of ``maps`` (..., H, W) as gray pixels (n, H, W) on one brightness scale (the lowest
    value black, 0 at most; the highest white, 0 at least), and how many maps there are in all. Any thread."""
    every = maps.reshape((-1,) + maps.shape[-2:])
    shown = every[:MAX_MAPS]
    return gray(shown, float(shown.min(initial=0.0)), float(shown.max(initial=0.0))), len(every)


def input_pixels(tensor) -> np.ndarray:
    """The model input (1, C, H, W), its channels added up, as gray pixels from its lowest to its highest value."""
    picture = tensor[0].numpy().sum(axis=0)
    return gray(picture, float(picture.min()), float(picture.max()))


def image_of(pixels: np.ndarray) -> QImage:
    """A QImage reading ``gray``'s ``pixels`` (H, W) in place: keep the array as long as the image."""
    h, w = pixels.shape
    return QImage(pixels.data, w, h, 4 * w, QImage.Format.Format_RGB32)


class MapGrid(QWidget):
    """Feature maps (C, H, W) as a grid of tiles sharing one brightness scale; reports the hovered cell."""

    hovered = Signal(object)  # (row, column) of a map cell, or None

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tiles: list[QImage] = []
        self.total = 0
        self.map_size = (0, 0)
        self._pixels = None  # what the tiles read
        self.setMinimumSize(120, 120)
        self.setMouseTracking(True)

    def set_pixels(self, pixels: np.ndarray, total: int) -> None:
        """Show the maps ``map_pixels`` made (n, H, W) of ``total`` in all."""
        self._pixels = pixels
        self.tiles = [image_of(tile) for tile in pixels]
        self.map_size = tuple(pixels.shape[-2:])
        self.total = total
        self.update()

    def _grid(self) -> tuple[int, float, int]:
        """(columns, tile size, footer height) of the current layout."""
        n = len(self.tiles)
        footer = 18 if self.total > n else 0
        cols = max(1, math.ceil(math.sqrt(n * self.width() / max(self.height() - footer, 1))))
        rows = math.ceil(n / cols)
        return cols, min(self.width() / cols, (self.height() - footer) / rows), footer

    def tile_rect(self, index: int) -> QRectF:
        cols, cell, _ = self._grid()
        r, c = divmod(index, cols)
        return QRectF(c * cell + 1, r * cell + 1, cell - 2, cell - 2)

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """The map cell (row, column) under a point, whichever tile it is in."""
        for index in range(len(self.tiles)):
            rect = self.tile_rect(index)
            if rect.contains(x, y):
                h, w = self.map_size
                row = min(int((y - rect.y()) / rect.height() * h), h - 1)
                return row, min(int((x - rect.x()) / rect.width() * w), w - 1)
        return None

    def mouseMoveEvent(self, event) -> None:
        self.hovered.emit(self.cell_at(event.position().x(), event.position().y()))

    def leaveEvent(self, event) -> None:
        self.hovered.emit(None)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if not self.tiles:
            return
        n = len(self.tiles)
        footer = self._grid()[2]
        for i, tile in enumerate(self.tiles):
            painter.drawImage(self.tile_rect(i), tile)
        if footer:
            painter.drawText(QRectF(0, self.height() - footer, self.width(), footer), Qt.AlignmentFlag.AlignLeft,
                             self.tr("first {shown} of {total} maps").format(shown=n, total=self.total))
        painter.end()
