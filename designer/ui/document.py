"""The open project as the UI sees it: graph, shapes, selection, undo, weights.

Every edit method runs graph-model calls through a ``Recorder`` and pushes ONE
``GraphCommand`` (seam 2); the canvas and panels follow the graph's events and
this object's signals. Edit methods raise ``GraphError`` when the model refuses
an edit (or ``EditLocked`` while training runs); nothing is pushed then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Signal
from PySide6.QtGui import QUndoStack

from designer.core import class_fit, datasets
from designer.core.graph import Event, Graph, GraphError
from designer.core.layout import STEP_X, STEP_Y, chain_layout, lay_out_unplaced  # noqa: F401 - chain_layout: imported from here
from designer.core.project import Project
from designer.core.rules import Fix
from designer.core.receptive import receptive_fields
from designer.core.shapes import Inference, ModelShapes
from designer.core.signature import model_key
from designer.ui import graph_edits
from designer.ui.canvas import levels
from designer.ui.canvas.block_commands import (BlockCommand, graph_state, library_args, restore_args,
                                               restore_graph)
from designer.ui.canvas.commands import MERGE_PARAM, MERGE_RENAME, GraphCommand, Recorder, _order

SHELVED = 4  # how many sets of cleared weights an undo can bring back


INPUT_STAYS = QT_TRANSLATE_NOOP("Document", "The Input block cannot be deleted: every model starts from it (change "
                                            "its shape in the inspector).")  # shown through translate()


class EditLocked(GraphError):
    """An edit refused because the model is being trained."""


def default_params(type_name: str, in_shape: tuple | None) -> dict:
    """Sensible parameters for a new block, fitted to the shape it will receive."""
    channels = in_shape[0] if in_shape and len(in_shape) == 3 else None
    flat = 1
    for d in in_shape or ():
        flat *= d
    if type_name == "Input":
        return {"shape": [1, 28, 28]}
    if type_name in ("Conv2d", "ConvTranspose2d"):
        return {"in_channels": channels or 1, "out_channels": 8, "kernel_size": 3}
    if type_name in ("MaxPool2d", "AvgPool2d"):
        return {"kernel_size": 2}
    if type_name == "AdaptiveAvgPool2d":
        return {"output_size": 1}
    if type_name == "Linear":
        return {"in_features": in_shape[-1] if in_shape else 10, "out_features": 10} if in_shape and len(in_shape) == 1 \
            else {"in_features": flat if in_shape else 10, "out_features": 10}
    if type_name in ("BatchNorm2d",):
        return {"num_features": channels or 1}
    if type_name == "BatchNorm1d":
        return {"num_features": in_shape[0] if in_shape else 10}
    if type_name in ("Softmax", "LogSoftmax"):
        return {"dim": 1}
    return {}


class Document(QObject):
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

    # plumbing ---------------------------------------------------------------
    def _clean_changed(self, clean: bool) -> None:
        try:
            self.modified_changed.emit(self._forced_dirty or not clean)
        except RuntimeError:  # emitted while Qt tears the stack down
            pass

    def _on_graph_event(self, event: Event) -> None:
        if event.kind == "node_removed" and event.node_id == self.selected:
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

    # edits ------------------------------------------------------------------
    def add_node(self, type_name: str, params: dict | None = None, pos: tuple[float, float] | None = None,
                 after: str | None = None) -> str:
        """Add a block; with ``after``, wire it in right after that node (shifting the rest right)."""
        if self.edit_graph.spec(type_name) is None:
            raise GraphError(f"unknown layer type {type_name!r}")

        def action(rec: Recorder) -> str:
            graph = self.edit_graph
            in_shape = None
            if after is not None:
                result = self.edit_shapes.nodes.get(after)
                in_shape = result.out_shape if result else None
            node_pos = pos
            if node_pos is None:
                if after is not None:
                    ax, ay = graph.node(after).pos
                    node_pos = (ax + STEP_X, ay)
                else:
                    node_pos = self._free_spot()
            chosen = default_params(type_name, in_shape) if params is None else params
            node_id = rec.add_node(type_name, chosen, None, node_pos)
            if after is not None:
                nexts = graph.successors(after)
                for nxt in nexts:
                    rec.disconnect(after, nxt)
                rec.connect(after, node_id)
                if len(nexts) == 1:
                    rec.connect(node_id, nexts[0])
                    if pos is None:
                        self._shift_right(rec, nexts[0], node_pos)
            return node_id

        return self._edit(self.tr("Add {type}").format(type=type_name), action)

    def _free_spot(self) -> tuple[float, float]:
        if not self.edit_graph.nodes:
            return (0.0, 0.0)
        xs = [n.pos[0] for n in self.edit_graph.nodes.values()]
        ys = [n.pos[1] for n in self.edit_graph.nodes.values()]
        return (min(xs), max(ys) + STEP_Y)

    def _shift_right(self, rec: Recorder, start: str, occupied: tuple[float, float]) -> None:
        """Make room after an insertion: push the rest of that row one step right if it overlaps."""
        graph, current, seen = self.edit_graph, start, set()
        ox, oy = occupied
        x, y = graph.node(start).pos
        if abs(y - oy) >= STEP_Y / 2 or not ox - STEP_X < x < ox + STEP_X:
            return  # nothing in the way (e.g. the chain continues on the next row)
        while current is not None and current not in seen:
            seen.add(current)
            x, y = graph.node(current).pos
            if abs(y - oy) >= STEP_Y / 2:
                break
            rec.move(current, (x + STEP_X, y))
            nexts = graph.successors(current)
            current = nexts[0] if len(nexts) == 1 else None

    def remove_nodes(self, node_ids: list[str]) -> None:
        """Delete blocks; a deleted block's single input is joined to every block it fed (one undo step)."""
        ids = [n for n in dict.fromkeys(node_ids) if n in self.edit_graph.nodes]
        if not ids:
            return
        if any(self.edit_graph.nodes[n].type == "Input" for n in ids):
            # a project without an Input cannot be saved and reopened
            raise GraphError(QCoreApplication.translate("Document", INPUT_STAYS))

        def action(rec: Recorder) -> None:
            graph = self.edit_graph
            for node_id in ids:
                preds = graph.predecessors(node_id)
                succs = [(s, dict(graph.edge_extra.get((node_id, s), {}))) for s in graph.successors(node_id)]
                rec.remove_node(node_id)
                graph_edits.rejoin(rec, preds, succs)

        self._edit(self.tr("Delete") if len(ids) > 1 else self.tr("Delete {type}").format(
            type=self.edit_graph.node(ids[0]).type), action)

    def connect(self, src: str, dst: str, port: int | None = None) -> None:
        """Wire src's output to dst's input (a merge's ``port``, or its first free one).

        An input holds one wire, so an old wire there is replaced; an output feeds any number of wires.
        """
        self._edit(self.tr("Connect"), lambda rec: graph_edits.connect(rec, src, dst, port))

    def add_skip_connection(self, node_ids: list[str]) -> str:
        """Wrap a selected run of blocks in a residual (x + run(x)), with a 1×1 projection when shapes differ."""
        run = graph_edits.run_of(self.edit_graph, node_ids)
        return self._edit(self.tr("Add Skip Connection"), lambda rec: graph_edits.skip_connection(rec, run, self.edit_shapes))

    def disconnect(self, src: str, dst: str) -> None:
        self._edit(self.tr("Disconnect"), lambda rec: rec.disconnect(src, dst))

    def set_param(self, node_id: str, key: str, value: Any) -> None:
        """Set one parameter; consecutive edits of the same field merge into one undo step."""
        node = self.edit_graph.node(node_id)
        if node.params.get(key, object()) == value and type(node.params.get(key)) is type(value):
            return
        self._edit(self.tr("Set {param}").format(param=key), lambda rec: rec.set_param(node_id, key, value),
                   (MERGE_PARAM, node_id, key))

    def set_params(self, node_id: str, values: dict[str, Any]) -> None:
        """Set several parameters of one node as one undo step (the explainer's Apply)."""
        node = self.edit_graph.node(node_id)
        changed = {k: v for k, v in values.items() if node.params.get(k, object()) != v}
        if changed:
            self._edit(self.tr("Set {param}").format(param=", ".join(changed)),
                       lambda rec: [rec.set_param(node_id, k, v) for k, v in changed.items()])

    def rename(self, node_id: str, name: str | None) -> None:
        if (self.edit_graph.node(node_id).name or None) == (name or None):
            return
        self._edit(self.tr("Rename"), lambda rec: rec.rename(node_id, name), (MERGE_RENAME, node_id))

    def move(self, node_ids: list[str], positions: list[tuple[float, float]]) -> None:
        moves = [(n, p) for n, p in zip(node_ids, positions) if tuple(self.edit_graph.node(n).pos) != tuple(map(float, p))]
        if moves:
            self._edit(self.tr("Move"), lambda rec: [rec.move(n, p) for n, p in moves])

    def apply_fix(self, node_id: str, fix: Fix) -> None:
        """Carry out a suggested repair (set a parameter, or insert a layer before the node)."""

        def action(rec: Recorder) -> None:
            if fix.action == "set_param":
                rec.set_param(fix.node_id or node_id, fix.param, fix.value)
            elif fix.action == "insert_on_edge":
                self._insert(rec, fix.layer_type, dict(fix.layer_params), tuple(fix.edge), None)
            elif fix.action == "insert_before":
                preds = rec.graph.predecessors(fix.node_id or node_id)
                if len(preds) != 1:
                    raise GraphError(self.tr("this block has no single input to insert before"))
                self._insert(rec, fix.layer_type, dict(fix.layer_params), (preds[0], fix.node_id or node_id), None)
            else:
                raise GraphError(f"unknown fix {fix.action!r}")

        # A fix inside a block's definition (an instance's inner error) edits that definition.
        graph = self.edit_graph.blocks[fix.block].graph if fix.block in self.edit_graph.blocks else None
        self._edit(self.tr("Fix: {label}").format(label=fix.label), action, graph=graph)

    def insert_on_edge(self, type_name: str, edge: tuple[str, str], pos: tuple[float, float] | None = None,
                       params: dict | None = None) -> str:
        """Put a new block on a wire: src → new → dst."""
        return self._edit(self.tr("Insert {type}").format(type=type_name),
                          lambda rec: self._insert(rec, type_name, params, tuple(edge), pos))

    def move_onto_edge(self, node_id: str, edge: tuple[str, str]) -> None:
        """Put an existing, unwired block on a wire (src → block → dst), placed as a palette drop would be.

        A block still holding the defaults it got without an input shape is fitted to the shape it now
        receives (a fresh BatchNorm2d gets the channel count), as a block dropped from the palette is.
        """
        graph = self.edit_graph
        node = graph.node(node_id)
        if node.type == "Input":
            raise GraphError(self.tr("the Input cannot be put on a wire: nothing can feed it"))
        if graph.predecessors(node_id) or graph.successors(node_id):
            raise GraphError(self.tr("{node} is already wired; only an unwired block can be dropped on a wire").format(
                node=node_id))

        def action(rec: Recorder) -> None:
            self._insert(rec, node.type, None, tuple(edge), None, node_id)

        self._edit(self.tr("Insert {type}").format(type=node.type), action)

    def _insert(self, rec: Recorder, type_name: str, params: dict | None, edge: tuple[str, str],
                pos: tuple[float, float] | None, existing: str | None = None) -> str:
        src, dst = edge
        if edge not in rec.graph.edges:
            raise GraphError(self.tr("{src} is not connected to {dst}").format(src=src, dst=dst))
        result = self.edit_shapes.nodes.get(src)
        in_shape = result.out_shape if result else None
        if params is None:
            params = default_params(type_name, in_shape)
        sx, sy = rec.graph.node(src).pos
        node_pos = pos if pos is not None else (sx + STEP_X, sy)
        kept = dict(rec.graph.edge_extra.get(edge, {}))  # a merge's port stays with the wire into it
        rec.disconnect(src, dst)
        if existing is None:
            node_id = rec.add_node(type_name, params, None, node_pos)
        else:
            node_id = existing
            rec.move(node_id, node_pos)
            if rec.graph.node(node_id).params == default_params(type_name, None):  # untouched since added
                for key, value in params.items():
                    if rec.graph.node(node_id).params.get(key) != value:
                        rec.set_param(node_id, key, value)
        rec.connect(src, node_id)
        rec.connect(node_id, dst, kept or None)
        if pos is None:
            self._shift_right(rec, dst, node_pos)
        return node_id

    def copy_data(self, node_ids: list[str]) -> dict:
        """The selected blocks and the wires among them, as JSON-ready data for the clipboard."""
        chosen = [n for n in self.edit_graph.nodes if n in set(node_ids)]
        nodes = [{"id": n, "type": self.edit_graph.nodes[n].type, "params": self.edit_graph.nodes[n].params,
                  "name": self.edit_graph.nodes[n].name, "pos": list(self.edit_graph.nodes[n].pos)} for n in chosen]
        edges = [[s, d] for s, d in self.edit_graph.edges if s in chosen and d in chosen]
        return {"nodes": nodes, "edges": edges}

    def paste(self, data: dict, offset: tuple[float, float] = (40.0, 40.0)) -> list[str]:
        """Add copies of clipboard blocks (new ids, names cleared if taken); returns the new ids."""

        def action(rec: Recorder) -> list[str]:
            graph, mapping = self.edit_graph, {}
            taken = {n.name for n in graph.nodes.values() if n.name}
            for raw in data.get("nodes", []):
                if raw["type"] == "Input" and graph.input_node() is not None:
                    continue
                name = raw.get("name")
                pos = raw.get("pos", (0, 0))
                mapping[raw["id"]] = rec.add_node(raw["type"], raw.get("params") or {},
                                                  None if name in taken else name,
                                                  (pos[0] + offset[0], pos[1] + offset[1]))
            for src, dst in data.get("edges", []):
                if src in mapping and dst in mapping:
                    rec.connect(mapping[src], mapping[dst])
            return list(mapping.values())

        return self._edit(self.tr("Paste"), action)

    def auto_layout(self, per_row: int | None = None) -> None:
        """Model path left to right (wrapped after ``per_row`` blocks); the other blocks in rows below."""
        positions = chain_layout(self.edit_graph, per_row)
        moves = [(n, p) for n, p in positions.items() if self.edit_graph.nodes[n].pos != p]
        if moves:
            self._edit(self.tr("Auto-layout"), lambda rec: [rec.move(n, p) for n, p in moves])
