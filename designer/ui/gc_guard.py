"""Run Python's cyclic garbage collector only in the UI thread.

The collector runs in whichever thread crosses its allocation threshold. When
that is a worker (training, export, import, torch warm-up) and the garbage
holds Qt objects, they are destroyed off the GUI thread and Qt crashes. So the
automatic collector is switched off and a timer in the UI thread collects
whatever generation is due, as the automatic one would (pyqtgraph's recipe).

A full collection walks every object the collector tracks: with torch loaded
some 400,000, a tenth of a second or more in the UI thread (a second on a busy
machine), often enough to make drawing stutter. ``freeze`` takes what is alive
once torch has loaded (modules, Qt, the window) out of those walks for good.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

_guard: QObject | None = None
_frozen = False


def install(app: QObject, interval_ms: int = 500) -> None:
    """Switch the automatic collector off and collect from ``app``'s thread; idempotent."""
    global _guard
    if _guard is not None:
        return
    gc.disable()
    timer = QTimer(app)
    timer.setInterval(interval_ms)
    timer.timeout.connect(collect_due)
    timer.start()
    _guard = timer


def collect_due() -> None:
    """Collect the oldest generation whose threshold is passed."""
    counts, limits = gc.get_count(), gc.get_threshold()
    for generation in (2, 1, 0):
        if counts[generation] > limits[generation]:
            gc.collect(generation)
            return


def freeze() -> None:
    """Leave every object alive now out of future collections (they live as long as the app); once a process."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()
