"""The open project as the UI sees it: graph, shapes, selection, undo, weights.

Every edit method runs graph-model calls through a ``Recorder`` and pushes ONE
``GraphCommand`` (seam 2); the canvas and panels follow the graph's events and
this object's signals. Edit methods raise ``GraphError`` when the model refuses
an edit (or ``EditLocked`` while training runs); nothing is pushed then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from designer.core import class_fit, datasets
from designer.core.graph import Event, Graph, GraphError
from designer.core.layout import STEP_X, chain_layout, lay_out_unplaced  # noqa: F401 - STEP_X, chain_layout: imported from here
from designer.core.project import Project
from designer.core.receptive import fields_inside, receptive_fields
from designer.core.shapes import Inference, ModelShapes
from designer.core.signature import model_key
from designer.ui.document_edits import INPUT_STAYS, DocumentEdits  # noqa: F401 - INPUT_STAYS: imported from here
from designer.ui.canvas import levels
from designer.ui.canvas.block_commands import (BlockCommand, graph_state, library_args, restore_args,
                                               restore_graph)
from designer.ui import graph_edits
from designer.ui.canvas.commands import GraphCommand, Recorder, _order

SHELVED = 4  # how many sets of cleared weights an undo can bring back




class EditLocked(GraphError):
    """An edit refused because the model is being trained."""


class Document(DocumentEdits, QObject):
    """One open project and its edit history."""

    changed = Signal()  # after any edit, shapes already recomputed
    shapes_changed = Signal(object)  # ModelShapes
    selection_changed = Signal(object)  # node id or None
    weights_changed = Signal()
    locked_changed = Signal(bool)
    path_changed = Signal(object)
    project_replaced = Signal()  # a new project was opened: rebuild everything
    modified_changed = Signal(bool)
    training_changed = Signal()  # project.training was edited (not by opening a project)
    level_changed = Signal()  # the canvas entered or left a block's definition

    def __init__(self, project: Project | None = None, path: Path | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._clean_changed)
        self.project = project or Project()
        self.path = Path(path) if path else None
        self.selected: str | None = None
        self.weights: dict | None = None
        self.weights_note = ""  # why the weights changed, while weights_changed is being emitted
        self.weights_pending = False  # the project's weights file is being read and checked
        self._shelf: dict[tuple, tuple] = {}  # weights cleared by edits, by the model they fit: undo brings them back
        self.weights_record = None  # what the weights were trained for (designer.ml.record.Record), where known
        self.expected_classes: list[str] | None = None  # the data set's classes, where known (an image folder's)
        self.locked = False
        self.lock_reason = ""
        self.level: list[str] = []  # the block instances entered, outermost first (canvas.levels)
        self._forced_dirty = False
        self._signature = None
        self._fields = None  # (shapes it was computed from, fields)
        self._inner_fields = None  # (shapes, level, fields) inside the block entered
        self._inference = Inference(self.project.graph)
        self.project.graph.subscribe(self._on_graph_event)
        self.shapes: ModelShapes = self._inference.run()

    # state ------------------------------------------------------------------
    @property
    def graph(self) -> Graph:
        return self.project.graph

    @property
    def edit_graph(self) -> Graph:
        """The graph the canvas shows and edits: the model's, or an entered block's definition."""
        return levels.walk(self.graph, self.shapes, self.level)[0] if self.level else self.graph

    @property
    def edit_shapes(self) -> ModelShapes:
        """The shapes of ``edit_graph``: inside a block, those of the instance entered through."""
        return levels.walk(self.graph, self.shapes, self.level)[1] if self.level else self.shapes

    def level_titles(self) -> list[str]:
        """The names of the blocks entered, outermost first."""
        return levels.walk(self.graph, self.shapes, self.level)[2]

    def enter(self, node_id: str) -> bool:
        """Show the definition of the block instance ``node_id`` (of ``edit_graph``)."""
        if node_id not in self.edit_graph.nodes or not self.edit_graph.is_block(node_id):
            return False
        self.level.append(node_id)
        self._level_moved()
        return True

    def leave(self, depth: int = -1) -> None:
        """Go back out to ``depth`` blocks deep (0: the model; -1: one level out)."""
        if not self.level:
            return
        del self.level[depth if depth >= 0 else len(self.level) - 1:]
        self._level_moved()

    def _level_moved(self) -> None:
        self.selected = None
        self.level_changed.emit()
        self.selection_changed.emit(None)

    @property
    def modified(self) -> bool:
        return self._forced_dirty or not self.undo_stack.isClean()

    def set_project(self, project: Project, path: Path | None = None, modified: bool = False) -> None:
        """Replace the open project (New, Open, restore); the history starts afresh."""
        self._inference.close()
        self.expected_classes = None  # the new project's data set says its own
        self.graph.unsubscribe(self._on_graph_event)
        self.undo_stack.clear()
        self.project = project
        lay_out_unplaced(project)
        self._inference = Inference(project.graph)
        project.graph.subscribe(self._on_graph_event)
        self.shapes = class_fit.checked(self.graph, self._inference.run(), self.expected_classes)
        self.selected = None
        self.level = []
        self._signature = None
        self.weights_pending = False
        self._shelf.clear()
        self.set_weights(None)
        self.set_path(path)
        self._forced_dirty = modified
        self.project_replaced.emit()
        self.selection_changed.emit(None)
        self.shapes_changed.emit(self.shapes)
        self.changed.emit()
        self.modified_changed.emit(self.modified)

    @property
    def folder(self) -> Path | None:
        """The project file's folder, from which a relative image folder counts; None before the first Save."""
        return datasets.project_folder(self.path)

    def set_path(self, path: Path | None) -> None:
        self.path = Path(path) if path else None
        self.path_changed.emit(self.path)

    def mark_saved(self) -> None:
        self._forced_dirty = False
        self.undo_stack.setClean()
        self.modified_changed.emit(False)

    def mark_modified(self) -> None:
        """A change outside the undo history (trained weights, training settings): Save is due."""
        self._forced_dirty = True
        self.modified_changed.emit(True)

    def set_training(self, settings: dict) -> None:
        """Store training settings in the project (the one copy Save, export and the CLI read).

        Keys of ``settings`` replace the project's; keys this version does not
        know stay. An edit that changes nothing marks nothing.
        """
        training = {**(self.project.training or {}), **settings}
        if training == self.project.training:
            return
        self.project.training = training
        self.mark_modified()
        self.training_changed.emit()

    def selection(self) -> levels.Selected | None:
        """The selected node seen through the blocks entered: its path from the model, nested name and shapes."""
        return levels.selected(self.graph, self.shapes, self.level, self.selected)

    def select(self, node_id: str | None) -> None:
        if node_id is not None and node_id not in self.edit_graph.nodes:
            node_id = None
        if node_id != self.selected:
            self.selected = node_id
            self.selection_changed.emit(node_id)

    def set_expected_classes(self, classes: list[str] | None) -> None:
        """The classes the model will be trained on: a model without one score per class gets a fixable warning."""
        classes = list(classes) if classes else None
        if classes != self.expected_classes:
            self.expected_classes = classes
            self._edited()

    def set_weights(self, state_dict: dict | None, record=None) -> None:
        """``record`` (designer.ml.record.Record) says what the weights were trained for, where known."""
        self.weights = state_dict
        self.weights_record = record if state_dict is not None else None
        self._signature = self._model_signature() if state_dict is not None else None
        self.weights_changed.emit()

    def snapshot(self) -> Project:
        """A copy of the project for a worker thread: the UI thread goes on editing the original."""
        from designer.core import project as projects

        return projects.from_dict(projects.to_dict(self.project))

    def model_signature(self) -> str:
        """What trained weights depend on; equal before and after an edit that leaves the model as it was."""
        return self._model_signature()

    def set_locked(self, locked: bool, reason: str = "") -> None:
        self.lock_reason = reason if locked else ""
        if locked != self.locked:
            self.locked = locked
            self.locked_changed.emit(locked)

    def display_names(self) -> dict[str, str]:
        return self.graph.generated_names()

    def receptive_fields(self) -> dict:
        """Each model node's receptive field (core.receptive.Field or None), computed once per edit."""
        if self._fields is None or self._fields[0] is not self.shapes:
            self._fields = (self.shapes, receptive_fields(self.graph, self.shapes))
        return self._fields[1]

    def edit_fields(self) -> dict:
        """The receptive fields of ``edit_graph``'s nodes: inside a block, those of the instance entered through."""
        if not self.level:
            return self.receptive_fields()
        cached = self._inner_fields
        if cached is None or cached[0] is not self.shapes or cached[1] != tuple(self.level):
            self._inner_fields = (self.shapes, tuple(self.level), fields_inside(self.graph, self.shapes, self.level))
        return self._inner_fields[2]

    # connect/disconnect stay here: a mixin's methods named like QObject's are shadowed by QObject's own
    def connect(self, src: str, dst: str, port: int | None = None) -> None:
        """Wire src's output to dst's input (a merge's ``port``, or its first free one).

        An input holds one wire, so an old wire there is replaced; an output feeds any number of wires.
        """
        self._edit(self.tr("Connect"), lambda rec: graph_edits.connect(rec, src, dst, port))

    def disconnect(self, src: str, dst: str) -> None:
        self._edit(self.tr("Disconnect"), lambda rec: rec.disconnect(src, dst))


    # plumbing ---------------------------------------------------------------
    def _clean_changed(self, clean: bool) -> None:
        try:
            self.modified_changed.emit(self._forced_dirty or not clean)
        except RuntimeError:  # emitted while Qt tears the stack down
            pass

    def _on_graph_event(self, event: Event) -> None:
        # The model's own graph: inside a block the selection is a definition's node, which may share the id.
        if event.kind == "node_removed" and not self.level and event.node_id == self.selected:
            self.selected = None
            self.selection_changed.emit(None)

    def _edited(self) -> None:
        """Recompute shapes and tell everyone; called after every do, undo and redo."""
        self.shapes = class_fit.checked(self.graph, self._inference.run(), self.expected_classes)
        if self.level and levels.depth_that_exists(self.graph, self.level) < len(self.level):
            del self.level[levels.depth_that_exists(self.graph, self.level):]  # undo removed what was entered
            self._level_moved()
        elif self.selected is not None and self.selected not in self.edit_graph.nodes:
            self.select(None)
        signature = self._model_signature()
        if self.weights is not None and signature != self._signature:
            self._shelf[self._signature] = (self.weights, self.weights_record)
            while len(self._shelf) > SHELVED:
                del self._shelf[next(iter(self._shelf))]
            self._say_weights(self.tr("Trained weights cleared: the model changed (train again, or undo the change)."),
                              None)  # trained weights no longer fit the model
        if self.weights is None and signature in self._shelf:
            self._say_weights(self.tr("Trained weights restored: the model is again the one they were trained for."),
                              *self._shelf.pop(signature))
        self.shapes_changed.emit(self.shapes)
        self.changed.emit()

    def _say_weights(self, note: str, state_dict: dict | None, record=None) -> None:
        self.weights_note = note
        try:
            self.set_weights(state_dict, record)
        finally:
            self.weights_note = ""

    def _model_signature(self) -> str:
        """What the weights depend on: layers, parameters, names (state_dict keys), wiring and blocks."""
        return model_key(self.graph, self.shapes.path)

    def _check_unlocked(self) -> None:
        if self.locked:
            raise EditLocked(self.tr("The model cannot be edited now: {reason}.").format(
                reason=self.lock_reason or self.tr("training is running")))

    def block_edit(self, text: str, forward: Callable[[Graph], Any]) -> Any:
        """Run ``forward(graph)`` (Make Block, Unpack, Make unique) as one undo step; its errors pass through."""
        self._check_unlocked()
        graph = self.edit_graph
        before, names, args = graph_state(graph), list(graph.blocks), library_args(graph)
        try:
            result = forward(graph)
        except Exception:
            restore_graph(graph, before)
            for name in [n for n in graph.blocks if n not in names]:
                graph.blocks.remove(name)
            restore_args(graph, args)
            self._edited()
            raise
        added = [n for n in graph.blocks if n not in names]
        self.undo_stack.push(BlockCommand(self, text, graph, forward, before, graph_state(graph), added, args))
        self._edited()
        return result

    def _edit(self, text: str, action: Callable[[Recorder], Any], merge: tuple | None = None,
              graph: Graph | None = None) -> Any:
        self._check_unlocked()
        graph = graph if graph is not None else self.edit_graph
        recorder = Recorder(graph)
        before = _order(graph)
        try:
            result = action(recorder)
        except (GraphError, KeyError, TypeError, ValueError) as exc:
            recorder.rollback()
            graph.reorder(*before)
            self._edited()
            raise exc if isinstance(exc, GraphError) else GraphError(str(exc)) from exc
        if recorder.calls:
            self.undo_stack.push(GraphCommand(self, text, recorder.calls, before, _order(graph), merge, graph))
            self._edited()
        return result

