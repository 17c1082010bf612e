"""Shape inference over the model, in topological order, with errors pinned to nodes.

``infer(graph)`` computes everything from scratch. ``Inference`` keeps the
previous results and, after an edit, recomputes only the nodes whose input or
parameters changed: an edit invalidates its node, and a node downstream whose
input shapes are unchanged keeps its cached result. A merge (Add, Concat)
applies its rule to all of its inputs' shapes, in input order.

A block instance is inferred from its definition, with its arguments
substituted and its input shape on the definition's ``Input``
(``NodeResult.inner``); the inner inference is kept per definition, argument
values and input shape, and follows edits of the definition incrementally. An
error inside is the instance's: ``layer2_0 › conv1: <the inner message>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from designer.core import block_shapes, blocks, merge_fixes
from designer.core.layers import CATALOG, MERGES
from designer.core.graph import Event, Graph
from designer.core.params import ParamError
from designer.core.rules import Fix, Shape, ShapeError


@dataclass
class NodeResult:
    """What inference knows about one node."""

    node_id: str
    type: str
    in_shape: Shape | None = None
    out_shape: Shape | None = None
    error: str | None = None
    fix: Fix | None = None  # repairs the error (or, on a valid node, the warning)
    param: str | None = None  # the parameter at fault, for the inspector
    resolved: dict | None = None  # parameters with defaults filled in
    on_path: bool = True
    warning: str | None = None  # off the path, or valid but risky (Softmax without dim)
    in_shapes: tuple[Shape, ...] | None = None  # a merge: every input's shape, in input order
    inner: ModelShapes | None = None  # a block instance: its definition's inference for these arguments

    @property
    def ok(self) -> bool:
        return self.error is None and self.out_shape is not None

    @property
    def formula(self) -> str:
        """The shape rule with this node's numbers filled in ('' when it has none)."""
        spec = CATALOG.get(self.type)
        if spec is None:
            return ""
        if spec.merge and self.ok and self.in_shapes is not None:
            return spec.formula(self.in_shapes, self.resolved, self.out_shape)
        if not self.ok or self.in_shape is None or spec.formula is None:
            return ""
        return spec.formula(self.in_shape, self.resolved, self.out_shape)

    @property
    def parameters(self) -> int:
        if self.inner is not None:
            return sum(self.inner.nodes[n].parameters for n in self.inner.path)
        spec = CATALOG.get(self.type)
        if self.resolved is None or spec is None or spec.weights is None:
            return 0
        return spec.weights(self.resolved)

    @property
    def macs(self) -> int:
        if self.inner is not None:
            return self.inner.macs
        spec = CATALOG.get(self.type)
        if not self.ok or self.in_shape is None or spec is None or spec.macs is None:
            return 0
        return spec.macs(self.in_shape, self.resolved, self.out_shape)


@dataclass
class Problem:
    node_id: str | None
    severity: str  # "error" | "warning"
    message: str
    fix: Fix | None = None


@dataclass
class ModelShapes:
    """Inference for a whole graph."""

    nodes: dict[str, NodeResult]
    path: list[str]  # the model's nodes in topological order, Input first, the output last
    problems: list[Problem] = field(default_factory=list)
    inputs: dict[str, list[str]] = field(default_factory=dict)  # node id -> its inputs, in order

    @property
    def valid(self) -> bool:
        return bool(self.path) and not any(p.severity == "error" and (p.node_id is None or p.node_id in self.path)
                                           for p in self.problems)

    @property
    def output_shape(self) -> Shape | None:
        if not self.valid:
            return None
        return self.nodes[self.path[-1]].out_shape

    @property
    def parameters(self) -> int | None:
        if not self.valid:
            return None
        return sum(self.nodes[n].parameters for n in self.path)

    @property
    def macs(self) -> int:
        """Multiply-adds of one sample through the model (0 for nodes that cannot be computed)."""
        return sum(self.nodes[n].macs for n in self.path)


def evaluate(graph: Graph, node_id: str, in_shape: Shape | None, on_path: bool = True,
             resolved: dict | ParamError | None = None, names: dict[str, str] | None = None) -> NodeResult:
    """Apply one node's rule to its input shape.

    ``resolved``: the node's parameters already resolved (or the ParamError
    resolving raised), to skip resolving them again.
    """
    node = graph.nodes[node_id]
    result = NodeResult(node_id, node.type, in_shape, on_path=on_path)
    spec = graph.spec(node.type)
    if resolved is None:
        resolved = _resolve(spec, node.params)
    if isinstance(resolved, ParamError):
        result.error, result.param = f"{resolved.param}: {resolved.message}", resolved.param
        return result
    result.resolved = resolved
    if node.type == "Input":
        result.in_shape = None
        result.out_shape = spec.rule((), resolved)
        return result
    if in_shape is None:
        return result
    if spec.merge:
        return result  # merges go through evaluate_merge
    if node.type in graph.blocks:
        return block_shapes.instance_result(graph, node_id, result, names, instance_shapes)
    try:
        result.out_shape = tuple(spec.rule(in_shape, resolved))
    except ShapeError as exc:
        result.error, result.fix, result.param = exc.message, exc.fix, exc.param
        return result
    if spec.warning is not None:
        warning = spec.warning(in_shape, resolved)
        if warning is not None:
            result.warning, result.fix = warning
    return result


def evaluate_merge(graph: Graph, node_id: str, inputs: list[str], in_shapes: tuple[Shape | None, ...],
                   resolved: dict | ParamError, names: dict[str, str]) -> NodeResult:
    """Apply a merge's rule to its inputs' shapes; ``names`` label the inputs in the message."""
    node = graph.nodes[node_id]
    known = None if None in in_shapes else tuple(in_shapes)
    result = NodeResult(node_id, node.type, in_shapes[0] if in_shapes else None, in_shapes=tuple(in_shapes))
    if isinstance(resolved, ParamError):
        result.error, result.param = f"{resolved.param}: {resolved.message}", resolved.param
        return result
    result.resolved = resolved
    if known is None:
        return result
    labels = [names.get(i, i) for i in inputs]
    try:
        result.out_shape = tuple(node.spec.rule(known, resolved, labels))
    except ShapeError as exc:
        result.error, result.fix, result.param = exc.message, exc.fix, exc.param
        if exc.fix is None:
            result.fix, sentence = merge_fixes.suggest(graph, node_id, inputs, known, exc, names)
            result.error += sentence
    return result


def instance_shapes(library: blocks.Library, name: str, args: dict, in_shape: Shape) -> ModelShapes:
    """The inference of block ``name`` for these argument values and input shape (cached, incremental)."""
    key = (name, blocks.freeze(args), tuple(in_shape))
    cache = library.cache
    inference = cache.get(key)
    if inference is None:
        inference = Inference(library[name].graph, args=dict(args), input_shape=key[2], frozen=dict(key[1]))
        cache[key] = inference
        while len(cache) > blocks.MAX_CACHED:
            cache.popitem(last=False)[1].close()
    else:
        cache.move_to_end(key)
    return inference.run()


def _resolve(spec, params: dict) -> dict | ParamError:
    try:
        return spec.resolve(params)
    except ParamError as exc:
        return exc


NO_INPUT = "The model has no Input block: add one and connect the chain to it."
OFF_PATH = "Not connected to the model: this block is left out until it is wired into the model."


class Inference:
    """Incremental shape inference bound to one graph.

    It keeps each node's own result (before structural errors are added) and
    its resolved parameters. A parameter edit drops only that node's entries;
    on the next run every other node whose input shapes are unchanged keeps its
    result, so only what lies downstream of the edit is computed again, and
    only as far as shapes change. Results are shared between runs: treat them
    as read-only.

    For a block's definition, ``args`` (the argument values, defaults filled
    in) replace its ``"$name"`` parameters and ``input_shape`` is its Input's;
    ``frozen``, when given, is ``args`` with every value through ``blocks.freeze``.
    """

    def __init__(self, graph: Graph, args: dict | None = None, input_shape: Shape | None = None,
                 frozen: dict | None = None):
        self.graph = graph
        self.args = args
        self.input_shape = input_shape
        if frozen is None and args is not None:
            frozen = {k: blocks.freeze(v) for k, v in args.items()}
        self._frozen = frozen  # the argument values in hashable form
        self._own: dict[str, NodeResult] = {}  # node id -> result of its rule alone
        self._resolved: dict[str, dict | ParamError] = {}
        self._keys: dict[str, tuple] = {}  # a definition's node -> the argument values it reads
        self._path_cache = None
        self._names: dict[str, str] | None = None
        self._last: tuple[int, ModelShapes] | None = None  # (graph.version, result) of the last run
        graph.subscribe(self._on_event)

    def close(self) -> None:
        self.graph.unsubscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        kind = event.kind
        if kind == "node_moved":
            return
        if kind == "block_changed":
            for node_id in [n for n, node in self.graph.nodes.items() if node.type in event.data]:
                self._own.pop(node_id, None)
                self._resolved.pop(node_id, None)  # its arguments' defaults may have changed
                self._keys.pop(node_id, None)
            return
        if kind == "node_renamed":
            lib = self.graph.blocks
            for node_id in [n for n in self._own if n in self.graph.nodes and self.graph.nodes[n].type in lib]:
                del self._own[node_id]  # an instance's error names it
        if kind == "reset":
            self._own.clear()
            self._resolved.clear()
            self._keys.clear()
        elif event.node_id is not None and kind != "node_renamed":  # param_changed, node_added, node_removed
            self._own.pop(event.node_id, None)
            self._resolved.pop(event.node_id, None)
            self._keys.pop(event.node_id, None)
        if kind != "param_changed":
            # A merge's message names its inputs and its fix looks at the wiring around it.
            self._names = None
            for node_id in [n for n, r in self._own.items() if r.in_shapes is not None]:
                del self._own[node_id]
            if kind != "node_renamed":
                self._path_cache = None

    def _resolved_for(self, node_id: str) -> dict | ParamError:
        resolved = self._resolved.get(node_id)
        if resolved is None:
            node = self.graph.nodes[node_id]
            if self.args is None:
                resolved = _resolve(self.graph.spec(node.type), node.params)
            else:  # resolved once per definition and the argument values the node reads
                shared = block_shapes.shared(self.graph)
                key = ("resolved", node_id, self._key(node_id))
                resolved = shared.get(key)
                if resolved is None:
                    params = blocks.substitute(node.params, self.args)
                    if node.type == "Input" and self.input_shape is not None:
                        params = {"shape": list(self.input_shape)}
                    resolved = shared[key] = _resolve(self.graph.spec(node.type), params)
            self._resolved[node_id] = resolved
        return resolved

    def _key(self, node_id: str) -> tuple:
        """What a definition's node depends on besides its input: the argument values it reads."""
        key = self._keys.get(node_id)
        if key is None:
            names = block_shapes.refs(self.graph)[node_id]
            if names is None:  # the Input
                key = (self.input_shape,)
            elif names:
                frozen = self._frozen
                key = tuple([frozen.get(name) for name in names])
            else:
                key = ()
            self._keys[node_id] = key
        return key

    def run(self) -> ModelShapes:
        last = self._last
        if last is not None and last[0] == self.graph.version:
            return last[1]
        result = self._run()
        self._last = (self.graph.version, result)
        return result

    def _run(self) -> ModelShapes:
        graph = self.graph
        lib = graph.blocks
        nodes = graph.nodes
        if self._path_cache is None:
            self._path_cache = block_shapes.model_path(graph)
        mp = self._path_cache
        own = self._own
        # A definition's node reading the same values from the same input shape has one result, shared by
        # every inference of the definition (every instance, every argument value it does not read).
        shared = block_shapes.shared(graph) if self.args is not None else None
        results: dict[str, NodeResult] = {}
        outs: dict[str, Shape | None] = {}  # node id -> its output shape, None after an error
        problems: list[Problem] = []
        if not mp.nodes:  # the path starts at Input, so it is empty only without one
            problems.append(Problem(None, "error", NO_INPUT))
        structural = mp.errors
        inputs = mp.inputs
        for node_id in mp.nodes:
            sources = inputs.get(node_id)
            result = own.get(node_id)
            node_type = nodes[node_id].type
            merge = node_type in MERGES
            if merge:
                shape = tuple([outs.get(s) for s in sources])
                stale = result is None or result.in_shapes != shape
            else:
                shape = outs.get(sources[0]) if sources else None
                stale = result is None or result.in_shape != shape
            if stale or not result.on_path:
                key = None
                if shared is not None:
                    key = (node_id, shape, self._key(node_id))
                    result = shared.get(key)
                if key is None or result is None:
                    if self._names is None and (merge or node_type in lib):
                        self._names = block_shapes.names(graph)
                    if merge:
                        result = evaluate_merge(graph, node_id, sources, shape, self._resolved_for(node_id),
                                                self._names)
                    else:
                        result = evaluate(graph, node_id, shape, True, self._resolved_for(node_id), self._names)
                    if key is not None:
                        shared[key] = result
                own[node_id] = result
            if structural and node_id in structural and result.error is None:
                result = NodeResult(**{**result.__dict__, "error": structural[node_id], "out_shape": None,
                                       "fix": None, "warning": None})
            results[node_id] = result
            if result.error is None:
                outs[node_id] = result.out_shape
                if result.warning is not None:
                    problems.append(Problem(node_id, "warning", result.warning, result.fix))
            else:
                outs[node_id] = None
                problems.append(Problem(node_id, "error", result.error, result.fix))
        for node_id in mp.off_path:
            result = own.get(node_id)
            if result is None or result.on_path:
                result = own[node_id] = evaluate(graph, node_id, None, False, self._resolved_for(node_id))
                result.warning = OFF_PATH
            results[node_id] = result
            if result.error:
                problems.append(Problem(node_id, "warning", result.error))
            problems.append(Problem(node_id, "warning", result.warning))
        return ModelShapes(results, list(mp.nodes), problems, mp.inputs)


def infer(graph: Graph) -> ModelShapes:
    """Shapes for every node of ``graph``, computed from scratch."""
    inference = Inference(graph)
    try:
        return inference.run()
    finally:
        inference.close()
