"""The Training dock driven like a user: Start, watch, Pause, Stop, a diverging run, the lock."""
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from designer.core import project as projects
from designer.ui.document import Document, EditLocked
from designer.ui.panels.training.panel import FOLDER_ITEM, TrainingPanel
from tests.ui.conftest import saving

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "designer" / "resources" / "examples"
torch.set_num_threads(1)  # the machine is shared; one thread is the fastest there


def linear_project() -> projects.Project:
    """Flatten -> Linear: trains an epoch of mnist-5k in a fraction of a second."""
    project = projects.Project(name="tiny")
    graph = project.graph
    graph.add_node("Input", {"shape": [1, 28, 28]}, None, (0, 0), "input")
    graph.add_node("Flatten", {}, None, (180, 0), "n1")
    graph.add_node("Linear", {"in_features": 784, "out_features": 10}, "fc", (360, 0), "n2")
    graph.connect("input", "n1")
    graph.connect("n1", "n2")
    project.training = {"epochs": 3, "batch_size": 256, "optimizer": "Adam", "lr": 0.01}
    return project


@pytest.fixture
def panel(qtbot):
    document = Document(linear_project())
    widget = TrainingPanel(document)
    qtbot.addWidget(widget)
    widget.show()
    yield widget
    if widget.run is not None:
        widget.run.stop(wait_ms=5000)


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def record(panel):
    seen = []
    panel.run_started.connect(lambda: seen.append("run_started"))
    panel.run_finished.connect(lambda e: seen.append("run_finished"))
    panel.run_failed.connect(lambda m: seen.append("run_failed"))
    panel.run_ended.connect(lambda: seen.append("run_ended"))
    return seen


def test_settings_come_from_the_project(panel):
    assert panel.epochs.value() == 3 and panel.batch_size.value() == 256
    assert panel.optimizer.currentText() == "Adam" and panel.lr.text() == "0.01"
    assert panel.dataset.currentText() == "mnist-5k" and panel.device.currentText() == "cpu"
    assert not panel.momentum.isEnabled()
    panel.optimizer.setCurrentText("SGD")
    assert panel.momentum.isEnabled() and panel.nesterov.isEnabled()
    assert not panel.pause_button.isEnabled() and not panel.stop_button.isEnabled()


def test_the_form_offers_exactly_what_the_settings_model_allows(qtbot):
    """Before, the form clamped settings that the file allowed (epochs above 10,000, batches above 65,536)."""
    from designer.core.training import SETTINGS

    project = linear_project()
    project.training = {"epochs": 100_000, "batch_size": 1 << 20, "optimizer": "SGD", "momentum": 0.999,
                        "seed": 2**31 - 1, "init": "xavier", "loss": "NLLLoss"}
    panel = TrainingPanel(Document(project))
    qtbot.addWidget(panel)
    assert (panel.epochs.value(), panel.batch_size.value(), panel.seed.value()) == (100_000, 1 << 20, 2**31 - 1)
    assert panel.momentum.value() == 0.999 and panel.init.currentText() == "xavier"
    for key, box in [("epochs", panel.epochs), ("batch_size", panel.batch_size), ("seed", panel.seed)]:
        assert (box.minimum(), box.maximum()) == (SETTINGS[key].low, SETTINGS[key].high)
    for key, box in [("optimizer", panel.optimizer), ("loss", panel.loss)]:
        assert [box.itemText(i) for i in range(box.count())] == list(SETTINGS[key].options)
    datasets = [panel.dataset.itemText(i) for i in range(panel.dataset.count())]
    assert datasets == [*SETTINGS["dataset"].options, FOLDER_ITEM]  # and folder:PATH, chosen below the list
    assert [panel.init.itemText(i) for i in range(panel.init.count())] == ["default", "kaiming", "xavier"]
    panel.epochs.clear()
    qtbot.keyClicks(panel.epochs, "200000")  # a spin box refuses what the model refuses
    assert panel.epochs.value() <= SETTINGS["epochs"].high
    config = panel.config()
    assert (config.batch_size, config.momentum, config.loss, config.init) == (1 << 20, 0.999, "NLLLoss", "xavier")


def test_start_trains_locks_the_model_and_hands_over_the_weights(panel, qtbot):
    document = panel.document
    seen = record(panel)
    run_events = []
    panel.run_event.connect(lambda event: run_events.append(type(event).__name__))
    with qtbot.waitSignal(panel.run_started, timeout=1000):
        click(qtbot, panel.start_button)
    assert document.locked and "training" in document.lock_reason
    with pytest.raises(EditLocked):
        document.add_node("ReLU")
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    assert not panel.settings.isEnabled()
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        pass
    assert seen == ["run_started", "run_finished", "run_ended"]
    # The run's events arrive in order: status texts, started, then batches and epochs, then finished.
    events = [name for name in run_events if name not in ("str", "Mistakes")]
    assert run_events[-2:] == ["Mistakes", "Finished"]  # the held-out samples it gets wrong, for the Mistakes tab
    assert events[0] == "Started" and events[-1] == "Finished"
    assert events.count("EpochEnd") == 3 and events[-3:-1] == ["EpochEnd", "HealthReport"] and "BatchEnd" in events
    assert events.count("HealthReport") == 3  # each epoch's health report follows it
    assert run_events.index("str") < run_events.index("Started")  # "Loading mnist-5k…" first
    steps = panel.curves.steps
    assert steps == list(range(1, len(steps) + 1)) and len(steps) == 3 * 18  # every batch, in order
    assert panel.curves.smoothed[-1] < panel.curves.smoothed[0]  # the loss went down
    assert not document.locked and panel.start_button.isEnabled()
    assert document.weights is not None and set(document.weights) == {"fc.weight", "fc.bias"}
    assert document.modified  # closing now asks to save the trained weights
    assert "best held-out accuracy" in panel.message.text()
    counts = [[int(panel.curves.confusion.item(r, c).text()) for c in range(10)] for r in range(10)]
    assert sum(map(sum, counts)) == 500 and sum(counts[i][i] for i in range(10)) > 400
    assert panel.progress.value() == panel.progress.maximum() == 54
    document.add_node("ReLU")  # editable again


def test_plot_redraws_are_throttled(panel, qtbot):
    panel.epochs.setValue(4)
    panel.batch_size.setValue(16)  # many small batches: far more events than redraws
    start = time.perf_counter()
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        click(qtbot, panel.start_button)
    elapsed = time.perf_counter() - start
    assert len(panel.curves.steps) == 4 * 282
    assert panel.curves.redraws <= 30 * elapsed + 3


def test_stop_ends_the_run(panel, qtbot):
    panel.epochs.setValue(10_000)
    with qtbot.waitSignal(panel.run_started, timeout=1000):
        click(qtbot, panel.start_button)
    qtbot.waitUntil(lambda: len(panel.curves.steps) > 0, timeout=30000)
    with qtbot.waitSignal(panel.run_ended, timeout=5000):  # stop is honoured at the next batch
        click(qtbot, panel.stop_button)
    assert not panel.document.locked and panel.start_button.isEnabled()


def test_pause_holds_and_resume_carries_on(panel, qtbot):
    panel.epochs.setValue(10_000)
    click(qtbot, panel.start_button)
    qtbot.waitUntil(lambda: len(panel.curves.steps) > 0, timeout=30000)
    click(qtbot, panel.pause_button)
    assert panel.pause_button.text() == "Resume" and "Paused" in panel.message.text()
    assert panel.run.control.paused and panel.document.locked
    click(qtbot, panel.pause_button)
    assert panel.pause_button.text() == "Pause" and not panel.run.control.paused
    count = len(panel.curves.steps)
    qtbot.waitUntil(lambda: len(panel.curves.steps) > count, timeout=30000)
    with qtbot.waitSignal(panel.run_ended, timeout=5000):
        click(qtbot, panel.stop_button)


def test_a_huge_learning_rate_stops_with_advice_and_the_app_stays_usable(qtbot):
    document = Document(projects.load(EXAMPLES / "lenet-28.netproj.json"))
    panel = TrainingPanel(document)
    qtbot.addWidget(panel)
    panel.optimizer.setCurrentText("SGD")
    panel.lr.clear()
    qtbot.keyClicks(panel.lr, "1e6")
    with qtbot.waitSignal(panel.run_failed, timeout=60000) as failed:
        click(qtbot, panel.start_button)
    message = failed.args[0]
    assert "learning rate" in message and "smaller" in message and "step" in message
    qtbot.waitUntil(lambda: panel.run is None, timeout=5000)
    assert panel.message.text() == message and not document.locked and document.weights is None
    assert document.project.training["lr"] == 1e6  # the settings a run used are kept, as for any run
    # Usable again: a sensible learning rate trains.
    panel.lr.setText("0.01")
    panel.epochs.setValue(1)
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        click(qtbot, panel.start_button)
    assert document.weights is not None


def test_bad_settings_and_an_invalid_model_are_refused_with_a_reason(panel, qtbot):
    panel.lr.setText("fast")
    click(qtbot, panel.start_button)
    assert panel.run is None and "lr" in panel.message.text() and "not a number" in panel.message.text()
    panel.lr.setText("0.01")
    panel.document.set_param("n2", "in_features", 100)
    click(qtbot, panel.start_button)
    assert panel.run is None and "problems" in panel.message.text()
    assert not panel.document.locked


def test_settings_used_are_saved_with_the_project(panel, qtbot):
    panel.epochs.setValue(1)
    panel.seed.setValue(42)
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        click(qtbot, panel.start_button)
    training = panel.document.project.training
    assert training["epochs"] == 1 and training["seed"] == 42 and training["batch_size"] == 256


def test_the_panel_does_not_import_torch():
    code = ("import sys; import designer.ui.panels.training.panel; "
            "assert 'torch' not in sys.modules, 'torch imported'; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr


def test_in_the_window_trained_weights_are_saved_and_come_back_on_open(window, qtbot, tmp_path):
    from designer.ui.main_window import MainWindow

    window.document.set_project(linear_project())
    panel = window.training_panel
    assert panel.document is window.document and panel.epochs.value() == 3
    panel.epochs.setValue(1)
    with qtbot.waitSignal(panel.run_started, timeout=1000):
        click(qtbot, panel.start_button)
    assert "locked" in window.statusBar().currentMessage() and "training" in window.statusBar().currentMessage()
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        pass
    assert "Editing is locked" not in window.statusBar().currentMessage()
    trained = window.document.weights
    assert trained is not None and window.document.modified  # closing would ask to save them
    target = tmp_path / "tiny.netproj.json"
    window.document.set_path(target)
    with saving(qtbot, window):
        window.findChild(QAction, "action_save").trigger()
    assert (tmp_path / "tiny.pt").exists()

    other = MainWindow()
    qtbot.addWidget(other)
    other.open_file(target)
    qtbot.waitUntil(lambda: other.document.weights is not None, timeout=10000)
    assert all(torch.equal(other.document.weights[k], trained[k]) for k in trained)
    assert other.training_panel.epochs.value() == 1  # the settings used were saved too
    other.document.mark_saved()


def test_opening_another_project_stops_the_run_and_drops_its_weights(panel, qtbot):
    panel.epochs.setValue(10_000)
    click(qtbot, panel.start_button)
    qtbot.waitUntil(lambda: len(panel.curves.steps) > 0, timeout=30000)
    with qtbot.waitSignal(panel.run_ended, timeout=5000):
        panel.document.set_project(linear_project())
    assert panel.document.weights is None and not panel.document.locked
    assert panel.curves.steps == [] and panel.curves.confusion.rowCount() == 0


def test_a_run_that_fails_in_epoch_2_keeps_the_best_weights_and_says_so(panel, qtbot, monkeypatch):
    import designer.ml.training.loop as loop

    real, calls = loop.loss_function, [0]

    def becomes_nan_in_epoch_2(name, num_classes):
        loss = real(name, num_classes)

        def patched(out, y):
            if torch.is_grad_enabled():  # a training batch, not the held-out evaluation
                calls[0] += 1
                if calls[0] > 18:  # 4,500 samples in batches of 256: 18 an epoch
                    return loss(out, y) * float("nan")
            return loss(out, y)
        return patched

    monkeypatch.setattr(loop, "loss_function", becomes_nan_in_epoch_2)
    with qtbot.waitSignal(panel.run_failed, timeout=60000) as failed:
        click(qtbot, panel.start_button)
    qtbot.waitUntil(lambda: panel.run is None, timeout=5000)
    assert "The loss became NaN" in failed.args[0] and "epoch 2" in failed.args[0]
    text = panel.message.text()
    assert text.startswith(failed.args[0])
    assert "The best weights before the failure (epoch 1, held-out accuracy" in text and "Save keeps them" in text
    assert panel.progress_label.text() == "Failed; the best weights so far are kept"
    weights = panel.document.weights
    assert weights is not None and set(weights) == {"fc.weight", "fc.bias"}
    assert all(torch.isfinite(v).all() for v in weights.values()) and panel.document.modified
    assert not panel.document.locked and panel.start_button.isEnabled()


def test_an_edited_learning_rate_is_the_projects_at_once_saved_without_start(window, qtbot, tmp_path, monkeypatch):
    """Before, the form kept its own copy until Start: Save, reopen → the old learning rate."""
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QFileDialog

    from designer.ui.main_window import MainWindow

    target = tmp_path / "tiny.netproj.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.document.set_project(linear_project())
    save = window.findChild(QAction, "action_save")
    with saving(qtbot, window):
        save.trigger()
    assert target.exists() and not window.isWindowModified()

    panel = window.training_panel
    panel.lr.selectAll()
    qtbot.keyClicks(panel.lr, "0.05")
    panel.epochs.setValue(7)
    assert window.isWindowModified()  # the title shows it right after the edit
    assert window.document.project.training["lr"] == 0.05  # what export and the CLI read
    with saving(qtbot, window):
        save.trigger()
    assert not window.isWindowModified() and panel.run is None

    other = MainWindow()
    qtbot.addWidget(other)
    assert other.open_file(target)
    assert other.document.project.training["lr"] == 0.05 and other.document.project.training["epochs"] == 7
    assert other.training_panel.lr.text() == "0.05" and not other.document.modified


def test_a_setting_being_typed_is_named_and_the_project_keeps_its_last_usable_value(panel, qtbot):
    panel.lr.selectAll()
    qtbot.keyClicks(panel.lr, "fast")
    assert panel.document.project.training["lr"] == 0.01
    assert "lr" in panel.message.text() and "not a number" in panel.message.text()
    panel.lr.selectAll()
    qtbot.keyClicks(panel.lr, "0.2")
    assert panel.document.project.training["lr"] == 0.2 and panel.message.text() == ""


def test_opening_a_project_fills_the_form_without_marking_it_modified(panel):
    project = linear_project()
    project.training = {"lr": 0.3, "optimizer": "SGD", "momentum": 0.5}
    panel.document.set_project(project)
    assert panel.lr.text() == "0.3" and not panel.document.modified
    assert panel.document.project.training == {"lr": 0.3, "optimizer": "SGD", "momentum": 0.5}


def test_early_stopping_is_named_with_the_epochs_asked_for_and_the_patience(panel, qtbot, monkeypatch):
    import designer.ml.training.loop as loop

    real, evaluations = loop.loss_function, [0]

    def held_out_loss_only_grows(name, num_classes):
        loss = real(name, num_classes)

        def patched(out, y):
            if torch.is_grad_enabled():
                return loss(out, y)
            evaluations[0] += 1
            return loss(out, y) + 100.0 * evaluations[0]
        return patched

    monkeypatch.setattr(loop, "loss_function", held_out_loss_only_grows)
    panel.document.project.training = {**panel.document.project.training, "patience": 2, "epochs": 4}
    panel.document.project_replaced.emit()
    with qtbot.waitSignal(panel.run_finished, timeout=60000) as finished:
        click(qtbot, panel.start_button)
    assert finished.args[0].early_stopped and finished.args[0].epochs_done == 3
    assert panel.progress_label.text() == "Stopped early after 3 of 4 epochs: no better held-out loss for 2 epochs"
