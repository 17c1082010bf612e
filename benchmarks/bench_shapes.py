"""Shape-inference benchmark: a 1,000-layer chain, full and after one edit.

Goals (issue 2): full ``infer`` <= 10 ms; re-inference after one parameter
edit <= 2 ms. Run: ``python benchmarks/bench_shapes.py [--repeat N]``.
Prints the median (and best) of N runs in ms and each figure's ratio to its
goal (below 1.0 meets the goal).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from designer.core.graph import Graph  # noqa: E402
from designer.core.shapes import Inference, infer  # noqa: E402

FULL_GOAL_MS = 10.0
EDIT_GOAL_MS = 2.0


def conv_chain(layers: int = 1000) -> tuple[Graph, list[str]]:
    """Input [1, 28, 28], then Conv2d(padding="same")/ReLU pairs: ``layers`` layers after Input."""
    graph = Graph()
    previous = graph.add_node("Input", {"shape": [1, 28, 28]}).id
    ids = []
    for i in range(layers):
        if i % 2 == 0:
            params = {"in_channels": 1 if i == 0 else 8, "out_channels": 8, "kernel_size": 3, "padding": "same"}
            node = graph.add_node("Conv2d", params)
        else:
            node = graph.add_node("ReLU")
        graph.connect(previous, node.id)
        previous = node.id
        ids.append(node.id)
    return graph, ids


def linear_chain(layers: int = 1000) -> tuple[Graph, list[str]]:
    """Input [64], then Linear(64, 64)/ReLU pairs."""
    graph = Graph()
    previous = graph.add_node("Input", {"shape": [64]}).id
    ids = []
    for i in range(layers):
        node = graph.add_node("Linear", {"in_features": 64, "out_features": 64}) if i % 2 == 0 \
            else graph.add_node("ReLU")
        graph.connect(previous, node.id)
        previous = node.id
        ids.append(node.id)
    return graph, ids


def _time(fn, repeat: int) -> tuple[float, float]:
    """(median, best) of ``repeat`` calls, in ms."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times), min(times)


def _edit_timer(inference: Inference, graph: Graph, node_id: str, key: str, values: list):
    """A function that sets ``key`` to the next of ``values`` (untimed) then times ``inference.run()``."""
    state = {"i": 0, "times": []}

    def step() -> None:
        graph.set_param(node_id, key, values[state["i"] % len(values)])
        state["i"] += 1
        start = time.perf_counter()
        inference.run()
        state["times"].append((time.perf_counter() - start) * 1e3)

    return step, state["times"]


def _line(label: str, median: float, best: float, goal: float) -> str:
    return f"{label:<52} median {median:7.3f} ms  best {best:7.3f} ms  ratio to {goal:g} ms goal: {median / goal:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--layers", type=int, default=1000)
    args = parser.parse_args(argv)
    ok = True
    for name, build, edits in (
            ("Conv2d/ReLU", conv_chain, [("bias", [False, True]), ("out_channels", [8, 9])]),
            ("Linear/ReLU", linear_chain, [("bias", [False, True]), ("out_features", [64, 65])])):
        graph, ids = build(args.layers)
        result = infer(graph)
        assert result.valid and len(result.path) == args.layers + 1, "the benchmark chain must be valid"
        median, best = _time(lambda: infer(graph), args.repeat)
        ok &= median <= FULL_GOAL_MS
        print(_line(f"{name} x{args.layers}: full infer", median, best, FULL_GOAL_MS))
        inference = Inference(graph)
        inference.run()
        middle = ids[len(ids) // 2 - (len(ids) // 2) % 2]  # a Conv2d / Linear in the middle
        for where, node_id in (("first", ids[0]), ("middle", middle)):
            for key, values in edits:
                step, times = _edit_timer(inference, graph, node_id, key, values)
                for _ in range(args.repeat):
                    step()
                median, best = statistics.median(times), min(times)
                # Changing the channel/feature count breaks the next layer: every node after it changes.
                goal_met = median <= EDIT_GOAL_MS
                ok &= goal_met
                print(_line(f"  edit {key} on the {where} layer", median, best, EDIT_GOAL_MS))
        # The worst case: a new Input shape changes the input of every layer after it.
        first_shape = infer(graph).nodes[ids[0]].in_shape
        other = list(first_shape[:-1]) + [first_shape[-1] + 1] if name.startswith("Conv") else None
        if other:
            step, times = _edit_timer(inference, graph, graph.input_node().id, "shape", [other, list(first_shape)])
            for _ in range(args.repeat):
                step()
            median, best = statistics.median(times), min(times)
            print(_line("  edit the Input shape (every layer re-inferred)", median, best, EDIT_GOAL_MS))
        inference.close()
    print("all goals met" if ok else "SOME GOALS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
