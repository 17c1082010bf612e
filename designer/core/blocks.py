"""Blocks: named sub-networks, defined once and used any number of times (project format v3).

The shape of the API (pure Python, like the rest of ``core``):

- ``Library`` (``graph.blocks``, ``project.blocks``): the project's definitions by name, one
  object shared by the top-level graph and every definition's graph. Mapping-like (``name in lib``,
  ``lib[name]``, ``lib.get(name)``, iteration in definition order). Edits: ``add(name, args, graph)``
  (``graph``: a ``Graph(lib)`` holding the body), ``remove(name)``, ``rename(old, new)``,
  ``set_args(name, args)``, ``make_unique(graph, node_id)``. Queries: ``instances(name)`` ->
  ``[(graph, node_id)]``, ``count(name)``, ``uses(name)`` (every block it contains, directly or not),
  ``users(name)``, ``loop(name)``, ``order()``. ``subscribe(listener)`` gets a ``BlockEvent`` per edit.
- ``Block``: ``name``, ``args`` (ordered name -> default value), ``graph`` (a ``Graph`` with one
  ``Input`` and one output; version 2's rules inside; ``graph.block`` points back), ``extra`` (unknown
  file keys). ``block.spec`` is the instance's ``LayerSpec``: category "Blocks", one parameter per
  argument, ``prefix`` for generated names (``basic_block1``), ``summary`` (``channels=16, stride=2``).
- An instance is a ``Node`` whose ``type`` is a block's name and whose ``params`` are argument values;
  a missing one takes the default. Inside a definition a parameter may be ``"$name"``: the argument's
  value in each instance (``is_ref``, ``substitute``). An instance inside a definition may pass the
  outer block's arguments on (``{"channels": "$width"}``). A block that contains itself is refused.
- Graphs: ``graph.spec(type)`` is the catalog entry or a block's spec (``node.spec`` is the catalog's
  only); ``graph.is_block(node_id)``. When a definition changes (an inner edit, its arguments), every
  graph holding an instance of it, or of a block that contains it, emits
  ``Event("block_changed", data=frozenset(names))``; ``graph.retype(node_id, type)`` emits
  ``node_retyped``.
- Edits of structure (``designer.core.block_edits``): ``make_block(graph, node_ids, name)`` (Make
  Block: one input, grouped by outer source; one output; no path that leaves and re-enters) and
  ``unpack(graph, node_id)``; both refuse with a ``BlockError`` that says why.
- Shapes (``designer.core.shapes``, ``block_shapes``): each instance is inferred from its definition
  with its arguments substituted and its incoming shape on the ``Input``; ``NodeResult.inner`` holds the
  inner ``ModelShapes`` (parameters and multiply-adds add up per instance); an inner error is the
  instance's error, ``layer2_0 › conv1: ...`` (a risky inner setting its warning), and its fix targets
  the instance's argument when the inner value is ``"$name"``, else the inner node (``Fix.block`` names
  the definition). Inner results are cached per (definition, argument values, input shape) and follow
  edits incrementally. ``receptive.receptive_fields`` passes through instances.
- Code (``designer.core.codegen_blocks``): a class per block (``class BasicBlock(nn.Module)``,
  ``__init__(self, channels, stride=1)``), instances as attributes, nested ``state_dict`` keys;
  ``layer_paths(graph)``: module path (``layer1_0.conv1``) -> node ids (``("b1", "c1")``), which Look
  inside (``LayerOutput.inner``), Explain (``for_node(..., inner=...)``) and Health use;
  ``codemap.block_lines`` links a definition's nodes to their lines in its class.
"""

from __future__ import annotations

import copy
import keyword
import re
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from designer.core import layers
from designer.core.i18n import N_, _
from designer.core.params import VALUE, Param

CATEGORY = N_("Blocks")
# Inner inferences kept per library (argument values × input shapes): enough for a large model whose every
# instance has its own arguments, so that an edit inside a block updates their inferences, not starts anew.
MAX_CACHED = 256


def is_ref(value: Any) -> bool:
    """Whether a parameter value is an argument reference, ``"$channels"``."""
    return isinstance(value, str) and len(value) > 1 and value[0] == "$" and value[1:].isidentifier()


def substitute(params: dict, args: dict) -> dict:
    """``params`` with every ``"$name"`` replaced by ``args[name]`` (references to unknown names stay)."""
    out = None
    for key, value in params.items():
        if type(value) is str and value[:1] == "$" and value[1:] in args:
            if out is None:
                out = dict(params)
            out[key] = args[value[1:]]
    return params if out is None else out


def valid_name(name: Any) -> bool:
    """A block's name is an identifier that is no layer type (it becomes a class in the exported code)."""
    return (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)
            and name not in layers.CATALOG and len(name) <= 64)


def valid_arg(name: Any) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name) and name != "self"


def prefix_of(name: str) -> str:
    """Generated instance names: ``BasicBlock`` -> ``basic_block`` (then ``basic_block1``, ...)."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    return text if text.isidentifier() else "block"


def freeze(value: Any) -> Any:
    """A hashable form of argument values (lists become tuples)."""
    if isinstance(value, dict):
        return tuple((k, freeze(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return tuple(freeze(v) for v in value)
    return value


class BlockError(ValueError):
    """An edit of the library that is refused (a name taken, a block containing itself, ...)."""


@dataclass(frozen=True)
class BlockEvent:
    """``kind``: block_added, block_removed, block_renamed (data: old name), args_changed,
    definition_changed (data: the frozenset of affected block names)."""

    kind: str
    name: str
    data: Any = None


def _summary(args: dict) -> str:
    """An instance's arguments in one line: ``channels=16, stride=2``."""
    return ", ".join(f"{name}={'×'.join(map(str, v)) if isinstance(v, list) else v}" for name, v in args.items())


def _no_rule(shape, params):  # instances are inferred from their definition, never by a rule
    raise AssertionError("a block instance has no shape rule")


@dataclass(eq=False)
class Block:
    """One definition: its name, ordered arguments with defaults, and its graph."""

    name: str
    args: dict
    graph: Any  # Graph
    extra: dict = field(default_factory=dict)

    @property
    def spec(self) -> layers.LayerSpec:
        key = (self.name, tuple(self.args.items()))  # in order: the order of the arguments is the spec's
        cached = self.__dict__.get("_spec")
        if cached is None or cached[0] != key:
            params = tuple(Param(arg, VALUE, default) for arg, default in self.args.items())
            spec = layers.LayerSpec(self.name, CATEGORY, "", params, _no_rule, prefix_of(self.name),
                                    summary=_summary)
            cached = self.__dict__["_spec"] = (copy.deepcopy(key), spec)  # a list default edited in place
        return cached[1]


class Library:
    """The definitions of one project, by name, in definition order."""

    def __init__(self) -> None:
        self._blocks: dict[str, Block] = {}
        self._graphs: weakref.WeakSet = weakref.WeakSet()  # every graph that reads this library
        self._top: weakref.ref | None = None  # the first top-level graph attached: the project's own
        self._listeners: list[Callable[[BlockEvent], None]] = []
        self.cache: OrderedDict = OrderedDict()  # shapes' inner inferences, see designer.core.shapes
        self.version = 0  # bumped on every change of a definition
        self._loops: tuple[int, dict] | None = None

    # mapping ------------------------------------------------------------------
    def __contains__(self, name: object) -> bool:
        return name in self._blocks

    def __getitem__(self, name: str) -> Block:
        return self._blocks[name]

    def __iter__(self):
        return iter(self._blocks)

    def __len__(self) -> int:
        return len(self._blocks)

    def get(self, name: str) -> Block | None:
        return self._blocks.get(name)

    def items(self):
        return self._blocks.items()

    def values(self):
        return self._blocks.values()

    # events -------------------------------------------------------------------
    def subscribe(self, listener: Callable[[BlockEvent], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[BlockEvent], None]) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: BlockEvent) -> None:
        for listener in list(self._listeners):
            listener(event)

    def attach(self, graph) -> None:
        """Register a graph that reads this library (Graph does it itself)."""
        self._graphs.add(graph)
        if graph.block is None and (self._top is None or self._top() is None):
            self._top = weakref.ref(graph)

    # edits ----------------------------------------------------------------------
    def add(self, name: str, args: dict | None, graph, extra: dict | None = None) -> Block:
        """A new definition whose body is ``graph`` (a ``designer.core.graph.Graph`` reading this library)."""
        if not valid_name(name):
            raise BlockError(_("{name!r} cannot name a block: use letters, digits and _, starting with a letter, "
                               "and no layer's name").format(name=name))
        if name in self._blocks:
            raise BlockError(_("a block named {name} already exists").format(name=name))
        args = dict(args or {})
        for arg in args:
            if not valid_arg(arg):
                raise BlockError(_("{arg!r} cannot name an argument: use letters, digits and _").format(arg=arg))
        if graph.blocks is not self:
            raise BlockError("a definition's graph must read the same library")  # untranslated: a programming error
        block = Block(name, args, graph, dict(extra or {}))
        graph.block = block
        self._blocks[name] = block
        graph.subscribe(lambda event, b=block: self._on_definition(b, event))
        self._changed()
        self._emit(BlockEvent("block_added", name))
        return block

    def remove(self, name: str) -> Block:
        """Remove an unused definition (undo adds it back with ``add``)."""
        block = self._blocks[name]
        used = self.instances(name)
        if used:
            raise BlockError(_("{name} is used {count} times; delete its blocks first").format(
                name=name, count=len(used)))
        del self._blocks[name]
        self._drop_cache(name)
        self._changed()
        self._emit(BlockEvent("block_removed", name, block))
        return block

    def rename(self, old: str, new: str) -> None:
        """Rename a definition and every instance of it."""
        if old == new:
            return
        block = self._blocks[old]
        if not valid_name(new) or new in self._blocks:
            raise BlockError(_("{name!r} cannot name a block: it is taken or not a name").format(name=new))
        users = self.instances(old)
        self._blocks = {new if k == old else k: v for k, v in self._blocks.items()}
        block.name = new
        self._drop_cache(old)
        for graph, node_id in users:
            graph.set_type(node_id, new)
        self._changed()
        self._emit(BlockEvent("block_renamed", new, old))

    def set_args(self, name: str, args: dict) -> None:
        """Replace a definition's arguments (order kept as given); references to a removed one are refused."""
        block = self._blocks[name]
        for arg in args:
            if not valid_arg(arg):
                raise BlockError(_("{arg!r} cannot name an argument: use letters, digits and _").format(arg=arg))
        for node in block.graph.nodes.values():
            for key, value in node.params.items():
                if is_ref(value) and value[1:] not in args:
                    raise BlockError(_("{node}.{key} uses {ref}; keep that argument or set the value first").format(
                        node=node.name or node.id, key=key, ref=value))
        for graph, node_id in self.instances(name):
            unknown = [k for k in graph.nodes[node_id].params if k not in args]
            if unknown:
                raise BlockError(_("an instance sets {arg}; keep that argument").format(arg=unknown[0]))
        block.args = dict(args)
        self._definition_changed(block)
        self._emit(BlockEvent("args_changed", name))

    def make_unique(self, graph, node_id: str, name: str | None = None) -> Block:
        """Give one instance its own copy of its definition (``BasicBlock`` -> ``BasicBlock2``); returns it."""
        node = graph.node(node_id)
        source = self._blocks[node.type]
        if name is None:
            base = re.sub(r"\d+$", "", source.name) or source.name
            n = 2
            while f"{base}{n}" in self._blocks:
                n += 1
            name = f"{base}{n}"
        block = self.add(name, copy.deepcopy(source.args), source.graph.copy(self), copy.deepcopy(source.extra))
        graph.retype(node_id, name)
        return block

    # queries --------------------------------------------------------------------
    def instances(self, name: str) -> list[tuple[Any, str]]:
        """Every instance of ``name``: (graph, node id), in the top-level graph and in definitions."""
        # The project's own graphs only: a copy that shares the library (a snapshot) holds no instance of it.
        top = self._top() if self._top is not None else None
        graphs = ([top] if top is not None and top.block is None else []) + [b.graph for b in self._blocks.values()]
        found = []
        for graph in graphs:
            found.extend((graph, n.id) for n in graph.nodes.values() if n.type == name)
        return found

    def count(self, name: str) -> int:
        """How many instances of ``name`` the project holds (``BasicBlock ×5``)."""
        return len(self.instances(name))

    def direct(self, name: str) -> list[str]:
        """The blocks used in ``name``'s graph, in node order, once each."""
        seen: dict[str, None] = {}
        for node in self._blocks[name].graph.nodes.values():
            if node.type in self._blocks:
                seen[node.type] = None
        return list(seen)

    def uses(self, name: str) -> set[str]:
        """Every block ``name`` contains, directly or through others (itself only in a loop)."""
        found: set[str] = set()
        stack = list(self.direct(name)) if name in self._blocks else []
        while stack:
            current = stack.pop()
            if current in found:
                continue
            found.add(current)
            if current in self._blocks:
                stack.extend(self.direct(current))
        return found

    def users(self, name: str) -> set[str]:
        """Every block that contains ``name``, directly or not."""
        return {other for other in self._blocks if name in self.uses(other)}

    def loop(self, name: str) -> list[str]:
        """A loop of blocks through ``name`` (``[A, B]``: A contains B contains A), or []."""
        if self._loops is None or self._loops[0] != self.version:
            self._loops = (self.version, {})
        cached = self._loops[1]
        if name not in cached:
            cached[name] = self._find_loop(name)
        return cached[name]

    def _find_loop(self, name: str) -> list[str]:
        if name not in self._blocks:
            return []
        path, iters, visited = [name], [iter(self.direct(name))], {name}
        while iters:
            nxt = next(iters[-1], None)
            if nxt is None:
                path.pop()
                iters.pop()
            elif nxt == name:
                return list(path)
            elif nxt not in visited and nxt in self._blocks:
                visited.add(nxt)
                path.append(nxt)
                iters.append(iter(self.direct(nxt)))
        return []

    def order(self) -> list[str]:
        """Definitions with every block after the blocks it uses (for export); loops are left in file order."""
        out: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str) -> None:
            stack = [(name, iter(self.direct(name)))]
            state[name] = 1
            while stack:
                current, children = stack[-1]
                child = next(children, None)
                if child is None:
                    stack.pop()
                    state[current] = 2
                    out.append(current)
                elif child not in state and child in self._blocks:
                    state[child] = 1
                    stack.append((child, iter(self.direct(child))))

        for name in self._blocks:
            if name not in state:
                visit(name)
        return out

    # changes ------------------------------------------------------------------
    def _changed(self) -> None:
        self.version += 1

    def _drop_cache(self, name: str) -> None:
        for key in [k for k in self.cache if k[0] == name]:
            self.cache.pop(key).close()

    def _on_definition(self, block: Block, event) -> None:
        if event.kind in ("block_changed", "node_moved") or self._blocks.get(block.name) is not block:
            return
        self._definition_changed(block)

    def _definition_changed(self, block: Block) -> None:
        self._changed()
        affected = frozenset({block.name} | self.users(block.name))
        for graph in list(self._graphs):
            if graph.block is not None and graph.block.name not in self._blocks:
                continue
            if any(n.type in affected for n in graph.nodes.values()):
                graph.blocks_changed(affected)
        self._emit(BlockEvent("definition_changed", block.name, affected))
