"""Built modules of graphs that branch compute what the graph says, in both styles, from one compiler."""

from __future__ import annotations

import random

import pytest
import torch
from hypothesis import given, settings, strategies as st

from designer.core import codegen, shapes, templates
from designer.core import project as project_io
from designer.ml import build
from tests.core.branching import torch_run, valid_graph
from tests.core.test_shapes_vs_torch import SETTINGS


def _modules(model, graph, style):
    return {node: model.get_submodule(path) for node, path in codegen.module_paths(graph, style).items()}


@settings(max_examples=30, **SETTINGS)
@given(seed=st.integers(0, 2**32 - 1), style=st.sampled_from(codegen.STYLES))
def test_the_built_module_computes_the_graph_node_by_node(seed, style):
    graph = valid_graph(random.Random(seed))
    model = build.seeded_model(graph, 0, style).eval()
    x = torch.randn(2, *graph.input_node().params["shape"])
    values = torch_run(graph, _modules(model, graph, style), x)
    with torch.no_grad():
        out = model(x)
    assert torch.equal(out, values[shapes.infer(graph).path[-1]])
    assert set(model.state_dict()) == {f"{path}.{key}" for node, path in codegen.module_paths(graph, style).items()
                                       for key in _modules(model, graph, style)[node].state_dict()}


@pytest.mark.parametrize("style", codegen.STYLES)
def test_class_style_weights_load_into_either_style(style):
    graph = project_io.load(templates.EXAMPLES / "resnet-mnist.netproj.json").graph
    trained = build.seeded_model(graph, 1, "class").eval()
    model = build.seeded_model(graph, 0, style).eval()
    model.load_state_dict(build.restyle_state(graph, trained.state_dict(), style), strict=True)
    x = torch.randn(3, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(model(x), trained(x))


def test_the_generated_source_of_a_graph_is_what_the_app_runs():
    graph = valid_graph(random.Random(4))
    source = build.model_source(graph)
    assert "def forward(self, x):" in source and build.build_model(graph).__class__.__name__ == "Net"
