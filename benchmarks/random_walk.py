"""The random walk of tests/ui/test_random_walk.py over many seeds: exceptions and undo checks per seed.

    python benchmarks/random_walk.py [--seeds 20] [--steps 300] [--first 1] [--no-training]

Each seed drives a fresh main window (offscreen) through STEPS random user
actions (tests/ui/walker.py), half of them while a training run holds the
model (unless --no-training). An exception anywhere in the app is counted (and
printed); so is an undo check that did not give back the template. The run
fails (exit 1) when any seed saw either. Also prints actions per second.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--first", type=int, default=1, help="the first seed")
    parser.add_argument("--no-training", action="store_true", help="never train during the walk")
    args = parser.parse_args()

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication([])
    app.setOrganizationName("NetDesignerBench")
    from designer.ui import gc_guard
    from designer.ui.main_window import MainWindow
    from tests.ui.walker import Walk

    gc_guard.install(app)
    errors: list[str] = []
    sys.excepthook = lambda kind, value, tb: errors.append("".join(traceback.format_exception(kind, value, tb)))

    total_errors = total_failed = total_actions = 0
    total_time = 0.0
    print(f"{'seed':>6} {'actions':>8} {'training':>9} {'undo checks':>12} {'exceptions':>11} {'s':>6}  result")
    for seed in range(args.first, args.first + args.seeds):
        errors.clear()
        window = MainWindow()
        window.resize(1500, 950)
        window.show()
        window.activateWindow()
        app.processEvents()
        walk = Walk(window, seed)
        start = time.perf_counter()
        failure = ""
        try:
            walk.run(args.steps, training=not args.no_training)
        except AssertionError as exc:
            failure = f"check failed: {exc}"
        except Exception:  # noqa: BLE001 - an exception in the walk itself is the app's too
            errors.append(traceback.format_exc())
        elapsed = time.perf_counter() - start
        total_time += elapsed
        total_actions += sum(walk.stats.actions.values())
        total_errors += len(errors)
        total_failed += bool(failure)
        result = failure or (f"{len(errors)} exception(s)" if errors else "ok")
        print(f"{seed:>6} {sum(walk.stats.actions.values()):>8} {walk.stats.while_training:>9} "
              f"{walk.stats.undo_checks:>12} {len(errors):>11} "
              f"{elapsed:>6.1f}  {result}", flush=True)
        for error in errors[:3]:
            print(error, flush=True)
        window.document.mark_saved()
        window.close()
        window.deleteLater()
        app.processEvents()
    print(f"{args.seeds} seeds, {total_actions} actions in {total_time:.0f} s "
          f"({total_actions / max(total_time, 1e-9):.0f} actions/s): {total_errors} exceptions, "
          f"{total_failed} failed checks")
    return 1 if total_errors or total_failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
