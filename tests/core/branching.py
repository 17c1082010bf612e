"""Random graphs that branch (residual, concat and broadcast-add blocks), and torch run over them node by node.

``random_graph`` builds a graph from blocks whose settings are often right and
sometimes wrong (a branch with other channels, a stride the skip lacks, a
padding that changes one branch's size, a Concat dim out of range), so both
valid and invalid graphs come out. ``torch_run`` computes every node with real
torch modules and ``torch.add``/``torch.cat`` on a real batch, independently
of our shape rules and of our code generator.
"""

from __future__ import annotations

import warnings

import torch
from torch import nn

from designer.core import layers
from designer.core.graph import Graph

INPUTS = [(1, 8, 8), (3, 6, 6), (2, 7, 7), (4, 5, 5)]


class _Builder:
    def __init__(self, rng):
        self.rng = rng
        self.graph = Graph()
        self.graph.add_node("Input", {"shape": list(rng.choice(INPUTS))}, node_id="input")

    def layer(self, source: str, type_name: str, params: dict | None = None, name: str | None = None) -> str:
        node = self.graph.add_node(type_name, params or {}, name)
        self.graph.connect(source, node.id)
        return node.id

    def merge(self, type_name: str, sources: list[str], params: dict | None = None) -> str:
        node = self.graph.add_node(type_name, params or {})
        order = list(range(len(sources)))
        with_ports = self.rng.random() < 0.7
        if with_ports:
            self.rng.shuffle(order)
        for place, source in zip(order, sources):
            self.graph.connect(source, node.id, {"port": place} if with_ports else None)
        return node.id

    def conv(self, source: str, c_in: int, c_out: int, kernel: int = 3, stride: int = 1, padding: int = 1) -> str:
        return self.layer(source, "Conv2d", {"in_channels": c_in, "out_channels": c_out, "kernel_size": kernel,
                                             "stride": stride, "padding": padding})


def random_graph(rng, blocks: int | None = None) -> Graph:
    """A graph of 1-3 random blocks, then optionally Flatten and a Linear; invalid about a third of the time."""
    b = _Builder(rng)
    channels = b.graph.nodes["input"].params["shape"][0]
    current = "input"
    wrong = lambda: rng.random() < 0.08  # noqa: E731 - about one setting in twelve is off
    for _ in range(blocks or rng.randint(1, 3)):
        kind = rng.choice(["residual", "projection", "concat", "broadcast", "chain"])
        width = rng.choice([channels, channels, 2, 4])
        if kind == "residual":
            x = b.conv(current, channels, channels, padding=0 if wrong() else 1)
            if rng.random() < 0.5:
                x = b.layer(x, rng.choice(["ReLU", "Tanh", "Dropout", "Identity"]))
            x = b.conv(x, channels, channels + 1 if wrong() else channels, stride=2 if wrong() else 1)
            current = b.merge("Add", [x, current] if rng.random() < 0.5 else [current, x])
        elif kind == "projection":
            stride = rng.choice([1, 2])
            x = b.conv(current, channels, width, stride=stride)
            x = b.layer(x, "BatchNorm2d", {"num_features": width})
            skip = b.conv(current, channels, width, kernel=1, stride=1 if wrong() else stride, padding=0)
            current = b.merge("Add", [x, skip])
            channels = width
        elif kind == "concat":
            count = rng.choice([2, 2, 3])
            widths = [rng.choice([1, 2, 3]) for _ in range(count)]
            branches = []
            for w in widths:
                k = rng.choice([1, 3])
                branches.append(b.conv(current, channels, w, kernel=k, padding=(k // 2) + (1 if wrong() else 0)))
            dim = rng.choice([1, 1, 1, -3]) if not wrong() else rng.choice([0, 2, -1, 3, -4])
            current = b.merge("Concat", branches, {"dim": dim})
            channels = sum(widths)
        elif kind == "broadcast":
            pooled = b.layer(current, "AdaptiveAvgPool2d", {"output_size": 1})
            gate = b.layer(b.conv(pooled, channels, channels + 1 if wrong() else channels, kernel=1, padding=0),
                           "Sigmoid")
            current = b.merge("Add", [current, gate] if rng.random() < 0.5 else [gate, current])
        else:
            current = b.layer(b.conv(current, channels, width), "ReLU")
            channels = width
    if rng.random() < 0.5:
        flat = b.layer(current, "Flatten")
        from designer.core.shapes import infer

        shape = infer(b.graph).nodes[flat].out_shape
        features = shape[0] if shape and not wrong() else rng.randint(1, 50)
        b.layer(flat, "Linear", {"in_features": features, "out_features": 3})
    return b.graph


def valid_graph(rng) -> Graph:
    """A valid ``random_graph``."""
    from designer.core.shapes import infer

    for _ in range(50):
        graph = random_graph(rng)
        if infer(graph).valid:
            return graph
    raise AssertionError("no valid graph in 50 tries")


def modules(graph: Graph) -> dict[str, nn.Module]:
    """A torch module per layer of the model, from the catalog's resolved parameters (None where torch refuses)."""
    out = {}
    for node_id in graph.model_path().nodes:
        node = graph.nodes[node_id]
        if node.type == "Input" or node.spec.merge:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[node_id] = getattr(nn, node.type)(**node.spec.resolve(node.params))
        except Exception:  # noqa: BLE001 - the run below reports it on this node
            out[node_id] = None
    return out


def torch_run(graph: Graph, built: dict | None = None, x: torch.Tensor | None = None, batch: int = 2):
    """Every node's output (a tensor) or the exception torch raised there; stops after the first exception.

    Nodes after a failure are left out. ``built`` maps node ids to modules (default: ``modules(graph)``).
    """
    mp = graph.model_path()
    built = modules(graph) if built is None else built
    start = mp.nodes[0]
    values: dict[str, object] = {start: x if x is not None else torch.randn(batch, *graph.nodes[start].params["shape"])}
    for node_id in mp.nodes[1:]:
        node = graph.nodes[node_id]
        args = [values[s] for s in mp.inputs[node_id]]
        try:
            with warnings.catch_warnings(), torch.no_grad():
                warnings.simplefilter("ignore")
                if node.type == "Add":
                    out = args[0]
                    for other in args[1:]:
                        out = out + other
                elif node.type == "Concat":
                    out = torch.cat(args, dim=node.spec.resolve(node.params)["dim"])
                else:
                    module = built[node_id]
                    if module is None:
                        raise ValueError("torch refuses these parameters")
                    module.eval()
                    out = module(args[0])
        except Exception as exc:  # noqa: BLE001
            values[node_id] = exc
            return values
        values[node_id] = out
    return values


def layer_types() -> list[str]:
    return [s.type for s in layers.palette_types()]
