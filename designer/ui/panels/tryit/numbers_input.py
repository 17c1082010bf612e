"""Try it for a tiny Input (up to 8×8, as the tutorial's examples): the input as numbers, one table per channel.

Each cell is one value of the input tensor; type a number (Enter or an arrow
key moves on), or fill it all with ``random`` (a standard normal, as
``torch.randn``) or ``zeros``. The model runs on exactly these values, without
the drawing pad's conversion (``Numbers``, run by ``tryout.Tryout`` off the UI
thread like a drawing).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

SMALL = 8  # an Input whose height and width are at most this is typed as numbers
CELL = 52  # pixels per cell: "-1.23" fits


def is_small(shape) -> bool:
    """True for an Input shown as numbers: ``[C, H, W]`` or ``[H, W]`` up to 8×8 (≤ 4 channels), or ``[F]`` ≤ 8."""
    shape = tuple(int(s) for s in shape or ())
    if len(shape) == 1:
        return 0 < shape[0] <= SMALL
    if len(shape) == 2:
        return 0 < shape[0] <= SMALL and 0 < shape[1] <= SMALL
    return len(shape) == 3 and 0 < shape[0] <= 4 and 0 < shape[1] <= SMALL and 0 < shape[2] <= SMALL


@dataclass
class Numbers:
    """A raw input for the model: ``values`` has the Input's shape (no batch dimension)."""

    values: np.ndarray


def text(value: float) -> str:
    """A value as the tables show it: two decimals, as the tutorial's printouts round them."""
    return f"{value:.2f}"


class NumbersInput(QWidget):
    """One editable table per channel; ``changed`` after each edit, with ``values()`` the whole tensor."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.shape: tuple[int, ...] = ()
        self._values = np.zeros((0,), np.float32)
        self.tables: list[QTableWidget] = []
        self._filling = False
        self.random_button = QPushButton(self.tr("random"))
        self.random_button.setToolTip(self.tr("Fill the input with random numbers (a standard normal, as "
                                              "torch.randn)"))
        self.zeros_button = QPushButton(self.tr("zeros"))
        self.zeros_button.setToolTip(self.tr("Set every input value to 0"))
        self.random_button.clicked.connect(self.randomise)
        self.zeros_button.clicked.connect(lambda: self.set_values(np.zeros(self.shape, np.float32)))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.row = QHBoxLayout()
        buttons = QHBoxLayout()
        buttons.addWidget(self.random_button)
        buttons.addWidget(self.zeros_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.note)
        layout.addLayout(self.row)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._rng = np.random.default_rng(0)  # the same first "random" every session: a class can compare

    def set_shape(self, shape) -> None:
        """Tables for an Input of ``shape``; the values start at zero (kept where the shape did not change)."""
        shape = tuple(int(s) for s in shape)
        if shape == self.shape:
            return
        self.shape = shape
        for table in self.tables:
            self.row.removeWidget(table)
            table.deleteLater()
        planes = self._planes(shape)
        self.tables = [self._table(*planes[1:], channel) for channel in range(planes[0])]
        for table in self.tables:
            self.row.addWidget(table, 0, Qt.AlignmentFlag.AlignTop)
        self.row.addStretch(1)
        self.note.setText(self.tr("The Input's {shape} values, one table per channel: type a number, "
                                  "arrow keys move.").format(shape=" × ".join(map(str, shape))))
        self.set_values(np.zeros(shape, np.float32))

    def values(self) -> np.ndarray:
        return self._values.copy()

    def set_values(self, values: np.ndarray) -> None:
        self._values = np.asarray(values, np.float32).reshape(self.shape).copy()
        planes = self._values.reshape(self._planes(self.shape))
        self._filling = True
        for channel, table in enumerate(self.tables):
            for y in range(table.rowCount()):
                for x in range(table.columnCount()):
                    table.item(y, x).setText(text(float(planes[channel, y, x])))
        self._filling = False
        self.changed.emit()

    def randomise(self) -> None:
        self.set_values(np.round(self._rng.standard_normal(self.shape), 2))

    def _table(self, rows: int, columns: int, channel: int) -> QTableWidget:
        table = QTableWidget(rows, columns)
        table.setObjectName(f"channel{channel}")
        table.setToolTip(self.tr("Channel {channel}").format(channel=channel))
        for header in (table.horizontalHeader(), table.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setDefaultSectionSize(CELL if header is table.horizontalHeader() else 24)
            header.setMinimumSectionSize(16)
        table.setHorizontalHeaderLabels([str(x) for x in range(columns)])
        table.setVerticalHeaderLabels([str(y) for y in range(rows)])
        table.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                              | QAbstractItemView.EditTrigger.DoubleClicked
                              | QAbstractItemView.EditTrigger.EditKeyPressed)
        for y in range(rows):
            for x in range(columns):
                item = QTableWidgetItem("0.00")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(y, x, item)
        frame = 2 * table.frameWidth()
        table.setFixedSize(table.verticalHeader().width() + columns * CELL + frame + 24,
                           table.horizontalHeader().height() + rows * 24 + frame + 24)
        table.itemChanged.connect(lambda item, c=channel: self._edited(c, item))
        return table

    def _edited(self, channel: int, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        planes = self._values.reshape(self._planes(self.shape))
        y, x = item.row(), item.column()
        try:
            value = float(item.text().replace(",", ".").replace("−", "-"))
            if not math.isfinite(value):
                raise ValueError(value)
        except ValueError:  # not a number: the cell keeps its value
            self._filling = True
            item.setText(text(float(planes[channel, y, x])))
            self._filling = False
            return
        planes[channel, y, x] = value
        self._filling = True
        item.setText(text(value))  # shown as every other value is
        self._filling = False
        self.changed.emit()

    @staticmethod
    def _planes(shape) -> tuple[int, int, int]:
        """``shape`` seen as (channels, rows, columns): ``[F]`` is one row, ``[H, W]`` one channel."""
        if len(shape) == 1:
            return 1, 1, shape[0]
        if len(shape) == 2:
            return 1, shape[0], shape[1]
        return shape[0], shape[1], shape[2]



def evaluate(numbers: Numbers, model, shape, path, graph) -> dict | None:
    """On a worker thread: run ``model`` on the typed values as they are.

    The fields of the ``tryout.Result`` (tensor, layers, probs, model_ms); None when the values were typed
    for an Input that has changed since.
    """
    import time

    import torch

    from designer.ml.explain.inside import capture, probabilities

    if tuple(numbers.values.shape) != tuple(int(s) for s in shape):
        return None
    tensor = torch.from_numpy(np.ascontiguousarray(numbers.values, np.float32)).reshape(1, *numbers.values.shape)
    fields = {"tensor": tensor}
    if model is not None:
        start = time.perf_counter()
        out, fields["layers"] = capture(model, tensor, path, graph)
        fields["probs"] = probabilities(out.reshape(1, -1))[0].numpy()
        fields["model_ms"] = (time.perf_counter() - start) * 1000
    return fields
