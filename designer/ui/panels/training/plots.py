"""The Training panel's live curves and confusion matrix (pyqtgraph).

Events only append to Python lists; ``redraw`` (called by the panel's timer)
hands the lists to the curves that changed. Painting a plot holds the GIL the
training thread also needs, so fewer, batched repaints keep both fast.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget

SMOOTHING = 0.9  # exponential moving average of the batch loss
NARROW = 520  # below this width the runs stand above their curves, so the plots' titles are not cut off
MIN_PLOT = 80  # a plot's least height: the curves tab fits a laptop's dock under Start and Stop
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


class TrainingCurves(QTabWidget):
    """Tabs: the curves (batch and per-epoch loss, accuracy) and the steps (learning rate, gradient norm per
    layer); the confusion matrix is kept for the Mistakes tab."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.redraws = 0
        self.grad_curves: dict[str, pg.PlotDataItem] = {}
        step, epoch, training, held_out = self.tr("step"), self.tr("epoch"), self.tr("training"), self.tr("held-out")
        self.loss_plot = _plot(self.tr("Batch loss"), step)
        self.raw_curve = self.loss_plot.plot(pen=pg.mkPen("#9bbbd6", width=1), name=self.tr("batch"))
        self.smooth_curve = self.loss_plot.plot(pen=pg.mkPen("#1f77b4", width=2), name=self.tr("smoothed"))
        self.lr_plot = _plot(self.tr("Learning rate"), step)
        self.lr_curve = self.lr_plot.plot(pen=pg.mkPen(COLORS[2], width=2), name=self.tr("learning rate"))
        self.epoch_plot = _plot(self.tr("Loss per epoch"), epoch)
        self.train_loss_curve = self.epoch_plot.plot(pen=pg.mkPen(COLORS[0], width=2), symbol="o", name=training)
        self.val_loss_curve = self.epoch_plot.plot(pen=pg.mkPen(COLORS[1], width=2), symbol="s", name=held_out)
        self.acc_plot = _plot(self.tr("Accuracy"), epoch)
        self.acc_plot.setYRange(0, 1)
        self.train_acc_curve = self.acc_plot.plot(pen=pg.mkPen(COLORS[0], width=2), symbol="o", name=training)
        self.val_acc_curve = self.acc_plot.plot(pen=pg.mkPen(COLORS[1], width=2), symbol="s", name=held_out)
        self.grad_plot = _plot(self.tr("Gradient norm per layer"), step)
        self.grad_plot.setLogMode(y=True)
        self.grad_plot.setMinimumHeight(MIN_PLOT)
        curves = QWidget()
        grid = QGridLayout(curves)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.loss_plot, 0, 0, 1, 2)  # the batch loss, the curve a learner watches, full width
        grid.addWidget(self.epoch_plot, 1, 0)
        grid.addWidget(self.acc_plot, 1, 1)
        steps = QWidget()  # what each step does: its learning rate and each layer's gradient
        column = QVBoxLayout(steps)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.lr_plot, 1)
        column.addWidget(self.grad_plot, 2)
        self.addTab(curves, self.tr("Curves"))
        self.addTab(steps, self.tr("Gradients"))
        self.confusion = QTableWidget(0, 0)  # shown in the Mistakes tab (runs.HistoryTabs)
        self.confusion.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.confusion.setToolTip(self.tr("Rows: the true class. Columns: what the model answered (held-out set)."))
        self.tabBar().installEventFilter(self)  # the wheel scrolls the dock, it does not flip tabs
        self.clear()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is self.tabBar() and event.type() == QEvent.Type.Wheel:
            event.ignore()
            return True
        return super().eventFilter(watched, event)

    def clear(self) -> None:
        self.steps: list[int] = []
        self.losses: list[float] = []
        self.smoothed: list[float] = []
        self.lrs: list[float] = []  # the learning rate of every batch, beside its loss
        self._ema: float | None = None
        self.grads: dict[str, tuple[list, list]] = {}
        self.epochs = {"train_loss": [], "val_loss": [], "train_acc": [], "val_acc": []}
        for curve in self.grad_curves.values():
            self.grad_plot.removeItem(curve)
        self.grad_curves.clear()
        self.confusion.clear()
        self.confusion.setRowCount(0)
        self.confusion.setColumnCount(0)
        self._dirty = {"batch", "epoch"}
        self.redraw()

    def add_batches(self, event) -> None:
        """Record a BatchEnd: every batch loss since the previous one, and the gradient norms."""
        first = event.step - len(event.losses) + 1
        for i, value in enumerate(event.losses):
            self.steps.append(first + i)
            self.losses.append(value)
            self._ema = value if self._ema is None else SMOOTHING * self._ema + (1 - SMOOTHING) * value
            self.smoothed.append(self._ema)
        self.lrs.extend(event.lrs[-len(event.losses):] if event.lrs else [])
        for name, norm in event.grad_norms.items():
            steps, values = self.grads.setdefault(name, ([], []))
            steps.append(event.step)
            values.append(max(norm, 1e-12))  # log axis
        self._dirty.add("batch")

    def add_epoch(self, event) -> None:
        for key in self.epochs:
            self.epochs[key].append(getattr(event, key))
        self._dirty.add("epoch")

    def redraw(self) -> bool:
        """Give the changed curves their data; False when nothing changed."""
        if not self._dirty:
            return False
        self.redraws += 1
        if "batch" in self._dirty:
            self.raw_curve.setData(self.steps, self.losses)
            self.smooth_curve.setData(self.steps, self.smoothed)
            self.lr_curve.setData(self.steps[:len(self.lrs)], self.lrs)
            for i, (name, (steps, values)) in enumerate(self.grads.items()):
                curve = self.grad_curves.get(name)
                if curve is None:
                    curve = self.grad_plot.plot(pen=pg.mkPen(COLORS[i % len(COLORS)], width=2), name=name)
                    self.grad_curves[name] = curve
                curve.setData(steps, values)
        if "epoch" in self._dirty:
            epochs = list(range(1, len(self.epochs["train_loss"]) + 1))
            self.train_loss_curve.setData(epochs, self.epochs["train_loss"])
            self.val_loss_curve.setData(epochs, self.epochs["val_loss"])
            self.train_acc_curve.setData(epochs, self.epochs["train_acc"])
            self.val_acc_curve.setData(epochs, self.epochs["val_acc"])
        self._dirty = set()
        return True

    def show_confusion(self, matrix: list[list[int]], classes: list[str]) -> None:
        """Counts per (true, answered) class; green diagonal, red where the model confuses classes."""
        table = self.confusion
        table.setRowCount(len(matrix))
        table.setColumnCount(len(matrix))
        table.setVerticalHeaderLabels([self.tr("true {name}").format(name=c) for c in classes])
        table.setHorizontalHeaderLabels(classes)
        for row, counts in enumerate(matrix):
            total = max(sum(counts), 1)
            for col, count in enumerate(counts):
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                good = row == col
                strength = min(1.0, count / total * (1 if good else 4))  # mistakes show up even when few
                item.setBackground(QColor.fromHsvF(0.33 if good else 0.0, 0.6 * strength, 1.0))
                item.setToolTip(self.tr("{count} of {total} held-out '{true}' answered as '{answer}'").format(
                    count=count, total=total, true=classes[row], answer=classes[col]))
                table.setItem(row, col, item)
        table.resizeColumnsToContents()  # the tab the user looks at stays: the matrix waits in Mistakes


def _plot(title: str, x_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(title=title)
    plot.setBackground("w")
    plot.addLegend(offset=(-10, 10))
    plot.setLabel("bottom", x_label)
    plot.showGrid(x=True, y=True, alpha=0.3)
    plot.setMinimumHeight(MIN_PLOT)
    return plot
