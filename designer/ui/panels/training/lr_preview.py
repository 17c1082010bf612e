"""The learning rate planned for the whole run, drawn (dashed) on the Training panel's learning-rate plot.

Redrawn a moment after the schedule, learning rate, epochs, batch size or
dataset change, on a pool thread (``designer.ml.data.preview.planned_rates``: the
run's own schedulers). It stays during the run, under the rates the run reports.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer, Signal

from designer.core.datasets import TRAIN_SAMPLES
from designer.core.training import ConfigError
from designer.ui.background import Latest

DELAY_MS = 200


class LrPreview(QObject):
    """The planned curve of ``panel``'s learning rate."""

    shown = Signal()

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.curve = panel.curves.lr_plot.plot(pen=pg.mkPen("#2ca02c", width=1, style=Qt.PenStyle.DashLine),
                                               name=self.tr("planned"))
        self._latest = Latest(self)  # the newest settings win
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        for signal in (panel.options.changed, panel.epochs.valueChanged, panel.batch_size.valueChanged,
                       panel.lr.textChanged, panel.dataset.currentTextChanged, panel.folder.scanned):
            signal.connect(lambda *_: self._timer.start())
        self._timer.start()

    def refresh(self) -> None:
        self._latest.request(self._prepare, self._arrived)

    def _prepare(self):
        panel = self.panel
        try:
            config = panel.config()
        except ConfigError:
            self.curve.setData([], [])  # e.g. a learning rate being typed: no plan to show
            self.shown.emit()
            return None
        if panel._folder_chosen():
            if panel.folder.layout_info is None:
                return None
            samples = len(panel.folder.layout_info.train)
        else:
            samples = TRAIN_SAMPLES.get(config.dataset, 0)

        def work():
            from designer.ml.data.preview import planned_rates

            return planned_rates(config, samples)

        return work

    def _arrived(self, found) -> None:
        self.curve.setData(*found)
        self.shown.emit()
