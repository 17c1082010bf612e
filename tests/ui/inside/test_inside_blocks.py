"""Inside a block (double-click an instance), Explain, Look inside, the Inspector's receptive field and the Code
dock show the layer of the instance entered through, never the model's node that happens to share its id."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from designer.core.receptive import receptive_fields
from designer.ui.panels.inside.activations import ActivationsPanel
from designer.ui.panels.inside.explainer import ExplainerPanel
from designer.ui.panels.model.code_view import CodeView
from designer.ui.panels.tryit.drawpad import TryPanel
from tests.ui.conftest import EXAMPLES
from tests.ui.inside.test_activations import classified, draw_seven
from tests.ui.inside.test_explainer import click_block, explained
from tests.ui.test_canvas_branches import _center


@pytest.fixture
def resnet(window, qtbot):
    """ResNet-18-small open from its file, a seven drawn on the pad, Explain in front."""
    assert window.open_file(EXAMPLES / "resnet18-small.netproj.json")
    pad, panel = window.findChild(TryPanel), window.findChild(ExplainerPanel)
    for title in ("Try it", "Explain"):
        window.dock_for(title).raise_()
    qtbot.waitExposed(panel)
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    window.dock_for("Code").raise_()
    qtbot.waitExposed(window.findChild(CodeView))
    return pad, panel


def enter(window, qtbot, node_id: str) -> None:
    canvas = window.canvas
    canvas.center_on(node_id)
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, node_id))
    assert window.document.level == [node_id]


def class_lines(code: str, class_name: str, text: str) -> list[int]:
    """The numbers of the lines of ``class <class_name>`` that contain ``text``."""
    lines = code.splitlines()
    start = lines.index(f"class {class_name}(nn.Module):")
    end = next((n for n in range(start + 1, len(lines)) if lines[n].startswith("class ")), len(lines))
    return [n for n in range(start, end) if text in lines[n]]


def recorded(pad, name: str) -> np.ndarray:
    return next(layer.output for layer in pad.tryout.last.layers if layer.name == name).numpy()


def test_conv1_inside_basic_block_is_the_entered_instances_layer_everywhere(window, qtbot, resnet):
    pad, panel = resnet
    doc, code, inside = window.document, window.findChild(CodeView), window.findChild(ActivationsPanel)
    top_fields = receptive_fields(doc.graph, doc.shapes)
    enter(window, qtbot, "n7")  # layer2_1, a BasicBlock (channels=32) after the first DownBlock
    click_block(window, qtbot, "n1")  # the definition's conv1; the model's own conv1 is n1 as well

    # Explain: layer2_1.conv1 on its own input (32×14×14), its 3×3 kernel, torch's outputs.
    assert "layer2_1.conv1 · Conv2d on your drawing" in panel.header.text()
    assert "BasicBlock is used 5 times" in panel.header.text() and "layer2_1" in panel.header.text()
    ex = panel.explainer
    assert (ex.type, ex.in_shape, ex.out_shape, ex.kernel, ex.stride) == ("Conv2d", (32, 14, 14), (32, 14, 14),
                                                                          (3, 3), (1, 1))
    np.testing.assert_allclose(ex.output(), recorded(pad, "layer2_1.conv1"), rtol=1e-4, atol=1e-4)
    assert panel.editors["kernel_size"].first.value() == 3

    # The Code dock: conv1's lines in class BasicBlock, not Net's conv1.
    code_text = code.editor.toPlainText()
    assert code.highlighted_lines() == (class_lines(code_text, "BasicBlock", "self.conv1 =")
                                        + class_lines(code_text, "BasicBlock", "self.conv1(x)"))

    # Look inside: the recorded output of layer2_1.conv1, with its receptive field.
    assert inside.shown_layer.name == "layer2_1.conv1"
    before = top_fields["n6"]  # what layer2_1 receives: layer2_0's output
    size = before.size[0] + 2 * before.jump[0]  # then a 3×3 convolution
    assert inside.receptive.field.size == (size, size)

    # The Inspector: this instance's shapes and receptive field.
    shapes = window.inspector.shapes_label.text()
    assert "32×14×14" in shapes.replace(" ", "") or "(32, 14, 14)" in shapes
    assert f"{size}×{size} input pixels" in shapes

    # Esc leaves the block: the model's own conv1 again, in Net.
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Escape)
    assert doc.level == [] and doc.selected is None
    assert code.highlighted_lines() == []
    click_block(window, qtbot, "n1")
    assert "conv1 · Conv2d on your drawing" in panel.header.text() and "used" not in panel.header.text()
    assert panel.explainer.in_shape == (1, 28, 28)
    np.testing.assert_allclose(panel.explainer.output(), recorded(pad, "conv1"), rtol=1e-4, atol=1e-4)
    code_text = code.editor.toPlainText()
    assert code.highlighted_lines() == (class_lines(code_text, "Net", "self.conv1 =")
                                        + class_lines(code_text, "Net", "self.conv1(x)"))
    assert inside.shown_layer.name == "conv1"
    assert f"3×3 input pixels" in window.inspector.shapes_label.text()


def test_a_blocks_input_shows_what_its_instance_receives_and_conv1_its_own_filters(window, qtbot, resnet):
    pad, panel = resnet
    doc, inside = window.document, window.findChild(ActivationsPanel)
    enter(window, qtbot, "n8")  # layer3_0, a DownBlock (32 -> 64 channels, stride 2)
    click_block(window, qtbot, "in")
    assert inside.shown_layer.name == "layer2_1.relu2" and inside.shown_layer.shape == (32, 14, 14)
    assert "layer3_0.input1 is the block's input: what layer3_0 receives." in inside.header.text()
    assert "DownBlock is used 3 times (layer2_0, layer3_0, layer4_0): shown for layer3_0" in inside.header.text()

    click_block(window, qtbot, "n1")  # conv1 of layer3_0: the model's conv1 has 16 filters of 1 × 3×3
    weight = pad.tryout.model.get_submodule("layer3_0.conv1").weight
    assert tuple(weight.shape) == (64, 32, 3, 3)
    assert "64 filters of 32 × 3×3" in inside.filter_note.text()
    assert "layer3_0.conv1 · Conv2d" in inside.header.text() and inside.shown_layer.shape == (64, 7, 7)
    ex = panel.explainer
    assert (ex.in_shape, ex.out_shape, ex.stride) == ((32, 14, 14), (64, 7, 7), (2, 2))
    np.testing.assert_allclose(ex.output(), recorded(pad, "layer3_0.conv1"), rtol=1e-4, atol=1e-4)


def test_what_if_inside_a_block_starts_from_the_instance_and_apply_keeps_its_arguments(window, qtbot, resnet):
    from PySide6.QtWidgets import QToolButton

    from tests.ui.inside.test_explainer import type_into

    pad, panel = resnet
    doc = window.document
    definition = doc.graph.blocks["BasicBlock"].graph
    enter(window, qtbot, "n7")
    click_block(window, qtbot, "n1")
    # stride becomes the block's argument (the Inspector's $ button); layer2_1 keeps stride 1.
    explained(qtbot, panel, lambda: qtbot.mouseClick(window.inspector.findChild(QToolButton, "argument_stride"),
                                                     Qt.MouseButton.LeftButton))
    assert definition.nodes["n1"].params["stride"] == "$stride"
    assert panel.editors["stride"].first.value() == 1 and not panel.changes
    steps = doc.undo_stack.count()
    type_into(qtbot, panel.editors["stride"].first, "2")
    assert panel.explainer.out_shape == (32, 7, 7) and "the model's: 32×14×14" in panel.formula.text()
    qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton)
    assert "stride is set by the block's argument $stride" in panel.formula.text()
    assert definition.nodes["n1"].params["stride"] == "$stride" and doc.undo_stack.count() == steps

    # Settings of the definition's own apply to every instance, in one undo step.
    explained(qtbot, panel, lambda: qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton))
    type_into(qtbot, panel.editors["kernel_size"].first, "5")
    type_into(qtbot, panel.editors["padding"].first, "2")
    assert panel.explainer.kernel == (5, 5) and panel.explainer.out_shape == (32, 14, 14)
    explained(qtbot, panel, lambda: qtbot.mouseClick(panel.apply_button, Qt.MouseButton.LeftButton))
    assert doc.undo_stack.count() == steps + 1 and doc.shapes.valid
    for instance in ("n4", "n5", "n7", "n9", "n11"):
        assert doc.shapes.nodes[instance].inner.nodes["n1"].resolved["kernel_size"] == (5, 5)
    assert "layer2_1.conv1 · Conv2d" in panel.header.text() and panel.explainer.kernel == (5, 5)
    doc.undo_stack.undo()
    assert definition.nodes["n1"].params["kernel_size"] == 3


def test_inside_a_block_the_palette_appends_to_the_definition_and_lessons_see_its_node(window, qtbot):
    from designer.ui.panels.lessons.panel import LessonPanel

    assert window.open_file(EXAMPLES / "resnet18-small.netproj.json")
    doc, tree = window.document, window.palette.tree
    definition = doc.graph.blocks["BasicBlock"].graph
    enter(window, qtbot, "n7")
    end = doc.edit_shapes.path[-1]  # relu2, the block's output; the model's own end is fc (n14)
    entry = window.palette.entries["Dropout"]
    pos = tree.visualItemRect(entry).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    (new,) = definition.successors(end)
    assert definition.nodes[new].type == "Dropout" and doc.selected == new and doc.shapes.valid
    assert doc.graph.successors("n14") == []

    # A lesson's check reads the type of the node selected in the definition (n6 is Add here, DownBlock outside).
    click = window.canvas.viewport()
    qtbot.mouseClick(click, Qt.MouseButton.LeftButton, pos=_center(window.canvas, "n6"))
    assert doc.selected == "n6" and window.findChild(LessonPanel).state().facts["selected"] == "Add"
