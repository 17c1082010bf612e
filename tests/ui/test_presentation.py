"""View ▸ Presentation Mode: larger fonts, blocks and plot labels, its own layout, and back (F5)."""
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from designer.ui.main_window import MainWindow
from designer.ui.presentation import SCALE


def sizes(window):
    plots = window.findChildren(pg.PlotWidget)
    tick = plots[0].getPlotItem().getAxis("bottom").style["tickFont"] if plots else None
    return (QApplication.font().pointSizeF(), window.canvas.zoom(), window.lesson_panel.text.font().pointSizeF(),
            tick.pointSizeF() if tick else None)


def press_f5(qtbot, window):
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key.Key_F5)


def test_f5_scales_fonts_blocks_and_plots_and_f5_again_restores_them(window, qtbot):
    app_font, zoom, lesson_font, _ = sizes(window)
    assert window.findChildren(pg.PlotWidget), "the training plots exist"
    press_f5(qtbot, window)
    big = sizes(window)
    assert big[0] == app_font * SCALE and abs(big[1] - zoom * SCALE) < 1e-9
    assert abs(big[2] - lesson_font * SCALE) < 1e-6 and big[3] == app_font * SCALE
    assert window.findChild(type(window.presentation.action), "action_presentation").isChecked()
    press_f5(qtbot, window)
    back = sizes(window)
    assert back[0] == app_font and abs(back[1] - zoom) < 1e-9
    assert back[2] == lesson_font and back[3] == app_font


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
