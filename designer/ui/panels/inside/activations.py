"""Look inside: what each layer made of the current drawing, its filters and its state_dict.

Select a block on the canvas to see its output for the pad's picture: a grid
of feature maps for convolution and pooling layers, bars for vectors. The
Filters tab shows a convolution's learned kernels, the state_dict tab lists
parameters (learned by the optimizer) apart from buffers (kept, not learned).
Nothing here imports torch at module level; tensors arrive from ``Tryout``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QStackedWidget, QTabWidget, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from designer.ui.background import Latest
from designer.ui.canvas import levels
from designer.ui.panels.inside import picked
from designer.ui.panels.inside.maps import MapGrid, image_of, input_pixels, map_pixels
from designer.ui.panels.inside.receptive_view import ReceptivePanel
from designer.ui.panels.inside.numbers_view import NumbersView
from designer.ui.panels.tryit.numbers_input import is_small

if TYPE_CHECKING:  # numpy arrives with the first drawing, not with the window
    import numpy as np

# What eval() mode (the pad's) means for the layers that behave differently in training.
MODE_NOTES = {
    "Dropout": QT_TRANSLATE_NOOP("ActivationsPanel", "In eval() mode, as here, Dropout passes everything through; "
                                 "in train() it zeroes a random fraction p of its inputs and scales the rest by "
                                 "1/(1-p)."),
    "Dropout2d": QT_TRANSLATE_NOOP("ActivationsPanel", "In eval() mode, as here, Dropout2d passes everything "
                                   "through; in train() it zeroes whole channels at random."),
    "BatchNorm2d": QT_TRANSLATE_NOOP("ActivationsPanel", "In eval() mode, as here, BatchNorm uses the running mean "
                                     "and variance it saw in training (its buffers); in train() it normalises with "
                                     "the current batch's statistics."),
}
MODE_NOTES["BatchNorm1d"] = MODE_NOTES["BatchNorm2d"]

MAX_FILTER_ROWS = 32
MAX_FILTER_COLS = 16


def diverging_image(values: np.ndarray, limit: float) -> QImage:
    """A 2-D array with negative values red, positive blue, zero white (for weights)."""
    import numpy as np

    t = np.clip(values / (limit or 1.0), -1.0, 1.0)
    rgb = np.empty(values.shape + (3,), np.float32)
    pos, neg = np.clip(t, 0, None), np.clip(-t, 0, None)
    rgb[..., 0] = 255 * (1 - pos)
    rgb[..., 1] = 255 * (1 - pos * 0.6 - neg)
    rgb[..., 2] = 255 * (1 - neg)
    data = np.ascontiguousarray(rgb.astype(np.uint8))
    h, w = values.shape
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


NUMBERS_TAB = 3  # the tab index of Numbers, after Activations, Filters and state_dict


class BarChart(QWidget):
    """A vector of values as vertical bars around a zero line (positive blue, negative red)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.values: list[float] = []
        self.setMinimumSize(120, 80)

    def set_values(self, values: np.ndarray) -> None:
        self.values = [float(v) for v in values.ravel()]
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        n = len(self.values)
        if not n:
            return
        top, bottom = max(max(self.values), 0.0), min(min(self.values), 0.0)
        span = (top - bottom) or 1.0
        height = self.height() - 4
        zero = 2 + height * top / span
        width = self.width() / n
        for i, v in enumerate(self.values):
            color = QColor(60, 120, 220) if v >= 0 else QColor(220, 80, 60)
            bar = height * abs(v) / span
            y = zero - bar if v >= 0 else zero
            painter.fillRect(QRectF(i * width, y, max(width - (1 if width > 3 else 0), 0.5), bar), color)
        painter.setPen(QPen(self.palette().text().color(), 1))
        painter.drawLine(0, round(zero), self.width(), round(zero))
        painter.end()


class FilterGrid(QWidget):
    """A convolution's kernels: one row per output channel, one column per input channel."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.tiles: list[list[QImage]] = []
        self.setMinimumSize(120, 120)

    def set_filters(self, weights: np.ndarray) -> None:
        shown = weights[:MAX_FILTER_ROWS, :MAX_FILTER_COLS]
        limit = float(abs(shown).max(initial=0.0))
        self.tiles = [[diverging_image(k, limit) for k in row] for row in shown]
        self.update()

    def _layout(self) -> tuple[int, int]:
        """(rows, columns) of the grid: one row per output channel, or wrapped when there is one input."""
        n, inputs = len(self.tiles), len(self.tiles[0])
        if inputs > 1:
            return n, inputs
        cols = max(1, min(n, math.ceil(math.sqrt(n * self.width() / max(self.height(), 1)))))
        return math.ceil(n / cols), cols

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        if not self.tiles:
            return
        rows, cols = self._layout()
        flat = [tile for row in self.tiles for tile in row]
        cell = min(self.width() / cols, self.height() / rows, 64.0)
        gap = max(1.0, cell * 0.08)
        for i, tile in enumerate(flat):
            r, c = divmod(i, cols)
            painter.drawImage(QRectF(c * cell + gap / 2, r * cell + gap / 2, cell - gap, cell - gap), tile)
        painter.end()


class StateTree(QTreeWidget):
    """The state_dict: parameters and buffers in separate groups, with shapes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderLabels([self.tr("Name"), self.tr("Shape"), self.tr("Values"), self.tr("Trainable")])
        self.setRootIsDecorated(True)

    def set_entries(self, entries) -> None:
        self.clear()
        groups = {
            "parameter": QTreeWidgetItem(self, [self.tr("Parameters: learned by the optimizer")]),
            "buffer": QTreeWidgetItem(self, [self.tr("Buffers: saved state, not learned (e.g. BatchNorm running "
                                                     "mean)")]),
        }
        counts = {"parameter": 0, "buffer": 0}
        for entry in entries:
            shape = "(" + ", ".join(str(d) for d in entry.shape) + ")"
            QTreeWidgetItem(groups[entry.kind], [entry.name, shape, f"{entry.numel:,}",
                                                 self.tr("yes") if entry.trainable else self.tr("no")])
            counts[entry.kind] += entry.numel
        for kind, item in groups.items():
            item.setText(2, f"{counts[kind]:,}")
            item.setFirstColumnSpanned(False)
            item.setExpanded(True)
            if item.childCount() == 0:
                item.addChild(QTreeWidgetItem([self.tr("(none)")]))
        self.resizeColumnToContents(0)


class ActivationsPanel(QWidget):
    """The selected block's output for the current drawing, its filters and the state_dict.

    While the pad is drawn on, an answer arrives every few strokes. The header follows at once; the
    feature maps' pixels are made on a worker thread, the newest maps winning (those of an older answer
    still on the way are dropped), and only while the maps are on screen.
    """

    maps_drawn = Signal()  # new feature maps are on screen

    def __init__(self, tryout, parent: QWidget | None = None):
        super().__init__(parent)
        self.tryout = tryout
        self.document = tryout.document
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.maps = MapGrid()
        self.bars = BarChart()
        self.note = QLabel()
        self.note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note.setWordWrap(True)
        self.view = QStackedWidget()
        for widget in (self.note, self.maps, self.bars):
            self.view.addWidget(widget)
        self.filters = FilterGrid()
        self.filter_note = QLabel()
        self.filter_note.setWordWrap(True)
        filters_page = QWidget()
        filters_layout = QVBoxLayout(filters_page)
        filters_layout.addWidget(self.filter_note)
        filters_layout.addWidget(self.filters, 1)
        self.state = StateTree()
        self.receptive = ReceptivePanel()
        self.maps.hovered.connect(self.receptive.hover)
        activations_page = QWidget()
        activations_layout = QHBoxLayout(activations_page)
        activations_layout.setContentsMargins(0, 0, 0, 0)
        activations_layout.addWidget(self.view, 1)
        activations_layout.addWidget(self.receptive)
        self.tabs = QTabWidget()
        self.tabs.addTab(activations_page, self.tr("Activations"))
        self.tabs.addTab(filters_page, self.tr("Filters"))
        self.tabs.addTab(self.state, "state_dict")  # untranslated: torch's name
        self.numbers = NumbersView(tryout)  # a tiny Input's every layer as numbers
        self.tabs.addTab(self.numbers, self.tr("Numbers"))
        self.tabs.setTabVisible(NUMBERS_TAB, False)
        self.mode = QLabel()
        self.mode.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.mode)
        self.shown_layer = None  # the LayerOutput on screen (tests and the header read it)
        self._pixels = Latest(self)  # the feature maps' pixels, made on a worker thread: the newest win
        self._behind = False  # maps came while they were not on screen: they are drawn once they are

        tryout.result_ready.connect(self._new_result)
        self._model_stale = True  # the state_dict table and mode note wait for a built model
        tryout.model_changed.connect(self._model_changed)
        tryout.model_ready.connect(self._model_arrived)
        self.document.selection_changed.connect(self._selection_changed)
        self.tabs.currentChanged.connect(self._tab_changed)
        self.refresh()

    def _model_changed(self) -> None:
        self._model_stale = True
        self.state.clear()  # the old model's: the new one's follows once it is built
        self.mode.setText("")
        drawn = self.tryout.last is not None and not self.tryout.last.empty
        if self.isVisible() and (drawn or self.tabs.currentIndex() != 0):  # else opening a project builds nothing
            self.refresh_model(build=True)

    def _model_arrived(self) -> None:
        if self._model_stale and self.isVisible():
            self.refresh_model()

    def _new_result(self, result) -> None:
        small = is_small(self.tryout.input_shape())
        self.tabs.setTabVisible(NUMBERS_TAB, small)
        if small:
            self.numbers.show_result(result)
        if self.isVisible():
            if self._model_stale and self.tryout.model is not None:
                self.refresh_model()
            self.refresh()
        else:
            self._behind = True  # a hidden panel catches up in showEvent

    def _tab_changed(self, index: int) -> None:
        if index == 0 and self._behind:
            self.refresh()
        if index != 0 and self._model_stale:
            self.refresh_model(build=True)  # asked for filters or the state_dict: worth loading torch for
        else:
            self._fill_state()

    def _selection_changed(self, _node_id) -> None:
        self.refresh()
        self._show_filters()

    # what to show ---------------------------------------------------------------------
    def _layer_for_selection(self, result, shown: tuple[str, ...] | None):
        """The LayerOutput of the node at ``shown`` (ids from the model down); without one, the first layer with
        maps.

        The result may be older than the last edit (the pad classifies again a moment later):
        layers of blocks that are no longer on the model path are not shown.
        """
        path = set(self.document.shapes.path)
        current = [layer for layer in result.layers if layer.node_id in path]
        if shown is not None:
            return picked.layer_for(current, shown)
        return next((layer for layer in current if layer.output.dim() == 3), None)

    def refresh(self, *args) -> None:
        self._receptive_shown = False
        try:
            self._refresh()
        finally:  # once, not hidden and shown again for every answer
            self.receptive.setVisible(self._receptive_shown)

    def _refresh(self) -> None:
        result = self.tryout.current()
        doc = self.document
        chosen = doc.selection()  # inside a block: the node of the instance entered through
        shown = picked.source(doc.graph, chosen.path) if chosen is not None else None  # a block's Input: its feed
        which = "\n" + levels.instance_note(chosen) if chosen is not None and chosen.block else ""
        if chosen is not None and shown != chosen.path:
            which = "\n" + self.tr("{name} is the block's input: what {instance} receives.").format(
                name=chosen.name, instance=chosen.instance or chosen.block) + which
        self.shown_layer = None
        if shown is not None and shown == tuple(doc.shapes.path[:1]):
            self.header.setText(self.tr("Input: the picture as the model receives it (normalised like the training "
                                        "data).") + which)
            if result is not None and not result.empty and result.tensor is not None:
                self._show_values(result.tensor[0].numpy())
            else:
                self._say(self.tr("Draw a digit on the pad to see it here."))
            return
        if chosen is not None and chosen.node_id not in doc.edit_shapes.path:
            self.header.setText(self.tr("{name} is not part of the model: wire it into the chain.").format(
                name=chosen.name) + which)
            self._say(self.tr("No output: this block is not on the model path."))
            return
        if result is None or result.empty:
            self.header.setText(self.tr("Select a block on the canvas to see what it makes of your drawing."))
            self._say(self.tr("Draw a digit on the pad to see each layer's output."))
        elif not result.layers:
            self.header.setText(self.tr("The model cannot run yet: {problem}").format(problem=self.tryout.status()[1]))
            self._say(self.tr("No outputs to show."))
        else:
            layer = self._layer_for_selection(result, shown)
            if layer is None:
                self._say(self.tr("No output recorded for this block."))
            else:
                self.shown_layer = layer
                inferred = picked.inferred(doc.shapes, layer)
                text = self.tr("{name} · {type} · output {shape}").format(name=layer.name, type=layer.type,
                                                                           shape=_dims(layer.shape))
                if inferred != layer.shape:
                    text += " " + self.tr("(inferred {shape})").format(shape=_dims(inferred))
                if chosen is None:
                    text += "  " + self.tr("(select a block on the canvas to see its output)")
                if layer.type in MODE_NOTES:
                    text += "\n" + self.tr(MODE_NOTES[layer.type])
                self.header.setText(text + which)
                maps = layer.output.dim() == 3 and result.tensor is not None
                if maps:  # the model input beside them, for the hover outline of a cell's receptive field
                    self._receptive_shown = True
                    self.receptive.show_field(picked.field(self.document, layer), layer.name)
                self._show_values(layer.output.numpy(), result.tensor if maps else None)

    def _show_values(self, values: np.ndarray, picture=None) -> None:
        """``values`` as maps (2-D and more) or bars; ``picture``: the model input to show beside the maps."""
        if values.ndim < 2:
            self._pixels.discard()  # maps still on the way are not shown over the bars
            self.bars.set_values(values)
            self.view.setCurrentWidget(self.bars)
            return
        self._behind = not (self.isVisible() and self.tabs.currentIndex() == 0)
        if self._behind:  # nobody would see them
            return
        self._pixels.request(lambda: lambda: (map_pixels(values), input_pixels(picture) if picture is not None
                                              else None), self._pixels_made)

    def _pixels_made(self, made) -> None:
        (pixels, total), picture = made
        self.maps.set_pixels(pixels, total)
        if picture is not None:
            self.receptive.picture.set_image(image_of(picture).copy(), picture.shape)
        self.view.setCurrentWidget(self.maps)
        self.maps_drawn.emit()

    @property
    def maps_pending(self) -> bool:
        """Feature maps are being made or wait to be."""
        return self._pixels.busy

    def _say(self, text: str) -> None:
        self._pixels.discard()
        self.note.setText(text)
        self.view.setCurrentWidget(self.note)

    def _show_filters(self) -> None:
        chosen = self.document.selection()  # inside a block: the entered instance's layer
        module = picked.module(self.tryout.model, self.document.graph, chosen.path) if chosen is not None else None
        if module is None or type(module).__name__ not in ("Conv2d", "ConvTranspose2d"):
            self.filter_note.setText(self.tr("Select a Conv2d block to see its learned filters (one row per output "
                                             "channel, one column per input channel; blue positive, red negative)."))
            self.filters.tiles = []
            self.filters.update()
            return
        from designer.ml.explain.inside import conv_filters

        weights = conv_filters(module).numpy()
        note = (self.tr("{count} filters of {inputs} × {height}×{width} (learned); blue positive, red negative.")
                if self.tryout.trained else
                self.tr("{count} filters of {inputs} × {height}×{width} (random, untrained); blue positive, red "
                        "negative."))
        self.filter_note.setText(note.format(count=weights.shape[0], inputs=weights.shape[1],
                                             height=weights.shape[2], width=weights.shape[3]))
        self.filters.set_filters(weights)

    def refresh_model(self, build: bool = False) -> None:
        """After an edit or new weights: the state_dict table and the train/eval note.

        Only ``build`` may ask for the model to be built (on a worker thread, and so
        import torch): showing the panel at start-up must not load torch.
        """
        if self.tryout.needs_build():
            if build:
                self.tryout.request_model()  # on a worker thread; model_ready brings it here
            return
        model = self.tryout.model
        self._model_stale = False
        if model is None:
            self.state.clear()
            self.mode.setText("")
            return
        from designer.ml.explain.inside import mode_dependent

        self._fill_state()
        dependent = mode_dependent(model)
        mode = "train()" if model.training else "eval()"
        if dependent:
            kinds = ", ".join(sorted({kind for _, kind in dependent}))
            self.mode.setText(self.tr("Model mode: {mode}. It matters here: {kinds} behave differently in training. "
                                      "In eval() Dropout lets everything through and BatchNorm uses its running "
                                      "statistics.").format(mode=mode, kinds=kinds))
        else:
            self.mode.setText(self.tr("Model mode: {mode} (no layer of this model behaves differently in train "
                                      "mode).").format(mode=mode))
        self.refresh()
        self._show_filters()

    def _fill_state(self) -> None:
        """The state_dict table, filled only while it is the tab shown (a ResNet's is long)."""
        model = self.tryout.model
        if model is None or self._model_stale or self.tabs.currentWidget() is not self.state:
            return
        from designer.ml.explain.inside import state_entries

        if self.state.topLevelItemCount() == 0:
            self.state.set_entries(state_entries(model))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._model_stale:
            self.refresh_model()
        elif self._behind:
            self.refresh()


def _dims(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ")" if shape else "?"

