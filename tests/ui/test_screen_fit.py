"""The first window fits a student's laptop (1366×768) and a desktop (1920×1080); an old layout is fitted again."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Started as the app starts (window shown, then after_shown), on an offscreen screen of the given size.
SCRIPT = """
import json, sys
from PySide6.QtCore import QRect, QSettings
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
from PySide6.QtWidgets import QApplication, QDockWidget
app = QApplication([])
app.setOrganizationName("NetDesigner"); app.setApplicationName("NetDesigner")
from designer.ui.main_window import MainWindow
from PySide6.QtCore import Qt
window = MainWindow()
window.show_first()  # as the app shows it
app.processEvents()
window.after_shown()
window.autosaver.timer.stop()
if sys.argv[2] == "stretch":  # the user made the window and its docks huge on a big screen
    window.resize(1900, 1060)
    app.processEvents()
    window.resizeDocks([window.findChild(QDockWidget, "dock_inspector")], [1100], Qt.Orientation.Horizontal)
window.dock_for("Training").raise_()  # the user opens the Training tab
app.processEvents()
def box(widget):
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]
screen = window.screen().availableGeometry()
tabs = window.findChildren(__import__("PySide6.QtWidgets").QtWidgets.QTabBar)
print(json.dumps({"screen": [screen.x(), screen.y(), screen.width(), screen.height()],
                  "frame": [window.frameGeometry().x(), window.frameGeometry().y(),
                            window.frameGeometry().width(), window.frameGeometry().height()],
                  "window": [window.width(), window.height()], "canvas": box(window.canvas),
                  "status": box(window.statusBar()),
                  "training_scrolls_sideways": window.training_panel.parent().parent().horizontalScrollBar().maximum() > 0,
                  "tabs": [box(t) for t in tabs if t.parent() is window and t.isVisible()],
                  "docks": {d.objectName(): box(d) for d in window.findChildren(QDockWidget)
                            if d.isVisible() and not d.visibleRegion().isEmpty()}}))
if sys.argv[2] == "stretch":
    window.document.mark_saved()
    window.close()  # remembers this layout
# Leave as the app does, never with a worker thread still running into the interpreter's teardown
# (that crashed the process after it had printed, in about half of the runs).
from PySide6.QtCore import QThreadPool
QThreadPool.globalInstance().waitForDone(60000)
sys.stdout.flush()
import os
os._exit(0)
"""


def start(tmp_path, width: int, height: int, settings: Path, mode: str = "") -> dict:
    config = tmp_path / f"screen-{width}x{height}.json"
    config.write_text(json.dumps({"screens": [{"name": "screen", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(settings), mode], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def inside(box, screen) -> bool:
    x, y, w, h = box
    sx, sy, sw, sh = screen
    return sx <= x and sy <= y and x + w <= sx + sw and y + h <= sy + sh


def assert_fits(seen: dict) -> None:
    screen = seen["screen"]
    assert inside(seen["frame"], screen), seen
    assert inside(seen["status"], screen), seen  # the status bar is on screen
    assert seen["tabs"] and all(inside(tab, screen) for tab in seen["tabs"]), seen  # and every dock tab
    canvas_w, canvas_h = seen["canvas"][2], seen["canvas"][3]
    for name, (_, _, w, h) in seen["docks"].items():  # the canvas is the largest part of the window
        assert canvas_w * canvas_h > w * h, (name, seen)
    assert canvas_w >= 0.5 * seen["window"][0], seen
    assert not seen["training_scrolls_sideways"], seen  # a narrow dock stacks the settings in one column


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_first_window_fits_the_screen_with_the_canvas_the_largest_part(tmp_path, size):
    assert_fits(start(tmp_path, *size, settings=tmp_path / "settings"))


def test_a_remembered_layout_from_a_bigger_screen_is_fitted_again(tmp_path):
    settings = tmp_path / "settings"
    big = start(tmp_path, 1920, 1080, settings, "stretch")
    assert big["canvas"][2] < 0.5 * big["window"][0]  # the remembered layout squeezes the canvas
    assert_fits(start(tmp_path, 1366, 768, settings))
