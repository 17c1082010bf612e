"""The scene mirrors the graph: it follows graph events and the document's shapes.

It never edits the model itself; gestures that change the model (move, connect,
drop) end in a Document method, whose command calls the graph, whose events
come back here (seam 2).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene, QToolTip

from designer.core.graph import Event
from designer.core.i18n import _ as core_text
from designer.core.shapes import NodeResult
from designer.ui.canvas.items import GRID, EdgeItem, NodeItem, badge_text


def node_tooltip(type_name: str, help_text: str, result: NodeResult | None) -> str:
    """Tooltip text: the error and the formula with numbers, or the shapes and formula."""
    lines = [f"<b>{type_name}</b>: {core_text(help_text)}"]
    if result is not None:
        if result.error:
            problem = QCoreApplication.translate("CanvasScene", "Problem:")
            lines.append(f"<span style='color:#c62828'><b>{problem}</b> {result.error}</span>")
        if result.in_shapes is not None:  # a merge: every input, in order
            lines.append(QCoreApplication.translate("CanvasScene", "in {input} → out {output}").format(
                input=" + ".join(badge_text(s) for s in result.in_shapes), output=badge_text(result.out_shape)))
        elif result.in_shape is not None:
            lines.append(QCoreApplication.translate("CanvasScene", "in {input} → out {output}").format(
                input=badge_text(result.in_shape), output=badge_text(result.out_shape)))
        elif result.out_shape is not None:
            lines.append(QCoreApplication.translate("CanvasScene", "out {output}").format(
                output=badge_text(result.out_shape)))
        formula = result.formula
        if formula:
            lines.append("<pre>" + formula + "</pre>")
        if result.warning:
            lines.append(f"<i>{result.warning}</i>")
    return "<br>".join(lines)


def compact(n: int) -> str:
    """4672 -> 4.7k, 3612672 -> 3.6M: a card is narrow."""
    for size, unit in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + unit
    return str(n)


def block_counts(result: NodeResult | None) -> str:
    """A block instance's last two lines: its parameters and multiply-adds, once its shapes are known."""
    if result is None or result.error or result.inner is None:
        return ""
    return (QCoreApplication.translate("CanvasScene", "{count} params").format(count=compact(result.parameters))
            + "\n" + QCoreApplication.translate("CanvasScene", "{count} mult-adds").format(
                count=compact(result.macs)))


class CanvasScene(QGraphicsScene):
    """Items for every node and edge of the document's graph."""

    moved = Signal()

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str], EdgeItem] = {}
        self._graph = None
        self._results: dict[str, NodeResult] = {}
        self._names: dict[str, str] = {}
        self._syncing = False
        self._snap = True
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setBackgroundBrush(QColor("#f7f9fa"))
        document.project_replaced.connect(self.rebuild)
        document.level_changed.connect(self.rebuild)
        document.shapes_changed.connect(self.refresh)
        document.changed.connect(self._refresh_names)
        document.selection_changed.connect(self._select_from_document)
        document.locked_changed.connect(self._locked)
        self.selectionChanged.connect(self._selection_to_document)
        self.rebuild()

    # building --------------------------------------------------------------
    def rebuild(self) -> None:
        """Drop all items and create them afresh for the current graph (open, new, restore)."""
        if self._graph is not None:
            self._graph.unsubscribe(self._on_event)
        self._syncing = True
        self.clear()
        self.nodes.clear()
        self.edges.clear()
        self._results.clear()
        self._names = {}
        graph = self._graph = self.document.edit_graph
        graph.subscribe(self._on_event)
        for node_id in graph.nodes:
            self._add_node(node_id)
        for edge in graph.edges:
            self._add_edge(edge, sync=False)
        for node_id, node in graph.nodes.items():
            if graph.spec(node.type).merge:
                self._sync_inputs(node_id)
        self._syncing = False
        self.refresh(force=True)

    def _add_node(self, node_id: str) -> None:
        node = self.document.edit_graph.nodes[node_id]
        spec = self.document.edit_graph.spec(node.type)
        item = NodeItem(node_id, node.type, spec.category)
        item.snap = self._snap
        item.setFlag(NodeItem.GraphicsItemFlag.ItemIsMovable, not self.document.locked)
        item.setPos(QPointF(*node.pos))
        self.addItem(item)
        self.nodes[node_id] = item
        if spec.merge:
            self._sync_inputs(node_id)

    def _add_edge(self, edge: tuple[str, str], sync: bool = True) -> None:
        item = EdgeItem(self.nodes[edge[0]], self.nodes[edge[1]])
        self.addItem(item)
        self.edges[edge] = item
        self._badge(item)
        if sync:
            self._sync_inputs(edge[1])

    def _sync_inputs(self, node_id: str) -> None:
        """A merge's ports: one per place in use, at least two, and a free one when all are wired."""
        graph = self.document.edit_graph
        item, node = self.nodes.get(node_id), graph.nodes.get(node_id)
        if item is None or node is None or not graph.spec(node.type).merge:
            return
        places = graph.places(node_id)
        used = set(places.values())
        count = max(2, max(used, default=-1) + 1)
        if all(i in used for i in range(count)):
            count += 1
        item.set_input_count(count)
        for src, place in places.items():
            edge = self.edges.get((src, node_id))
            if edge is not None and edge.place != place:
                edge.place = place
                edge.adjust()

    # graph events ----------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        kind = event.kind
        if kind == "node_added":
            self._add_node(event.node_id)
        elif kind == "node_removed":
            item = self.nodes.pop(event.node_id, None)
            if item is not None:
                self._results.pop(event.node_id, None)
                self.removeItem(item)
        elif kind == "edge_added":
            self._add_edge(event.edge)
        elif kind == "edge_removed":
            item = self.edges.pop(event.edge, None)
            if item is not None:
                item.detach()
                self.removeItem(item)
                self._sync_inputs(event.edge[1])
        elif kind == "node_moved":
            item = self.nodes[event.node_id]
            if (item.pos().x(), item.pos().y()) != tuple(event.data):
                snap, item.snap = item.snap, False  # the model's position is the truth
                item.setPos(QPointF(*event.data))
                item.snap = snap
        elif kind == "reset":
            self.rebuild()

    # shapes ----------------------------------------------------------------
    def refresh(self, shapes=None, force: bool = False) -> None:
        """Update items whose inference result changed (results are reused when unchanged)."""
        shapes = self.document.edit_shapes  # inside a block: the entered instance's
        names = self.document.edit_graph.generated_names()
        changed_sources = set()
        graph = self.document.edit_graph
        for node_id, item in self.nodes.items():
            result = shapes.nodes.get(node_id)
            name = names.get(node_id, "")
            if not force and result is self._results.get(node_id) and self._names.get(node_id) == name:
                continue
            self._results[node_id] = result
            changed_sources.add(node_id)
            node = graph.nodes[node_id]
            spec = graph.spec(node.type)
            summary = ""
            if result is not None and result.resolved is not None and spec.summary is not None:
                summary = spec.summary(result.resolved)
            counts = block_counts(result) if item.is_block else ""
            item.set_content(name, summary, result.error if result else None, bool(result and not result.on_path),
                             counts)
        self._names = names
        for edge, item in self.edges.items():
            if force or edge[0] in changed_sources or edge[1] in changed_sources:
                self._badge(item)

    def tooltip(self, node_id: str) -> str:
        """A block's tooltip, built when asked: hundreds of formulas per edit would cost frames."""
        node = self.document.edit_graph.nodes[node_id]
        return node_tooltip(node.type, self.document.edit_graph.spec(node.type).help, self.document.edit_shapes.nodes.get(node_id))

    def helpEvent(self, event) -> None:  # noqa: N802 - Qt's name
        item = self.node_at(event.scenePos())
        if item is None:
            super().helpEvent(event)
            return
        QToolTip.showText(event.screenPos(), self.tooltip(item.node_id))
        event.accept()

    def _refresh_names(self) -> None:
        if self.document.edit_graph.generated_names() != self._names:
            self.refresh()

    def _badge(self, item: EdgeItem) -> None:
        result = self._results.get(item.src.node_id) or self.document.edit_shapes.nodes.get(item.src.node_id)
        shape = result.out_shape if result is not None and not result.error else None
        target = self._results.get(item.dst.node_id)
        src_on_path = bool(result is not None and result.on_path)
        bad = (src_on_path and shape is None) or bool(target and target.error and target.on_path)
        item.set_badge(badge_text(shape), bad)

    # selection -------------------------------------------------------------
    def selected_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[tuple[str, str]]:
        return [i.edge for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def _selection_to_document(self) -> None:
        if self._syncing:
            return
        ids = self.selected_ids()
        self._syncing = True
        try:
            self.document.select(ids[0] if len(ids) == 1 else (self.document.selected if
                                                              self.document.selected in ids else
                                                              (ids[0] if ids else None)))
        finally:
            self._syncing = False

    def _select_from_document(self, node_id) -> None:
        if self._syncing:
            return
        if node_id is not None and node_id in self.selected_ids():
            return
        self._syncing = True
        try:
            self.clearSelection()
            if node_id in self.nodes:
                self.nodes[node_id].setSelected(True)
        finally:
            self._syncing = False

    def select_only(self, node_ids) -> None:
        self.clearSelection()
        for node_id in node_ids:
            if node_id in self.nodes:
                self.nodes[node_id].setSelected(True)

    # gestures --------------------------------------------------------------
    def _locked(self, locked: bool) -> None:
        """While training runs, blocks cannot be dragged (the model refuses edits anyway)."""
        for item in self.nodes.values():
            item.setFlag(NodeItem.GraphicsItemFlag.ItemIsMovable, not locked)

    def reset_positions(self) -> None:
        """Put every block back where the model says (after a refused move)."""
        for node_id, item in self.nodes.items():
            x, y = self.document.edit_graph.nodes[node_id].pos
            if (item.pos().x(), item.pos().y()) != (x, y):
                snap, item.snap = item.snap, False
                item.setPos(QPointF(x, y))
                item.snap = snap

    def set_snap(self, on: bool) -> None:
        self._snap = on
        for item in self.nodes.values():
            item.snap = on

    def commit_moves(self) -> None:
        """After a drag: write every moved block's position to the model in one command."""
        graph = self.document.edit_graph
        ids, positions = [], []
        for node_id, item in self.nodes.items():
            pos = (item.pos().x(), item.pos().y())
            if node_id in graph.nodes and tuple(graph.nodes[node_id].pos) != pos:
                ids.append(node_id)
                positions.append(pos)
        if ids:
            self.document.move(ids, positions)
            self.moved.emit()

    def edge_at(self, scene_pos: QPointF) -> EdgeItem | None:
        for item in self.items(QRectF(scene_pos.x() - 6, scene_pos.y() - 6, 12, 12)):
            if isinstance(item, EdgeItem):
                return item
        return None

    def node_at(self, scene_pos: QPointF) -> NodeItem | None:
        for item in self.items(scene_pos):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if item is not None:
                return item
        return None

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        super().drawBackground(painter, rect)
        scale = painter.worldTransform().m11()
        if scale < 0.45:
            return  # dots would be denser than pixels: skip them
        step = GRID * (2 if scale < 0.8 else 1)
        painter.setPen(QPen(QColor("#d5dde2"), 1.6 / scale))
        left = int(rect.left() // step) * step
        top = int(rect.top() // step) * step
        points = []
        x = left
        while x < rect.right():
            y = top
            while y < rect.bottom():
                points.append(QPointF(x, y))
                y += step
            x += step
        painter.drawPoints(points)
