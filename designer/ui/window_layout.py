"""The main window's docks and their layout: adding docks, remembering, fitting to the screen, Reset Layout.

A mixin of MainWindow (designer.ui.main_window). The canvas stays the largest
part of the window; side docks scroll rather than push the window off a small
screen, and never get narrower than their panel's controls after a reset.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractScrollArea, QDockWidget, QMainWindow, QScrollArea, QWidget

from designer.ui import settings

LAYOUT_VERSION = 1
# Every dock's English name (its key for dock_for and the saved layout); add_dock shows it translated.
DOCK_TITLES = (QT_TRANSLATE_NOOP("Docks", "Layers"), QT_TRANSLATE_NOOP("Docks", "Inspector"),
               QT_TRANSLATE_NOOP("Docks", "Model"), QT_TRANSLATE_NOOP("Docks", "History"),
               QT_TRANSLATE_NOOP("Docks", "Training"), QT_TRANSLATE_NOOP("Docks", "Try it"),
               QT_TRANSLATE_NOOP("Docks", "Look inside"), QT_TRANSLATE_NOOP("Docks", "Explain"),
               QT_TRANSLATE_NOOP("Docks", "Code"), QT_TRANSLATE_NOOP("Docks", "Health"),
               QT_TRANSLATE_NOOP("Docks", "Lessons"), QT_TRANSLATE_NOOP("Docks", "Challenge"))
PREFERRED_SIZE = (1500, 950)  # the first window on a large screen; smaller screens get all of their room
MINIMUM_SIZE = (760, 480)  # below this the docks and the canvas would overlap
WIDEST_SIDE = 0.4  # a side column never takes more of the window than this, even for a wide panel


class WindowLayout:
    """Docks, the saved layout and fitting the window to its screen (mixed into MainWindow)."""

    _docks: list[QDockWidget]

    def add_dock(self: QMainWindow, title: str, widget: QWidget, area: Qt.DockWidgetArea,
                 tabify: bool = True) -> QDockWidget:
        """Dock ``widget`` under ``title``; its visibility toggle goes into the View menu.

        ``title`` is English and listed in DOCK_TITLES: it names the dock (``dock_for``, the saved
        layout) and is shown translated. With ``tabify`` a dock joins the
        first dock already in that area as a tab, so the canvas keeps its room; the window's own dock
        stays the visible tab.
        """
        dock = QDockWidget(QCoreApplication.translate("Docks", title), self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget if isinstance(widget, QAbstractScrollArea) else _scrolling(widget))
        self.addDockWidget(area, dock)
        first = next((d for d in self._docks if self.dockWidgetArea(d) == area), None)
        if tabify and first is not None:
            self.tabifyDockWidget(first, dock)
            first.raise_()
        self._docks.append(dock)
        if getattr(self, "panels_menu", None) is not None:  # docks added before the menus get theirs then
            self.panels_menu.addAction(dock.toggleViewAction())
        return dock

    def dock_for(self, title: str) -> QDockWidget:
        """The dock added under ``title``."""
        return next(d for d in self._docks if d.objectName() == f"dock_{title.lower().replace(' ', '_')}")

    def show_first(self: QMainWindow) -> None:
        """Show the window at start: maximized when the screen is smaller than the preferred size on a first
        start (the window manager then fits it, title bar and task bar included), else as remembered."""
        if self._fresh_layout and self._default_size != PREFERRED_SIZE:
            self.showMaximized()
        else:
            self.show()

    def _save_layout(self: QMainWindow) -> None:
        store = settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.presentation.normal_state())

    def _restore_layout(self: QMainWindow) -> None:
        store = settings.settings()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state, LAYOUT_VERSION)
        self._fresh_layout = not isinstance(state, QByteArray) or not self._layout_fits()
        if self._fresh_layout:  # first start, or a layout remembered from a larger screen
            self.resize(*self._default_size)
            self._default_dock_sizes()

    def _available(self: QMainWindow):
        return (self.screen() or QGuiApplication.primaryScreen()).availableGeometry()

    def _layout_fits(self: QMainWindow) -> bool:
        """The window inside the screen's free area, and the canvas still the largest part of it."""
        screen, frame = self._available(), self.frameGeometry()
        if frame.width() > screen.width() or frame.height() > screen.height():
            return False
        self.layout().activate()  # the docks' sizes as they will be shown
        canvas = self.canvas.size()
        return canvas.width() >= self.width() * 0.4 and canvas.height() >= self.height() * 0.4

    def fit_to_screen(self: QMainWindow) -> None:
        """Shrink and move the shown window into its screen's free area (title bar and task bar included)."""
        screen, frame = self._available(), self.frameGeometry()
        if screen.contains(frame):
            return
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()  # the window frame
        self.resize(min(self.width(), screen.width() - extra_w), min(self.height(), screen.height() - extra_h))
        frame = self.frameGeometry()
        self.move(max(screen.left(), min(frame.left(), screen.right() - frame.width() + 1)),
                  max(screen.top(), min(frame.top(), screen.bottom() - frame.height() + 1)))
        if not self._layout_fits():
            self._default_dock_sizes()

    def _default_dock_sizes(self: QMainWindow) -> None:
        """Docks sized from the window: the palette and the right column narrow, the canvas the largest part.

        The left column is never narrower than the controls of its shown panels (the lesson's Start button).
        """
        width, height = self.width(), self.height()
        bottom = max(130, min(230, int(height * 0.24)))
        left = max(150, min(220, int(width * 0.14)), self._needed_width(Qt.DockWidgetArea.LeftDockWidgetArea))
        right = max(260, min(420, int(width * 0.26)))
        self.resizeDocks([self.findChild(QDockWidget, "dock_model")], [bottom], Qt.Orientation.Vertical)
        sides = [self.findChild(QDockWidget, "dock_layers"), self.findChild(QDockWidget, "dock_inspector")]
        sizes = [left, right]
        lessons = self.findChild(QDockWidget, "dock_lessons")
        if lessons is not None and lessons.isVisible() and self.dockWidgetArea(lessons) == self.dockWidgetArea(
                sides[0]) and not lessons.isFloating():
            sides.append(lessons)  # beside the palette: the same column's width
            sizes.append(left)
        self.resizeDocks(sides, sizes, Qt.Orientation.Horizontal)

    def _needed_width(self: QMainWindow, area: Qt.DockWidgetArea) -> int:
        """The width the shown panels in ``area`` need for their controls (bounded by WIDEST_SIDE)."""
        needed = 0
        for dock in self._docks:
            if dock.isHidden() or dock.isFloating() or self.dockWidgetArea(dock) != area:
                continue
            inner = dock.widget()
            content = inner.widget() if isinstance(inner, QScrollArea) else inner
            if content is not None:
                needed = max(needed, content.minimumSizeHint().width() + 8)  # the dock's frame
        return min(needed, int(self.width() * WIDEST_SIDE))

    def reset_layout(self: QMainWindow) -> None:
        """Every dock back where it starts (after docks were closed, floated or lost)."""
        self.restoreState(self._initial_state, LAYOUT_VERSION)
        for dock in self._docks:
            if dock.isHidden() and dock.widget() is not None:
                dock.show()
        self._default_dock_sizes()


def _scrolling(widget: QWidget) -> QScrollArea:
    """A dock's panel that scrolls when the dock is smaller than it: docks never force the window off a small screen."""
    area = QScrollArea()
    area.setObjectName(f"scroll_{widget.objectName() or type(widget).__name__}")
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area
