"""Random valid chains of catalog layers, for round-trip tests."""
import random

from designer.core import layers, shapes
from designer.core.graph import Graph
from designer.core.params import BOOL, CHOICE, FLOAT, INT, OPT_FLOAT, OPT_INT, PADDING, PAIR, QUAD

INPUTS = ([1, 12, 12], [3, 9, 9], [2, 16, 16], [20])


def _value(rng, param):
    kind = param.kind
    if kind in (INT, OPT_INT):
        low = int(param.minimum if param.minimum is not None else 0)
        return rng.randint(low, low + 3)
    if kind in (PAIR, PADDING):
        low = int(param.minimum or 0)
        if kind == PADDING and rng.random() < 0.2:
            return rng.choice(["same", "valid"])
        return rng.randint(low, low + 2) if rng.random() < 0.5 else [rng.randint(low, low + 2),
                                                                      rng.randint(low, low + 2)]
    if kind == BOOL:
        return rng.random() < 0.5
    if kind in (FLOAT, OPT_FLOAT):
        return round(rng.uniform(param.minimum, min(param.maximum, 1.0)), 3)
    if kind == CHOICE:
        return rng.choice(param.choices)
    if kind == QUAD:
        return rng.randint(0, 2) if rng.random() < 0.5 else [rng.randint(0, 2) for _ in range(4)]
    raise AssertionError(kind)


def _fitting(spec, shape, rng):
    params = {}
    for param in spec.params:
        if param.name in ("in_channels", "num_features", "num_channels"):
            params[param.name] = shape[0]
        elif param.name == "normalized_shape":
            params[param.name] = list(shape[-rng.randint(1, len(shape)):])
        elif param.name == "in_features":
            params[param.name] = shape[-1]
        elif param.name == "unflattened_size":  # after dim: a split of the size it names
            full = len(shape) + 1
            size = shape[params["dim"] % full - 1] if -full <= params["dim"] < full else 4
            first = rng.choice([d for d in range(1, size + 1) if size % d == 0])
            params[param.name] = [first, size // first]
        elif spec.type == "Slice":  # as an import reads it back: dim from 1, a part (not all), end None at the size
            if param.name == "dim":
                params["dim"] = rng.randint(1, len(shape))
                size = shape[params["dim"] - 1]
                params["start"] = rng.randint(0, size - 1) if size > 1 else size  # size 1: refused, drawn again
                if params["start"] + 1 < size and (params["start"] == 0 or rng.random() < 0.5):
                    params["end"] = rng.randint(params["start"] + 1, size - 1)
        elif param.name == "return_indices":
            continue  # returns a tuple: not a chain layer
        elif param.required or param.name == "dim" or rng.random() < 0.4:  # dim: no implicit-dim warning
            params[param.name] = _value(rng, param)
    return params


def random_chain(rng, in_forward: bool = True) -> Graph:
    """A valid chain of 1-6 random catalog layers with random (often non-default) parameters.

    ``in_forward``: layers written in forward (Slice) may be drawn; a chain that holds one is exported in the
    sequential style as nn.Sequential blocks joined in forward, not as one nn.Sequential.
    """
    graph = Graph()
    graph.add_node("Input", {"shape": rng.choice(INPUTS)}, node_id="input")
    previous, shape = "input", tuple(graph.nodes["input"].params["shape"])
    for _ in range(rng.randint(1, 6)):
        for _attempt in range(30):
            spec = rng.choice([s for s in layers.palette_types() if not s.merge and (in_forward or not s.expression)])
            if spec.type == "Dropout2d" and len(shape) != 3:
                continue  # torch deprecates it there
            node = graph.add_node(spec.type, _fitting(spec, shape, rng),
                                  rng.choice([None, None, "my layer", "class", "x.y"]))
            graph.connect(previous, node.id)
            result = shapes.infer(graph)
            if result.valid:
                previous, shape = node.id, result.nodes[node.id].out_shape
                break
            graph.remove_node(node.id)
    return graph
