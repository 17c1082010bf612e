"""The drawing pad driven like a user: strokes with the mouse, keys, drops, live answers."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from designer.core import project as projects
from designer.ml.build import build_model
from designer.ml.explain.inside import classify
from designer.ml.data.preprocess import load_image, preprocess
from designer.ui.document import Document
from designer.ui.panels.tryit.drawpad import PAD, TryPanel
from designer.ui.panels.tryit.tryout import Tryout

EXAMPLES = Path(__file__).resolve().parents[3] / "designer" / "resources" / "examples"
SEVEN = [[(60, 50), (220, 50), (120, 250)]]
ONE_THEN_DASH = [[(140, 40), (140, 240)], [(80, 140), (200, 140)]]


@pytest.fixture(scope="session")
def trained_lenet():
    """LeNet 28x28 trained for 2 epochs on mnist-5k (once per session), and the held-out digits."""
    from designer.ml.data import datasets as data
    from designer.ml.training.loop import Finished, TrainConfig, train

    torch.set_num_threads(1)  # the test machine is shared: LeNet trains fastest on one thread there
    model = build_model(projects.load(EXAMPLES / "lenet-28.netproj.json").graph)
    *_, finished = train(model, data.load("mnist-5k", (1, 28, 28)), TrainConfig(epochs=2))
    assert isinstance(finished, Finished), finished
    raw = data.load_raw("mnist-5k")
    return finished.best_state, raw.test_x, raw.test_y


@pytest.fixture
def doc(qapp):
    return Document(projects.load(EXAMPLES / "lenet-28.netproj.json"))


@pytest.fixture
def panel(qtbot, doc):
    panel = TryPanel(Tryout(doc))
    qtbot.addWidget(panel)
    panel.pad.setFixedSize(PAD, PAD)  # one widget pixel = one pad pixel
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def stroke(qtbot, pad, points, release=True):
    """Press, move through ``points`` (pad pixels) and release, as a mouse would."""
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(round(points[0][0]), round(points[0][1])))
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        for t in (0.25, 0.5, 0.75, 1.0):  # intermediate moves, as a real drag produces
            qtbot.mouseMove(pad, QPoint(round(x0 + (x1 - x0) * t), round(y0 + (y1 - y0) * t)))
    if release:
        qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(round(points[-1][0]), round(points[-1][1])))


def draw(qtbot, pad, strokes):
    for points in strokes:
        stroke(qtbot, pad, points)


def settle(qtbot, panel):
    """Wait until the panel has classified the pad's current picture (on a worker thread) and shown it."""
    qtbot.waitUntil(lambda: not panel.timer.isActive(), timeout=3000)
    with qtbot.waitSignal(panel.tryout.settled, timeout=20000):
        panel.classify_now()
    return panel.tryout.last


def test_strokes_give_the_same_tensor_as_preprocess_on_the_saved_image(qtbot, panel, tmp_path):
    draw(qtbot, panel.pad, SEVEN)
    result = settle(qtbot, panel)
    assert not result.empty
    path = tmp_path / "pad.png"
    assert panel.pad.save(path)
    expected = preprocess(load_image(path), (1, 28, 28)).tensor
    assert torch.equal(result.tensor, expected)
    assert panel.pad.image().max() == 255 and panel.pad.image()[0, 0] == 0  # white ink on black


def test_answer_and_bars_update_while_the_stroke_is_still_being_drawn(qtbot, panel):
    with qtbot.waitSignal(panel.tryout.result_ready, timeout=10000, check_params_cb=lambda r: not r.empty):
        stroke(qtbot, panel.pad, [(140, 40), (140, 150)], release=False)
    assert panel.answer.text() in [str(d) for d in range(10)]
    assert sum(panel.bars.probs) == pytest.approx(1.0, abs=1e-5)
    assert not panel.seen.pixmap().isNull()
    qtbot.mouseRelease(panel.pad, Qt.MouseButton.LeftButton, pos=QPoint(140, 150))


def test_clear_by_button_escape_and_right_click_and_undo_by_ctrl_z(qtbot, panel):
    pad = panel.pad
    draw(qtbot, pad, ONE_THEN_DASH[:1])
    only_the_one = pad.image()
    draw(qtbot, pad, ONE_THEN_DASH[1:])
    assert pad.stroke_count() == 2
    pad.setFocus()
    qtbot.keyClick(pad, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert pad.stroke_count() == 1 and np.array_equal(pad.image(), only_the_one)
    qtbot.keyClick(pad, Qt.Key.Key_Escape)
    assert pad.is_empty() and not pad.image().any()
    draw(qtbot, pad, SEVEN)
    qtbot.mouseClick(pad, Qt.MouseButton.RightButton, pos=QPoint(10, 10))
    assert pad.is_empty() and not pad.image().any()
    draw(qtbot, pad, SEVEN)
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert pad.is_empty()
    assert settle(qtbot, panel).empty and panel.answer.text() == "–"


def test_an_untrained_model_says_so_and_offers_training(panel):
    kind, message = panel.tryout.status()
    assert kind == "untrained" and "not been trained" in panel.status.text()
    assert panel.train_button.isVisible()


def test_train_right_there_when_there_are_no_weights(qtbot, panel, doc):
    torch.set_num_threads(1)
    panel.tryout.quick_epochs = 1  # the button trains 2; one keeps the test short
    progress = []
    panel.tryout.training_progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(doc.weights_changed, timeout=120_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        assert doc.locked and panel.progress.isVisible() and not panel.train_button.isVisible()
    qtbot.waitUntil(lambda: not panel.tryout.training, timeout=5000)
    assert not doc.locked and progress and progress[-1][1] > 0
    assert panel.tryout.status()[0] == "ready" and "held-out digits right" in panel.status.text()
    draw(qtbot, panel.pad, SEVEN)
    result = settle(qtbot, panel)
    assert result.trained and panel.answer.text() == "7"



def test_while_another_run_holds_the_model_the_pads_training_waits_for_it(qtbot, panel, doc):
    doc.set_locked(True, "Training (Training panel)…")  # what the Training panel does while it runs
    assert panel.train_button.isVisible() and not panel.train_button.isEnabled()
    assert panel.train_button.toolTip() == "Training (Training panel)…"
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    panel.tryout.quick_train()  # e.g. a shortcut: it does not start either
    assert not panel.tryout.training and panel.tryout.job is None
    doc.set_locked(False)  # that run ended: its weights, or the pad's, may be trained now
    assert doc.locked is False and panel.train_button.isEnabled()


def test_quitting_during_a_quick_training_keeps_no_weights_and_waits_for_the_thread(qtbot, panel, doc):
    panel.tryout.quick_epochs = 50  # far longer than the test
    with qtbot.waitSignal(panel.tryout.training_progress, timeout=60_000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    job = panel.tryout.job
    panel.tryout.shutdown()  # what the app's aboutToQuit calls
    assert not job.running  # the worker thread is done: nothing runs past the app's end
    qtbot.waitUntil(lambda: not panel.tryout.training, timeout=5000)
    assert doc.weights is None and not doc.locked and "cancelled" in panel.tryout.message

def test_an_invalid_model_is_explained_and_nothing_is_guessed(qtbot, panel, doc):
    doc.set_param("n8", "in_features", 300)
    assert "errors" in panel.status.text()
    draw(qtbot, panel.pad, SEVEN)
    result = settle(qtbot, panel)
    assert result.probs is None and panel.answer.text() == "?"


def test_trained_lenet_reads_held_out_digits_drawn_on_the_pad(qtbot, panel, doc, trained_lenet):
    state, images, labels = trained_lenet
    doc.set_weights(state)
    assert panel.tryout.status()[0] == "ready" and not panel.train_button.isVisible()
    right = 0
    for image, label in zip(images[:20], labels[:20]):
        qtbot.keyClick(panel.pad, Qt.Key.Key_Escape)
        # Trace the digit row by row, one stroke per run of ink, at 10 pad pixels per MNIST pixel.
        for row in range(28):
            ink = np.flatnonzero(image[row] > 127)
            if ink.size == 0:
                continue
            runs = np.split(ink, np.flatnonzero(np.diff(ink) > 1) + 1)
            for run in runs:
                y = row * 10 + 5
                stroke(qtbot, panel.pad, [(run[0] * 10 + 5, y), (run[-1] * 10 + 5, y)])
        result = settle(qtbot, panel)
        right += int(result.probs.argmax()) == int(label)
        assert panel.answer.text() == str(int(result.probs.argmax()))
    assert right >= 17, f"{right}/20 held-out digits drawn on the pad were read right"


def test_a_dropped_photo_is_classified_like_the_file(qtbot, panel, doc, trained_lenet, tmp_path):
    doc.set_weights(trained_lenet[0])
    photo = Image.new("L", (300, 200), 225)  # dark ink on grey paper, not square
    ImageDraw.Draw(photo).line([(110, 30), (190, 30), (130, 180)], fill=30, width=14)
    path = tmp_path / "seven photo.jpg"
    photo.save(path)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    # The events a drag from the file manager sends: enter, move, drop (the pad must accept the enter).
    where, copy = QPoint(100, 100), Qt.DropAction.CopyAction
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where, copy, mime, left, none)
    QApplication.sendEvent(panel.pad, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(panel.pad, QDragMoveEvent(where, copy, mime, left, none))
    drop = QDropEvent(QPointF(where), copy, mime, left, none)
    QApplication.sendEvent(panel.pad, drop)
    assert drop.isAccepted() and not panel.pad.is_empty()
    result = settle(qtbot, panel)
    model = build_model(doc.graph)
    model.load_state_dict(trained_lenet[0])
    direct = classify(model, preprocess(load_image(path)).tensor)[0]
    assert int(result.probs.argmax()) == int(direct.argmax()) == 7


def test_the_app_survives_many_qt_calls_on_python_3_11():
    """PySide6 6.12 drops a reference to None per Qt call on 3.11 (why pyproject pins below 6.12)."""
    code = ("from PySide6.QtWidgets import QApplication, QLabel\n"
            "app = QApplication([])\nlabel = QLabel()\n"
            "for _ in range(20000):\n    label.setText('7')\nprint('alive')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[3],
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0 and "alive" in result.stdout, result.stderr[-500:]


def test_the_model_runs_on_a_worker_thread_not_the_ui_thread(qtbot, panel):
    import threading

    draw(qtbot, panel.pad, SEVEN)
    settle(qtbot, panel)
    ran_on = []
    panel.tryout.model.register_forward_hook(lambda *_: ran_on.append(threading.get_ident()))
    draw(qtbot, panel.pad, ONE_THEN_DASH[:1])
    settle(qtbot, panel)
    assert ran_on and threading.get_ident() not in ran_on  # a large model's forward never freezes the window


def test_an_edit_while_the_model_runs_never_shows_the_old_models_answer(qtbot, panel, doc):
    draw(qtbot, panel.pad, SEVEN)
    settle(qtbot, panel)
    shown = []
    panel.tryout.result_ready.connect(lambda result: shown.append(len(result.probs)))
    panel.classify_now()  # the ten-class model is running on the drawing
    doc.set_param("n12", "out_features", 5)  # and the learner edits it meanwhile
    qtbot.waitUntil(lambda: len(panel.bars.probs) == 5, timeout=20000)
    assert shown and set(shown) == {5}  # the answer of the model as it was is never shown
    assert panel.answer.text() in {"0", "1", "2", "3", "4"}


def test_once_torch_has_loaded_the_garbage_collector_no_longer_walks_it(window, qtbot):
    """A full collection runs in the UI thread; walking torch's 400,000 objects froze drawing for a second."""
    import gc

    qtbot.waitUntil(lambda: gc.get_freeze_count() > 0, timeout=30000)  # after the window's torch warm-up
    assert "torch" in sys.modules
