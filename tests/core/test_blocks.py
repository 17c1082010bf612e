"""Blocks (format v3): definitions and instances, reading and writing, inference per instance, edits."""

import json

import pytest

from designer.core import project, shapes
from designer.core.blocks import BlockError
from designer.core.graph import GraphError
from designer.core.project import ProjectError
from tests.core.block_projects import small_resnet, spec_example


def load(data: dict) -> project.Project:
    return project.from_dict(json.loads(json.dumps(data)), "resnet.json")


def refused(data: dict) -> str:
    with pytest.raises(ProjectError) as info:
        load(data)
    return str(info.value)


def test_the_formats_example_loads_and_infers_each_instance():
    proj = load(spec_example())
    assert list(proj.blocks) == ["BasicBlock"]
    result = shapes.infer(proj.graph)
    assert result.valid
    assert result.nodes["b1"].out_shape == (16, 28, 28)
    # Two instances, each with two 3×3 convolutions of 16 → 16 channels and their biases.
    assert result.parameters == 2 * 2 * (16 * 16 * 9 + 16)
    assert result.nodes["b1"].inner.nodes["c1"].resolved["in_channels"] == 16


def test_a_project_with_blocks_round_trips_as_version_3():
    proj = load(small_resnet())
    text = project.dumps(proj)
    data = json.loads(text)
    assert data["version"] == 3
    assert list(data["blocks"]) == ["BasicBlock", "DownBlock", "Stage"]
    assert data["blocks"]["Stage"]["nodes"][1]["params"] == {"cin": 8, "cout": "$width"}
    again = project.loads(text)
    assert project.dumps(again) == text
    assert shapes.infer(again.graph).output_shape == (10,)


def test_a_project_without_blocks_is_still_written_as_version_1_or_2():
    proj = load(spec_example())
    graph = proj.graph
    for node_id in ("b1", "b2"):
        graph.remove_node(node_id)
    proj.blocks.remove("BasicBlock")
    assert json.loads(project.dumps(proj))["version"] == 1


def test_a_newer_version_is_refused_naming_both_versions():
    data = spec_example()
    data["version"] = 4
    message = refused(data)
    assert "version: is 4 (made by a newer NetDesigner)" in message
    assert "versions 1 to 3" in message


@pytest.mark.parametrize("edit, fragment", [
    (lambda d: d["blocks"]["BasicBlock"]["nodes"][1]["params"].update(stride="$strid"),
     'blocks.BasicBlock.nodes[1] (id "c1").params.stride: "$strid" is not an argument of BasicBlock '
     '(it takes: channels, stride)'),
    (lambda d: d["blocks"]["BasicBlock"]["nodes"][1]["params"].update(kernel_size=0),
     'blocks.BasicBlock.nodes[1] (id "c1").params.kernel_size: must be at least 1, not 0'),
    (lambda d: d["blocks"]["BasicBlock"]["nodes"][0].update(params={"shape": [1, 2, 2]}),
     "a block's Input takes its shape from the wire into the block"),
    (lambda d: d["blocks"]["BasicBlock"]["nodes"].pop(0),
     "blocks.BasicBlock.nodes: has no Input node; a block needs exactly one"),
    (lambda d: d["blocks"]["BasicBlock"]["edges"].append({"from": "add", "to": "c9"}),
     'blocks.BasicBlock.edges[5].to: no node has the id "c9"'),
    (lambda d: d["blocks"]["BasicBlock"]["nodes"].append({"id": "self", "type": "BasicBlock"}),
     'blocks.BasicBlock.nodes[5] (id "self").type: is the block itself; a block cannot contain itself'),
    (lambda d: d["blocks"].update({"Conv2d": {"nodes": [{"id": "in", "type": "Input"}]}}),
     'blocks.Conv2d: "Conv2d" cannot name a block'),
    (lambda d: d["blocks"]["BasicBlock"]["args"].update({"bad name": 1}),
     'blocks.BasicBlock.args."bad name": "bad name" cannot name an argument'),
    (lambda d: d["nodes"][1]["params"].update(width=3),
     'nodes[1] (id "b1").params.width: BasicBlock has no parameter "width" (it takes: channels, stride)'),
    (lambda d: d.update(blocks=[]), "blocks: must be an object of block definitions by name, not a list"),
])
def test_a_broken_definition_is_refused_naming_the_block_and_field(edit, fragment):
    data = spec_example()
    edit(data)
    assert fragment in refused(data)


def test_blocks_that_contain_each_other_are_refused():
    data = small_resnet()
    data["blocks"]["BasicBlock"] = json.loads(json.dumps(data["blocks"]["BasicBlock"]))
    data["blocks"]["BasicBlock"]["nodes"].append({"id": "loop", "type": "Stage"})
    message = refused(data)
    assert "contains itself (BasicBlock › Stage › BasicBlock)" in message


def test_an_error_inside_a_block_is_reported_on_the_instance_naming_the_inner_node():
    proj = load(small_resnet())
    proj.graph.set_param("b2", "channels", 6)  # the block now expects 6 channels but receives 8
    result = shapes.infer(proj.graph)
    assert not result.valid
    error = result.nodes["b2"].error
    assert error.startswith("layer1_1 › conv1: ")
    assert "in_channels" in error
    # in_channels is "$channels" inside: the fix sets the instance's argument, not the shared definition.
    fix = result.nodes["b2"].fix
    assert (fix.action, fix.node_id, fix.param, fix.value, fix.block) == ("set_param", "b2", "channels", 8, None)


def test_an_error_in_a_nested_block_names_every_level_and_its_fix_points_into_the_definition():
    proj = load(small_resnet())
    proj.blocks["DownBlock"].graph.set_param("bn", "num_features", 5)
    result = shapes.infer(proj.graph)
    error = result.nodes["s"].error
    assert error.startswith("layer2 › down › bn1: ")
    fix = result.nodes["s"].fix
    assert fix is not None and fix.block == "DownBlock" and fix.node_id == "bn"


def test_each_instance_takes_its_own_arguments_and_defaults():
    proj = load(small_resnet())
    result = shapes.infer(proj.graph)
    assert result.nodes["s"].out_shape == (16, 8, 8)
    down = result.nodes["s"].inner.nodes["d"]
    assert down.inner.nodes["c1"].resolved["out_channels"] == 16
    proj.graph.set_param("s", "width", 32)
    proj.graph.set_param("fc", "in_features", 32)
    result = shapes.infer(proj.graph)
    assert result.valid and result.nodes["s"].out_shape == (32, 8, 8)


def test_parameters_and_multiply_adds_add_up_per_instance():
    proj = load(spec_example())
    result = shapes.infer(proj.graph)
    per_block = result.nodes["b1"].parameters
    assert per_block == 2 * (16 * 16 * 9 + 16)
    assert result.nodes["b2"].parameters == per_block
    conv_macs = 16 * 16 * 9 * 28 * 28
    assert result.nodes["b1"].macs == 2 * conv_macs
    assert result.macs == 4 * conv_macs


def test_editing_a_definition_changes_every_instance_and_inference_follows():
    proj = load(spec_example())
    inference = shapes.Inference(proj.graph)
    assert inference.run().valid
    events = []
    proj.graph.subscribe(events.append)
    proj.blocks["BasicBlock"].graph.set_param("c1", "stride", 2)
    assert [e.kind for e in events] == ["block_changed"]
    result = inference.run()
    assert not result.valid
    assert result.nodes["b1"].error.startswith("layer1_0 › add1: ")
    proj.blocks["BasicBlock"].graph.set_param("c1", "stride", "$stride")
    assert inference.run().valid


def test_make_unique_gives_one_instance_its_own_definition():
    proj = load(spec_example())
    assert proj.blocks.count("BasicBlock") == 2
    block = proj.blocks.make_unique(proj.graph, "b2")
    assert block.name == "BasicBlock2" and proj.graph.nodes["b2"].type == "BasicBlock2"
    block.graph.set_param("c2", "kernel_size", 1)
    block.graph.set_param("c2", "padding", 0)
    result = shapes.infer(proj.graph)
    assert result.valid
    assert result.nodes["b1"].parameters == 2 * (16 * 16 * 9 + 16)
    assert result.nodes["b2"].parameters == 16 * 16 * 9 + 16 + 16 * 16 + 16
    assert proj.blocks.count("BasicBlock") == 1


def test_rename_renames_every_instance_and_the_file_follows():
    proj = load(small_resnet())
    proj.blocks.rename("BasicBlock", "Residual")
    assert proj.graph.nodes["b1"].type == "Residual"
    assert proj.blocks["Stage"].graph.nodes["b"].type == "Residual"
    again = project.loads(project.dumps(proj))
    assert shapes.infer(again.graph).valid


def test_edits_that_would_make_a_block_contain_itself_are_refused():
    proj = load(small_resnet())
    with pytest.raises(GraphError, match="cannot contain itself"):
        proj.blocks["BasicBlock"].graph.add_node("Stage")
    with pytest.raises(GraphError, match="cannot contain itself"):
        proj.blocks["Stage"].graph.add_node("Stage")
    with pytest.raises(BlockError, match="used 3 times"):
        proj.blocks.remove("BasicBlock")


def test_an_argument_reference_must_name_an_argument_of_its_block():
    proj = load(spec_example())
    inner = proj.blocks["BasicBlock"].graph
    with pytest.raises(GraphError, match=r"\$width is not an argument of BasicBlock"):
        inner.set_param("c1", "out_channels", "$width")
    with pytest.raises(GraphError):
        proj.graph.add_node("Conv2d", {"in_channels": "$channels"})  # the top level has no arguments
    with pytest.raises(BlockError, match="uses \\$stride"):
        proj.blocks.set_args("BasicBlock", {"channels": 16})


def test_a_risky_setting_inside_a_block_is_a_warning_on_the_instance():
    data = spec_example()
    inner = data["blocks"]["BasicBlock"]
    inner["nodes"].append({"id": "soft", "type": "Softmax"})  # no dim: torch guesses one
    inner["edges"].append({"from": "add", "to": "soft"})
    result = shapes.infer(load(data).graph)
    assert result.valid
    warning = next(p for p in result.problems if p.node_id == "b1")
    assert warning.severity == "warning" and warning.message.startswith("layer1_0 › softmax1: ")
    assert warning.fix is not None and warning.fix.block == "BasicBlock" and warning.fix.node_id == "soft"


def test_a_copy_that_shares_the_library_does_not_count_as_instances():
    from designer.core.graph import copy_graph

    proj = load(spec_example())
    snapshot = copy_graph(proj.graph)  # e.g. kept for undo
    assert snapshot.blocks is proj.blocks
    assert proj.blocks.count("BasicBlock") == 2
    proj.graph.remove_node("b2")
    assert proj.blocks.count("BasicBlock") == 1 and snapshot.nodes["b2"].type == "BasicBlock"


def _own_arguments(count: int) -> project.Project:
    """``count`` BasicBlocks in a chain, each with its own ``eps`` argument read by an inner BatchNorm."""
    data = spec_example()
    block = data["blocks"]["BasicBlock"]
    block["args"]["eps"] = 1e-5
    block["nodes"].insert(2, {"id": "bn", "type": "BatchNorm2d", "params": {"num_features": "$channels",
                                                                             "eps": "$eps"}})
    block["edges"][1:2] = [{"from": "c1", "to": "bn"}, {"from": "bn", "to": "r1"}]
    data["nodes"] = data["nodes"][:1] + [{"id": f"b{i}", "type": "BasicBlock",
                                          "params": {"channels": 16, "eps": 1e-5 * (i + 1)}} for i in range(count)]
    data["edges"] = [{"from": a["id"], "to": b["id"]} for a, b in zip(data["nodes"], data["nodes"][1:])]
    return load(data)


def test_instances_with_their_own_arguments_keep_their_inferences_through_an_edit_inside():
    proj = _own_arguments(100)
    inference = shapes.Inference(proj.graph)
    result = inference.run()
    assert result.valid and result.output_shape == (16, 28, 28)
    assert [result.nodes[f"b{i}"].inner.nodes["bn"].resolved["eps"] for i in (0, 99)] == [1e-5, 1e-3]
    # What does not read eps is worked out once and shared by all 100 instances.
    assert len({id(result.nodes[f"b{i}"].inner.nodes["c2"]) for i in range(100)}) == 1
    kept = dict(proj.blocks.cache)
    assert len(kept) == 100
    proj.blocks["BasicBlock"].graph.set_param("c2", "out_channels", 8)
    result = inference.run()
    assert dict(proj.blocks.cache) == kept  # the same inferences, updated
    assert not result.valid and result.nodes["b0"].error.startswith("basic_block1 › add1: Add cannot add conv2")
    assert result.nodes["b0"].inner.nodes["bn"].resolved["eps"] == 1e-5
    fresh = shapes.infer(proj.graph)
    assert [(n.out_shape, n.error) for n in result.nodes.values()] == [
        (n.out_shape, n.error) for n in fresh.nodes.values()]


def test_an_instances_parameters_follow_the_order_of_its_blocks_arguments():
    proj = load(spec_example())
    assert [p.name for p in proj.blocks["BasicBlock"].spec.params] == ["channels", "stride"]
    proj.blocks.set_args("BasicBlock", {"stride": 1, "channels": 16})
    assert [p.name for p in proj.blocks["BasicBlock"].spec.params] == ["stride", "channels"]
