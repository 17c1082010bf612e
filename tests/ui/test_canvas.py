"""The canvas and palette driven with the mouse and keyboard, as a user does."""
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication

from designer.core import project as projects
from designer.ui.canvas.items import EdgeItem


def drag_from_palette(window, type_name: str, viewport_pos: QPoint) -> None:
    """What a QDrag from the palette delivers: enter, move and drop events on the canvas."""
    palette = window.palette
    mime: QMimeData = palette.tree.mimeData([palette.entries[type_name]])
    viewport = window.canvas.viewport()
    point = QPointF(viewport_pos)
    action = Qt.DropAction.CopyAction
    QApplication.sendEvent(viewport, QDragEnterEvent(viewport_pos, action, mime, Qt.MouseButton.LeftButton,
                                                     Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(viewport, QDragMoveEvent(viewport_pos, action, mime, Qt.MouseButton.LeftButton,
                                                    Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(viewport, QDropEvent(point, action, mime, Qt.MouseButton.LeftButton,
                                                Qt.KeyboardModifier.NoModifier))


def badge(window, src, dst) -> str:
    return window.canvas.graph_scene.edges[(src, dst)].badge


def test_opens_on_lenet_with_a_shape_badge_on_every_wire(window):
    graph = window.document.graph
    assert graph.input_node().params["shape"] == [1, 28, 28]
    edges = window.canvas.graph_scene.edges
    assert set(edges) == set(graph.edges)
    assert badge(window, "input", "n1") == "(1, 28, 28)"
    assert badge(window, "n1", "n2") == "(6, 28, 28)"
    assert badge(window, "n7", "n8") == "(400)"
    conv1 = window.canvas.node_item("n1")
    assert (conv1.name, conv1.summary) == ("conv1", "6 @ 5×5, s1, p2")
    assert "LeNet" in window.windowTitle()


def test_drag_a_block_from_the_palette_onto_empty_canvas(window, qtbot):
    window.canvas.reset_zoom()
    target = window.canvas.mapFromScene(QPointF(300, 400))
    drag_from_palette(window, "Dropout", target)
    added = [n for n in window.document.graph.nodes.values() if n.type == "Dropout"]
    assert len(added) == 1
    assert abs(added[0].pos[0] + 55 - 300) <= 20 and abs(added[0].pos[1] + 33 - 400) <= 20
    assert window.document.selected == added[0].id
    assert window.inspector.editors["p"][0].value() == 0.5  # the inspector shows it


def test_drop_a_block_on_a_wire_inserts_it(window):
    window.canvas.reset_zoom()
    wire = window.canvas.graph_scene.edges[("n1", "n2")]
    middle = wire._path.pointAtPercent(0.5)
    drag_from_palette(window, "BatchNorm2d", window.canvas.mapFromScene(middle))
    graph = window.document.graph
    new = graph.successors("n1")[0]
    assert graph.nodes[new].type == "BatchNorm2d" and graph.successors(new) == ["n2"]
    assert graph.nodes[new].params["num_features"] == 6  # fitted to the shape it receives
    assert window.document.shapes.valid
    assert badge(window, new, "n2") == "(6, 28, 28)"


def test_connect_ports_by_dragging_output_to_input(window, qtbot):
    doc, canvas = window.document, window.canvas
    doc.disconnect("n11", "n12")
    assert doc.shapes.nodes["n12"].on_path is False
    assert canvas.node_item("n12").opacity() < 1  # off the model path: dimmed
    canvas.reset_zoom()
    canvas.center_on("n11")
    viewport = canvas.viewport()
    start, end = canvas.port_point("n11", True), canvas.port_point("n12", False)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert ("n11", "n12") in doc.graph.edges
    assert badge(window, "n11", "n12") == "(84)"
    assert canvas.node_item("n12").opacity() == 1


def test_invalid_block_turns_red_with_formula_tooltip(window):
    doc = window.document
    doc.set_param("n1", "padding", 0)
    fc1 = window.canvas.node_item("n8")
    assert fc1.error and "256" in fc1.error
    assert "256" in window.canvas.graph_scene.tooltip("n8")
    conv1_tip = window.canvas.graph_scene.tooltip("n1")
    assert "⌊(28 + 2·0 − 1·(5−1) − 1)/1⌋ + 1 = 24" in conv1_tip
    assert window.canvas.graph_scene.edges[("n8", "n9")].bad


def test_delete_rejoins_and_undo_redo_with_keys(window, qtbot):
    doc, canvas = window.document, window.canvas
    original = projects.dumps(doc.project)
    canvas.select_only(["n2"])
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert "n2" not in doc.graph.nodes and ("n1", "n3") in doc.graph.edges
    assert ("n1", "n3") in canvas.graph_scene.edges
    qtbot.keySequence(canvas, QKeySequence.StandardKey.Undo)
    assert projects.dumps(doc.project) == original
    assert ("n2", "n3") in canvas.graph_scene.edges
    qtbot.keySequence(canvas, QKeySequence.StandardKey.Redo)
    assert "n2" not in doc.graph.nodes and "n2" not in canvas.graph_scene.nodes


def test_rubber_band_select_then_copy_paste(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.reset_zoom()
    canvas.center_on("n2")
    viewport = canvas.viewport()
    area = canvas.node_item("n1").sceneBoundingRect().united(canvas.node_item("n2").sceneBoundingRect())
    a = canvas.mapFromScene(area.topLeft() - QPointF(10, 10))  # a band around conv1 and relu1
    b = canvas.mapFromScene(area.bottomRight() + QPointF(10, 10))
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(viewport, (a + b) / 2)
    qtbot.mouseMove(viewport, b)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=b)
    assert sorted(canvas.graph_scene.selected_ids()) == ["n1", "n2"]
    qtbot.keySequence(canvas, QKeySequence.StandardKey.Copy)
    qtbot.keySequence(canvas, QKeySequence.StandardKey.Paste)
    new = sorted(canvas.graph_scene.selected_ids())
    assert len(new) == 2 and not set(new) & {"n1", "n2"}
    a_new, b_new = (n for n in doc.graph.nodes if n in new)
    assert doc.graph.successors(a_new) == [b_new]
    assert doc.graph.nodes[a_new].name is None  # "conv1" is taken by the original
    assert len(doc.graph.nodes) == 15


def test_drag_a_block_moves_it_on_the_grid_in_one_undo_step(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.reset_zoom()
    canvas.center_on("n3")
    viewport = canvas.viewport()
    x0, y0 = doc.graph.nodes["n3"].pos
    start = canvas.mapFromScene(QPointF(x0 + 55, y0 + 40))
    end = canvas.mapFromScene(QPointF(x0 + 55 + 47, y0 + 40 + 92))
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(10, 10))
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert doc.graph.nodes["n3"].pos == (x0 + 40, y0 + 100)  # snapped to the 20 px grid
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert canvas.node_item("n3").pos() == QPointF(x0, y0)


def test_palette_search_and_enter_appends_after_selected(window, qtbot):
    doc = window.document
    doc.select("n12")
    qtbot.keyClicks(window.palette.search, "softm")
    visible = [t for t, e in window.palette.entries.items() if not e.isHidden()]
    assert visible == ["Softmax", "LogSoftmax"]
    assert "probabilities" in window.palette.entries["Softmax"].toolTip(0)
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Return)
    new = doc.graph.successors("n12")[0]
    assert doc.graph.nodes[new].type == "Softmax" and doc.selected == new
    assert badge(window, "n12", new) == "(10)"


def test_zoom_and_fit(window, qtbot):
    canvas = window.canvas
    canvas.reset_zoom()
    canvas.zoom_in()
    assert canvas.zoom() > 1.1
    canvas.fit()
    rect = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    for item in canvas.graph_scene.nodes.values():
        assert rect.contains(item.sceneBoundingRect())


def test_auto_layout_is_one_undo_step(window, qtbot):
    doc = window.document
    doc.add_node("ReLU", pos=(-500, 900))
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Model ▸ Auto-layout
    reading_order = [doc.graph.nodes[n].pos[::-1] for n in doc.shapes.path]  # rows top-down, then left-right
    assert reading_order == sorted(reading_order)
    scratch = doc.graph.nodes[list(doc.graph.nodes)[-1]]
    assert scratch.pos[1] > max(y for y, _ in reading_order)  # off-path blocks go below the model
    rect = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert all(rect.contains(i.sceneBoundingRect()) for i in window.canvas.graph_scene.nodes.values())
    doc.undo_stack.undo()
    assert doc.graph.nodes[list(doc.graph.nodes)[-1]].pos == (-500.0, 900.0)
    assert isinstance(next(iter(window.canvas.graph_scene.edges.values())), EdgeItem)


def test_palette_double_click_inserts_after_the_selected_block(window, qtbot):
    doc, tree = window.document, window.palette.tree
    doc.select("n7")  # Flatten, before fc1
    entry = window.palette.entries["Dropout"]
    pos = tree.visualItemRect(entry).center()
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    new = doc.graph.successors("n7")[0]
    assert doc.graph.nodes[new].type == "Dropout" and doc.graph.successors(new) == ["n8"]
    assert badge(window, new, "n8") == "(400)" and doc.shapes.valid
    positions = [n.pos for n in doc.graph.nodes.values()]
    assert len(set(positions)) == len(positions)  # nothing placed on top of another block


def test_locked_while_training_blocks_refuse_edits_and_stay_put(window, qtbot):
    doc, canvas = window.document, window.canvas
    doc.set_locked(True, "training is running")
    assert not window.inspector.widget().isEnabled()
    canvas.reset_zoom()
    canvas.center_on("n3")
    viewport = canvas.viewport()
    x0, y0 = doc.graph.nodes["n3"].pos
    start = canvas.mapFromScene(QPointF(x0 + 55, y0 + 40))
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(60, 60))
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=start + QPoint(60, 60))
    assert canvas.node_item("n3").pos() == QPointF(x0, y0) and doc.graph.nodes["n3"].pos == (x0, y0)
    canvas.select_only(["n2"])
    canvas.delete_selected()
    assert "n2" in doc.graph.nodes and "training" in window.statusBar().currentMessage()
    assert doc.undo_stack.count() == 0
    doc.set_locked(False)
    assert window.inspector.widget().isEnabled()
    assert window.zoom_label.text() == "100%"


def test_right_click_a_wire_to_disconnect_it(window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QContextMenuEvent

    canvas = window.canvas
    canvas.reset_zoom()
    canvas.center_on("n1")
    wire = canvas.graph_scene.edges[("n1", "n2")]
    pos = canvas.mapFromScene(wire._path.pointAtPercent(0.3))
    chosen = []

    def pick():
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(20, pick)
            return
        chosen.extend(a.text() for a in menu.actions())
        next(a for a in menu.actions() if a.text() == "Disconnect").trigger()
        menu.close()

    QTimer.singleShot(0, pick)
    QApplication.sendEvent(canvas.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                                canvas.viewport().mapToGlobal(pos)))
    assert "Insert layer here" in chosen
    assert ("n1", "n2") not in window.document.graph.edges
    assert window.canvas.node_item("n2").opacity() < 1


def test_arrow_keys_nudge_and_delete_while_typing_a_name_deletes_nothing(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.select_only(["n1"])
    x0, y0 = doc.graph.nodes["n1"].pos
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Right)
    qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert doc.graph.nodes["n1"].pos == (x0 + 20, y0 + 100)
    assert canvas.node_item("n1").pos() == QPointF(x0 + 20, y0 + 100)
    name = window.inspector.name_edit
    name.setFocus()
    name.setCursorPosition(0)
    qtbot.keyClick(name, Qt.Key.Key_Delete)  # deletes a character, not the block
    assert "n1" in doc.graph.nodes and doc.graph.nodes["n1"].name == "onv1"
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert canvas.graph_scene.selected_ids() == [] and doc.selected is None


def test_click_a_wire_and_press_delete_to_disconnect(window, qtbot):
    canvas, doc = window.canvas, window.document
    src, dst = next(e for e in doc.graph.edges if doc.graph.nodes[e[0]].pos[1] == doc.graph.nodes[e[1]].pos[1])
    canvas.reset_zoom()
    canvas.center_on(src)
    wire = canvas.graph_scene.edges[(src, dst)]
    pos = canvas.mapFromScene(wire._path.pointAtPercent(0.35))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert canvas.graph_scene.selected_edges() == [(src, dst)]
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert (src, dst) not in doc.graph.edges and src in doc.graph.nodes and dst in doc.graph.nodes
    assert doc.undo_stack.count() == 1


def test_drop_on_a_block_appends_after_it_and_enter_with_nothing_selected_extends_the_model(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.reset_zoom()
    canvas.center_on("n12")
    drag_from_palette(window, "LogSoftmax", canvas.mapFromScene(canvas.node_item("n12").sceneBoundingRect().center()))
    new = doc.graph.successors("n12")[0]
    assert doc.graph.nodes[new].type == "LogSoftmax" and doc.shapes.path[-1] == new
    doc.select(None)
    qtbot.keyClicks(window.palette.search, "dropout")
    qtbot.keyClick(window.palette.search, Qt.Key.Key_Return)
    assert doc.graph.nodes[doc.shapes.path[-1]].type == "Dropout" and doc.shapes.valid
