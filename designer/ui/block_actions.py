"""Model ▸ Make Block, Unpack Block and Make Unique: the window's side of block edits.

Each is one undo step (``Document.block_edit``); a refusal from the model
(``BlockError``: two inputs, a path that leaves the selection and comes back)
is said in the status bar, and the actions are greyed out where they cannot
work: without a selection, on a layer that is no block, while training holds
the model.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QLineEdit

from designer.core import block_edits
from designer.core.blocks import BlockError, valid_name
from designer.core.graph import GraphError

_NAMES = (("Add", "ResidualBlock"), ("Concat", "ConcatBlock"), ("Conv2d", "ConvBlock"), ("Linear", "LinearBlock"))


def default_name(graph, node_ids) -> str:
    """A free block name that says what the selection is: ResidualBlock, ConvBlock, Block..."""
    types = {graph.nodes[n].type for n in node_ids if n in graph.nodes}
    base = next((name for kind, name in _NAMES if kind in types), "Block")
    name, n = base, 2
    while name in graph.blocks or not valid_name(name):
        name, n = f"{base}{n}", n + 1
    return name


class BlockActions(QObject):
    """The three actions, added to the window's Model menu."""

    def __init__(self, window, menus):
        super().__init__(window)
        self.window = window
        model = menus.menu("Model")
        self.make = self._add(model, self.tr("Make &Block…"), self.make_block, "Ctrl+G", "action_make_block")
        self.unpack = self._add(model, self.tr("&Unpack Block"), self.unpack_block, "Ctrl+Shift+G",
                                "action_unpack_block")
        self.unique = self._add(model, self.tr("Make Block U&nique"), self.make_unique, None, "action_make_unique")
        window.canvas.graph_scene.selectionChanged.connect(self.update)
        window.document.locked_changed.connect(self.update)
        window.document.changed.connect(self.update)
        self.update()

    def _add(self, menu, text, slot, shortcut, name) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setObjectName(name)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _selected(self) -> list[str]:
        return self.window.canvas.graph_scene.selected_ids()

    def _instance(self) -> str | None:
        ids = self._selected()
        graph = self.window.document.edit_graph
        return ids[0] if len(ids) == 1 and graph.is_block(ids[0]) else None

    def update(self, *_) -> None:
        try:
            free = not self.window.document.locked
            graph = self.window.document.edit_graph
            layers = [n for n in self._selected() if n in graph.nodes and graph.nodes[n].type != "Input"]
            instance = self._instance()
            self.make.setEnabled(free and bool(layers))
            self.unpack.setEnabled(free and instance is not None)
            self.unique.setEnabled(free and instance is not None
                                   and graph.blocks.count(graph.nodes[instance].type) > 1)
        except RuntimeError:  # the scene emptied while Qt tears the window down
            pass

    def _say(self, text: str) -> None:
        self.window.statusBar().showMessage(text, 8000)

    def make_block(self) -> None:
        """Ask a name (a free one offered), then put one instance of the new block in the selection's place."""
        ids = self._selected()
        document = self.window.document
        dialog = QInputDialog(self.window)
        dialog.setObjectName("make_block_dialog")
        dialog.setWindowTitle(self.tr("Make Block"))
        dialog.setLabelText(self.tr("Name of the new block (it becomes a class in the exported code):"))
        dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
        dialog.setTextValue(default_name(document.edit_graph, ids))
        if not dialog.exec():
            return
        name = dialog.textValue().strip()
        try:
            _, instance = document.block_edit(self.tr("Make Block"),
                                              lambda graph: block_edits.make_block(graph, ids, name))
        except (BlockError, GraphError) as exc:
            self._say(self.tr("Cannot make a block: {reason}").format(reason=exc))
            return
        document.select(instance)
        self.window.canvas.graph_scene.select_only([instance])
        self._say(self.tr("Block {name} made: double-click it to see inside.").format(name=name))

    def unpack_block(self) -> None:
        """Put the selected instance's layers back in its place."""
        instance = self._instance()
        if instance is None:
            self._say(self.tr("Select one block to unpack."))
            return
        try:
            new_ids = self.window.document.block_edit(self.tr("Unpack Block"),
                                                      lambda graph: block_edits.unpack(graph, instance))
        except (BlockError, GraphError) as exc:
            self._say(self.tr("Cannot unpack: {reason}").format(reason=exc))
            return
        self.window.canvas.graph_scene.select_only(list(new_ids.values()))

    def make_unique(self) -> None:
        """Give the selected instance its own copy of the definition, to change it alone."""
        instance = self._instance()
        if instance is None:
            return
        try:
            block = self.window.document.block_edit(
                self.tr("Make Block Unique"), lambda graph: graph.blocks.make_unique(graph, instance))
        except (BlockError, GraphError) as exc:
            self._say(self.tr("Cannot make it unique: {reason}").format(reason=exc))
            return
        self._say(self.tr("This block now has its own definition, {name}.").format(name=block.name))
