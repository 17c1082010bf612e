"""Started by test_panels_fit in a fresh process on an offscreen screen of a given size: the app as a user sees
it in one language, each panel brought forward, and where its primary widgets are inside the dock's viewport.

Prints one JSON line: for each panel, each widget's box in its dock's viewport, the viewport's size, and what the
user did on the way (a digit drawn, a training run, a fixable error selected).
"""
import json
import os
import sys

from PySide6.QtCore import QEventLoop, QPoint, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QDockWidget

settings_dir, language, panels = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
app = QApplication([])
app.setOrganizationName("NetDesigner")
app.setApplicationName("NetDesigner")
from PySide6.QtTest import QTest  # noqa: E402

from designer.ui import i18n  # noqa: E402

i18n.install(app, language)
from designer.ui.main_window import MainWindow  # noqa: E402

window = MainWindow()
window.show_first()
app.processEvents()
window.after_shown()
window.autosaver.timer.stop()
app.processEvents()


def wait_until(condition, timeout_ms=60000) -> bool:
    loop, timer = QEventLoop(), QTimer()
    timer.timeout.connect(lambda: loop.quit() if condition() else None)
    timer.start(20)
    QTimer.singleShot(timeout_ms, loop.quit)
    if not condition():
        loop.exec()
    timer.stop()
    return condition()


def settle() -> None:
    """Let the window finish laying itself out: events until the docks' and panels' geometry stops changing."""
    def snapshot():
        return [(w.geometry().getRect(), w.isVisible()) for w in window.findChildren(QDockWidget)] + [
            (w.widget().geometry().getRect(), w.viewport().geometry().getRect())
            for w in window.findChildren(QAbstractScrollArea) if hasattr(w, "widget") and w.widget() is not None]
    last, calm = None, 0
    for _ in range(100):
        QTest.qWait(10)
        now = snapshot()
        calm = calm + 1 if now == last else 0
        if calm == 3:
            return
        last = now


def where(widget) -> dict:
    """The widget's box in its dock's viewport (what can be seen without scrolling), and that viewport."""
    dock = widget
    while dock is not None and not isinstance(dock, QDockWidget):
        dock = dock.parentWidget()
    inner = dock.widget()
    viewport = inner.viewport() if isinstance(inner, QAbstractScrollArea) else inner
    if widget is viewport or not viewport.isAncestorOf(widget):
        viewport = inner
    box = QRect(widget.mapTo(viewport, QPoint(0, 0)), widget.size())
    on_window = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
    return {"box": [box.x(), box.y(), box.width(), box.height()],
            "viewport": [viewport.width(), viewport.height()],
            "in_window": window.rect().contains(on_window), "visible": widget.isVisible(),
            "sideways": isinstance(inner, QAbstractScrollArea) and inner.horizontalScrollBar().maximum() > 0,
            "downwards": isinstance(inner, QAbstractScrollArea) and inner.verticalScrollBar().maximum() > 0}


def show(title: str) -> None:
    dock = window.dock_for(title)
    dock.show()
    dock.raise_()
    settle()


def drawn() -> None:
    """A seven on the pad, as a mouse draws it, and its answer shown."""
    pad = window.try_panel.pad
    points = [(0.25, 0.2), (0.8, 0.2), (0.45, 0.9)]
    pos = [QPoint(int(x * pad.width()), int(y * pad.height())) for x, y in points]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, pos=pos[0])
    for a, b in zip(pos, pos[1:]):
        for t in range(1, 11):
            QTest.mouseMove(pad, a + (b - a) * (t / 10))
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=pos[-1])
    wait_until(lambda: window.try_panel.answer.text() not in ("–", ""))
    app.processEvents()


normal_font_pt = app.font().pointSizeF()
if len(sys.argv) > 4 and sys.argv[4] == "present":  # View ▸ Presentation Mode
    window.presentation.action.trigger()
    settle()  # the canvas refits once the docks have their new sizes
seen: dict = {"window": [window.width(), window.height()], "font_pt": app.font().pointSizeF(),
              "normal_font_pt": normal_font_pt}
for panel in panels:
    if panel == "tryit":
        show("Try it")
        drawn()
        tp = window.try_panel
        bars = tp.bars
        widest = max(bars.fontMetrics().horizontalAdvance(t) for t in bars.labels)
        seen["tryit"] = {"answer_text": tp.answer.text(),
                         "bars_fit": widest + 8 + bars.fontMetrics().horizontalAdvance("100%") + 30 <= bars.width(),
                         **{name: where(w) for name, w in (
            ("pad", tp.pad), ("answer", tp.answer), ("bars", tp.bars), ("clear", tp.clear_button))}}
    elif panel == "training":
        show("Training")
        tp = window.training_panel
        before = tp.curves.currentIndex()
        seen["training_idle"] = {name: where(w) for name, w in (
            ("start", tp.start_button), ("stop", tp.stop_button), ("curves", tp.curves))}
        tp.epochs.setValue(1)
        QTest.mouseClick(tp.start_button, Qt.MouseButton.LeftButton)
        wait_until(lambda: tp.progress.value() > 0)
        app.processEvents()
        label = tp.progress_label
        seen["training_run"] = {"status": label.text(),
                                "status_fits": label.heightForWidth(label.width()) <= label.height(),
                                "tabs_fit": tp.curves.tabBar().sizeHint().width() <= tp.curves.width(),
                                **{name: where(w) for name, w in (("start", tp.start_button),
                                   ("stop", tp.stop_button), ("curves", tp.curves), ("status_label", label))}}
        wait_until(lambda: tp.run is None, 120000)
        app.processEvents()
        seen["training_end"] = {"tab_before": before, "tab_after": tp.curves.currentIndex(),
                                "curves": where(tp.curves)}
    elif panel == "lessons":  # Help ▸ Lessons, the Conv2d lesson started: its first step has the long formula
        window.findChild(QAction, "action_lessons").trigger()
        lp = window.lesson_panel
        lp.chooser.setCurrentIndex(lp.chooser.findData("conv2d"))
        QTest.mouseClick(lp.start_button, Qt.MouseButton.LeftButton)
        settle()  # the dock takes its room after it is shown
        seen["lessons"] = {"text": where(lp.text), "next": where(lp.next_button),
                           "text_pt": lp.text.font().pointSizeF()}
    elif panel == "canvas":  # every block in view (the canvas refitted to its room)
        canvas = window.canvas
        shown = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
        seen["canvas"] = {"all_in_view": all(shown.contains(item.sceneBoundingRect())
                                             for item in canvas.graph_scene.nodes.values())}
    elif panel == "inspector":
        show("Inspector")
        doc = window.document
        conv = next(n for n, node in doc.graph.nodes.items() if node.type == "Conv2d")
        doc.set_param(conv, "in_channels", 3)  # a mistake the inspector can fix
        doc.select(conv)
        app.processEvents()
        ins = window.inspector
        seen["inspector"] = {"fix_shown": ins.fix_button.isVisible(), "fix": where(ins.fix_button)}
    elif panel == "explain":
        show("Try it")
        drawn()
        doc = window.document
        conv = next(n for n, node in doc.graph.nodes.items() if node.type == "Conv2d")
        doc.select(conv)
        show("Explain")
        from designer.ui.panels.inside.explainer import ExplainerPanel
        ex = window.findChild(ExplainerPanel)
        wait_until(lambda: ex.renderer is not None, 30000)
        app.processEvents()
        from PySide6.QtGui import QFontInfo
        seen["explain"] = {"text_px": QFontInfo(ex.numbers.font()).pixelSize(), "numbers_text": ex.numbers.text(),
                           "numbers": where(ex.numbers), "view": where(ex.view), "step": where(ex.step_button)}
print(json.dumps(seen))
if window.training_panel.run is not None:
    window.training_panel.run.stop(wait_ms=5000)
window.document.mark_saved()
window.close()
sys.stdout.flush()
os._exit(0)  # what was measured is out; Qt's teardown at interpreter exit is not what this probe looks at
