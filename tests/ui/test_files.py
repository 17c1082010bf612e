"""Files as a user meets them: save, reopen, bad files, unsaved changes, crash recovery, weights."""
import json
import os
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from designer.core import project as projects
from designer.ui import settings
from designer.ui.autosave import Autosaver
from designer.ui.main_window import MainWindow
from tests.ui.conftest import EXAMPLES, answer_dialog


def test_save_as_then_reopen(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "mine.netproj.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.document.set_param("n10", "out_features", 64)
    assert window.isWindowModified()
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.SaveAs)
    assert target.exists() and not window.isWindowModified()
    assert window.windowTitle().startswith("mine.netproj.json")
    saved = projects.dumps(window.document.project)
    assert target.read_text(encoding="utf-8") == saved
    assert settings.recent_files()[0] == str(target.resolve())

    window.document.set_param("n10", "out_features", 32)
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Save)  # now saves without asking
    assert json.loads(target.read_text())["nodes"][10]["params"]["out_features"] == 32

    other = MainWindow()
    qtbot.addWidget(other)
    assert other.open_file(target)
    assert projects.dumps(other.document.project) == projects.dumps(window.document.project)
    assert other.document.undo_stack.count() == 0 and not other.document.modified


def test_malformed_file_names_the_file_and_keeps_the_project(window, qtbot, tmp_path):
    bad = tmp_path / "oops.netproj.json"
    bad.write_text('{"format": "netdesigner.project", "version": 1, "nodes": [{"id": "a", "type": "os.system"}]}')
    before = projects.dumps(window.document.project)
    window.document.set_param("n1", "out_channels", 7)
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Ok, seen)
    assert window.open_file(bad, show_errors=True) is False
    assert seen and "oops.netproj.json" in seen[0] and "nodes[0]" in seen[0] and "os.system" in seen[0]
    assert window.document.graph.nodes["n1"].params["out_channels"] == 7  # untouched, still editable
    window.document.undo_stack.undo()
    assert projects.dumps(window.document.project) == before


def test_close_prompts_while_unsaved(window, qtbot):
    window.document.set_param("n1", "out_channels", 7)
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Cancel, seen)
    assert window.close() is False and window.isVisible()
    assert seen and "Save the changes" in seen[0]
    answer_dialog(qtbot, QMessageBox.StandardButton.Discard)
    assert window.close() is True


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_recovers_after_a_crash(qtbot, tmp_path):
    # A crashed session: its autosave file is left behind and its process is gone.
    project = projects.load(EXAMPLES / "lenet-28.netproj.json")
    project.graph.set_param("n10", "out_features", 42)
    source = tmp_path / "work.netproj.json"
    recovery = settings.data_dir() / f"recovery-{_dead_pid()}.json"
    recovery.write_text(json.dumps({"source": str(source), "saved_at": 0, "project": projects.to_dict(project)}))

    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Yes, seen)
    window.after_shown()
    assert seen and "work.netproj.json" in seen[0]
    assert window.document.graph.nodes["n10"].params["out_features"] == 42
    assert window.document.path == source and window.isWindowModified()
    assert not recovery.exists()
    window.autosaver.timer.stop()
    window.document.mark_saved()


def test_autosave_writes_while_unsaved_and_cleans_up(window, qtbot):
    saver: Autosaver = window.autosaver
    window.document.set_param("n1", "out_channels", 9)
    saver.write_now()
    data = json.loads(saver.path.read_text())
    assert data["project"]["nodes"][1]["params"]["out_channels"] == 9
    assert saver.path.name == f"recovery-{os.getpid()}.json"
    window.document.undo_stack.undo()  # back to the saved state: nothing to recover
    saver.write_now()
    assert not saver.path.exists()


def test_drop_a_project_file_on_the_window(window, qtbot):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(EXAMPLES / "small-module.netproj.json"))])
    args = (QPointF(200, 200), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    viewport = window.canvas.viewport()  # dropped on the canvas, handled by the window
    enter = QDragEnterEvent(QPoint(200, 200), *args[1:])
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDropEvent(*args))
    assert window.document.graph.input_node().params["shape"] == [1, 4, 4]
    assert window.document.path.name == "small-module.netproj.json"


def test_trained_weights_are_saved_beside_the_project_and_restored(window, qtbot, tmp_path):
    import torch

    state = {"fc3.weight": torch.arange(6.0).reshape(2, 3)}
    window.document.set_weights(state)
    target = tmp_path / "trained.netproj.json"
    assert window._save_to(target)
    assert (tmp_path / "trained.pt").exists()
    assert json.loads(target.read_text())["weights"] == "trained.pt"

    other = MainWindow()
    qtbot.addWidget(other)
    other.open_file(target)
    assert other.document.weights is None  # loaded in the background, after the window shows
    qtbot.waitUntil(lambda: other.document.weights is not None, timeout=10000)
    assert torch.equal(other.document.weights["fc3.weight"], state["fc3.weight"])


def test_new_from_template_menu(window, qtbot):
    menu = next(a.menu() for a in window.menu("File").actions() if a.text() == "New from &Template")
    titles = [a.text() for a in menu.actions()]
    assert titles[0] == "LeNet for MNIST (28×28)" and "Blank" in titles
    window.document.set_param("n1", "out_channels", 7)
    answer_dialog(qtbot, QMessageBox.StandardButton.Discard)
    next(a for a in menu.actions() if a.text().startswith("Small module")).trigger()
    doc = window.document
    assert doc.graph.input_node().params["shape"] == [1, 4, 4] and doc.path is None
    assert doc.undo_stack.count() == 0 and not window.isWindowModified()
    window.findChild(type(menu.actions()[0]), "action_new").trigger()
    assert list(doc.graph.nodes) == [doc.graph.input_node().id]


def test_layout_and_recent_files_are_remembered(qtbot, tmp_path):
    first = MainWindow()
    qtbot.addWidget(first)
    first.show()
    first.resize(first.width() - 90, first.height() - 40)
    size = (first.width(), first.height())
    first.dock_for("Layers").hide()
    path = tmp_path / "keep.netproj.json"
    path.write_text((EXAMPLES / "lenet-32.netproj.json").read_text())
    first.open_file(path)
    first.close()

    second = MainWindow()
    qtbot.addWidget(second)
    second.show()
    assert (second.width(), second.height()) == size
    assert not second.dock_for("Layers").isVisible()
    second.recent_menu.aboutToShow.emit()
    recent = [a for a in second.recent_menu.actions() if a.text() == str(path.resolve())]
    assert recent
    recent[0].trigger()
    assert second.document.path == path and second.document.graph.input_node().params["shape"] == [1, 32, 32]


def test_opening_a_wide_model_with_an_error_shows_the_error_readably(window, qtbot):
    assert window.open_file(EXAMPLES / "broken-lenet.netproj.json")
    canvas = window.canvas
    bad = next(n for n in window.document.shapes.path if window.document.shapes.nodes[n].error)
    assert canvas.zoom() >= 0.6  # the blocks stay readable
    visible = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    assert visible.contains(canvas.node_item(bad).sceneBoundingRect())
    assert canvas.node_item(bad).error
    qtbot.waitUntil(lambda: "problem" in window.model_label.text())
    if not canvas.fits_readably():
        assert "Auto-layout" in window.statusBar().currentMessage()


def test_reset_layout_brings_closed_docks_back(window, qtbot):
    window.dock_for("Inspector").close()
    window.dock_for("Layers").setFloating(True)
    window.findChild(type(window.undo_action), "action_reset_layout").trigger()
    assert window.dock_for("Inspector").isVisible()
    assert not window.dock_for("Layers").isFloating()


def test_shortcuts_help_lists_the_menu_shortcuts(window, qtbot):
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Ok, seen)
    window._shortcuts()
    undo = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
    assert seen and "Undo" in seen[0] and undo in seen[0] and "Auto-layout" in seen[0]


def test_open_on_a_named_pipe_says_so_and_does_not_freeze(window, qtbot, tmp_path, monkeypatch):
    pipe = tmp_path / "pipe.netproj.json"
    os.mkfifo(pipe)  # nobody writes to it: a blocking read would freeze the window for ever
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(pipe), ""))
    before = projects.dumps(window.document.project)
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Ok, seen)
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Open)
    assert seen and "pipe.netproj.json" in seen[0] and "named pipe (FIFO), not a regular file" in seen[0]
    assert projects.dumps(window.document.project) == before
