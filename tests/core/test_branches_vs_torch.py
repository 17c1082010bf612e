"""Shape inference on graphs that branch, against torch on real tensors, node by node."""

from __future__ import annotations

from hypothesis import event, given, settings, strategies as st

from designer.core.shapes import Inference, infer
from tests.core.branching import modules, random_graph, torch_run
from tests.core.test_shapes_vs_torch import SETTINGS


def _joins_the_batch(graph, node_id: str, result) -> bool:
    """Concat along dim 0 (or its negative spelling): torch joins samples; we refuse it on purpose."""
    node = graph.nodes[node_id]
    if node.type != "Concat":
        return False
    shapes = [result.nodes[s].out_shape for s in result.inputs[node_id]]
    if any(s is None for s in shapes):
        return False
    full = len(shapes[0]) + 1
    dim = node.params.get("dim", 1)
    return -full <= dim < full and dim % full == 0


@settings(max_examples=250, **SETTINGS)
@given(rng=st.randoms(use_true_random=False))
def test_random_branching_graphs_agree_with_torch_node_by_node(rng):
    graph = random_graph(rng)
    result = infer(graph)
    values = torch_run(graph)
    refused = None
    for node_id, value in values.items():
        node = result.nodes[node_id]
        if _joins_the_batch(graph, node_id, result):
            assert node.error and "batch" in node.error
            refused = node_id
            break
        if isinstance(value, Exception):
            assert node.error, f"{node.type} {node_id}: torch raises {value!r}, we accept it"
            break
        assert node.error is None, f"{node.type} {node_id}: torch computes {tuple(value.shape)}, we say {node.error}"
        assert node.out_shape == tuple(value.shape[1:]), f"{node.type} {node_id}"
    torch_valid = refused is None and not any(isinstance(v, Exception) for v in values.values())
    assert result.valid == torch_valid
    event("valid" if torch_valid else "invalid")
    if torch_valid:
        output = values[result.path[-1]]
        assert result.output_shape == tuple(output.shape[1:])
        built = modules(graph)
        assert result.parameters == sum(p.numel() for m in built.values() for p in m.parameters())
        assert sum(result.nodes[n].parameters for n in result.path) == result.parameters


@settings(max_examples=60, **SETTINGS)
@given(rng=st.randoms(use_true_random=False), data=st.data())
def test_editing_a_branching_graph_incrementally_equals_inferring_from_scratch(rng, data):
    graph = random_graph(rng)
    inference = Inference(graph)
    inference.run()
    convs = [n for n in graph.nodes if graph.nodes[n].type == "Conv2d"]
    for _ in range(data.draw(st.integers(1, 4))):
        node_id = data.draw(st.sampled_from(convs))
        key = data.draw(st.sampled_from(["out_channels", "stride", "padding", "in_channels"]))
        graph.set_param(node_id, key, data.draw(st.integers(1, 4)))
        assert inference.run() == infer(graph)
