"""Look inside (activations, filters, state_dict, mode) and loading weights with a report."""

from pathlib import Path

import pytest
import torch
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QKeySequence

from designer.core import project as projects
from designer.ml.build import build_model
from designer.ui.panels.inside.activations import ActivationsPanel
from designer.ui.document import Document
from designer.ui.panels.tryit.drawpad import PAD, TryPanel
from designer.ui.panels.tryit.tryout import Tryout
from designer.ui.dialogs.weights import WeightsDialog

EXAMPLES = Path(__file__).resolve().parents[3] / "designer" / "resources" / "examples"


def draw_seven(qtbot, pad) -> None:
    points = [(60, 50), (220, 50), (120, 250)]
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[0]))
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for t in (0.2, 0.4, 0.6, 0.8, 1.0):
            qtbot.mouseMove(pad, QPoint(round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t)))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(*points[-1]))


@pytest.fixture
def window(qtbot, tmp_path, qapp):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))  # not the user's
    from designer.ui.main_window import MainWindow

    win = MainWindow()
    win.maybe_save = lambda: True  # pytest-qt closes the window before fixtures tear down: never prompt
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def panels(qtbot, qapp):
    """The pad and the look-inside panel on one document, as the window docks them."""
    doc = Document(projects.load(EXAMPLES / "lenet-28.netproj.json"))
    tryout = Tryout(doc)
    pad, inside = TryPanel(tryout), ActivationsPanel(tryout)
    for widget in (pad, inside):
        qtbot.addWidget(widget)
        widget.show()
    pad.pad.setFixedSize(PAD, PAD)
    qtbot.waitExposed(inside)
    return doc, pad, inside


def classified(qtbot, pad):
    """Wait until the pad's current picture is classified (on a worker thread) and shown everywhere."""
    qtbot.waitUntil(lambda: not pad.timer.isActive(), timeout=3000)
    with qtbot.waitSignal(pad.tryout.settled, timeout=20000):
        pad.classify_now()


def maps_shown(qtbot, inside) -> None:
    """Wait until the feature maps asked for are on screen (their pixels are made on a worker thread)."""
    qtbot.waitUntil(lambda: not inside.maps_pending, timeout=5000)


def test_clicking_a_block_on_the_canvas_shows_its_output(window, qtbot):
    from designer.ui.panels.tryit.drawpad import TryPanel as Pad

    pad, inside = window.findChild(Pad), window.findChild(ActivationsPanel)
    assert pad is not None and inside is not None  # docked by install_panels
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    for node_id, shape, view in (("n1", (6, 28, 28), inside.maps), ("n3", (6, 14, 14), inside.maps),
                                 ("n8", (120,), inside.bars)):
        item = window.canvas.scene().nodes[node_id]
        window.canvas.centerOn(item)
        pos = window.canvas.mapFromScene(item.sceneBoundingRect().center())
        qtbot.mouseClick(window.canvas.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        assert window.document.selected == node_id
        maps_shown(qtbot, inside)
        assert inside.shown_layer.node_id == node_id
        assert inside.shown_layer.shape == shape == window.document.shapes.nodes[node_id].out_shape
        assert inside.view.currentWidget() is view
        assert str(shape).replace(",)", ")") in inside.header.text()



def test_a_new_project_with_look_inside_open_shows_no_stale_layers(window, qtbot):
    """File ▸ New while Look inside shows a drawing: the old model's layers are not looked up in the new one."""
    from designer.ui.panels.tryit.drawpad import TryPanel as Pad

    pad, inside = window.findChild(Pad), window.findChild(ActivationsPanel)
    for title in ("Try it", "Look inside"):
        window.dock_for(title).raise_()
    qtbot.waitExposed(inside)
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    assert inside.shown_layer is not None and inside.shown_layer.node_id == "n1"
    qtbot.keySequence(window.canvas, QKeySequence.StandardKey.New)  # the blank project: just an Input
    assert list(window.document.graph.nodes) == ["input"]
    assert inside.shown_layer is None  # and no KeyError on the way
    classified(qtbot, pad)
    assert inside.shown_layer is None and "cannot run" in inside.header.text()

def test_feature_maps_bars_and_filters_follow_the_selection(qtbot, panels):
    doc, pad, inside = panels
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    doc.select("n4")  # conv2: 16 maps of 10x10, 16x6 filters of 5x5
    maps_shown(qtbot, inside)
    assert len(inside.maps.tiles) == 16 and inside.maps.tiles[0].width() == 10
    assert len(inside.filters.tiles) == 16 and len(inside.filters.tiles[0]) == 6
    assert "16 filters of 6 × 5×5" in inside.filter_note.text() and "untrained" in inside.filter_note.text()
    doc.select("n12")  # fc3: ten scores as bars
    assert inside.view.currentWidget() is inside.bars and len(inside.bars.values) == 10
    assert not inside.filters.tiles and "Select a Conv2d" in inside.filter_note.text()
    doc.select("input")
    maps_shown(qtbot, inside)
    assert inside.view.currentWidget() is inside.maps and len(inside.maps.tiles) == 1
    scratch = doc.add_node("ReLU", pos=(0, 400))  # off the model path
    doc.select(scratch)
    assert "not part of the model" in inside.header.text()


def test_the_newest_feature_maps_win_and_older_ones_on_the_way_are_never_shown(qtbot, panels):
    doc, pad, inside = panels
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    maps_shown(qtbot, inside)
    drawn = []
    inside.maps_drawn.connect(lambda: drawn.append((inside.maps.map_size, len(inside.maps.tiles))))
    for node_id in ("n1", "n4", "n3"):  # conv1 (6×28×28), conv2 (16×10×10), pool1 (6×14×14), clicked quickly
        doc.select(node_id)
    maps_shown(qtbot, inside)
    assert drawn == [((14, 14), 6)]  # conv1's, made when pool1 was already asked for, and conv2's are dropped
    assert inside.shown_layer.node_id == "n3"


def test_feature_maps_are_made_only_while_they_are_on_screen(qtbot, panels):
    doc, pad, inside = panels
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    maps_shown(qtbot, inside)
    bar = inside.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())  # Filters
    assert inside.tabs.currentIndex() == 1
    drawn = []
    inside.maps_drawn.connect(lambda: drawn.append(inside.maps.map_size))
    doc.select("n4")  # the header follows; conv2's maps wait until they are seen
    assert inside.shown_layer.node_id == "n4" and "(16, 10, 10)" in inside.header.text()
    assert not inside.maps_pending and drawn == []
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(0).center())  # Activations
    maps_shown(qtbot, inside)
    assert drawn == [(10, 10)] and len(inside.maps.tiles) == 16


def test_a_hidden_look_inside_catches_up_when_shown_again(qtbot, panels):
    doc, pad, inside = panels
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    maps_shown(qtbot, inside)
    inside.hide()  # e.g. its dock tabbed behind another
    pad.pad.clear()
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    newest = pad.tryout.current()
    assert all(layer is not inside.shown_layer for layer in newest.layers) and not inside.maps_pending
    inside.show()
    maps_shown(qtbot, inside)
    assert any(layer is inside.shown_layer for layer in newest.layers) and len(inside.maps.tiles) == 6


def test_live_while_drawing(qtbot, panels):
    doc, pad, inside = panels
    doc.select("n1")
    with qtbot.waitSignal(pad.tryout.result_ready, timeout=10000, check_params_cb=lambda r: not r.empty):
        qtbot.mousePress(pad.pad, Qt.MouseButton.LeftButton, pos=QPoint(140, 40))
        qtbot.mouseMove(pad.pad, QPoint(140, 200))
    assert inside.shown_layer is not None and inside.shown_layer.shape == (6, 28, 28)
    qtbot.mouseRelease(pad.pad, Qt.MouseButton.LeftButton, pos=QPoint(140, 200))


def test_state_dict_lists_parameters_and_buffers_apart_and_mode_is_shown(qtbot, panels):
    doc, pad, inside = panels
    assert inside.state.topLevelItemCount() == 0  # nothing built (no torch) until asked for
    bar = inside.tabs.tabBar()  # the user opens the state_dict tab
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(inside.tabs.indexOf(inside.state)).center())
    assert inside.tabs.currentWidget() is inside.state
    qtbot.waitUntil(lambda: inside.state.topLevelItemCount() == 2, timeout=10000)  # built on a worker thread
    parameters, buffers = (inside.state.topLevelItem(i) for i in range(2))
    assert [parameters.child(i).text(0) for i in range(parameters.childCount())] == \
        list(build_model(doc.graph).state_dict())
    assert parameters.child(0).text(1) == "(6, 1, 5, 5)" and parameters.text(2) == "61,706"
    assert buffers.child(0).text(0) == "(none)"
    assert "eval()" in inside.mode.text() and "no layer" in inside.mode.text()
    doc.add_node("BatchNorm2d", {"num_features": 6}, after="n1")
    assert inside.state.topLevelItemCount() == 0 and inside.mode.text() == ""  # never the old model's entries
    doc.add_node("Dropout", after="n10")
    qtbot.waitUntil(lambda: "Dropout" in inside.mode.text(), timeout=10000)
    buffers = inside.state.topLevelItem(1)
    names = [buffers.child(i).text(0) for i in range(buffers.childCount())]
    assert names == ["bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"]
    assert "BatchNorm2d" in inside.mode.text() and "Dropout" in inside.mode.text()
    assert "eval()" in inside.mode.text()
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    dropout = next(n for n in doc.shapes.path if doc.graph.nodes[n].type == "Dropout")
    doc.select(dropout)
    assert inside.shown_layer.type == "Dropout" and "passes everything through" in inside.header.text()


def lenet_state(seed: int = 1) -> dict:
    torch.manual_seed(seed)
    return build_model(projects.load(EXAMPLES / "lenet-28.netproj.json").graph).state_dict()


def examined(qtbot, doc, path) -> WeightsDialog:
    """Model ▸ Load Weights' dialog for ``path``, once it has read the file (on a worker thread)."""
    dialog = WeightsDialog(doc, path)
    qtbot.addWidget(dialog)
    assert not dialog.load_button.isEnabled()  # nothing to load before the report
    with qtbot.waitSignal(dialog.ready, timeout=10000):
        dialog.show()
    return dialog


def test_matching_weights_load(qtbot, panels, tmp_path):
    doc, pad, inside = panels
    path, state = tmp_path / "good.pt", lenet_state()
    torch.save(state, path)
    dialog = examined(qtbot, doc, path)
    assert dialog.report.ok and dialog.load_button.isEnabled() and dialog.partial_button.isHidden()
    qtbot.mouseClick(dialog.load_button, Qt.MouseButton.LeftButton)
    assert dialog.loaded == "all"
    assert all(torch.equal(doc.weights[k], v) for k, v in state.items())
    assert pad.tryout.status()[0] == "ready"


def test_a_mismatched_state_dict_is_refused_with_the_report(qtbot, panels, tmp_path):
    doc, pad, inside = panels
    state = lenet_state()
    state["fc3.weight"] = torch.zeros(5, 84)
    del state["fc3.bias"]
    state["fc4.weight"] = torch.zeros(3)
    path = tmp_path / "other.pt"
    torch.save(state, path)
    dialog = examined(qtbot, doc, path)
    report = dialog.report
    assert report.shape_mismatch == [("fc3.weight", (10, 84), (5, 84))]
    assert report.missing == ["fc3.bias"] and report.unexpected == ["fc4.weight"] and len(report.matched) == 8
    groups = {dialog.tree.topLevelItem(i).text(0) for i in range(dialog.tree.topLevelItemCount())}
    assert groups == {"Shape differs (1)", "Missing from the file (1)", "Not in the model (1)", "Matching (8)"}
    assert not dialog.load_button.isEnabled()
    dialog.load_all()  # even called directly, it refuses
    assert doc.weights is None and dialog.loaded is None
    qtbot.mouseClick(dialog.partial_button, Qt.MouseButton.LeftButton)
    assert dialog.loaded == "partial"
    assert torch.equal(doc.weights["conv1.weight"], state["conv1.weight"])
    assert doc.weights["fc3.weight"].shape == (10, 84)  # kept fresh: the model's own shape
    assert set(doc.weights) == set(build_model(doc.graph).state_dict())


def test_weights_read_while_the_model_is_edited_are_not_loaded(qtbot, panels, tmp_path):
    doc, pad, inside = panels
    path = tmp_path / "good.pt"
    torch.save(lenet_state(), path)
    dialog = WeightsDialog(doc, path)  # the file is read on a worker thread…
    qtbot.addWidget(dialog)
    doc.set_param("n12", "out_features", 5)  # …while the learner edits the model
    with qtbot.waitSignal(dialog.ready, timeout=10000):
        dialog.show()
    assert "edited while the weights were read" in dialog.summary.text()
    assert not dialog.load_button.isEnabled() and doc.weights is None


def test_an_unreadable_weights_file_is_named_and_nothing_loads(qtbot, panels, tmp_path):
    doc, pad, inside = panels
    path = tmp_path / "notes.pt"
    path.write_text("these are not weights")
    dialog = examined(qtbot, doc, path)
    assert "notes.pt" in dialog.summary.text() and not dialog.load_button.isEnabled()
    assert doc.weights is None


def test_in_the_window_ctrl_z_on_the_pad_undoes_a_stroke_not_the_last_edit(window, qtbot):
    from designer.ui.panels.tryit.drawpad import TryPanel as Pad

    pad = window.findChild(Pad).pad
    window.document.set_param("n1", "out_channels", 8)
    window.document.set_param("n4", "in_channels", 8)
    edits = window.document.undo_stack.index()
    draw_seven(qtbot, pad)
    pad.setFocus()
    qtbot.waitUntil(pad.hasFocus, timeout=2000)
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pad.is_empty()
    assert window.document.undo_stack.index() == edits  # the canvas edit is still there
    assert "Load &Weights…" in [a.text() for a in window.menu("Model").actions()]


def hover(widget, point: QPoint) -> None:
    """Move the pointer over ``widget`` with no button down (sent to its window, as the system does)."""
    from PySide6.QtTest import QTest

    QTest.mouseMove(widget.window().windowHandle(), widget.mapTo(widget.window(), point))


def test_hovering_a_map_cell_outlines_what_it_sees_on_the_input(qtbot, panels):
    doc, pad, inside = panels
    draw_seven(qtbot, pad.pad)
    classified(qtbot, pad)
    doc.select("n4")  # conv2: each cell sees 14×14 input pixels, 2 apart
    maps_shown(qtbot, inside)
    assert inside.receptive.isVisible() and inside.maps.map_size == (10, 10)
    tile = inside.maps.tile_rect(3)  # any channel: the same place in the input
    point = QPoint(round(tile.x() + tile.width() * 0.35), round(tile.y() + tile.height() * 0.65))
    hover(inside.maps, point)
    assert inside.receptive.field is not None, inside.receptive.label.text()
    assert inside.receptive.picture.region == (10, 23, 4, 17)  # cell (6, 3): from row 2·6−2, column 2·3−2
    assert "cell (6, 3) sees rows 10–23, columns 4–17" in inside.receptive.label.text()
    corner = QPoint(round(tile.x() + 1), round(tile.y() + 1))
    hover(inside.maps, corner)
    assert inside.receptive.picture.region == (0, 11, 0, 11)  # cell (0, 0): its field is clipped by the padding

    doc.select("n8")  # a Linear: bars, no picture to outline
    assert not inside.receptive.isVisible()
