"""Graphs that branch: shape inference, one parameter edit, and opening and drawing a big project.

    python benchmarks/bench_branches.py

Each figure has its goal and a ratio against a chain of the same length
measured in the same run (what the graph support costs over a chain). The
graphs are residual stacks: blocks of Conv2d → ReLU → ... with an Add joining
the block's input back in, so every merge's inputs come from different places.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from designer.core import layout  # noqa: E402
from designer.core.project import Project  # noqa: E402
from designer.core.shapes import Inference, infer  # noqa: E402


def residual_stack(nodes: int, merges: int) -> Project:
    """About ``nodes`` nodes with ``merges`` Add blocks (one per residual block); laid out in layers."""
    project = Project(name=f"residual-{nodes}")
    graph = project.graph
    graph.add_node("Input", {"shape": [8, 16, 16]}, node_id="input")
    per_block = max(2, (nodes - 1) // max(merges, 1) - 1)  # layers per block, besides its Add
    current = "input"
    count = 1
    for _ in range(merges):
        x = current
        for i in range(per_block):
            if i % 2 == 0:
                node = graph.add_node("Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1})
            else:
                node = graph.add_node("ReLU")
            graph.connect(x, node.id)
            x = node.id
        add = graph.add_node("Add")
        graph.connect(x, add.id, {"port": 0})
        graph.connect(current, add.id, {"port": 1})
        current = add.id
        count += per_block + 1
    while count < nodes:
        node = graph.add_node("ReLU")
        graph.connect(current, node.id)
        current = node.id
        count += 1
    for node_id, pos in layout.layered(graph).items():
        graph.nodes[node_id].pos = pos
    return project


def chain(nodes: int) -> Project:
    project = Project(name=f"chain-{nodes}")
    graph = project.graph
    graph.add_node("Input", {"shape": [8, 16, 16]}, node_id="input")
    prev = "input"
    for i in range(nodes - 1):
        node = graph.add_node("Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1}) \
            if i % 2 == 0 else graph.add_node("ReLU")
        node.pos = ((i + 1) * 180.0 % 3600, (i + 1) // 20 * 140.0)  # rows of 20, as bench_ui.py lays it out
        graph.connect(prev, node.id)
        prev = node.id
    return project


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_inference() -> None:
    graph = residual_stack(1000, 100).graph
    result = infer(graph)
    merges = sum(1 for n in result.path if graph.nodes[n].type == "Add")
    assert result.valid and len(result.path) == 1000 and merges == 100, "the benchmark graph must be valid"
    full = _median(lambda: infer(graph), 15)
    baseline = _median(lambda: infer(chain(1000).graph), 5) - _median(lambda: chain(1000), 5)
    print(f"shape inference, 1,000 nodes with 100 merges, from scratch: median {full * 1000:.1f} ms "
          f"(goal <= 20 ms); a 1,000-node chain {baseline * 1000:.1f} ms; ratio {full / baseline:.2f}x")

    inference = Inference(graph)
    inference.run()
    middle = [n for n in result.path if graph.nodes[n].type == "Conv2d"][250]
    flips = iter(range(10_000))

    def edit(node_id=middle):
        graph.set_param(node_id, "bias", next(flips) % 2 == 0)  # shapes unchanged: only this node
        inference.run()

    def reshape(node_id=middle):
        graph.set_param(node_id, "padding", 1 if next(flips) % 2 else 0)  # shapes change downstream
        inference.run()

    one = _median(edit, 50)
    chain_graph = chain(1000).graph
    chain_inference = Inference(chain_graph)
    chain_inference.run()
    chain_middle = [n for n in chain_inference.run().path if chain_graph.nodes[n].type == "Conv2d"][250]

    def chain_edit():
        chain_graph.set_param(chain_middle, "bias", next(flips) % 2 == 0)
        chain_inference.run()

    base = _median(chain_edit, 50)
    print(f"one parameter edit (incremental), same graph: median {one * 1000:.2f} ms (goal <= 2 ms); "
          f"on a 1,000-node chain {base * 1000:.2f} ms; ratio {one / base:.2f}x")
    shaped = _median(reshape, 20)
    print(f"one edit that changes every shape downstream (half the graph): median {shaped * 1000:.1f} ms")


def bench_open_and_draw() -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from designer.core import project as projects
    from designer.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    app.processEvents()
    folder = Path(tempfile.mkdtemp())
    timings = {}
    for label, project in (("branching", residual_stack(500, 50)), ("chain", chain(500))):
        path = folder / f"{label}.netproj.json"
        projects.save(project, path)
        start = time.perf_counter()
        window.open_file(path)
        window.canvas.viewport().repaint()
        app.processEvents()
        timings[label] = time.perf_counter() - start
    print(f"open + draw a 500-node branching project (50 merges): {timings['branching'] * 1000:.0f} ms "
          f"(goal <= 1000 ms); a 500-node chain {timings['chain'] * 1000:.0f} ms; "
          f"ratio {timings['branching'] / timings['chain']:.2f}x")
    window.document.mark_saved()
    window.close()


if __name__ == "__main__":
    bench_inference()
    bench_open_and_draw()
