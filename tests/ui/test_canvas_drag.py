"""Dragging blocks already on the canvas onto wires, and the Input that cannot be deleted."""
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QKeySequence

from designer.core import project as projects
from designer.core.graph import GraphError
from tests.ui.test_canvas import badge, drag_from_palette


def drag(qtbot, canvas, start: QPoint, end: QPoint, before_release=None) -> None:
    """Press on ``start``, move in two steps to ``end`` and release (calling ``before_release`` while held)."""
    viewport = canvas.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, start + QPoint(10, 10))
    qtbot.mouseMove(viewport, end)
    if before_release is not None:
        before_release()
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


def test_drag_a_fresh_block_onto_a_wire_inserts_it_in_one_undo_step(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.reset_zoom()
    canvas.centerOn(QPointF(460, 100))  # the window lays LeNet out 3 blocks a row: conv1 → relu1 is at the top
    drag_from_palette(window, "BatchNorm2d", canvas.mapFromScene(QPointF(655, 173)))  # right of the rows: unwired
    new = next(n.id for n in doc.graph.nodes.values() if n.type == "BatchNorm2d")
    assert not doc.graph.predecessors(new) and doc.graph.nodes[new].params["num_features"] == 1
    after_add = projects.dumps(doc.project)
    wire = canvas.graph_scene.edges[("n1", "n2")]
    seen = []
    drag(qtbot, canvas, canvas.mapFromScene(canvas.node_item(new).sceneBoundingRect().center()),
         canvas.mapFromScene(wire._path.pointAtPercent(0.5)),
         before_release=lambda: seen.append(wire.highlight))
    assert seen == [True]  # the wire lit up while the block hovered over it
    assert not wire.scene() or not wire.highlight
    graph = doc.graph
    assert graph.successors("n1") == [new] and graph.successors(new) == ["n2"]
    assert graph.nodes[new].params["num_features"] == 6  # fitted to the shape it now receives
    assert doc.shapes.valid and badge(window, new, "n2") == "(6, 28, 28)"
    assert graph.nodes[new].pos == (360.0, 0.0) and graph.nodes["n2"].pos == (540.0, 0.0)  # placed in the row
    assert canvas.node_item(new).pos() == QPointF(360, 0)
    assert doc.undo_stack.count() == 2  # the palette drop, then move + insert as one step
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == after_add
    assert canvas.node_item(new).pos() == QPointF(*doc.graph.nodes[new].pos)
    assert ("n1", "n2") in canvas.graph_scene.edges


def test_dragging_a_wired_block_over_a_wire_only_moves_it(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.reset_zoom()
    canvas.center_on("n1")
    edges, start = list(doc.graph.edges), doc.graph.nodes["n4"].pos
    wire = canvas.graph_scene.edges[("n1", "n2")]
    seen = []
    drag(qtbot, canvas, canvas.mapFromScene(canvas.node_item("n4").sceneBoundingRect().center()),
         canvas.mapFromScene(wire._path.pointAtPercent(0.5)), before_release=lambda: seen.append(wire.highlight))
    # conv2 is wired: dropping it on a wire only moves it, the model stays as it was.
    assert seen == [False] and list(doc.graph.edges) == edges
    assert doc.graph.nodes["n4"].pos != start and doc.undo_stack.count() == 1


def test_the_input_cannot_be_deleted_but_the_rest_of_a_selection_can(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.select_only(["input"])
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert "input" in doc.graph.nodes and doc.undo_stack.count() == 0
    assert "Input" in window.statusBar().currentMessage()
    original = projects.dumps(doc.project)
    window.statusBar().clearMessage()
    canvas.select_all()
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    assert list(doc.graph.nodes) == ["input"] and "Input" in window.statusBar().currentMessage()
    projects.loads(projects.dumps(doc.project))  # what is left still saves as a file that opens again
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == original


def test_document_keeps_edited_parameters_and_refuses_the_input(window):
    doc = window.document
    node = doc.add_node("BatchNorm2d", {"num_features": 3}, pos=(900, 900))
    doc.move_onto_edge(node, ("n1", "n2"))
    assert doc.graph.nodes[node].params == {"num_features": 3}  # the user's value, now flagged as a problem
    assert doc.shapes.nodes[node].error
    with pytest.raises(GraphError):
        doc.move_onto_edge(node, ("n2", "n3"))  # already wired
    with pytest.raises(GraphError, match="Input"):
        doc.remove_nodes(["n5", "input"])
    assert "n5" in doc.graph.nodes and doc.undo_stack.count() == 2


def test_zoom_keys_including_ctrl_equals_without_shift(window, qtbot):
    canvas = window.canvas
    canvas.reset_zoom()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)  # "Ctrl +" without Shift
    assert canvas.zoom() == pytest.approx(1.2)
    qtbot.keySequence(canvas, QKeySequence.StandardKey.ZoomIn)
    assert canvas.zoom() == pytest.approx(1.44)
    qtbot.keySequence(canvas, QKeySequence.StandardKey.ZoomOut)
    assert canvas.zoom() == pytest.approx(1.2) and window.zoom_label.text() == "120%"
    qtbot.keyClick(canvas, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.zoom() == 1.0


def test_edit_menu_greys_out_what_needs_a_selection(window, qtbot):
    canvas = window.canvas
    edit = {a.text().replace("&", ""): a for a in window.menu("Edit").actions()}
    needs_blocks = [edit[t] for t in ("Cut", "Copy", "Duplicate")]
    canvas.reset_zoom()
    canvas.center_on("n1")
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert not any(a.isEnabled() for a in needs_blocks + [edit["Delete"]])
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                     pos=canvas.mapFromScene(canvas.node_item("n1").sceneBoundingRect().center()))
    assert all(a.isEnabled() for a in needs_blocks + [edit["Delete"]])
    wire = canvas.graph_scene.edges[("n1", "n2")]
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=canvas.mapFromScene(wire._path.pointAtPercent(0.5)))
    assert edit["Delete"].isEnabled() and not any(a.isEnabled() for a in needs_blocks)
    qtbot.keyClick(canvas, Qt.Key.Key_Escape)
    assert not edit["Delete"].isEnabled()
    assert edit["Paste"].isEnabled() and edit["Select All"].isEnabled()


def test_hold_space_and_drag_to_pan_without_moving_blocks(window, qtbot):
    doc, canvas = window.document, window.canvas
    canvas.reset_zoom()
    canvas.center_on("n4")
    h, v = canvas.horizontalScrollBar(), canvas.verticalScrollBar()
    x0, y0 = h.value(), v.value()
    canvas.setFocus()
    qtbot.keyPress(canvas, Qt.Key.Key_Space)
    start = canvas.mapFromScene(canvas.node_item("n4").sceneBoundingRect().center())  # grabbing a block
    drag(qtbot, canvas, start, start - QPoint(150, 100))
    qtbot.keyRelease(canvas, Qt.Key.Key_Space)
    assert (h.value(), v.value()) == (x0 + 150, y0 + 100)  # the view moved, the model did not
    assert doc.undo_stack.count() == 0 and doc.graph.nodes["n4"].pos == (180.0, 140.0)
    start = canvas.mapFromScene(canvas.node_item("n4").sceneBoundingRect().center())
    drag(qtbot, canvas, start, start + QPoint(0, 200))  # Space let go: a drag moves the block again
    assert doc.graph.nodes["n4"].pos == (180.0, 340.0) and (h.value(), v.value()) == (x0 + 150, y0 + 100)


def test_right_click_on_the_input_offers_no_delete(window, qtbot):
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    canvas = window.canvas
    canvas.reset_zoom()
    canvas.center_on("input")
    pos = canvas.mapFromScene(canvas.node_item("input").sceneBoundingRect().center())
    enabled = {}

    def look():
        menu = QApplication.activePopupWidget()
        if menu is None:
            QTimer.singleShot(20, look)
            return
        enabled.update((a.text(), a.isEnabled()) for a in menu.actions())
        menu.close()

    QTimer.singleShot(0, look)
    QApplication.sendEvent(canvas.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                                canvas.viewport().mapToGlobal(pos)))
    assert enabled == {"Duplicate": False, "Copy": True, "Cut": False, "Delete": False}
    assert canvas.graph_scene.selected_ids() == ["input"]
