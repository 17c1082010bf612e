"""File ▸ Save of an imported ResNet-50 with its weights (~100 MB): how long the UI thread is held.

    python benchmarks/bench_save_large.py [--repeat 3] [--root CHECKOUT]

torchvision's resnet50() is imported with the app's importer (3x224x224), given
freshly initialised weights as training would leave them, and saved with
File ▸ Save (the action, as Ctrl+S triggers it) until the files are on disk.
Reported, best and median of ``--repeat`` saves: the time the Save action
holds the UI thread before returning, the longest the UI thread went without
running a 5 ms timer while the save was in progress (what the user feels as
a frozen window; compared with an idle second's), and the time until both files are written. ``--root`` runs
another checkout's app (e.g. main before a change) with the same measurement.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
_parser.add_argument("--repeat", type=int, default=3)
_parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]), help="the checkout to measure")
ARGS = _parser.parse_args()
ROOT = Path(ARGS.root).resolve()
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtGui import QAction  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import designer.ui  # noqa: E402,F401  (the PySide6 6.12 / Python 3.11 workaround)

MODEL_FILE = "import torchvision\n\nmodel = torchvision.models.resnet50()\n"


def imported_resnet50(folder: Path):
    from designer.ml.importing import importer

    source = folder / "resnet50.py"
    source.write_text(MODEL_FILE)
    for attempt in range(3):  # on a busy machine the sandboxed import has been seen to miss the model
        result = importer.import_py(source, input_shape=(3, 224, 224))
        if result.project is not None:
            return result.project
        print(f"import attempt {attempt + 1} failed: {result.error}")
    raise SystemExit("the import failed three times")


class Stalls:
    """The longest gap between two runs of a 5 ms timer in the UI thread."""

    def __init__(self):
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = self.longest = 0.0

    def start(self) -> None:
        self.last, self.longest = time.perf_counter(), 0.0
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def stop(self) -> float:
        self._tick()
        self.timer.stop()
        return self.longest * 1000


def main() -> int:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)  # not the user's settings
        app.setOrganizationName("NetDesignerBench")
        project = imported_resnet50(Path(tmp))
        from designer.ml import models
        from designer.ui.main_window import MainWindow

        state = models.build(project).state_dict()
        megabytes = sum(t.numel() * t.element_size() for t in state.values()) / 1e6
        window = MainWindow()
        window.maybe_save = lambda: True
        window.resize(1366, 768)
        window.show()
        QTest.qWaitForWindowExposed(window)
        window.document.set_project(project, Path(tmp) / "resnet50.netproj.json")
        window.document.set_weights(state)
        saver = getattr(window, "saver", None)
        action = window.findChild(QAction, "action_save")
        stalls = Stalls()
        held, stalled, written = [], [], []
        stalls.start()
        QTest.qWait(1000)  # the same window doing nothing: how long a stall the machine itself causes
        idle = stalls.stop()
        print(f"{ROOT}: ResNet-50 ({len(project.graph.nodes)} blocks, {megabytes:.0f} MB of weights); "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        for _ in range(ARGS.repeat):
            window.document.mark_modified()
            QTest.qWait(200)
            stalls.start()
            t0 = time.perf_counter()
            action.trigger()
            t1 = time.perf_counter()
            if saver is not None and saver.busy:
                loop = QEventLoop()
                saver.idle.connect(loop.quit)
                loop.exec()
                saver.idle.disconnect(loop.quit)
            t2 = time.perf_counter()
            stalled.append(stalls.stop())
            held.append((t1 - t0) * 1000)
            written.append((t2 - t0) * 1000)
            assert not window.document.modified, "the save did not finish"
        print(f"File ▸ Save of the ResNet-50 with its weights, {ARGS.repeat} saves:")
        for name, values in (("Save holds the UI thread", held), ("longest UI-thread stall", stalled),
                             ("until both files written", written)):
            print(f"  {name:26s} best {min(values):7.0f} ms   median {statistics.median(values):7.0f} ms")
        print(f"  (the longest stall of the idle window over 1 s, for comparison: {idle:.0f} ms)")
        window.document.mark_saved()
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown: PySide6 can crash finalising widgets


if __name__ == "__main__":
    raise SystemExit(main())
