"""The graph model: nodes, edges, validated edits and change events.

Pure Python. The canvas subscribes to events; undo commands call these
methods and nothing else, so the model is the single source of truth.
"""

from __future__ import annotations

import copy
import math
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Callable

from designer.core.i18n import _
from designer.core import layers
from designer.core.params import ParamError


class GraphError(ValueError):
    """An edit the model refuses (unknown node, cycle, bad parameter, ...)."""


@dataclass
class Node:
    id: str
    type: str
    params: dict = field(default_factory=dict)
    name: str | None = None
    pos: tuple[float, float] = (0.0, 0.0)
    extra: dict = field(default_factory=dict)  # unknown file keys, kept for round trips

    @property
    def spec(self) -> layers.LayerSpec:
        return layers.CATALOG[self.type]


@dataclass(frozen=True)
class Event:
    """A past-tense change: ``kind`` is node_added, node_removed, edge_added, edge_removed,
    node_renamed, param_changed, node_moved, reordered or reset."""

    kind: str
    node_id: str | None = None
    edge: tuple[str, str] | None = None
    data: Any = None


@dataclass
class ModelPath:
    """The Sequential chain from Input, and what lies off it."""

    nodes: list[str]
    off_path: list[str]
    errors: dict[str, str]  # node id -> structural error (fan-out, fan-in, cycle)


class Graph:
    """Nodes in insertion order, and directed edges between them."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.edges: list[tuple[str, str]] = []
        self.edge_extra: dict[tuple[str, str], dict] = {}
        self._listeners: list[Callable[[Event], None]] = []
        self._counter = 0
        self.version = 0  # bumped on every change; cheap cache key

    # events ---------------------------------------------------------------
    def subscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Event], None]) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: Event) -> None:
        self.version += 1
        for listener in list(self._listeners):
            listener(event)

    # queries --------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise GraphError(_("no node with id {id!r}").format(id=node_id)) from None

    def input_node(self) -> Node | None:
        return next((n for n in self.nodes.values() if n.type == "Input"), None)

    def successors(self, node_id: str) -> list[str]:
        return [d for s, d in self.edges if s == node_id]

    def predecessors(self, node_id: str) -> list[str]:
        return [s for s, d in self.edges if d == node_id]

    def new_id(self) -> str:
        while True:
            self._counter += 1
            candidate = f"n{self._counter}"
            if candidate not in self.nodes:
                return candidate

    # edits ----------------------------------------------------------------
    def add_node(self, type_name: str, params: dict | None = None, name: str | None = None,
                 pos: tuple[float, float] = (0.0, 0.0), node_id: str | None = None,
                 extra: dict | None = None) -> Node:
        spec = layers.get(type_name)
        if spec is None:
            raise GraphError(_("unknown layer type {type!r}").format(type=type_name))
        if type_name == "Input" and self.input_node() is not None:
            raise GraphError(_("the graph already has an Input"))
        if node_id is not None and (not isinstance(node_id, str) or not node_id):
            raise GraphError(_("a node id must be non-empty text, not {id!r}").format(id=node_id))
        node_id = node_id or self.new_id()
        if node_id in self.nodes:
            raise GraphError(_("a node with id {id!r} already exists").format(id=node_id))
        if name is not None and not isinstance(name, str):
            raise GraphError(_("a name must be text"))
        if params is not None and not isinstance(params, dict):
            raise GraphError(_("params must be a mapping of names to values, not {kind}").format(
                kind=type(params).__name__))
        # A private copy: a caller's list edited later must not change the node behind the events' back.
        params = copy.deepcopy(params or {})
        for key, value in params.items():
            _check_param(spec, key, value)
        node = Node(node_id, type_name, params, name, _position(pos), dict(extra or {}))
        self.nodes[node_id] = node
        self._emit(Event("node_added", node_id))
        return node

    def remove_node(self, node_id: str) -> tuple[Node, list[tuple[str, str]]]:
        """Remove a node and its edges; returns both so that undo can restore them."""
        node = self.node(node_id)
        removed = [e for e in self.edges if node_id in e]
        for edge in removed:
            self.disconnect(*edge)
        del self.nodes[node_id]
        self._emit(Event("node_removed", node_id, data=node))
        return node, removed

    def connect(self, src: str, dst: str, extra: dict | None = None) -> None:
        self.node(src), self.node(dst)
        if src == dst:
            raise GraphError(_("a node cannot feed itself"))
        if (src, dst) in self.edges:
            raise GraphError(_("{src} is already connected to {dst}").format(src=src, dst=dst))
        if self.nodes[dst].type == "Input":
            raise GraphError(_("nothing can feed the Input"))
        if self._reaches(dst, src):
            raise GraphError(_("connecting {src} → {dst} would make a cycle").format(src=src, dst=dst))
        self.edges.append((src, dst))
        if extra:
            self.edge_extra[(src, dst)] = dict(extra)
        self._emit(Event("edge_added", edge=(src, dst)))

    def disconnect(self, src: str, dst: str) -> None:
        try:
            self.edges.remove((src, dst))
        except ValueError:
            raise GraphError(_("{src} is not connected to {dst}").format(src=src, dst=dst)) from None
        self.edge_extra.pop((src, dst), None)
        self._emit(Event("edge_removed", edge=(src, dst)))

    def rename(self, node_id: str, name: str | None) -> None:
        node = self.node(node_id)
        if name is not None and not isinstance(name, str):
            raise GraphError(_("a name must be text"))
        node.name = name or None
        self._emit(Event("node_renamed", node_id, data=node.name))

    def set_param(self, node_id: str, key: str, value: Any) -> None:
        """Set a parameter; ``value`` None on a parameter whose kind is not optional removes it (torch's default)."""
        node = self.node(node_id)
        spec = node.spec
        param = spec.param(key)
        if param is None:
            raise GraphError(_("{type} has no parameter {key!r}").format(type=node.type, key=key))
        if value is None and param.kind not in ("opt_int", "opt_float"):
            node.params.pop(key, None)
        else:
            _check_param(spec, key, value)
            node.params[key] = copy.deepcopy(value)
        self._emit(Event("param_changed", node_id, data=key))

    def unset_param(self, node_id: str, key: str) -> None:
        node = self.node(node_id)
        node.params.pop(key, None)
        self._emit(Event("param_changed", node_id, data=key))

    def move(self, node_id: str, pos: tuple[float, float]) -> None:
        node = self.node(node_id)
        node.pos = _position(pos)
        self._emit(Event("node_moved", node_id, data=node.pos))

    def reorder(self, node_order: list[str], edge_order: list[tuple[str, str]]) -> None:
        """Put existing nodes and edges in the given order (undo uses it to restore the exact file)."""
        if set(node_order) != set(self.nodes) or sorted(edge_order) != sorted(self.edges):
            raise GraphError(_("reorder needs exactly the graph's nodes and edges"))
        if list(self.nodes) == list(node_order) and self.edges == list(edge_order):
            return
        self.nodes = {node_id: self.nodes[node_id] for node_id in node_order}
        self.edges = list(edge_order)
        self._emit(Event("reordered"))

    def clear(self) -> None:
        self.nodes.clear()
        self.edges.clear()
        self.edge_extra.clear()
        self._emit(Event("reset"))

    # structure ------------------------------------------------------------
    def _reaches(self, start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        out: dict[str, list[str]] = {}
        for s, d in self.edges:
            out.setdefault(s, []).append(d)
        while stack:
            current = stack.pop()
            if current == goal:
                return True
            if current not in seen:
                seen.add(current)
                stack.extend(out.get(current, ()))
        return False

    def model_path(self) -> ModelPath:
        """Walk from Input along single edges; a fork or join ends the chain with an error there."""
        errors: dict[str, str] = {}
        edges = self.edges
        # Counting with C-level builtins keeps this cheap on 1,000-node chains.
        fan_out = Counter(map(itemgetter(0), edges))
        fan_in = Counter(map(itemgetter(1), edges))
        following = dict(edges)  # the successor, for nodes with exactly one
        start = self.input_node()
        path: list[str] = []
        if start is not None:
            current, seen = start.id, set()
            while current is not None and current not in seen:
                seen.add(current)
                path.append(current)
                if fan_in[current] > 1:
                    errors[current] = _("This block has more than one incoming wire; a Sequential model "
                                       "takes exactly one. Remove the extra wire.")
                    break
                if fan_out[current] > 1:
                    errors[current] = _("This block feeds more than one block; a Sequential model is a single "
                                       "chain. Remove the extra wire.")
                    break
                current = following.get(current)
        on = set(path)
        return ModelPath(path, [n for n in self.nodes if n not in on], errors)

    def generated_names(self) -> dict[str, str]:
        """A display name per node: its own, or prefix + running number by type (conv1, fc2, ...)."""
        taken = {n.name for n in self.nodes.values() if n.name}
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        for node in self.nodes.values():
            if node.name:
                names[node.id] = node.name
                continue
            prefix = node.spec.prefix
            while True:
                counts[prefix] = counts.get(prefix, 0) + 1
                candidate = f"{prefix}{counts[prefix]}"
                if candidate not in taken:
                    break
            names[node.id] = candidate
        return names


def _position(pos: Any) -> tuple[float, float]:
    try:
        x, y = float(pos[0]), float(pos[1])
    except (TypeError, ValueError, IndexError, KeyError):
        raise GraphError(_("a position must be two numbers, not {pos!r}").format(pos=pos)) from None
    if not (math.isfinite(x) and math.isfinite(y)) or len(pos) != 2:
        raise GraphError(_("a position must be two finite numbers, not {pos!r}").format(pos=pos))
    return (x, y)


def _check_param(spec: layers.LayerSpec, key: str, value: Any) -> None:
    param = spec.param(key)
    if param is None:
        raise GraphError(_("{type} has no parameter {key!r}").format(type=spec.type, key=key))
    try:
        param.check(value)
    except ParamError as exc:
        raise GraphError(str(exc)) from None
