"""Training speed with the network-health probe on and off.

    python benchmarks/bench_health.py [--epochs 2] [--rounds 3]

LeNet on mnist-5k (4,500 training, 500 held-out samples), batch 64, one
thread; the same seeded run with and without ``designer.ml.training.health.watch``,
alternating so that a busy machine slows both alike. Reports the median
wall time of each and the ratio. Goal: health on within 5% of off.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from designer.core.project import load  # noqa: E402
from designer.ml.data import datasets as data  # noqa: E402
from designer.ml.build import build_model  # noqa: E402
from designer.ml.training.health import HealthReport, watch  # noqa: E402
from designer.ml.training.loop import TrainConfig, train  # noqa: E402

LENET = Path(__file__).resolve().parents[1] / "designer" / "resources" / "examples" / "lenet-28.netproj.json"


def timed(dataset, config, health: bool) -> tuple[float, int]:
    model = build_model(load(LENET).graph)
    events = train(model, dataset, config)
    if health:
        events = watch(events, model, dataset)
    start = time.perf_counter()
    reports = sum(isinstance(e, HealthReport) for e in events)
    return time.perf_counter() - start, reports


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    dataset = data.load("mnist-5k")
    config = TrainConfig(epochs=args.epochs, batch_size=64, seed=0)
    timed(dataset, TrainConfig(epochs=1, batch_size=64, seed=0), True)  # warm up
    off, on = [], []
    for _ in range(args.rounds):
        off.append(timed(dataset, config, False)[0])
        seconds, reports = timed(dataset, config, True)
        assert reports == args.epochs
        on.append(seconds)
    a, b = statistics.median(off), statistics.median(on)
    print(f"LeNet, mnist-5k, {args.epochs} epochs x {args.rounds} rounds: health off {a:.2f} s, on {b:.2f} s; "
          f"on/off {b / a:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
