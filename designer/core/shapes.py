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
    fix: Fix | None = None  # repairs the error (or, on a valid node, the warning)
    param: str | None = None  # the parameter at fault, for the inspector
    resolved: dict | None = None  # parameters with defaults filled in
    on_path: bool = True
    warning: str | None = None  # off the path, or valid but risky (Softmax without dim)

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


def evaluate(graph: Graph, node_id: str, in_shape: Shape | None, on_path: bool = True,
             resolved: dict | ParamError | None = None) -> NodeResult:
    """Apply one node's rule to its input shape.

    ``resolved``: the node's parameters already resolved (or the ParamError
    resolving raised), to skip resolving them again.
    """
    node = graph.nodes[node_id]
    result = NodeResult(node_id, node.type, in_shape, on_path=on_path)
    spec = node.spec
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


def _resolve(spec, params: dict) -> dict | ParamError:
    try:
        return spec.resolve(params)
    except ParamError as exc:
        return exc


NO_INPUT = "The model has no Input block: add one and connect the chain to it."
OFF_PATH = "Not connected to the model: this block is left out until it is wired into the chain."


class Inference:
    """Incremental shape inference bound to one graph.

    It keeps each node's own result (before structural errors are added) and
    its resolved parameters. A parameter edit drops only that node's entries;
    on the next run every other node whose input shape is unchanged keeps its
    result, so an edit whose output shape is unchanged costs one rule call
    plus a walk over the path. Results are shared between runs: treat them as
    read-only.
    """

    def __init__(self, graph: Graph):
        self.graph = graph
        self._own: dict[str, NodeResult] = {}  # node id -> result of its rule alone
        self._resolved: dict[str, dict | ParamError] = {}
        self._path_cache = None
        graph.subscribe(self._on_event)

    def close(self) -> None:
        self.graph.unsubscribe(self._on_event)

    def _on_event(self, event: Event) -> None:
        kind = event.kind
        if kind in ("node_renamed", "node_moved"):
            return
        if kind == "reset":
            self._own.clear()
            self._resolved.clear()
        elif event.node_id is not None:  # param_changed, node_added, node_removed
            self._own.pop(event.node_id, None)
            self._resolved.pop(event.node_id, None)
        if kind != "param_changed":
            self._path_cache = None

    def run(self) -> ModelShapes:
        graph = self.graph
        nodes = graph.nodes
        if self._path_cache is None:
            self._path_cache = graph.model_path()
        mp = self._path_cache
        own, resolved_cache = self._own, self._resolved
        results: dict[str, NodeResult] = {}
        problems: list[Problem] = []
        if not mp.nodes:  # the path starts at Input, so it is empty only without one
            problems.append(Problem(None, "error", NO_INPUT))
        shape: Shape | None = None
        structural = mp.errors
        for node_id in mp.nodes:
            result = own.get(node_id)
            if result is None or result.in_shape != shape or not result.on_path:
                resolved = resolved_cache.get(node_id)
                if resolved is None:
                    resolved = resolved_cache[node_id] = _resolve(nodes[node_id].spec, nodes[node_id].params)
                result = own[node_id] = evaluate(graph, node_id, shape, True, resolved)
            if structural and node_id in structural and result.error is None:
                result = NodeResult(**{**result.__dict__, "error": structural[node_id], "out_shape": None,
                                       "fix": None, "warning": None})
            results[node_id] = result
            if result.error is None:
                shape = result.out_shape
                if result.warning is not None:
                    problems.append(Problem(node_id, "warning", result.warning, result.fix))
            else:
                shape = None
                problems.append(Problem(node_id, "error", result.error, result.fix))
        for node_id in mp.off_path:
            result = own.get(node_id)
            if result is None or result.on_path:
                resolved = resolved_cache.get(node_id)
                if resolved is None:
                    resolved = resolved_cache[node_id] = _resolve(nodes[node_id].spec, nodes[node_id].params)
                result = own[node_id] = evaluate(graph, node_id, None, False, resolved)
                result.warning = OFF_PATH
            results[node_id] = result
            if result.error:
                problems.append(Problem(node_id, "warning", result.error))
            problems.append(Problem(node_id, "warning", result.warning))
        return ModelShapes(results, list(mp.nodes), problems)


def infer(graph: Graph) -> ModelShapes:
    """Shapes for every node of ``graph``, computed from scratch."""
    inference = Inference(graph)
    try:
        return inference.run()
    finally:
        inference.close()
