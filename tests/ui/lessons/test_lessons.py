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


def test_a_teachers_lesson_opens_from_the_file_menu_is_played_and_kept(window, qtbot, tmp_path, monkeypatch):
    import json

    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from tests.ui.conftest import answer_dialog

    step = {"id": "stride", "text": {"en": "Set conv1's stride to 2.", "zh_CN": "把 conv1 的 stride 设为 2。"},
            "target": "Inspector", "check": {"kind": "layer", "type": "Conv2d", "name": "conv1", "params": {"stride": 2}}}
    data = {"id": "stride", "number": 20, "template": "lenet-28", "title": {"en": "Stride", "zh_CN": "步幅"},
            "steps": [step]}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(dict(data, steps=[dict(step, check={"kind": "layer", "type": "Conv9d"})])), "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    seen = []
    answer_dialog(qtbot, QMessageBox.StandardButton.Ok, seen)
    window.findChild(QAction, "action_open_lesson").trigger()
    assert seen and "step 1 “stride”: check.type: Conv9d is not a layer type" in seen[0]
    panel = window.lesson_panel
    assert panel.chooser.count() == 12

    good = tmp_path / "stride.json"
    good.write_text(json.dumps(data), "utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    window.findChild(QAction, "action_open_lesson").trigger()
    assert window.dock_for("Lessons").isVisible()
    assert panel.chooser.count() == 13 and panel.chooser.currentText() == "20. Stride"
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.text.text() == "Set conv1's stride to 2." and not panel.next_button.isEnabled()
    window.document.set_param("n1", "stride", 2)
    qtbot.waitUntil(lambda: panel.progress.text() == "Lesson complete")
    assert panel.chooser.currentText() == "✓ 20. Stride"

    again = MainWindow()  # the same user, later: the teacher's lesson is there, finished
    qtbot.addWidget(again)
    chooser = again.lesson_panel.chooser
    assert chooser.itemText(chooser.count() - 1) == "✓ 20. Stride"
    assert not chooser.itemText(0).startswith("✓")
    again.document.mark_saved()
    again.close()


def test_a_folder_of_lessons_opens_from_the_file_menu(window, qtbot, tmp_path, monkeypatch):
    import json

    from PySide6.QtWidgets import QFileDialog

    for number, name in ((31, "first"), (32, "second")):
        data = {"id": name, "number": number, "title": {"en": name.title(), "zh_CN": name},
                "steps": [{"id": "read", "text": {"en": "Read this.", "zh_CN": "读一读。"}}]}
        (tmp_path / f"{name}.json").write_text(json.dumps(data), "utf-8")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path))
    window.findChild(QAction, "action_open_lesson_folder").trigger()
    chooser = window.lesson_panel.chooser
    assert [chooser.itemText(i) for i in range(12, chooser.count())] == ["31. First", "32. Second"]
    assert chooser.currentText() == "31. First"
    panel = window.lesson_panel
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)  # no template: the learner's project stays
    assert panel.text.text() == "Read this." and panel.next_button.isEnabled()


def test_a_teachers_lesson_opened_last_time_is_back_after_a_restart(qtbot, tmp_path):
    """The settings file gives one remembered path back as a string, not a list of one."""
    import json

    from designer.ui import settings

    data = {"id": "mine", "number": 40, "title": {"en": "Mine", "zh_CN": "我的"},
            "steps": [{"id": "read", "text": {"en": "Read.", "zh_CN": "读。"}}]}
    (tmp_path / "mine.json").write_text(json.dumps(data), "utf-8")
    settings.settings().setValue("lessons/opened", str(tmp_path / "mine.json"))
    window = MainWindow()
    qtbot.addWidget(window)
    chooser = window.lesson_panel.chooser
    assert chooser.count() == 13 and chooser.itemText(12) == "40. Mine"
    window.document.mark_saved()
    window.close()
