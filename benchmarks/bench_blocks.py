"""Shape inference on a model built from blocks: from scratch, and after one edit inside a definition.

Goals (issue 20): shape inference on a 1,000-node model with 100 block
instances <= 20 ms; one edit inside a definition used 16 times <= 5 ms.

The model: a stem, then four stages of 25 residual blocks (conv, BatchNorm,
ReLU, conv, BatchNorm, an Identity shortcut, Add, ReLU: 9 nodes with the
block's Input) each
followed by a top-level Dropout, a strided transition convolution between
stages, then pool, flatten and a classifier: 100 instances, 1,008 nodes once
every instance is counted with its inner nodes. The first stage's 16 blocks
use one definition ("Edited"), the other 84 another.

Figures, median (best) of N runs in ms and the ratio to the goal (below 1.0
meets it):
- from scratch, as when a file opens: a fresh project, every definition
  inferred again (instances with equal arguments and input shape share one
  inner inference);
- from scratch, worst case: every instance has its own argument values
  (BatchNorm's eps is an argument), so all 100 are inferred one by one;
- one edit inside the definition used 16 times (its first convolution's
  kernel and padding, keeping shapes; then its channels, breaking shapes),
  timed from the edit to the new result of a live ``Inference``.

With ``--baseline DIR`` (another checkout, e.g. ``git worktree add /tmp/base
main``) each figure is also measured with that checkout's code, in turns with
this one's in the same process, and the ratio of the two medians is given: on a
shared machine, whose load comes and goes, that ratio is the figure to compare.

Run: ``python benchmarks/bench_blocks.py [--repeat N] [--baseline DIR]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baseline import Version  # noqa: E402

FULL_GOAL_MS = 20.0
EDIT_GOAL_MS = 5.0
STAGES = (16, 32, 64, 128)
PER_STAGE = 25
EDITED_USES = 16


def _residual() -> dict:
    conv = {"in_channels": "$channels", "out_channels": "$channels", "kernel_size": 3, "padding": 1, "bias": False}
    nodes = [{"id": "in", "type": "Input"},
             {"id": "c1", "type": "Conv2d", "name": "conv1", "params": dict(conv)},
             {"id": "b1", "type": "BatchNorm2d", "name": "bn1", "params": {"num_features": "$channels", "eps": "$eps"}},
             {"id": "r1", "type": "ReLU"},
             {"id": "c2", "type": "Conv2d", "name": "conv2", "params": dict(conv)},
             {"id": "b2", "type": "BatchNorm2d", "name": "bn2", "params": {"num_features": "$channels", "eps": "$eps"}},
             {"id": "short", "type": "Identity", "name": "shortcut"},
             {"id": "add", "type": "Add"},
             {"id": "r2", "type": "ReLU"}]
    chain = ["in", "c1", "b1", "r1", "c2", "b2", "add", "r2"]
    edges = ([{"from": a, "to": b} for a, b in zip(chain, chain[1:])]
             + [{"from": "in", "to": "short"}, {"from": "short", "to": "add"}])
    return {"args": {"channels": 16, "eps": 1e-5}, "nodes": nodes, "edges": edges}


def model(distinct: bool = False) -> dict:
    """The benchmark project as file data; ``distinct`` gives each instance its own eps."""
    nodes = [{"id": "input", "type": "Input", "params": {"shape": [3, 32, 32]}}]
    previous, count = "input", 0
    edges = []

    def add(node: dict) -> None:
        nonlocal previous
        nodes.append(node)
        edges.append({"from": previous, "to": node["id"]})
        previous = node["id"]

    add({"id": "stem", "type": "Conv2d", "params": {"in_channels": 3, "out_channels": STAGES[0], "kernel_size": 3,
                                                     "padding": 1}})
    for stage, channels in enumerate(STAGES):
        if stage:
            add({"id": f"t{stage}", "type": "Conv2d", "params": {"in_channels": STAGES[stage - 1],
                                                                  "out_channels": channels, "kernel_size": 3,
                                                                  "stride": 2, "padding": 1}})
        for i in range(PER_STAGE):
            definition = "Edited" if count < EDITED_USES else "Residual"
            params = {"channels": channels}
            if distinct:
                params["eps"] = 1e-5 * (1 + count)
            add({"id": f"b{count}", "type": definition, "name": f"layer{stage + 1}_{i}", "params": params})
            add({"id": f"d{count}", "type": "Dropout", "params": {"p": 0.1}})
            count += 1
    add({"id": "pool", "type": "AdaptiveAvgPool2d", "params": {"output_size": 1}})
    add({"id": "flat", "type": "Flatten"})
    add({"id": "fc", "type": "Linear", "params": {"in_features": STAGES[-1], "out_features": 10}})
    return {"format": "netdesigner.project", "version": 3, "name": "bench",
            "blocks": {"Edited": _residual(), "Residual": _residual()}, "nodes": nodes, "edges": edges}


MODULES = ("designer.core.project", "designer.core.shapes")


def node_count(result) -> tuple[int, int]:
    """(nodes counting every instance's inner nodes, instances)."""
    total, instances = 0, 0
    for node_id in result.path:
        inner = result.nodes[node_id].inner
        if inner is not None:
            instances += 1
            sub_total, sub_instances = node_count(inner)
            total += sub_total
            instances += sub_instances
        else:
            total += 1
    return total, instances


def _line(label: str, clock: "_Clock", goal: float) -> str:
    median = statistics.median(clock.wall)
    return (f"{label:<62} median {median:7.3f} ms  best {min(clock.wall):7.3f} ms  "
            f"(CPU time median {statistics.median(clock.cpu):7.3f} ms)  ratio to {goal:g} ms goal: {median / goal:.2f}")


def _against(clock: "_Clock", base: "_Clock") -> str:
    wall, cpu = statistics.median(base.wall), statistics.median(base.cpu)
    label = "    baseline, timed in turns with the above"
    return (f"{label:<62} median {wall:7.3f} ms  best {min(base.wall):7.3f} ms  "
            f"(CPU time median {cpu:7.3f} ms)  this/baseline: {statistics.median(clock.wall) / wall:.2f} "
            f"(CPU {statistics.median(clock.cpu) / cpu:.2f})")


class _Clock:
    """Wall-clock and CPU time of each timed stretch, in ms (CPU time: what a busy machine does not inflate)."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __enter__(self):
        self._start = (time.perf_counter(), time.process_time())
        return self

    def __exit__(self, *exc) -> None:
        self.wall.append((time.perf_counter() - self._start[0]) * 1e3)
        self.cpu.append((time.process_time() - self._start[1]) * 1e3)


def _from_scratch(version: Version, data: dict, clock: "_Clock") -> None:
    with version.active():
        proj = version["designer.core.project"].from_dict(data)  # fresh caches, as when a file opens
        with clock:
            result = version["designer.core.shapes"].infer(proj.graph)
    assert result.valid and result.output_shape == (10,), result.problems[:1]


def _editing(version: Version, data: dict):
    """A live inference of the model and a function doing one edit inside ``Edited``, then inferring."""
    with version.active():
        proj = version["designer.core.project"].from_dict(data)
        inference = version["designer.core.shapes"].Inference(proj.graph)
        inference.run()
    inner = proj.blocks["Edited"].graph

    def edit(key, value, clock: _Clock):
        with version.active():
            with clock:
                inner.set_param("c1", key, value)
                result = inference.run()
        return result
    return edit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=31)
    parser.add_argument("--baseline", type=Path, help="another checkout to time in turns with this one")
    args = parser.parse_args(argv)
    versions = [Version(None, MODULES)]
    if args.baseline is not None:
        versions.append(Version(args.baseline, MODULES))
        print(f"baseline: {args.baseline}")
    data = model()
    ours = versions[0]
    total, instances = node_count(ours["designer.core.shapes"].infer(
        ours["designer.core.project"].from_dict(data).graph))
    print(f"model: {total:,} nodes with every instance expanded, {instances} block instances")
    ok = True
    for label, source in (("from scratch (a file opens)", data),
                          ("from scratch, every instance with its own arguments", model(distinct=True))):
        clocks = [_Clock() for _ in versions]
        for _ in range(args.repeat):
            for version, clock in zip(versions, clocks):
                _from_scratch(version, source, clock)
        ok &= statistics.median(clocks[0].wall) <= FULL_GOAL_MS
        print(_line(label, clocks[0], FULL_GOAL_MS))
        if len(clocks) > 1:
            print(_against(clocks[0], clocks[1]))
    for label, edits, valid in (
            ("edit kernel_size and padding in the block used 16 times",
             [("kernel_size", 5), ("padding", 2), ("kernel_size", 3), ("padding", 1)], True),
            ("edit out_channels (breaking shapes) in the block used 16 times",
             [("out_channels", 8), ("out_channels", "$channels")], None)):
        editors = [_editing(version, data) for version in versions]
        clocks = [_Clock() for _ in versions]
        for i in range(args.repeat * len(edits)):
            key, value = edits[i % len(edits)]
            for edit, clock in zip(editors, clocks):
                result = edit(key, value, clock)
                if valid is not None and i % 2 == 1:
                    assert result.valid == valid
        ok &= statistics.median(clocks[0].wall) <= EDIT_GOAL_MS
        print(_line(label, clocks[0], EDIT_GOAL_MS))
        if len(clocks) > 1:
            print(_against(clocks[0], clocks[1]))
    print("all goals met" if ok else "SOME GOALS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
