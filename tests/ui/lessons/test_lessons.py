"""Help ▸ Lessons as a learner meets it: lesson 1 in Chinese, by mouse and keyboard, and progress kept."""
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QPlainTextEdit

from designer.ui.main_window import MainWindow
from tests.ui.test_canvas import drag_from_palette
from tests.ui.model.test_inspector import type_into


def open_window(qtbot) -> MainWindow:
    window = MainWindow()
    window.resize(1500, 950)
    window.show()
    qtbot.waitExposed(window)
    return window


def click_block(qtbot, window, node_id: str) -> None:
    canvas = window.canvas
    canvas.center_on(node_id)
    point = canvas.mapFromScene(canvas.node_item(node_id).sceneBoundingRect().center())
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert window.document.selected == node_id


def append_from_palette(qtbot, window, type_name: str) -> str:
    """Double-click the palette entry: the block goes after the selected one, wired."""
    tree = window.palette.tree
    item = window.palette.entries[type_name]
    tree.scrollToItem(item)
    rect = tree.visualItemRect(item)
    before = set(window.document.graph.nodes)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a real double-click
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # starts with a click
    [new] = set(window.document.graph.nodes) - before
    return new


def wire(qtbot, window, src: str, dst: str) -> None:
    canvas = window.canvas
    canvas.center_on(src)
    start, end = canvas.port_point(src, True), canvas.port_point(dst, False)
    viewport = canvas.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert (src, dst) in window.document.graph.edges


def test_lesson_1_in_chinese_by_mouse_and_keyboard(chinese, qtbot):
    window = open_window(qtbot)
    panel = window.lesson_panel
    window.findChild(QAction, "action_lessons").trigger()
    assert window.dock_for("Lessons").isVisible() and window.dock_for("Lessons").windowTitle() == "课程"
    assert panel.chooser.currentText() == "1. Module 与层"
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    graph = window.document.graph
    assert list(graph.nodes) == ["input"]
    assert panel.text.text().startswith("模型是一个接收一批样本的 nn.Module")
    assert panel.progress.text() == "第 1 步，共 8 步"
    assert panel.highlight is not None and panel.highlight.parent() is window.dock_for("Inspector")

    click_block(qtbot, window, "input")
    shape = window.inspector.editors["shape"][0]
    shape.selectAll()
    qtbot.keyClicks(shape, "1, 4, 4")
    qtbot.waitUntil(lambda: panel.progress.text() == "第 2 步，共 8 步")
    assert panel.text.text().startswith("把 Conv2d 从“层”面板拖到画布上")

    canvas = window.canvas
    canvas.center_on("input")
    target = canvas.mapFromScene(canvas.node_item("input").sceneBoundingRect().center()) + QPoint(0, 140)
    drag_from_palette(window, "Conv2d", target)
    [conv] = [n for n in graph.nodes if graph.nodes[n].type == "Conv2d"]
    wire(qtbot, window, "input", conv)
    click_block(qtbot, window, conv)
    type_into(qtbot, window.inspector.editors["out_channels"][0], "5")
    type_into(qtbot, window.inspector.editors["kernel_size"][0].first, "2")
    qtbot.waitUntil(lambda: panel.progress.text() == "第 3 步，共 8 步")

    append_from_palette(qtbot, window, "ReLU")
    append_from_palette(qtbot, window, "Flatten")
    qtbot.waitUntil(lambda: panel.progress.text() == "第 5 步，共 8 步")
    linear = append_from_palette(qtbot, window, "Linear")
    click_block(qtbot, window, linear)
    type_into(qtbot, window.inspector.editors["in_features"][0], "45")
    type_into(qtbot, window.inspector.editors["out_features"][0], "8")
    qtbot.waitUntil(lambda: panel.progress.text() == "第 6 步，共 8 步")
    code = window.dock_for("Code")
    assert code.isVisible()  # the code of what the learner built, beside the lesson
    qtbot.waitUntil(lambda: "nn.Linear(45, 8)" in code.findChild(QPlainTextEdit).toPlainText())

    click_block(qtbot, window, conv)
    name = window.findChild(type(shape), "nameEdit")
    name.selectAll()
    qtbot.keyClicks(name, "conv")
    qtbot.waitUntil(lambda: panel.progress.text() == "第 7 步，共 8 步")
    qtbot.waitUntil(lambda: "self.conv = nn.Conv2d(1, 5, 2)" in code.findChild(QPlainTextEdit).toPlainText())
    assert panel.text.text().startswith("state_dict() 按名字保存每一个学到的张量")
    qtbot.keyClicks(panel.answer, "393")
    qtbot.keyClick(panel.answer, Qt.Key.Key_Return)
    assert panel.progress.text() == "第 8 步，共 8 步"
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert panel.progress.text() == "课程完成"
    assert not panel.next_button.isEnabled()
    window.document.mark_saved()
    window.close()


def test_progress_is_remembered_and_a_step_can_be_stepped_back(window, qtbot):
    panel = window.lesson_panel
    panel.chooser.setCurrentIndex(2)  # Conv2d's parameters
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.progress.text() == "Step 1 of 9"
    window.document.set_param("n1", "stride", 2)  # as the inspector would
    qtbot.waitUntil(lambda: panel.progress.text() == "Step 2 of 9")
    qtbot.mouseClick(panel.back_button, Qt.MouseButton.LeftButton)
    assert panel.progress.text() == "Step 1 of 9"
    assert panel.next_button.isEnabled()  # back on a step already done: Next goes on again
    qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
    assert not panel.next_button.isEnabled()  # the next task is not done: Next cannot skip it

    again = MainWindow()
    qtbot.addWidget(again)
    assert again.lesson_panel.chooser.currentIndex() == 2
    assert again.lesson_panel.progress.text() == "Step 2 of 9"
    again.document.mark_saved()
    again.close()
    QApplication.processEvents()
