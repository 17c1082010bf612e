"""The model's input with one feature-map cell's receptive field outlined (Look inside's hover).

Hovering a cell of a feature map in Look inside outlines, on the picture the
model received, the input pixels that cell sees: the rectangle
``core.receptive`` computes, clipped to the image (padding reaches outside it).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class InputPicture(QWidget):
    """A small picture of the model input and, while a map cell is hovered, the region it sees."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image: QImage | None = None
        self.size_hw = (0, 0)
        self.region: tuple[int, int, int, int] | None = None  # top, bottom, left, right; inclusive, clipped
        self.setFixedSize(140, 140)

    def set_image(self, image: QImage | None, size_hw: tuple[int, int]) -> None:
        self.image, self.size_hw = image, size_hw
        self.update()

    def set_region(self, region) -> None:
        if region != self.region:  # a new answer for the same layer keeps no outline: nothing to repaint
            self.region = region
            self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if self.image is not None:
            h, w = self.size_hw
            scale = min(self.width() / w, self.height() / h)
            painter.drawImage(QRectF(0, 0, w * scale, h * scale), self.image)
            if self.region is not None:
                top, bottom, left, right = self.region
                painter.setPen(QPen(QColor(229, 57, 53), 2))
                painter.drawRect(QRectF(left * scale, top * scale, (right - left + 1) * scale,
                                        (bottom - top + 1) * scale))
        painter.end()


class ReceptivePanel(QWidget):
    """The picture and a line saying which pixels the hovered cell sees."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.picture = InputPicture()
        self.label = QLabel(self.tr("Hover over a feature map to see which input pixels a cell sees."))
        self.label.setWordWrap(True)
        self.label.setFixedWidth(140)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picture)
        layout.addWidget(self.label, 1)
        self.field = None
        self.name = ""

    def show_input(self, image: QImage | None, size_hw: tuple[int, int], field, name: str) -> None:
        self.picture.set_image(image, size_hw)
        self.show_field(field, name)

    def show_field(self, field, name: str) -> None:
        """The receptive field of ``name``'s cells (None where they no longer map to places); the picture stays."""
        self.field, self.name = field, name
        self.picture.set_region(None)
        self.label.setText(self.tr("Hover over a feature map to see which input pixels a cell sees.") if field else
                           self.tr("{name}'s cells no longer map to places in the picture.").format(name=name)
                           if name else "")

    def hover(self, cell) -> None:
        """``cell`` (row, column) of the shown maps, or None when the pointer left them."""
        if cell is None or self.field is None:
            self.picture.set_region(None)
            return
        i, j = cell
        top, bottom, left, right = self.field.region(i, j)
        h, w = self.picture.size_hw
        clipped = (max(top, 0), min(bottom, h - 1), max(left, 0), min(right, w - 1))
        self.picture.set_region(clipped)
        rows, cols = clipped[1] - clipped[0] + 1, clipped[3] - clipped[2] + 1
        self.label.setText(self.tr("{name} cell ({row}, {column}) sees rows {top}–{bottom}, columns {left}–{right} "
                                   "of the input ({rows}×{cols} pixels; receptive field {height}×{width}).").format(
            name=self.name, row=i, column=j, top=clipped[0], bottom=clipped[1], left=clipped[2], right=clipped[3],
            rows=rows, cols=cols, height=self.field.size[0], width=self.field.size[1]))
