"""The graph model: validated edits, past-tense events, the Sequential path, names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.core import layers
from designer.core.graph import Event, Graph, GraphError
from designer.core.shapes import infer


@pytest.fixture
def graph():
    return Graph()


@pytest.fixture
def events(graph):
    seen: list[Event] = []
    graph.subscribe(seen.append)
    return seen


def _chain(graph: Graph, *types: str) -> list[str]:
    ids = [graph.add_node("Input", {"shape": [1, 28, 28]}).id]
    for t in types:
        params = {"in_channels": 1, "out_channels": 6, "kernel_size": 5} if t == "Conv2d" else {}
        ids.append(graph.add_node(t, params).id)
        graph.connect(ids[-2], ids[-1])
    return ids


def test_each_edit_emits_one_past_tense_event(graph, events):
    a = graph.add_node("Input", {"shape": [784]}, pos=(1, 2)).id
    b = graph.add_node("Linear", {"in_features": 784, "out_features": 10}).id
    graph.connect(a, b)
    graph.rename(b, "fc")
    graph.set_param(b, "out_features", 20)
    graph.move(b, (5, 6))
    graph.disconnect(a, b)
    assert [(e.kind, e.node_id, e.edge, e.data) for e in events] == [
        ("node_added", a, None, None), ("node_added", b, None, None), ("edge_added", None, (a, b), None),
        ("node_renamed", b, None, "fc"), ("param_changed", b, None, "out_features"),
        ("node_moved", b, None, (5.0, 6.0)), ("edge_removed", None, (a, b), None)]
    assert graph.nodes[b].params == {"in_features": 784, "out_features": 20}
    assert graph.nodes[b].name == "fc" and graph.nodes[b].pos == (5.0, 6.0)
    assert graph.version == len(events)


def test_remove_node_takes_its_edges_and_returns_them_for_undo(graph, events):
    a, b, c = _chain(graph, "ReLU", "Flatten")
    events.clear()
    node, removed = graph.remove_node(b)
    assert node.id == b and node.type == "ReLU"
    assert removed == [(a, b), (b, c)]
    assert [e.kind for e in events] == ["edge_removed", "edge_removed", "node_removed"]
    assert events[-1].data is node
    assert b not in graph.nodes and graph.edges == []


@pytest.mark.parametrize("edit, words", [
    (lambda g, ids: g.add_node("Conv3d"), "unknown layer type"),
    (lambda g, ids: g.add_node("Input", {"shape": [3]}), "already has an Input"),
    (lambda g, ids: g.add_node("ReLU", node_id=ids[1]), "already exists"),
    (lambda g, ids: g.add_node("Linear", {"in_features": 0, "out_features": 2}), "in_features: must be at least 1"),
    (lambda g, ids: g.add_node("ReLU", {"inplace": "yes"}), "inplace: must be true or false"),
    (lambda g, ids: g.add_node("ReLU", {"slope": 1}), "no parameter 'slope'"),
    (lambda g, ids: g.connect(ids[1], ids[1]), "cannot feed itself"),
    (lambda g, ids: g.connect(ids[0], ids[1]), "already connected"),
    (lambda g, ids: g.connect(ids[2], ids[0]), "nothing can feed the Input"),
    (lambda g, ids: g.connect(ids[2], ids[1]), "cycle"),
    (lambda g, ids: g.connect(ids[1], "ghost"), "no node with id 'ghost'"),
    (lambda g, ids: g.disconnect(ids[0], ids[2]), "is not connected"),
    (lambda g, ids: g.remove_node("ghost"), "no node"),
    (lambda g, ids: g.rename(ids[1], 42), "must be text"),
    (lambda g, ids: g.set_param(ids[1], "kernel_size", 0), "kernel_size: must be at least 1"),
    (lambda g, ids: g.set_param(ids[1], "padding", "full"), "padding"),
    (lambda g, ids: g.set_param(ids[1], "colour", 1), "no parameter 'colour'"),
    (lambda g, ids: g.move("ghost", (0, 0)), "no node"),
])
def test_refused_edits_change_nothing_and_emit_nothing(graph, events, edit, words):
    ids = _chain(graph, "Conv2d", "ReLU")
    before = (dict(graph.nodes), list(graph.edges), {k: dict(n.params) for k, n in graph.nodes.items()})
    events.clear()
    with pytest.raises(GraphError, match=words):
        edit(graph, ids)
    assert events == []
    assert (dict(graph.nodes), list(graph.edges), {k: dict(n.params) for k, n in graph.nodes.items()}) == before


def test_long_cycles_are_refused(graph):
    ids = _chain(graph, "ReLU", "ReLU", "ReLU", "ReLU")
    with pytest.raises(GraphError, match="cycle"):
        graph.connect(ids[-1], ids[1])


def test_set_param_none_restores_torchs_default(graph, events):
    ids = _chain(graph, "Conv2d", "Softmax")
    graph.set_param(ids[1], "stride", 2)
    graph.set_param(ids[1], "stride", None)
    assert "stride" not in graph.nodes[ids[1]].params
    graph.set_param(ids[2], "dim", None)  # optional: None is torch's own value here
    assert graph.nodes[ids[2]].params == {"dim": None}
    graph.unset_param(ids[2], "dim")
    assert graph.nodes[ids[2]].params == {}
    assert [e.kind for e in events[-4:]] == ["param_changed"] * 4


def test_set_param_keeps_a_private_copy(graph):
    ids = _chain(graph, "Conv2d")
    size = [3, 3]
    graph.set_param(ids[1], "kernel_size", size)
    size[0] = 99
    assert graph.nodes[ids[1]].params["kernel_size"] == [3, 3]


def test_clear_emits_reset(graph, events):
    _chain(graph, "ReLU")
    graph.clear()
    assert events[-1].kind == "reset" and not graph.nodes and not graph.edges
    assert graph.add_node("Input", {"shape": [3]})  # a fresh Input is allowed again


def test_unsubscribed_listeners_hear_nothing(graph, events):
    graph.unsubscribe(events.append)
    graph.add_node("ReLU")
    assert events == []


def test_new_ids_are_stable_and_never_reused(graph):
    a = graph.add_node("ReLU").id
    graph.add_node("ReLU", node_id="n2")
    b = graph.add_node("ReLU").id
    graph.remove_node(a)
    c = graph.add_node("ReLU").id
    assert len({a, "n2", b, c}) == 4


def test_model_path_follows_the_chain_and_lists_scratch_blocks(graph):
    ids = _chain(graph, "Conv2d", "ReLU", "Flatten")
    scratch = graph.add_node("Linear", {"in_features": 3, "out_features": 2}).id
    loose = graph.add_node("ReLU").id
    graph.connect(scratch, loose)
    path = graph.model_path()
    assert path.nodes == ids and path.off_path == [scratch, loose] and path.errors == {}


def test_in_a_version_1_graph_fan_out_is_an_error_on_the_forking_node(graph):
    graph.chain_only = True
    ids = _chain(graph, "Conv2d", "ReLU")
    extra = graph.add_node("Tanh").id
    graph.connect(ids[1], extra)
    path = graph.model_path()
    assert path.nodes == ids[:2]
    assert "feeds more than one block" in path.errors[ids[1]] and list(path.errors) == [ids[1]]
    assert "version 2" in path.errors[ids[1]]
    assert set(path.off_path) == {ids[2], extra}


def test_in_a_version_1_graph_fan_in_is_an_error_on_the_joining_node(graph):
    graph.chain_only = True
    ids = _chain(graph, "Conv2d", "ReLU", "Flatten")
    side = graph.add_node("Tanh").id
    graph.connect(side, ids[2])
    path = graph.model_path()
    assert path.nodes == ids[:3]
    assert "more than one incoming wire" in path.errors[ids[2]] and list(path.errors) == [ids[2]]
    assert set(path.off_path) == {ids[3], side}


def test_no_input_means_an_empty_path(graph):
    a = graph.add_node("ReLU").id
    path = graph.model_path()
    assert path.nodes == [] and path.off_path == [a]


def test_generated_names_count_per_prefix_and_never_collide_with_given_names(graph):
    ids = _chain(graph, "Conv2d", "ReLU", "Conv2d", "ReLU", "Flatten")
    graph.set_param(ids[3], "in_channels", 6)
    graph.rename(ids[3], "conv1")  # a learner names the second conv "conv1"
    names = graph.generated_names()
    assert names[ids[0]] == "input1"
    assert names[ids[3]] == "conv1"
    assert names[ids[1]] == "conv2"  # skips the taken name
    assert names[ids[2]] == "relu1" and names[ids[4]] == "relu2" and names[ids[5]] == "flatten1"
    assert len(set(names.values())) == len(names)


def test_generated_names_are_unique_in_a_mixed_graph(graph):
    for t in ["Conv2d", "BatchNorm2d", "BatchNorm1d", "Dropout", "Dropout2d", "Linear", "ReLU"] * 3:
        params = {"Conv2d": {"in_channels": 1, "out_channels": 1, "kernel_size": 1},
                  "Linear": {"in_features": 1, "out_features": 1}}.get(t, {})
        if t.startswith("BatchNorm"):
            params = {"num_features": 1}
        graph.add_node(t, params)
    graph.rename(next(iter(graph.nodes)), "bn2")
    names = graph.generated_names()
    assert len(set(names.values())) == len(names) == 21
    assert all(name.isidentifier() for name in names.values())


@pytest.mark.parametrize("kwargs, words", [
    ({"node_id": 7}, "non-empty text"), ({"node_id": ""}, "non-empty text"),
    ({"pos": ("a", 1)}, "two numbers"), ({"pos": (float("nan"), 0)}, "finite"), ({"pos": (1, 2, 3)}, "two"),
    ({"pos": None}, "two numbers"), ({"name": 3}, "text"), ({"params": [1, 2]}, "mapping"),
])
def test_add_node_refuses_malformed_arguments(graph, events, kwargs, words):
    with pytest.raises(GraphError, match=words):
        graph.add_node("ReLU", **kwargs)
    assert events == [] and graph.nodes == {}


def test_add_node_keeps_a_private_copy_of_its_params(graph):
    size = [3, 3]
    node = graph.add_node("MaxPool2d", {"kernel_size": size})
    size[0] = 0  # would be refused by set_param; must not reach the node
    assert node.params == {"kernel_size": [3, 3]}


def test_move_refuses_non_numbers(graph):
    node = graph.add_node("ReLU")
    with pytest.raises(GraphError):
        graph.move(node.id, ("left", 0))
    assert node.pos == (0.0, 0.0)


def test_reorder_restores_an_order_and_refuses_other_sets(graph, events):
    ids = _chain(graph, "ReLU", "Tanh")
    edges = list(graph.edges)
    graph.reorder(ids[::-1], edges[::-1])
    assert list(graph.nodes) == ids[::-1] and graph.edges == edges[::-1]
    assert events[-1].kind == "reordered"
    count = len(events)
    graph.reorder(ids[::-1], edges[::-1])  # already in that order: nothing to tell
    assert len(events) == count
    with pytest.raises(GraphError):
        graph.reorder(ids[:2], edges)
    with pytest.raises(GraphError):
        graph.reorder(ids, edges[:1])


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                    max_leaves=8)


@settings(max_examples=300, deadline=None, database=None)
@given(layer_type=st.sampled_from([s.type for s in layers.SPECS]), data=st.data())
def test_any_json_value_is_refused_cleanly_or_accepted_whole(layer_type, data):
    """A hostile file or a fumbled inspector edit gives a GraphError, never another exception."""
    graph = Graph()
    spec = layers.get(layer_type)
    key = data.draw(st.sampled_from([p.name for p in spec.params] + ["__class__"]))
    value = data.draw(JSON)
    node = graph.add_node(layer_type, {})  # missing required parameters are inference's errors
    for edit in (lambda: graph.add_node(layer_type, {key: value}), lambda: graph.set_param(node.id, key, value)):
        try:
            edit()
        except GraphError:
            continue
        if value is not None:
            spec.param(key).check(value)  # what the graph accepted, the catalog accepts
        infer(graph)  # and inference copes
