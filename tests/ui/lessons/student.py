"""A student in front of the window: does what a lesson's text asks, with the mouse and the keyboard.

Every action first checks that the step's text names what the student is about to use, as the
screen shows it in the interface language (a button's label, a dock's title, a menu's entries).
"""
import re

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from designer.ui.panels.model.inspector import PairEditor, PaddingEditor
from designer.ui.panels.tryit.drawpad import TryPanel

SEVEN = [(60, 50), (220, 50), (120, 250)]


def shown(label: str) -> str:
    """A label as the eye reads it: without its mnemonic ("(&F)", "&") and its trailing "…"."""
    return re.sub(r"\(&\w\)|&", "", label).replace("…", "").strip()


class Student:
    def __init__(self, window, qtbot):
        self.window, self.bot = window, qtbot
        self.panel = window.lesson_panel
        self.document = window.document

    # reading ------------------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self.panel.text.text()

    def sees(self, *labels: str) -> None:
        """The step's text names each of these as the screen shows them."""
        for label in labels:
            assert shown(label) in self.text, f"the step does not name {shown(label)!r}: {self.text}"

    def dock_title(self, name: str) -> str:
        return self.window.dock_for(name).windowTitle()

    # the canvas and the inspector ------------------------------------------------------------------
    def node(self, name: str) -> str:
        return next(i for i, n in self.document.graph.generated_names().items() if n == name)

    def click_block(self, node_id: str) -> None:
        canvas = self.window.canvas
        canvas.center_on(node_id)
        point = canvas.mapFromScene(canvas.node_item(node_id).sceneBoundingRect().center())
        self.bot.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
        assert self.document.selected == node_id

    def select(self, name: str) -> None:
        self.sees(name)
        self.click_block(self.node(name))

    def append(self, type_name: str) -> str:
        """Double-click the palette entry (the Layers dock): the block goes after the selected one, wired."""
        self.sees(type_name)  # the step outlines the Layers dock
        palette = self.window.palette
        item = palette.entries[type_name]
        palette.tree.scrollToItem(item)
        rect = palette.tree.visualItemRect(item)
        before = set(self.document.graph.nodes)
        self.bot.mouseClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        self.bot.mouseDClick(palette.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        [new] = set(self.document.graph.nodes) - before
        return new

    def drag_in(self, type_name: str, below: str) -> str:
        """Drag from the palette onto the canvas, under the block ``below``."""
        from tests.ui.test_canvas import drag_from_palette

        self.sees(type_name, self.dock_title("Layers"))
        canvas = self.window.canvas
        canvas.center_on(below)
        target = canvas.mapFromScene(canvas.node_item(below).sceneBoundingRect().center()) + QPoint(0, 140)
        before = set(self.document.graph.nodes)
        drag_from_palette(self.window, type_name, target)
        [new] = set(self.document.graph.nodes) - before
        return new

    def wire(self, src: str, dst: str) -> None:
        canvas = self.window.canvas
        canvas.center_on(src)
        start, end = canvas.port_point(src, True), canvas.port_point(dst, False)
        viewport = canvas.viewport()
        self.bot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        self.bot.mouseMove(viewport, (start + end) / 2)
        self.bot.mouseMove(viewport, end)
        self.bot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
        assert (src, dst) in self.document.graph.edges

    def set(self, param: str, value) -> None:
        """Type a setting of the selected block into the Inspector (named in the text, or given by position
        in a call such as Conv2d(1, 6, 5))."""
        widget, _, spec = self.window.inspector.editors[param]
        if not spec.positional:
            self.sees(param)
        if isinstance(widget, PaddingEditor):
            widget = widget.pair
        if isinstance(widget, PairEditor):
            widget = widget.first
        self.type(widget, str(value))

    def rename(self, name: str) -> None:
        edit = self.window.findChild(QLineEdit, "nameEdit")
        edit.selectAll()
        self.bot.keyClicks(edit, name)

    def type(self, widget, text: str) -> None:
        widget.setFocus()
        if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
            widget.selectAll()
            self.bot.keyClicks(widget.lineEdit(), text)
        elif isinstance(widget, QComboBox):
            self.sees(text)
            widget.setCurrentIndex(widget.findText(text))
        else:
            widget.selectAll()
            self.bot.keyClicks(widget, text)

    # buttons, menus, docks -----------------------------------------------------------------------
    def press(self, button) -> None:
        """Click a button the text names (a label such as "Fix: …" is named by what comes before the colon)."""
        self.sees(re.split(r"[:：]", button.text())[0])
        self.bot.mouseClick(button, Qt.MouseButton.LeftButton)

    def menu(self, menu: str, action_name: str) -> None:
        """Menu ▸ entry, both named in the text."""
        action = self.window.findChild(QAction, action_name)
        self.sees(self.window.menu(menu).title(), action.text())
        action.trigger()

    def open_dock(self, name: str) -> None:
        """View ▸ the dock."""
        dock = self.window.dock_for(name)
        self.sees(self.window.menu("View").title(), dock.windowTitle())
        if not dock.isVisible():
            dock.toggleViewAction().trigger()
        dock.raise_()

    def draw_digit(self) -> None:
        """A seven on the Try it pad."""
        self.sees(self.dock_title("Try it"))
        self.open_dock_quietly("Try it")
        pad = self.window.findChild(TryPanel).pad
        scale = pad.width() / 280
        points = [QPoint(round(x * scale), round(y * scale)) for x, y in SEVEN]
        self.bot.mousePress(pad, Qt.MouseButton.LeftButton, pos=points[0])
        for a, b in zip(points, points[1:]):
            for t in (0.25, 0.5, 0.75, 1.0):
                self.bot.mouseMove(pad, a + (b - a) * t)
        self.bot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=points[-1])

    def open_dock_quietly(self, name: str) -> None:
        dock = self.window.dock_for(name)
        dock.show()
        dock.raise_()

    def answer(self, text: str) -> None:
        """Type into the lesson's answer box and press Check."""
        self.panel.answer.setFocus()
        self.panel.answer.selectAll()
        self.bot.keyClicks(self.panel.answer, text)
        self.bot.mouseClick(self.panel.check_button, Qt.MouseButton.LeftButton)

    # training ---------------------------------------------------------------------------------------
    def train(self, loss: str | None = None, optimizer: str | None = None, lr: str | None = None,
              momentum: str | None = None) -> None:
        """Choose the settings the step names in the Training panel, one epoch, and press Start until done."""
        panel = self.window.training_panel
        self.sees(self.dock_title("Training"))
        if optimizer:
            self.type(panel.optimizer, optimizer)
        if loss:
            self.type(panel.loss, loss)
        if lr:
            self.sees(lr)
            self.type(panel.lr, lr)
        if momentum:
            self.sees(momentum)
            self.type(panel.momentum, momentum)
        self.type(panel.epochs, "1")  # a short run: the data set is a few batches in these tests
        with self.bot.waitSignal(panel.run_ended, timeout=60_000):
            self.press(panel.start_button)
