"""The settings a lesson asks for train: lesson 6's MSELoss + SGD run learns, unlike the tutorial's lr 0.001."""
import torch

from designer.core import lessons, templates
from designer.core.training import TrainConfig
from designer.ml.build import build_model
from designer.ml.data import datasets
from designer.ml.training.loop import Finished, train


def accuracy_with(settings: dict) -> float:
    torch.set_num_threads(1)
    project = templates.new_project("lenet-28")
    config = TrainConfig.from_project(dict(project.training, **settings, epochs=2, seed=0))
    *_, finished = train(build_model(project.graph), datasets.load("mnist-5k").subset(1024, 200), config)
    assert isinstance(finished, Finished), finished
    return finished.best_val_acc


def test_lesson_6_mse_and_sgd_learn_in_two_short_epochs():
    [step] = [s for s in {l.id: l for l in lessons.all_lessons()}["training"].steps if s.id == "mse_sgd"]
    settings = step.check["settings"]
    assert (settings["loss"], settings["optimizer"]) == ("MSELoss", "SGD")
    assert accuracy_with(settings) > 0.5  # chance is 0.1
    assert accuracy_with(dict(settings, lr=0.001, momentum=0.0)) < 0.2  # what the lesson used to leave
