"""Graphs that branch and join: the model path, merges, errors and their fixes, the v2 file."""

from __future__ import annotations

import copy
import json

import pytest

from designer.core import codegen, layout, project, shapes, templates, topology
from designer.core.graph import Graph, GraphError
from designer.core.shapes import Inference, infer

RESNET = templates.EXAMPLES / "resnet-mnist.netproj.json"


def _resnet() -> project.Project:
    return project.load(RESNET)


def _graph(*types: str, shape=(4, 6, 6)) -> tuple[Graph, list[str]]:
    graph = Graph()
    graph.add_node("Input", {"shape": list(shape)}, node_id="input")
    ids = ["input"]
    for type_name in types:
        params = {"in_channels": shape[0], "out_channels": shape[0], "kernel_size": 3, "padding": 1} \
            if type_name == "Conv2d" else {}
        ids.append(graph.add_node(type_name, params).id)
    return graph, ids


def _residual(out_channels: int = 4, stride: int = 1) -> tuple[Graph, dict[str, str]]:
    """input → relu → conv → add(conv, relu) → flatten."""
    graph, (i, relu, conv, add, flat) = _graph("ReLU", "Conv2d", "Add", "Flatten")
    graph.set_param(conv, "out_channels", out_channels)
    graph.set_param(conv, "stride", stride)
    graph.connect(i, relu)
    graph.connect(relu, conv)
    graph.connect(conv, add, {"port": 0})
    graph.connect(relu, add, {"port": 1})
    graph.connect(add, flat)
    return graph, {"relu": relu, "conv": conv, "add": add, "flat": flat}


# The model path ---------------------------------------------------------------

def test_the_model_path_is_a_topological_order_ending_at_the_output_with_merge_inputs_in_port_order():
    graph, ids = _residual()
    path = graph.model_path()
    assert path.nodes[0] == "input" and path.output == ids["flat"] == path.nodes[-1] and path.errors == {}
    position = {n: i for i, n in enumerate(path.nodes)}
    assert all(position[s] < position[d] for s, d in graph.edges)
    assert path.inputs[ids["add"]] == [ids["conv"], ids["relu"]] == graph.inputs(ids["add"])


def test_ports_order_a_merges_inputs_and_edges_without_ports_fill_the_free_places():
    assert topology.ordered_inputs(["a", "b", "c"], "m", {}) == ["a", "b", "c"]
    extra = {("a", "m"): {"port": 2}, ("c", "m"): {"port": 0}}
    assert topology.ordered_inputs(["a", "b", "c"], "m", extra) == ["c", "b", "a"]
    graph, ids = _residual()
    with pytest.raises(GraphError, match="port 1 of .* already wired"):
        graph.connect(graph.add_node("ReLU").id, ids["add"], {"port": 1})
    assert graph.free_port(ids["add"]) == 2


def test_a_branch_that_goes_nowhere_is_an_error_on_its_end_and_the_main_path_is_the_output():
    graph, ids = _residual()
    side = graph.add_node("Tanh").id
    graph.connect(ids["relu"], side)
    result = infer(graph)
    assert result.nodes[side].error == topology.GOES_NOWHERE and not result.valid
    assert result.path[-1] == ids["flat"]


def test_a_layer_with_two_inputs_and_a_merge_with_one_are_errors_naming_the_way_out():
    graph, ids = _residual()
    graph.disconnect(ids["relu"], ids["add"])
    graph.connect(ids["relu"], ids["flat"])
    path = graph.model_path()
    assert "only one wire comes in" in path.errors[ids["add"]]
    assert "a layer takes one input" in path.errors[ids["flat"]] and "Add or a Concat" in path.errors[ids["flat"]]


def test_a_merge_fed_by_a_scratch_block_says_so():
    graph, ids = _residual()
    graph.disconnect(ids["relu"], ids["add"])
    loose = graph.add_node("ReLU").id
    graph.connect(loose, ids["add"])
    assert "not connected to the Input" in infer(graph).nodes[ids["add"]].error
    assert loose in graph.model_path().off_path


def test_a_chain_is_still_the_chain():
    graph, ids = _graph("ReLU", "Tanh")
    graph.connect(ids[0], ids[1])
    graph.connect(ids[1], ids[2])
    path = graph.model_path()
    assert path.nodes == ids and path.inputs == {ids[1]: [ids[0]], ids[2]: [ids[1]]} and path.output == ids[2]


# Merges: shapes, errors, fixes ------------------------------------------------

def test_add_broadcasts_as_torch_does_and_concat_adds_up_its_dim():
    from designer.core import rules

    assert rules.add(((16, 8, 8), (16, 1, 1)), {}, ["a", "b"]) == (16, 8, 8)
    assert rules.concat(((8, 5, 5), (3, 5, 5)), {"dim": 1}, ["a", "b"]) == (11, 5, 5)
    assert rules.concat(((8, 5, 5), (8, 5, 2)), {"dim": -1}, ["a", "b"]) == (8, 5, 7)
    with pytest.raises(rules.ShapeError, match="dim 0 is the batch"):
        rules.concat(((8,), (8,)), {"dim": 0}, ["a", "b"])
    with pytest.raises(rules.ShapeError, match="same number of dimensions"):
        rules.add(((8, 2, 2), (8,)), {}, ["a", "b"])


def test_a_channel_mismatch_names_both_inputs_and_the_dimension_and_fixes_the_branch():
    graph, ids = _residual(out_channels=8)
    node = infer(graph).nodes[ids["add"]]
    assert "conv1 (N, 8, 6, 6)" in node.error and "relu1 (N, 4, 6, 6)" in node.error
    assert "dimension 1 (channels) is 8 on one and 4 on the other" in node.error
    assert "set out_channels → 4 on conv1" in node.error and "1×1 Conv2d (4 → 8 channels)" in node.error
    fix = node.fix
    assert (fix.action, fix.node_id, fix.param, fix.value) == ("set_param", ids["conv"], "out_channels", 4)
    graph.set_param(fix.node_id, fix.param, fix.value)
    assert infer(graph).valid


def test_a_downsampling_branch_gets_a_strided_projection_on_the_skip_path():
    graph, ids = _residual(out_channels=8, stride=2)
    node = infer(graph).nodes[ids["add"]]
    assert "dimension 1 (channels) is 8 on one and 4 on the other" in node.error and "(N, 8, 3, 3)" in node.error
    fix = node.fix
    assert fix.action == "insert_on_edge" and fix.edge == (ids["relu"], ids["add"])
    assert fix.layer_params == {"in_channels": 4, "out_channels": 8, "kernel_size": 1, "stride": 2}
    assert fix.to_json()["edge"] == [ids["relu"], ids["add"]]
    port = graph.port(*fix.edge)
    graph.disconnect(*fix.edge)
    projection = graph.add_node(fix.layer_type, fix.layer_params).id
    graph.connect(fix.edge[0], projection)
    graph.connect(projection, fix.edge[1], {"port": port})
    result = infer(graph)
    assert result.valid and result.nodes[ids["add"]].out_shape == (8, 3, 3)


def test_merge_formulas_show_the_numbers():
    result = infer(_resnet().graph)
    add = next(n for n in result.path if result.nodes[n].type == "Add")
    cat = next(n for n in result.path if result.nodes[n].type == "Concat")
    assert result.nodes[add].formula == "(N, 16, 28, 28) + (N, 16, 28, 28) = (N, 16, 28, 28)"
    assert result.nodes[cat].formula == "dimension 1 (channels): 16 + 16 = 32"


# Incremental inference ----------------------------------------------------------

def test_an_edit_re_infers_only_what_lies_downstream(monkeypatch):
    graph = _resnet().graph
    inference = Inference(graph)
    inference.run()
    seen = []
    real, real_merge = shapes.evaluate, shapes.evaluate_merge
    monkeypatch.setattr(shapes, "evaluate", lambda g, n, *a, **k: seen.append(n) or real(g, n, *a, **k))
    monkeypatch.setattr(shapes, "evaluate_merge", lambda g, n, *a, **k: seen.append(n) or real_merge(g, n, *a, **k))
    graph.set_param("n13", "out_channels", 4)  # one branch of the Concat block
    result = inference.run()
    assert seen == ["n13", "n14", "n15", "n16", "n17", "n18"]  # the branch, the merge and what follows
    assert result == infer(graph)
    seen.clear()
    graph.set_param("n4", "bias", False)  # same shapes: nothing downstream changes
    inference.run()
    assert seen == ["n4"]


# The file ------------------------------------------------------------------------

def test_the_resnet_template_is_valid_and_round_trips_byte_for_byte():
    text = RESNET.read_text(encoding="utf-8")
    proj = project.loads(text)
    assert json.loads(text)["version"] == 2 and project.dumps(proj) == text
    result = infer(proj.graph)
    assert result.valid and result.output_shape == (10,)
    types = [proj.graph.nodes[n].type for n in result.path]
    assert types.count("Add") == 1 and types.count("Concat") == 1


def test_a_chain_is_saved_as_version_1_and_a_branching_project_as_version_2():
    chain = templates.new_project("lenet-28")
    assert project.to_dict(chain)["version"] == 1
    resnet = _resnet()
    assert project.to_dict(resnet)["version"] == 2
    graph = chain.graph
    first = graph.model_path().nodes[1]
    graph.connect(first, graph.add_node("ReLU").id)
    assert project.to_dict(chain)["version"] == 2


def test_a_version_1_file_keeps_version_1_rules_with_the_hint():
    data = project.to_dict(_resnet())
    data["version"] = 1
    proj = project.from_dict(copy.deepcopy(data), "old.json")
    assert proj.graph.chain_only
    result = infer(proj.graph)
    assert not result.valid
    errors = [p.message for p in result.problems if p.severity == "error"]
    assert len(errors) == 1 and "feeds more than one block" in errors[0] and "version 2" in errors[0]
    assert project.to_dict(proj)["version"] == 1  # its rules are kept when it is saved again


def test_v2_ports_are_checked_with_a_message_naming_the_field():
    data = project.to_dict(_resnet())
    index = next(i for i, e in enumerate(data["edges"]) if e.get("port") == 1)
    bad = copy.deepcopy(data)
    bad["edges"][index]["port"] = 0
    with pytest.raises(project.ProjectError, match=rf"edges\[{index}\]\.port: repeats port 0"):
        project.from_dict(bad, "r.json")
    bad["edges"][index]["port"] = -1
    with pytest.raises(project.ProjectError, match=rf"edges\[{index}\]\.port: must be a whole number from 0"):
        project.from_dict(bad, "r.json")
    bad["edges"][index]["port"] = "1"
    with pytest.raises(project.ProjectError, match="port: must be a whole number from 0, not text"):
        project.from_dict(bad, "r.json")


def test_a_cycle_in_a_v2_file_is_an_error():
    data = project.to_dict(_resnet())
    data["edges"].append({"from": "n10", "to": "n4"})
    with pytest.raises(project.ProjectError, match="form a cycle"):
        project.from_dict(data, "r.json")


# Layout and code -----------------------------------------------------------------

def test_layered_layout_keeps_the_main_path_straight_and_puts_branches_side_by_side():
    proj = _resnet()
    positions = layout.layered(proj.graph)
    result = infer(proj.graph)
    assert {positions[n][1] for n in ("n1", "n3", "n9", "n14", "n18")} == {0.0}
    assert positions["n12"][0] == positions["n13"][0] and positions["n12"][1] != positions["n13"][1]
    assert all(positions[s][0] < positions[d][0] for s, d in proj.graph.edges)
    assert len(set(positions.values())) == len(positions) == len(result.path)


def test_generated_forward_names_only_the_tensors_used_twice():
    source = codegen.generate(_resnet(), "class")
    body = source.split("def forward")[1].split("def build_model")[0]
    assert "        identity = x  # (N, 16, 28, 28)\n" in body
    assert "        x = x + identity  # (N, 16, 28, 28)\n" in body
    assert "        branch_1x1 = self.branch_1x1(x)  # (N, 16, 14, 14)\n" in body
    assert "        x = torch.cat([branch_1x1, branch_3x3], dim=1)  # (N, 32, 14, 14)\n" in body
    assert "        x = self.res_conv1(x)  # (N, 16, 28, 28)\n" in body
    assert all("#" in line for line in body.splitlines()[1:] if line.strip() and "return" not in line)
    compact = codegen.generate(_resnet(), "sequential")
    assert "self.stem = nn.Sequential(OrderedDict([" in compact and "x = self.head(x)  # (N, 10)" in compact
    assert codegen.module_paths(_resnet().graph, "sequential")["n1"] == "stem.conv1"


def test_a_concats_branches_are_laid_out_top_to_bottom_in_its_input_order():
    proj = project.load(templates.EXAMPLES / "googlenet-small.netproj.json")
    inception = proj.graph.blocks["Inception"].graph
    concat = next(n for n in inception.nodes.values() if n.type == "Concat")
    sources = inception.model_path().inputs[concat.id]  # 1×1, 3×3, 5×5, pool: the order of the channels
    for source in sources:
        assert inception.nodes[source].type == "ReLU"
    places = layout.layered(inception)
    rows = [places[source][1] for source in sources]
    assert rows == sorted(rows) and len(set(rows)) == 4
    # and the branches stay straight: each branch's layers share its row
    for source in sources:
        before = inception.model_path().inputs[source][0]
        assert places[before][1] == places[source][1]
    # the template file is written with this layout (tools/make_templates.py)
    assert [inception.nodes[s].pos[1] for s in sources] == rows
