"""Which recorded layer and which module the selection means, seen through the blocks entered.

Look inside records each layer under the top-level node it was built from and,
inside blocks, the node ids below it (``LayerOutput.node_id``, ``.inner``).
The selection (``levels.Selected``) gives the same ids from the model down, so
``conv1`` selected inside ``BasicBlock`` entered through ``layer2_1`` finds
``layer2_1.conv1``, not the model's own ``conv1``.
"""

from __future__ import annotations

from designer.core.codegen_blocks import layer_paths
from designer.core.receptive import field_of


def key(layer) -> tuple[str, ...]:
    """A recorded layer's ids from the model down (``("n7", "n1")`` for ``layer2_1.conv1``)."""
    return (layer.node_id,) + tuple(layer.inner)


def source(graph, path: tuple[str, ...]) -> tuple[str, ...]:
    """What ``path`` shows: itself, or for a definition's Input what feeds the instance (an outer layer, or the
    model's Input)."""
    while len(path) > 1:
        level = graph
        for instance in path[:-2]:
            level = level.blocks[level.nodes[instance].type].graph
        instance = path[-2]
        inside = level.blocks.get(level.nodes[instance].type) if instance in level.nodes else None
        if inside is None or path[-1] not in inside.graph.nodes or inside.graph.nodes[path[-1]].type != "Input":
            return path
        feeds = level.predecessors(instance)
        if len(feeds) != 1:
            return path
        path = path[:-2] + (feeds[0],)
    return path


def layer_for(layers, path: tuple[str, ...]):
    """The recorded output of the node at ``path``; a block instance's is its last layer's (what it gives)."""
    exact = next((layer for layer in layers if key(layer) == path), None)
    if exact is not None:
        return exact
    inside = [layer for layer in layers if key(layer)[:len(path)] == path]
    return inside[-1] if inside else None


def inferred(shapes, layer):
    """The shape inference says for a recorded layer (inside blocks: the inner node's, for this instance)."""
    result = shapes.nodes.get(layer.node_id)
    for inner_id in layer.inner:
        if result is None or result.inner is None:
            return None
        result = result.inner.nodes.get(inner_id)
    return result.out_shape if result is not None else None


def field(document, layer):
    """The receptive field of a recorded layer: an inner layer's is that of its instance's copy."""
    if not layer.inner:
        return document.receptive_fields().get(layer.node_id)
    return field_of(document.graph, document.shapes, key(layer))


def module(model, graph, path: tuple[str, ...]):
    """The built model's module for the layer at ``path`` (``model.layer2_1.conv1``), or None."""
    name = next((name for name, ids in layer_paths(graph).items() if ids == path), None)
    if model is None or name is None:
        return None
    try:
        return model.get_submodule(name)
    except AttributeError:
        return None
