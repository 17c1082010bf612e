"""Crash recovery: every kind of change is autosaved; declining a recovery keeps it where the user finds it."""
import json
import subprocess
import sys

import torch
from PySide6.QtWidgets import QMessageBox

from designer.core import project as projects
from designer.ui import settings
from designer.ui.autosave import recovered_dir
from designer.ui.main_window import MainWindow
from tests.ui.conftest import EXAMPLES, answer_dialog


def _recorded(saver) -> dict:
    return json.loads(saver.path.read_text(encoding="utf-8"))


def test_training_settings_name_and_weights_are_autosaved_not_only_graph_edits(window, qtbot):
    saver, doc = window.autosaver, window.document
    doc.move(["n1"], [(10.0, 500.0)])
    saver.write_now()
    assert _recorded(saver)["project"]["nodes"][1]["pos"] == [10, 500]

    doc.project.training = {**doc.project.training, "epochs": 7}  # as Start stores the panel's settings
    doc.mark_modified()
    saver.write_now()
    assert _recorded(saver)["project"]["training"]["epochs"] == 7

    doc.project.name = "My digits"
    doc.mark_modified()
    saver.write_now()
    assert _recorded(saver)["project"]["name"] == "My digits"

    import designer.ml.build as build

    state = build.build_model(doc.graph).state_dict()
    doc.set_weights(state)  # training finished
    doc.mark_modified()
    with qtbot.waitSignal(saver.written, timeout=10000):  # torch.save runs on a worker thread
        saver.write_now()
        assert not saver.weights_path.exists()  # and the window goes on meanwhile
    assert _recorded(saver)["weights"] == saver.weights_path.name
    kept = torch.load(saver.weights_path, weights_only=True)
    assert all(torch.equal(kept[k], v) for k, v in state.items())

    doc.mark_saved()
    saver.write_now()  # nothing unsaved: nothing left to recover
    assert not saver.path.exists() and not saver.weights_path.exists()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _crash_leftover(tmp_path, with_weights: bool):
    project = projects.load(EXAMPLES / "lenet-28.netproj.json")
    project.graph.move("n10", (42.0, 420.0))
    recovery = settings.data_dir() / f"recovery-{_dead_pid()}.json"
    state = None
    if with_weights:
        import designer.ml.build as build

        state = build.build_model(project.graph).state_dict()
        torch.save(state, recovery.with_suffix(".pt"))
    recovery.write_text(json.dumps({"source": str(tmp_path / "work.netproj.json"), "saved_at": 0,
                                    "weights": recovery.with_suffix(".pt").name if with_weights else None,
                                    "project": projects.to_dict(project)}))
    return recovery, state


def _started_window(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def test_restoring_brings_back_the_autosaved_weights(qtbot, tmp_path):
    recovery, state = _crash_leftover(tmp_path, with_weights=True)
    window = _started_window(qtbot)
    answer_dialog(qtbot, QMessageBox.StandardButton.Yes)
    window.after_shown()
    window.autosaver.timer.stop()
    assert window.document.graph.nodes["n10"].pos == (42.0, 420.0)  # the project at once, its weights after
    try:
        qtbot.waitUntil(lambda: window.document.weights is not None, timeout=20000)  # read on a worker thread
        assert all(torch.equal(window.document.weights[k], v) for k, v in state.items())
        assert not recovery.exists() and not recovery.with_suffix(".pt").exists()
    finally:
        window.document.mark_saved()


def test_restored_weights_that_come_after_the_project_was_replaced_are_kept_not_lost(qtbot, tmp_path):
    recovery, state = _crash_leftover(tmp_path, with_weights=True)
    window = _started_window(qtbot)
    answer_dialog(qtbot, QMessageBox.StandardButton.Yes)
    window.after_shown()
    window.autosaver.timer.stop()
    assert window.document.weights_pending  # read on a worker thread, after the project shows
    window.document.set_project(projects.load(EXAMPLES / "blank.netproj.json"))  # before they arrive
    qtbot.waitUntil(lambda: any(recovered_dir().glob("work-recovered-*.netproj.json")), timeout=20000)
    kept = list(recovered_dir().glob("work-recovered-*.netproj.json"))[0]
    assert window.document.weights is None and str(kept) in window.statusBar().currentMessage()
    assert not recovery.exists() and not recovery.with_suffix(".pt").exists()
    assert settings.recent_files()[0] == str(kept.resolve())

    again = MainWindow()
    qtbot.addWidget(again)
    assert again.open_file(kept)
    assert again.document.graph.nodes["n10"].pos == (42.0, 420.0)
    qtbot.waitUntil(lambda: again.document.weights is not None, timeout=10000)
    assert all(torch.equal(again.document.weights[k], v) for k, v in state.items())


def test_answering_no_keeps_the_work_as_a_project_and_says_where(qtbot, tmp_path):
    recovery, state = _crash_leftover(tmp_path, with_weights=True)
    window = _started_window(qtbot)
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.No, seen)
    window.after_shown()
    window.autosaver.timer.stop()
    assert str(recovered_dir()) in seen[0]  # the question says where "No" keeps it
    assert window.document.graph.nodes["n10"].pos != (42.0, 420.0)  # not restored
    kept = list(recovered_dir().glob("work-recovered-*.netproj.json"))
    assert len(kept) == 1
    assert str(kept[0]) in window.statusBar().currentMessage()
    assert settings.recent_files()[0] == str(kept[0].resolve())
    assert not recovery.exists()  # not offered again at the next start

    again = MainWindow()  # the user opens it later, weights and all
    qtbot.addWidget(again)
    assert again.open_file(kept[0])
    assert again.document.graph.nodes["n10"].pos == (42.0, 420.0)
    qtbot.waitUntil(lambda: again.document.weights is not None, timeout=10000)
    assert all(torch.equal(again.document.weights[k], v) for k, v in state.items())


def test_weights_being_written_when_the_project_is_saved_leave_nothing_behind(window, qtbot):
    import designer.ml.build as build

    saver, doc = window.autosaver, window.document
    doc.set_weights(build.build_model(doc.graph).state_dict())
    doc.mark_modified()
    saver.write_now()  # the weights go to a worker thread
    doc.mark_saved()
    saver.write_now()  # saved meanwhile: nothing to recover
    from PySide6.QtCore import QCoreApplication, QThreadPool

    assert QThreadPool.globalInstance().waitForDone(10000)  # the write has finished
    QCoreApplication.processEvents()  # and its end reached the UI thread
    assert not list(saver.path.parent.glob(saver.path.stem + "*"))  # no recovery file, weights or part of one
