"""View ▸ Presentation Mode: the whole window zoomed (fonts, plots, canvas refitted), its own layout, and back (F5)."""
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from designer.ui.main_window import MainWindow
from designer.ui.presentation import STEP, default_zoom


def sizes(window):
    plots = window.findChildren(pg.PlotWidget)
    tick = plots[0].getPlotItem().getAxis("bottom").style["tickFont"] if plots else None
    return (QApplication.font().pointSizeF(), window.lesson_panel.text.font().pointSizeF(),
            tick.pointSizeF() if tick else None)


def press_f5(qtbot, window):
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_F5)


def all_blocks_in_view(canvas) -> bool:
    shown = canvas.mapToScene(canvas.viewport().rect()).boundingRect()
    return all(shown.contains(item.sceneBoundingRect()) for item in canvas.graph_scene.nodes.values())


def test_f5_zooms_the_whole_window_refits_the_canvas_and_f5_again_restores_it(window, qtbot):
    app_font, lesson_font, _ = sizes(window)
    assert window.findChildren(pg.PlotWidget), "the training plots exist"
    zoom = default_zoom(window.screen().availableGeometry().height())
    press_f5(qtbot, window)
    big = sizes(window)
    assert big[0] == app_font * zoom and abs(big[1] - lesson_font * zoom) < 1e-6 and big[2] == big[0]
    assert window.findChild(type(window.presentation.action), "action_presentation").isChecked()
    qtbot.waitUntil(lambda: all_blocks_in_view(window.canvas))  # refitted to its new room

    larger = window.findChild(type(window.presentation.action), "action_presentation_larger")
    larger.trigger()  # View ▸ Presentation Larger: the teacher's room is bigger
    assert sizes(window)[0] == app_font * (zoom + STEP) and sizes(window)[2] == sizes(window)[0]
    press_f5(qtbot, window)
    back = sizes(window)
    assert back[0] == app_font and back[1] == lesson_font and back[2] == app_font
    assert not larger.isEnabled()  # only in presentation mode
    qtbot.waitUntil(lambda: all_blocks_in_view(window.canvas))
    press_f5(qtbot, window)
    assert sizes(window)[0] == app_font * (zoom + STEP)  # the chosen zoom is remembered
    press_f5(qtbot, window)


def test_the_presentation_layout_is_kept_apart_and_the_mode_remembered(window, qtbot):
    history = window.dock_for("History")
    assert history.isVisible()
    press_f5(qtbot, window)
    history.close()  # the teacher closes what the class need not see
    press_f5(qtbot, window)
    assert history.isVisible()  # the normal layout is back
    press_f5(qtbot, window)
    assert not history.isVisible()
    window.document.mark_saved()
    window.close()  # closed in presentation mode

    again = MainWindow()
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert not again.dock_for("History").isHidden()  # started with the normal layout, ...
    again.after_shown()
    assert again.presentation.on and QApplication.font().pointSizeF() > 0  # ... then back in presentation mode
    assert again.dock_for("History").isHidden()
    again.presentation.set_on(False)
    again.document.mark_saved()
    again.close()
