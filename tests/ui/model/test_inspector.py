"""The inspector, summary and problems list, driven with keyboard and mouse."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QSpinBox

from designer.core import project as projects


def type_into(qtbot, spin: QSpinBox, text: str) -> None:
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin.lineEdit() if hasattr(spin, "lineEdit") else spin, text)


def test_editing_updates_shapes_downstream_as_you_type(window, qtbot):
    doc, canvas = window.document, window.canvas
    doc.select("n1")
    out_channels = window.inspector.editors["out_channels"][0]
    assert out_channels.value() == 6 and out_channels.minimum() == 1
    type_into(qtbot, out_channels, "12")
    assert doc.graph.nodes["n1"].params["out_channels"] == 12
    assert canvas.graph_scene.edges[("n1", "n2")].badge == "(12, 28, 28)"
    assert canvas.graph_scene.edges[("n3", "n4")].badge == "(12, 14, 14)"
    conv2 = canvas.node_item("n4")
    assert conv2.error and "in_channels" in conv2.error
    assert doc.undo_stack.count() == 1  # "1" then "12": one undo step


def test_click_the_fix_button(window, qtbot):
    doc = window.document
    doc.select("n1")
    padding = window.inspector.editors["padding"][0]
    type_into(qtbot, padding.pair.first, "0")
    assert doc.graph.nodes["n1"].params["padding"] == 0
    doc.select("n8")
    inspector = window.inspector
    assert inspector.error_label.isVisible() and "256" in inspector.error_label.text()
    assert inspector.fix_button.text() == "Fix: set in_features to 256"
    assert inspector.editors["in_features"][0].styleSheet()  # the faulty field is marked
    qtbot.mouseClick(inspector.fix_button, Qt.MouseButton.LeftButton)
    assert doc.graph.nodes["n8"].params["in_features"] == 256 and doc.shapes.valid
    assert inspector.editors["in_features"][0].value() == 256
    assert not inspector.error_label.isVisible()
    assert window.canvas.graph_scene.edges[("n7", "n8")].badge == "(256)"


def test_pair_editor_unlinks_and_padding_modes(window, qtbot):
    doc = window.document
    doc.select("n1")
    kernel = window.inspector.editors["kernel_size"][0]
    assert kernel.link.isChecked() and not kernel.second.isEnabled()
    qtbot.mouseClick(kernel.link, Qt.MouseButton.LeftButton)
    type_into(qtbot, kernel.second, "3")
    assert doc.graph.nodes["n1"].params["kernel_size"] == [5, 3]
    assert doc.shapes.nodes["n1"].out_shape == (6, 28, 30)
    padding: QComboBox = window.inspector.editors["padding"][0].mode
    padding.setCurrentText("same")
    assert doc.graph.nodes["n1"].params["padding"] == "same"
    assert doc.shapes.nodes["n1"].out_shape == (6, 28, 28)


def test_checkbox_choice_and_rename(window, qtbot):
    doc = window.document
    doc.select("n1")
    bias = window.inspector.editors["bias"][0]
    qtbot.mouseClick(bias, Qt.MouseButton.LeftButton)
    assert doc.graph.nodes["n1"].params["bias"] is False
    assert doc.shapes.nodes["n1"].parameters == 150
    mode = window.inspector.editors["padding_mode"][0]
    mode.setCurrentText("reflect")
    assert doc.graph.nodes["n1"].params["padding_mode"] == "reflect"
    name = window.inspector.name_edit
    name.setFocus()
    name.selectAll()
    qtbot.keyClicks(name, "first")
    assert doc.graph.nodes["n1"].name == "first"
    assert window.canvas.node_item("n1").name == "first"
    qtbot.waitUntil(lambda: window.summary.table_model.rows[1][0] == "first")


def test_undo_redo_of_inspector_edits_restores_the_exact_file(window, qtbot):
    doc = window.document
    original = projects.dumps(doc.project)
    doc.select("n10")
    type_into(qtbot, window.inspector.editors["out_features"][0], "50")
    qtbot.mouseClick(window.inspector.editors["bias"][0], Qt.MouseButton.LeftButton)
    window.canvas.setFocus()
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Undo)
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Undo)
    assert projects.dumps(doc.project) == original
    assert window.inspector.editors["out_features"][0].value() == 84
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.Redo)
    assert window.inspector.editors["out_features"][0].value() == 50
    assert "[*]" in window.windowTitle() and window.isWindowModified()


def test_summary_shows_layers_and_totals(window, qtbot):
    rows = window.summary.table_model.rows
    assert rows[1][:5] == ("conv1", "Conv2d", "(6, 28, 28)", "156", "117,600")
    assert rows[-1][0] == "Total" and rows[-1][3] == "61,706"
    window.document.set_param("n12", "out_features", 2)
    qtbot.waitUntil(lambda: window.summary.table_model.rows[-1][2] == "(2)")  # refreshed once typing pauses


def test_problems_list_double_click_selects_the_block(window, qtbot):
    window.document.set_param("n4", "in_channels", 3)
    problems = window.problems
    qtbot.waitUntil(lambda: problems.count() == 1)
    assert problems.count() == 1 and "in_channels" in problems.item(0).text()
    bar = window.bottom_tabs.tabBar()
    assert bar.tabText(1) == "Problems (1)"
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert problems.isVisible()
    rect = problems.visualItemRect(problems.item(0))
    qtbot.mouseClick(problems.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click
    qtbot.mouseDClick(problems.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # starts with a click
    assert window.document.selected == "n4"
    assert window.canvas.graph_scene.selected_ids() == ["n4"]
    qtbot.mouseClick(window.inspector.fix_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: problems.count() == 0)


def test_inspector_shows_the_receptive_field_and_follows_an_edit(window, qtbot):
    doc, inspector = window.document, window.inspector
    doc.select("n4")  # conv2 of LeNet: 5×5 after a 2×2 pool
    assert "Receptive field</b> 14×14 input pixels, <b>jump</b> 2×2" in inspector.shapes_label.text()
    doc.select("n1")
    type_into(qtbot, inspector.editors["kernel_size"][0].first, "3")
    assert "Receptive field</b> 3×3" in inspector.shapes_label.text()
    doc.select("n4")
    assert "Receptive field</b> 12×12" in inspector.shapes_label.text()
    doc.select("n7")  # Flatten: no longer image positions
    assert "Receptive field" not in inspector.shapes_label.text()


def test_a_pad_of_four_sides_is_typed_as_numbers_and_reaches_the_shapes(window, qtbot):
    doc = window.document
    pad = doc.insert_on_edge("ZeroPad2d", ("input", "n1"), params={"padding": 1})
    doc.select(pad)
    editor = window.inspector.editors["padding"][0]
    assert editor.text() == "1, 1, 1, 1"
    qtbot.mouseClick(editor, Qt.MouseButton.LeftButton)
    editor.selectAll()
    qtbot.keyClicks(editor, "1, 2, 0, 3")
    assert doc.graph.nodes[pad].params["padding"] == [1, 2, 0, 3]
    assert window.canvas.graph_scene.edges[(pad, "n1")].badge == "(1, 31, 31)"
    doc.select(None)
    doc.undo_stack.undo()
    doc.select(pad)
    assert window.inspector.editors["padding"][0].text() == "1, 1, 1, 1"
