"""The graph model: nodes, edges, validated edits and change events.

Pure Python. The canvas subscribes to events; undo commands call these
methods and nothing else, so the model is the single source of truth.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable

from designer.core import blocks as blocks_, layers, topology
from designer.core.i18n import _
from designer.core.params import ParamError
from designer.core.topology import ModelPath


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
        """The catalog entry; for a block instance use ``graph.spec(node.type)``."""
        return layers.CATALOG[self.type]


@dataclass(frozen=True)
class Event:
    """A past-tense change: ``kind`` is node_added, node_removed, edge_added, edge_removed,
    node_renamed, param_changed, node_moved, node_retyped (data: the old type), reordered, reset,
    or block_changed (data: the frozenset of block names whose definitions changed)."""

    kind: str
    node_id: str | None = None
    edge: tuple[str, str] | None = None
    data: Any = None


class Graph:
    """Nodes in insertion order, and directed edges between them.

    A node's output may feed any number of nodes; only a merge (Add, Concat)
    takes more than one input. A merge's inputs are ordered by the edges'
    ports (``edge_extra[(src, dst)]["port"]``, see ``inputs``). ``chain_only``
    applies version 1's rules: the model is a single chain and any fork or
    join is an error (the loader sets it for a version-1 file that has one).

    ``blocks`` is the project's block library, shared with the graphs of its
    definitions (see ``designer.core.blocks``); ``block`` is the definition
    this graph belongs to, or None for the top-level graph.
    """

    def __init__(self, blocks: blocks_.Library | None = None) -> None:
        self.blocks = blocks if blocks is not None else blocks_.Library()
        self.block: blocks_.Block | None = None
        self.blocks.attach(self)
        self.nodes: dict[str, Node] = {}
        self.edges: list[tuple[str, str]] = []
        self.edge_extra: dict[tuple[str, str], dict] = {}  # "port", and unknown file keys
        self.chain_only = False
        self._listeners: list[Callable[[Event], None]] = []
        self._counter = 0
        self.version = 0  # bumped on every change; cheap cache key

    # events ---------------------------------------------------------------
    def copy(self, blocks: blocks_.Library | None = None) -> Graph:
        """``copy_graph(self, blocks)``: the library asks for it without importing this module."""
        return copy_graph(self, blocks)

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

    def spec(self, type_name: str) -> layers.LayerSpec | None:
        """The catalog entry of a layer type, or a block's instance spec; None when neither."""
        spec = layers.CATALOG.get(type_name)
        if spec is None:
            block = self.blocks.get(type_name)
            spec = block.spec if block is not None else None
        return spec

    def is_block(self, node_id: str) -> bool:
        """Whether the node is an instance of a block."""
        return self.nodes[node_id].type in self.blocks

    def input_node(self) -> Node | None:
        return next((n for n in self.nodes.values() if n.type == "Input"), None)

    def successors(self, node_id: str) -> list[str]:
        return [d for s, d in self.edges if s == node_id]

    def predecessors(self, node_id: str) -> list[str]:
        return [s for s, d in self.edges if d == node_id]

    def port(self, src: str, dst: str) -> int | None:
        """The port of edge ``src → dst`` when one was given."""
        return self.edge_extra.get((src, dst), {}).get("port")

    def inputs(self, node_id: str) -> list[str]:
        """The nodes feeding ``node_id``, in input order (a merge's ``x1, x2, ...``).

        Edges with a port take that place; the others fill the free places in
        the order of ``edges``.
        """
        return topology.ordered_inputs(self.predecessors(node_id), node_id, self.edge_extra)

    def free_port(self, node_id: str) -> int:
        """The lowest port of ``node_id`` that no edge uses."""
        used = set(self.places(node_id).values())
        return next(i for i in range(len(used) + 1) if i not in used)

    def places(self, node_id: str) -> dict[str, int]:
        """Each input's place at ``node_id`` (a merge's port number): source id -> place."""
        sources = self.predecessors(node_id)
        return dict(zip(sources, topology.places(sources, node_id, self.edge_extra)))

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
        spec = self.spec(type_name)
        if spec is None:
            raise GraphError(_("unknown layer type {type!r}").format(type=type_name))
        self._check_nesting(type_name)
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
            self._check_param(spec, key, value)
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
        port = (extra or {}).get("port")
        if port is not None:
            if isinstance(port, bool) or not isinstance(port, int) or port < 0:
                raise GraphError(_("a port is a whole number from 0, not {port!r}").format(port=port))
            if any(self.port(s, dst) == port for s in self.predecessors(dst)):
                raise GraphError(_("port {port} of {node} is already wired").format(port=port, node=dst))
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
        spec = self.spec(node.type)
        param = spec.param(key)
        if param is None:
            raise GraphError(_("{type} has no parameter {key!r}").format(type=node.type, key=key))
        if value is None and param.kind not in ("opt_int", "opt_float"):
            node.params.pop(key, None)
        else:
            self._check_param(spec, key, value)
            node.params[key] = copy.deepcopy(value)
        self._emit(Event("param_changed", node_id, data=key))

    def unset_param(self, node_id: str, key: str) -> None:
        node = self.node(node_id)
        node.params.pop(key, None)
        self._emit(Event("param_changed", node_id, data=key))

    def retype(self, node_id: str, type_name: str) -> None:
        """Make a block instance use another definition (Make unique, a renamed block)."""
        node = self.node(node_id)
        if node.type not in self.blocks or type_name not in self.blocks:
            raise GraphError(_("only a block can take another block's definition"))
        if node.type == type_name:
            return
        self._check_nesting(type_name)
        for key in node.params:
            if self.blocks[type_name].spec.param(key) is None:
                raise GraphError(_("{type} has no parameter {key!r}").format(type=type_name, key=key))
        self.set_type(node_id, type_name)

    def set_type(self, node_id: str, type_name: str) -> None:
        """Change a node's type without checks (the library's rename; use ``retype`` otherwise)."""
        node = self.node(node_id)
        old, node.type = node.type, type_name
        self._emit(Event("node_retyped", node_id, data=old))

    def blocks_changed(self, names: frozenset) -> None:
        """Called by the library: the definitions of ``names`` changed (this graph uses some)."""
        self._emit(Event("block_changed", data=names))

    def _check_nesting(self, type_name: str) -> None:
        if self.block is None or type_name not in self.blocks:
            return
        own = self.block.name
        if type_name == own or own in self.blocks.uses(type_name):
            raise GraphError(_("{block} cannot contain itself, directly or through {other}").format(
                block=own, other=type_name))

    def _check_param(self, spec: layers.LayerSpec, key: str, value: Any) -> None:
        if blocks_.is_ref(value) and self.block is not None and spec.param(key) is not None:
            if value[1:] not in self.block.args:
                known = ", ".join(self.block.args) or _("none")
                raise GraphError(_("{ref} is not an argument of {block} (it takes: {known})").format(
                    ref=value, block=self.block.name, known=known))
            return
        _check_param(spec, key, value)

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
        """The model: the nodes reachable from Input in topological order, with structural errors."""
        if self.chain_only:
            return topology.chain_path(self)
        return topology.dag_path(self)

    def generated_names(self) -> dict[str, str]:
        """A display name per node: its own, or prefix + running number by type (conv1, fc2, ...)."""
        taken = {n.name for n in self.nodes.values() if n.name}
        counts: dict[str, int] = {}
        names: dict[str, str] = {}
        for node in self.nodes.values():
            if node.name:
                names[node.id] = node.name
                continue
            spec = self.spec(node.type)
            prefix = spec.prefix if spec is not None else "block"
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


def copy_graph(graph: Graph, blocks: blocks_.Library | None = None) -> Graph:
    """A copy of ``graph``'s nodes and edges (no listeners) reading ``blocks`` (default: the same library)."""
    out = Graph(graph.blocks if blocks is None else blocks)
    for node in graph.nodes.values():
        out.nodes[node.id] = Node(node.id, node.type, copy.deepcopy(node.params), node.name, node.pos,
                                  copy.deepcopy(node.extra))
    out.edges = list(graph.edges)
    out.edge_extra = copy.deepcopy(graph.edge_extra)
    out.chain_only = graph.chain_only
    out._counter = graph._counter
    return out
