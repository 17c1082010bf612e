"""Make Block and Unpack on real graphs: the model computes the same, and what cannot be a block is refused."""

import pytest

from designer.core import project, shapes
from designer.core.block_edits import make_block, unpack
from designer.core.blocks import BlockError
from designer.core.receptive import receptive_fields
from tests.core.block_projects import spec_example


def resnet():
    return project.load("/work/shared/spec/examples/resnet-mnist-v2.json")


def summary(graph):
    result = shapes.infer(graph)
    return result.valid, result.output_shape, result.parameters, result.macs


def test_a_residual_block_becomes_one_block_with_the_identity_as_its_one_input():
    proj = resnet()
    before = summary(proj.graph)
    fields_before = receptive_fields(proj.graph, shapes.infer(proj.graph))["n7"]
    block, instance = make_block(proj.graph, ["n3", "n4", "n5", "n6"], "Residual")
    assert proj.graph.inputs(instance) == ["n2"] and proj.graph.successors(instance) == ["n7"]
    assert sorted(block.graph.nodes) == ["in", "n3", "n4", "n5", "n6"]
    assert summary(proj.graph) == before
    result = shapes.infer(proj.graph)
    assert result.nodes[instance].out_shape == (16, 28, 28)
    assert receptive_fields(proj.graph, result)["n7"] == fields_before
    again = project.loads(project.dumps(proj))
    assert summary(again.graph) == before


def test_unpack_puts_the_layers_back_with_the_arguments_written_in():
    proj = project.from_dict(spec_example())
    before = summary(proj.graph)
    proj.graph.set_param("b2", "stride", 1)
    new_ids = unpack(proj.graph, "b2")
    assert set(new_ids) == {"c1", "r1", "c2", "add"}
    conv = proj.graph.nodes[new_ids["c1"]]
    assert conv.params["in_channels"] == 16 and conv.params["stride"] == 1 and conv.name == "conv1"
    assert summary(proj.graph) == before
    assert proj.blocks.count("BasicBlock") == 1


@pytest.mark.parametrize("selection, message", [
    (["n9", "n10"], "a block has one output, but 2 of the selected layers"),  # both branches of the Concat
    (["n3", "n5", "n6"], "a path leaves the selection and comes back"),
    (["n6", "n7"], "a block takes one input, but 2 wires"),
    (["input", "n1"], "the Input cannot go into a block"),
])
def test_selections_that_cannot_be_a_block_are_refused(selection, message):
    proj = resnet()
    with pytest.raises(BlockError, match=message):
        make_block(proj.graph, selection, "Bad")
    assert "Bad" not in proj.blocks
