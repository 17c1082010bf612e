"""Mistakes ▸ Check on a folder…: where a model trained on MNIST fails on a class's own handwriting."""

from pathlib import Path

import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from designer.core import project as projects
from designer.core.datasets import CLASSES
from designer.ml import models
from designer.ml.data.preprocess import load_image, preprocess
from tests.ml.training.test_own_pictures import handwriting

EXAMPLES = Path(__file__).resolve().parents[3] / "designer" / "resources" / "examples"


def test_a_digit_model_checked_on_the_class_folder_shows_torchs_accuracy_and_opens_a_mistake(
        window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "class"
    for i in range(4):
        handwriting(folder / "7" / f"s{i}.png", [(10 + 5 * i, 10), (100, 12 + 3 * i), (40 + 4 * i, 80)])
        handwriting(folder / "1" / f"s{i}.png", [(50 + 6 * i, 5), (60, 85)])
        handwriting(folder / "0" / f"s{i}.png", [(20, 20 + i), (90, 20), (90, 70), (20, 70 - 2 * i), (20, 20 + i)])
    document = window.document
    document.set_project(projects.load(EXAMPLES / "lenet-28.netproj.json"))
    browser = window.training_panel.history.mistakes
    assert not browser.check_button.isEnabled()  # nothing trained: nothing to check
    torch.manual_seed(3)
    model = models.build(document.graph)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    document.set_weights(state, models.record_for(document.graph, state, "mnist-5k", CLASSES["mnist-5k"]))
    # What torch says on each picture, converted as the pad converts a drawing.
    model.eval()
    right, wrong = 0, []
    for path in sorted(folder.rglob("*.png")):
        with torch.no_grad():
            probs = torch.softmax(model(preprocess(load_image(path), (1, 28, 28)).tensor)[0], 0)
        if int(probs.argmax()) == int(path.parent.name):
            right += 1
        else:
            wrong.append((float(probs.max()), path))
    assert wrong  # the check below has mistakes to show
    window.training_panel.curves.setCurrentWidget(window.training_panel.history.mistakes_page)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    qtbot.mouseClick(browser.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "right" in browser.note.text(), timeout=30000)
    assert f"{right} of 12 right" in browser.note.text()
    assert browser.grid.count() == len(wrong)
    most = max(wrong)
    first = browser.grid.item(0)
    assert f"{most[1].parent.name} → " in first.text()
    assert window.try_panel.pad.image().max() == 0
    rect = browser.grid.visualItemRect(first)
    qtbot.mouseClick(browser.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.try_dock.isVisible() and window.try_panel.pad.image().max() > 0
    expected = window.try_panel.pad.__class__()
    expected.load_file(most[1])
    assert (expected.image() == window.try_panel.pad.image()).all()  # that very file, opened as Try it opens one
