"""Files as a user meets them: save, reopen, bad files, unsaved changes, crash recovery, weights."""
import json
import os
import subprocess
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from designer.core import project as projects
from designer.ui import settings
from designer.ui.autosave import Autosaver
from designer.ui.main_window import MainWindow
from tests.ui.conftest import EXAMPLES, answer_dialog, saving


def test_save_as_then_reopen(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "mine.netproj.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.document.set_param("n10", "out_features", 64)
    assert window.isWindowModified()
    with saving(qtbot, window):
        qtbot.keySequence(window.canvas, QKeySequence.StandardKey.SaveAs)
    assert target.exists() and not window.isWindowModified()
    assert window.windowTitle().startswith("mine.netproj.json")
    saved = projects.dumps(window.document.project)
    assert target.read_text(encoding="utf-8") == saved
    assert settings.recent_files()[0] == str(target.resolve())

    window.document.set_param("n10", "out_features", 32)
    with saving(qtbot, window):
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


def _train_stand_in(window, seed=42):
    """Weights as training leaves them: a state_dict of this model, given to the document."""
    from designer.ml import models

    state = models.build(window.document.graph, seed).state_dict()
    window.document.set_weights(state)
    return state


def _save_as(window, qtbot, monkeypatch, target):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with saving(qtbot, window):
        qtbot.keySequence(window.canvas, QKeySequence.StandardKey.SaveAs)


def _open(qtbot, monkeypatch, target):
    """A second window, opened on ``target`` with File ▸ Open as a user does."""
    other = MainWindow()
    qtbot.addWidget(other)
    other.show()
    qtbot.waitExposed(other)
    other.activateWindow()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(target), ""))
    other.findChild(QAction, "action_open").trigger()  # File ▸ Open… (two windows share the shortcut)
    assert other.document.path == target
    return other


def _tryout(window):
    from designer.ui.panels.tryit.tryout import Tryout

    return window.findChild(Tryout)


def _warning(window):
    return window.findChild(QMessageBox, "weightsWarning")


def test_trained_weights_are_saved_with_their_signature_and_restored(window, qtbot, tmp_path, monkeypatch):
    import torch

    state = _train_stand_in(window)
    target = tmp_path / "trained.netproj.json"
    _save_as(window, qtbot, monkeypatch, target)
    saved = json.loads(target.read_text())
    assert saved["weights"] == "trained.pt" and saved["weights_signature"].startswith("sha256:")
    assert (tmp_path / "trained.pt").exists()

    other = _open(qtbot, monkeypatch, target)
    assert other.document.weights is None  # loaded in the background, after the window shows
    qtbot.waitUntil(lambda: other.document.weights is not None, timeout=20000)
    assert all(torch.equal(other.document.weights[k], v) for k, v in state.items())
    assert other.statusBar().currentMessage() == "Loaded the trained weights from trained.pt."
    assert _warning(other) is None
    other.document.mark_saved()


def test_an_edit_after_training_is_saved_without_the_stale_weights(window, qtbot, tmp_path, monkeypatch):
    _train_stand_in(window)
    target = tmp_path / "edited.netproj.json"
    _save_as(window, qtbot, monkeypatch, target)
    window.document.set_param(window.document.shapes.path[-1], "out_features", 5)  # weights no longer fit: cleared
    assert window.document.weights is None
    with saving(qtbot, window):
        qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Save)
    saved = json.loads(target.read_text())
    assert "weights" not in saved and "weights_signature" not in saved

    other = _open(qtbot, monkeypatch, target)
    assert other.document.project.weights is None and other.document.weights is None
    assert _tryout(other).status()[0] == "untrained"


def _edited_on_disk(target, change):
    data = json.loads(target.read_text())
    change(data)
    target.write_text(json.dumps(data))


def test_weights_that_no_longer_fit_are_not_presented_as_trained(window, qtbot, tmp_path, monkeypatch):
    _train_stand_in(window)
    target = tmp_path / "lenet.netproj.json"
    _save_as(window, qtbot, monkeypatch, target)
    last = json.loads(target.read_text())["nodes"][-1]
    assert last["type"] == "Linear" and last["params"]["out_features"] == 10
    _edited_on_disk(target, lambda d: d["nodes"][-1]["params"].update(out_features=5))  # fc3 now (5, 84)

    other = _open(qtbot, monkeypatch, target)
    qtbot.waitUntil(lambda: _warning(other) is not None and _warning(other).isVisible(), timeout=20000)
    text = _warning(other).text()
    assert text.startswith("The weights in lenet.pt no longer fit this model, so it counts as untrained")
    assert "(8 of 10 tensors match)" in text
    assert not _warning(other).isModal()  # the project is open and can be used meanwhile
    assert other.document.weights is None and _tryout(other).status()[0] == "untrained"
    assert other.statusBar().currentMessage() == text


def test_weights_of_an_earlier_version_of_the_model_are_not_loaded(window, qtbot, tmp_path, monkeypatch):
    """Same tensor keys and shapes, another model (ReLU became Tanh): only the signature tells."""
    _train_stand_in(window)
    target = tmp_path / "lenet.netproj.json"
    _save_as(window, qtbot, monkeypatch, target)
    relu = next(i for i, n in enumerate(json.loads(target.read_text())["nodes"]) if n["type"] == "ReLU")
    _edited_on_disk(target, lambda d: d["nodes"][relu].update(type="Tanh"))

    other = _open(qtbot, monkeypatch, target)
    qtbot.waitUntil(lambda: _warning(other) is not None, timeout=20000)
    assert "were trained for an earlier version of this model" in _warning(other).text()
    assert other.document.weights is None and _tryout(other).status()[0] == "untrained"


def test_weights_file_holding_code_is_refused_as_load_weights_refuses_it(window, qtbot, tmp_path, monkeypatch):
    import pickle

    target = tmp_path / "p.netproj.json"
    _save_as(window, qtbot, monkeypatch, target)
    _edited_on_disk(target, lambda d: d.update(weights="p.pt"))
    (tmp_path / "p.pt").write_bytes(pickle.dumps({"conv1.weight": OSError("not a tensor")}, protocol=2))

    other = _open(qtbot, monkeypatch, target)
    qtbot.waitUntil(lambda: _warning(other) is not None, timeout=20000)
    assert "p.pt" in _warning(other).text() and "not loaded" in _warning(other).text()
    assert other.document.weights is None


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


def test_the_template_menu_tells_a_classic_network_s_measured_accuracy(window, qtbot):
    from designer.core import templates

    file_menu = window.menu("File")
    entry = next(a for a in file_menu.actions() if a.text() == "New from &Template")
    menu = entry.menu()
    nin = next(a for a in menu.actions() if a.data() == "nin")
    measured = templates.measurements()["nin"]
    assert nin.text() == f"NiN: Network in Network (blocks) · {measured.accuracy:.1%} after 5 epochs"
    told = f"Measured: {measured.accuracy:.1%} held-out accuracy after 5 epochs on mnist-5k (one run)."
    assert nin.toolTip().startswith("Each convolution followed by 1×1 convolutions") and nin.toolTip().endswith(told)
    window.menuBar().setActiveAction(file_menu.menuAction())  # File ▸ New from Template ▸ NiN, pointed at
    file_menu.setActiveAction(entry)
    menu.popup(file_menu.pos())
    menu.setActiveAction(nin)
    assert window.statusBar().currentMessage() == nin.toolTip()  # the status bar says it too
    menu.hide()
    file_menu.hide()
    lenet = next(a for a in menu.actions() if a.text() == "LeNet for MNIST (28×28)")
    assert "Measured" not in lenet.toolTip() and lenet.data() == "lenet-28"


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


def test_a_model_wider_than_the_window_is_opened_with_a_hint_to_wrap_it(window, qtbot):
    window.resize(800, 560)  # a small window: the chain does not fit at a readable zoom
    qtbot.waitUntil(lambda: window.width() == 800)
    assert window.open_file(EXAMPLES / "broken-lenet.netproj.json")
    assert not window.canvas.fits_readably()
    assert "Model ▸ Auto-layout (Ctrl+L) wraps it" in window.statusBar().currentMessage()
    window.resize(1500, 950)
    assert window.open_file(EXAMPLES / "blank.netproj.json")  # one block: fits, no hint
    assert window.canvas.fits_readably() and "Auto-layout" not in window.statusBar().currentMessage()


def test_reset_layout_brings_closed_docks_back(window, qtbot):
    window.dock_for("Inspector").close()
    window.dock_for("Layers").setFloating(True)
    window.findChild(type(window.undo_action), "action_reset_layout").trigger()
    assert window.dock_for("Inspector").isVisible()
    assert not window.dock_for("Layers").isFloating()


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
