"""Every lesson played to the end in the real window, in English and in Chinese, as a student plays it.

For each step: Next cannot skip a task that is not done, the step's check does not pass before the
student acts, the text names what the student uses (as the screen shows it in that language), and
the step is done after the action. A predict-then-check step takes a wrong answer first (the hint
appears, the step stays) and then the right one, which the window itself confirms. A lesson that
cannot be completed fails here.
"""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from designer.core import lessons
from tests.ui.lessons.student import Student

LESSONS = {lesson.id: lesson for lesson in lessons.all_lessons()}


def module(s: Student) -> dict:
    def conv(s):
        new = s.drag_in("Conv2d", below="input")
        s.wire("input", new)
        s.click_block(new)
        s.set("in_channels", 1)
        s.set("out_channels", 5)
        s.set("kernel_size", 2)

    def linear(s):
        s.click_block(s.append("Linear"))
        s.set("in_features", 45)
        s.set("out_features", 8)

    def name(s):
        s.click_block(s.node("conv1"))
        s.sees(s.dock_title("Inspector"))
        s.rename("conv")

    def state_dict(s):
        s.open_dock("Look inside")
        keys = _state_dict_tab(s)
        return keys[:4] == ["conv.weight", "conv.bias", "fc1.weight", "fc1.bias"] \
            and s.document.shapes.parameters == 393

    return {"input": lambda s: (s.click_block("input"), s.sees(s.dock_title("Inspector")), s.set("shape", "1, 4, 4")),
            "conv": conv, "relu": lambda s: s.append("ReLU"), "flatten": lambda s: s.append("Flatten"),
            "linear": linear, "name": name, "state_dict": state_dict}


def sequential(s: Student) -> dict:
    def softmax(s):
        s.click_block(s.append("Softmax"))
        s.set("dim", 1)

    return {"softmax": softmax, "index": lambda s: _chain(s).index("Softmax") - 1 == 5}


def conv2d(s: Student) -> dict:
    def fix(s):
        s.select("fc1")
        s.press(s.window.inspector.fix_button)

    return {"stride": lambda s: (s.select("conv1"), s.set("stride", 2)),
            "padding": lambda s: (s.set("stride", 1), s.set("padding", 0)),
            "dilation": lambda s: s.set("dilation", 2),
            "predict": lambda s: _shape(s, "conv2") == [16, 6, 6],
            "groups_wrong": lambda s: (s.select("conv2"), s.set("groups", 4)),
            "groups_right": lambda s: s.set("groups", 2),
            "fix_fc1": fix, "try": lambda s: s.draw_digit(), "explain": lambda s: (s.open_dock("Explain"), s.select("conv1"))}


def resize(s: Student) -> dict:
    def pool(s):
        s.click_block(s.append("MaxPool2d"))
        s.set("kernel_size", 2)

    def transpose(s):
        s.click_block(s.append("ConvTranspose2d"))
        for param, value in (("in_channels", 1), ("out_channels", 1), ("kernel_size", 2), ("stride", 2)):
            s.set(param, value)

    return {"input": lambda s: (s.click_block("input"), s.set("shape", "1, 8, 8")), "pool": pool,
            "transpose": transpose, "predict": lambda s: True,
            "padding": lambda s: (s.sees(s.dock_title("Inspector")), s.set("padding", 1))}


def lenet(s: Student) -> dict:
    def layer(s, type_name, **params):
        s.click_block(s.append(type_name))
        for param, value in params.items():
            s.set(param, value)

    def linear(s):
        s.append("Flatten")
        layer(s, "Linear", in_features=400, out_features=120)
        s.append("ReLU")
        layer(s, "Linear", in_features=120, out_features=84)
        s.append("ReLU")
        layer(s, "Linear", in_features=84, out_features=10)

    return {"conv1": lambda s: layer(s, "Conv2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),
            "pool1": lambda s: (s.append("ReLU"), layer(s, "MaxPool2d", kernel_size=2)),
            "conv2": lambda s: (layer(s, "Conv2d", in_channels=6, out_channels=16, kernel_size=5), s.append("ReLU"),
                                layer(s, "MaxPool2d", kernel_size=2)),
            "linear": linear}


def training(s: Student) -> dict:
    def compare(s):
        history = s.window.training_panel.history.runs
        s.open_dock_quietly("Training")
        tabs = s.window.training_panel.curves
        s.sees(tabs.tabText(tabs.indexOf(history)))
        tabs.setCurrentWidget(history)
        for row, modifier in ((0, Qt.KeyboardModifier.NoModifier), (1, Qt.KeyboardModifier.ControlModifier)):
            rect = history.list.visualItemRect(history.list.item(row))
            s.bot.mouseClick(history.list.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())

    return {"save": lambda s: s.menu("File", "action_save"),
            "mse_sgd": lambda s: s.train(loss="MSELoss", optimizer="SGD", lr="0.1", momentum="0.9"),
            "ce_adam": lambda s: s.train(loss="CrossEntropyLoss", optimizer="Adam", lr="0.001"),
            "compare": compare}


def inside(s: Student) -> dict:
    return {"train": lambda s: s.train(), "try": lambda s: s.draw_digit(),
            "inside": lambda s: (s.open_dock("Look inside"), s.select("conv1"))}


def saving(s: Student) -> dict:
    def keys(s):
        s.open_dock("Look inside")
        return len([k for k in _state_dict_tab(s) if k.startswith("bn1.")]) == 5

    return {"bn": lambda s: (s.select("conv1"), s.append("BatchNorm2d")), "keys": keys,
            "optimizer": lambda s: _trainable_tensors(s) == 12}


SCRIPTS = {"module": module, "sequential": sequential, "conv2d": conv2d, "resize": resize, "lenet": lenet,
           "training": training, "inside": inside, "saving": saving,
           # lessons whose tasks are predictions only: the window shows what the answer is about
           "update": lambda s: {}, "batch": lambda s: {"flat": lambda s: _shape(s, "pool2") == [16, 5, 5]},
           "functional": lambda s: {"size": lambda s: _shape(s, "relu1") == [6, 28, 28]},
           "device": lambda s: {}}


def _state_dict_tab(s: Student) -> list[str]:
    """Click Look inside's state_dict tab (named in the text) and read the keys it lists."""
    from designer.ui.panels.inside.activations import ActivationsPanel as InsidePanel

    s.sees("state_dict")
    inside = s.window.findChild(InsidePanel)
    bar = inside.tabs.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == "state_dict")
    s.bot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    s.bot.waitUntil(lambda: inside.state.topLevelItemCount() > 0)
    tree = inside.state
    groups = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    return [group.child(j).text(0) for group in groups for j in range(group.childCount())]


def _chain(s: Student) -> list[str]:
    return [s.document.graph.nodes[n].type for n in s.document.shapes.path]


def _shape(s: Student, name: str) -> list[int]:
    return list(s.document.shapes.nodes[s.node(name)].out_shape)


def _trainable_tensors(s: Student) -> int:
    from designer.ml import models

    return len(list(models.build(s.document.project).parameters()))


@pytest.fixture
def tiny_data(monkeypatch):
    """Training in these tests sees a few batches of mnist-5k: the lesson's steps, not the accuracy."""
    from designer.ml.data import datasets

    real = datasets.load
    monkeypatch.setattr(datasets, "load", lambda *a, **k: real(*a, **k).subset(256, 64))


@pytest.fixture(params=["en", "zh_CN"])
def language(request):
    """The interface language, set before the window is made."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    return request.param


@pytest.mark.parametrize("lesson_id", sorted(LESSONS, key=lambda i: LESSONS[i].number))
def test_every_lesson_can_be_played_to_the_end(lesson_id, language, window, qtbot, tiny_data, monkeypatch, tmp_path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "lesson.json"), ""))
    lesson = LESSONS[lesson_id]
    student = Student(window, qtbot)
    panel = student.panel
    actions = SCRIPTS[lesson_id](student)
    assert {s.id for s in lesson.steps if s.check and not s.asks} <= set(actions), "a task without a script"

    window.findChild(QAction, "action_lessons").trigger()
    panel.chooser.setCurrentIndex(panel.chooser.findData(lesson_id))
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    for index, step in enumerate(lesson.steps):
        assert panel.done == index and panel.text.text() == step.say(language), step.id
        if step.check is None:
            assert panel.next_button.isEnabled()
            qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)
            continue
        assert not lessons.passes(step.check, panel.state()), f"{step.id} is done before the student acts"
        assert not panel.next_button.isEnabled()
        qtbot.mouseClick(panel.next_button, Qt.MouseButton.LeftButton)  # Next cannot skip a task
        assert panel.done == index
        if step.asks:
            assert panel.answer.isVisible() and panel.check_button.isVisible()
            confirm = actions.get(step.id)
            assert confirm is None or confirm(student), f"{step.id}: the window disagrees with the answer"
            student.answer("-1")
            assert panel.done == index and panel.hint.isVisible()
            assert step.hint(language) in panel.hint.text()
            student.answer(str(step.check["accept"][0]))
        else:
            assert not panel.answer.isVisible()
            actions[step.id](student)
        qtbot.waitUntil(lambda: panel.done == index + 1, timeout=10_000)
    assert panel.done == len(lesson.steps) and not panel.next_button.isEnabled()
    assert panel.chooser.currentText().startswith("✓ ")

