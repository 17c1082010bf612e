"""Shape inference over the model path, with errors pinned to nodes.

``infer(graph)`` computes everything from scratch. ``Inference`` keeps the
previous results and, after an edit, recomputes only the nodes whose input or
parameters changed (an edit invalidates its node; a node whose input shape is
unchanged keeps its cached result).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    fix: Fix | None = None
    param: str | None = None  # the parameter at fault, for the inspector
    resolved: dict | None = None  # parameters with defaults filled in
    on_path: bool = True
    warning: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.out_shape is not None

    @property
    def formula(self) -> str:
        """The shape rule with this node's numbers filled in ('' when it has none)."""
        from designer.core.layers import CATALOG

        spec = CATALOG[self.type]
        if not self.ok or self.in_shape is None or spec.formula is None:
            return ""
        return spec.formula(self.in_shape, self.resolved, self.out_shape)

    @property
    def parameters(self) -> int:
        from designer.core.layers import CATALOG

        spec = CATALOG[self.type]
        if self.resolved is None or spec.weights is None:
            return 0
        return spec.weights(self.resolved)

    @property
    def macs(self) -> int:
        from designer.core.layers import CATALOG

        spec = CATALOG[self.type]
        if not self.ok or self.in_shape is None or spec.macs is None:
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
    path: list[str]
    problems: list[Problem] = field(default_factory=list)

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


def evaluate(graph: Graph, node_id: str, in_shape: Shape | None, on_path: bool = True) -> NodeResult:
    """Apply one node's rule to its input shape."""
    node = graph.nodes[node_id]
    result = NodeResult(node_id, node.type, in_shape, on_path=on_path)
    spec = node.spec
    try:
        result.resolved = spec.resolve(node.params)
    except ParamError as exc:
        result.error, result.param = f"{exc.param}: {exc.message}", exc.param
        return result
    if node.type == "Input":
        result.in_shape = None
        result.out_shape = spec.rule((), result.resolved)
        return result
    if in_shape is None:
        return result
    try:
        result.out_shape = tuple(spec.rule(in_shape, result.resolved))
    except ShapeError as exc:
        result.error, result.fix, result.param = exc.message, exc.fix, exc.param
    return result


class Inference:
    """Incremental shape inference bound to one graph."""

    def __init__(self, graph: Graph):
        self.graph = graph
        self._cache: dict[str, NodeResult] = {}
        self._dirty: set[str] = set()
        self._structure_changed = True
        self._path_cache = None
        graph.subscribe(self._on_event)

    def close(self) -> None:
        self.graph.unsubscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        if event.kind in ("param_changed",):
            self._dirty.add(event.node_id)
        elif event.kind in ("node_renamed", "node_moved"):
            return
        else:
            self._structure_changed = True
            if event.node_id:
                self._dirty.add(event.node_id)

    def run(self) -> ModelShapes:
        graph = self.graph
        if self._structure_changed or self._path_cache is None:
            self._path_cache = graph.model_path()
            self._structure_changed = False
        mp = self._path_cache
        results: dict[str, NodeResult] = {}
        problems: list[Problem] = []
        if graph.input_node() is None:
            problems.append(Problem(None, "error", "The model has no Input block: add one and connect the chain to it."))
        shape: Shape | None = None
        cache, dirty = self._cache, self._dirty
        for node_id in mp.nodes:
            cached = cache.get(node_id)
            if cached is not None and node_id not in dirty and cached.in_shape == shape and cached.on_path \
                    and graph.nodes[node_id].type != "Input":
                result = cached
            elif cached is not None and node_id not in dirty and graph.nodes[node_id].type == "Input":
                result = cached
            else:
                result = evaluate(graph, node_id, shape)
            structural = mp.errors.get(node_id)
            if structural and result.error is None:
                result = NodeResult(**{**result.__dict__, "error": structural, "out_shape": None})
            results[node_id] = result
            if result.error:
                problems.append(Problem(node_id, "error", result.error, result.fix))
            shape = result.out_shape if result.error is None else None
        for node_id in mp.off_path:
            cached = cache.get(node_id)
            if cached is not None and node_id not in dirty and not cached.on_path:
                result = cached
            else:
                result = evaluate(graph, node_id, None, on_path=False)
                result.warning = "Not connected to the model: this block is left out until it is wired into the chain."
            results[node_id] = result
            if result.error:
                problems.append(Problem(node_id, "warning", result.error))
            problems.append(Problem(node_id, "warning", result.warning))
        self._cache = results
        dirty.clear()
        return ModelShapes(results, list(mp.nodes), problems)


def infer(graph: Graph) -> ModelShapes:
    """Shapes for every node of ``graph``, computed from scratch."""
    inference = Inference(graph)
    try:
        return inference.run()
    finally:
        inference.close()
