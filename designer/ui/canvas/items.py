"""Painting of blocks, ports and wires. Items hold no model state of their own.

A NodeItem shows what the scene tells it (type, name, parameter summary,
shape result); an EdgeItem draws a wire between two NodeItems with the shape
that flows along it. Painting is cached per item, so an edit repaints only
the items whose text or state changed.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyle, QStyleOptionGraphicsItem

from designer.core.rules import fmt

WIDTH, HEIGHT = 110.0, 66.0
BLOCK_HEIGHT = 98.0  # a block instance's card has two more lines: its parameters and its multiply-adds
PORT_RADIUS = 5.5
GRID = 20.0
CATEGORY_COLORS = {
    "Input": "#546e7a", "Convolution": "#1e88e5", "Pooling": "#00897b", "Linear": "#8e24aa",
    "Activation": "#ef6c00", "Normalization": "#43a047", "Regularization": "#6d4c41", "Shape": "#607d8b",
    "Merge": "#c2185b", "Blocks": "#3949ab",
}
ERROR = QColor("#d32f2f")
SELECTED = QColor("#ffb300")

_TITLE_FONT = QFont()
_TITLE_FONT.setPixelSize(11)  # pixels, not points: the canvas scales, the screen DPI must not
_TITLE_FONT.setBold(True)
_SMALL_FONT = QFont()
_SMALL_FONT.setPixelSize(10)
_BADGE_FONT = QFont()
_BADGE_FONT.setPixelSize(9)
_BADGE_METRICS = QFontMetricsF(_BADGE_FONT)
_BADGE_WIDTHS: dict[str, float] = {}
DETAIL_ZOOM = 0.4  # below this zoom text is unreadable: paint plain shapes (much faster with hundreds of blocks)


def _elide(text: str, font: QFont, width: float) -> str:
    return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, width)


class PortItem(QGraphicsItem):
    """An input (left) or output (right) connector; dragging from an output draws a new wire.

    A merge block has several inputs, one per place (``index``), spread down its left side.
    """

    def __init__(self, node: "NodeItem", is_output: bool, index: int = 0):
        super().__init__(node)
        self.node = node
        self.is_output = is_output
        self.index = index
        self.setPos(WIDTH if is_output else 0.0, node.height / 2)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._hover = False
        self.setZValue(2)

    def boundingRect(self) -> QRectF:  # noqa: N802
        r = PORT_RADIUS + 4  # a generous hit area
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if option.levelOfDetailFromTransform(painter.worldTransform()) < DETAIL_ZOOM:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = PORT_RADIUS + (1.5 if self._hover else 0)
        painter.setPen(QPen(QColor("#37474f"), 1.4))
        painter.setBrush(QColor("#ffffff") if not self._hover else SELECTED)
        painter.drawEllipse(QPointF(0, 0), r, r)

    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        self._hover = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802
        self._hover = False
        self.update()

    def scene_anchor(self) -> QPointF:
        return self.scenePos()


class NodeItem(QGraphicsItem):
    """One block: a coloured card with type, name and parameter summary."""

    def __init__(self, node_id: str, type_name: str, category: str):
        super().__init__()
        self.node_id = node_id
        self.type_name = type_name
        self.is_block = category == "Blocks"
        self.height = BLOCK_HEIGHT if self.is_block else HEIGHT
        self.color = QColor(CATEGORY_COLORS.get(category, "#607d8b"))
        self.title, self.name, self.summary, self.counts = type_name, "", "", ""
        self.error: str | None = None
        self.off_path = False
        self.edges: list[EdgeItem] = []
        self.snap = True
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable | QGraphicsItem.GraphicsItemFlag.ItemIsMovable
                      | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.input_ports: list[PortItem] = [PortItem(self, False)] if type_name != "Input" else []
        self.output_port = PortItem(self, True)

    @property
    def input_port(self) -> PortItem | None:
        return self.input_ports[0] if self.input_ports else None

    def set_input_count(self, count: int) -> None:
        """Show ``count`` input ports (a merge grows a free one when all of its ports are wired)."""
        if count == len(self.input_ports) or not self.input_ports:
            return
        while len(self.input_ports) < count:
            self.input_ports.append(PortItem(self, False, len(self.input_ports)))
        while len(self.input_ports) > count:
            port = self.input_ports.pop()
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        for i, port in enumerate(self.input_ports):
            port.setPos(0.0, self.height * (i + 1) / (count + 1))
        for edge in self.edges:
            edge.adjust()

    def input_anchor(self, place: int) -> QPointF:
        """Where a wire into input ``place`` ends, in scene coordinates."""
        if not self.input_ports:
            return self.scenePos()
        return self.input_ports[min(place, len(self.input_ports) - 1)].scenePos()

    def boundingRect(self) -> QRectF:  # noqa: N802
        extra = 4 if self.is_block else 0  # the stacked card behind a block
        return QRectF(-3, -3, WIDTH + 6 + extra, self.height + 6 + extra)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, WIDTH, self.height), 7, 7)
        return path

    def set_content(self, name: str, summary: str, error: str | None, off_path: bool, counts: str = "") -> None:
        """Show new text/state; repaints only when something visible changed."""
        state = (name, summary, error, off_path, counts)
        if state != (self.name, self.summary, self.error, self.off_path, self.counts):
            self.name, self.summary, self.error, self.off_path, self.counts = state
            self.setOpacity(0.45 if off_path else 1.0)
            self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(0, 0, WIDTH, self.height)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        border = SELECTED if selected else (ERROR if self.error else self.color.darker(130))
        if self.is_block:  # a second card behind: this one holds layers (double-click to enter)
            painter.setPen(QPen(border, 1.2))
            painter.setBrush(QColor("#e8eaf6"))
            painter.drawRoundedRect(rect.translated(4, 4), 7, 7)
        painter.setPen(QPen(border, 2.6 if selected or self.error else 1.2))
        painter.setBrush(QColor("#fff5f5") if self.error else QColor("#ffffff"))
        painter.drawRoundedRect(rect, 7, 7)
        if option.levelOfDetailFromTransform(painter.worldTransform()) < DETAIL_ZOOM:
            painter.fillRect(QRectF(0, 0, WIDTH, 21), ERROR if self.error else self.color)
            return
        painter.save()
        painter.setClipPath(self.shape())  # the header follows the card's rounded top corners
        painter.fillRect(QRectF(0, 0, WIDTH, 21), ERROR if self.error else self.color)
        painter.restore()
        painter.setPen(QColor("#ffffff"))
        painter.setFont(_TITLE_FONT)
        painter.drawText(QRectF(8, 1, WIDTH - 16, 20), Qt.AlignmentFlag.AlignVCenter,
                         _elide(self.type_name, _TITLE_FONT, WIDTH - 26))
        painter.setFont(_SMALL_FONT)
        painter.setPen(QColor("#263238"))
        painter.drawText(QRectF(8, 23, WIDTH - 16, 18), Qt.AlignmentFlag.AlignVCenter,
                         _elide(self.name, _SMALL_FONT, WIDTH - 16))
        painter.setPen(QColor("#546e7a"))
        painter.drawText(QRectF(8, 41, WIDTH - 16, 18), Qt.AlignmentFlag.AlignVCenter,
                         _elide(self.summary, _SMALL_FONT, WIDTH - 16))
        for i, line in enumerate(self.counts.split("\n") if self.counts else ()):
            painter.drawText(QRectF(8, 59 + 16 * i, WIDTH - 16, 18), Qt.AlignmentFlag.AlignVCenter,
                             _elide(line, _SMALL_FONT, WIDTH - 16))
        if self.error:  # the error marker: a white "!" in a red disc on the header
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#ffffff"))
            painter.drawEllipse(QPointF(WIDTH - 12, 10.5), 7, 7)
            painter.setPen(ERROR)
            painter.setFont(_TITLE_FONT)
            painter.drawText(QRectF(WIDTH - 19, 3.5, 14, 14), Qt.AlignmentFlag.AlignCenter, "!")

    def itemChange(self, change, value):  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionChange and self.snap:
            return QPointF(round(value.x() / GRID) * GRID, round(value.y() / GRID) * GRID)
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for edge in self.edges:
                edge.adjust()
        return super().itemChange(change, value)


class EdgeItem(QGraphicsItem):
    """A wire from one block's output to another's input, with the shape it carries."""

    def __init__(self, src: NodeItem, dst: NodeItem):
        super().__init__()
        self.src, self.dst = src, dst
        self.place = 0  # the input of ``dst`` this wire feeds (a merge's port)
        self.badge = ""
        self.bad = False
        self._path = QPainterPath()
        self._badge_rect = QRectF()
        self._bounds = None
        self.highlight = False
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        src.edges.append(self)
        dst.edges.append(self)
        self.adjust()

    @property
    def edge(self) -> tuple[str, str]:
        return (self.src.node_id, self.dst.node_id)

    def detach(self) -> None:
        for node in (self.src, self.dst):
            if self in node.edges:
                node.edges.remove(self)

    def set_badge(self, text: str, bad: bool) -> None:
        if (text, bad) != (self.badge, self.bad):
            self.prepareGeometryChange()
            self.badge, self.bad = text, bad
            self._layout_badge()
            self.update()

    def set_highlight(self, on: bool) -> None:
        if on != self.highlight:
            self.highlight = on
            self.update()

    def adjust(self) -> None:
        self.prepareGeometryChange()
        a = self.src.output_port.scenePos()
        b = self.dst.input_anchor(self.place)
        path = QPainterPath(a)
        if b.x() - a.x() > 2 * WIDTH and abs(b.y() - a.y()) < HEIGHT:
            # A skip connection along a row would run behind the blocks it skips: arc over them.
            lift = HEIGHT * 1.6
            path.cubicTo(QPointF(a.x() + 60, a.y() - lift), QPointF(b.x() - 60, b.y() - lift), b)
        else:
            dx = max(abs(b.x() - a.x()) * 0.5, 30.0) if b.x() >= a.x() else 40.0  # a wire going back: a small loop
            path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        self._path = path
        self._layout_badge()

    def path_point(self, t: float) -> QPointF:
        """A point along the wire, 0 at its start and 1 at its end (scene coordinates)."""
        return self._path.pointAtPercent(t)

    def _layout_badge(self) -> None:
        self._bounds = None
        if not self.badge:
            self._badge_rect = QRectF()
            return
        w = _BADGE_WIDTHS.get(self.badge)
        if w is None:
            w = _BADGE_WIDTHS[self.badge] = _BADGE_METRICS.horizontalAdvance(self.badge) + 10
        h = _BADGE_METRICS.height() + 3
        mid = self._path.pointAtPercent(0.5)
        self._badge_rect = QRectF(mid.x() - w / 2, mid.y() - h - 4, w, h)

    def boundingRect(self) -> QRectF:  # noqa: N802
        if self._bounds is None:
            self._bounds = self._path.boundingRect().adjusted(-6, -6, 6, 6).united(
                self._badge_rect.adjusted(-2, -2, 2, 2))
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        shape = stroker.createStroke(self._path)
        shape.addRect(self._badge_rect)
        return shape

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        color = SELECTED if selected or self.highlight else (ERROR if self.bad else QColor("#78909c"))
        painter.setPen(QPen(color, 3.2 if selected or self.highlight else 2.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if self.badge and option.levelOfDetailFromTransform(painter.worldTransform()) >= DETAIL_ZOOM:
            painter.setPen(QPen(ERROR if self.bad else QColor("#90a4ae"), 1))
            painter.setBrush(QBrush(QColor("#fff5f5") if self.bad else QColor("#eceff1")))
            painter.drawRoundedRect(self._badge_rect, 4, 4)
            painter.setFont(_BADGE_FONT)
            painter.setPen(ERROR if self.bad else QColor("#263238"))
            painter.drawText(self._badge_rect, Qt.AlignmentFlag.AlignCenter, self.badge)


def badge_text(shape) -> str:
    return fmt(shape) if shape is not None else "?"
