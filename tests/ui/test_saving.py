"""File ▸ Save on a worker thread: the window goes on while a large model's weights are written, and never loses a write."""
import json
import threading

import pytest
import torch
from PySide6.QtCore import QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from designer.core import project as projects
from designer.ml import models
from designer.ui import files
from tests.ui.conftest import answer_dialog, saving


class GatedWriter:
    """``files.write_save`` behind a gate the test opens; records the thread each write ran on."""

    def __init__(self):
        self.gate = threading.Event()
        self.threads: list[threading.Thread] = []
        self.entered = threading.Event()

    def __call__(self, plan):
        self.threads.append(threading.current_thread())
        self.entered.set()
        assert self.gate.wait(60), "the test never opened the gate"
        return files.write_save(plan)


@pytest.fixture
def writer(window):
    gated = GatedWriter()
    window.saver.writer = gated
    yield gated
    gated.gate.set()  # a failed test must not leave a worker waiting


def trained(window, seed=42) -> dict:
    """Weights as training leaves them: a state_dict of this model, given to the document, which is then unsaved."""
    state = models.build(window.document.graph, seed).state_dict()
    window.document.set_weights(state)
    window.document.mark_modified()
    return state


def save_key(qtbot, window) -> None:
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Save)


def test_ctrl_s_writes_the_weights_and_the_file_on_a_worker_thread_while_the_window_says_saving(
        window, qtbot, tmp_path, writer):
    state = trained(window)
    target = tmp_path / "digits.netproj.json"
    window.document.set_path(target)
    save_key(qtbot, window)
    assert "Saving" in window.statusBar().currentMessage() and str(target) in window.statusBar().currentMessage()
    qtbot.waitUntil(writer.entered.is_set)  # the UI thread goes on handling events while the worker writes
    assert not target.exists() and window.isWindowModified() and window.saver.busy
    with saving(qtbot, window):
        writer.gate.set()
    assert writer.threads and writer.threads[0] is not threading.main_thread()

    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["weights"] == "digits.pt"
    assert saved["weights_signature"] == models.signature(window.document.project, state)
    on_disk, record = models.read_weights_record(tmp_path / "digits.pt")
    assert on_disk.keys() == state.keys() and all(torch.equal(on_disk[k], v) for k, v in state.items())
    assert record.signature == saved["weights_signature"]  # the file and its weights say the same
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*.tmp"))
    assert not window.isWindowModified() and window.statusBar().currentMessage() == f"Saved {target}"
    assert not window.autosaver.path.exists()


def test_an_edit_while_saving_stays_unsaved_and_a_second_ctrl_s_writes_it_after_the_first(
        window, qtbot, tmp_path, writer):
    trained(window)
    target = tmp_path / "digits.netproj.json"
    window.document.set_path(target)
    modified_after = []
    window.saver.finished.connect(lambda path, ok: modified_after.append((ok, window.isWindowModified())))
    save_key(qtbot, window)
    qtbot.waitUntil(writer.entered.is_set)
    window.document.set_param("n1", "out_channels", 8)  # the canvas is edited while the first save is written
    assert window.document.weights is None  # the weights no longer fit: the second save names none
    save_key(qtbot, window)  # waits for the first
    with saving(qtbot, window):
        writer.gate.set()
    assert len(writer.threads) == 2
    assert modified_after == [(True, True), (True, False)]  # the first wrote the project as it was before the edit
    saved = projects.load(target)
    assert saved.graph.nodes["n1"].params["out_channels"] == 8
    assert saved.weights is None and saved.weights_signature is None


def test_undoing_back_past_a_save_that_an_edit_overtook_shows_the_project_unsaved(window, qtbot, tmp_path, writer):
    """The file holds the edit before the save; undoing that edit too must not look like the file's state."""
    target = tmp_path / "digits.netproj.json"
    window.document.set_path(target)
    window.document.mark_saved()  # as just opened from it
    window.document.set_param("n1", "out_channels", 8)
    save_key(qtbot, window)
    qtbot.waitUntil(writer.entered.is_set)
    window.document.set_param("n1", "out_channels", 9)
    with saving(qtbot, window):
        writer.gate.set()
    assert projects.load(target).graph.nodes["n1"].params["out_channels"] == 8 and window.isWindowModified()
    window.document.undo_stack.undo()
    window.document.undo_stack.undo()  # back to the project as opened: the file holds 8 now
    assert window.document.graph.nodes["n1"].params["out_channels"] == 6 and window.isWindowModified()


def test_closing_while_saving_waits_for_the_save_and_then_closes_without_asking(window, qtbot, tmp_path, writer,
                                                                               monkeypatch):
    trained(window)
    target = tmp_path / "digits.netproj.json"
    window.document.set_path(target)
    save_key(qtbot, window)
    qtbot.waitUntil(writer.entered.is_set)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    QTimer.singleShot(0, writer.gate.set)  # the write ends while the window waits for it
    assert window.close()
    assert not asked and not window.saver.busy
    assert json.loads(target.read_text(encoding="utf-8"))["weights"] == "digits.pt"
    assert (tmp_path / "digits.pt").exists() and not window.autosaver.path.exists()


def test_a_first_save_still_being_written_is_not_asked_where_again(window, qtbot, tmp_path, writer, monkeypatch):
    target = tmp_path / "first.netproj.json"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (asked.append(1), (str(target), ""))[1])
    window.document.set_param("n1", "out_channels", 8)
    save_key(qtbot, window)  # never saved: Save asks where
    qtbot.waitUntil(writer.entered.is_set)
    window.document.set_param("n1", "out_channels", 9)
    save_key(qtbot, window)  # the file is chosen: no second question
    with saving(qtbot, window):
        writer.gate.set()
    assert asked == [1] and window.document.path == target
    assert projects.load(target).graph.nodes["n1"].params["out_channels"] == 9 and not window.isWindowModified()


def test_a_crash_between_the_weights_and_the_project_file_leaves_no_file_naming_weights_it_lacks(
        window, qtbot, tmp_path, monkeypatch):
    trained(window, seed=1)
    target = tmp_path / "digits.netproj.json"
    window.document.set_path(target)
    with saving(qtbot, window):
        save_key(qtbot, window)
    assert json.loads(target.read_text(encoding="utf-8"))["weights"] == "digits.pt"

    last = window.document.shapes.path[-1]
    window.document.set_param(last, "out_features", 5)  # another model: the old weights are cleared
    newer = trained(window, seed=2)
    real_save = projects.save

    def crash(project, path):  # the process dies once the new weights are in place, before the new file
        if project.weights_signature == models.signature(project, newer):
            raise OSError(28, "No space left on device")
        real_save(project, path)

    monkeypatch.setattr(projects, "save", crash)
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Ok, seen)
    with saving(qtbot, window):
        save_key(qtbot, window)
    assert seen and "No space left on device" in seen[0] and window.isWindowModified()
    on_disk = json.loads(target.read_text(encoding="utf-8"))
    assert on_disk["nodes"][-1]["params"]["out_features"] == 10  # the old project is still there
    assert "weights" not in on_disk and "weights_signature" not in on_disk  # and names no weights
    kept, record = models.read_weights_record(tmp_path / "digits.pt")
    assert all(torch.equal(kept[k], v) for k, v in newer.items())
    assert not list(tmp_path.glob("*.part"))


def test_answering_save_when_closing_writes_the_file_before_the_window_goes(window, qtbot, tmp_path):
    state = trained(window)
    target = tmp_path / "digits.netproj.json"
    window.document.set_path(target)
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Save, seen)
    assert window.close()
    assert seen and "Save the changes" in seen[0]
    assert json.loads(target.read_text(encoding="utf-8"))["weights"] == "digits.pt"
    on_disk = models.read_weights(tmp_path / "digits.pt")
    assert all(torch.equal(on_disk[k], v) for k, v in state.items())
