"""A lesson belongs to its project: opening another one stops it, and its outlines go when the lesson is left."""
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction

from designer.ui.panels.lessons.highlight import Highlight
from tests.ui.conftest import EXAMPLES


def outlines(window) -> list:
    return [h for h in window.findChildren(Highlight) if h.isVisible()]


def start_lesson(window, qtbot, index: int):
    panel = window.lesson_panel
    window.findChild(QAction, "action_lessons").trigger()  # Help ▸ Lessons
    panel.chooser.setCurrentIndex(index)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.progress.text().startswith("Step 1 of")
    return panel


def test_opening_an_unrelated_project_stops_the_lesson_where_it_was(window, qtbot):
    panel = start_lesson(window, qtbot, 0)  # lesson 1 starts from an Input alone
    assert outlines(window)
    window.open_file(EXAMPLES / "lenet-28.netproj.json")  # has every layer lesson 1 asks for
    qtbot.wait(50)  # the lesson's checks run once the events settle
    assert panel.progress.text().startswith("Step 1 of")  # it did not jump ahead on LeNet's layers
    assert "another project" in panel.text.text() and not outlines(window)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)  # Start: back on the lesson's own project
    assert list(window.document.graph.nodes) == ["input"] and panel.progress.text().startswith("Step 1 of")
    assert outlines(window)


def test_closing_the_lesson_panel_takes_its_outline_away(window, qtbot):
    start_lesson(window, qtbot, 0)
    assert outlines(window)
    window.dock_for("Lessons").close()
    assert not outlines(window)
