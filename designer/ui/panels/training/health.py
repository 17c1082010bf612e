"""Network health while it trains: per layer, the ReLU units that never fire, the size of the
weight updates and the activation histograms over epochs, with plain-language warnings.

The numbers come from ``designer.ml.training.health`` (a probe between epochs, in the
training thread); this dock only shows the reports the training panel passes on.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from designer.ml.training import events

HEALTHY = QT_TRANSLATE_NOOP("HealthPanel", "No warnings: every layer is learning and its units fire.")


class HealthPanel(QWidget):
    """The latest health report, and each layer's activation histograms epoch by epoch."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("healthPanel")
        self.reports: list = []
        self.warnings = QLabel(self.tr("Train the model to see its health here, epoch by epoch."))
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Layer"), self.tr("Type"), self.tr("Never fire"),
                                              self.tr("Update / weight")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeaderItem(2).setToolTip(self.tr("Share of a ReLU's units that output 0 for every "
                                                              "held-out sample probed"))
        self.table.horizontalHeaderItem(3).setToolTip(self.tr("How far the weights moved this epoch, relative to "
                                                              "their size"))
        self.layer_choice = QComboBox()
        self.layer_choice.setToolTip(self.tr("The layer whose output values are shown, one curve per epoch"))
        self.layer_choice.currentTextChanged.connect(lambda _: self.draw_histograms())
        self.plot = pg.PlotWidget(background="w")
        self.plot.setLabel("bottom", self.tr("output value"))
        self.plot.setLabel("left", self.tr("count"))
        self.plot.addLegend(offset=(-10, 10))
        right = QVBoxLayout()
        right.addWidget(self.layer_choice)
        right.addWidget(self.plot, 1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.warnings)
        layout.addLayout(body, 1)

    def on_event(self, event) -> None:
        """Every event of a run, from the training panel; a new run starts afresh."""
        if isinstance(event, events.Started):
            self.reports = []
            self.table.setRowCount(0)
            self.layer_choice.clear()
            self.plot.clear()
            self.warnings.setText(self.tr("Training: the first report comes after the first epoch."))
        elif isinstance(event, events.HealthReport):
            self.show_report(event)

    def show_report(self, report) -> None:
        self.reports.append(report)
        dead = [layer for layer in report.layers if layer.dead]
        calm = self.tr(HEALTHY) if not dead else self.tr(
            "No warnings. Some units never fire on the held-out set ({layers}): fewer than half of any layer, "
            "see the table.").format(layers=", ".join(f"{layer.name} {layer.dead:.0%}" for layer in dead))
        self.warnings.setText(self.tr("After epoch {epoch}:").format(epoch=report.epoch) + "\n"
                              + ("\n".join("⚠ " + w for w in report.warnings) or calm))
        self.warnings.setStyleSheet("color: #b71c1c" if report.warnings else "color: #2e7d32")
        self.table.setRowCount(len(report.layers))
        for row, layer in enumerate(report.layers):
            dead = "" if layer.dead is None else f"{layer.dead:.0%}"
            update = "" if layer.update is None else f"{layer.update:.1e}"
            for col, text in enumerate((layer.name, layer.type, dead, update)):
                item = QTableWidgetItem(text)
                if col == 2 and layer.dead is not None and layer.dead >= 0.5:
                    item.setForeground(QColor("#b71c1c"))
                self.table.setItem(row, col, item)
        names = [layer.name for layer in report.layers]
        if [self.layer_choice.itemText(i) for i in range(self.layer_choice.count())] != names:
            chosen = self.layer_choice.currentText()
            self.layer_choice.blockSignals(True)
            self.layer_choice.clear()
            self.layer_choice.addItems(names)
            relu = next((layer.name for layer in report.layers if layer.type == "ReLU"), names[0] if names else "")
            self.layer_choice.setCurrentText(chosen if chosen in names else relu)
            self.layer_choice.blockSignals(False)
        self.draw_histograms()

    def histograms(self, name: str) -> list[tuple[int, list[float], list[int]]]:
        """(epoch, bin centres, counts) of one layer for every report so far."""
        out = []
        for report in self.reports:
            layer = next((item for item in report.layers if item.name == name), None)
            if layer is not None and layer.counts:
                width = (layer.high - layer.low) / len(layer.counts) or 1.0
                out.append((report.epoch, [layer.low + (i + 0.5) * width for i in range(len(layer.counts))],
                            layer.counts))
        return out

    def draw_histograms(self) -> None:
        self.plot.clear()
        curves = self.histograms(self.layer_choice.currentText())
        for index, (epoch, centres, counts) in enumerate(curves):
            shade = 0.25 + 0.75 * (index + 1) / len(curves)  # later epochs darker
            colour = QColor.fromRgbF(0.12 * shade, 0.47 * shade, 0.71, 0.35 + 0.65 * shade)
            self.plot.plot(centres, counts, pen=pg.mkPen(colour, width=2), name=self.tr("epoch {epoch}").format(epoch=epoch))


def install(window) -> None:
    """Dock the health view at the bottom; it follows the training panel's runs."""
    from designer.ui.panels.training.panel import TrainingPanel

    panel = HealthPanel()
    training = window.findChild(TrainingPanel)
    if training is not None:
        training.run_event.connect(panel.on_event)
    window.add_dock("Health", panel, Qt.DockWidgetArea.BottomDockWidgetArea)
