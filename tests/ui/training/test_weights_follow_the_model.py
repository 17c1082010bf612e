"""Trained weights follow the model they fit: an edit clears them, its undo brings them back, the panels say so."""
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from designer.core import project as projects
from tests.ui.conftest import saving
from tests.ui.training.test_training_panel import click, linear_project

torch.set_num_threads(1)
LEFT = Qt.MouseButton.LeftButton


def trained_window(window, qtbot):
    """The window with the tiny linear project, trained for one epoch through the Training panel."""
    window.document.set_project(linear_project())
    panel = window.training_panel
    panel.epochs.setValue(1)
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        click(qtbot, panel.start_button)
    assert window.document.weights is not None
    return panel


def add_after(window, node_id, type_name):
    """Click a block, then double-click a palette entry: the new block goes right after it."""
    canvas = window.canvas
    canvas.center_on(node_id)
    point = canvas.mapFromScene(canvas.node_item(node_id).sceneBoundingRect().center())
    QTest.mouseClick(canvas.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, point)
    tree = window.palette.tree
    entry = window.palette.entries[type_name]
    tree.scrollToItem(entry)
    point = tree.visualItemRect(entry).center()
    QTest.mouseClick(tree.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseDClick(tree.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, point)


def test_undo_of_the_edit_that_cleared_the_weights_brings_them_back_and_redo_clears_them(window, qtbot):
    panel = trained_window(window, qtbot)
    document, tryout = window.document, window.try_panel.tryout
    trained = document.weights
    assert tryout.status()[0] == "ready"

    add_after(window, "n2", "ReLU")  # the model changes: its weights are not known to fit it
    assert document.graph.nodes.keys() > {"input", "n1", "n2"}
    assert document.weights is None and "cleared" in panel.message.text()
    assert tryout.status()[0] == "untrained"
    assert "Not trained" in panel.progress_label.text()

    window.undo_action.trigger()
    assert document.weights is trained  # the very weights the run gave
    assert tryout.status()[0] == "ready"  # Try it answers with them again
    assert "restored" in panel.message.text() and panel.progress_label.text().startswith("Trained")
    assert "restored" in window.statusBar().currentMessage()

    window.redo_action.trigger()
    assert document.weights is None and tryout.status()[0] == "untrained"
    assert "cleared" in panel.message.text()
    window.undo_action.trigger()
    assert document.weights is trained


def test_after_opening_a_project_with_weights_the_training_panel_says_it_is_trained(window, qtbot, tmp_path):
    trained_window(window, qtbot)
    target = tmp_path / "tiny.netproj.json"
    window.document.set_path(target)
    with saving(qtbot, window):
        window.findChild(QAction, "action_save").trigger()
    window.document.set_project(linear_project())  # another project first: its panel is untrained
    panel = window.training_panel
    assert panel.progress_label.text() == "Not trained yet"
    window.open_file(target)
    qtbot.waitUntil(lambda: window.document.weights is not None, timeout=10000)
    assert panel.progress_label.text() == "Trained: Try it uses these weights"


def test_a_weights_warning_from_the_last_file_closes_when_another_project_opens(window, qtbot, tmp_path):
    broken = linear_project()
    broken.weights = "missing.pt"
    broken_path = tmp_path / "broken.netproj.json"
    projects.save(broken, broken_path)
    good_path = tmp_path / "good.netproj.json"
    projects.save(linear_project(), good_path)

    window.open_file(broken_path)

    def warning():
        return next((b for b in window.findChildren(QMessageBox, "weightsWarning") if b.isVisible()), None)

    qtbot.waitUntil(lambda: warning() is not None, timeout=10000)
    assert "not" in warning().text()
    window.open_file(good_path)
    assert warning() is None
