"""The drawing pad (white ink on black, like MNIST) and the probability bars beside it, for Try it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

if TYPE_CHECKING:  # numpy loads with the first drawing, not on the way to the window's first paint
    import numpy as np

PAD = 280  # the pad's own image, 10x MNIST's 28 pixels
PEN = PAD / 14  # MNIST strokes are about 2 of its 28 pixels wide
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


class DrawPad(QWidget):
    """A square canvas with a thick antialiased pen.

    Left button draws; right button, Escape or ``clear()`` wipes; Ctrl+Z (the
    platform's Undo) removes the last stroke; an image file dropped on it (or
    given to ``load_file``) becomes the picture to classify.
    """

    changed = Signal()  # the picture changed (every stroke segment, clear, undo, load)
    stroke_finished = Signal()
    file_dropped = Signal(str)  # an image file was dropped on the pad

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.hint = ""  # the words on the empty pad; empty: "Draw a digit here"
        self.setMinimumSize(140, 140)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip(self.tr("Draw a digit with the mouse. Right-click or Esc clears, Ctrl+Z undoes a stroke;\n"
                                "drop an image file here to classify it."))
        self._strokes: list[list[QPointF]] = []  # in the pad image's pixels
        self._picture: QImage | None = None  # a loaded image under the strokes
        self._image = QImage(PAD, PAD, QImage.Format.Format_Grayscale8)
        self._image.fill(0)
        self._drawing = False

    # the picture ----------------------------------------------------------------
    def image(self) -> np.ndarray:
        """The pad's picture as uint8 (PAD, PAD), white ink on black: exactly what gets classified."""
        import numpy as np

        bits = np.frombuffer(self._image.constBits(), np.uint8)
        return bits.reshape(PAD, self._image.bytesPerLine())[:, :PAD].copy()

    def is_empty(self) -> bool:
        return not self._strokes and self._picture is None

    def stroke_count(self) -> int:
        return len(self._strokes)

    def save(self, path: str | Path) -> bool:
        """Save the picture as an image file (PNG keeps it exact)."""
        return self._image.save(str(path))

    def clear(self) -> None:
        self._strokes.clear()
        self._picture = None
        self._image.fill(0)
        self.update()
        self.changed.emit()

    def undo(self) -> None:
        """Remove the last stroke (then the loaded picture, if nothing else is left)."""
        if self._strokes:
            self._strokes.pop()
        elif self._picture is not None:
            self._picture = None
        else:
            return
        self._render()
        self.update()
        self.changed.emit()

    def load_file(self, path: str | Path) -> None:
        """Show an image file on the pad (dark-on-light photos are inverted); raises PreprocessError."""
        from designer.ml.data.preprocess import load_image

        self.set_picture(load_image(path))

    def set_picture(self, gray: np.ndarray) -> None:
        """Replace the pad's content with a float 0..1 image (white on black), fitted and centred."""
        import numpy as np

        data = np.ascontiguousarray(np.clip(gray * 255.0 + 0.5, 0, 255).astype(np.uint8))
        h, w = data.shape
        source = QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
        self._picture = source.scaled(PAD, PAD, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation)
        self._strokes.clear()
        self._render()
        self.update()
        self.changed.emit()

    # drawing onto the pad's image ---------------------------------------------------
    def _painter(self) -> QPainter:
        painter = QPainter(self._image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), PEN, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                            Qt.PenJoinStyle.RoundJoin))
        return painter

    def _render(self) -> None:
        """Repaint everything from the strokes, segment by segment exactly as they were drawn."""
        self._image.fill(0)
        painter = self._painter()
        if self._picture is not None:
            x = (PAD - self._picture.width()) // 2
            y = (PAD - self._picture.height()) // 2
            painter.drawImage(x, y, self._picture)
        for stroke in self._strokes:
            painter.drawPoint(stroke[0])
            for a, b in zip(stroke, stroke[1:]):
                painter.drawLine(a, b)
        painter.end()

    def _square(self) -> QRectF:
        side = float(min(self.width(), self.height()))
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def _to_pad(self, pos: QPointF) -> QPointF:
        square = self._square()
        scale = PAD / max(square.width(), 1.0)
        return QPointF((pos.x() - square.x()) * scale, (pos.y() - square.y()) * scale)

    def _dirty_rect(self, a: QPointF, b: QPointF):
        square = self._square()
        scale = square.width() / PAD
        margin = PEN
        left, right = min(a.x(), b.x()) - margin, max(a.x(), b.x()) + margin
        top, bottom = min(a.y(), b.y()) - margin, max(a.y(), b.y()) + margin
        return QRectF(square.x() + left * scale, square.y() + top * scale,
                      (right - left) * scale, (bottom - top) * scale).toAlignedRect().adjusted(-2, -2, 2, 2)

    # events -----------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self.clear()
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = self._to_pad(event.position())
        self._strokes.append([point])
        self._drawing = True
        painter = self._painter()
        painter.drawPoint(point)
        painter.end()
        self.update(self._dirty_rect(point, point))
        self.changed.emit()

    def mouseMoveEvent(self, event) -> None:
        if not self._drawing:
            return
        point = self._to_pad(event.position())
        stroke = self._strokes[-1]
        last = stroke[-1]
        if point == last:
            return
        stroke.append(point)
        painter = self._painter()
        painter.drawLine(last, point)
        painter.end()
        self.update(self._dirty_rect(last, point))
        self.changed.emit()

    def mouseReleaseEvent(self, event) -> None:
        if self._drawing and event.button() == Qt.MouseButton.LeftButton:
            self._drawing = False
            self.stroke_finished.emit()

    def event(self, event) -> bool:
        # Claim Undo and Escape while the pad has focus, before the window's Edit > Undo takes them.
        if event.type() == QEvent.Type.ShortcutOverride and (
                event.matches(QKeySequence.StandardKey.Undo) or event.key() == Qt.Key.Key_Escape):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.clear()
        elif event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        else:
            super().keyPressEvent(event)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        square = self._square()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(square, self._image)
        painter.setPen(QPen(QColor(90, 90, 90), 1))
        painter.drawRect(square.adjusted(0, 0, -1, -1))
        if self.is_empty():
            painter.setPen(QColor(150, 150, 150))
            painter.drawText(square, Qt.AlignmentFlag.AlignCenter, self.hint or self.tr("Draw a digit here"))
        painter.end()

    def dragEnterEvent(self, event) -> None:
        if _image_urls(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = _image_urls(event.mimeData())
        if paths:
            event.acceptProposedAction()
            self.file_dropped.emit(paths[0])

    def sizeHint(self) -> QSize:
        """Small: a dock fits the pad, the answer and the bars; the pad then takes the room that is left."""
        return QSize(PAD // 2, PAD // 2)


def _image_urls(mime) -> list[str]:
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls()
            if url.isLocalFile() and Path(url.toLocalFile()).suffix.lower() in IMAGE_SUFFIXES]


class ProbabilityBars(QWidget):
    """Ten horizontal bars, one per class, the winner highlighted."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.probs = [0.0] * 10
        self.labels = [str(i) for i in range(10)]  # class names (an image folder's) or digits
        self.dimmed = False
        self.painted_at = 0.0  # perf_counter of the last paint: the latency benchmark reads it
        self.setMinimumSize(160, 160)

    def set_probabilities(self, probs: np.ndarray | None, dimmed: bool = False) -> None:
        self.probs = [0.0] * len(self.labels) if probs is None else [float(p) for p in probs]
        self.dimmed = dimmed
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        n = max(len(self.probs), 1)
        row = self.height() / n
        label_w = max([28] + [self.fontMetrics().horizontalAdvance(t) + 8 for t in self.labels[:n]])
        label_w = min(label_w, self.width() // 2)
        text_w = self.fontMetrics().horizontalAdvance("100%") + 8
        width = max(self.width() - label_w - text_w, 1)
        best = max(range(n), key=self.probs.__getitem__) if any(self.probs) else -1
        for i, p in enumerate(self.probs):
            y = i * row
            painter.setPen(self.palette().text().color())
            name = self.labels[i] if i < len(self.labels) else str(i)
            name = self.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, int(label_w - 4))
            painter.drawText(QRectF(0, y, label_w - 4, row), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             name)
            color = QColor(60, 140, 230) if i == best else QColor(150, 150, 150)
            if self.dimmed:
                color.setAlpha(110)
            painter.fillRect(QRectF(label_w, y + row * 0.15, width * p, row * 0.7), color)
            painter.drawText(QRectF(label_w + width + 4, y, text_w - 4, row), Qt.AlignmentFlag.AlignVCenter,
                             f"{p:.0%}")
        painter.end()
        self.painted_at = time.perf_counter()
