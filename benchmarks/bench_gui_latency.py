"""How responsive the window stays while the Training panel trains at full speed.

A 10 ms QTimer probe records how late each tick arrives: first with nothing
running (baseline), then while LeNet trains on mnist-5k through the real panel
and worker thread. Goal: 99th-percentile lateness <= 50 ms.

    python benchmarks/bench_gui_latency.py [--seconds 5] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import designer.ui  # noqa: E402,F401  (the PySide6 6.12 / Python 3.11 workaround)

PERIOD_MS = 10


class Probe:
    """A precise 10 ms timer that records each tick's lateness in milliseconds."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(PERIOD_MS)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self.last = 0.0

    def start(self) -> None:
        self.late.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.late)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, (now - self.last) * 1000 - PERIOD_MS))
        self.last = now


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(name: str, late: list[float]) -> None:
    print(f"  {name:22s} ticks {len(late):5d}  median {statistics.median(late):6.2f} ms  "
          f"p99 {percentile(late, 0.99):6.2f} ms  max {max(late):6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=0, help="torch threads in the worker (0: the panel's default)")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])

    from designer.core import project as projects
    from designer.ml.data import datasets as data
    from designer.ui.document import Document
    from designer.ui.panels.training.panel import TrainingPanel
    from designer.ui.worker import default_threads

    data.load("mnist-5k")  # parsed once, as it would be after the first run
    document = Document(projects.load(ROOT / "designer" / "resources" / "examples" / "lenet-28.netproj.json"))
    panel = TrainingPanel(document)
    panel.threads = args.threads or None
    panel.resize(520, 900)
    panel.show()
    probe = Probe()

    def run_for(seconds: float) -> None:
        loop = QEventLoop()  # not app.exec(): quitting the app would stop the run (aboutToQuit)
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    probe.start()
    run_for(min(args.seconds, 2.0))
    idle = probe.stop()

    panel.epochs.setValue(1000)
    panel.start()
    run_for(1.0)  # let the worker import, load and start
    probe.start()
    first_step = len(panel.curves.steps)
    run_for(args.seconds)
    busy = probe.stop()
    trained = len(panel.curves.steps) - first_step
    panel.stop()
    while panel.running:
        app.processEvents()
    print(f"torch threads {panel.threads or default_threads()} in the worker, {os.cpu_count()} CPUs; "
          f"{trained} batches of 64 trained during the {args.seconds:.0f} s probe, {panel.curves.redraws} redraws")
    report("idle", idle)
    report("training at full speed", busy)
    print(f"p99 lateness while training: {percentile(busy, 0.99):.1f} ms (goal <= 50 ms)")


if __name__ == "__main__":
    main()
