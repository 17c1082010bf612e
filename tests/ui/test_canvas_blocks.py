"""Blocks on the canvas: Make Block, Unpack and Make unique from the Model menu, each one undo step."""
import json

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QTableView

from designer.core import project as projects
from tests.ui.test_canvas import badge
from tests.ui.test_canvas_branches import _center, _open

RESIDUAL = {"format": "netdesigner.project", "version": 2, "name": "res", "nodes": [
    {"id": "input", "type": "Input", "params": {"shape": [1, 8, 8]}, "pos": [0, 0]},
    {"id": "stem", "type": "Conv2d", "params": {"in_channels": 1, "out_channels": 4, "kernel_size": 3,
                                                "padding": 1}, "pos": [180, 0]},
    {"id": "conv", "type": "Conv2d", "params": {"in_channels": 4, "out_channels": 4, "kernel_size": 3,
                                                "padding": 1}, "pos": [360, 0]},
    {"id": "relu", "type": "ReLU", "params": {}, "pos": [540, 0]},
    {"id": "add", "type": "Add", "params": {}, "pos": [720, 0]},
    {"id": "flat", "type": "Flatten", "params": {}, "pos": [900, 0]}],
    "edges": [{"from": "input", "to": "stem"}, {"from": "stem", "to": "conv"}, {"from": "conv", "to": "relu"},
              {"from": "relu", "to": "add"}, {"from": "stem", "to": "add", "port": 1},
              {"from": "add", "to": "flat"}]}


def answer_name(qtbot, text: str | None, seen: list):
    """Type ``text`` as the block's name in the next Make Block dialog and press Enter (None: Escape)."""
    def poll():
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(20, poll)
            return
        edit = dialog.findChild(QLineEdit)
        seen.append(edit.text())
        if text is None:
            qtbot.keyClick(edit, Qt.Key.Key_Escape)
            return
        edit.selectAll()
        qtbot.keyClicks(edit, text)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    QTimer.singleShot(0, poll)


def _select(qtbot, canvas, *ids):
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, ids[0]))
    for node_id in ids[1:]:
        qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                         _center(canvas, node_id))
    assert set(canvas.graph_scene.selected_ids()) == set(ids)


def test_make_block_from_a_residual_selection_then_unpack_and_undo_to_the_same_file(window, qtbot, tmp_path):
    doc, canvas, actions = window.document, window.canvas, window.block_actions
    start = _open(window, tmp_path, RESIDUAL)
    canvas.fit()
    assert not actions.make.isEnabled() and not actions.unpack.isEnabled()
    _select(qtbot, canvas, "conv", "relu", "add")
    assert actions.make.isEnabled() and not actions.unpack.isEnabled()
    seen: list = []
    answer_name(qtbot, "BasicBlock", seen)
    steps = doc.undo_stack.count()
    actions.make.trigger()
    assert seen == ["ResidualBlock"]  # the offered name says what the selection is
    assert doc.undo_stack.count() == steps + 1
    graph = doc.graph
    (instance,) = [n for n in graph.nodes if graph.nodes[n].type == "BasicBlock"]
    assert set(graph.nodes) == {"input", "stem", instance, "flat"}
    assert graph.predecessors(instance) == ["stem"] and graph.successors(instance) == ["flat"]
    assert doc.shapes.valid and doc.shapes.nodes[instance].out_shape == (4, 8, 8)
    assert badge(window, "stem", instance) == badge(window, instance, "flat") == "(4, 8, 8)"
    assert canvas.graph_scene.selected_ids() == [instance] and actions.unpack.isEnabled()
    made = projects.dumps(doc.project)
    assert json.loads(made)["version"] == 3 and "BasicBlock" in json.loads(made)["blocks"]

    actions.unpack.trigger()
    assert doc.undo_stack.count() == steps + 2
    assert {graph.nodes[n].type for n in graph.nodes} == {"Input", "Conv2d", "ReLU", "Add", "Flatten"}
    assert doc.shapes.valid and doc.shapes.nodes["flat"].out_shape == (256,)

    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == made
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start
    doc.undo_stack.redo()
    assert projects.dumps(doc.project) == made
    doc.undo_stack.redo()
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == made


def test_a_refused_selection_is_said_in_the_status_bar_and_changes_nothing(window, qtbot, tmp_path):
    doc, canvas, actions = window.document, window.canvas, window.block_actions
    start = _open(window, tmp_path, RESIDUAL)
    canvas.fit()
    _select(qtbot, canvas, "conv", "relu")  # relu feeds add, and stem's wire goes round them into add: fine
    _select(qtbot, canvas, "relu", "add", "flat")  # two wires from different layers come in
    answer_name(qtbot, "Two", [])
    steps = doc.undo_stack.count()
    actions.make.trigger()
    assert "one input" in window.statusBar().currentMessage()
    assert doc.undo_stack.count() == steps and projects.dumps(doc.project) == start
    seen: list = []
    answer_name(qtbot, None, seen)  # Escape: nothing happens
    actions.make.trigger()
    assert seen and projects.dumps(doc.project) == start


def test_block_edits_are_greyed_out_while_training_holds_the_model(window, qtbot, tmp_path):
    doc, canvas, actions = window.document, window.canvas, window.block_actions
    _open(window, tmp_path, RESIDUAL)
    canvas.fit()
    _select(qtbot, canvas, "conv", "relu")
    assert actions.make.isEnabled()
    doc.set_locked(True, "training is running")
    assert not actions.make.isEnabled() and not actions.unpack.isEnabled()
    doc.set_locked(False)
    assert actions.make.isEnabled()


def test_make_unique_gives_one_instance_its_own_definition_in_one_undo_step(window, qtbot, tmp_path):
    doc, canvas, actions = window.document, window.canvas, window.block_actions
    assert window.open_file("designer/resources/examples/resnet18-small.netproj.json")
    start = projects.dumps(doc.project)
    graph = doc.graph
    instance = next(n for n in graph.nodes if graph.is_block(n) and graph.blocks.count(graph.nodes[n].type) > 1)
    old = graph.nodes[instance].type
    canvas.graph_scene.select_only([instance])
    assert actions.unique.isEnabled()
    actions.unique.trigger()
    assert graph.nodes[instance].type != old and graph.nodes[instance].type in graph.blocks
    assert doc.shapes.valid
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_an_instance_card_shows_its_block_arguments_parameters_and_multiply_adds(window):
    assert window.open_file("designer/resources/examples/resnet18-small.netproj.json")
    doc, scene = window.document, window.canvas.graph_scene
    graph = doc.graph
    instance = next(n for n in graph.nodes if graph.is_block(n) and graph.nodes[n].params)
    item = window.canvas.node_item(instance)
    result = doc.shapes.nodes[instance]
    assert item.type_name == graph.nodes[instance].type and item.is_block
    for key, value in graph.nodes[instance].params.items():
        assert f"{key}={value}" in item.summary
    params = sum(result.inner.nodes[n].parameters for n in result.inner.path)
    assert params > 0 and item.counts.split("\n")[0] == f"{params / 1000:.1f}".rstrip("0").rstrip(".") + "k params"
    assert item.counts.split("\n")[1].endswith("M mult-adds") and result.macs >= 1e6
    assert scene.tooltip(instance)  # built from the definition, no catalog entry needed


def _open_resnet(window):
    assert window.open_file("designer/resources/examples/resnet18-small.netproj.json")
    return projects.dumps(window.document.project)


def test_double_click_enters_a_block_with_its_instance_shapes_and_an_edit_inside_changes_every_instance(
        window, qtbot):
    doc, canvas = window.document, window.canvas
    start = _open_resnet(window)
    canvas.center_on("n9")
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, "n9"))
    assert doc.level == ["n9"]
    definition = doc.graph.blocks["BasicBlock"].graph
    assert set(canvas.graph_scene.nodes) == set(definition.nodes)
    assert canvas.breadcrumb.isVisible() and canvas.breadcrumb.parts() == ["Model", "BasicBlock"]
    assert badge(window, "n1", "n2") == "(64, 7, 7)"  # the shapes of the instance entered through (channels=64)
    # Inner parameters set by an argument are not edited here.
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, "n1"))
    assert window.inspector.editors["in_channels"][0].isEnabled() is False
    assert window.inspector.editors["kernel_size"][0].isEnabled()

    # Delete the last ReLU inside: every BasicBlock loses it, the model's shapes follow.
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, "n7"))
    qtbot.keyClick(canvas.viewport(), Qt.Key.Key_Delete)
    assert "n7" not in definition.nodes and "n7" not in canvas.graph_scene.nodes
    for node_id in ("n4", "n5", "n7", "n9", "n11"):
        assert "n7" not in doc.shapes.nodes[node_id].inner.nodes
    assert doc.shapes.valid and doc.level == ["n9"]

    qtbot.keyClick(canvas.viewport(), Qt.Key.Key_Escape)
    assert doc.level == [] and not canvas.breadcrumb.isVisible()
    assert "n9" in canvas.graph_scene.nodes and "n1" in canvas.graph_scene.nodes
    doc.undo_stack.undo()  # undone from the model's level: the definition gets its ReLU back
    assert projects.dumps(doc.project) == start
    doc.undo_stack.redo()
    assert "n7" not in definition.nodes
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_the_breadcrumb_leaves_and_undoing_the_block_you_are_in_brings_you_out(window, qtbot, tmp_path):
    doc, canvas, actions = window.document, window.canvas, window.block_actions
    _open(window, tmp_path, RESIDUAL)
    canvas.fit()
    _select(qtbot, canvas, "conv", "relu", "add")
    answer_name(qtbot, "Res", [])
    actions.make.trigger()
    (instance,) = [n for n in doc.graph.nodes if doc.graph.nodes[n].type == "Res"]
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, instance))
    assert doc.level == [instance] and canvas.breadcrumb.parts() == ["Model", "Res"]
    doc.leave()
    assert doc.level == []
    doc.enter(instance)
    canvas.breadcrumb.linkActivated.emit("0")  # the "Model" link
    assert doc.level == [] and instance in canvas.graph_scene.nodes
    doc.enter(instance)
    doc.undo_stack.undo()  # Make Block undone: the block entered is gone
    assert doc.level == [] and "conv" in canvas.graph_scene.nodes and not canvas.breadcrumb.isVisible()


def test_at_1366x768_auto_layout_shows_the_resnet_template_and_its_blocks_at_a_readable_zoom(window, qtbot):
    window.resize(1366, 768)
    _open_resnet(window)
    canvas = window.canvas
    qtbot.keyClick(canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Model ▸ Auto-layout
    canvas.fit()  # View ▸ Fit to View
    assert canvas.zoom() >= 0.7 and canvas.fits_readably()
    for instance in ("n4", "n6"):  # a BasicBlock and a DownBlock (its two paths)
        window.document.enter(instance)
        qtbot.keyClick(canvas, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        canvas.fit()
        assert canvas.zoom() >= 0.7 and canvas.fits_readably()
        positions = [node.pos for node in window.document.edit_graph.nodes.values()]
        assert len(set(positions)) == len(positions)
        qtbot.keyClick(canvas.viewport(), Qt.Key.Key_Escape)


def test_a_project_without_positions_opens_laid_out_readably_at_1366x768(window, tmp_path):
    window.resize(1366, 768)
    data = json.loads(open("designer/resources/examples/resnet18-small.netproj.json").read())
    for node in data["nodes"] + [n for block in data["blocks"].values() for n in block["nodes"]]:
        node.pop("pos", None)
    path = tmp_path / "imported.netproj.json"
    path.write_text(json.dumps(data))
    assert window.open_file(path)
    graph = window.document.graph
    for g in [graph] + [block.graph for block in graph.blocks.values()]:
        positions = [node.pos for node in g.nodes.values()]
        assert len(set(positions)) == len(positions)
    window.canvas.fit()
    assert window.canvas.zoom() >= 0.7 and window.canvas.fits_readably()


def test_the_palette_lists_the_projects_blocks_to_drag_in_again(window, qtbot):
    from tests.ui.test_canvas import drag_from_palette

    start = _open_resnet(window)
    doc, palette = window.document, window.palette
    group = palette.groups["Blocks"]
    assert [group.child(i).text(0) for i in range(group.childCount())] == ["BasicBlock", "DownBlock"]
    assert not group.isHidden()
    before = set(doc.graph.nodes)
    drag_from_palette(window, "BasicBlock", QPoint(40, 40))
    (new,) = set(doc.graph.nodes) - before
    assert doc.graph.nodes[new].type == "BasicBlock" and window.canvas.node_item(new).is_block
    assert doc.graph.blocks.count("BasicBlock") == 6
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start
    qtbot.keyClicks(palette.search, "down")
    assert palette.entries["DownBlock"].isHidden() is False and palette.entries["BasicBlock"].isHidden()
    palette.search.clear()
    doc.enter("n4")  # inside BasicBlock, BasicBlock cannot go in itself
    assert [group.child(i).text(0) for i in range(group.childCount())] == ["DownBlock"]


def test_the_model_summary_opens_a_block_instance_onto_its_layers(window, qtbot):
    _open_resnet(window)
    table = window.findChild(QTableView, "summaryTable")
    model = table.table_model
    model.refresh()
    names = [row[0] for row in model.rows]
    row = names.index("▸ layer3_1")  # n9, BasicBlock with channels=64
    total = model.rows[-1]
    assert len(model.rows) == 16  # 15 layers and the totals
    table.scrollTo(model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(model.index(row, 0)).center())
    assert model.rows[row][0] == "▾ layer3_1" and window.document.selected == "n9"
    inner = model.rows[row + 1:row + 8]
    assert [r[0].strip() for r in inner] == ["conv1", "bn1", "relu1", "conv2", "bn2", "add", "relu2"]
    assert inner[0][2] == "(64, 7, 7)" and inner[0][3] == f"{64 * 64 * 9:,}"
    assert model.rows[-1] == total  # each instance counted once
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(model.index(row, 0)).center())
    assert len(model.rows) == 16 and model.rows[row][0] == "▸ layer3_1"


def test_one_click_makes_an_inner_parameter_an_argument_each_instance_can_set(window, qtbot):
    from PySide6.QtWidgets import QToolButton

    doc, canvas = window.document, window.canvas
    start = _open_resnet(window)
    doc.enter("n4")
    canvas.graph_scene.select_only(["n1"])  # conv1 inside BasicBlock
    button = window.inspector.findChild(QToolButton, "argument_kernel_size")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    block = doc.graph.blocks["BasicBlock"]
    assert block.args == {"channels": 16, "kernel_size": 3}
    assert block.graph.nodes["n1"].params["kernel_size"] == "$kernel_size"
    assert not window.inspector.editors["kernel_size"][0].isEnabled()
    assert doc.shapes.valid and "$kernel_size" in window.statusBar().currentMessage()
    qtbot.keyClick(canvas.viewport(), Qt.Key.Key_Escape)
    doc.set_param("n9", "kernel_size", 5)  # one instance sets its own value
    assert doc.shapes.nodes["n9"].inner.nodes["n1"].resolved["kernel_size"] == (5, 5)
    assert doc.shapes.nodes["n4"].inner.nodes["n1"].resolved["kernel_size"] == (3, 3)
    error = doc.shapes.nodes["n9"].error  # 5×5 with padding 1 shrinks the path: the skip no longer adds up
    assert error and " › " in error and canvas.node_item("n9").error == error  # the card turns red
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_selecting_layers_inside_a_block_leaves_the_other_panels_working(window, qtbot):
    from PySide6.QtWidgets import QDockWidget

    doc, canvas = window.document, window.canvas
    _open_resnet(window)
    for dock in window.findChildren(QDockWidget):
        dock.show()
        dock.raise_()
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, "n4"))
    assert doc.level == ["n4"]
    for node_id in list(doc.edit_graph.nodes):
        canvas.graph_scene.select_only([node_id])
        qtbot.wait(1)
        assert doc.selected == node_id and window.inspector.node_id == node_id
    qtbot.keyClick(canvas.viewport(), Qt.Key.Key_Escape)
    canvas.graph_scene.select_only(["n4"])
    assert doc.selected == "n4"


def test_make_unique_from_the_inspector_then_an_edit_inside_changes_that_instance_alone(window, qtbot):
    from PySide6.QtWidgets import QPushButton

    doc, canvas = window.document, window.canvas
    start = _open_resnet(window)
    canvas.graph_scene.select_only(["n9"])
    button = window.inspector.findChild(QPushButton, "makeUniqueButton")
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    own = doc.graph.nodes["n9"].type
    assert own == "BasicBlock2" and doc.graph.blocks.count("BasicBlock") == 4
    assert not window.inspector.findChild(QPushButton, "makeUniqueButton").isEnabled()  # used once now
    doc.enter("n9")
    canvas.graph_scene.select_only(["n7"])
    canvas.delete_selected()
    assert "n7" not in doc.shapes.nodes["n9"].inner.nodes and "n7" in doc.shapes.nodes["n11"].inner.nodes
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_an_inner_error_shows_on_the_instance_and_its_fix_edits_the_definition(window, qtbot):
    from PySide6.QtWidgets import QPushButton

    doc, canvas = window.document, window.canvas
    start = _open_resnet(window)
    doc.enter("n4")
    doc.set_param("n2", "num_features", 5)  # bn1 inside BasicBlock no longer matches conv1's 16 channels
    qtbot.keyClick(canvas.viewport(), Qt.Key.Key_Escape)
    error = doc.shapes.nodes["n4"].error
    assert error.startswith("layer1_0 › bn1") and canvas.node_item("n4").error == error
    canvas.graph_scene.select_only(["n4"])
    fix = window.inspector.findChild(QPushButton, "fixButton")
    assert fix.isVisible()
    qtbot.mouseClick(fix, Qt.MouseButton.LeftButton)
    assert doc.graph.blocks["BasicBlock"].graph.nodes["n2"].params["num_features"] == 16
    assert doc.shapes.nodes["n4"].error is None and canvas.node_item("n4").error is None
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert projects.dumps(doc.project) == start


def test_a_problem_double_clicked_inside_a_block_goes_to_the_models_instance(window, qtbot):
    """An edit inside BasicBlock breaks every instance; the problem names layer1_0 (the model's n4), which inside
    BasicBlock is also the id of conv2: the click leaves the block and selects the instance."""
    doc, canvas = window.document, window.canvas
    _open_resnet(window)
    canvas.center_on("n7")
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, "n7"))
    qtbot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=_center(canvas, "n1"))
    spin = window.inspector.editors["kernel_size"][0].first
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "5")  # padding 1 keeps 3×3 sizes only: the Add's inputs no longer match
    assert not doc.shapes.valid and doc.level == ["n7"]
    window.dock_for("Model").raise_()
    window.bottom_tabs.setCurrentWidget(window.problems)
    problems = window.problems
    qtbot.waitUntil(lambda: problems.count() > 0, timeout=3000)
    item = next(problems.item(i) for i in range(problems.count())
                if problems.item(i).data(Qt.ItemDataRole.UserRole) == "n4")
    assert item.text().startswith("layer1_0")
    problems.scrollToItem(item)
    pos = problems.visualItemRect(item).center()
    qtbot.mouseClick(problems.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(problems.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert doc.level == [] and doc.selected == "n4" and canvas.graph_scene.selected_ids() == ["n4"]
    assert window.inspector.node_id == "n4" and doc.graph.nodes["n4"].type == "BasicBlock"


def test_an_imported_torchvision_resnet18_opens_readable_at_1366x768_top_level_and_inside_layer2(window, qtbot,
                                                                                              tmp_path):
    from tests.ml.importing.test_corpus import Case, _import

    result = _import(Case("tv_resnet18.py", (3, 64, 64), "model"), (3, 224, 224))  # as `import` writes it
    assert result.ok, result.report()
    path = tmp_path / "resnet18.netproj.json"
    projects.save(result.project, path)
    window.resize(1366, 768)
    assert window.open_file(path)
    canvas = window.canvas
    names = [window.document.graph.nodes[n].name for n in window.document.graph.model_path().nodes]
    assert names[4:9] == ["maxpool", "layer1", "layer2", "layer3", "layer4"]
    assert canvas.zoom() >= 0.7 and canvas.fits_readably()  # as opened: no Auto-layout, no Fit to View
    layer2 = next(n for n, node in window.document.graph.nodes.items() if node.name == "layer2")
    qtbot.mouseDClick(canvas.viewport(), Qt.MouseButton.LeftButton,
                      pos=canvas.mapFromScene(canvas.node_item(layer2).sceneBoundingRect().center()))
    assert window.document.level == [layer2] and canvas.breadcrumb.parts() == ["Model", "Layer2"]
    assert canvas.zoom() >= 0.7 and canvas.fits_readably()
