"""Undo commands: each replays recorded graph-model calls and their inverses.

An edit runs once through a ``Recorder``, which calls the graph's own methods
and notes, for each call, the call that reverses it. The resulting
``GraphCommand`` never touches canvas items (seam 2): redo replays the forward
calls, undo the inverse calls in reverse order, and both finish by restoring
the node and edge order so that the saved file is byte-for-byte the same.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from designer.core.graph import Graph, GraphError

Call = tuple  # (method name, *args) on the graph

MERGE_PARAM = 1
MERGE_RENAME = 2


def _order(graph: Graph) -> tuple[list[str], list[tuple[str, str]]]:
    return list(graph.nodes), list(graph.edges)


class Recorder:
    """Calls graph methods and remembers how to undo each one."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self.calls: list[tuple[Call, Call]] = []  # (forward, inverse)

    def _run(self, forward: Call, inverse: Call) -> Any:
        result = getattr(self.graph, forward[0])(*forward[1:])
        self.calls.append((forward, inverse))
        return result

    def add_node(self, type_name: str, params: dict | None = None, name: str | None = None,
                 pos: tuple[float, float] = (0.0, 0.0), node_id: str | None = None, extra: dict | None = None) -> str:
        node_id = node_id or self.graph.new_id()
        self._run(("add_node", type_name, copy.deepcopy(params or {}), name, tuple(pos), node_id,
                   copy.deepcopy(extra or {})), ("remove_node", node_id))
        return node_id

    def remove_node(self, node_id: str) -> None:
        for src, dst in [e for e in self.graph.edges if node_id in e]:
            self.disconnect(src, dst)
        node = self.graph.node(node_id)
        self._run(("remove_node", node_id),
                  ("add_node", node.type, copy.deepcopy(node.params), node.name, node.pos, node.id,
                   copy.deepcopy(node.extra)))

    def connect(self, src: str, dst: str, extra: dict | None = None) -> None:
        self._run(("connect", src, dst, copy.deepcopy(extra)), ("disconnect", src, dst))

    def disconnect(self, src: str, dst: str) -> None:
        extra = copy.deepcopy(self.graph.edge_extra.get((src, dst)))
        self._run(("disconnect", src, dst), ("connect", src, dst, extra))

    def set_param(self, node_id: str, key: str, value: Any) -> None:
        params = self.graph.node(node_id).params
        inverse = ("set_param", node_id, key, copy.deepcopy(params[key])) if key in params \
            else ("unset_param", node_id, key)
        self._run(("set_param", node_id, key, copy.deepcopy(value)), inverse)

    def rename(self, node_id: str, name: str | None) -> None:
        self._run(("rename", node_id, name or None), ("rename", node_id, self.graph.node(node_id).name))

    def move(self, node_id: str, pos: tuple[float, float]) -> None:
        old = self.graph.node(node_id).pos
        self._run(("move", node_id, (float(pos[0]), float(pos[1]))), ("move", node_id, old))

    def rollback(self) -> None:
        """Undo whatever ran so far (an edit that failed half way)."""
        for _, inverse in reversed(self.calls):
            getattr(self.graph, inverse[0])(*inverse[1:])
        self.calls.clear()


class GraphCommand(QUndoCommand):
    """One undoable edit made of recorded graph calls."""

    def __init__(self, document, text: str, calls: list[tuple[Call, Call]], before, after,
                 merge: tuple | None = None, graph: Graph | None = None):
        super().__init__(text)
        self._document = document
        self.graph = graph if graph is not None else document.graph  # the model's, or a block's definition
        self.calls = calls
        self.before, self.after = before, after
        self.merge = merge  # (kind, key...) for edits typed a keystroke at a time
        self._first = True  # the edit already ran when it was pushed

    def id(self) -> int:  # noqa: A003 - Qt's name
        return self.merge[0] if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        if not isinstance(other, GraphCommand) or other.merge != self.merge or other.graph is not self.graph \
                or len(self.calls) != 1 or len(other.calls) != 1:
            return False
        self.calls = [(other.calls[0][0], self.calls[0][1])]  # newest value, oldest inverse
        self.after = other.after
        return True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        graph = self.graph
        for forward, _ in self.calls:
            getattr(graph, forward[0])(*forward[1:])
        _restore_order(graph, self.after)
        self._document._edited()

    def undo(self) -> None:
        graph = self.graph
        for _, inverse in reversed(self.calls):
            getattr(graph, inverse[0])(*inverse[1:])
        _restore_order(graph, self.before)
        self._document._edited()


def _restore_order(graph: Graph, order) -> None:
    try:
        graph.reorder(*order)
    except GraphError:  # the graph no longer matches (should not happen): keep what is there
        pass
