"""Look inside ▸ Numbers, for a tiny Input (up to 8×8): every layer's output as numbers, as the tutorial prints them.

One small table per channel and layer, in forward order. The cells that
changed with the last edit of the input are marked, so editing one input value
shows which outputs depend on it (its receptive field, layer after layer).
Clicking a cell of a Conv2d or pool layer shows the explainer's sum for it
(designer.ml.explain.numbers) beside the tables, computed off the UI thread.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QScrollArea, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from designer.ui.background import Latest
from designer.ui.panels.tryit.numbers_input import text

CHANGED = QColor(255, 224, 130)  # a value that the last edit of the input changed
CHANGED_ROLE = Qt.ItemDataRole.UserRole + 1  # True on a marked cell (what a test reads)
CELL, ROW = 48, 20
SUMMED = ("Conv2d", "MaxPool2d", "AvgPool2d")  # the explainer's cell arithmetic


class NumbersView(QWidget):
    """Every layer's output of the last run as tables; ``tables[layer name]`` lists one table per channel."""

    def __init__(self, tryout, parent: QWidget | None = None):
        super().__init__(parent)
        self.tryout = tryout
        self.tables: dict[str, list[QTableWidget]] = {}
        self._input = None  # the input tensor the current outputs are for
        self._now: dict[str, np.ndarray] = {}
        self._before: dict[str, np.ndarray] = {}  # outputs before the last edit of the input
        self._generation = None  # the tryout generation (model) the outputs are from
        self._jobs = Latest(self)
        self.content = QWidget()
        self.column = QVBoxLayout(self.content)
        self.column.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.content)
        self.sum = QLabel(self.tr("Click a cell of a Conv2d or pool layer to see its sum."))
        self.sum.setWordWrap(True)
        self.sum.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sum.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 3)
        layout.addWidget(self.sum, 1)

    def show_result(self, result) -> None:
        """The layers of ``result`` (a tryout.Result); cells that differ from before the last input edit marked."""
        if result is None or result.empty or result.tensor is None:
            return
        if result.generation != self._generation:  # another model (an edit, new weights): nothing to compare
            self._before, self._generation = {}, result.generation
        elif self._input is not None and not np.array_equal(self._input, result.tensor.numpy()):
            self._before = self._now
        self._input = result.tensor.numpy().copy()
        self._now = {layer.name: layer.output.numpy().copy() for layer in result.layers}
        while self.column.count():
            item = self.column.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.tables = {}
        for layer in result.layers:
            self._add_layer(layer)

    def _add_layer(self, layer) -> None:
        values = self._now[layer.name]
        before = self._before.get(layer.name)
        if before is not None and before.shape != values.shape:
            before = None
        planes = values.reshape(-1, *values.shape[-2:]) if values.ndim >= 2 else values.reshape(1, 1, -1)
        old = None if before is None else before.reshape(planes.shape)
        title = QLabel(self.tr("{name} · {type} · output {shape}").format(
            name=layer.name, type=layer.type, shape=" × ".join(map(str, values.shape))))
        self.column.addWidget(title)
        row = QWidget()
        tables = QHBoxLayout(row)
        tables.setContentsMargins(0, 0, 0, 0)
        self.tables[layer.name] = []
        for channel, plane in enumerate(planes):
            table = _table(plane, None if old is None else old[channel])
            table.setToolTip(self.tr("{name}, channel {channel}").format(name=layer.name, channel=channel))
            if layer.type in SUMMED and values.ndim == 3:
                table.cellClicked.connect(lambda y, x, c=channel, lay=layer: self.explain(lay, c, y, x))
            tables.addWidget(table)
            self.tables[layer.name].append(table)
        tables.addStretch(1)
        self.column.addWidget(row)

    def explain(self, layer, channel: int, y: int, x: int) -> None:
        """Show the explainer's sum for output cell (channel, y, x) of ``layer`` (computed on a worker thread)."""
        tryout = self.tryout
        model, graph, result = tryout.model, tryout.graph, tryout.current()
        path = list(tryout.document.shapes.path)
        if model is None or result is None or layer.node_id is None:
            return

        def prepare():
            def work():
                from designer.ml.explain.numbers import ExplainError, for_node

                with tryout.lock:  # the pad's forward hooks share the model
                    try:
                        explainer = for_node(graph, path, model, result.tensor, layer.node_id, inner=layer.inner)
                        return explainer.cell(channel, y, x)
                    except ExplainError as exc:
                        return exc
            return work

        self._jobs.request(prepare, lambda cell: self._show_sum(layer, channel, y, x, cell))

    def _show_sum(self, layer, channel: int, y: int, x: int, cell) -> None:
        head = self.tr("{name}, channel {channel}, row {y}, column {x}:").format(name=layer.name, channel=channel,
                                                                                 y=y, x=x)
        if isinstance(cell, Exception):
            self.sum.setText(f"{head}\n{cell}")
            return
        taps = [(float(i), None if cell.weights is None else float(w))
                for i, w in zip(cell.inputs.reshape(-1), (cell.weights if cell.weights is not None
                                                           else cell.inputs).reshape(-1)) if not np.isnan(i)]
        if layer.type == "Conv2d":
            terms = " + ".join(f"{i:.2f}×{w:.2f}" for i, w in taps)
            line = self.tr("{terms}\n= {total}; + bias {bias} = {result}").format(
                terms=terms, total=f"{cell.total:.2f}", bias=f"{cell.bias:.2f}", result=f"{cell.result:.2f}")
        elif layer.type == "MaxPool2d":
            line = f"max({', '.join(f'{i:.2f}' for i, _w in taps)}) = {cell.result:.2f}"
        else:
            line = (f"({' + '.join(f'{i:.2f}' for i, _w in taps)}) / {cell.divisor} = {cell.result:.2f}")
        self.sum.setText(f"{head}\n{line}")


def _table(values: np.ndarray, before: np.ndarray | None) -> QTableWidget:
    rows, columns = values.shape
    table = QTableWidget(rows, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    for header, size in ((table.horizontalHeader(), CELL), (table.verticalHeader(), ROW)):
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setMinimumSectionSize(12)
        header.setDefaultSectionSize(size)
    table.horizontalHeader().setVisible(False)
    table.verticalHeader().setVisible(False)
    changed = np.zeros(values.shape, bool) if before is None else ~np.isclose(values, before, rtol=0, atol=1e-6)
    for y in range(rows):
        for x in range(columns):
            item = QTableWidgetItem(text(float(values[y, x])))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setData(CHANGED_ROLE, bool(changed[y, x]))
            if changed[y, x]:
                item.setBackground(QBrush(CHANGED))
            table.setItem(y, x, item)
    frame = 2 * table.frameWidth()
    table.setFixedSize(columns * CELL + frame, rows * ROW + frame)
    return table
