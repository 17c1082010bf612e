"""UI benchmarks: launch time, a live parameter edit on a long chain, opening a big project.

    python benchmarks/bench_ui.py

Prints one line per figure with its goal. Runs offscreen; the launch figures
are whole processes (median of 3) compared with a bare PySide6 window.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """
import time, sys; t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication, QMainWindow
from PySide6.QtCore import QTimer
app = QApplication([]); w = QMainWindow(); w.resize(1400, 860); w.show()
QTimer.singleShot(0, lambda: (print(time.time() - t0), app.quit())); app.exec()
"""

APP = """
import time, sys, tempfile; t0 = float(sys.argv[1])
from PySide6.QtCore import QSettings, QTimer
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
from PySide6.QtWidgets import QApplication
app = QApplication([])
from designer.ui import app as ui_app
QTimer.singleShot(0, lambda: (print(time.time() - t0), print('torch' in sys.modules), app.quit()))
ui_app.run_app([])
"""


def _launch(script: str) -> tuple[float, str]:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", script, repr(start)], cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120).stdout.split()
    return float(out[0]), (out[1] if len(out) > 1 else "")


def bench_launch() -> None:
    bare = statistics.median(_launch(BARE)[0] for _ in range(3))
    runs = [_launch(APP) for _ in range(3)]
    app = statistics.median(r[0] for r in runs)
    print(f"launch to window shown: {app * 1000:.0f} ms (goal <= 1500 ms); bare PySide6 window {bare * 1000:.0f} ms; "
          f"ratio {app / bare:.2f}x; torch imported before first paint: {runs[0][1]}")


def _chain(n: int):
    from designer.core.project import Project

    project = Project(name=f"chain-{n}")
    graph = project.graph
    graph.add_node("Input", {"shape": [8, 32, 32]}, None, (0, 0), "input")
    prev = "input"
    for i in range(n - 1):
        if i % 2 == 0:
            node = graph.add_node("Conv2d", {"in_channels": 8, "out_channels": 8, "kernel_size": 3, "padding": 1},
                                  pos=((i + 1) * 180.0 % 3600, (i + 1) // 20 * 140.0))
        else:
            node = graph.add_node("ReLU", pos=((i + 1) * 180.0 % 3600, (i + 1) // 20 * 140.0))
        graph.connect(prev, node.id)
        prev = node.id
    return project


def bench_edit_and_open() -> None:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    from designer.core import project as projects
    from designer.ui.main_window import MainWindow

    window = MainWindow()
    window.show()
    app.processEvents()

    # A parameter edit at the head of a 200-node chain changes every shape downstream.
    window.document.set_project(_chain(200))
    window.canvas.fit()
    app.processEvents()
    times = []
    for i in range(20):
        start = time.perf_counter()
        window.document.set_param("n1", "padding", 1 if i % 2 else 0)  # 32x32 <-> shrinking: all badges change
        window.canvas.viewport().repaint()
        times.append(time.perf_counter() - start)
    edges = window.canvas.graph_scene.edges
    last = edges[list(edges)[-1]].badge
    print(f"parameter edit on a 200-node chain, all badges updated and repainted: median "
          f"{statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms (goal <= 16 ms); last badge {last}")

    # Opening a 500-node project from disk and painting it.
    folder = Path(tempfile.mkdtemp())
    path = folder / "big.netproj.json"
    projects.save(_chain(500), path)
    start = time.perf_counter()
    window.open_file(path)
    window.canvas.viewport().repaint()
    app.processEvents()
    elapsed = time.perf_counter() - start
    print(f"open + render a 500-node project: {elapsed * 1000:.0f} ms (goal <= 1000 ms)")
    window.document.mark_saved()
    window.close()


if __name__ == "__main__":
    bench_launch()
    bench_edit_and_open()
