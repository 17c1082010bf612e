"""The drawing pad: draw a digit and watch the network classify it as you draw.

``pad.DrawPad`` is the square canvas (white ink on black, like MNIST); ``TryPanel``
puts it beside what the model sees, its answer and ten probability bars. The
model itself lives in ``tryout.Tryout``, shared with the activations panel.
Torch is imported only when the first drawing is classified: the window must
paint before torch loads.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPixmap
from PySide6.QtWidgets import (QBoxLayout, QFileDialog, QGridLayout, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QSizePolicy, QWidget)

from designer.ui.panels.tryit import save_drawing
from designer.ui.panels.tryit.numbers_input import Numbers, NumbersInput, is_small
from designer.ui.panels.tryit.pad import PAD, DrawPad, ProbabilityBars  # noqa: F401 (PAD: the pad's size, for callers)

if TYPE_CHECKING:  # numpy loads with the first drawing, not on the way to the window's first paint
    import numpy as np

INTERVAL_MS = 16  # at most one classification asked for per frame (60 Hz); the model runs on a worker thread
IMAGE_FILTER = QT_TRANSLATE_NOOP("TryPanel", "Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff *.webp)")
ANSWER_PT = 48  # the answer's size when it fits
WIDE = 560  # from this width on, the pad stands beside the answer and the bars


class TryPanel(QWidget):
    """The pad, the 28x28 image the model sees, its answer and the probability bars."""

    def __init__(self, tryout, parent: QWidget | None = None):
        super().__init__(parent)
        self.tryout = tryout
        self.pad = DrawPad()
        self.numbers = NumbersInput()  # instead of the pad for a tiny Input (up to 8×8)
        self.numbers.setVisible(False)
        self.small = False
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
        self.numbers.changed.connect(self.request)
        self.pad.stroke_finished.connect(self._pad_edited)
        self.clear_button.clicked.connect(self._pad_edited)
        self.pad.file_dropped.connect(self.open_file)
        self.clear_button.clicked.connect(self.pad.clear)
        self.undo_button.clicked.connect(self.pad.undo)
        self.open_button.clicked.connect(self._choose_file)
        self.train_button.clicked.connect(self.tryout.quick_train)
        tryout.status_changed.connect(self._show_status)
        locked_changed = getattr(tryout.document, "locked_changed", None)
        if locked_changed is not None:
            locked_changed.connect(lambda _locked: self._show_status())
        tryout.model_changed.connect(self._switch_input)
        tryout.result_ready.connect(self._show)
        tryout.training_progress.connect(self._show_progress)
        self._show_status()
        self._switch_input()

    # layout ------------------------------------------------------------------------------
    def _lay_out(self, wide: bool) -> None:
        """Wide: the pad beside the answer and the bars. Narrow (a side dock): the pad above them, the answer
        beside the bars, so the whole panel fits the dock without scrolling."""
        if wide == self.wide:
            return
        self.wide = wide
        grid = self.grid
        for widget in (self.pad, self.numbers, self.button_row, self.answer_box, self.bars, self.status, self.train_button,
                       self.progress):
            grid.removeWidget(widget)
        self.answer_layout.setDirection(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)
        if wide:
            grid.addWidget(self.pad, 0, 0, 5, 1)
            grid.addWidget(self.numbers, 0, 0, 5, 1)
            grid.addWidget(self.button_row, 5, 0)
            for row, widget in enumerate((self.answer_box, self.bars, self.status, self.train_button, self.progress)):
                grid.addWidget(widget, row, 1)
            stretches, columns = (0, 1, 0, 0, 0, 0), (3, 2)
        else:
            grid.addWidget(self.pad, 0, 0, 1, 2)
            grid.addWidget(self.numbers, 0, 0, 1, 2)
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
        if self.small:
            self.tryout.evaluate(Numbers(self.numbers.values()))
        else:  # answered by result_ready
            self.tryout.evaluate(None if self.pad.is_empty() else self.pad.image())

    def _switch_input(self) -> None:
        """A tiny Input (up to 8×8) is typed as numbers; any other is drawn on the pad."""
        shape = self.tryout.input_shape()
        self.small = is_small(shape) and self.tryout.folder_classes() is None
        if self.small:
            self.numbers.set_shape(shape)
        self.numbers.setVisible(self.small)
        for widget in (self.pad, self.button_row, self.seen):
            widget.setVisible(not self.small)
        self.request()

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

            if result.image is None and result.picture is None:  # typed numbers: the tables are the input
                self.seen.clear()
            elif result.picture is not None:  # an image-folder model: its input, at its size, in colour
                data = result.picture
                h, w = data.shape[:2]
                img = QImage(data.data, w, h, w * 3, QImage.Format.Format_RGB888).copy()
                self.seen.setToolTip(self.tr("The picture the model sees: resized to its Input's {width}×{height} "
                                             "pixels, as its training pictures were.").format(width=w, height=h))
            else:
                data = np.ascontiguousarray((result.image * 255 + 0.5).astype(np.uint8))
                img = QImage(data.data, 28, 28, 28, QImage.Format.Format_Grayscale8).copy()
                self.seen.setToolTip(self._digit_help)
            if result.image is not None or result.picture is not None:
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
        # another run (the Training panel's) holds the model: its weights will be the answer
        locked = bool(getattr(self.tryout.document, "locked", False)) and not training
        self.train_button.setEnabled(not locked)
        self.train_button.setToolTip(getattr(self.tryout.document, "lock_reason", "") if locked else "")
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
    tryout.discarded.connect(lambda text: window.statusBar().showMessage(text, 10000))
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
