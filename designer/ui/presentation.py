"""View ▸ Presentation Mode: everything larger for a classroom projector, and back.

Fonts grow by SCALE: the application font (which every widget without a font
of its own follows), each widget that set its own font, and the plots' axis
labels; the canvas zooms by SCALE, so blocks, their titles and the shape
badges grow with it. The window's layout in presentation mode is kept apart
from the normal one (a projector wants other docks open), and the mode itself
is remembered for the next start.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from designer.ui import settings

SCALE = 1.6
BASE_SIZE = "presentation_base_point_size"  # a widget's own font size before scaling
LAYOUT_VERSION = 1


class Presentation:
    """The mode's state for one window."""

    def __init__(self, window: QMainWindow):
        self.window = window
        self.on = False
        self._app_font: QFont | None = None
        self.action = QAction(QCoreApplication.translate("Presentation", "&Presentation Mode"), window)
        self.action.setObjectName("action_presentation")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("F5"))
        self.action.setStatusTip(QCoreApplication.translate(
            "Presentation", "Larger text, blocks and plots for a classroom screen (F5 again to go back)"))
        self.action.toggled.connect(self.set_on)

    def set_on(self, on: bool) -> None:
        if on == self.on:
            return
        store = settings.settings()
        # Keep the layout of the mode being left, then show the one of the mode being entered.
        store.setValue(self._key(self.on), self.window.saveState(LAYOUT_VERSION))
        self.on = on
        self._scale_fonts(SCALE if on else 1 / SCALE)
        self.window.canvas.zoom_by(SCALE if on else 1 / SCALE)
        state = store.value(self._key(on))
        if isinstance(state, QByteArray):
            self.window.restoreState(state, LAYOUT_VERSION)
        store.setValue("presentation/on", on)
        if self.action.isChecked() != on:
            self.action.setChecked(on)

    def normal_state(self) -> QByteArray:
        """The normal layout, for the window to save at exit (the presentation one is kept apart)."""
        if not self.on:
            return self.window.saveState(LAYOUT_VERSION)
        store = settings.settings()
        store.setValue(self._key(True), self.window.saveState(LAYOUT_VERSION))
        state = store.value(self._key(False))
        return state if isinstance(state, QByteArray) else self.window.saveState(LAYOUT_VERSION)

    @staticmethod
    def _key(on: bool) -> str:
        return "presentation/state" if on else "normal/state"

    def _scale_fonts(self, factor: float) -> None:
        app = QApplication.instance()
        if self.on:
            self._app_font = QFont(app.font())
            font = QFont(self._app_font)
            font.setPointSizeF(font.pointSizeF() * factor)
        else:
            font = self._app_font or app.font()
        app.setFont(font)
        for widget in self.window.findChildren(QWidget):
            if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
                own = QFont(widget.font())
                base = widget.property(BASE_SIZE)
                if self.on:
                    widget.setProperty(BASE_SIZE, own.pointSizeF())
                    own.setPointSizeF(own.pointSizeF() * factor)
                elif base:
                    own.setPointSizeF(float(base))
                widget.setFont(own)
        self._scale_plots(font)

    def _scale_plots(self, font: QFont) -> None:
        try:
            import pyqtgraph as pg
        except ImportError:  # the plots are optional
            return
        for plot in self.window.findChildren(pg.PlotWidget):
            for name in ("left", "bottom"):
                axis = plot.getPlotItem().getAxis(name)
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)


def install(window: QMainWindow) -> Presentation:
    """View ▸ Presentation Mode (F5); back in it at start when it was on when the app closed."""
    presentation = Presentation(window)
    window.menu("View").addAction(presentation.action)
    window.presentation = presentation
    return presentation


def restore(window: QMainWindow) -> None:
    """After the window's layout is restored: enter the mode again if it was on."""
    if settings.settings().value("presentation/on", False, bool):
        window.presentation.action.setChecked(True)
