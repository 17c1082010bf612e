"""Branches on the canvas: merge ports, fan-out, skip connections, rejoining deletes, layered auto-layout."""
import json

from PySide6.QtCore import QPoint, QPointF, Qt

from designer.core import layout, project as projects, templates
from tests.ui.test_canvas import badge, drag_from_palette
from tests.ui.test_canvas_drag import drag

CHAIN = {"format": "netdesigner.project", "version": 1, "name": "small", "nodes": [
    {"id": "input", "type": "Input", "params": {"shape": [1, 8, 8]}, "pos": [0, 0]},
    {"id": "conv", "type": "Conv2d", "params": {"in_channels": 1, "out_channels": 4, "kernel_size": 3,
                                                "padding": 1}, "pos": [180, 0]},
    {"id": "relu", "type": "ReLU", "params": {}, "pos": [360, 0]}],
    "edges": [{"from": "input", "to": "conv"}, {"from": "conv", "to": "relu"}]}


def _open(window, tmp_path, data=CHAIN):
    path = tmp_path / "small.netproj.json"
    path.write_text(json.dumps(data))
    assert window.open_file(path)
    window.canvas.reset_zoom()
    window.canvas.centerOn(QPointF(360, 120))
    return projects.dumps(window.document.project)


def _center(canvas, node_id) -> QPoint:
    return canvas.mapFromScene(canvas.node_item(node_id).sceneBoundingRect().center())


def test_a_residual_block_built_by_mouse_then_a_skip_connection_and_undo_back_to_the_same_file(
        window, qtbot, tmp_path):
    doc, canvas = window.document, window.canvas
    start = _open(window, tmp_path)
    drag_from_palette(window, "Add", canvas.mapFromScene(QPointF(600, 200)))
    add = next(n for n in doc.graph.nodes if doc.graph.nodes[n].type == "Add")
    assert len(canvas.node_item(add).input_ports) == 2
    drag(qtbot, canvas, canvas.port_point("relu", True), canvas.port_point(add, False, 0))
    drag(qtbot, canvas, canvas.port_point("conv", True), canvas.port_point(add, False, 1))
    graph = doc.graph
    assert graph.inputs(add) == ["relu", "conv"]  # the wire on port 0 is x1
    assert graph.successors("conv") == ["relu", add]  # one output feeds two wires
    assert len(canvas.node_item(add).input_ports) == 3  # all ports wired: a free one grows
    assert doc.shapes.valid and doc.shapes.nodes[add].out_shape == (4, 8, 8)
    assert badge(window, "relu", add) == badge(window, "conv", add) == "(4, 8, 8)"
    ends = {e.place: e.path_point(1.0) for e in canvas.node_item(add).edges if e.dst.node_id == add}
    assert ends[0].y() < ends[1].y()  # each wire ends on its own port
    assert json.loads(projects.dumps(doc.project))["version"] == 2

    # Select conv and relu with the mouse, then Model ▸ Add Skip Connection.
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, "conv"))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     _center(canvas, "relu"))
    assert set(canvas.graph_scene.selected_ids()) == {"conv", "relu"} and window.skip_action.isEnabled()
    before_skip = doc.undo_stack.count()
    window.skip_action.trigger()
    assert doc.undo_stack.count() == before_skip + 1  # one undo step
    skip_add = doc.selected
    assert graph.nodes[skip_add].type == "Add" and doc.shapes.valid
    projection = graph.inputs(skip_add)[1]
    assert graph.inputs(skip_add)[0] == "relu" and graph.nodes[projection].type == "Conv2d"
    assert graph.nodes[projection].params == {"in_channels": 1, "out_channels": 4, "kernel_size": 1}
    assert graph.predecessors(projection) == ["input"] and graph.successors(skip_add) == [add]
    assert graph.inputs(add) == [skip_add, "conv"]  # the old wire kept its port

    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_deleting_a_block_in_a_branch_rejoins_its_input_to_every_block_it_fed_in_one_step(window, qtbot, tmp_path):
    data = json.loads(json.dumps(CHAIN))
    data["nodes"].append({"id": "side", "type": "Tanh", "params": {}, "pos": [360, 140]})
    data["nodes"].append({"id": "cat", "type": "Concat", "params": {}, "pos": [540, 0]})
    data["edges"] += [{"from": "conv", "to": "side"}, {"from": "relu", "to": "cat", "port": 0},
                      {"from": "side", "to": "cat", "port": 1}]
    data["version"] = 2
    doc, canvas = window.document, window.canvas
    start = _open(window, tmp_path, data)
    assert doc.shapes.valid and doc.shapes.nodes["cat"].out_shape == (8, 8, 8)
    canvas.select_only(["conv"])
    qtbot.keyClick(canvas, Qt.Key.Key_Delete)
    graph = doc.graph
    assert "conv" not in graph.nodes and sorted(graph.successors("input")) == ["relu", "side"]
    assert graph.inputs("cat") == ["relu", "side"] and doc.shapes.nodes["cat"].out_shape == (2, 8, 8)
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_a_block_dropped_on_a_wire_into_a_merge_keeps_that_port(window, tmp_path):
    data = json.loads(json.dumps(CHAIN))
    data["nodes"].append({"id": "add", "type": "Add", "params": {}, "pos": [540, 140]})
    data["edges"] += [{"from": "relu", "to": "add", "port": 1}, {"from": "conv", "to": "add", "port": 0}]
    data["version"] = 2
    doc, canvas = window.document, window.canvas
    _open(window, tmp_path, data)
    wire = canvas.graph_scene.edges[("relu", "add")]
    drag_from_palette(window, "Tanh", canvas.mapFromScene(wire.path_point(0.5)))
    tanh = next(n for n in doc.graph.nodes if doc.graph.nodes[n].type == "Tanh")
    assert doc.graph.inputs("add") == ["conv", tanh] and doc.graph.port(tanh, "add") == 1


def test_fixes_on_a_merge_apply_to_the_branch_or_the_skip_path(window, tmp_path):
    data = json.loads(json.dumps(CHAIN))
    data["nodes"].append({"id": "add", "type": "Add", "params": {}, "pos": [540, 0]})
    data["edges"] += [{"from": "relu", "to": "add", "port": 0}, {"from": "input", "to": "add", "port": 1}]
    data["version"] = 2
    data["nodes"][0]["params"]["shape"] = [2, 8, 8]
    data["nodes"][1]["params"]["in_channels"] = 2
    doc = window.document
    start = _open(window, tmp_path, data)
    result = doc.shapes.nodes["add"]
    assert "dimension 1 (channels) is 4 on one and 2 on the other" in result.error
    assert result.fix.action == "set_param" and result.fix.node_id == "conv"
    doc.apply_fix("add", result.fix)
    assert doc.shapes.valid and doc.graph.nodes["conv"].params["out_channels"] == 2
    doc.undo_stack.undo()
    doc.set_param("conv", "stride", 2)
    fix = doc.shapes.nodes["add"].fix
    assert fix.action == "insert_on_edge" and fix.edge == ("input", "add")
    doc.apply_fix("add", fix)
    assert doc.shapes.valid and doc.shapes.nodes["add"].out_shape == (4, 4, 4)
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_auto_layout_lays_a_branching_model_out_in_layers(window, qtbot):
    window.new_from_template(lambda: templates.new_project("resnet-mnist"))
    doc = window.document
    for node_id in doc.graph.nodes:
        doc.graph.move(node_id, (0, 0))
    qtbot.keyClick(window.canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Model ▸ Auto-layout
    positions = {n: node.pos for n, node in doc.graph.nodes.items()}
    # in layers, wrapped into bands where that shows the model larger in the window
    assert positions in [layout.layered(doc.graph, k) for k in range(2, len(positions) + 1)]
    assert len(set(positions.values())) == len(positions)


def test_a_project_with_x_plus_x_opens_on_the_canvas_and_saves_as_it_was(window, qtbot, tmp_path):
    data = {**CHAIN, "version": 2, "nodes": CHAIN["nodes"] + [{"id": "add", "type": "Add", "params": {},
                                                               "pos": [540, 0]}],
            "edges": CHAIN["edges"] + [{"from": "relu", "to": "add", "port": 1}, {"from": "relu", "to": "add",
                                                                                  "port": 0}]}
    _open(window, tmp_path, data)
    assert window.document.shapes.valid and window.document.shapes.output_shape == (4, 8, 8)
    assert canvas_edges(window) >= 1
    out = tmp_path / "again.netproj.json"
    projects.save(window.document.project, out)
    assert json.loads(out.read_text())["edges"][2:] == data["edges"][2:]


def canvas_edges(window) -> int:
    return sum(1 for (src, dst) in window.canvas.scene().edges if (src, dst) == ("relu", "add"))
