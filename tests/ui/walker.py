"""A seeded random walk through the real window: user actions by mouse and keyboard, and the checks they owe.

``Walk(window, seed).run(steps)`` picks actions at random: add a block by drag
and by double-click in the palette, wire, unwire, delete, undo, redo, select,
edit a parameter in the inspector, apply a suggested fix, switch templates,
draw on the pad, press the Edit and Model menus' shortcuts, and open the Look
inside, Try it and Training panels. Every so often, and at the end, it undoes
every edit since the last template switch and checks that the project is the
template's file again, byte for byte.

With ``training`` every other quarter of the walk runs while the Training panel
trains (a LeNet on the bundled 5,000 digits, one thread): the same actions
then must change nothing in the project, each refused in words or greyed out,
and New from Template asks before stopping the run (the walk keeps it going).
Used by tests/ui/test_random_walk.py (one seed) and benchmarks/random_walk.py (many).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QSpinBox, QTabBar

from designer.core import project as projects
from designer.core import templates

LEFT = Qt.MouseButton.LeftButton
TRAINABLE = ("lenet-28", "lenet-32", "resnet-mnist")  # templates with a dataset of their own
SHORTCUTS = [("Ctrl+L", "auto-layout"), ("Ctrl+D", "duplicate"), ("Ctrl+X", "cut"), ("Ctrl+V", "paste"),
             ("Ctrl+C", "copy"), ("Ctrl+Shift+R", "skip connection"), ("Ctrl+A", "select all")]
TYPES = ["Conv2d", "ReLU", "MaxPool2d", "Linear", "Flatten", "BatchNorm2d", "Dropout", "Tanh", "AvgPool2d",
         "LogSoftmax", "Identity", "BatchNorm1d"]


@dataclass
class Stats:
    """What a walk did: actions by name, undo checks passed, message boxes it answered."""

    actions: dict = field(default_factory=dict)
    undo_checks: int = 0
    boxes: list = field(default_factory=list)
    while_training: int = 0  # actions taken while a training run held the model
    lock_checks: int = 0  # training stretches after which the project was checked unchanged


class Walk:
    def __init__(self, window, seed: int):
        self.window, self.doc, self.canvas = window, window.document, window.canvas
        self.rng = random.Random(seed)
        self.stats = Stats()
        self.template = None  # (title, text right after the switch, template file text)
        self._answerer = QTimer()
        self._answerer.setInterval(10)
        self._answerer.timeout.connect(self._answer_boxes)
        self.actions = [(self.add_by_drag, 4), (self.add_by_double_click, 4), (self.wire, 4), (self.unwire, 3),
                        (self.delete, 3), (self.undo, 4), (self.redo, 2), (self.select, 4), (self.edit_param, 5),
                        (self.apply_fix, 3), (self.switch_template, 1), (self.open_panel, 2), (self.draw, 2),
                        (self.shortcut, 3), (self.check_undo_all, 1)]
        self.panel = window.training_panel
        self.training = False  # in a stretch of the walk that runs while the model trains
        self._locked_project = ""  # the project as the current training stretch began

    def run(self, steps: int, training: bool = False) -> Stats:
        """``steps`` random actions; with ``training``, the second and fourth quarters while a run trains."""
        self._answerer.start()
        try:
            self.switch_template()
            functions, weights = zip(*self.actions)
            for step in range(steps):
                if training and step % max(1, steps // 4) == 0:
                    self._set_training(step // max(1, steps // 4) % 2 == 1)
                if self.training:
                    self.stats.while_training += 1
                action = self.rng.choices(functions, weights)[0]
                action()
                self.stats.actions[action.__name__] = self.stats.actions.get(action.__name__, 0) + 1
                QApplication.processEvents()
            self._set_training(False)
            self.check_undo_all()
        finally:
            self._answerer.stop()
            if self.panel.running:  # a failed check: the window must close without a question
                self.panel.stop()
                self._wait(lambda: not self.panel.running, "the run to stop")
        return self.stats

    # training --------------------------------------------------------------------------
    def _set_training(self, on: bool) -> None:
        """Begin a stretch of the walk under a training run, or end one.

        The run trains the project as the walk left it when that trains (a trainable template's, blocks
        moved, layers added), else a fresh trainable template. Each stretch begins by pressing every menu
        shortcut and asking for another template.
        """
        if on == self.training:
            return
        if on:
            if self.template[0] not in TRAINABLE or not self.doc.shapes.valid or not self._start_run():
                self.switch_template(TRAINABLE)  # the walk left a model that does not train: a fresh one
                assert self._start_run(), self.panel.message.text()
            self.training = True
            self._locked_project = projects.dumps(self.doc.project)
            for keys, _ in SHORTCUTS:  # every menu shortcut once, then the random walk
                self._click_node(self.rng.choice(self._node_ids()))
                self._key(QKeySequence(keys))
            self.switch_template()  # asks before it would stop the run
            return
        assert self.panel.running, "the run ended by itself: " + self.panel.message.text()
        assert projects.dumps(self.doc.project) == self._locked_project, "the project changed while it trained"
        self.stats.lock_checks += 1
        self.training = False
        QTest.mouseClick(self.panel.stop_button, LEFT)
        self._wait(lambda: not self.panel.running, "the run to stop")

    def _start_run(self) -> bool:
        """Nudge a block, set the epochs high and press Start; True once the run trains (its first batch)."""
        self._click_node(self.rng.choice(self._node_ids()))
        self._key(Qt.Key.Key_Right)  # a block out of line: Auto-layout would have work to do
        dock = self.window.dock_for("Training")
        dock.show()
        dock.raise_()
        self.panel.threads = 1  # the walk's own actions need the other core
        self.panel.epochs.setFocus()
        self.panel.epochs.selectAll()
        QTest.keyClicks(self.panel.epochs.lineEdit(), "1000")
        QTest.mouseClick(self.panel.start_button, LEFT)
        self._wait(lambda: not self.panel.running or self.panel.curves.steps, "the first batch")
        return self.panel.running and self.doc.locked

    @staticmethod
    def _wait(done, what: str) -> None:
        for _ in range(3000):
            if done():
                return
            QTest.qWait(10)
        raise AssertionError(f"waited 30 s for {what}")

    # helpers ---------------------------------------------------------------------------
    def _answer_boxes(self) -> None:
        """Unsaved changes? Discard (the walk never saves). Stop the training? No, keep it going. Any other box
        is recorded and closed."""
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            self.stats.boxes.append(box.text())
            button = box.button(QMessageBox.StandardButton.Discard) or box.button(QMessageBox.StandardButton.Cancel) \
                or box.button(QMessageBox.StandardButton.Ok) or box.buttons()[0]
            button.click()

    def _viewport(self):
        return self.canvas.viewport()

    def _node_ids(self) -> list[str]:
        return list(self.doc.graph.nodes)

    def _show(self, node_id: str) -> QPoint:
        """Scroll the block into view (as a user scrolls to it) and return its centre on the viewport."""
        self.canvas.center_on(node_id)
        return self.canvas.mapFromScene(self.canvas.node_item(node_id).sceneBoundingRect().center())

    def _click_node(self, node_id: str) -> None:
        QTest.mouseClick(self._viewport(), LEFT, Qt.KeyboardModifier.NoModifier, self._show(node_id))

    def _key(self, key) -> None:
        if not self.window.isActiveWindow():  # a closed message box leaves no active window offscreen;
            self.window.activateWindow()  # a user's click on the canvas would activate it again
            QApplication.processEvents()
        self.canvas.setFocus()
        if isinstance(key, (QKeySequence.StandardKey, QKeySequence)):
            QTest.keySequence(self.canvas, QKeySequence(key))
        else:
            QTest.keyClick(self.canvas, key)

    # actions ---------------------------------------------------------------------------
    def add_by_drag(self) -> None:
        """Drag a block from the palette onto the canvas (empty space, a block or a wire)."""
        palette = self.window.palette
        mime: QMimeData = palette.tree.mimeData([palette.entries[self.rng.choice(TYPES)]])
        viewport = self._viewport()
        pos = QPoint(self.rng.randrange(10, max(11, viewport.width() - 10)),
                     self.rng.randrange(10, max(11, viewport.height() - 10)))
        copy, none = Qt.DropAction.CopyAction, Qt.KeyboardModifier.NoModifier
        QApplication.sendEvent(viewport, QDragEnterEvent(pos, copy, mime, LEFT, none))
        QApplication.sendEvent(viewport, QDragMoveEvent(pos, copy, mime, LEFT, none))
        QApplication.sendEvent(viewport, QDropEvent(QPointF(pos), copy, mime, LEFT, none))

    def add_by_double_click(self) -> None:
        """Double-click a palette entry: it goes after the selected block (or at the model's end)."""
        tree = self.window.palette.tree
        entry = self.window.palette.entries[self.rng.choice(TYPES)]
        tree.scrollToItem(entry)
        pos = tree.visualItemRect(entry).center()
        QTest.mouseClick(tree.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, pos)
        QTest.mouseDClick(tree.viewport(), LEFT, Qt.KeyboardModifier.NoModifier, pos)

    def wire(self) -> None:
        """Drag from one block's output port to another block's input port."""
        ids = self._node_ids()
        targets = [n for n in ids if self.canvas.node_item(n).input_port is not None]  # the Input has none
        if len(ids) < 2 or not targets:
            return
        dst = self.rng.choice(targets)
        src = self.rng.choice([n for n in ids if n != dst])
        self.canvas.fit()
        start, end = self.canvas.port_point(src, True), self.canvas.port_point(dst, False)
        viewport = self._viewport()
        QTest.mousePress(viewport, LEFT, Qt.KeyboardModifier.NoModifier, start)
        QTest.mouseMove(viewport, (start + end) / 2)
        QTest.mouseMove(viewport, end)
        QTest.mouseRelease(viewport, LEFT, Qt.KeyboardModifier.NoModifier, end)

    def unwire(self) -> None:
        """Click a wire and press Delete."""
        edges = list(self.doc.graph.edges)
        if not edges:
            return
        src, dst = self.rng.choice(edges)
        wire = self.canvas.graph_scene.edges.get((src, dst))
        if wire is None:
            return
        self.canvas.centerOn(wire._path.pointAtPercent(0.5))
        pos = self.canvas.mapFromScene(wire._path.pointAtPercent(0.5))
        QTest.mouseClick(self._viewport(), LEFT, Qt.KeyboardModifier.NoModifier, pos)
        self._key(Qt.Key.Key_Delete)

    def delete(self) -> None:
        """Click a block and press Delete (the Input refuses, with a message)."""
        self._click_node(self.rng.choice(self._node_ids()))
        self._key(Qt.Key.Key_Delete)

    def undo(self) -> None:
        self._key(QKeySequence.StandardKey.Undo)

    def redo(self) -> None:
        self._key(QKeySequence.StandardKey.Redo)

    def select(self) -> None:
        """Click a block, or (now and then) empty canvas to select nothing."""
        if self.rng.random() < 0.2:
            self.canvas.fit()
            QTest.mouseClick(self._viewport(), LEFT, Qt.KeyboardModifier.NoModifier, QPoint(3, 3))
        else:
            self._click_node(self.rng.choice(self._node_ids()))

    def edit_param(self) -> None:
        """Select a block and type a number into one of its inspector's number fields."""
        self._click_node(self.rng.choice(self._node_ids()))
        editors = [w for w, _, _ in self.window.inspector.editors.values()]
        spins = [w for w in editors if isinstance(w, QSpinBox)] + [s for w in editors for s in w.findChildren(QSpinBox)]
        spins = [s for s in spins if s.isEnabled() and s.isVisible()]
        if not spins:
            return
        spin = self.rng.choice(spins)
        spin.setFocus()
        spin.selectAll()
        QTest.keyClicks(spin.lineEdit(), str(self.rng.choice([0, 1, 2, 3, 5, 6, 8, 16, 28, 120])))

    def apply_fix(self) -> None:
        """Click a block with a suggested repair, then the inspector's Fix button."""
        fixable = [p.node_id for p in self.doc.shapes.problems if p.fix is not None and p.node_id in self.doc.graph.nodes]
        if not fixable:
            return
        self._click_node(self.rng.choice(fixable))
        button = self.window.inspector.fix_button
        if button is not None and button.isVisible():
            QTest.mouseClick(button, LEFT)

    def switch_template(self, among: tuple[str, ...] = ()) -> None:
        """File ▸ New from Template ▸ (one of them, or of ``among``); unsaved changes are discarded.

        While a run trains, the window asks first and the walk keeps the run: nothing changes.
        """
        file_menu = self.window.menu("File")
        submenu = next(a.menu() for a in file_menu.actions() if a.menu() is not None
                       and a.text().replace("&", "").startswith("New from"))
        action = self.rng.choice([a for a in submenu.actions() if not a.isSeparator()
                                  and (not among or a.data() in among)])
        before, asked = projects.dumps(self.doc.project), len(self.stats.boxes)
        action.trigger()
        QApplication.processEvents()
        if self.training:
            assert self.panel.running, "the run stopped: " + self.panel.message.text()
            assert projects.dumps(self.doc.project) == before, "another template opened while training"
            assert "Stop it?" in self.stats.boxes[asked], self.stats.boxes[asked:]
            return
        chosen = templates.get(action.data())
        self.template = (chosen.id, projects.dumps(self.doc.project), chosen.path.read_text(encoding="utf-8"))

    def open_panel(self) -> None:
        """Click the tab of the Look inside, Try it or Training panel."""
        title = self.rng.choice(["Look inside", "Try it", "Training"])
        for bar in self.window.findChildren(QTabBar):
            if bar.parent() is not self.window:
                continue
            for i in range(bar.count()):
                if bar.tabText(i) == title:
                    QTest.mouseClick(bar, LEFT, Qt.KeyboardModifier.NoModifier, bar.tabRect(i).center())
                    return
        self.window.dock_for(title).show()

    def draw(self) -> None:
        """A stroke on the Try it pad (the Look inside panel then shows each layer's output)."""
        from designer.ui.panels.tryit.drawpad import TryPanel

        pad = self.window.findChild(TryPanel).pad
        if not pad.isVisible():
            return
        w, h = max(pad.width(), 20), max(pad.height(), 20)
        points = [QPoint(self.rng.randrange(5, w - 5), self.rng.randrange(5, h - 5)) for _ in range(3)]
        QTest.mousePress(pad, LEFT, Qt.KeyboardModifier.NoModifier, points[0])
        for point in points[1:]:
            QTest.mouseMove(pad, point)
        QTest.mouseRelease(pad, LEFT, Qt.KeyboardModifier.NoModifier, points[-1])

    def shortcut(self) -> None:
        """Press one of the Edit and Model menus' shortcuts on the canvas (Auto-layout, Duplicate, Cut, Paste…)."""
        keys, _ = self.rng.choice(SHORTCUTS)
        if self.rng.random() < 0.5:
            self._click_node(self.rng.choice(self._node_ids()))
        self._key(QKeySequence(keys))

    def check_undo_all(self) -> None:
        """Undo every edit since the last template switch: the project is the template again, byte for byte."""
        stack = self.doc.undo_stack
        if self.training:  # Undo is greyed out: pressing it changes nothing
            index = stack.index()
            self._key(QKeySequence.StandardKey.Undo)
            assert stack.index() == index, "undo went through while the model trained"
            return
        for _ in range(stack.index()):
            self._key(QKeySequence.StandardKey.Undo)
        name, opened, file_text = self.template
        assert stack.index() == 0, f"{name}: {stack.index()} edits left after undoing them all"
        now = projects.dumps(self.doc.project)
        # Undo is for the model: the training settings (the walk sets epochs in the panel) are not undone.
        assert _without(now, "training") == _without(opened, "training"), \
            f"{name}: undoing every edit did not give back the template"
        # What was opened is the template file itself, laid out to fit the window (positions only differ).
        assert _without_positions(now) == _without_positions(file_text), name
        self.stats.undo_checks += 1
        while stack.canRedo() and self.rng.random() < 0.7:  # and redo some of it, to carry on from there
            self._key(QKeySequence.StandardKey.Redo)


def _without(text: str, key: str) -> str:
    data = json.loads(text)
    data.pop(key, None)
    return json.dumps(data, sort_keys=True)


def _without_positions(text: str) -> str:
    data = projects.to_dict(projects.loads(text))
    data.pop("training", None)
    for node in data["nodes"]:
        node.pop("pos")
    return json.dumps(data, sort_keys=True)
