"""Explain's picture and numbers: one frame scaled to fit (a click names the output cell), and the cell's
numbers as rich text in the app's font, so they stay readable however small the picture is drawn."""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QRectF, Signal
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget


class FrameView(QWidget):
    """One explainer frame, scaled to fit; a click on an output cell reports it."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.layout_info = None
        self.setMinimumSize(150, 120)

    def set_frame(self, image: QImage, layout_info) -> None:
        self.image, self.layout_info = image, layout_info
        self.update()

    def _target(self) -> QRectF:
        scale = min(self.width() / self.image.width(), self.height() / self.image.height())
        w, h = self.image.width() * scale, self.image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().base())
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self._target(), self.image)
        painter.end()

    def frame_point(self, x: float, y: float) -> tuple[float, float] | None:
        """A widget position in frame pixels."""
        if self.image is None:
            return None
        target = self._target()
        scale = target.width() / self.image.width()
        return (x - target.x()) / scale, (y - target.y()) / scale

    def mousePressEvent(self, event) -> None:
        point = self.frame_point(event.position().x(), event.position().y())
        if point is not None and self.layout_info is not None:
            cell = self.layout_info.output_cell_at(*point)
            if cell is not None:
                self.cell_clicked.emit(*cell)


def numbers_html(grid, lines: list[str]) -> str:
    """A cell's grid of products (blue positive, red negative; None: no grid) and its sum, as rich text."""
    parts = []
    if grid is not None:
        rows = []
        for values in grid:
            cells = "".join("<td align=right style='color:#546e7a'>pad</td>" if math.isnan(v) else
                            f"<td align=right style='color:{'#1565c0' if v >= 0 else '#c62828'}'>{v:.2f}</td>"
                            for v in values)
            rows.append(f"<tr>{cells}</tr>")
        parts.append(f"<table cellspacing=0 cellpadding=2>{''.join(rows)}</table>")
    sums = lines[:lines.index("")] if "" in lines else lines  # the formula is the what-if column's
    parts.append("<br>".join(html.escape(line) for line in sums))
    return "".join(parts)
