"""A lesson step's frame stays around the block it points at, whole and on screen, as the canvas zooms, fits and scrolls."""
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QAction

from designer.ui.panels.lessons.highlight import MARGIN, Highlight


def frames(window) -> list[Highlight]:
    return [h for h in window.findChildren(Highlight) if h.isVisible()]


def play_conv2d(window, qtbot):
    """Help ▸ Lessons, lesson 3, Start: its first step points at conv1 on the canvas."""
    panel = window.lesson_panel
    window.findChild(QAction, "action_lessons").trigger()
    panel.chooser.setCurrentIndex(panel.chooser.findData("conv2d"))
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.text.text().startswith("Select conv1 and set stride to 2")
    return panel


def conv1(window) -> str:
    return next(n for n, name in window.document.graph.generated_names().items() if name == "conv1")


def in_viewport(window, frame) -> QRect:
    """The frame's rectangle in the canvas viewport's coordinates."""
    return frame.geometry().translated(-window.canvas.viewport().pos())


def block_rect(window) -> QRect:
    """conv1's block as the viewport shows it now."""
    canvas = window.canvas
    return canvas.mapFromScene(canvas.node_item(conv1(window)).sceneBoundingRect()).boundingRect()


def assert_around_the_block(window, qtbot):
    viewport = window.canvas.viewport().rect()
    expected = block_rect(window).adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN).intersected(viewport)
    qtbot.waitUntil(lambda: len(frames(window)) == 1 and in_viewport(window, frames(window)[0]) == expected)
    frame = in_viewport(window, frames(window)[0])
    assert viewport.contains(frame)  # the whole frame is on screen, never cut by the canvas's edges
    return frame


def test_the_frame_follows_the_block_through_zoom_fit_and_scroll(window, qtbot):
    play_conv2d(window, qtbot)
    canvas = window.canvas
    frame = assert_around_the_block(window, qtbot)
    assert frame.contains(block_rect(window))  # the block fits inside, with its own outline

    before = frame.size()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)  # View ▸ Zoom In
    frame = assert_around_the_block(window, qtbot)
    assert frame.width() > before.width()  # it grew with the block

    qtbot.keyClick(canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # View ▸ Fit to View
    frame = assert_around_the_block(window, qtbot)
    assert frame.contains(block_rect(window))

    for _ in range(4):
        qtbot.keyClick(canvas, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    canvas.centerOn(canvas.node_item(conv1(window)))
    scroll = canvas.horizontalScrollBar()
    scroll.setValue(scroll.value() + canvas.viewport().width() // 2)  # conv1's middle on the viewport's left edge
    frame = assert_around_the_block(window, qtbot)  # half the block left of the viewport: the frame is cut to it
    assert frame.left() == 0 and block_rect(window).left() < 0

    scroll.setValue(scroll.value() + canvas.viewport().width())  # the block is out of view: no frame
    qtbot.waitUntil(lambda: not frames(window))
    canvas.centerOn(canvas.node_item(conv1(window)))
    assert_around_the_block(window, qtbot)


def test_the_frame_follows_a_moved_block_and_outlines_the_canvas_while_no_block_has_the_name(window, qtbot):
    play_conv2d(window, qtbot)
    node = conv1(window)
    x, y = window.document.graph.nodes[node].pos
    window.document.move([node], [(x + 60, y + 40)])
    assert_around_the_block(window, qtbot)
    window.document.rename(node, "first")  # no block is called conv1 now: the step points at the canvas
    viewport = window.canvas.viewport().rect()
    qtbot.waitUntil(lambda: bool(frames(window)) and in_viewport(window, frames(window)[0]) == viewport)
    window.document.undo_stack.undo()
    assert_around_the_block(window, qtbot)


def test_a_frame_around_the_whole_canvas_stays_on_the_viewport_when_the_picture_moves(window, qtbot):
    panel = window.lesson_panel
    window.findChild(QAction, "action_lessons").trigger()
    panel.chooser.setCurrentIndex(panel.chooser.findData("sequential"))  # its first step points at the canvas
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    canvas = window.canvas
    viewport = canvas.viewport().rect()
    assert [in_viewport(window, f) for f in frames(window)] == [viewport]
    canvas.setFocus()
    for _ in range(3):
        qtbot.keyClick(canvas, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    canvas.horizontalScrollBar().setValue(canvas.horizontalScrollBar().value() + 150)
    canvas.verticalScrollBar().setValue(canvas.verticalScrollBar().value() + 90)
    assert [in_viewport(window, f) for f in frames(window)] == [viewport]  # not carried off with the picture
    qtbot.keyClick(canvas, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert [in_viewport(window, f) for f in frames(window)] == [canvas.viewport().rect()]
