"""Shape inference on graphs with blocks, against torch on real tensors, inner node by inner node."""

from __future__ import annotations

from hypothesis import event, given, settings, strategies as st

from designer.core import project
from designer.core.receptive import receptive_fields
from designer.core.shapes import Inference, infer
from tests.core.block_graphs import blockify
from tests.core.branching import random_graph, torch_run
from tests.core.test_shapes_vs_torch import SETTINGS


def _results(graph, result, found=None, owner=None) -> dict:
    """Every node's result, inner nodes included: node id -> (result, the top-level instance holding it)."""
    found = {} if found is None else found
    for node_id in result.path:
        node_result = result.nodes[node_id]
        if graph.nodes[node_id].type == "Input" and owner is not None:
            continue
        found[node_id] = (node_result, owner)
        if node_result.inner is not None:
            _results(graph.blocks[graph.nodes[node_id].type].graph, node_result.inner, found, owner or node_id)
    return found


def _fresh(graph):
    """The same project read back from its file data: new caches, nothing shared with ``graph``."""
    proj = project.Project(graph)
    return project.from_dict(project.to_dict(proj)).graph


@settings(max_examples=150, **SETTINGS)
@given(rng=st.randoms(use_true_random=False))
def test_random_graphs_with_blocks_agree_with_torch_node_by_node(rng):
    flat = random_graph(rng)
    values = torch_run(flat)
    graph = blockify(flat, rng)
    event(f"{len(graph.blocks)} blocks")
    result, flat_result = infer(graph), infer(flat)
    assert result.valid == flat_result.valid
    assert result.output_shape == flat_result.output_shape
    assert result.parameters == flat_result.parameters
    assert result.macs == flat_result.macs
    found = _results(graph, result)
    for node_id, value in values.items():
        if node_id not in found:
            break  # after an error inside a block nothing further is computed
        node_result, owner = found[node_id]
        if isinstance(value, Exception) or flat_result.nodes[node_id].error:
            assert node_result.error, f"{node_id}: torch raises {value!r} (or we refuse), the block accepts it"
            if owner is not None:
                instance = result.nodes[owner]
                label = graph.generated_names()[owner]
                assert instance.error.startswith(f"{label} › "), instance.error
            break
        assert node_result.out_shape == tuple(value.shape[1:]), node_id
    if result.valid:
        assert result.output_shape == tuple(values[flat_result.path[-1]].shape[1:])
    # Receptive fields pass through blocks: an instance's is its last inner node's in the flat graph.
    fields, flat_fields = receptive_fields(graph, result), receptive_fields(flat, flat_result)
    for node_id in result.path:
        inner = result.nodes[node_id].inner
        same_as = inner.path[-1] if inner is not None and inner.path else node_id
        if result.nodes[node_id].ok and same_as in flat_fields:
            assert fields[node_id] == flat_fields[same_as], node_id


@settings(max_examples=60, **SETTINGS)
@given(rng=st.randoms(use_true_random=False), data=st.data())
def test_editing_inside_definitions_incrementally_equals_inferring_from_scratch(rng, data):
    graph = blockify(random_graph(rng), rng)
    inference = Inference(graph)
    inference.run()
    places = [(graph, n) for n in graph.nodes] + [(b.graph, n) for b in graph.blocks.values() for n in b.graph.nodes]
    convs = [(g, n) for g, n in places if g.nodes[n].type == "Conv2d"]
    if not convs:
        return
    for _ in range(data.draw(st.integers(1, 4))):
        where, node_id = data.draw(st.sampled_from(convs))
        key = data.draw(st.sampled_from(["out_channels", "stride", "padding"]))
        where.set_param(node_id, key, data.draw(st.integers(1, 3)))
        assert inference.run() == infer(_fresh(graph))


def _paths(graph, result, prefix=()):
    """Every node on the model at every depth (a definition's Input left out), as ids from the model down."""
    for node_id in result.path:
        if not prefix or graph.nodes[node_id].type != "Input":
            yield prefix + (node_id,)
        inner = result.nodes[node_id].inner
        if inner is not None and graph.nodes[node_id].type in graph.blocks:
            yield from _paths(graph.blocks[graph.nodes[node_id].type].graph, inner, prefix + (node_id,))


@settings(max_examples=100, **SETTINGS)
@given(rng=st.randoms(use_true_random=False))
def test_an_inner_nodes_field_is_the_one_it_has_once_its_instances_are_unpacked(rng):
    """Inside a block (the canvas entered through an instance), a node's receptive field is that instance's copy's:
    the field the node gets when the instances on its path are unpacked into the model."""
    from designer.core.block_edits import unpack
    from designer.core.receptive import field_of

    graph = blockify(random_graph(rng), rng)
    result = infer(graph)
    inner_paths = [p for p in _paths(graph, result) if len(p) > 1 and result.nodes[p[0]].ok]
    event(f"{len(inner_paths) > 0} inner nodes")
    for path in inner_paths[:12]:
        flat = _fresh(graph)
        leaf = path[0]
        for inner_id in path[1:]:  # unpack the instance, follow the node to its new id
            leaf = unpack(flat, leaf)[inner_id]
        flat_result = infer(flat)
        assert field_of(graph, result, path) == receptive_fields(flat, flat_result).get(leaf), path
