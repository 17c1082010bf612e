"""A learner opens the teacher's challenge, sees the goals ticked as the model changes and trains, and hands in."""
import json

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog

from designer.core import handin
from designer.core import project as projects
from designer.core.challenges import NO, UNKNOWN, YES
from designer.ml import grading
from tests.ui.training.test_training_panel import linear_project


def action(window, name):
    return next(a for a in window.menu("File").actions() if a.objectName() == name)


def results(panel):
    return [label.property("result") for label in panel.goal_labels if label.isVisible()]


def test_goals_follow_the_model_and_the_run_and_the_hand_in_grades(window, qtbot, tmp_path, monkeypatch):
    start = linear_project()
    start.training["epochs"] = 1
    challenge = tmp_path / "small.netchallenge.json"
    challenge.write_text(json.dumps({
        "format": "netdesigner.challenge", "version": 1, "title": {"en": "Small but good", "zh_CN": "小而精"},
        "text": {"en": "One Linear layer is enough."}, "project": projects.to_dict(start),
        "goals": [{"kind": "max_parameters", "value": 8000}, {"kind": "min_accuracy", "value": 0.8},
                  {"kind": "uses_layer", "type": "Linear"}, {"kind": "output_shape", "value": [10]}]}),
        encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(challenge), ""))
    action(window, "action_challenge").trigger()
    panel = window.challenge_panel
    assert window.dock_for("Challenge").isVisible() and panel.title.text() == "Small but good"
    assert window.document.project.name == "tiny"  # the challenge's starting project
    assert results(panel) == [YES, UNKNOWN, YES, YES]  # 7,850 parameters; not trained yet

    window.document.set_param("n2", "out_features", 12)  # too many outputs and parameters
    assert results(panel) == [NO, UNKNOWN, YES, NO]
    window.document.undo_stack.undo()
    assert results(panel) == [YES, UNKNOWN, YES, YES]

    with qtbot.waitSignal(window.training_panel.run_finished, timeout=120_000):
        qtbot.mouseClick(window.training_panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.document.locked)
    assert results(panel) == [YES, YES, YES, YES], panel.status.text()

    target = tmp_path / "ada.handin.zip"
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Ada", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    action(window, "action_hand_in").trigger()
    qtbot.waitUntil(target.exists, timeout=20_000)
    submitted = handin.read(target)
    assert (submitted.learner, submitted.challenge) == ("Ada", "Small but good")
    assert submitted.summary["accuracy"] == panel.run["accuracy"]
    from designer.ml import weights

    handed = tmp_path / "handed.safetensors"
    handed.write_bytes(submitted.weights)
    assert weights.load_weights(handed)[1]["classes"] == [str(d) for d in range(10)]  # what they were for
    from designer.core import challenges

    row = grading.grade_one(challenges.load(challenge), target, tmp_path)
    assert row.status == "graded" and row.passed, row.problem
    assert abs(row.accuracy - panel.run["accuracy"]) < 1e-6  # the teacher measures what the learner saw (float32 there)


def test_a_challenge_is_not_opened_when_the_learner_keeps_their_unsaved_project(window, qtbot, tmp_path,
                                                                                monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from tests.ui.conftest import answer_dialog

    challenge = tmp_path / "c.netchallenge.json"
    challenge.write_text(json.dumps({"format": "netdesigner.challenge", "version": 1, "title": "C",
                                     "project": projects.to_dict(linear_project()),
                                     "goals": [{"kind": "output_shape", "value": [10]}]}), encoding="utf-8")
    window.document.set_param(next(iter(window.document.graph.nodes)), "shape", [1, 32, 32])  # an unsaved edit
    before = projects.dumps(window.document.project)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(challenge), ""))
    answer_dialog(qtbot, QMessageBox.StandardButton.Cancel)
    action(window, "action_challenge").trigger()
    assert projects.dumps(window.document.project) == before
    assert not window.dock_for("Challenge").isVisible() and window.challenge_panel.challenge is None


def test_the_dock_says_how_to_open_a_challenge_when_shown_without_one(window):
    window.dock_for("Challenge").show()  # View ▸ Panels, or a remembered layout
    panel = window.challenge_panel
    assert panel.title.text() == "No challenge open" and "Open Challenge" in panel.status.text()
