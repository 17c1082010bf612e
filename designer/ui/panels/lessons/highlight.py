"""The orange frame a lesson step draws around the part of the window it points at: a dock, the canvas, a block.

On the canvas the frame is a child of the view, not of its viewport: a
QGraphicsView scrolls its viewport's children with the picture (a fit, a zoom,
a pan moved the frame away from what it outlined). It is placed again after
every scroll, zoom, resize and edit, around the block where the step names one,
and clipped to the viewport so that the whole of it is always on screen.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

HIGHLIGHT = QColor("#ff9800")
PEN = 4
MARGIN = 6  # the frame stands this far outside a block: the block's own outline stays visible


class Highlight(QWidget):
    """An orange frame over ``area()`` (a rectangle in ``host``, None: nothing to show) that lets every click through.

    ``follow()`` places it again; it does so itself when ``host`` (or a widget ``watch`` adds) is resized.
    """

    def __init__(self, host: QWidget, area: Callable[[], QRect | None]):
        super().__init__(host)
        self.setObjectName("lessonHighlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.area = area
        self.watch(host)
        self.follow()

    def watch(self, widget: QWidget) -> None:
        widget.installEventFilter(self)

    def remove(self) -> None:
        """Hide at once and for good (deleteLater waits for the event loop, and a scroll meanwhile must not show it)."""
        self.area = lambda: None
        self.hide()
        self.deleteLater()

    def follow(self, *_) -> None:
        rect = self.area()
        if rect is None or rect.width() <= 2 * PEN or rect.height() <= 2 * PEN:
            self.hide()  # out of view: no frame rather than one around nothing
            return
        self.setGeometry(rect)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move):
            self.follow()
        return False

    def paintEvent(self, event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(HIGHLIGHT, PEN))
        half = PEN // 2
        painter.drawRoundedRect(self.rect().adjusted(half, half, -half, -half), 6, 6)


def around(widget: QWidget) -> Highlight:
    """A frame over the whole of ``widget`` (a dock), following its size."""
    return Highlight(widget, widget.rect)


def on_canvas(canvas, layer: str | None) -> Highlight:
    """A frame around the block named ``layer`` while the canvas shows it, else around the canvas's viewport."""
    document = canvas.document

    def area() -> QRect:
        viewport = canvas.viewport().geometry()  # in the view's coordinates
        item = canvas.graph_scene.nodes.get(block_named(document, layer))
        if item is None:
            return viewport
        polygon = canvas.mapFromScene(item.sceneBoundingRect())
        block = polygon.boundingRect().translated(viewport.topLeft())
        return block.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN).intersected(viewport)

    frame = Highlight(canvas, area)
    frame.watch(canvas.viewport())
    for signal in (canvas.horizontalScrollBar().valueChanged, canvas.verticalScrollBar().valueChanged,
                   canvas.zoom_changed, canvas.scene().changed, document.changed, document.level_changed):
        signal.connect(frame.follow)
    return frame


def block_named(document, layer: str | None) -> str | None:
    """The id of the model's layer named ``layer`` when the canvas shows the model (not a block's inside)."""
    if layer is None or document.level:
        return None
    found = [node_id for node_id, name in document.graph.generated_names().items() if name == layer]
    return found[0] if found else None
