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
    last = health.reports[-1]
    said = "\n".join("⚠ " + warning for warning in last.warnings) or HEALTHY
    assert health.warnings.text() == "After epoch 3:\n" + said  # the last report's warnings, or that there are none
    curves = health.histograms(health.layer_choice.currentText())
    assert [epoch for epoch, _, _ in curves] == [1, 2, 3]
    assert len(health.plot.getPlotItem().listDataItems()) == 3  # one curve per epoch


def test_a_report_with_warnings_lists_each_one_in_red(qtbot):
    import dataclasses

    from designer.ml.training.health import HealthReport

    health = HealthPanel()
    qtbot.addWidget(health)
    health.on_event(HealthReport(epoch=2, layers=[], warnings=["relu1: 80% of its units never fire",
                                                               "fc2 barely learns"]))
    assert health.warnings.text() == "After epoch 2:\n⚠ relu1: 80% of its units never fire\n⚠ fc2 barely learns"
    assert "#b71c1c" in health.warnings.styleSheet()
    health.on_event(dataclasses.replace(health.reports[-1], epoch=3, warnings=[]))
    assert health.warnings.text() == "After epoch 3:\n" + HEALTHY and "#2e7d32" in health.warnings.styleSheet()


def test_every_unit_fires_is_never_said_beside_layers_with_units_that_never_fire(qtbot):
    from designer.ml.training.events import HealthReport, LayerHealth

    health = HealthPanel()
    qtbot.addWidget(health)
    layers = [LayerHealth("relu1", "ReLU", counts=[1], low=0.0, high=1.0, dead=0.37),
              LayerHealth("relu2", "ReLU", counts=[1], low=0.0, high=1.0, dead=0.21),
              LayerHealth("fc", "Linear", counts=[1], low=0.0, high=1.0, update=0.01)]
    health.show_report(HealthReport(4, layers, []))
    text = health.warnings.text()
    assert HEALTHY not in text and "fire" in text and "relu1 37%" in text and "relu2 21%" in text
    health.show_report(HealthReport(5, [layers[2]], []))
    assert HEALTHY in health.warnings.text()
