"""Where the canvas is: the model, or inside a block's definition entered through one instance.

``level`` is the list of instance ids entered, outermost first. The graph shown
is the definition's own (edits there change every instance); the shapes shown
are those the entered instance gives it (``NodeResult.inner``).
"""

from __future__ import annotations

from designer.core.shapes import ModelShapes


def walk(graph, shapes, level: list[str]):
    """(graph, shapes, titles) at ``level``; shapes are empty where the instance has none (an error before it)."""
    titles = []
    for node_id in level:
        node = graph.nodes.get(node_id)
        block = graph.blocks.get(node.type) if node is not None else None
        if block is None:
            break
        result = shapes.nodes.get(node_id) if shapes is not None else None
        shapes = result.inner if result is not None else None
        graph = block.graph
        titles.append(block.name)
    return graph, shapes if shapes is not None else ModelShapes({}, []), titles


def depth_that_exists(graph, level: list[str]) -> int:
    """How much of ``level`` still leads into a block (an undo can remove the instance entered through)."""
    for depth, node_id in enumerate(level):
        node = graph.nodes.get(node_id)
        block = graph.blocks.get(node.type) if node is not None else None
        if block is None:
            return depth
        graph = block.graph
    return len(level)
