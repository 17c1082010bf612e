"""Steering settings, the run history and the mistakes browser in the Training dock, driven like a user."""
import json

import pytest
import torch
from PySide6.QtCore import Qt

from designer.core import project as projects
from designer.core import runs
from designer.ui.document import Document
from designer.ui.panels.training.panel import TrainingPanel

torch.set_num_threads(1)


def save_project(path, training):
    nodes = [{"id": "input", "type": "Input", "params": {"shape": [1, 28, 28]}},
             {"id": "n1", "type": "Flatten", "params": {}},
             {"id": "n2", "type": "Linear", "name": "fc", "params": {"in_features": 784, "out_features": 10}}]
    path.write_text(json.dumps({"format": "netdesigner.project", "version": 1, "name": "tiny", "nodes": nodes,
                                "edges": [{"from": "input", "to": "n1"}, {"from": "n1", "to": "n2"}],
                                "training": training}))
    return path


def open_panel(qtbot, path):
    panel = TrainingPanel(Document(projects.load(path), path))
    qtbot.addWidget(panel)
    panel.show()
    return panel


def run_once(qtbot, panel):
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)


@pytest.fixture
def project(tmp_path):
    return save_project(tmp_path / "tiny.netproj.json", {"epochs": 2, "batch_size": 256, "optimizer": "Adam",
                                                          "lr": 0.01, "lr_schedule": "cosine", "patience": 3})


def test_steering_settings_come_from_the_project_and_go_into_the_run(qtbot, project):
    panel = open_panel(qtbot, project)
    options = panel.options
    assert options.schedule.currentText() == "cosine" and options.patience.value() == 3
    assert not options.step_row.isVisible()
    options.schedule.setCurrentText("step")
    assert options.step_row.isVisible()
    qtbot.mouseClick(options.augment, Qt.MouseButton.LeftButton)
    assert options.augment.isChecked() and options.rotation.isEnabled()
    assert not options.flip.isEnabled()  # mnist-5k: digits are not mirrored
    panel.dataset.setCurrentText("fashion-mnist")
    assert options.flip.isEnabled()
    config = panel.config()
    assert (config.lr_schedule, config.patience, config.augment, config.augment_rotation) == ("step", 3, True, 10.0)


def test_runs_are_listed_compared_and_survive_reopening(qtbot, project):
    panel = open_panel(qtbot, project)
    history = panel.history.runs
    assert history.list.count() == 0 and "No runs yet" in history.note.text()
    run_once(qtbot, panel)
    assert panel.curves.lrs and panel.curves.lrs[0] > panel.curves.lrs[-1]  # the cosine schedule, plotted
    panel.lr.setText("0.002")
    run_once(qtbot, panel)
    assert history.list.count() == 2

    reopened = open_panel(qtbot, project)  # close and reopen: the history is read from disk
    history = reopened.history.runs
    assert [history.list.item(i).text().split(" · ")[0] for i in range(2)] == ["run-0001", "run-0002"]
    assert "finished" in history.list.item(0).text()
    history.list.item(0).setSelected(True)
    history.list.item(1).setSelected(True)
    assert len(history.loss_plot.listDataItems()) == 2 and len(history.acc_plot.listDataItems()) == 2
    table = history.settings
    assert table.verticalHeaderItem(0).text() == "lr"  # what differs comes first
    assert [table.item(0, c).text() for c in range(2)] == ["0.01", "0.002"]
    assert not history.use_button.isEnabled()  # one run at a time

    history.list.item(1).setSelected(False)
    assert reopened.document.weights is None
    with qtbot.waitSignal(reopened.document.weights_changed, timeout=10000):  # read on a worker thread
        qtbot.mouseClick(history.use_button, Qt.MouseButton.LeftButton)
    first = runs.list_runs(project)[0]
    saved = torch.load(first.weights_path, weights_only=True)
    assert torch.equal(reopened.document.weights["fc.weight"], saved["fc.weight"])
    assert "run-0001" in reopened.message.text() and reopened.document.modified


def test_a_stopped_run_can_be_continued(qtbot, project, tmp_path):
    project = save_project(project, {"epochs": 200, "batch_size": 256, "optimizer": "Adam", "lr": 0.01})
    panel = open_panel(qtbot, project)
    epochs = []
    panel.run_event.connect(lambda e: epochs.append(e.epoch) if type(e).__name__ == "EpochEnd" else None)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(epochs) >= 1, timeout=60000)
    with qtbot.waitSignal(panel.run_ended, timeout=10000):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    history = panel.history.runs
    history.list.item(0).setSelected(True)
    assert "stopped" in history.list.item(0).text() and history.continue_button.isEnabled()
    done = len(runs.list_runs(project)[0].epochs)
    started = []
    panel.run_event.connect(lambda e: started.append(e) if type(e).__name__ == "Started" else None)
    qtbot.mouseClick(history.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(started), timeout=60000)
    assert started[0].resumed_after == done
    with qtbot.waitSignal(panel.run_ended, timeout=10000):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert len(runs.list_runs(project)) == 1  # the same run, continued


def test_mistakes_are_shown_most_confident_first(qtbot, project):
    panel = open_panel(qtbot, project)
    run_once(qtbot, panel)
    browser = panel.history.mistakes
    assert browser.grid.count() == len(browser.items) > 0
    confidences = [m.confidence for m in browser.items]
    assert confidences == sorted(confidences, reverse=True)
    first = browser.items[0]
    assert first.true != first.predicted and first.picture.shape == (28, 28)
    assert browser.grid.item(0).text().startswith(f"{first.true} → {first.predicted}")
    chosen = []
    browser.chosen.connect(chosen.append)
    rect = browser.grid.visualItemRect(browser.grid.item(0))
    panel.curves.setCurrentWidget(panel.history.mistakes_page)
    qtbot.mouseClick(browser.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chosen == [first]


def test_augmentation_preview_shows_samples_changed_as_the_settings_say(qtbot, project):
    panel = open_panel(qtbot, project)
    preview, options = panel.augment_preview, panel.options
    assert not preview.isVisible()  # off by default: nothing to preview
    with qtbot.waitSignal(preview.shown, timeout=30000):
        qtbot.mouseClick(options.augment, Qt.MouseButton.LeftButton)
    assert preview.isVisible() and preview.original.pixmap().width() >= 8 * 40
    stored, changed = preview.arrays
    assert stored.shape == (8, 28, 28, 3) and (stored != changed).any()
    for box in (options.shift, options.rotation, options.scale):  # every change turned off: nothing changes
        with qtbot.waitSignal(preview.shown, timeout=30000):
            box.setValue(0)
    assert (preview.arrays[0] == stored).all() and (preview.arrays[1] == stored).all()
    with qtbot.waitSignal(preview.shown, timeout=30000):
        options.rotation.setValue(45)
    assert (preview.arrays[0] == stored).all() and (preview.arrays[1] != stored).any()
    with qtbot.waitSignal(preview.shown, timeout=30000):
        qtbot.mouseClick(preview.reroll, Qt.MouseButton.LeftButton)
    assert (preview.arrays[0] != stored).any()  # other samples
    qtbot.mouseClick(options.augment, Qt.MouseButton.LeftButton)
    assert not preview.isVisible()


def test_the_planned_learning_rate_is_plotted_before_a_run_and_follows_the_settings(qtbot, project):
    panel = open_panel(qtbot, project)  # cosine, 2 epochs of 4,500 samples in batches of 256: 36 batches
    planned = panel.lr_preview
    qtbot.waitUntil(lambda: len(points(planned)[1]) > 0, timeout=30000)
    steps, rates = points(planned)
    assert rates[0] == pytest.approx(0.01) and rates[-1] < 0.001 and steps[-1] == pytest.approx(36)
    with qtbot.waitSignal(planned.shown, timeout=30000):
        panel.options.schedule.setCurrentText("step")  # every 2 epochs x0.1: the whole run at 0.01
    assert points(planned)[1] == pytest.approx([0.01] * 36)
    with qtbot.waitSignal(planned.shown, timeout=30000):
        panel.options.step_epochs.setValue(1)
    rates = points(planned)[1]
    assert rates[0] == pytest.approx(0.01) and rates[-1] == pytest.approx(0.001)
    with qtbot.waitSignal(planned.shown, timeout=30000):
        panel.lr.setText("zero")
    assert len(points(planned)[0]) == 0  # no plan for a learning rate that is not a number


def points(planned):
    steps, rates = planned.curve.getData()
    return ([], []) if rates is None else (list(steps), list(rates))


def test_a_run_without_mistakes_says_there_are_none(qtbot, project, monkeypatch):
    import designer.ml.training.loop as loop

    monkeypatch.setattr(loop, "find_mistakes", lambda *args, **kwargs: [])
    panel = open_panel(qtbot, project)
    run_once(qtbot, panel)
    assert panel.history.mistakes.note.text() == "No mistakes on the held-out set."

