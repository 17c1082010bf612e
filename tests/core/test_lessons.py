"""Lessons: every step's check accepts the learner's correct build and refuses a wrong one (no window)."""
import pytest

from designer.core import i18n, lessons, templates
from designer.core.lessons import State, state_of

LESSONS = {lesson.id: lesson for lesson in lessons.all_lessons()}


class Builder:
    """A learner's project, edited as the app's blocks and inspector edit it."""

    def __init__(self, template: str):
        self.project = templates.new_project(template)
        self.graph = self.project.graph
        self.facts: dict = {}

    def last(self) -> str:
        return lessons.infer(self.graph).path[-1]

    def append(self, type_name: str, name: str | None = None, **params) -> str:
        after = self.last()
        node = self.graph.add_node(type_name, params, name)
        self.graph.connect(after, node.id)
        return node.id

    def find(self, name: str) -> str:
        return next(i for i, n in self.graph.generated_names().items() if n == name)

    def state(self) -> State:
        return state_of(self.project, self.facts)


def set_input(b, *shape):
    b.graph.set_param(b.graph.input_node().id, "shape", list(shape))


# One function per step: what a learner does to finish it; and one wrong attempt.
SOLUTIONS = {
    "module": {
        "input": (lambda b: set_input(b, 1, 4, 4), lambda b: set_input(b, 1, 4, 5)),
        "conv": (lambda b: b.append("Conv2d", in_channels=1, out_channels=5, kernel_size=2),
                 lambda b: b.append("Conv2d", in_channels=1, out_channels=5, kernel_size=3)),
        "relu": (lambda b: b.append("ReLU"), lambda b: b.append("Sigmoid")),
        "flatten": (lambda b: b.append("Flatten"), lambda b: b.append("Identity")),
        "linear": (lambda b: b.append("Linear", in_features=45, out_features=8),
                   lambda b: b.append("Linear", in_features=45, out_features=9)),
        "name": (lambda b: b.graph.rename(b.find("conv1"), "conv"), lambda b: b.graph.rename(b.find("conv1"), "cnv")),
    },
    "sequential": {
        "softmax": (lambda b: b.append("Softmax", dim=1), lambda b: b.append("Softmax", dim=0)),
    },
    "conv2d": {
        "stride": (lambda b: b.graph.set_param(b.find("conv1"), "stride", 2),
                   lambda b: b.graph.set_param(b.find("conv2"), "stride", 2)),
        "padding": (lambda b: (b.graph.set_param(b.find("conv1"), "stride", 1),
                               b.graph.set_param(b.find("conv1"), "padding", 0)),
                    lambda b: b.graph.set_param(b.find("conv1"), "padding", 0)),
        "dilation": (lambda b: b.graph.set_param(b.find("conv1"), "dilation", 2),
                     lambda b: b.graph.set_param(b.find("conv1"), "dilation", 3)),
        "groups_wrong": (lambda b: b.graph.set_param(b.find("conv2"), "groups", 4),
                         lambda b: b.graph.set_param(b.find("conv1"), "groups", 4)),
        "groups_right": (lambda b: b.graph.set_param(b.find("conv2"), "groups", 2),
                         lambda b: b.graph.set_param(b.find("conv2"), "groups", 3)),
        "fix_fc1": (lambda b: b.graph.set_param(b.find("fc1"), "in_features", 144),
                    lambda b: b.graph.set_param(b.find("fc1"), "in_features", 400)),
        "try": (lambda b: b.facts.update(tried=True), lambda b: b.facts.update(tried=False)),
        "explain": (lambda b: b.facts.update(visible=["Explain"], selected="Conv2d"),
                    lambda b: b.facts.update(visible=["Explain"], selected="Linear")),
    },
    "resize": {
        "input": (lambda b: set_input(b, 1, 8, 8), lambda b: set_input(b, 1, 8, 9)),
        "pool": (lambda b: b.append("MaxPool2d", kernel_size=2), lambda b: b.append("AvgPool2d", kernel_size=2)),
        "transpose": (lambda b: b.append("ConvTranspose2d", in_channels=1, out_channels=1, kernel_size=2, stride=2),
                      lambda b: b.append("ConvTranspose2d", in_channels=1, out_channels=1, kernel_size=2)),
        "padding": (lambda b: b.graph.set_param(b.last(), "padding", 1),
                    lambda b: b.graph.set_param(b.last(), "output_padding", 1)),
    },
    "lenet": {
        "conv1": (lambda b: b.append("Conv2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),
                  lambda b: b.append("Conv2d", in_channels=1, out_channels=6, kernel_size=5)),
        "pool1": (lambda b: (b.append("ReLU"), b.append("MaxPool2d", kernel_size=2)),
                  lambda b: b.append("MaxPool2d", kernel_size=2)),
        "conv2": (lambda b: (b.append("Conv2d", in_channels=6, out_channels=16, kernel_size=5), b.append("ReLU"),
                             b.append("MaxPool2d", kernel_size=2)),
                  lambda b: (b.append("Conv2d", in_channels=6, out_channels=16, kernel_size=3), b.append("ReLU"),
                             b.append("MaxPool2d", kernel_size=2))),
        "linear": (lambda b: (b.append("Flatten"), b.append("Linear", in_features=400, out_features=120),
                              b.append("ReLU"), b.append("Linear", in_features=120, out_features=84),
                              b.append("ReLU"), b.append("Linear", in_features=84, out_features=10)),
                   lambda b: (b.append("Flatten"), b.append("Linear", in_features=400, out_features=120),
                              b.append("ReLU"), b.append("Linear", in_features=120, out_features=10))),
    },
    "training": {
        "save": (lambda b: b.facts.update(saved=True), lambda b: b.facts.update(saved=False)),
        "mse_sgd": (lambda b: b.facts.setdefault("runs", []).append(
                        {"loss": "MSELoss", "optimizer": "SGD", "lr": 0.1, "momentum": 0.9}),
                    lambda b: b.facts.setdefault("runs", []).append(  # the tutorial's lr: stays at chance
                        {"loss": "MSELoss", "optimizer": "SGD", "lr": 0.001, "momentum": 0.0})),
        "ce_adam": (lambda b: b.facts["runs"].append({"loss": "CrossEntropyLoss", "optimizer": "Adam"}),
                    lambda b: b.facts["runs"].append({"loss": "CrossEntropyLoss", "optimizer": "SGD"})),
        "compare": (lambda b: b.facts.update(compared=True), lambda b: b.facts.update(compared=False)),
    },
    "inside": {
        "train": (lambda b: b.facts.update(runs=[{"loss": "CrossEntropyLoss", "optimizer": "Adam"}]),
                  lambda b: b.facts.update(runs=[])),
        "try": (lambda b: b.facts.update(tried=True), lambda b: b.facts.update(tried=False)),
        "inside": (lambda b: b.facts.update(visible=["Look inside", "Layers"], selected="Conv2d"),
                   lambda b: b.facts.update(visible=["Look inside", "Layers"], selected="Linear")),
    },
    "saving": {
        "bn": (lambda b: insert_after(b, "conv1", "BatchNorm2d", num_features=6),
               lambda b: b.append("BatchNorm2d", num_features=84)),
    },
    "update": {}, "batch": {}, "functional": {}, "device": {},
}


def insert_after(b, name, type_name, **params):
    """What a palette double-click on a selected block does: the new block goes in right after it."""
    after = b.find(name)
    [nxt] = b.graph.successors(after)
    b.graph.disconnect(after, nxt)
    node = b.graph.add_node(type_name, params)
    b.graph.connect(after, node.id)
    b.graph.connect(node.id, nxt)


def answering(step, text):
    return lambda b: b.facts.setdefault("answers", {}).update({step.id: text})


def test_the_tutorial_has_twelve_lessons_in_order():
    assert [lesson.number for lesson in LESSONS.values()] == list(range(1, 13))
    assert set(SOLUTIONS) == set(LESSONS)


@pytest.mark.parametrize("lesson_id", sorted(SOLUTIONS))
def test_each_check_accepts_the_right_build_and_refuses_a_wrong_one(lesson_id):
    """Walk the lesson as a learner: at each step a wrong attempt leaves it open, the right one closes it."""
    lesson = LESSONS[lesson_id]
    solutions = dict(SOLUTIONS[lesson_id])
    for step in lesson.steps:  # a prediction: the first accepted answer is right, an unlikely number wrong
        if step.asks:
            solutions[step.id] = (answering(step, str(step.check["accept"][0])), answering(step, "-7"))
    assert {s.id for s in lesson.steps if s.check} == set(solutions), "every checked step has a solution here"
    done = 0
    for index, step in enumerate(lesson.steps):
        if step.check is None:
            assert lesson.advance(done, Builder(lesson.template).state()) == done  # a read step waits for Next
            done += 1
            continue
        right, wrong = solutions[step.id]
        attempt = Builder(lesson.template)
        replay(lesson, index, attempt)
        wrong(attempt)
        assert not lessons.passes(step.check, attempt.state()), f"{step.id}: a wrong build passes"
        learner = Builder(lesson.template)
        replay(lesson, index, learner)
        right(learner)
        assert lessons.passes(step.check, learner.state()), f"{step.id}: the right build is refused"
        assert lesson.advance(index, learner.state()) >= index + 1
        done = index + 1


def replay(lesson, upto: int, builder: Builder) -> None:
    for step in lesson.steps[:upto]:
        if step.asks:
            answering(step, str(step.check["accept"][0]))(builder)
        elif step.check is not None:
            SOLUTIONS[lesson.id][step.id][0](builder)


def test_the_finished_lesson_1_is_the_tutorials_small_module():
    builder = Builder("blank")
    replay(LESSONS["module"], len(LESSONS["module"].steps), builder)
    state = builder.state()
    assert state.shapes.parameters == 5 * 1 * 2 * 2 + 5 + 45 * 8 + 8
    assert list(state.shapes.output_shape) == [8]


def test_steps_and_titles_exist_in_both_languages():
    for lesson in LESSONS.values():
        assert lesson.name(i18n.ENGLISH) != lesson.name(i18n.CHINESE)
        for step in lesson.steps:
            assert step.say(i18n.ENGLISH) != step.say(i18n.CHINESE)
            assert step.target is None or step.target in lessons.lesson_check.TARGETS


def test_a_bad_lesson_file_is_named_with_its_field(tmp_path):
    bad = tmp_path / "09-bad.json"
    bad.write_text('{"id": "bad", "number": 9, "title": {"en": "Bad"}, "steps": []}', encoding="utf-8")
    with pytest.raises(lessons.LessonError, match=r"lessons/09-bad.json: title: needs a text in each of en, zh_CN"):
        lessons.load(bad)
    bad.write_text('{"id": "bad", "number": 9, "title": {"en": "Bad", "zh_CN": "坏"}, "steps": '
                   '[{"id": "a", "text": {"en": "a", "zh_CN": "甲"}, "check": {"kind": "magic"}}]}', encoding="utf-8")
    with pytest.raises(lessons.LessonError, match=r"step 1 “a”: check.kind: must be one of"):
        lessons.load(bad)


def teacher_lesson(**changes) -> dict:
    step = {"id": "stride", "text": {"en": "Set stride 2.", "zh_CN": "把 stride 设为 2。"}, "target": "Inspector",
            "check": {"kind": "layer", "type": "Conv2d", "params": {"stride": 2}, "name": "conv1"}}
    step.update(changes)
    return {"id": "mine", "number": 1, "template": "lenet-28", "title": {"en": "Mine", "zh_CN": "我的"},
            "steps": [{"id": "read", "text": {"en": "Read.", "zh_CN": "读。"}}, step]}


@pytest.mark.parametrize("changes, problem", [
    ({}, None),
    ({"check": {"kind": "layer", "type": "Conv2d", "params": {"strid": 2}}},
     "step 2 “stride”: check.params.strid: Conv2d has no setting strid"),
    ({"check": {"kind": "layer", "type": "Conv3d"}}, "step 2 “stride”: check.type: Conv3d is not a layer type"),
    ({"check": {"kind": "output"}}, "step 2 “stride”: check.shape: missing (a output check needs shape)"),
    ({"check": {"kind": "output", "shape": [0, 2]}}, "step 2 “stride”: check.shape: must be a list of positive"),
    ({"check": {"kind": "all", "checks": [{"kind": "ran", "settings": {"epoch": 1}}]}},
     "step 2 “stride”: check.checks[0].settings.epoch: not a training setting"),
    ({"check": {"kind": "answer", "accept": [6]}}, "step 2 “stride”: check.hint: missing"),
    ({"check": {"kind": "answer", "accept": [6], "hint": {"en": "Count."}}},
     "step 2 “stride”: check.hint: needs a text in each of en, zh_CN"),
    ({"target": "Inspektor"}, "step 2 “stride”: target: Inspektor is not one of canvas"),
    ({"chek": {}}, "step 2 “stride”: chek: unknown field"),
    ({"id": "read"}, "step 2 “read”: id: another step has this id"),
])
def test_a_teachers_lesson_is_checked_field_by_field(changes, problem):
    found = lessons.lesson_check.problems(teacher_lesson(**changes))
    if problem is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(problem), found


def test_lessons_open_from_a_file_or_a_folder(tmp_path):
    import json

    (tmp_path / "a.json").write_text(json.dumps(teacher_lesson()), encoding="utf-8")
    second = dict(teacher_lesson(), id="other", number=2)
    (tmp_path / "b.json").write_text(json.dumps(second), encoding="utf-8")
    [one] = lessons.open_lessons(tmp_path / "a.json")
    assert one.id == "mine" and one.source == str(tmp_path / "a.json")
    assert [lesson.id for lesson in lessons.open_lessons(tmp_path)] == ["mine", "other"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(lessons.LessonError, match="holds no lesson"):
        lessons.open_lessons(empty)


@pytest.mark.parametrize("typed, right, same", [("0.48", 0.48, True), (" 0.480 ", 0.48, True), ("0.5", 0.48, False),
                                                ("6 x 6", "6×6", True), ("16*6*6", "16×6×6", True),
                                                ("CUDA", "cuda", True), ("cpu", "cuda", False), ("", 5, False),
                                                ("(64, 1, 28, 28)", "64×1×28×28", True),
                                                ("torch.Size([64, 1, 28, 28])", "64×1×28×28", True),
                                                ("64×28×28", "64×1×28×28", False)])
def test_an_answer_is_read_as_a_learner_types_it(typed, right, same):
    assert lessons.same_answer(typed, right) is same


def test_next_never_skips_an_unfinished_task():
    lesson = LESSONS["conv2d"]
    builder = Builder(lesson.template)
    assert not lesson.may_skip(0, builder.state())  # stride not set yet
    SOLUTIONS["conv2d"]["stride"][0](builder)
    assert lesson.may_skip(0, builder.state())
    read = LESSONS["update"]
    assert read.may_skip(0, Builder("lenet-28").state()) and not read.may_skip(1, Builder("lenet-28").state())


def test_a_step_names_the_layer_its_check_is_about():
    conv2d = next(lesson for lesson in lessons.all_lessons() if lesson.id == "conv2d")
    steps = {step.id: step for step in conv2d.steps}
    assert steps["stride"].target == "canvas" and steps["stride"].layer == "conv1"  # outlined on the canvas
    assert steps["groups_wrong"].layer == "conv2"  # an error check names one too
    assert steps["fix_fc1"].layer == "fc1"  # inside an "all" check
    assert steps["predict"].layer is None and steps["try"].layer is None
