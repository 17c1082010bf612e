"""The Health dock follows a real training run from the training panel."""

from PySide6.QtCore import Qt

from designer.ui.document import Document
from designer.ui.panels.training.health import HEALTHY, HealthPanel
from designer.ui.panels.training.panel import TrainingPanel
from tests.ui.training.test_training_panel import linear_project


def test_health_reports_arrive_epoch_by_epoch(qtbot):
    training = TrainingPanel(Document(linear_project()))
    health = HealthPanel()
    training.run_event.connect(health.on_event)
    for widget in (training, health):
        qtbot.addWidget(widget)
        widget.show()
    try:
        with qtbot.waitSignal(training.run_ended, timeout=60000):
            qtbot.mouseClick(training.start_button, Qt.MouseButton.LeftButton)
    finally:
        if training.run is not None:
            training.run.stop(wait_ms=5000)
    assert [r.epoch for r in health.reports] == [1, 2, 3]
    rows = [health.table.item(r, 0).text() for r in range(health.table.rowCount())]
    assert rows == [layer.name for layer in health.reports[-1].layers] and "fc" in rows
    fc = rows.index("fc")
    assert float(health.table.item(fc, 3).text()) > 0  # the weights moved
    text = health.warnings.text()
    assert text.startswith("After epoch 3:") and (HEALTHY in text or "⚠" in text)
    curves = health.histograms(health.layer_choice.currentText())
    assert [epoch for epoch, _, _ in curves] == [1, 2, 3]
    assert len(health.plot.getPlotItem().listDataItems()) == 3  # one curve per epoch
