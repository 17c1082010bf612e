"""The Explain dock, driven as a learner does: draw, select conv1, step, what-if, Apply, undo."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from designer.ui.panels.tryit.drawpad import TryPanel
from designer.ui.panels.inside.explainer import ExplainerPanel
from tests.ui.inside.test_activations import classified, draw_seven


def explained(qtbot, panel, action) -> None:
    """Do ``action`` and wait until the Explain dock shows its outcome (the forward runs on a worker thread)."""
    with qtbot.waitSignal(panel.shown, timeout=20000):
        action()
    qtbot.waitUntil(lambda: not panel.busy, timeout=20000)


def click_block(window, qtbot, node_id: str) -> None:
    item = window.canvas.scene().nodes[node_id]
    window.canvas.centerOn(item)
    pos = window.canvas.mapFromScene(item.sceneBoundingRect().center())
    viewport = window.canvas.viewport()
    explained(qtbot, window.findChild(ExplainerPanel),
              lambda: qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=pos))
    assert window.document.selected == node_id


def type_into(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    explained(qtbot, spin.window().findChild(ExplainerPanel), lambda: qtbot.keyClicks(spin, text))


@pytest.fixture
def explain(window, qtbot):
    pad, panel = window.findChild(TryPanel), window.findChild(ExplainerPanel)
    assert panel is not None  # docked by the main window
    for title in ("Try it", "Explain"):
        window.dock_for(title).raise_()
    qtbot.waitExposed(panel)
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    return pad, panel


def test_step_what_if_apply_and_undo_on_conv1(window, qtbot, explain):
    pad, panel = explain
    doc = window.document
    click_block(window, qtbot, "n1")
    assert "conv1 · Conv2d on your drawing" in panel.header.text()
    assert panel.view.image is not None and panel.step == 0
    # The picture's numbers are the layer's own: the output shown equals what Look inside recorded.
    recorded = next(layer.output for layer in pad.tryout.last.layers if layer.node_id == "n1").numpy()
    np.testing.assert_allclose(panel.explainer.output(), recorded, rtol=1e-5, atol=1e-5)
    before = panel.view.image.copy()
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.step_button, Qt.MouseButton.LeftButton)
    assert panel.step == 2 and panel.view.image != before
    cell = panel.explainer.cell(0, 0, 2)
    assert cell.result == pytest.approx(float(recorded[0, 0, 2]), abs=1e-5)
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert panel.step == 1

    assert "= 28" in panel.formula.text()
    type_into(qtbot, panel.editors["stride"].first, "2")
    assert panel.explainer.out_shape == (6, 14, 14)
    assert "/2⌋ + 1 = 14" in panel.formula.text() and "the model's: 6×28×28" in panel.formula.text()
    assert "stride" not in doc.graph.nodes["n1"].params and doc.undo_stack.count() == 0  # model untouched
    assert panel.apply_button.isEnabled()
    explained(qtbot, panel, lambda: qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton))
    assert doc.graph.nodes["n1"].params["stride"] == 2
    assert doc.shapes.nodes["n1"].out_shape == (6, 14, 14)
    assert doc.undo_stack.count() == 1, panel.changes
    assert not panel.apply_button.isEnabled(), panel.changes

    window.canvas.setFocus()
    explained(qtbot, panel, lambda: qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Undo))
    assert "stride" not in doc.graph.nodes["n1"].params
    assert doc.shapes.nodes["n1"].out_shape == (6, 28, 28)
    assert panel.editors["stride"].first.value() == 1 and panel.explainer.out_shape == (6, 28, 28)


def test_play_click_a_cell_pools_and_other_layers(window, qtbot, explain, tmp_path):
    pad, panel = explain
    click_block(window, qtbot, "n3")  # pool1
    assert panel.explainer.type == "MaxPool2d" and panel.explainer.out_shape == (6, 14, 14)
    info, view = panel.view.layout_info, panel.view
    # Click output cell (3, 4): from frame pixels back to widget pixels.
    target = view._target()
    scale = target.width() / view.image.width()
    x = target.x() + (info.output_origin[0] + 4.5 * info.output_cell) * scale
    y = target.y() + (info.output_origin[1] + 3.5 * info.output_cell) * scale
    qtbot.mouseClick(view, Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))
    assert panel.step == 3 * 14 + 4
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert panel.timer.isActive()
    qtbot.waitUntil(lambda: panel.step > 3 * 14 + 5, timeout=5000)
    qtbot.mouseClick(panel.play_button, Qt.MouseButton.LeftButton)
    assert not panel.timer.isActive()

    panel.export_gif(str(tmp_path / "pool1.gif"))
    assert (tmp_path / "pool1.gif").stat().st_size > 0 and "frames" in panel.header.text()

    click_block(window, qtbot, "n8")  # a Linear: nothing slides
    assert panel.explainer is None and "Select a Conv2d" in panel.header.text()
    assert not panel.step_button.isEnabled()
    QApplication.processEvents()


def test_padding_same_in_the_inspector_shows_its_numbers_in_what_if(window, qtbot, explain):
    pad, panel = explain
    doc = window.document
    click_block(window, qtbot, "n4")  # conv2: 5×5, no padding
    explained(qtbot, panel, lambda: window.inspector.editors["padding"][0].mode.setCurrentText("same"))
    assert doc.graph.nodes["n4"].params["padding"] == "same"
    assert panel.editors["padding"].first.value() == 2
    assert panel.explainer is None and "cannot run" in panel.header.text()  # fc1 no longer gets 400 inputs
    explained(qtbot, panel, lambda: window.inspector.editors["padding"][0].mode.setCurrentText("valid"))
    assert panel.editors["padding"].first.value() == 0, panel.header.text()
    assert panel.explainer.out_shape == (16, 10, 10), panel.header.text()


def test_after_an_applied_edit_the_next_layer_is_explained_on_the_new_model(window, qtbot, explain):
    import torch

    pad, panel = explain
    click_block(window, qtbot, "n1")
    type_into(qtbot, panel.editors["kernel_size"].first, "3")  # 5×5 → 3×3: conv1 gives 30×30, still valid
    explained(qtbot, panel, lambda: qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton))
    assert window.document.shapes.valid and window.document.shapes.nodes["n1"].out_shape == (6, 30, 30)
    click_block(window, qtbot, "n4")  # conv2, fed by pool1 of the edited model
    model = pad.tryout.model
    with torch.no_grad():
        real = model.conv2(model.pool1(model.relu1(model.conv1(pad.tryout.last.tensor))))[0].numpy()
    assert panel.explainer.in_shape == (6, 15, 15)
    np.testing.assert_allclose(panel.explainer.output(), real, rtol=1e-5, atol=1e-5)
