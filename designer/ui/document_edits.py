"""The document's edits: each user gesture on the graph being edited, recorded as one undo step (seam 2).

``DocumentEdits`` is mixed into ``designer.ui.document.Document``: it uses the
document's ``edit_graph``, ``edit_shapes``, ``selected`` and ``_edit``, which
locks, records and pushes the command. Messages keep the ``Document`` context.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from designer.core.graph import GraphError
from designer.core.layout import STEP_X, STEP_Y, chain_layout
from designer.core.rules import Fix
from designer.ui import graph_edits
from designer.ui.canvas.commands import MERGE_PARAM, MERGE_RENAME, Recorder

translate = QCoreApplication.translate
INPUT_STAYS = QT_TRANSLATE_NOOP("Document", "The Input block cannot be deleted: every model starts from it (change "
                                            "its shape in the inspector).")  # shown through translate()


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



class DocumentEdits:
    """Every edit of the graph being edited (the model, or a block's definition when one is entered)."""

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

        return self._edit(translate("Document", "Add {type}").format(type=type_name), action)

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

        self._edit(translate("Document", "Delete") if len(ids) > 1 else translate("Document", "Delete {type}").format(
            type=self.edit_graph.node(ids[0]).type), action)

    def add_skip_connection(self, node_ids: list[str]) -> str:
        """Wrap a selected run of blocks in a residual (x + run(x)), with a 1×1 projection when shapes differ."""
        run = graph_edits.run_of(self.edit_graph, node_ids)
        return self._edit(translate("Document", "Add Skip Connection"), lambda rec: graph_edits.skip_connection(rec, run, self.edit_shapes))

    def set_param(self, node_id: str, key: str, value: Any) -> None:
        """Set one parameter; consecutive edits of the same field merge into one undo step."""
        node = self.edit_graph.node(node_id)
        if node.params.get(key, object()) == value and type(node.params.get(key)) is type(value):
            return
        self._edit(translate("Document", "Set {param}").format(param=key), lambda rec: rec.set_param(node_id, key, value),
                   (MERGE_PARAM, node_id, key))

    def set_params(self, node_id: str, values: dict[str, Any]) -> None:
        """Set several parameters of one node as one undo step (the explainer's Apply)."""
        node = self.edit_graph.node(node_id)
        changed = {k: v for k, v in values.items() if node.params.get(k, object()) != v}
        if changed:
            self._edit(translate("Document", "Set {param}").format(param=", ".join(changed)),
                       lambda rec: [rec.set_param(node_id, k, v) for k, v in changed.items()])

    def rename(self, node_id: str, name: str | None) -> None:
        if (self.edit_graph.node(node_id).name or None) == (name or None):
            return
        self._edit(translate("Document", "Rename"), lambda rec: rec.rename(node_id, name), (MERGE_RENAME, node_id))

    def move(self, node_ids: list[str], positions: list[tuple[float, float]]) -> None:
        moves = [(n, p) for n, p in zip(node_ids, positions) if tuple(self.edit_graph.node(n).pos) != tuple(map(float, p))]
        if moves:
            self._edit(translate("Document", "Move"), lambda rec: [rec.move(n, p) for n, p in moves])

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
                    raise GraphError(translate("Document", "this block has no single input to insert before"))
                self._insert(rec, fix.layer_type, dict(fix.layer_params), (preds[0], fix.node_id or node_id), None)
            else:
                raise GraphError(f"unknown fix {fix.action!r}")

        # A fix inside a block's definition (an instance's inner error) edits that definition.
        graph = self.edit_graph.blocks[fix.block].graph if fix.block in self.edit_graph.blocks else None
        self._edit(translate("Document", "Fix: {label}").format(label=fix.label), action, graph=graph)

    def insert_on_edge(self, type_name: str, edge: tuple[str, str], pos: tuple[float, float] | None = None,
                       params: dict | None = None) -> str:
        """Put a new block on a wire: src → new → dst."""
        return self._edit(translate("Document", "Insert {type}").format(type=type_name),
                          lambda rec: self._insert(rec, type_name, params, tuple(edge), pos))

    def move_onto_edge(self, node_id: str, edge: tuple[str, str]) -> None:
        """Put an existing, unwired block on a wire (src → block → dst), placed as a palette drop would be.

        A block still holding the defaults it got without an input shape is fitted to the shape it now
        receives (a fresh BatchNorm2d gets the channel count), as a block dropped from the palette is.
        """
        graph = self.edit_graph
        node = graph.node(node_id)
        if node.type == "Input":
            raise GraphError(translate("Document", "the Input cannot be put on a wire: nothing can feed it"))
        if graph.predecessors(node_id) or graph.successors(node_id):
            raise GraphError(translate("Document", "{node} is already wired; only an unwired block can be dropped on a wire").format(
                node=node_id))

        def action(rec: Recorder) -> None:
            self._insert(rec, node.type, None, tuple(edge), None, node_id)

        self._edit(translate("Document", "Insert {type}").format(type=node.type), action)

    def _insert(self, rec: Recorder, type_name: str, params: dict | None, edge: tuple[str, str],
                pos: tuple[float, float] | None, existing: str | None = None) -> str:
        src, dst = edge
        if edge not in rec.graph.edges:
            raise GraphError(translate("Document", "{src} is not connected to {dst}").format(src=src, dst=dst))
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

        return self._edit(translate("Document", "Paste"), action)

    def auto_layout(self, per_row: int | None = None) -> None:
        """Model path left to right (wrapped after ``per_row`` blocks); the other blocks in rows below."""
        positions = chain_layout(self.edit_graph, per_row)
        moves = [(n, p) for n, p in positions.items() if self.edit_graph.nodes[n].pos != p]
        if moves:
            self._edit(translate("Document", "Auto-layout"), lambda rec: [rec.move(n, p) for n, p in moves])
