"""The menu bar as a user meets it: each shortcut does one thing, the list shows real keys, every panel can
come back, the window keeps a usable size, and a training run is never stopped or edited around unasked."""
import re
from collections import Counter

import pytest
import torch
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from designer.core import project as projects
from tests.ui.conftest import EXAMPLES, answer_dialog
from tests.ui.training.test_training_panel import click, linear_project

torch.set_num_threads(1)
# Standard keys as KDE and GNOME give them (Qt's X11 tables): Delete has Ctrl+D; Sun keyboards' F14 is Undo.
LINUX_DESKTOP = {QKeySequence.StandardKey.Delete: ["Del", "Ctrl+D"], QKeySequence.StandardKey.Undo: ["F14"],
                 QKeySequence.StandardKey.Cut: ["F20"], QKeySequence.StandardKey.Copy: ["F16"],
                 QKeySequence.StandardKey.Paste: ["F18"]}


@pytest.fixture
def desktop_window(qtbot, monkeypatch):
    """A main window built with a Linux desktop's standard keys."""
    from designer.ui.main_window import MainWindow

    own = QKeySequence.keyBindings

    def bindings(key):
        found = own(key)
        names = {k.toString() for k in found}
        return found + [QKeySequence(k) for k in LINUX_DESKTOP.get(key, []) if k not in names]

    monkeypatch.setattr(QKeySequence, "keyBindings", staticmethod(bindings))
    win = MainWindow()
    win.resize(1500, 950)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    yield win
    win.document.mark_saved()
    win.close()
    win.deleteLater()
    QApplication.clipboard().clear()


def click_block(window, node_id):
    canvas = window.canvas
    canvas.center_on(node_id)
    point = canvas.mapFromScene(canvas.node_item(node_id).sceneBoundingRect().center())
    QTest.mouseClick(canvas.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)


def test_ctrl_d_duplicates_the_selection_on_a_linux_desktop(desktop_window, qtbot):
    window = desktop_window
    before = len(window.document.graph.nodes)
    click_block(window, window.document.shapes.path[-1])
    qtbot.keyClick(window.canvas, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(window.document.graph.nodes) == before + 1
    qtbot.keyClick(window.canvas, Qt.Key.Key_Delete)  # Delete still deletes (the new copy, selected)
    assert len(window.document.graph.nodes) == before


def test_no_key_belongs_to_two_actions(desktop_window):
    keys = Counter(k.toString() for a in desktop_window.findChildren(QAction) for k in a.shortcuts())
    assert [k for k, n in keys.items() if n > 1] == []


def test_the_shortcuts_list_shows_keys_a_keyboard_has(desktop_window, qtbot):
    window, seen = desktop_window, []
    answer_dialog(qtbot, QMessageBox.StandardButton.Ok, seen)
    window.findChild(QAction, "action_shortcuts").trigger()  # Help ▸ Keyboard Shortcuts
    rows = dict(re.findall(r"<tr><td>(.*?)</td><td><b>(.*?)</b></td></tr>", seen[0]))
    assert rows["Undo"] == "Ctrl+Z, Alt+Backspace"  # not "F14" nor the "Undo" key of some keyboards
    assert rows["Cut"] == "Ctrl+X, Shift+Del" and rows["Paste"] == "Ctrl+V, Shift+Ins"
    assert rows["Save As…"] == "Ctrl+Shift+S"  # not "Shift+Save"
    assert rows["Delete"] == "Del, Backspace" and rows["Duplicate"] == "Ctrl+D"
    assert rows["Auto-layout"] == "Ctrl+L" and rows["Zoom"] == "mouse wheel"


def test_view_has_an_entry_for_every_panel_and_a_closed_palette_comes_back_through_it(window):
    panels = window.findChild(type(window.menu("View")), "menu_panels")
    assert panels.menuAction() in window.menu("View").actions()
    entries = {a.text(): a for a in panels.actions()}
    assert {"Layers", "Inspector", "Model", "History", "Training", "Try it", "Lessons"} <= set(entries)
    window.dock_for("Layers").close()
    assert not entries["Layers"].isChecked()
    entries["Layers"].trigger()
    assert window.dock_for("Layers").isVisible()


def test_reset_layout_leaves_the_lessons_panel_wide_enough_for_its_start_button(window, qtbot):
    window.findChild(QAction, "action_reset_layout").trigger()
    lessons = window.dock_for("Lessons")
    assert lessons.isVisible()
    qtbot.waitUntil(lambda: window.lesson_panel.start_button.visibleRegion().boundingRect().width() > 0)
    button = window.lesson_panel.start_button
    assert button.visibleRegion().boundingRect().size() == button.size()  # all of it shows, none scrolled off


def test_the_window_keeps_a_usable_size_and_its_side_panels_come_back(window, qtbot):
    widths = {name: window.dock_for(name).width() for name in ("Layers", "Inspector")}
    window.resize(120, 80)
    assert window.width() >= 700 and window.height() >= 450  # the docks and the canvas cannot overlap
    window.resize(1500, 950)
    qtbot.waitUntil(lambda: window.width() == 1500)
    for name, width in widths.items():
        assert window.dock_for(name).width() >= min(width, 150), name


def click_stop_training(qtbot):
    """Click "Stop Training" on the next question."""
    def poll():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "stopTrainingQuestion":
            next(b for b in box.buttons() if b.text() == "Stop Training").click()
        else:
            QTimer.singleShot(20, poll)
    QTimer.singleShot(0, poll)


# training: asked before it stops, and nothing edits the model meanwhile --------------------------------------

@pytest.fixture
def training(window, qtbot):
    """The window with a tiny model training for as long as the test lasts (one thread, stopped at the end)."""
    window.document.set_project(linear_project())
    panel = window.training_panel
    panel.threads = 1
    panel.epochs.setValue(10_000)
    with qtbot.waitSignal(panel.run_started, timeout=1000):
        click(qtbot, panel.start_button)
    qtbot.waitUntil(lambda: len(panel.curves.steps) > 0, timeout=30000)
    yield panel
    if panel.run is not None:
        with qtbot.waitSignal(panel.run_ended, timeout=10000):
            panel.stop()


@pytest.mark.parametrize("how", ["new", "open", "close"])
def test_new_open_and_close_ask_before_stopping_a_training_run(window, training, qtbot, how, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(EXAMPLES / "lenet-28.netproj.json"), ""))
    seen = []

    def ask():
        if how == "close":
            window.close()
        else:
            window.findChild(QAction, f"action_{how}").trigger()  # File ▸ New, File ▸ Open…

    answer_dialog(qtbot, QMessageBox.StandardButton.Cancel, seen)
    ask()
    assert seen and "Stop it?" in seen[0]
    assert training.running and window.isVisible() and window.document.project.name == "tiny"
    window.document.mark_saved()  # no question about unsaved changes after this one
    with qtbot.waitSignal(training.run_ended, timeout=10000):
        click_stop_training(qtbot)
        ask()
    assert not training.running
    if how == "close":
        assert not window.isVisible()
    else:
        assert window.document.project.name != "tiny"


def test_while_training_every_edit_is_refused_in_words_or_greyed_out(window, training, qtbot):
    document = window.document
    before = projects.dumps(document.project)
    click_block(window, "n2")
    for key, modifiers in ((Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier),  # Model ▸ Auto-layout
                           (Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier),  # Duplicate
                           (Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier),  # Cut
                           (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
                           (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),  # Undo
                           (Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
                           (Qt.Key.Key_Right, Qt.KeyboardModifier.NoModifier)):  # nudge
        qtbot.keyClick(window.canvas, key, modifiers)
    for action in (window.layout_action, window.cut_action, window.paste_action, window.duplicate_action,
                   window.delete_action, window.skip_action, window.undo_action):
        assert not action.isEnabled(), action.text()
    assert not window.history.isEnabled()
    tree = window.palette.tree  # a double-click in the palette
    point = tree.visualItemRect(window.palette.entries["ReLU"]).center()
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert "cannot be edited" in window.statusBar().currentMessage()
    assert projects.dumps(document.project) == before
    assert training.running


def test_while_training_the_canvas_menus_offer_only_what_edits_nothing(window, training, qtbot):
    from PySide6.QtGui import QContextMenuEvent

    canvas, seen = window.canvas, {}

    def right_click(point):
        def read():
            menu = QApplication.activePopupWidget()
            if menu is None:
                QTimer.singleShot(10, read)
                return
            seen.update({a.text(): a.isEnabled() for a in menu.actions() if a.text()})
            menu.close()
        seen.clear()
        QTimer.singleShot(0, read)
        QApplication.sendEvent(canvas.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, point,
                                                                    canvas.viewport().mapToGlobal(point)))
        return dict(seen)

    canvas.center_on("n2")
    block = canvas.mapFromScene(canvas.node_item("n2").sceneBoundingRect().center())
    assert right_click(block) == {"Duplicate": False, "Copy": True, "Cut": False, "Delete": False}
    wire = canvas.graph_scene.edges[("n1", "n2")]
    canvas.centerOn(wire._path.pointAtPercent(0.5))
    assert right_click(canvas.mapFromScene(wire._path.pointAtPercent(0.5))) == {"Disconnect": False,
                                                                              "Insert layer here": False}
    canvas.fit()
    assert right_click(QPoint(3, 3))["Paste"] is False


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_each_menu_entry_has_its_own_access_key(qtbot, language, request):
    """Alt+letter opens one entry: two entries with the same underlined letter make the user press it twice."""
    from designer.ui.main_window import MainWindow

    if language == "zh_CN":
        request.getfixturevalue("chinese")
    window = MainWindow()
    qtbot.addWidget(window)
    menus = [window.menuBar()] + [m for m in window.menuBar().findChildren(type(window.menu("View")))]
    for menu in menus:
        letters = [re.search(r"&(\w)", a.text()).group(1).lower() for a in menu.actions()
                   if a.isVisible() and re.search(r"&(\w)", a.text())]
        assert [k for k, n in Counter(letters).items() if n > 1] == [], [a.text() for a in menu.actions()]
