"""View ▸ Presentation Mode (F5): the whole window zoomed for a classroom projector, and back.

The zoom starts from the screen's height (×1.25 up to 900 lines, ×1.5 at 1080) and View ▸ Presentation
Larger / Smaller (Ctrl+Alt+= / Ctrl+Alt+-) change it in steps; it is remembered. It scales the application
font (which every widget without a font of its own follows: the lesson text, the explainer's numbers, the
panels), each widget that set its own font (also those made while the mode is on), and the plots' titles and
axes. The side docks widen by the same factor (within a third of the window) and the canvas is fitted again to
its new room, on entering and on leaving. The window's layout in presentation mode is kept apart from the
normal one (a projector wants other docks open), and the mode itself is remembered for the next start.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QWidget

from designer.ui import settings

STEP = 0.25  # Larger / Smaller
LOWEST, HIGHEST = 1.0, 2.5
BASE_SIZE = "presentation_base_point_size"  # a widget's own font size before scaling
LAYOUT_VERSION = 1
SIDES = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea)


def default_zoom(screen_height: int) -> float:
    """×1.25 on a small projector (up to 900 lines), growing with the screen: ×1.5 at 1080."""
    return min(HIGHEST, max(1.25, round(screen_height / 720 * 4) / 4))


class Presentation(QObject):
    """The mode's state for one window."""

    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window
        self.on = False
        self.zoom = 1.0  # what is applied now
        self._app_font: QFont | None = None  # the normal application font
        self._watching = False  # the lesson dock's visibility
        window.installEventFilter(self)  # closed in the mode: the application font goes back
        self.action = QAction(QCoreApplication.translate("Presentation", "&Presentation Mode"), window)
        self.action.setObjectName("action_presentation")
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("F5"))
        self.action.setStatusTip(QCoreApplication.translate(
            "Presentation", "Larger text, blocks and plots for a classroom screen (F5 again to go back)"))
        self.action.toggled.connect(self.set_on)
        self.larger = QAction(QCoreApplication.translate("Presentation", "Presentation Lar&ger"), window)
        self.larger.setObjectName("action_presentation_larger")
        self.larger.setShortcut(QKeySequence("Ctrl+Alt+="))
        self.larger.triggered.connect(lambda: self.set_zoom(self.zoom + STEP))
        self.smaller = QAction(QCoreApplication.translate("Presentation", "Presentation S&maller"), window)
        self.smaller.setObjectName("action_presentation_smaller")
        self.smaller.setShortcut(QKeySequence("Ctrl+Alt+-"))
        self.smaller.triggered.connect(lambda: self.set_zoom(self.zoom - STEP))
        self._enable()

    def chosen_zoom(self) -> float:
        """The zoom the mode uses: the one last chosen, else one for this screen."""
        stored = settings.settings().value("presentation/zoom", 0.0, float)
        if stored:
            return min(HIGHEST, max(LOWEST, stored))
        return default_zoom(self.window.screen().availableGeometry().height())

    def set_on(self, on: bool) -> None:
        if on == self.on:
            return
        store = settings.settings()
        # Keep the layout of the mode being left, then show the one of the mode being entered.
        store.setValue(self._key(self.on), self.window.saveState(LAYOUT_VERSION))
        self.on = on
        app = QApplication.instance()
        if on:
            self._app_font = QFont(app.font())
            app.installEventFilter(self)  # widgets made while the mode is on grow too
            self._watch_lessons()
        else:
            app.removeEventFilter(self)
        self._apply(self.chosen_zoom() if on else 1.0)
        state = store.value(self._key(on))
        if isinstance(state, QByteArray):
            self.window.restoreState(state, LAYOUT_VERSION)
        if on and not isinstance(state, QByteArray):
            self._widen_docks()
        store.setValue("presentation/on", on)
        if self.action.isChecked() != on:
            self.action.setChecked(on)
        self._enable()
        QTimer.singleShot(0, self._refit)  # once the docks have their new sizes

    def set_zoom(self, zoom: float) -> None:
        """Larger or Smaller, while the mode is on; remembered."""
        if not self.on:
            return
        zoom = min(HIGHEST, max(LOWEST, zoom))
        settings.settings().setValue("presentation/zoom", zoom)
        before = self.zoom
        self._apply(zoom)
        self._widen_docks(zoom / before)
        QTimer.singleShot(0, self._refit)

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

    def _enable(self) -> None:
        self.larger.setEnabled(self.on)
        self.smaller.setEnabled(self.on)

    # scaling --------------------------------------------------------------------------------
    def _apply(self, zoom: float) -> None:
        """Every font at ``zoom`` times its normal size (1.0: back to normal)."""
        self.zoom = zoom
        font = self._scaled_font()
        QApplication.instance().setFont(font)
        for widget in self.window.findChildren(QWidget):
            self._scale_own_font(widget)
        self._scale_plots(font)

    def _scaled_font(self) -> QFont:
        font = QFont(self._app_font or QApplication.instance().font())
        if self.zoom != 1.0:
            font.setPointSizeF(font.pointSizeF() * self.zoom)
        return font

    def _scale_own_font(self, widget: QWidget) -> None:
        if not widget.testAttribute(Qt.WidgetAttribute.WA_SetFont):
            return
        base = widget.property(BASE_SIZE)
        own = QFont(widget.font())
        if base is None:
            if self.zoom == 1.0:
                return
            base = own.pointSizeF()
            widget.setProperty(BASE_SIZE, base)
        own.setPointSizeF(float(base) * self.zoom)
        widget.setFont(own)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.window and event.type() in (QEvent.Type.Hide, QEvent.Type.Show) and self.on \
                and not event.spontaneous():
            # The application font is every window's: a closed window in the mode hands back the normal one.
            font = QFont(self._app_font) if event.type() == QEvent.Type.Hide else self._scaled_font()
            QApplication.instance().setFont(font)
            return False
        if (event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and self.on
                and watched.property(BASE_SIZE) is None and self.window.isAncestorOf(watched)):
            self._scale_own_font(watched)
        return False

    def _scale_plots(self, font: QFont) -> None:
        try:
            import pyqtgraph as pg
        except ImportError:  # the plots are optional
            return
        for plot in self.window.findChildren(pg.PlotWidget):
            item = plot.getPlotItem()
            for name in ("left", "bottom"):
                axis = item.getAxis(name)
                axis.setStyle(tickFont=font)
                axis.label.setFont(font)
            if item.titleLabel.text:
                item.setTitle(item.titleLabel.text, size=f"{font.pointSizeF():.1f}pt")

    # layout ---------------------------------------------------------------------------------
    def _widen_docks(self, factor: float | None = None) -> None:
        """The side columns grow with the text (within a third of the window each)."""
        window = self.window
        factor = self.zoom if factor is None else factor
        docks = [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()
                 and window.dockWidgetArea(d) in SIDES]
        if docks:
            most = window.width() // 3
            window.resizeDocks(docks, [min(most, max(d.minimumSizeHint().width(), int(d.width() * factor)))
                                       for d in docks], Qt.Orientation.Horizontal)

    def _watch_lessons(self) -> None:
        """Size the lesson dock for the projector whenever it is opened in presentation mode."""
        dock = self.window.findChild(QDockWidget, "dock_lessons")
        if dock is not None and not self._watching:
            self._watching = True
            dock.visibilityChanged.connect(
                lambda visible: QTimer.singleShot(0, lambda: self.lesson_shown(dock)) if visible else None)

    def lesson_shown(self, dock: QDockWidget) -> None:
        """The lesson dock opened in presentation mode: large text needs a third of the window's width and two
        thirds of its height (after the dock's own sizing)."""
        if self.on and dock.isVisible() and not dock.isFloating():
            window = self.window
            window.resizeDocks([dock], [max(dock.width(), window.width() // 3)], Qt.Orientation.Horizontal)
            window.resizeDocks([dock], [max(dock.height(), window.height() * 2 // 3)], Qt.Orientation.Vertical)

    def _refit(self) -> None:
        lessons = self.window.findChild(QDockWidget, "dock_lessons")
        if lessons is not None:
            self.lesson_shown(lessons)
        self.window.canvas.fit(readable=True)


def install(window: QMainWindow) -> Presentation:
    """View ▸ Presentation Mode (F5), Larger and Smaller; back in it at start when it was on when the app closed."""
    presentation = Presentation(window)
    view = window.menu("View")
    view.addAction(presentation.action)
    view.addAction(presentation.larger)
    view.addAction(presentation.smaller)
    window.presentation = presentation
    return presentation


def restore(window: QMainWindow) -> None:
    """After the window's layout is restored: enter the mode again if it was on."""
    if settings.settings().value("presentation/on", False, bool):
        window.presentation.action.setChecked(True)
