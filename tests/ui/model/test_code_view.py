"""The Code dock follows edits and the selection both ways; File ▸ Export Notebook… writes a notebook."""

import json

from PySide6.QtGui import QTextCursor
from PySide6.QtCore import Qt

from designer.ui.panels.model.code_view import CodeView, export_notebook
from tests.ui.inside.test_explainer import click_block, type_into


def line_of(view: CodeView, text: str) -> int:
    return next(n for n, line in enumerate(view.editor.toPlainText().splitlines()) if text in line)


def test_code_follows_edits_and_the_selection_both_ways(window, qtbot):
    view = window.findChild(CodeView)
    window.dock_for("Code").raise_()
    qtbot.waitExposed(view)
    code = view.editor.toPlainText()
    assert "class Net(nn.Module):" in code and "self.conv1 = nn.Conv2d(1, 6, 5, padding=2)" in code

    click_block(window, qtbot, "n1")
    assert view.highlighted_lines() == [line_of(view, "self.conv1 = "), line_of(view, "x = self.conv1(x)")]
    type_into(qtbot, window.inspector.editors["kernel_size"][0].first, "3")
    qtbot.waitUntil(lambda: "nn.Conv2d(1, 6, 3, padding=2)" in view.editor.toPlainText(), timeout=3000)
    assert "x = self.conv1(x)  # (N, 6, 30, 30)" in view.editor.toPlainText()
    type_into(qtbot, window.inspector.editors["out_channels"][0], "12")  # conv2 expects 6 channels: an error
    qtbot.waitUntil(lambda: not view.status.isHidden(), timeout=3000)
    assert "conv2" in view.status.text() and "the code below is from before" in view.status.text()
    assert "nn.Conv2d(1, 6, 3, padding=2)" in view.editor.toPlainText()
    window.document.undo_stack.undo()
    qtbot.waitUntil(lambda: view.status.isHidden(), timeout=3000)

    line = line_of(view, "x = self.pool1(x)")
    cursor = QTextCursor(view.editor.document().findBlockByNumber(line))
    rect = view.editor.cursorRect(cursor)
    qtbot.mouseClick(view.editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.document.selected == "n3"
    assert window.inspector.node_id == "n3"
    assert view.highlighted_lines() == [line_of(view, "self.pool1 = "), line]


def test_export_notebook_from_the_file_menu(window, tmp_path):
    names = [a.objectName() for a in window.menu("File").actions()]
    assert names.index("action_export_notebook") == names.index("action_export") + 1
    path = tmp_path / "lenet.ipynb"
    assert export_notebook(window, str(path))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["nbformat"] == 4 and "class Net(nn.Module):" in "".join(data["cells"][2]["source"])


def test_export_notebook_refuses_a_model_that_does_not_give_ten_classes_in_chinese(chinese, window, qtbot,
                                                                                    tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from designer.core import templates
    from tests.ui.conftest import answer_dialog

    window.document.set_project(templates.new_project("small-module"))  # Linear(45, 8): eight outputs
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Ok, seen)
    assert not export_notebook(window, str(tmp_path / "small.ipynb"))
    assert seen and "模型对每个样本给出 8 个输出" in seen[0] and "Linear(…, 10)" in seen[0]
    assert not (tmp_path / "small.ipynb").exists()


def test_inside_a_block_the_code_is_its_class_and_a_click_there_selects_its_layer(window, qtbot):
    from designer.core import codemap
    from tests.ui.inside.test_inside_blocks import class_lines, enter
    from tests.ui.conftest import EXAMPLES

    assert window.open_file(EXAMPLES / "resnet18-small.netproj.json")
    view, doc = window.findChild(CodeView), window.document
    window.dock_for("Code").raise_()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: "class DownBlock(nn.Module):" in view.editor.toPlainText(), timeout=3000)
    code = view.editor.toPlainText()
    enter(window, qtbot, "n8")  # layer3_0, a DownBlock: its class comes into view, nothing marked
    assert view.editor.textCursor().blockNumber() == class_lines(code, "DownBlock", "class DownBlock")[0]
    assert view.highlighted_lines() == []

    line = class_lines(code, "DownBlock", "self.downsample_bn(")[0]
    rect = view.editor.cursorRect(QTextCursor(view.editor.document().findBlockByNumber(line)))
    qtbot.mouseClick(view.editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert doc.selected == "n7" and doc.edit_graph.nodes["n7"].type == "BatchNorm2d"  # the model's n7 is a block
    assert window.inspector.node_id == "n7" and not window.inspector.editors["num_features"][0].isEnabled()
    assert view.highlighted_lines() == class_lines(code, "DownBlock", "self.downsample_bn")
    assert codemap.line_owner(codemap.node_lines(code, doc.graph), line) is None  # not a line of Net

    window.canvas.setFocus()
    qtbot.keyClick(window.canvas.viewport(), Qt.Key.Key_Escape)
    line = line_of(view, "x = self.relu(x)")
    rect = view.editor.cursorRect(QTextCursor(view.editor.document().findBlockByNumber(line)))
    qtbot.mouseClick(view.editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert doc.level == [] and doc.selected == "n3" and view.highlighted_lines() == [line_of(view, "self.relu ="), line]


def test_a_slice_is_written_in_forward_and_follows_the_inspector(window, qtbot):
    view = window.findChild(CodeView)
    window.dock_for("Code").raise_()
    qtbot.waitExposed(view)
    doc = window.document
    cut = doc.insert_on_edge("Slice", ("n1", "n2"), params={"end": 6})
    qtbot.waitUntil(lambda: "x = x[:, :6]  # (N, 6, 28, 28)" in view.editor.toPlainText(), timeout=3000)
    assert "self.slice" not in view.editor.toPlainText()  # no module: the slice is forward's own line
    doc.select(cut)
    assert window.inspector.editors["end"][0].value() == 6
    type_into(qtbot, window.inspector.editors["start"][0], "2")  # 4 channels left: conv2 expects 6
    qtbot.waitUntil(lambda: not view.status.isHidden(), timeout=3000)
    assert "conv2" in view.status.text()
    assert window.canvas.graph_scene.edges[(cut, "n2")].badge == "(4, 28, 28)"
    doc.undo_stack.undo()
    qtbot.waitUntil(lambda: view.status.isHidden(), timeout=3000)
    assert "x = x[:, :6]" in view.editor.toPlainText()
