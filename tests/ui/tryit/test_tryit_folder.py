"""Try it for a model trained on an image folder, and mistakes sent to Try it, as a user does it."""
import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import Qt

from designer.core import project as projects
from designer.ml.data import datasets as data
from designer.ml.build import build_model
from designer.ml.training.loop import Finished, TrainConfig, train
from designer.ui.document import Document
from designer.ui.panels.tryit.drawpad import TryPanel
from designer.ui.panels.tryit.tryout import Tryout
from tests.ml.picture_folders import folder_project, picture, write_folder
from tests.ui.training.test_training_runs import save_project

torch.set_num_threads(1)


@pytest.fixture
def trained(tmp_path, monkeypatch):
    monkeypatch.setenv("NETDESIGNER_CACHE_DIR", str(tmp_path / "cache"))
    write_folder(tmp_path / "pictures", {"circle": 20, "square": 20, "star": 20})
    path = folder_project(tmp_path / "shapes.netproj.json", "folder:pictures")
    project = projects.load(path)
    model = build_model(project.graph)
    dataset = data.load("folder:pictures", [3, 16, 16], base=tmp_path)
    done = list(train(model, dataset, TrainConfig(epochs=6, batch_size=8, lr=0.02)))[-1]
    assert isinstance(done, Finished) and done.best_val_acc == 1.0
    document = Document(project, path)
    document.set_weights(done.best_state)
    return document


def test_an_opened_picture_is_classified_by_class_name(qtbot, trained, tmp_path):
    panel = TryPanel(Tryout(trained))
    qtbot.addWidget(panel)
    panel.show()
    assert panel.status.text() == "Trained weights loaded: drop or open a picture, or draw on the pad."
    star = tmp_path / "star.png"
    Image.fromarray(picture("star", np.random.default_rng(3), (90, 60))).save(star)
    panel.open_file(str(star))
    qtbot.waitUntil(lambda: panel.answer.text() == "star", timeout=20000)
    assert panel.bars.labels == ["circle", "square", "star"] and len(panel.bars.probs) == 3
    assert panel.tryout.last.tensor.shape == (1, 3, 16, 16)
    # The same conversion as training: the tensor is what predict and the training data use.
    from designer.ml.data.folders import prepare_picture
    assert torch.equal(panel.tryout.last.tensor, prepare_picture(star, [3, 16, 16]))
    square = picture("square", np.random.default_rng(4), (40, 40))
    panel.show_picture(square)
    qtbot.waitUntil(lambda: panel.answer.text() == "square", timeout=20000)


def test_a_mistake_clicked_goes_to_try_it(qtbot, window, tmp_path):
    path = save_project(tmp_path / "tiny.netproj.json", {"epochs": 1, "batch_size": 256, "optimizer": "Adam",
                                                          "lr": 0.01})
    assert window.open_file(path)
    panel = window.training_panel
    with qtbot.waitSignal(panel.run_ended, timeout=60000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    browser = panel.history.mistakes
    qtbot.waitUntil(lambda: browser.grid.count() > 0, timeout=10000)
    window.try_panel.pad.clear()
    panel.curves.setCurrentWidget(panel.history.mistakes_page)
    rect = browser.grid.visualItemRect(browser.grid.item(0))
    qtbot.mouseClick(browser.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not window.try_panel.pad.is_empty() and window.try_dock.isVisible()
    first = browser.items[0]
    qtbot.waitUntil(lambda: window.try_panel.answer.text() not in ("–", ""), timeout=20000)
    assert window.try_panel.answer.text() in [str(i) for i in range(10)]
    assert first.true != first.predicted


def test_a_dropped_colour_picture_is_shown_in_colour_and_classified(qtbot, trained, tmp_path):
    from PySide6.QtCore import QMimeData, QPoint, QPointF, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    panel = TryPanel(Tryout(trained))
    qtbot.addWidget(panel)
    panel.show()
    circle = tmp_path / "circle.png"
    Image.fromarray(picture("circle", np.random.default_rng(5), (50, 70))).save(circle)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(circle))])
    enter = QDragEnterEvent(QPoint(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel.pad, enter)
    assert enter.isAccepted()  # the pad takes picture files
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel.pad, drop)
    qtbot.waitUntil(lambda: panel.answer.text() not in ("–", ""), timeout=20000)
    assert panel.answer.text() == "circle", panel.status.text()
    seen = panel.seen.pixmap().toImage()
    assert seen.width() == 112 and not seen.isGrayscale()  # the 16x16 colour input, magnified
    assert "16×16" in panel.seen.toolTip()


def test_ink_drawn_on_the_pad_reaches_a_picture_model_white(qtbot, trained):
    panel = TryPanel(Tryout(trained))
    qtbot.addWidget(panel)
    panel.resize(600, 320)
    panel.show()
    qtbot.waitExposed(panel)
    pad = panel.pad
    for x in range(10, pad.width() // 2, 8):  # a thick stroke through the top-left quarter
        qtbot.mouseClick(pad, Qt.MouseButton.LeftButton, pos=pad.rect().topLeft() + type(pad.pos())(x, x))
    qtbot.waitUntil(lambda: panel.tryout.last is not None and not panel.tryout.last.empty, timeout=20000)
    tensor = panel.tryout.last.tensor
    assert tensor.shape == (1, 3, 16, 16)
    assert tensor.max().item() > 0.3  # white ink is bright to the model (pixels -1..1), not nearly black (-1)
    assert panel.answer.text() in ("circle", "square", "star")


def test_an_empty_pad_shows_the_class_rows_and_a_bad_file_is_forgotten_once_a_good_one_opens(qtbot, trained, tmp_path):
    """The weights' record names the classes, though the project's own data set was set back to digits."""
    from designer.ml import models

    state = trained.weights
    record = models.record_for(trained.graph, state, "folder:pictures", ["circle", "square", "star"])
    trained.project.training = {**trained.project.training, "dataset": "mnist-5k"}
    trained.set_weights(state, record)
    panel = TryPanel(Tryout(trained))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.bars.labels == ["circle", "square", "star"], timeout=20000)
    assert panel.bars.probs == [0.0, 0.0, 0.0] and panel.pad.hint == "Drop or open a picture"
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    panel.open_file(str(broken))
    assert "not a readable image" in panel.status.text()
    star = tmp_path / "star.png"
    Image.fromarray(picture("star", np.random.default_rng(3), (90, 60))).save(star)
    panel.open_file(str(star))
    qtbot.waitUntil(lambda: panel.answer.text() == "star", timeout=20000)
    assert "not a readable image" not in panel.status.text()
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.answer.text() == "–", timeout=20000)
    assert panel.bars.labels == ["circle", "square", "star"] and panel.bars.probs == [0.0, 0.0, 0.0]
