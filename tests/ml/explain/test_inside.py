"""Looking inside: hooks see what inference predicted; parameters and buffers kept apart."""

from pathlib import Path

import pytest
import torch
from torch import nn

from designer.core import project as projects
from designer.core.graph import Graph
from designer.core.shapes import infer
from designer.ml.build import build_model
from designer.ml.explain.inside import (capture, classify, conv_filters, mode_dependent, node_names, probabilities,
                                 state_entries)

EXAMPLES = Path(__file__).resolve().parents[3] / "designer" / "resources" / "examples"


def chain(*layers, shape=(1, 28, 28)) -> Graph:
    graph = Graph()
    previous = graph.add_node("Input", {"shape": list(shape)}).id
    for type_name, params in layers:
        node = graph.add_node(type_name, params).id
        graph.connect(previous, node)
        previous = node
    return graph


NORM_DROP = chain(("Conv2d", {"in_channels": 1, "out_channels": 4, "kernel_size": 3}),
                  ("BatchNorm2d", {"num_features": 4}), ("ReLU", {}), ("Dropout2d", {"p": 0.5}),
                  ("MaxPool2d", {"kernel_size": 2, "ceil_mode": True}), ("Flatten", {}),
                  ("Linear", {"in_features": 676, "out_features": 10}), ("Dropout", {}), ("LogSoftmax", {"dim": 1}))


@pytest.mark.parametrize("graph", [projects.load(EXAMPLES / name).graph for name in
                                   ("lenet-28.netproj.json", "lenet-32.netproj.json", "small-module.netproj.json")]
                         + [NORM_DROP], ids=["lenet-28", "lenet-32", "small-module", "norm-drop"])
def test_each_layer_output_has_the_shape_inference_predicted(graph):
    shapes = infer(graph)
    model = build_model(graph)
    x = torch.randn(1, *shapes.nodes[shapes.path[0]].out_shape)
    out, records = capture(model, x, shapes.path)
    assert [r.node_id for r in records] == shapes.path[1:]
    for record in records:
        assert record.shape == shapes.nodes[record.node_id].out_shape, record.name
    assert torch.equal(records[-1].output, out[0])


def test_capture_runs_in_eval_mode_and_leaves_the_model_as_it_was():
    model = build_model(NORM_DROP).train()
    x = torch.randn(1, 1, 28, 28)
    out, _ = capture(model, x, infer(NORM_DROP).path)
    assert model.training
    assert all(not m._forward_hooks for m in model.modules())
    with torch.no_grad():
        assert torch.equal(out, model.eval()(x))  # eval: Dropout is off, BatchNorm uses running stats


def test_probabilities_from_logits_softmax_and_log_softmax():
    logits = torch.tensor([[2.0, 0.5, -1.0]])
    expected = torch.softmax(logits, 1)
    assert torch.allclose(probabilities(logits), expected)
    assert torch.allclose(probabilities(expected), expected)
    assert torch.allclose(probabilities(torch.log_softmax(logits, 1)), expected)
    model = build_model(NORM_DROP).train()
    probs = classify(model, torch.randn(3, 1, 28, 28))
    assert probs.shape == (3, 10) and torch.allclose(probs.sum(1), torch.ones(3)) and model.training


def test_state_entries_separate_parameters_from_buffers():
    model = build_model(NORM_DROP)
    entries = state_entries(model)
    kinds = {e.name: e.kind for e in entries}
    assert kinds["bn1.weight"] == kinds["bn1.bias"] == "parameter"
    for buffer in ("running_mean", "running_var", "num_batches_tracked"):
        assert kinds[f"bn1.{buffer}"] == "buffer"
    assert [e.kind for e in entries] == sorted((e.kind for e in entries), key=["parameter", "buffer"].index)
    state = model.state_dict()
    assert set(kinds) == set(state)
    assert all(e.shape == tuple(state[e.name].shape) for e in entries)


def test_mode_dependent_layers_are_named():
    names = dict(mode_dependent(build_model(NORM_DROP)))
    assert sorted(names.values()) == ["BatchNorm2d", "Dropout", "Dropout2d"]
    assert mode_dependent(build_model(projects.load(EXAMPLES / "lenet-28.netproj.json").graph)) == []


def test_conv_filters_are_out_by_in_by_kernel():
    conv = nn.Conv2d(3, 8, (5, 3))
    assert conv_filters(conv).shape == (8, 3, 5, 3)
    assert conv_filters(nn.ConvTranspose2d(3, 8, 4)).shape == (8, 3, 4, 4)
    with pytest.raises(TypeError):
        conv_filters(nn.Linear(3, 4))


def test_node_names_follow_the_model_path():
    graph = projects.load(EXAMPLES / "lenet-28.netproj.json").graph
    mapping = node_names(build_model(graph), infer(graph).path)
    assert mapping["conv1"] == "n1" and mapping["fc3"] == "n12" and len(mapping) == 12
    assert node_names(nn.Sequential(nn.ReLU()), ["input", "a", "b"]) == {}  # counts differ: no guessing


def test_capture_on_a_branching_graph_records_every_layer_and_merge_with_its_node():
    from designer.core import project, templates

    graph = project.load(templates.EXAMPLES / "resnet-mnist.netproj.json").graph
    shapes = infer(graph)
    model = build_model(graph)
    out, records = capture(model, torch.randn(1, 1, 28, 28), shapes.path, graph)
    assert sorted(r.node_id for r in records) == sorted(shapes.path[1:])
    for record in records:
        assert record.shape == shapes.nodes[record.node_id].out_shape, record.name
    merges = [(r.name, r.type) for r in records if r.type in ("Add", "Concat")]
    assert merges == [("res_add", "Add"), ("join", "Concat")]
    assert node_names(model, shapes.path) == {}  # without the graph, a branching model is not guessed
