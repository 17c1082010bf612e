"""Where the canvas is: the model, or inside a block's definition entered through one instance.

``level`` is the list of instance ids entered, outermost first. The graph shown
is the definition's own (edits there change every instance); the shapes shown
are those the entered instance gives it (``NodeResult.inner``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from designer.core.codegen_blocks import instance_names, nested_name
from designer.core.shapes import ModelShapes

SHOWN = 6  # instances named in a note; more are "…"


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


@dataclass(frozen=True)
class Selected:
    """The selected node, seen through the blocks entered: the one layer the panels show.

    Attributes:
        node_id: its id in the graph shown (inside a block, the definition's own id, which the model may
            use for another node).
        path: the ids from the model's instance down to it (``("n7", "n1")``); ``(node_id,)`` at the model.
        node: the node (inside a block, the definition's: ``"$channels"`` stays a reference).
        result: its shapes in the instance entered through (arguments filled in), None off the model.
        name: its nested name, as Look inside and the ``state_dict`` write it (``layer2_1.conv1``).
        block: the definition shown, None at the model's level.
        instances: the nested names of that definition's instances in the model (inside a block).
    """

    node_id: str
    path: tuple[str, ...]
    node: object
    result: object
    name: str
    block: str | None = None
    instances: tuple[str, ...] = ()

    @property
    def instance(self) -> str:
        """The nested name of the instance entered through (``layer2_1``); empty at the model's level."""
        return self.name.rpartition(".")[0]


def selected(graph, shapes, level: list[str], node_id: str | None) -> Selected | None:
    """``node_id`` of the graph shown at ``level`` as a ``Selected``; None when nothing (or nothing known) is."""
    shown, shown_shapes, titles = walk(graph, shapes, level)
    if node_id is None or node_id not in shown.nodes:
        return None
    path = tuple(level) + (node_id,)
    result = shown_shapes.nodes.get(node_id)
    if not level:
        return Selected(node_id, path, shown.nodes[node_id], result, graph.generated_names().get(node_id, node_id))
    name = nested_name(graph, path) or shown.generated_names().get(node_id, node_id)
    return Selected(node_id, path, shown.nodes[node_id], result, name, titles[-1],
                    tuple(instance_names(graph, titles[-1])))


def instance_note(chosen: Selected | None) -> str:
    """Inside a block, which instance's layer a panel shows; empty at the model's level.

    A definition used five times has five ``conv1``: the panels show the one of the instance entered through.
    """
    if chosen is None or chosen.block is None:
        return ""
    translate = QCoreApplication.translate
    if not chosen.instance:
        return translate("Levels", "{block}: the instance you entered through is not part of the model.").format(
            block=chosen.block)
    if len(chosen.instances) <= 1:
        return translate("Levels", "{block} is used once: this is {instance}'s.").format(
            block=chosen.block, instance=chosen.instance)
    names = list(chosen.instances)
    listed = ", ".join(names[:SHOWN] + (["…"] if len(names) > SHOWN else []))
    return translate("Levels", "{block} is used {count} times ({instances}): shown for {instance}, the instance you "
                               "entered through.").format(block=chosen.block, count=len(names), instances=listed,
                                                          instance=chosen.instance)
