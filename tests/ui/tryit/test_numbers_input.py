"""Try it for a tiny Input (the small-module template, 1×4×4): the input typed as numbers, run as they are."""

from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from designer.core import project as projects

EXAMPLES = Path(__file__).resolve().parents[3] / "designer" / "resources" / "examples"


def answered(qtbot, panel, values):
    """Wait until Try it has run the model on exactly ``values``; the Result."""
    def done():
        last = panel.tryout.current()
        return last is not None and not last.empty and torch.equal(last.tensor[0], torch.from_numpy(values))
    qtbot.waitUntil(done, timeout=20000)
    return panel.tryout.current()


def keys(qtbot, table, text):
    """Type as a user does: each key goes to the widget with the focus (the cell's editor, once it opens)."""
    for char in text:
        qtbot.keyClicks(QApplication.focusWidget() or table, char)
    qtbot.keyClick(QApplication.focusWidget() or table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is table)  # Qt commits the cell once the editor closes


def type_into(qtbot, table, row, column, text):
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(row, column))
                     .center())
    keys(qtbot, table, text)


def test_a_tiny_input_is_typed_as_numbers_and_the_model_runs_on_them_as_torch_does(window, qtbot):
    window.document.set_project(projects.load(EXAMPLES / "small-module.netproj.json"))
    panel = window.try_panel
    window.try_dock.show()
    numbers = panel.numbers
    qtbot.waitUntil(lambda: numbers.isVisible() and not panel.pad.isVisible(), timeout=5000)
    assert numbers.shape == (1, 4, 4) and len(numbers.tables) == 1
    table = numbers.tables[0]
    type_into(qtbot, table, 1, 2, "1.5")
    expected = np.zeros((1, 4, 4), np.float32)
    expected[0, 1, 2] = 1.5
    assert np.array_equal(numbers.values(), expected) and table.item(1, 2).text() == "1.50"
    qtbot.keyClick(table, Qt.Key.Key_Down)  # arrow keys move on: the next value goes below
    keys(qtbot, table, "-2")
    expected[0, 2, 2] = -2
    assert np.array_equal(numbers.values(), expected)
    type_into(qtbot, table, 0, 0, "abc")  # not a number: the cell keeps its value
    assert table.item(0, 0).text() == "0.00" and np.array_equal(numbers.values(), expected)
    result = answered(qtbot, panel, expected)
    model = panel.tryout.model
    with torch.no_grad():
        out = model(torch.from_numpy(expected)[None])
    conv = result.layers[0]
    module = dict(model.named_modules())[conv.name]
    assert conv.type == "Conv2d" and torch.allclose(conv.output, module(torch.from_numpy(expected)[None])[0])
    assert torch.allclose(result.layers[-1].output, out[0])
    qtbot.mouseClick(numbers.random_button, Qt.MouseButton.LeftButton)
    randomised = numbers.values()
    assert randomised.std() > 0.3 and table.item(3, 3).text() == f"{randomised[0, 3, 3]:.2f}"
    answered(qtbot, panel, randomised)
    qtbot.mouseClick(numbers.zeros_button, Qt.MouseButton.LeftButton)
    assert not numbers.values().any()
    answered(qtbot, panel, np.zeros((1, 4, 4), np.float32))
    # A 28×28 model draws again.
    window.document.set_project(projects.load(EXAMPLES / "lenet-28.netproj.json"))
    qtbot.waitUntil(lambda: panel.pad.isVisible() and not numbers.isVisible(), timeout=5000)
