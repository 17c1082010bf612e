"""Look inside ▸ Numbers for a tiny Input: every layer's output as numbers, edits marked, a conv cell's sum."""

import numpy as np
import torch
from PySide6.QtCore import Qt

from designer.core import project as projects
from designer.ui.panels.inside.activations import NUMBERS_TAB, ActivationsPanel
from designer.ui.panels.inside.numbers_view import CHANGED_ROLE
from tests.ui.tryit.test_numbers_input import EXAMPLES, answered, type_into


def test_every_layer_as_numbers_with_the_cells_an_input_edit_changes_marked(window, qtbot):
    window.document.set_project(projects.load(EXAMPLES / "small-module.netproj.json"))
    panel, inside = window.try_panel, window.findChild(ActivationsPanel)
    window.try_dock.show()
    window.dock_for("Look inside").show()
    window.dock_for("Look inside").raise_()
    numbers = panel.numbers
    qtbot.waitUntil(numbers.isVisible, timeout=5000)
    qtbot.mouseClick(numbers.random_button, Qt.MouseButton.LeftButton)
    before = numbers.values()
    answered(qtbot, panel, before)
    assert inside.tabs.isTabVisible(NUMBERS_TAB)
    inside.tabs.setCurrentIndex(NUMBERS_TAB)
    type_into(qtbot, numbers.tables[0], 1, 2, "3")
    after = before.copy()
    after[0, 1, 2] = 3
    result = answered(qtbot, panel, after)
    qtbot.waitUntil(lambda: inside.numbers._input is not None and np.array_equal(inside.numbers._input[0], after))
    model, x = panel.tryout.model, torch.from_numpy(after)[None]
    modules = dict(model.named_modules())
    conv = next(layer for layer in result.layers if layer.type == "Conv2d")
    with torch.no_grad():
        expected = modules[conv.name](x)[0].numpy()  # 5 × 3 × 3 for a 2×2 kernel on 4×4
    tables = inside.numbers.tables[conv.name]
    assert len(tables) == expected.shape[0]
    for channel, table in enumerate(tables):
        shown = [[table.item(y, xx).text() for xx in range(3)] for y in range(3)]
        assert shown == [[f"{v:.2f}" for v in row] for row in expected[channel]]  # torch's numbers
        marked = {(y, xx) for y in range(3) for xx in range(3) if table.item(y, xx).data(CHANGED_ROLE)}
        assert marked == {(0, 1), (0, 2), (1, 1), (1, 2)}  # exactly the cells whose 2×2 window holds (1, 2)
    with torch.no_grad():
        out = model(x)[0].numpy()
    last = inside.numbers.tables[result.layers[-1].name][0]
    assert [last.item(0, i).text() for i in range(last.columnCount())] == [f"{v:.2f}" for v in out]
    # The explainer's sum for a clicked cell, beside the tables.
    table = tables[2]
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(1, 1)).center())
    qtbot.waitUntil(lambda: "row 1, column 1" in inside.numbers.sum.text(), timeout=10000)
    weight, bias = modules[conv.name].weight[2, 0].detach().numpy(), float(modules[conv.name].bias[2].detach())
    window_values = after[0, 1:3, 1:3]
    assert f"{window_values[0, 0]:.2f}×{weight[0, 0]:.2f}" in inside.numbers.sum.text()
    assert inside.numbers.sum.text().endswith(f"= {float((window_values * weight).sum() + bias):.2f}")

    # New weights, the same input: nothing the input edit changed is left marked (another model's numbers).
    state = {k: v.detach().clone() * 2 for k, v in model.state_dict().items()}
    window.document.set_weights(state)
    qtbot.waitUntil(lambda: panel.tryout.model is not model and panel.tryout.current() is not None, timeout=20000)
    qtbot.waitUntil(lambda: inside.numbers.tables[conv.name][0].item(0, 0).text()
                    == f"{2 * float(modules[conv.name](x)[0, 0, 0, 0].detach()):.2f}", timeout=20000)
    assert not any(table.item(y, xx).data(CHANGED_ROLE) for table in inside.numbers.tables[conv.name]
                   for y in range(3) for xx in range(3))
