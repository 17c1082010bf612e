"""Undo for block edits (Make Block, Unpack, Make unique): one step each, the file restored byte for byte.

A block edit changes the project's block library as well as the graph, so it
cannot be replayed from graph calls alone. A ``BlockCommand`` remembers the
graph's state before and after, the blocks the edit added and every block's
arguments: undo puts the graph back (only the nodes and wires that differ,
then their order), the arguments, and removes the added definitions; redo
runs the core edit again on the restored graph, which gives the same ids, and
restores the recorded order.
"""

from __future__ import annotations

import copy
from typing import Any, Callable

from PySide6.QtGui import QUndoCommand

from designer.core.graph import Graph


def graph_state(graph: Graph) -> tuple[dict, list]:
    """Everything the file holds of ``graph``'s nodes and wires, in order."""
    nodes = {nid: (n.type, copy.deepcopy(n.params), n.name, tuple(n.pos), copy.deepcopy(n.extra))
             for nid, n in graph.nodes.items()}
    edges = [(s, d, copy.deepcopy(graph.edge_extra.get((s, d)))) for s, d in graph.edges]
    return nodes, edges


def library_args(graph: Graph) -> dict[str, dict]:
    """Every definition's arguments (with defaults), in order."""
    return {name: copy.deepcopy(block.args) for name, block in graph.blocks.items()}


def restore_args(graph: Graph, args: dict[str, dict]) -> None:
    for name, old in args.items():
        block = graph.blocks.get(name)
        if block is not None and (block.args != old or list(block.args) != list(old)):
            graph.blocks.set_args(name, copy.deepcopy(old))


def restore_graph(graph: Graph, state: tuple[dict, list]) -> None:
    """Make ``graph`` hold ``state`` again, touching only what differs."""
    nodes, edges = state
    wanted = {(s, d): extra for s, d, extra in edges}
    for s, d in list(graph.edges):
        if (s, d) not in wanted or graph.edge_extra.get((s, d)) != wanted[(s, d)]:
            graph.disconnect(s, d)
    for node_id in list(graph.nodes):
        node = graph.nodes[node_id]
        old = nodes.get(node_id)
        if old is None or (node.params, node.name, tuple(node.pos), node.extra) != old[1:]:
            graph.remove_node(node_id)
        elif node.type != old[0]:
            graph.set_type(node_id, old[0])
    for node_id, (type_name, params, name, pos, extra) in nodes.items():
        if node_id not in graph.nodes:
            graph.add_node(type_name, copy.deepcopy(params), name, pos, node_id, copy.deepcopy(extra))
    for s, d, extra in edges:
        if (s, d) not in graph.edges:
            graph.connect(s, d, copy.deepcopy(extra))
    graph.reorder(list(nodes), [(s, d) for s, d, _ in edges])


class BlockCommand(QUndoCommand):
    """One block edit on ``graph``: ``forward(graph)`` ran once already when the command is pushed."""

    def __init__(self, document, text: str, graph: Graph, forward: Callable[[Graph], Any],
                 before: tuple, after: tuple, added: list[str], args: dict | None = None):
        super().__init__(text)
        self._document = document
        self.graph, self.forward = graph, forward
        self.before, self.after, self.added = before, after, added
        self.args = args if args is not None else library_args(graph)  # before the edit
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.forward(self.graph)
        restore_graph(self.graph, self.after)
        self._document._edited()

    def undo(self) -> None:
        restore_graph(self.graph, self.before)
        for name in reversed(self.added):
            self.graph.blocks.remove(name)
        restore_args(self.graph, self.args)
        self._document._edited()
