"""The canvas widget: zoom, pan, rubber band, wiring, drops, clipboard.

Gestures become Document calls; the view keeps only transient gesture state
(the wire being drawn, the wire highlighted under a drop).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsView, QMenu

from designer.core import layers
from designer.core.graph import GraphError
from designer.ui.canvas.breadcrumb import Breadcrumb
from designer.ui.canvas.clipboard import NODES_MIME, ClipboardEdits  # noqa: F401 - NODES_MIME: imported from here
from designer.ui.canvas.items import GRID, HEIGHT, WIDTH, EdgeItem, NodeItem, PortItem
from designer.ui.canvas.scene import CanvasScene

BLOCK_MIME = "application/x-netdesigner-block"  # a palette entry being dragged: the type name
ZOOM_STEP = 1.2
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0
READABLE_ZOOM = 0.6


class CanvasView(ClipboardEdits, QGraphicsView):
    """Shows a CanvasScene and turns mouse and keyboard gestures into Document edits."""

    zoom_changed = Signal(float)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("canvas")
        self.document = document
        self.graph_scene = CanvasScene(document, self)
        self.setScene(self.graph_scene)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self._wire: QGraphicsPathItem | None = None
        self._wire_from: PortItem | None = None
        self._pan_start = None
        self._pan_button = Qt.MouseButton.MiddleButton
        self._space_held = False  # Space + left drag pans: laptops often have no middle button
        self._pressed_on_node = False
        self._dragged: NodeItem | None = None  # the block under the mouse when a drag began
        self._drop_edge = None
        self._paste_count = 0
        self._fitted_size = None
        self.auto_fit = True  # keep the model fitted while the window settles, until the user zooms or pans
        self._rect_timer = QTimer(self)
        self._rect_timer.setSingleShot(True)
        self._rect_timer.timeout.connect(self._update_scene_rect)
        document.project_replaced.connect(self._update_scene_rect)
        document.project_replaced.connect(self._fit_again)
        document.level_changed.connect(self._level_changed)
        self.breadcrumb = Breadcrumb(document, self)
        document.changed.connect(self._rect_timer.start)  # coalesced: not on every keystroke
        self._update_scene_rect()

    # helpers used by the window and tests ----------------------------------
    def node_item(self, node_id: str) -> NodeItem:
        return self.graph_scene.nodes[node_id]

    def port_point(self, node_id: str, output: bool, index: int = 0):
        """Viewport coordinates of a block's port, ``index`` counting a merge's inputs (for tests and tours)."""
        item = self.node_item(node_id)
        port = item.output_port if output else item.input_ports[index]
        return self.mapFromScene(port.scenePos())

    def select_only(self, node_ids) -> None:
        self.graph_scene.select_only(node_ids)

    def center_on(self, node_id: str) -> None:
        if node_id in self.graph_scene.nodes:
            self.centerOn(self.node_item(node_id))

    def _fit_again(self) -> None:
        self.auto_fit = True
        self.fit(readable=True)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        size, last = event.size(), self._fitted_size
        # Scroll bars coming and going change the size by their width: refitting then would loop.
        if self.auto_fit and (last is None or abs(size.width() - last[0]) > 30 or abs(size.height() - last[1]) > 30):
            self._fitted_size = (size.width(), size.height())
            self.fit(readable=True)

    def _update_scene_rect(self) -> None:
        rect = self.graph_scene.itemsBoundingRect().adjusted(-2000, -1500, 2000, 1500)
        self.setSceneRect(rect)

    # zoom and pan ----------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        """Zoom by ``factor`` (within the view's limits); the view stops fitting itself to the window."""
        self.auto_fit = False
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        factor = target / self.zoom()
        self.scale(factor, factor)
        self.zoom_changed.emit(self.zoom())

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def reset_zoom(self) -> None:
        self.auto_fit = False
        self.resetTransform()
        self.zoom_changed.emit(1.0)

    def fit(self, readable: bool = False) -> None:
        """Fit every block into view, never magnifying beyond 100 %.

        With ``readable`` (opening a file, the window settling) the zoom stays high enough to read
        the blocks; a model wider than that is shown from its first problem, or from its Input.
        """
        if not self.graph_scene.nodes:
            return
        rect = None
        for item in list(self.graph_scene.nodes.values()) + list(self.graph_scene.edges.values()):
            r = item.sceneBoundingRect()
            rect = r if rect is None else rect.united(r)
        rect = rect.adjusted(-30, -30, 30, 30)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.resetTransform()
            self.centerOn(rect.center())
        elif readable and self.zoom() < READABLE_ZOOM:
            self.resetTransform()
            self.scale(READABLE_ZOOM, READABLE_ZOOM)
            self.center_on(self._focus_node())
        self.zoom_changed.emit(self.zoom())

    def _focus_node(self) -> str | None:
        shapes = self.document.edit_shapes
        errors = [n for n in shapes.path if shapes.nodes[n].error]
        if errors:
            return errors[0]
        start = self.document.edit_graph.input_node()
        return start.id if start is not None else next(iter(self.graph_scene.nodes), None)

    def fits_readably(self) -> bool:
        """Whether the last fit shows every block at a readable zoom."""
        rect = self.mapToScene(self.viewport().rect()).boundingRect()
        return all(rect.contains(i.sceneBoundingRect()) for i in self.graph_scene.nodes.values())

    def set_snap(self, on: bool) -> None:
        self.graph_scene.set_snap(on)

    def wheelEvent(self, event) -> None:  # noqa: N802
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            super().wheelEvent(event)  # shift+wheel scrolls
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(ZOOM_STEP ** steps)
        event.accept()

    # mouse: wiring, panning, moving ----------------------------------------
    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        """Double-click a block instance: enter its definition."""
        item = self.graph_scene.node_at(self.mapToScene(event.position().toPoint()))
        if event.button() == Qt.MouseButton.LeftButton and item is not None and item.is_block:
            self.document.enter(item.node_id)
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def _level_changed(self) -> None:
        self._update_scene_rect()
        self.fit()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.MiddleButton or (
                self._space_held and event.button() == Qt.MouseButton.LeftButton):
            self._pan_start = event.position()
            self._pan_button = event.button()
            self.auto_fit = False
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton:
            item = self.itemAt(event.position().toPoint())
            if isinstance(item, PortItem) and item.is_output:
                self._wire_from = item
                self._wire = QGraphicsPathItem()
                self._wire.setPen(QPen(QColor("#ffb300"), 2.4, Qt.PenStyle.DashLine))
                self._wire.setZValue(5)
                self.graph_scene.addItem(self._wire)
                self._draw_wire(self.mapToScene(event.position().toPoint()))
                event.accept()
                return
            self._dragged = self.graph_scene.node_at(self.mapToScene(event.position().toPoint()))
            self._pressed_on_node = self._dragged is not None
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802
        if self._pan_start is not None:
            delta = event.position() - self._pan_start
            self._pan_start = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            event.accept()
            return
        if self._wire is not None:
            self._draw_wire(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseMoveEvent(event)
        if self._pressed_on_node and event.buttons() & Qt.MouseButton.LeftButton:
            self._highlight(self._wire_under_drag(event.position().toPoint()))

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        if self._pan_start is not None and event.button() == self._pan_button:
            self._pan_start = None
            if self._space_held:
                self.setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.unsetCursor()
            event.accept()
            return
        if self._wire is not None:
            self._finish_wire(self.mapToScene(event.position().toPoint()))
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if self._pressed_on_node and event.button() == Qt.MouseButton.LeftButton:
            self._pressed_on_node = False
            wire = self._wire_under_drag(event.position().toPoint())
            dragged, self._dragged = self._dragged, None
            self._clear_drop_edge()
            if wire is None:
                self._commit_moves()
                return
            try:  # the move and the wiring are one undo step
                self.document.move_onto_edge(dragged.node_id, wire.edge)
            except GraphError as exc:
                self.graph_scene.reset_positions()
                self._tell(str(exc))

    def _wire_under_drag(self, view_pos) -> EdgeItem | None:
        """The wire a dragged, unwired block would be inserted on if dropped now (None: a plain move)."""
        node = self._dragged
        if node is None or self.document.locked or node.scene() is None or node.type_name == "Input":
            return None
        if self.graph_scene.selected_ids() != [node.node_id]:
            return None  # several blocks move together: just a move
        graph = self.document.edit_graph
        if node.node_id not in graph.nodes or graph.predecessors(node.node_id) or graph.successors(node.node_id):
            return None
        if tuple(graph.nodes[node.node_id].pos) == (node.pos().x(), node.pos().y()):
            return None  # a click, not a drag
        # The wire under the mouse, else the one under the block's middle (the user looks at the block).
        return (self.graph_scene.edge_at(self.mapToScene(view_pos))
                or self.graph_scene.edge_at(node.sceneBoundingRect().center()))

    def _highlight(self, edge: EdgeItem | None) -> None:
        if edge is not self._drop_edge:
            self._clear_drop_edge()
            self._drop_edge = edge
            if edge is not None:
                edge.set_highlight(True)

    def _commit_moves(self) -> None:
        try:
            self.graph_scene.commit_moves()
        except GraphError as exc:
            self.graph_scene.reset_positions()
            self._tell(str(exc))

    def _draw_wire(self, end: QPointF) -> None:
        start = self._wire_from.scenePos()
        dx = max(abs(end.x() - start.x()) * 0.5, 30.0)
        path = QPainterPath(start)
        path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
        self._wire.setPath(path)

    def _finish_wire(self, end: QPointF) -> None:
        src = self._wire_from.node
        self.graph_scene.removeItem(self._wire)
        self._wire, self._wire_from = None, None
        target = self.graph_scene.node_at(end)  # dropping anywhere on a block means its input
        if target is None or target is src:
            return
        port = next((i.index for i in self.graph_scene.items(end) if isinstance(i, PortItem) and not i.is_output
                     and i.node is target), None)  # on one of a merge's inputs: that one; else a free one
        try:
            self.document.connect(src.node_id, target.node_id, port)
        except GraphError as exc:
            self._tell(str(exc))

    def _tell(self, message: str) -> None:
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(message, 6000)

    # drops from the palette ------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(BLOCK_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()  # project files go to the window

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if not event.mimeData().hasFormat(BLOCK_MIME):
            event.ignore()
            return
        self._highlight(self.graph_scene.edge_at(self.mapToScene(event.position().toPoint())))
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:  # noqa: N802
        self._clear_drop_edge()

    def _clear_drop_edge(self) -> None:
        if self._drop_edge is not None and self._drop_edge.scene() is not None:
            self._drop_edge.set_highlight(False)
        self._drop_edge = None

    def dropEvent(self, event) -> None:  # noqa: N802
        if not event.mimeData().hasFormat(BLOCK_MIME):
            event.ignore()
            return
        type_name = bytes(event.mimeData().data(BLOCK_MIME)).decode("utf-8")
        scene_pos = self.mapToScene(event.position().toPoint())
        self.drop_block(type_name, scene_pos)
        event.acceptProposedAction()

    def drop_block(self, type_name: str, scene_pos: QPointF) -> str | None:
        """Place a block where it was dropped; dropped on a wire or a block, it is wired in there."""
        edge = self.graph_scene.edge_at(scene_pos)
        target = self.graph_scene.node_at(scene_pos)
        self._clear_drop_edge()
        pos = (round((scene_pos.x() - WIDTH / 2) / GRID) * GRID, round((scene_pos.y() - HEIGHT / 2) / GRID) * GRID)
        try:
            if target is not None:  # dropped on a block: it goes right after that block
                node_id = self.document.add_node(type_name, after=target.node_id)
            elif edge is not None:
                node_id = self.document.insert_on_edge(type_name, edge.edge)
            else:
                node_id = self.document.add_node(type_name, pos=pos)
        except GraphError as exc:
            self._tell(str(exc))
            return None
        self.select_only([node_id])
        return node_id

    # clipboard and deletion ------------------------------------------------
    def keyReleaseEvent(self, event) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._release_space()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802
        self._release_space()  # the release may go to another widget: never stay in pan mode
        super().focusOutEvent(event)

    def _release_space(self) -> None:
        self._space_held = False
        if self._pan_start is None:
            self.unsetCursor()

    def keyPressEvent(self, event) -> None:  # noqa: N802
        """Arrow keys nudge the selected blocks (Shift: five grid steps); Escape drops a wire or the selection.

        Holding Space turns a left drag into panning.
        """
        if event.key() == Qt.Key.Key_Space:
            if not event.isAutoRepeat() and self._wire is None:
                self._space_held = True
                self.setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        ids = self.graph_scene.selected_ids()
        if event.key() in steps and ids:
            dx, dy = steps[event.key()]
            scale = GRID * (5 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 1)
            graph = self.document.edit_graph
            positions = [(graph.nodes[n].pos[0] + dx * scale, graph.nodes[n].pos[1] + dy * scale) for n in ids]
            self._guarded(self.document.move, ids, positions)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape:
            if self._wire is not None:
                self.graph_scene.removeItem(self._wire)
                self._wire, self._wire_from = None, None
            elif self.document.level:
                self.document.leave()
            else:
                self.graph_scene.clearSelection()
            event.accept()
            return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        """Right-click: actions for the block or wire under the mouse."""
        scene_pos = self.mapToScene(event.pos())
        node = self.graph_scene.node_at(scene_pos)
        edge = None if node is not None else self.graph_scene.edge_at(scene_pos)
        menu = QMenu(self)
        free = not self.document.locked  # while training holds the model, only what edits nothing
        if node is not None:
            if not node.isSelected():
                self.select_only([node.node_id])
            only_input = self.graph_scene.selected_ids() == [node.node_id] and node.type_name == "Input"
            for text, slot in ((self.tr("Duplicate"), self.duplicate), (self.tr("Copy"), self.copy),
                               (self.tr("Cut"), self.cut), (self.tr("Delete"), self.delete_selected)):
                action = menu.addAction(text, slot)
                # a project keeps its one Input
                action.setEnabled(slot == self.copy or (free and not only_input))
        elif edge is not None:
            src, dst = edge.edge
            menu.addAction(self.tr("Disconnect"),
                           lambda: self._guarded(self.document.disconnect, src, dst)).setEnabled(free)
            insert = menu.addMenu(self.tr("Insert layer here"))
            insert.setEnabled(free)
            for spec in layers.palette_types():
                insert.addAction(spec.type, lambda t=spec.type: self._guarded(self.document.insert_on_edge, t,
                                                                               (src, dst)))
        else:
            menu.addAction(self.tr("Paste"), self.paste).setEnabled(free)
            menu.addAction(self.tr("Select all"), self.select_all)
            menu.addAction(self.tr("Fit to view"), self.fit)
        menu.exec(event.globalPos())

    def _guarded(self, method, *args) -> None:
        try:
            method(*args)
        except GraphError as exc:
            self._tell(str(exc))

    def select_all(self) -> None:
        for item in self.graph_scene.nodes.values():
            item.setSelected(True)
