"""The drawing pad: draw a digit and watch the network classify it as you draw.

``DrawPad`` is the square canvas (white ink on black, like MNIST); ``TryPanel``
puts it beside what the model sees, its answer and ten probability bars. The
model itself lives in ``tryout.Tryout``, shared with the activations panel.
Torch is imported only when the first drawing is classified: the window must
paint before torch loads.
"""

from __future__ import annotations

import time
from pathlib import Path

from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QBoxLayout, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QSizePolicy, QWidget)

from designer.ui.panels.tryit import save_drawing

if TYPE_CHECKING:  # numpy loads with the first drawing, not on the way to the window's first paint
    import numpy as np

PAD = 280  # the pad's own image, 10x MNIST's 28 pixels
PEN = PAD / 14  # MNIST strokes are about 2 of its 28 pixels wide
INTERVAL_MS = 16  # at most one classification asked for per frame (60 Hz); the model runs on a worker thread
IMAGE_FILTER = QT_TRANSLATE_NOOP("TryPanel", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)")
ANSWER_PT = 48  # the answer's size when it fits
WIDE = 560  # from this width on, the pad stands beside the answer and the bars
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


class TryPanel(QWidget):
    """The pad, the 28x28 image the model sees, its answer and the probability bars."""

    def __init__(self, tryout, parent: QWidget | None = None):
        super().__init__(parent)
        self.tryout = tryout
        self.pad = DrawPad()
        self.clear_button = QPushButton(self.tr("Clear"))
        self.undo_button = QPushButton(self.tr("Undo stroke"))
        self.open_button = QPushButton(self.tr("Open image…"))
        self.seen = QLabel()  # what the model sees, 28x28 magnified
        self.seen.setFixedSize(112, 112)
        self.seen.setStyleSheet("background: black; border: 1px solid #555;")
        self.seen.setToolTip(self.tr("The 28×28 image the model sees: cropped to the ink, scaled to fit 20×20,\n"
                                     "centred by its centre of mass, as MNIST's digits were."))
        self._digit_help = self.seen.toolTip()
        self.answer = QLabel("–")
        font = QFont(self.font())
        font.setPointSize(ANSWER_PT)
        font.setBold(True)
        self.answer.setFont(font)
        self.answer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.answer.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # a long name shrinks
        self.answer.setMinimumWidth(40)
        self.bars = ProbabilityBars()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.train_button = QPushButton(self.tr("Train on mnist-5k now (2 epochs)"))
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.classify_now)
        self._last_run = -1.0
        self.shown_at = 0.0  # perf_counter when the last result was put on screen

        self.button_row = QWidget()
        buttons = QHBoxLayout(self.button_row)
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.clear_button, self.undo_button, self.open_button):
            buttons.addWidget(button)
        save_drawing.install(self, buttons)
        self.answer_box = QWidget()  # what the model sees, and its answer
        self.answer_layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self.answer_box)
        self.answer_layout.setContentsMargins(0, 0, 0, 0)
        self.answer_layout.addWidget(self.seen, 0, Qt.AlignmentFlag.AlignCenter)
        self.answer_layout.addWidget(self.answer, 1)
        self.grid = QGridLayout(self)
        self.wide: bool | None = None
        self._lay_out(wide=False)
        self.pad.changed.connect(self.request)
        self.pad.stroke_finished.connect(self._pad_edited)
        self.clear_button.clicked.connect(self._pad_edited)
        self.pad.file_dropped.connect(self.open_file)
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button.clicked.connect(self.pad.undo)
        self.open_button.clicked.connect(self._choose_file)
        self.train_button.clicked.connect(self.tryout.quick_train)
        tryout.status_changed.connect(self._show_status)
        tryout.model_changed.connect(self.request)
        tryout.result_ready.connect(self._show)
        tryout.training_progress.connect(self._show_progress)
        self._show_status()

    # layout ------------------------------------------------------------------------------
    def _lay_out(self, wide: bool) -> None:
        """Wide: the pad beside the answer and the bars. Narrow (a side dock): the pad above them, the answer
        beside the bars, so the whole panel fits the dock without scrolling."""
        if wide == self.wide:
            return
        self.wide = wide
        grid = self.grid
        for widget in (self.pad, self.button_row, self.answer_box, self.bars, self.status, self.train_button,
                       self.progress):
            grid.removeWidget(widget)
        self.answer_layout.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        if wide:
            grid.addWidget(self.pad, 0, 0, 5, 1)
            grid.addWidget(self.button_row, 5, 0)
            for row, widget in enumerate((self.answer_box, self.bars, self.status, self.train_button, self.progress)):
                grid.addWidget(widget, row, 1)
            stretches, columns = (0, 1, 0, 0, 0, 0), (3, 2)
        else:
            grid.addWidget(self.pad, 0, 0, 1, 2)
            grid.addWidget(self.button_row, 1, 0, 1, 2)
            grid.addWidget(self.answer_box, 2, 0)
            grid.addWidget(self.bars, 2, 1)
            for row, widget in enumerate((self.status, self.train_button, self.progress), start=3):
                grid.addWidget(widget, row, 0, 1, 2)
            stretches, columns = (3, 0, 2, 0, 0, 0), (0, 1)
        for row, stretch in enumerate(stretches):
            grid.setRowStretch(row, stretch)
        for column, stretch in enumerate(columns):
            grid.setColumnStretch(column, stretch)
        grid.activate()  # at once: a click that follows lands on the pad where it is drawn

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._lay_out(wide=event.size().width() >= WIDE)
        self._fit_answer()

    def _fit_answer(self) -> None:
        """The answer as large as its room allows (48 pt at most): a long class name shrinks, never pushes."""
        font = QFont(self.answer.font())
        size = ANSWER_PT
        font.setPointSize(size)
        room = max(self.answer.width() - 4, 20)
        while size > 9 and QFontMetrics(font).horizontalAdvance(self.answer.text()) > room:
            size -= 2
            font.setPointSize(size)
        if font.pointSize() != self.answer.font().pointSize():
            self.answer.setFont(font)

    # classification, throttled ------------------------------------------------------
    def request(self) -> None:
        """Ask for a classification soon: at once if none ran lately, else when the interval is up."""
        if self.timer.isActive():
            return
        since = (time.perf_counter() - self._last_run) * 1000
        self.timer.start(int(max(0.0, INTERVAL_MS - since)))

    def classify_now(self) -> None:
        self.timer.stop()
        self._last_run = time.perf_counter()
        self.tryout.evaluate(None if self.pad.is_empty() else self.pad.image())  # answered by result_ready

    def _show(self, result) -> None:
        if result is None or result.empty:
            self.seen.clear()
            self.answer.setText("–")
            out = self.tryout.document.shapes.output_shape
            if out is not None and len(out) == 1 and 0 < out[0] <= 1000:  # a row per class, named, before any answer
                self.bars.labels = self.tryout.class_names(int(out[0]))
            self.bars.set_probabilities(None)
        else:
            import numpy as np

            if result.picture is not None:  # an image-folder model: its input, at its size, in colour
                data = result.picture
                h, w = data.shape[:2]
                img = QImage(data.data, w, h, w * 3, QImage.Format.Format_RGB888).copy()
                self.seen.setToolTip(self.tr("The picture the model sees: resized to its Input's {width}×{height} "
                                             "pixels, as its training pictures were.").format(width=w, height=h))
            else:
                data = np.ascontiguousarray((result.image * 255 + 0.5).astype(np.uint8))
                img = QImage(data.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
                self.seen.setToolTip(self._digit_help)
            self.seen.setPixmap(QPixmap.fromImage(img).scaled(112, 112, Qt.AspectRatioMode.KeepAspectRatio))
            if result.probs is None:
                self.answer.setText("?")
                self.bars.set_probabilities(None)
            else:
                names = self.tryout.class_names(len(result.probs))
                self.bars.labels = names
                self.answer.setText(names[int(result.probs.argmax())])
                self._fit_answer()
                self.answer.setStyleSheet("" if result.trained else "color: #999;")  # a guess, not an answer
                self.bars.set_probabilities(result.probs, dimmed=not result.trained)
        self.shown_at = time.perf_counter()

    # files ------------------------------------------------------------------------------
    def open_file(self, path: str) -> None:
        from designer.ml.data.preprocess import PreprocessError

        if self.tryout.folder_classes() is not None:  # a picture model: keep the colours, convert as training did
            import numpy as np
            from PIL import Image, UnidentifiedImageError

            try:
                with Image.open(path) as img:
                    self.show_picture(np.asarray(img.convert("RGB")))
            except (OSError, UnidentifiedImageError, ValueError) as exc:
                self.status.setText(self.tr("{file}: not a readable image ({error})").format(file=path, error=exc))
                return
        else:
            try:
                self.pad.load_file(path)
            except PreprocessError as exc:
                self.status.setText(str(exc))
                return
        self._show_status()  # a picture that opened: an earlier file's complaint is no longer true

    def show_picture(self, picture: np.ndarray) -> None:
        """Put a uint8 picture ((H, W) grey or (H, W, 3) colour) on the pad and classify it.

        For an image-folder model the picture itself is classified until the
        pad is drawn on; for digits the pad's grey image is, as for a drawing.
        """
        import numpy as np

        grey = picture if picture.ndim == 2 else picture[..., :3].astype(np.float32) @ [0.299, 0.587, 0.114]
        self.tryout.picture = picture if self.tryout.folder_classes() is not None else None
        self.pad.set_picture(np.asarray(grey, np.float32) / 255.0)
        self.request()

    def _pad_edited(self) -> None:
        self.tryout.picture = None  # drawn on, or cleared: the pad is what is classified now
        self.request()

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Open an image to classify"), "", self.tr(IMAGE_FILTER))
        if path:
            self.open_file(path)

    # status -----------------------------------------------------------------------------
    def _show_status(self) -> None:
        kind, message = self.tryout.status()
        self.status.setText(message)
        hint = self.tr("Drop or open a picture") if self.tryout.folder_classes() is not None else ""
        if hint != self.pad.hint:
            self.pad.hint = hint
            self.pad.update()
        training = self.tryout.training
        self.train_button.setVisible(kind == "untrained" and not training)
        self.progress.setVisible(training)
        self.request()

    def _show_progress(self, done: int, total: int) -> None:
        self.progress.setVisible(True)
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)


def install(window) -> None:
    """Dock the pad ("Try it") and the look-inside panel; add Model > Load Weights…."""
    from designer.ui.panels.inside.activations import ActivationsPanel
    from designer.ui.panels.tryit.tryout import Tryout
    from designer.ui.dialogs.weights import open_weights

    tryout = Tryout(window.document, window)
    window.try_panel = TryPanel(tryout)
    window.try_dock = window.add_dock("Try it", window.try_panel, Qt.DockWidgetArea.RightDockWidgetArea)
    window.add_dock("Look inside", ActivationsPanel(tryout), Qt.DockWidgetArea.BottomDockWidgetArea)
    action = window.menu("Model").addAction(QCoreApplication.translate("TryPanel", "Load &Weights…"))
    action.setStatusTip(QCoreApplication.translate(
        "TryPanel", "Load a state_dict (.pt or .safetensors) into this project, with a compatibility report"))
    action.triggered.connect(lambda: open_weights(window))
    # Import torch in the background once the window is up, so the first stroke does not wait for it.
    QTimer.singleShot(2000, _warm_up)


def _warm_up() -> None:
    from designer.ui import gc_guard
    from designer.ui.background import run_in_background

    def work() -> None:
        import designer.ml.models  # noqa: F401  (torch, the compiler and the model service)
        import designer.ml.explain.inside  # noqa: F401
        import designer.ml.data.preprocess  # noqa: F401

    # torch's objects stay for good: the garbage collector's full walks in the UI thread skip them.
    run_in_background(work, lambda _: gc_guard.freeze())
