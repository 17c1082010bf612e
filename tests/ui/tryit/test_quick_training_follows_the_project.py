"""The pad's quick training gives its weights only to the project it trained: every way of opening another stops it."""
import json
import shutil
import threading

import pytest
from PySide6.QtCore import QCoreApplication, QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from designer.core import project as projects
from designer.ml import models
from designer.ui import settings
from designer.ui.panels.tryit import quick_training
from tests.ui.conftest import EXAMPLES

TINY_MODEL = "import torch.nn as nn\n\nmodel = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))\n"


class GatedTraining:
    """Stands in for the mnist-5k run: reports a batch, then ends with the model's weights when the gate opens
    (or when told to stop)."""

    def __init__(self):
        self.gate = threading.Event()

    def __call__(self, graph, config, control, job):
        job.report((1, 10))
        while not self.gate.wait(0.01):
            if control.stopped:
                return "stopped"
        return models.build(graph, 3).state_dict(), 0.9


@pytest.fixture
def training(window, qtbot, monkeypatch):
    """A quick training started from the pad with its button, waiting at its gate."""
    gated = GatedTraining()
    monkeypatch.setattr(quick_training, "_quick_train", gated)
    window.dock_for("Try it").show()
    panel = window.try_panel
    with qtbot.waitSignal(panel.tryout.training_progress, timeout=10000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert window.document.locked and panel.tryout.training
    yield gated
    gated.gate.set()


def answer_stop(qtbot, just_before=None):
    """Click Stop Training on the "Training is running" question when it comes (after ``just_before()``)."""
    def poll():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "stopTrainingQuestion":
            if just_before is not None:
                just_before()
            next(b for b in box.buttons() if b.text() == "Stop Training").click()
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


def copied(tmp_path, name="small-module.netproj.json"):
    target = tmp_path / name
    shutil.copy(EXAMPLES / name, target)
    return target


def new_from_template(window, qtbot, tmp_path, monkeypatch, ask):
    menu = next(a.menu() for a in window.menu("File").actions() if a.text() == "New from &Template")
    ask()
    next(a for a in menu.actions() if a.text().startswith("Small module")).trigger()


def open_file(window, qtbot, tmp_path, monkeypatch, ask):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(copied(tmp_path)), ""))
    ask()
    window.findChild(QAction, "action_open").trigger()


def open_recent(window, qtbot, tmp_path, monkeypatch, ask):
    path = copied(tmp_path)
    settings.add_recent_file(path)
    window.recent_menu.aboutToShow.emit()
    ask()
    next(a for a in window.recent_menu.actions() if a.text() == str(path.resolve())).trigger()


def drop(window, qtbot, tmp_path, monkeypatch, ask):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(copied(tmp_path)))])
    viewport = window.canvas.viewport()
    ask()
    QApplication.sendEvent(viewport, QDragEnterEvent(QPoint(200, 200), Qt.DropAction.CopyAction, mime,
                                                     Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(200, 200), Qt.DropAction.CopyAction, mime,
                                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def import_model(window, qtbot, tmp_path, monkeypatch, ask):
    from designer.ui.dialogs.importing import ImportDialog

    source = tmp_path / "tiny.py"
    source.write_text(TINY_MODEL)
    dialog = ImportDialog(window.document, window, missing=[])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.py_edit, str(source))
    with qtbot.waitSignal(dialog.imported, timeout=120_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    ask()  # the question comes with Open, not with the import
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)


def lesson(window, qtbot, tmp_path, monkeypatch, ask):
    panel = window.lesson_panel
    window.findChild(QAction, "action_lessons").trigger()  # Help ▸ Lessons
    panel.chooser.setCurrentIndex(panel.chooser.findData("sequential"))  # starts from the small module
    ask()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)


def challenge(window, qtbot, tmp_path, monkeypatch, ask):
    path = tmp_path / "small.netchallenge.json"
    path.write_text(json.dumps({
        "format": "netdesigner.challenge", "version": 1, "title": {"en": "Small"}, "text": {"en": "Be small."},
        "project": projects.to_dict(projects.load(EXAMPLES / "small-module.netproj.json")),
        "goals": [{"kind": "max_parameters", "value": 8000}]}), encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    ask()
    window.findChild(QAction, "action_challenge").trigger()


WAYS = [new_from_template, open_file, open_recent, drop, import_model, lesson, challenge]


@pytest.mark.parametrize("finished_first", [False, True], ids=["stopped mid-run", "finished as Stop was clicked"])
@pytest.mark.parametrize("way", WAYS, ids=lambda way: way.__name__)
def test_opening_another_project_mid_run_keeps_the_weights_out_of_it(way, finished_first, window, qtbot, training,
                                                                     tmp_path, monkeypatch):
    tryout, before = window.try_panel.tryout, window.document.project
    job = tryout.job

    def finish():  # the run ends while the question is on screen: its weights are already on their way
        training.gate.set()
        assert job.wait(10)

    way(window, qtbot, tmp_path, monkeypatch, lambda: answer_stop(qtbot, finish if finished_first else None))
    document = window.document
    assert document.project is not before  # the other project is open
    assert not document.locked and not tryout.training  # and editable at once
    training.gate.set()
    qtbot.waitUntil(lambda: not job.running, timeout=10000)
    QCoreApplication.processEvents()  # what the run sent on its way out reaches the window
    assert document.weights is None and document.modified == (way is import_model)  # an import is a new file
    assert tryout.status()[0] != "training" and "Trained on mnist-5k" not in tryout.message


def test_a_project_replaced_without_a_question_stops_the_run_and_says_its_weights_are_not_kept(
        window, qtbot, training):
    tryout, job = window.try_panel.tryout, window.try_panel.tryout.job
    window.document.set_project(projects.load(EXAMPLES / "small-module.netproj.json"))  # e.g. a restore
    assert not window.document.locked and not tryout.training
    assert "quick training was stopped" in window.statusBar().currentMessage()
    training.gate.set()
    qtbot.waitUntil(lambda: not job.running, timeout=10000)
    QCoreApplication.processEvents()
    assert window.document.weights is None


def test_weights_that_arrive_after_the_project_went_are_discarded_with_a_status_line(window, qtbot, training):
    tryout, job = window.try_panel.tryout, window.try_panel.tryout.job
    training.gate.set()
    assert job.wait(10)  # the run has ended: its weights wait in the queue for the UI thread
    window.document.set_project(projects.load(EXAMPLES / "small-module.netproj.json"))
    with qtbot.waitSignal(tryout.discarded, timeout=5000):
        pass
    assert "weights were not kept: they were trained for another project" in window.statusBar().currentMessage()
    assert window.document.weights is None and not window.document.locked


def test_weights_of_a_run_that_ends_on_its_own_project_are_kept_and_save_is_due(window, qtbot, training):
    tryout = window.try_panel.tryout
    window.document.mark_saved()
    with qtbot.waitSignal(window.document.weights_changed, timeout=10000):
        training.gate.set()
    assert window.document.weights is not None and not window.document.locked
    assert window.isWindowModified()  # Close asks, Save keeps them
    assert "Trained on mnist-5k: 90.0%" in tryout.message
