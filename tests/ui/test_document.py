"""Document edits: one undo step each, and undo restores the exact file."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from designer.core import project as projects
from designer.core.graph import GraphError
from designer.core.rules import Fix
from designer.ui.document import Document, EditLocked

EXAMPLES = Path(__file__).resolve().parents[2] / "designer" / "resources" / "examples"


@pytest.fixture
def doc(qapp):
    return Document(projects.load(EXAMPLES / "lenet-28.netproj.json"))


def test_every_edit_is_one_undo_step_and_undo_all_restores_the_file(doc):
    original = projects.dumps(doc.project)
    new = doc.add_node("Dropout", after="n8")
    assert doc.graph.successors("n8") == [new] and doc.graph.successors(new) == ["n9"]
    doc.set_param("n1", "out_channels", 8)
    doc.set_param("n1", "out_channels", 12)  # typed: merges with the previous
    doc.rename("n4", "second")
    doc.move(["n2"], [(355, 20)])
    doc.remove_nodes(["n5", "n6"])
    assert doc.graph.successors("n4") == ["n7"]
    doc.disconnect("n7", "n8")
    doc.connect("n7", "n8")
    pasted = doc.paste(doc.copy_data(["n1", "n2"]))
    assert len(pasted) == 2 and doc.graph.successors(pasted[0]) == [pasted[1]]
    doc.auto_layout()
    assert doc.undo_stack.count() == 9
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert projects.dumps(doc.project) == original
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert doc.graph.nodes["n1"].params["out_channels"] == 12
    assert "n5" not in doc.graph.nodes


def test_shapes_follow_edits_and_fixes(doc):
    seen = []
    doc.shapes_changed.connect(seen.append)
    doc.set_param("n1", "padding", 0)  # 24 -> 12 -> 8 -> 4: fc1 now wants 256
    result = doc.shapes.nodes["n8"]
    assert result.error and result.fix.value == 256
    doc.apply_fix("n8", result.fix)
    assert doc.shapes.valid and doc.graph.nodes["n8"].params["in_features"] == 256
    assert len(seen) == 2
    doc.remove_nodes(["n7"])  # drop Flatten: Linear wants a flat input
    fix = doc.shapes.nodes["n8"].fix
    assert fix.action == "insert_before"
    doc.apply_fix("n8", fix)
    assert doc.shapes.valid


def test_refused_edits_change_nothing(doc):
    before = projects.dumps(doc.project)
    with pytest.raises(GraphError):
        doc.connect("n3", "input")
    with pytest.raises(GraphError):
        doc.set_param("n1", "out_channels", 0)
    doc.set_locked(True, "training")
    with pytest.raises(EditLocked):
        doc.add_node("ReLU")
    assert projects.dumps(doc.project) == before and doc.undo_stack.count() == 0


def test_weights_cleared_when_model_changes(doc):
    doc.set_weights({"conv1.weight": 1})
    doc.move(["n1"], [(10, 10)])
    assert doc.weights is not None
    doc.rename("n1", "first")  # the state_dict keys would change
    assert doc.weights is None
    doc.set_weights({"first.weight": 1})
    doc.set_param("n10", "out_features", 50)
    assert doc.weights is None



def test_weights_cleared_when_only_the_wiring_changes(qapp):
    """Before, the document's signature left out the wires: a rewired branch kept weights of another model."""
    project = projects.Project(name="branches")
    graph = project.graph
    graph.add_node("Input", {"shape": [4]}, None, (0, 0), "input")
    graph.add_node("Linear", {"in_features": 4, "out_features": 4}, "a", (180, 0), "a")
    graph.add_node("Linear", {"in_features": 4, "out_features": 4}, "b", (180, 140), "b")
    graph.add_node("Add", {}, None, (360, 0), "add")
    for src, dst in [("input", "a"), ("input", "b"), ("a", "add"), ("b", "add")]:
        graph.connect(src, dst)
    doc = Document(project)
    doc.set_weights({"a.weight": 1, "b.weight": 2})
    doc.connect("a", "b")  # b now reads a's output: same layers, another model
    assert doc.shapes.valid and doc.weights is None
    doc.undo_stack.undo()
    assert doc.weights == {"a.weight": 1, "b.weight": 2}

EDITS = st.lists(st.tuples(st.sampled_from(["add", "remove", "connect", "disconnect", "param", "rename", "move",
                                            "fix", "paste", "layout", "insert"]),
                           st.integers(0, 10_000), st.integers(0, 10_000)), min_size=1, max_size=12)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_edit_sequence_undoes_to_the_exact_file_and_redoes_to_the_same_state(qapp, edits):
    doc = Document(projects.load(EXAMPLES / "lenet-28.netproj.json"))
    original = projects.dumps(doc.project)
    for kind, a, b in edits:
        ids = list(doc.graph.nodes)
        one, two = ids[a % len(ids)], ids[b % len(ids)]
        try:
            if kind == "add":
                doc.add_node(["ReLU", "Conv2d", "Linear", "Flatten"][a % 4], after=one if b % 2 else None)
            elif kind == "remove":
                doc.remove_nodes([one])
            elif kind == "connect":
                doc.connect(one, two)
            elif kind == "disconnect" and doc.graph.edges:
                doc.disconnect(*doc.graph.edges[a % len(doc.graph.edges)])
            elif kind == "param" and doc.graph.nodes[one].type == "Conv2d":
                doc.set_param(one, "out_channels", 1 + b % 32)
            elif kind == "rename":
                doc.rename(one, f"x{b}" if b % 3 else None)
            elif kind == "move":
                doc.move([one], [(a % 900, b % 500)])
            elif kind == "fix":
                result = doc.shapes.nodes.get(one)
                if result is not None and result.fix is not None:
                    doc.apply_fix(one, result.fix)
            elif kind == "paste":
                doc.paste(doc.copy_data([one, two]))
            elif kind == "layout":
                doc.auto_layout(1 + a % 6)
            elif kind == "insert" and doc.graph.edges:
                doc.insert_on_edge("Dropout", doc.graph.edges[a % len(doc.graph.edges)])
        except GraphError:
            pass  # refused edits must leave no trace: checked by the undo below
    final = projects.dumps(doc.project)
    while doc.undo_stack.canUndo():
        doc.undo_stack.undo()
    assert projects.dumps(doc.project) == original
    while doc.undo_stack.canRedo():
        doc.undo_stack.redo()
    assert projects.dumps(doc.project) == final


def test_the_selection_inside_nested_blocks_is_the_entered_instances_node(qapp):
    """Stage (layer2) holds a BasicBlock (block): conv1 selected in there is layer2.block.conv1, with that copy's
    shapes and receptive field, and a note naming the instances of BasicBlock."""
    from designer.core.receptive import field_of
    from designer.ui.canvas.levels import instance_note
    from tests.core.block_projects import small_resnet

    doc = Document(projects.from_dict(small_resnet()))
    doc.select("stem")
    assert doc.selection().path == ("stem",) and doc.selection().name == "stem" and instance_note(doc.selection()) == ""
    assert doc.enter("s") and doc.enter("b") and doc.selected is None and doc.selection() is None
    doc.select("c1")
    chosen = doc.selection()
    assert (chosen.path, chosen.name, chosen.block, chosen.instance) == (("s", "b", "c1"), "layer2.block.conv1",
                                                                        "BasicBlock", "layer2.block")
    assert chosen.node is doc.graph.blocks["BasicBlock"].graph.nodes["c1"]
    assert chosen.result.out_shape == (16, 8, 8) and chosen.result.resolved["in_channels"] == 16
    assert doc.edit_fields()["c1"] == field_of(doc.graph, doc.shapes, ("s", "b", "c1")) != \
        doc.receptive_fields()["stem"]
    assert instance_note(chosen) == ("BasicBlock is used 3 times (layer1_0, layer1_1, layer2.block): shown for "
                                     "layer2.block, the instance you entered through.")
    doc.leave(0)
    assert doc.selection() is None and doc.edit_fields() is doc.receptive_fields()


def test_a_top_level_undo_keeps_the_selection_made_inside_a_block(qapp):
    """The model's n3 and BasicBlock's n3 are different nodes: removing the model's leaves the other selected."""
    doc = Document(projects.load(EXAMPLES / "resnet18-small.netproj.json"))
    doc.remove_nodes(["n3"])
    doc.undo_stack.undo()
    assert doc.enter("n7")
    doc.select("n3")
    doc.undo_stack.redo()  # removes the model's n3 again
    assert "n3" not in doc.graph.nodes and doc.selected == "n3" and doc.selection().name == "layer2_1.relu1"
