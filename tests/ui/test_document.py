"""Document edits: one undo step each, and undo restores the exact file."""
from pathlib import Path

import pytest

from designer.core import project as projects
from designer.core.graph import GraphError
from designer.core.rules import Fix
from designer.ui.document import Document, EditLocked

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


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
