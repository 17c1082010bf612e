"""Shape inference: learner-facing errors, machine-usable fixes, formulas, incremental runs."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import layers
from designer.core.graph import Graph, GraphError
from designer.core.rules import Fix
from designer.core.shapes import Inference, infer
from tests.core.test_shapes_vs_torch import SETTINGS, TYPES, layer_params, our_shape, sample_shapes

LENET = [("Conv2d", {"in_channels": 1, "out_channels": 6, "kernel_size": 5, "padding": 2}), ("ReLU", {}),
         ("MaxPool2d", {"kernel_size": 2}),
         ("Conv2d", {"in_channels": 6, "out_channels": 16, "kernel_size": 5}), ("ReLU", {}),
         ("MaxPool2d", {"kernel_size": 2}), ("Flatten", {}),
         ("Linear", {"in_features": 400, "out_features": 120}), ("ReLU", {}),
         ("Linear", {"in_features": 120, "out_features": 84}), ("ReLU", {}),
         ("Linear", {"in_features": 84, "out_features": 10})]


def build(shape, chain) -> tuple[Graph, list[str]]:
    graph = Graph()
    ids = [graph.add_node("Input", {"shape": list(shape)}).id]
    for layer_type, params in chain:
        ids.append(graph.add_node(layer_type, params).id)
        graph.connect(ids[-2], ids[-1])
    return graph, ids


def apply_fix(graph: Graph, node_id: str, fix: Fix) -> None:
    """What the inspector's fix button does."""
    if fix.action == "set_param":
        graph.set_param(node_id, fix.param, fix.value)
    else:
        assert fix.action == "insert_before" and layers.get(fix.layer_type)
        (src,) = graph.predecessors(node_id)
        new = graph.add_node(fix.layer_type, dict(fix.layer_params)).id
        graph.disconnect(src, node_id)
        graph.connect(src, new)
        graph.connect(new, node_id)


def only_error(graph: Graph):
    result = infer(graph)
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1, errors
    return result, result.nodes[errors[0].node_id]


# LeNet --------------------------------------------------------------------

def test_lenet_shapes_parameters_and_formula():
    graph, ids = build((1, 28, 28), LENET)
    result = infer(graph)
    assert result.valid and result.problems == []
    assert [result.nodes[n].out_shape for n in ids] == [
        (1, 28, 28), (6, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 10, 10), (16, 5, 5), (400,),
        (120,), (120,), (84,), (84,), (10,)]
    assert result.output_shape == (10,) and result.parameters == 61706
    assert result.nodes[ids[1]].formula == ("H = ⌊(28 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = 28\n"
                                            "W = ⌊(28 + 2·2 − 1·(5−1) − 1)/1⌋ + 1 = 28")
    assert result.nodes[ids[3]].formula.splitlines()[0] == "H = ⌊(28 + 2·0 − 1·(2−1) − 1)/2⌋ + 1 = 14"
    assert result.nodes[ids[7]].formula == "16 × 5 × 5 = 400"
    assert result.nodes[ids[8]].macs == 48000 and result.nodes[ids[8]].parameters == 48120
    assert result.nodes[ids[2]].formula == "" and result.nodes[ids[2]].parameters == 0


# Errors and fixes -----------------------------------------------------------

def test_linear_after_an_image_asks_for_flatten_and_the_fix_works():
    graph, ids = build((1, 28, 28), LENET[:6] + [("Linear", {"in_features": 400, "out_features": 120})])
    _, node = only_error(graph)
    assert node.node_id == ids[-1] and node.in_shape == (16, 5, 5)
    assert "16×5×5 = 400" in node.error and "Flatten" in node.error and node.param == "in_features"
    assert node.fix == Fix("insert_before", "insert Flatten before", layer_type="Flatten")
    assert node.fix.to_json() == {"action": "insert_before", "label": "insert Flatten before",
                                  "type": "Flatten", "params": {}}
    apply_fix(graph, ids[-1], node.fix)
    assert infer(graph).valid and infer(graph).output_shape == (120,)


def test_linear_with_the_wrong_in_features_gets_the_right_number():
    graph, ids = build((400,), [("Linear", {"in_features": 256, "out_features": 10})])
    _, node = only_error(graph)
    assert "400" in node.error and "256" in node.error
    assert node.fix == Fix("set_param", "set in_features to 400", param="in_features", value=400)
    assert node.fix.to_json() == {"action": "set_param", "label": "set in_features to 400",
                                  "param": "in_features", "value": 400}
    apply_fix(graph, ids[-1], node.fix)
    assert infer(graph).valid


def test_linear_on_an_image_with_other_in_features_names_the_product():
    graph, ids = build((16, 5, 5), [("Linear", {"in_features": 256, "out_features": 10})])
    _, node = only_error(graph)
    assert "in_features should then be 400 = 16×5×5" in node.error
    apply_fix(graph, ids[-1], node.fix)  # Flatten first, then the number
    _, node = only_error(graph)
    assert node.fix == Fix("set_param", "set in_features to 400", param="in_features", value=400)
    apply_fix(graph, ids[-1], node.fix)
    assert infer(graph).valid


@pytest.mark.parametrize("layer_type, params, param", [
    ("Conv2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3}, "in_channels"),
    ("ConvTranspose2d", {"in_channels": 3, "out_channels": 8, "kernel_size": 3}, "in_channels"),
    ("BatchNorm2d", {"num_features": 3}, "num_features"),
])
def test_channel_mismatch_fix_sets_the_received_channels(layer_type, params, param):
    graph, ids = build((6, 12, 12), [(layer_type, params)])
    _, node = only_error(graph)
    assert f"{param} is 3" in node.error and "6 channels" in node.error and node.param == param
    assert node.fix == Fix("set_param", f"set {param} to 6", param=param, value=6)
    apply_fix(graph, ids[-1], node.fix)
    assert infer(graph).valid


@pytest.mark.parametrize("shape, layer_type, params, words, fix", [
    ((1, 8, 8), "Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": "same"},
     ['padding="same"', "stride 1"], ("stride", 1)),
    ((1, 8, 8), "Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 9},
     ["kernel (9 wide", "8 + 2·0 = 8"], None),
    ((1, 8, 8), "Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3, "dilation": 4},
     ["9 wide with dilation"], None),
    ((4, 8, 8), "Conv2d", {"in_channels": 4, "out_channels": 6, "kernel_size": 3, "groups": 4},
     ["groups=4", "out_channels=6"], ("groups", 1)),
    ((1, 4, 4), "Conv2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "padding": 4,
                           "padding_mode": "reflect"}, ['padding_mode="reflect"', "(4)", "(4)"], ("padding_mode", "zeros")),
    ((1, 4, 4), "ConvTranspose2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 3, "stride": 2,
                                    "output_padding": 2}, ["output_padding (2)", "stride (2)"],
     ("output_padding", 0)),
    ((1, 2, 2), "ConvTranspose2d", {"in_channels": 1, "out_channels": 1, "kernel_size": 1, "padding": 1},
     ["would be 0 wide", "padding (1)"], ("padding", 0)),
    ((1, 8, 8), "MaxPool2d", {"kernel_size": 3, "padding": 2}, ["padding (2)", "3//2 = 1"], ("padding", 1)),
    ((1, 2, 2), "MaxPool2d", {"kernel_size": 3}, ["too small", "2 wide"], None),
    ((1, 8, 8), "MaxPool2d", {"kernel_size": 2, "return_indices": True}, ["return_indices"],
     ("return_indices", False)),
    ((10,), "Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}, ["needs an image", "(10)"], None),
    ((10,), "MaxPool2d", {"kernel_size": 2}, ["MaxPool2d needs an image"], None),
    ((1, 8, 8), "BatchNorm1d", {"num_features": 1}, ["BatchNorm1d", "BatchNorm2d on images"], None),
    ((16, 5, 5), "Flatten", {"start_dim": 0}, ["start_dim=0", "batch"], ("start_dim", 1)),
    ((16, 5, 5), "Flatten", {"start_dim": 3, "end_dim": 2}, ["start_dim (3)", "end_dim (2)"], ("end_dim", -1)),
    ((16,), "Flatten", {"start_dim": 3}, ["start_dim=3", "2-D", "-2 to 1"], ("start_dim", 1)),
    ((8, 8), "Conv2d", {"in_channels": 8, "out_channels": 4, "kernel_size": 3}, ["(8, 8)", "[1, H, W]"], None),
    ((10,), "Softmax", {"dim": 2}, ["dim=2", "2-D tensor"], ("dim", 1)),
])
def test_errors_say_what_is_wrong_with_the_numbers(shape, layer_type, params, words, fix):
    graph, ids = build(shape, [(layer_type, params)])
    result, node = only_error(graph)
    assert node.node_id == ids[-1] and not result.valid and result.output_shape is None
    for word in words:
        assert word in node.error, f"{word!r} not in {node.error!r}"
    if fix is None:
        assert node.fix is None
    else:
        assert (node.fix.action, node.fix.param, node.fix.value) == ("set_param", *fix)
        apply_fix(graph, ids[-1], node.fix)
        assert infer(graph).nodes[ids[-1]].error != node.error


def test_an_error_stops_the_chain_and_later_layers_wait():
    graph, ids = build((1, 28, 28), [("Linear", {"in_features": 5, "out_features": 3}), ("ReLU", {}),
                                     ("Linear", {"in_features": 1, "out_features": 1})])
    result = infer(graph)
    assert [p.node_id for p in result.problems] == [ids[1]]
    assert result.nodes[ids[2]].in_shape is None and result.nodes[ids[2]].error is None
    assert result.nodes[ids[2]].formula == "" and result.nodes[ids[2]].macs == 0
    assert result.parameters is None


def test_no_input_and_off_path_blocks_are_reported():
    graph = Graph()
    relu = graph.add_node("ReLU").id
    result = infer(graph)
    assert not result.valid and result.path == []
    assert result.problems[0].node_id is None and "no Input" in result.problems[0].message
    assert result.nodes[relu].on_path is False and "Not connected" in result.nodes[relu].warning
    graph2, ids = build((3,), [("ReLU", {})])
    loose = graph2.add_node("Linear", {"in_features": 1, "out_features": 2}).id
    result = infer(graph2)
    assert result.valid and result.output_shape == (3,)
    assert [(p.node_id, p.severity) for p in result.problems] == [(loose, "warning")]


def test_structural_errors_are_reported_on_the_right_node_and_clear_when_fixed():
    graph, ids = build((3,), [("ReLU", {}), ("Tanh", {})])
    graph.chain_only = True  # version 1's rules
    extra = graph.add_node("Sigmoid").id
    graph.connect(ids[1], extra)
    inference = Inference(graph)
    result = inference.run()
    assert "feeds more than one" in result.nodes[ids[1]].error and not result.valid
    graph.disconnect(ids[1], extra)
    assert inference.run() == infer(graph) and inference.run().valid
    graph.connect(extra, ids[2])
    result = inference.run()
    assert "more than one incoming" in result.nodes[ids[2]].error and result == infer(graph)


# Formulas -------------------------------------------------------------------

def _value(expression: str) -> float:
    text = (expression.replace("·", "*").replace("−", "-").replace("⌊", "floor(").replace("⌋", ")")
            .replace("⌈", "ceil(").replace("⌉", ")"))
    assert re.fullmatch(r"(?:[0-9+\-*/() ]|floor|ceil)+", text), text
    return eval(text, {"floor": math.floor, "ceil": math.ceil})  # noqa: S307 - checked digits and operators


@settings(max_examples=300, **SETTINGS)
@given(layer_type=st.sampled_from(["Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d"]), data=st.data())
def test_formulas_compute_the_shape_they_show(layer_type, data):
    shape = data.draw(sample_shapes(3))
    params = data.draw(layer_params(layer_type, shape))
    out = our_shape(layer_type, params, shape)
    if isinstance(out, Exception):
        return
    spec = layers.get(layer_type)
    text = spec.formula(shape, spec.resolve(params), out)
    if params.get("padding") == "same":
        assert text == f'padding="same": H, W unchanged = {out[1]}, {out[2]}'
        return
    lines = text.splitlines()
    assert [line[0] for line in lines] == ["H", "W"]
    for line, size in zip(lines, out[1:]):
        parts = line.split(" = ")
        assert int(parts[-1]) == size
        assert _value(parts[1]) == (int(parts[2].split(" − 1")[0]) if len(parts) == 4 else size), line
        if len(parts) == 4:  # ceil_mode dropped the last window
            assert parts[2].endswith("(the last window would start in the padding)")
            assert int(parts[2].split()[0]) - 1 == size


# Fixes converge --------------------------------------------------------------

@settings(max_examples=300, **SETTINGS)
@given(layer_type=st.sampled_from(TYPES), data=st.data())
def test_every_fix_changes_the_error_and_fixes_end(layer_type, data):
    shape = data.draw(sample_shapes())
    graph, ids = build(shape, [(layer_type, data.draw(layer_params(layer_type, shape)))])
    messages = []
    for _ in range(8):  # a layer can have several faults, each with its own fix
        node = infer(graph).nodes[ids[-1]]
        if node.error is None or node.fix is None:
            break
        assert node.error not in messages, f"the fix {node.fix} did not change {node.error!r}"
        messages.append(node.error)
        apply_fix(graph, ids[-1], node.fix)
    else:
        raise AssertionError(f"fixes keep coming: {messages}")


# Incremental inference ------------------------------------------------------

OPS = ["append", "append", "append", "add", "remove", "connect", "disconnect", "set", "set", "set", "unset",
       "rename", "move", "reorder", "clear"]


@settings(max_examples=150, **SETTINGS)
@given(data=st.data())
def test_incremental_inference_equals_inference_from_scratch(data):
    graph = Graph()
    graph.add_node("Input", {"shape": list(data.draw(sample_shapes()))})
    inference = Inference(graph)
    for _ in range(data.draw(st.integers(1, 25))):
        op = data.draw(st.sampled_from(OPS))
        ids = list(graph.nodes)
        shape = inference.run().nodes[ids[-1]].out_shape if ids and op == "append" else None
        try:
            _edit(data, graph, op, ids, shape or data.draw(sample_shapes()))
        except GraphError:
            pass
        assert inference.run() == infer(graph), f"after {op}"
    inference.close()


def _edit(data, graph: Graph, op: str, ids: list[str], shape: tuple) -> None:
    pick = lambda: data.draw(st.sampled_from(ids))  # noqa: E731
    if op in ("append", "add"):
        layer_type = data.draw(st.sampled_from(TYPES + ["Input"]))
        params = {"shape": list(shape)} if layer_type == "Input" else data.draw(layer_params(layer_type, shape))
        node = graph.add_node(layer_type, params)
        end = graph.model_path().nodes
        if op == "append" and end:
            graph.connect(end[-1], node.id)
    elif not ids:
        return
    elif op == "remove":
        graph.remove_node(pick())
    elif op == "connect":
        graph.connect(pick(), pick())
    elif op == "disconnect" and graph.edges:
        graph.disconnect(*data.draw(st.sampled_from(graph.edges)))
    elif op in ("set", "unset"):
        node = graph.nodes[pick()]
        if node.type == "Input":
            graph.set_param(node.id, "shape", list(data.draw(sample_shapes())))
            return
        options = data.draw(layer_params(node.type, shape))
        if not options:
            return
        key = data.draw(st.sampled_from(sorted(options)))
        graph.set_param(node.id, key, options[key]) if op == "set" else graph.unset_param(node.id, key)
    elif op == "rename":
        graph.rename(pick(), data.draw(st.sampled_from(["a", "conv1", "", None])))
    elif op == "move":
        graph.move(pick(), (1.0, 2.0))
    elif op == "reorder":  # undo restores a file's exact order; off-path lists and names follow it
        graph.reorder(data.draw(st.permutations(ids)), data.draw(st.permutations(graph.edges)))
    elif op == "clear" and data.draw(st.integers(0, 3)) == 0:
        graph.clear()


@pytest.mark.parametrize("layer_type", ["Softmax", "LogSoftmax"])
def test_softmax_without_dim_is_valid_but_warned_with_a_fix(layer_type):
    graph, ids = build((10,), [(layer_type, {})])
    result = infer(graph)
    node = result.nodes[ids[-1]]
    assert result.valid and node.error is None and node.out_shape == (10,)
    assert "torch picks dim=1" in node.warning and "batch" not in node.warning
    assert [(p.node_id, p.severity, p.fix) for p in result.problems] == [
        (ids[-1], "warning", Fix("set_param", "set dim to 1", param="dim", value=1))]
    graph2, ids2 = build((3, 4), [(layer_type, {})])  # (N, C, L): torch's implicit dim is the batch
    assert "dim 0 is the batch" in infer(graph2).nodes[ids2[-1]].warning
    apply_fix(graph2, ids2[-1], infer(graph2).nodes[ids2[-1]].fix)
    assert infer(graph2).problems == [] and infer(graph2).nodes[ids2[-1]].warning is None


def test_a_structural_error_does_not_offer_the_warnings_fix():
    graph, ids = build((10,), [("Softmax", {}), ("ReLU", {})])
    graph.chain_only = True
    graph.connect(ids[1], graph.add_node("Tanh").id)  # the Softmax now feeds two blocks
    node = infer(graph).nodes[ids[1]]
    assert "feeds more than one" in node.error and node.fix is None and node.warning is None
